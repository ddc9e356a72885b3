"""The process-wide services of the action server, built on first use."""
from __future__ import annotations

from functools import lru_cache

from bot import conversa, registro, settings


@lru_cache(maxsize=1)
def servicos() -> registro.Servicos:
    """Catalogues, links, store and folders from the environment."""
    return registro.Servicos(settings.load())


def motor() -> conversa.Motor:
    """The request conversation engine."""
    return conversa.Motor(servicos())
