"""Not actions: the action server's process-wide services, built on first use.

rasa-sdk imports every module of ``actions/``; this one defines no action,
only the ``Servicos`` (catalogues, links, store, folders) the actions share.
"""

from __future__ import annotations

from functools import lru_cache

from bot import settings
from bot.solicitacoes.motor import Motor
from bot.solicitacoes.servicos import Servicos


@lru_cache(maxsize=1)
def servicos() -> Servicos:
    """Catalogues, links, store and folders from the environment."""
    return Servicos(settings.load())


def novo_motor() -> Motor:
    """The request conversation engine."""
    return Motor(servicos())
