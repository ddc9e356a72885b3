"""Dialogue decisions that do not need Rasa: fallback suggestions, misses.

Inputs are plain data taken from the tracker (intent rankings, the intents
of earlier user messages, events), so these rules are tested without Rasa.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

INTENCAO_FALLBACK = "nlu_fallback"
INTENCAO_FORA_DO_ESCOPO = "out_of_scope"
INTENCOES_NAO_ENTENDIDAS = frozenset({INTENCAO_FALLBACK, INTENCAO_FORA_DO_ESCOPO})

MAX_SUGESTOES = 3
CONFIANCA_MINIMA = 0.05


def sugerir_topicos(
    ranking: Iterable[Mapping[str, Any]],
    intencoes_faq: Iterable[str],
    limite: int = MAX_SUGESTOES,
    confianca_minima: float = CONFIANCA_MINIMA,
) -> list[str]:
    """The likeliest FAQ intents of an intent ranking, best first.

    Non-FAQ intents (greet, fallback, ...) and near-zero scores are skipped;
    at least two suggestions are returned when the ranking has them, so the
    requester always has a choice.
    """
    conhecidas = set(intencoes_faq)
    ordenadas = sorted(
        (r for r in ranking if r.get("name") in conhecidas),
        key=lambda r: r.get("confidence") or 0.0,
        reverse=True,
    )
    escolhidas = [r["name"] for r in ordenadas if (r.get("confidence") or 0.0) >= confianca_minima]
    if len(escolhidas) < 2:
        escolhidas = [r["name"] for r in ordenadas[:2]]
    return escolhidas[:limite]


def falha_repetida(intencoes_usuario: Sequence[str]) -> bool:
    """True when the last two user messages were both misunderstood.

    ``intencoes_usuario`` are the intents of the conversation's user messages
    in order, the current one last.
    """
    return (
        len(intencoes_usuario) >= 2
        and intencoes_usuario[-1] in INTENCOES_NAO_ENTENDIDAS
        and intencoes_usuario[-2] in INTENCOES_NAO_ENTENDIDAS
    )


def acao_anterior(eventos: Iterable[Mapping[str, Any]]) -> str | None:
    """The last bot action before the latest user message (listen skipped)."""
    vistos_usuario = False
    for evento in reversed(list(eventos)):
        if evento.get("event") == "user":
            if vistos_usuario:
                return None
            vistos_usuario = True
        elif (
            vistos_usuario
            and evento.get("event") == "action"
            and evento.get("name") not in ("action_listen", None)
        ):
            return str(evento["name"])
    return None
