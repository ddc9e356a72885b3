from pathlib import Path

import pytest

from bot.rasa import spacy_pt

ROOT = Path(__file__).resolve().parents[2]


def test_extend_lemma_table_adds_accent_free_keys_without_overwriting():
    table = {"está": "estar", "esta": "este", "difíceis": "difícil", "sei": "saber"}
    spacy_pt.extend_lemma_table(table)
    assert table["esta"] == "este"  # existing key kept
    assert table["dificeis"] == "difícil"  # accent-free key added
    assert table["sei"] == "sei"  # domain word protected


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("spacy-pt")
    assert spacy_pt.main([str(out)]) == 0
    import spacy

    return spacy.load(out)


@pytest.mark.slow
def test_built_pipeline_is_portuguese_with_lookup_lemmatizer(built):
    assert built.lang == "pt"
    assert built.pipe_names == ["lemmatizer"]
    lemmas = {t.text: t.lemma_ for t in built("esqueci as senhas do sei voce servidoras")}
    assert lemmas["esqueci"] == "esquecer"
    assert lemmas["servidoras"] == "servidor"
    assert lemmas["sei"] == "sei"
    assert lemmas["senhas"] == "senha"


@pytest.mark.slow
def test_unaccented_forms_lemmatize_like_accented(built):
    accented = [t.lemma_ for t in built("lotações")]
    plain = [t.lemma_ for t in built("lotacoes")]
    assert plain == accented


def test_usage_error_without_output_dir(capsys):
    assert spacy_pt.main([]) == 2
    assert "uso:" in capsys.readouterr().err


def test_make_builds_the_pipeline_rasa_loads():
    meta = ROOT / "build" / "spacy-pt" / "meta.json"
    assert meta.exists(), "rode 'make setup': o pipeline spaCy não foi construído"


def test_pruning_keeps_every_lemma_the_training_data_can_use():
    table = {
        "servidoras": "servidor",
        "servidores": "servidor",
        "casas": "casa",
        "esqueci": "esquecer",
        "esqueceu": "esquecer",
    }
    textos = ["A servidora esqueceu", "servidores"]
    lemas = spacy_pt.training_lemmas(textos, table)
    assert {"servidor", "esquecer"} <= lemas
    podada = spacy_pt.prune_lemma_table(table, lemas)
    # unseen forms of seen lemmas stay; forms of lemmas never seen in training go
    assert podada == {
        "servidoras": "servidor",
        "servidores": "servidor",
        "esqueci": "esquecer",
        "esqueceu": "esquecer",
    }


@pytest.mark.slow
def test_pruned_pipeline_is_small_and_lemmatizes_like_the_full_one(tmp_path, built):
    out = tmp_path / "podado"
    nlu = tmp_path / "nlu.yml"
    nlu.write_text(
        'version: "3.1"\nnlu:\n- intent: x\n  examples: |\n    - a servidora esqueceu a senha\n'
    )
    assert spacy_pt.main([str(out), "--nlu", str(nlu)]) == 0
    import spacy

    podado = spacy.load(out)
    frase = "servidoras esqueci senhas"
    assert [t.lemma_ for t in podado(frase)] == [t.lemma_ for t in built(frase)]
    tamanho = sum(f.stat().st_size for f in out.rglob("*") if f.is_file())
    assert tamanho < 2_000_000
