"""Builds the Portuguese spaCy pipeline that Rasa's SpacyNLP loads.

No model is downloaded: the pipeline is spaCy's blank ``pt`` language plus a
lookup lemmatizer whose table comes from spacy-lookups-data, extended with
accent-free keys (servants type "dificil", "voce") and with the SEI domain
words kept as they are ("sei" is the system, not a form of "saber").

Usage: ``python -m bot.nlu.spacy_pt OUTPUT_DIR``
"""
from __future__ import annotations

import sys
from pathlib import Path

from bot.text import fold

# Domain words the generic lemma table would mangle ("sei" -> "saber").
PALAVRAS_DO_DOMINIO = (
    "sei", "nts", "sesau", "seplag", "sumoge", "getin", "enap", "trf4",
    "cpf", "email", "e-mail", "helpdesk", "lotacao", "lotação", "senha",
    "senhas", "login", "sigla", "setor", "setores", "cargo", "processo",
    "processos", "unidade", "unidades", "planilha", "upa", "hge",
)


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
    for word in PALAVRAS_DO_DOMINIO:
        table[word] = word
    return len(additions) + len(PALAVRAS_DO_DOMINIO)


def load_lemma_table() -> dict:
    """The Portuguese lemma lookup table shipped by spacy-lookups-data."""
    import spacy_lookups_data
    import srsly

    path = Path(str(spacy_lookups_data.pt["lemma_lookup"]))
    if not path.exists():
        path = path.with_name(path.name + ".gz")
    return dict(srsly.read_gzip_json(path) if path.suffix == ".gz" else srsly.read_json(path))


def build_pipeline():
    """Return the blank ``pt`` pipeline with the extended lookup lemmatizer."""
    import spacy
    from spacy.lookups import Lookups

    table = load_lemma_table()
    extend_lemma_table(table)
    lookups = Lookups()
    lookups.add_table("lemma_lookup", table)
    nlp = spacy.blank("pt")
    lemmatizer = nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    lemmatizer.initialize(lookups=lookups)
    nlp.meta["name"] = "sei_pt_lookup"
    nlp.meta["description"] = (
        "Blank Portuguese pipeline with a lookup lemmatizer built locally "
        "from spacy-lookups-data for the SESAU SEI assistant."
    )
    return nlp


def main(argv=None) -> int:
    """Build the pipeline into the folder given on the command line."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("uso: python -m bot.nlu.spacy_pt PASTA_DE_SAIDA", file=sys.stderr)
        return 2
    out = Path(args[0])
    nlp = build_pipeline()
    out.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(out)
    print(f"pipeline spaCy pt salvo em {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
