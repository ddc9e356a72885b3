"""Not actions: how the actions answer (the engine's messages; the try-again
fallback when the work behind an answer fails)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from rasa_sdk.executor import CollectingDispatcher

from bot.solicitacoes.mensagens import Mensagem

logger = logging.getLogger(__name__)


def utter(dispatcher: CollectingDispatcher, mensagens: list[Mensagem]) -> None:
    """Send engine messages through the dispatcher."""
    for m in mensagens:
        dispatcher.utter_message(
            text=m.get("text"), buttons=m.get("buttons") or [], json_message=m.get("custom")
        )


@contextmanager
def ou_tente_de_novo(dispatcher: CollectingDispatcher, falha: str, *args: object) -> Iterator[None]:
    """Run the block; if it raises, log ``falha % args`` with the traceback and
    answer ``utter_tente_de_novo`` instead."""
    try:
        yield
    except Exception:
        logger.exception(falha, *args)
        dispatcher.utter_message(response="utter_tente_de_novo")
