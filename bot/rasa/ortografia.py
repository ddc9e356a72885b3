"""Spelling correction over the domain vocabulary, before featurisation.

A servant on a phone types "snha", "lotasao", "crago": words the training
data never saw, so the features of the one telling word are lost and the
message lands on the menu. ``Corretor`` maps such a word to the closest word
of the training vocabulary (optimal string alignment distance: one edit for
short words, two for long ones; ties go to the more frequent word), and
rewrites ordinals ("1a", "2ª") and the domain's short forms ("cad", "proc").
Words already known, short words and anything with digits are left alone.
Pure Python over rapidfuzz: no Rasa here (the component is in
``bot.rasa.components``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from itertools import pairwise

from rapidfuzz import process
from rapidfuzz.distance import OSA

# Short forms servants use for the domain's words (folded, as tokens).
ABREVIACOES_DO_DOMINIO = {
    "cad": "cadastro",
    "proc": "processo",
    "procs": "processos",
    "usr": "usuario",
    "usu": "usuario",
    "ass": "assinatura",
    "tel": "telefone",
    "fone": "telefone",
    "agr": "agora",
    "qnto": "quanto",
    "qnta": "quanta",
    "qndo": "quando",
    "snh": "senha",
    "lot": "lotacao",
    # the state's abbreviation ("sei de AL", "aqui em AL")
    "al": "alagoas",
}

_ORDINAL = re.compile(r"^([123])\s*([aoªº])$")
_ORDINAIS = {"1": "primeir", "2": "segund", "3": "terceir"}
_PALAVRA = re.compile(r"[a-z]+")

TAMANHO_MINIMO = 4

# neighbouring keys of a QWERTY keyboard: a slip of the finger ("tenpo")
_TECLADO = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_VIZINHAS = {(a, b) for linha in _TECLADO for x, y in pairwise(linha) for a, b in ((x, y), (y, x))}


def _trocas_vizinhas(token: str, palavra: str) -> int:
    """How many differing letters of two same-length words are adjacent keys."""
    if len(token) != len(palavra):
        return 0
    return sum((a, b) in _VIZINHAS for a, b in zip(token, palavra, strict=True) if a != b)


def ordinal(token: str) -> str | None:
    """The word of a short ordinal ("1a" -> "primeira", "2º" -> "segundo")."""
    achado = _ORDINAL.match(token)
    if not achado:
        return None
    final = "a" if achado.group(2) in ("a", "ª") else "o"
    return _ORDINAIS[achado.group(1)] + final


def palavras(textos: Iterable[str]) -> Counter[str]:
    """Frequency of the alphabetic words of folded texts."""
    contagem: Counter[str] = Counter()
    for texto in textos:
        contagem.update(_PALAVRA.findall(texto))
    return contagem


class Corretor:
    """Corrects folded tokens against a vocabulary of known words."""

    def __init__(self, frequencias: Mapping[str, int]) -> None:
        """``frequencias``: known word -> count (from the training texts)."""
        self._frequencias = dict(frequencias)
        self._lista = [p for p in self._frequencias if len(p) >= TAMANHO_MINIMO - 1]

    @property
    def frequencias(self) -> dict[str, int]:
        """The vocabulary (persisted with the model)."""
        return self._frequencias

    def corrigir(self, token: str) -> str:
        """The corrected form of one folded token (the token itself if none)."""
        trocado = ordinal(token) or ABREVIACOES_DO_DOMINIO.get(token)
        if trocado:
            return trocado
        if (
            len(token) < TAMANHO_MINIMO
            or not token.isalpha()
            or not token.isascii()
            or token in self._frequencias
        ):
            return token
        limite = 1 if len(token) <= 5 else 2
        candidatos = process.extract(
            token, self._lista, scorer=OSA.distance, score_cutoff=limite, limit=8
        )
        if not candidatos:
            return token
        menor = min(c[1] for c in candidatos)
        melhores = [c[0] for c in candidatos if c[1] == menor]
        # same first letter first (typos rarely hit it), a slip to a neighbouring
        # key next, then the commonest word
        return max(
            melhores,
            key=lambda p: (
                p[0] == token[0],
                _trocas_vizinhas(token, p),
                self._frequencias[p],
                p,
            ),
        )
