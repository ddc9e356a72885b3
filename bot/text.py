"""Text normalisation shared by the NLU pipeline and the domain code.

Servants type without accents, in any case, with chat abbreviations; the
classifier sees one canonical form: lowercase, no diacritics, common
abbreviations expanded.
"""

from __future__ import annotations

import re
import unicodedata

# Chat abbreviations of Brazilian Portuguese, expanded token by token.
ABREVIACOES = {
    "vc": "voce",
    "vcs": "voces",
    "voc": "voce",
    "pq": "porque",
    "q": "que",
    "oq": "o que",
    "tb": "tambem",
    "tbm": "tambem",
    "td": "tudo",
    "tds": "todos",
    "n": "nao",
    "naum": "nao",
    "nd": "nada",
    "msg": "mensagem",
    "pfv": "por favor",
    "pfvr": "por favor",
    "pf": "por favor",
    "obg": "obrigado",
    "obgd": "obrigado",
    "obgda": "obrigada",
    "vlw": "valeu",
    "blz": "beleza",
    "hj": "hoje",
    "qdo": "quando",
    "qnd": "quando",
    "qto": "quanto",
    "qt": "quanto",
    "cmg": "comigo",
    "ctg": "contigo",
    "mt": "muito",
    "mto": "muito",
    "p": "para",
    "pra": "para",
    "pro": "para o",
    "ta": "esta",
    "to": "estou",
    "eh": "e",
    "tmb": "tambem",
    "qm": "quem",
    "ngm": "ninguem",
    "dps": "depois",
    "add": "adicionar",
    "info": "informacao",
    "infos": "informacoes",
}

_SPACES = re.compile(r"\s+")
_TOKEN = re.compile(r"\w+|[^\w\s]", re.UNICODE)


def strip_accents(text: str) -> str:
    """Remove diacritics, keeping one character per input character.

    Each character is decomposed on its own, so the result has exactly the
    length of the input and token offsets stay valid ("ação" -> "acao").
    """
    out = []
    for char in text:
        base = unicodedata.normalize("NFD", char)
        kept = "".join(c for c in base if not unicodedata.combining(c))
        out.append(kept if len(kept) == 1 else char)
    return "".join(out)


def fold(text: str) -> str:
    """Lowercase and strip accents, preserving length ("SESAU Ação" -> "sesau acao")."""
    folded = strip_accents(text).lower()
    return folded if len(folded) == len(text) else strip_accents(text)


def normalize_token(token: str) -> str:
    """Canonical form of one token: folded, abbreviation expanded."""
    folded = fold(token)
    return ABREVIACOES.get(folded, folded)


def normalize_text(text: str) -> str:
    """Canonical form of a whole message, for classifiers and look-ups."""
    words = _TOKEN.findall(text or "")
    return _SPACES.sub(" ", " ".join(normalize_token(w) for w in words)).strip()
