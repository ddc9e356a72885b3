"""Folded keys and string similarity for catalogue look-ups and typo hints.

Helpers shared by ``bot.solicitacoes.catalogos`` and ``bot.solicitacoes.validacao``:
a folded key (no accents, lowercase), a compact key (ASCII letters and digits
only), meaningful words, and the scores of the catalogue suggestions, built on
rapidfuzz's edit distances.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher

from rapidfuzz.distance import OSA

from bot.text import strip_accents

_ESPACOS = re.compile(r"\s+")
_NAO_ALNUM = re.compile(r"[^0-9a-z]+")

# Words that carry no meaning when comparing unit or cargo names.
PALAVRAS_VAZIAS = frozenset(
    [
        "a",
        "as",
        "o",
        "os",
        "de",
        "da",
        "das",
        "do",
        "dos",
        "e",
        "em",
        "na",
        "nas",
        "no",
        "nos",
        "para",
        "por",
        "com",
        "ao",
        "aos",
    ]
)


def chave(texto: str) -> str:
    """Folded key: accents removed, lowercase, single spaces ("Gerência  TI" -> "gerencia ti")."""
    return _ESPACOS.sub(" ", strip_accents(texto).lower()).strip()


def compacta(texto: str) -> str:
    """Key with ASCII letters and digits only ("SUVISA - Cievs" -> "suvisacievs")."""
    return _NAO_ALNUM.sub("", chave(texto))


def palavras(texto: str, limite: int = 20) -> list[str]:
    """Meaningful folded words of ``texto`` (at most ``limite``), stop words removed."""
    tokens = [t for t in _NAO_ALNUM.split(chave(texto)) if t and t not in PALAVRAS_VAZIAS]
    return tokens[:limite]


def semelhanca(a: str, b: str) -> float:
    """Similarity in 0..1: the best of the edit-distance ratio (adjacent
    transpositions count as one edit) and difflib's matching-blocks ratio.

    difflib's ratio is kept (not rapidfuzz's ``Indel``, which scores the longest
    common subsequence): it ranks some suggestions differently.
    """
    if not a or not b:
        return 0.0
    return max(OSA.normalized_similarity(a, b), SequenceMatcher(None, a, b).ratio())


def semelhanca_palavra(a: str, b: str) -> float:
    """Similarity of two folded words: equal 1, prefix 0.9, close typo, else 0."""
    if a == b:
        return 1.0
    curta, longa = sorted((a, b), key=len)
    if len(curta) >= 3 and longa.startswith(curta):
        return 0.9
    valor = semelhanca(a, b)
    return valor if valor >= 0.75 else 0.0


def cobertura(consulta: list[str], alvo: list[str]) -> float:
    """How well the words of ``consulta`` cover ``alvo`` (0..1, token overlap)."""
    if not consulta or not alvo:
        return 0.0
    melhores = [max(semelhanca_palavra(q, t) for t in alvo) for q in consulta]
    cobertos = sum(1 for t in alvo if any(semelhanca_palavra(q, t) > 0 for q in consulta))
    return 0.75 * sum(melhores) / len(consulta) + 0.25 * cobertos / len(alvo)
