"""Dialogue decisions that do not need Rasa: fallback suggestions, misses.

Inputs are plain data taken from the tracker (intent rankings, the intents
of earlier user messages), so these rules are tested without Rasa.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

FALLBACK_INTENT = "nlu_fallback"
OUT_OF_SCOPE_INTENT = "out_of_scope"
MISS_INTENTS = frozenset({FALLBACK_INTENT, OUT_OF_SCOPE_INTENT})

MAX_SUGGESTIONS = 3
MIN_SUGGESTION_CONFIDENCE = 0.05


def suggest_topics(
    ranking: Iterable[Mapping],
    faq_intents: Iterable[str],
    limit: int = MAX_SUGGESTIONS,
    min_confidence: float = MIN_SUGGESTION_CONFIDENCE,
) -> list[str]:
    """The likeliest FAQ intents of an intent ranking, best first.

    Non-FAQ intents (greet, fallback, ...) and near-zero scores are skipped;
    at least two suggestions are returned when the ranking has them, so the
    requester always has a choice.
    """
    known = set(faq_intents)
    ordered = sorted(
        (r for r in ranking if r.get("name") in known),
        key=lambda r: r.get("confidence") or 0.0,
        reverse=True,
    )
    chosen = [r["name"] for r in ordered if (r.get("confidence") or 0.0) >= min_confidence]
    if len(chosen) < 2:
        chosen = [r["name"] for r in ordered[:2]]
    return chosen[:limit]


def is_repeated_miss(user_intents: Sequence[str]) -> bool:
    """True when the last two user messages were both misunderstood.

    ``user_intents`` are the intents of the conversation's user messages in
    order, the current one last.
    """
    return (
        len(user_intents) >= 2
        and user_intents[-1] in MISS_INTENTS
        and user_intents[-2] in MISS_INTENTS
    )


def acao_anterior(eventos) -> str | None:
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
            return evento["name"]
    return None
