"""Builds the Portuguese spaCy pipeline that Rasa's SpacyNLP loads.

No model is downloaded: the pipeline is spaCy's blank ``pt`` language plus a
lookup lemmatizer whose table comes from spacy-lookups-data, extended with
accent-free keys (servants type "dificil", "voce") and with the SEI domain
words kept as they are ("sei" is the system, not a form of "saber").

With ``--nlu FILE`` the table keeps only the forms whose lemma occurs in
that training data: the lemma features (CountVectorsFeaturizer) only know
lemmas seen in training, so the other entries could never change a
prediction, yet they cost about 300 MB of RAM in every Rasa process.

Usage: ``python -m bot.rasa.spacy_pt OUTPUT_DIR [--nlu data/nlu.yml]``
"""

from __future__ import annotations

import sys
from pathlib import Path

from bot.text import fold, normalize_token

# Domain words the generic lemma table would mangle ("sei" -> "saber"), with
# the lemma they should have.
PALAVRAS_DO_DOMINIO = {
    **{
        w: w
        for w in (
            "sei",
            "nts",
            "sesau",
            "seplag",
            "sumoge",
            "getin",
            "enap",
            "trf4",
            "cpf",
            "email",
            "e-mail",
            "helpdesk",
            "lotacao",
            "senha",
            "login",
            "sigla",
            "setor",
            "cargo",
            "processo",
            "unidade",
            "planilha",
            "upa",
            "hge",
        )
    },
    "lotação": "lotacao",
    "lotacoes": "lotacao",
    "lotações": "lotacao",
    "senhas": "senha",
    "setores": "setor",
    "processos": "processo",
    "unidades": "unidade",
    "emails": "email",
    "e-mails": "email",
    "siglas": "sigla",
    "cargos": "cargo",
    "planilhas": "planilha",
}


def extend_lemma_table(table: dict) -> int:
    """Add accent-free keys and domain words to a lemma lookup dict.

    Existing keys are never overwritten ("esta" stays "este"). Returns the
    number of entries added or changed.
    """
    additions = {}
    for key, value in table.items():
        folded = fold(key)
        if folded != key and folded not in table and folded not in additions:
            additions[folded] = value
    table.update(additions)
    table.update(PALAVRAS_DO_DOMINIO)
    return len(additions) + len(PALAVRAS_DO_DOMINIO)


def training_lemmas(texts, table: dict) -> set:
    """Normalised lemmas of every token of the training texts (as Rasa sees them)."""
    import spacy

    tokenizer = spacy.blank("pt").tokenizer
    lemmas = set()
    for text in texts:
        for token in tokenizer(text.lower()):
            lemmas.add(normalize_token(table.get(token.text, token.text)))
    return lemmas


def prune_lemma_table(table: dict, lemmas: set) -> dict:
    """Only the entries whose (normalised) lemma is in ``lemmas``."""
    return {k: v for k, v in table.items() if normalize_token(v) in lemmas}


def load_lemma_table() -> dict:
    """The Portuguese lemma lookup table shipped by spacy-lookups-data."""
    import spacy_lookups_data
    import srsly

    path = Path(str(spacy_lookups_data.pt["lemma_lookup"]))
    if not path.exists():
        path = path.with_name(path.name + ".gz")
    return dict(srsly.read_gzip_json(path) if path.suffix == ".gz" else srsly.read_json(path))


def build_pipeline(training_texts=None):
    """The blank ``pt`` pipeline with the extended (and pruned) lookup lemmatizer."""
    import spacy
    from spacy.lookups import Lookups

    table = load_lemma_table()
    extend_lemma_table(table)
    if training_texts is not None:
        table = prune_lemma_table(table, training_lemmas(training_texts, table))
    lookups = Lookups()
    lookups.add_table("lemma_lookup", table)
    nlp = spacy.blank("pt")
    lemmatizer = nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    lemmatizer.initialize(lookups=lookups)  # type: ignore[call-arg]  # Lemmatizer takes it
    nlp.meta["name"] = "sei_pt_lookup"
    nlp.meta["description"] = (
        "Blank Portuguese pipeline with a lookup lemmatizer built locally "
        "from spacy-lookups-data for the SESAU SEI assistant."
    )
    return nlp


def main(argv=None) -> int:
    """Build the pipeline into the folder given on the command line."""
    args = list(sys.argv[1:] if argv is None else argv)
    nlu_files = []
    while "--nlu" in args:
        i = args.index("--nlu")
        if i + 1 >= len(args):
            args = []
            break
        nlu_files.append(args.pop(i + 1))
        args.pop(i)
    if len(args) != 1:
        print(
            "uso: python -m bot.rasa.spacy_pt PASTA_DE_SAIDA [--nlu data/nlu.yml]", file=sys.stderr
        )
        return 2
    out = Path(args[0])
    texts = None
    if nlu_files:
        from bot.rasa.nlu_eval import load_examples

        texts = [t for f in nlu_files for t, _ in load_examples(Path(f))]
    nlp = build_pipeline(texts)
    out.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(out)
    print(f"pipeline spaCy pt salvo em {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
