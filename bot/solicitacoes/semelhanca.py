"""Folded keys and string similarity for catalogue look-ups and typo hints.

Plain helpers shared by ``bot.solicitacoes.catalogos`` and ``bot.solicitacoes.validacao``: a folded
key (no accents, lowercase), a compact key (ASCII letters and digits only),
the optimal-string-alignment edit distance and a 0..1 similarity.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher

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


def distancia(a: str, b: str) -> int:
    """Optimal string alignment distance (edits and adjacent transpositions)."""
    if a == b:
        return 0
    if not a or not b:
        return len(a) + len(b)
    anterior2: list[int] = []
    anterior = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        atual = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            custo = 0 if ca == cb else 1
            atual[j] = min(anterior[j] + 1, atual[j - 1] + 1, anterior[j - 1] + custo)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                atual[j] = min(atual[j], anterior2[j - 2] + 1)
        anterior2, anterior = anterior, atual
    return anterior[-1]


def semelhanca(a: str, b: str) -> float:
    """Similarity in 0..1: the best of edit-distance and difflib ratios."""
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    por_edicao = 1 - distancia(a, b) / max(len(a), len(b))
    return max(por_edicao, SequenceMatcher(None, a, b).ratio())


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
