from pathlib import Path

import pytest

from bot.nlu import spacy_pt

ROOT = Path(__file__).resolve().parent.parent


def test_extend_lemma_table_adds_accent_free_keys_without_overwriting():
    table = {"está": "estar", "esta": "este", "difíceis": "difícil", "sei": "saber"}
    spacy_pt.extend_lemma_table(table)
    assert table["esta"] == "este"          # existing key kept
    assert table["dificeis"] == "difícil"   # accent-free key added
    assert table["sei"] == "sei"            # domain word protected


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("spacy-pt")
    assert spacy_pt.main([str(out)]) == 0
    import spacy

    return spacy.load(out)


def test_built_pipeline_is_portuguese_with_lookup_lemmatizer(built):
    assert built.lang == "pt"
    assert built.pipe_names == ["lemmatizer"]
    lemmas = {t.text: t.lemma_ for t in built("esqueci as senhas do sei voce servidoras")}
    assert lemmas["esqueci"] == "esquecer"
    assert lemmas["servidoras"] == "servidor"
    assert lemmas["sei"] == "sei"
    assert lemmas["senhas"] == "senhas"


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
