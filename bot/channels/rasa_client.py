"""Async client of Rasa's REST channel, shared by the Telegram and web channels."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp


class RasaIndisponivel(Exception):
    """Rasa did not answer (down, restarting, timed out or broken reply)."""


class RasaClient:
    """POSTs user messages to ``/webhooks/rest/webhook`` and returns the replies."""

    def __init__(
        self,
        base_url: str,
        timeout_s: float = 60.0,
        session: aiohttp.ClientSession | None = None,
    ) -> None:
        self.url = base_url.rstrip("/") + "/webhooks/rest/webhook"
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)
        self._session = session
        self._own_session = session is None

    async def _sessao(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
            self._own_session = True
        return self._session

    async def enviar(
        self, remetente: str, texto: str, metadata: dict[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """One user message; the bot's replies (text, buttons, custom...)."""
        corpo: dict[str, Any] = {"sender": remetente, "message": texto}
        if metadata:
            corpo["metadata"] = metadata
        sessao = await self._sessao()
        try:
            async with sessao.post(self.url, json=corpo) as resposta:
                if resposta.status != 200:
                    raise RasaIndisponivel(f"HTTP {resposta.status}")
                dados = await resposta.json(content_type=None)
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as erro:
            raise RasaIndisponivel(type(erro).__name__) from erro
        if not isinstance(dados, list):
            raise RasaIndisponivel("resposta inesperada")
        return [m for m in dados if isinstance(m, dict)]

    async def close(self) -> None:
        """Close the HTTP session if this client created it."""
        if self._own_session and self._session is not None and not self._session.closed:
            await self._session.close()
