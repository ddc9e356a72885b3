"""Text normalisation shared by the NLU pipeline and the domain code.

Servants type without accents, in any case, with chat abbreviations; the
classifier sees one canonical form: lowercase, no diacritics, common
abbreviations expanded. ``clean_text`` strips what a user (or a CSV file)
may send that no stored value should keep: control and format characters.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

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


_LINE_BREAKS = re.compile(r"\r\n?|[\x0b\x0c\x85\u2028\u2029]")
_KEPT_FORMAT = frozenset("\u200c\u200d")  # zero-width (non-)joiner: emoji sequences


def _as_str(value: Any) -> str:
    """Any input as a str (None -> "", bytes decoded leniently)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).decode("utf-8", errors="replace")
    try:
        return str(value)
    except Exception:  # a hostile __str__ must not break validation
        return ""


def _forbidden(char: str) -> bool:
    category = unicodedata.category(char)
    if category in ("Cc", "Cs"):
        return True
    if category == "Cf":
        return char not in _KEPT_FORMAT
    code = ord(char)
    return 0xFDD0 <= code <= 0xFDEF or (code & 0xFFFE) == 0xFFFE


def clean_text(value: Any) -> str:
    """Any input as text without control characters, keeping line breaks.

    NFC-normalised; CR/CRLF and other line separators become "\\n", tabs and
    other spaces become " "; C0/C1 controls (null bytes included), format
    characters (bidi overrides, zero-width space, BOM), surrogates and
    non-characters are removed. Does not trim.
    """
    text = unicodedata.normalize("NFC", _as_str(value))
    text = _LINE_BREAKS.sub("\n", text).replace("\t", " ")
    if text.isprintable():
        return text
    out = []
    for char in text:
        if char == "\n":
            out.append(char)
        elif unicodedata.category(char) == "Zs":
            out.append(" ")
        elif not _forbidden(char):
            out.append(char)
    return "".join(out)


def one_line(value: Any) -> str:
    """``clean_text`` on one line: whitespace runs become one space, trimmed."""
    return _SPACES.sub(" ", clean_text(value)).strip()


def quoted(value: Any, limit: int = 40) -> str:
    """A short echo of what a user typed, in curly quotes, cut with "…"."""
    text = one_line(value)
    return f"“{text if len(text) <= limit else text[: limit - 1] + '…'}”"
