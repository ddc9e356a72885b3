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
    """Catalogues, links, store and folders from the environment; the store's new
    requests queue their notifications (and their SEI filing, when configured),
    and the form offers e-mail notices when e-mail is on."""
    from bot.notificacoes.avisos import Avisos
    from bot.sei.arquivamento import instalar_se_configurado

    s = Servicos(settings.load())
    avisos = Avisos.de(s)
    if avisos.email_ligado:
        s.assinante = avisos.assinar
    s.arquiva_no_sei = instalar_se_configurado(s.store, s.settings)
    return s


def novo_motor() -> Motor:
    """The request conversation engine."""
    return Motor(servicos())
