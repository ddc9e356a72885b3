"""What the Telegram handlers share and keep between updates."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Awaitable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cachetools import FIFOCache, TTLCache
from telegram import Update
from telegram.ext import Application, BaseUpdateProcessor, ContextTypes

from bot.channels.identidade import remetente
from bot.channels.rasa_client import RasaClient
from bot.limites import Limitador
from bot.solicitacoes.anexos import AnexoStore

CANAL = "telegram"
# the adapter's application (PTB's default context, bot and stores)
Aplicacao = Application[Any, Any, Any, Any, Any, Any]


class UpdateIncompleto(ValueError):
    """An update without the part its handler's filter guarantees (a bug if raised)."""


class Recentes:
    """Bounded memory of recently seen update ids (the oldest forgotten first)."""

    def __init__(self, limite: int = 4096) -> None:
        self._ids: FIFOCache[int, None] = FIFOCache(maxsize=limite)

    def primeira_vez(self, update_id: int) -> bool:
        """True the first time an update id is seen (and remember it)."""
        if update_id in self._ids:
            return False
        self._ids[update_id] = None
        return True


class PorConversa(BaseUpdateProcessor):
    """Updates of one chat in arrival order; different chats concurrently."""

    def __init__(self, max_concurrent_updates: int = 256) -> None:
        super().__init__(max_concurrent_updates)
        self._travas: dict[int, asyncio.Lock] = {}
        self._uso: dict[int, int] = defaultdict(int)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Run the update's handlers under its chat's lock."""
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            await coroutine
            return
        trava = self._travas.setdefault(chat.id, asyncio.Lock())
        self._uso[chat.id] += 1
        try:
            async with trava:
                await coroutine
        finally:
            self._uso[chat.id] -= 1
            if not self._uso[chat.id]:
                del self._uso[chat.id], self._travas[chat.id]

    async def initialize(self) -> None:
        """Nothing to allocate."""

    async def shutdown(self) -> None:
        """Nothing to free."""


@dataclass
class Adaptador:
    """What the handlers share: Rasa, the sender secret, attachments, spreadsheets."""

    rasa: RasaClient
    segredo: bytes
    anexos: AnexoStore
    planilhas_dir: Path
    recentes: Recentes
    # messages per chat (bot.limites), and every attempt of a chat (refused ones
    # too); chats already told to wait, for a while
    limite: Limitador = field(default_factory=lambda: Limitador("telegram-chat", ()))
    tentativas: Limitador = field(
        default_factory=lambda: Limitador("telegram-tentativas", (), contar_recusadas=True)
    )
    avisados: TTLCache[int, None] = field(default_factory=lambda: TTLCache(10_000, ttl=10))
    # the notifications (bot.notificacoes.avisos.Avisos): a request filed in a chat
    # gets its news there; None: off
    avisos: Any | None = None

    def remetente(self, chat_id: int) -> str:
        """Sender id sent to Rasa for a chat (never the raw chat id)."""
        return remetente(CANAL, str(chat_id), self.segredo)


def adaptador(context: ContextTypes.DEFAULT_TYPE) -> Adaptador:
    """The shared adapter state of an application."""
    return context.bot_data["adaptador"]


def dados_do_chat(context: ContextTypes.DEFAULT_TYPE) -> dict[Any, Any]:
    """The chat's own data (every update the adapter handles has a chat)."""
    if context.chat_data is None:
        raise UpdateIncompleto("chat_data")
    return context.chat_data
