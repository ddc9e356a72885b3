"""What the gateway's handlers share: configuration, Rasa, links, attachments, retries."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from aiohttp import web
from cachetools import TTLCache

from bot.channels.identidade import Links
from bot.limites import Limitador
from bot.solicitacoes.anexos import AnexoStore


class Rasa(Protocol):
    """What the gateway needs from the Rasa client (a fake in unit tests)."""

    async def enviar(
        self, remetente: str, texto: str, metadata: dict[str, Any] | None = None
    ) -> list[dict[str, Any]]: ...

    async def close(self) -> None: ...


@dataclass(frozen=True)
class Config:
    """What the gateway needs, independent of where it comes from."""

    segredo: bytes
    planilhas_dir: Path
    anexos_dir: Path
    download_ttl_s: int = 24 * 3600
    frame_ancestors: str = "'self'"
    # message limits (bot.limites rules) per session and per client address;
    # ``proxies``: trusted reverse proxies in front (X-Forwarded-For); Redis URL
    # to share the counters among gateways (None: in this process)
    limite_sessao: str = ""
    limite_endereco: str = ""
    limite_tentativas: str = ""  # per session, refused messages counted too
    proxies: int = 0
    redis_url: str | None = None
    redis_prefixo: str = "sei"


@dataclass(frozen=True)
class Limites:
    """The gateway's limiters: per session and per client address; every attempt
    of a session (``tentativas``: refused ones too)."""

    sessao: Limitador
    endereco: Limitador
    tentativas: Limitador


class Repeticoes:
    """Answers a retried message (same session + id) once.

    The widget retries when the network blips; the first attempt may have
    reached Rasa already. An in-flight or recent answer (``validade_s``) is
    reused instead of sending the message to Rasa twice. Failures are not
    kept, so a retry after Rasa comes back is really sent.
    """

    def __init__(
        self,
        validade_s: float = 300.0,
        maximo: int = 2000,
        relogio: Callable[[], float] = time.monotonic,
    ) -> None:
        self._itens: TTLCache[tuple[str, str], asyncio.Future[Any]] = TTLCache(
            maxsize=maximo, ttl=validade_s, timer=relogio
        )

    async def executar(
        self, chave: tuple[str, str] | None, fabrica: Callable[[], Awaitable[Any]]
    ) -> Any:
        """Run ``fabrica()`` once per ``chave`` (None: always run)."""
        if chave is None:
            return await fabrica()
        tarefa = self._itens.get(chave)
        if tarefa is None:
            tarefa = asyncio.ensure_future(fabrica())
            self._itens[chave] = tarefa
            tarefa.add_done_callback(lambda t: self._esquecer_falha(chave, t))
        # shield: a client that disconnects does not cancel the work its retry will reuse
        return await asyncio.shield(tarefa)

    def _esquecer_falha(self, chave: tuple[str, str], tarefa: asyncio.Future[Any]) -> None:
        """A failed attempt is forgotten, so the next retry runs again."""
        falhou = tarefa.cancelled() or tarefa.exception() is not None
        if falhou and self._itens.get(chave) is tarefa:
            del self._itens[chave]


class OutraEmVoo(Exception):
    """The session already has another message being answered."""


class EmVoo:
    """The message each session has in Rasa right now: one at a time.

    The widget sends the next message only after the answer to the last one
    (it shows "digitando" and refuses input meanwhile), so a second message
    of a session while one is in flight comes from a script or a double
    send. Let through, it would only wait behind the conversation's lock in
    Rasa, holding a request there and retrying the lock every second; here
    it gets "aguarde" at once and costs nothing. A retry of the message in
    flight (same id) is not another message: ``Repeticoes`` joins it. Per
    gateway process (two gateways of the production profile could each let
    one through: Rasa's lock still orders them).
    """

    def __init__(self) -> None:
        self._chaves: dict[str, tuple[str, str] | None] = {}

    @contextlib.contextmanager
    def ocupar(self, sender: str, chave: tuple[str, str] | None) -> Iterator[None]:
        """Hold the session's slot while the block runs; ``OutraEmVoo`` if taken."""
        if sender in self._chaves:
            if chave is not None and self._chaves[sender] == chave:
                yield  # the retry of the message in flight
                return
            raise OutraEmVoo(sender)
        self._chaves[sender] = chave
        try:
            yield
        finally:
            del self._chaves[sender]


CONFIG_KEY = web.AppKey("config", Config)
RASA_KEY = web.AppKey("rasa", Rasa)
LINKS_KEY = web.AppKey("links", Links)
ANEXOS_KEY = web.AppKey("anexos", AnexoStore)
REPETICOES_KEY = web.AppKey("repeticoes", Repeticoes)
EM_VOO_KEY = web.AppKey("em_voo", EmVoo)
CSP_KEY = web.AppKey("csp", str)
LIMITES_KEY = web.AppKey("limites", Limites)


class Avisos(Protocol):
    """What the gateway needs of the notifications (bot.notificacoes.avisos.Avisos)."""

    def assinar(self, protocolo: str, canal: str, endereco: str) -> str: ...

    def pendentes_para(self, sender: str) -> list[str]: ...

    def parar_por_link(self, token: str) -> str: ...


# None: notifications off (unit tests of the gateway alone)
AVISOS_KEY = web.AppKey("avisos", object)
