"""Rasa's REST channel, never silent: the input channel registered in credentials.yml.

Same URL and body as Rasa's ``rest`` channel (``POST /webhooks/rest/webhook``
with ``{"sender", "message"[, "metadata"]}``, replies as a JSON list), plus:

- a user message that produced no bot message (action server down or
  restarting, a crash in the middle of a turn) gets
  ``MSG_TENTE_NOVAMENTE`` instead of an empty list: the requester always
  knows to retry, and retrying is safe (requests are filed idempotently);
- a failure while handling the message is logged by type only (never the
  message text) and answered the same way, never with a traceback;
- a body without a JSON object, a sender or a text message gets HTTP 400
  with a Portuguese explanation (a missing sender would otherwise put every
  such client in Rasa's one shared ``default`` conversation);
- production profile (several replicas): one turn per conversation at a
  time across all replicas, with a Redis mutex (``SET NX PX`` + token).
  Rasa 3.6's own Redis lock store issues tickets with an unatomic
  read-modify-write, so two replicas receiving messages of one conversation
  at the same instant (a double tap, a widget retry through the load
  balancer) could both process them and interleave the stored events.

Rasa imports this module (``rasa run --credentials``); with
``bot/rasa/components.py`` it is the only code of the project that imports Rasa.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from contextlib import asynccontextmanager
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import QueueOutputChannel, RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse, ResponseStream

from bot import settings as settings_module

logger = logging.getLogger(__name__)

MSG_TENTE_NOVAMENTE = "Não consegui concluir agora. Tente novamente em instantes."
MSG_CORPO_INVALIDO = (
    'Pedido inválido: envie um objeto JSON com "sender" (texto não vazio) e "message" (texto).'
)
LIMITE_REMETENTE = 255  # the tracker store's sender_id column

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


class TravaConversas:
    """Cross-replica mutex per conversation, in Redis.

    ``SET key token NX PX validade``; released only by its holder (Lua
    compare-and-delete). A crashed holder's lock expires after ``validade_s``.
    Keys carry a hash of the conversation id, never the id itself.
    """

    LIBERAR = (
        "if redis.call('get', KEYS[1]) == ARGV[1] then "
        "return redis.call('del', KEYS[1]) else return 0 end"
    )

    def __init__(
        self,
        url: str,
        prefixo: str,
        validade_s: float = 60.0,
        espera_s: float = 25.0,
        intervalo_s: float = 0.05,
    ) -> None:
        self.url, self.prefixo = url, prefixo
        self.validade_s, self.espera_s, self.intervalo_s = validade_s, espera_s, intervalo_s
        self._cliente: Any = None

    def _redis(self) -> Any:
        if self._cliente is None:  # created inside the server's event loop
            import redis.asyncio

            self._cliente = redis.asyncio.Redis.from_url(self.url, socket_timeout=10)
        return self._cliente

    def chave(self, conversa: str) -> str:
        resumo = hashlib.sha256(conversa.encode("utf-8")).hexdigest()[:32]
        return f"{self.prefixo}:sei:conversa:{resumo}"

    @asynccontextmanager
    async def __call__(self, conversa: str) -> AsyncIterator[None]:
        """Hold the conversation's lock; TimeoutError after ``espera_s``."""
        cliente, chave, token = self._redis(), self.chave(conversa), uuid.uuid4().hex
        loop = asyncio.get_running_loop()
        limite = loop.time() + self.espera_s
        while not await cliente.set(chave, token, nx=True, px=int(self.validade_s * 1000)):
            if loop.time() > limite:
                raise TimeoutError("conversa ocupada")
            await asyncio.sleep(self.intervalo_s)
        try:
            yield
        finally:
            await cliente.eval(self.LIBERAR, 1, chave, token)


@asynccontextmanager
async def _sem_trava(_conversa: str) -> AsyncIterator[None]:
    yield


def _campos(request: Request) -> tuple[str, str, str, dict[str, Any] | None] | None:
    """Sender, text, input channel and metadata of a valid body, else None.

    The input channel is the one a trusted client names (``input_channel``,
    as in Rasa's channel), else "rest".
    """
    try:
        corpo = json.loads(request.body or b"")
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(corpo, dict):
        return None
    remetente, texto = corpo.get("sender"), corpo.get("message")
    if isinstance(remetente, int) and not isinstance(remetente, bool):
        remetente = str(remetente)
    if not isinstance(remetente, str) or not remetente.strip():
        return None
    if len(remetente) > LIMITE_REMETENTE or not isinstance(texto, str):
        return None
    canal = corpo.get("input_channel")
    canal = canal if isinstance(canal, str) and canal else ReliableRestInput.name()
    metadata = corpo.get("metadata")
    return remetente, texto, canal, metadata if isinstance(metadata, dict) else None


def _aviso(remetente: str) -> dict[str, Any]:
    return {"recipient_id": remetente, "text": MSG_TENTE_NOVAMENTE}


class ReliableRestInput(RestInput):
    """``RestInput`` that answers "tente novamente" instead of silence or an error."""

    def __init__(self, trava: Callable[[str], Any] | None = None) -> None:
        """``trava``: per-conversation lock; by default from the settings
        (Redis in the production profile, none otherwise), built on first use."""
        super().__init__()
        self._trava = trava

    @classmethod
    def name(cls) -> str:
        """Keeps the URL ``/webhooks/rest/webhook`` and the input channel "rest"."""
        return "rest"

    def trava(self) -> Callable[[str], Any]:
        """The per-conversation lock of this process."""
        if self._trava is None:
            cfg = settings_module.load()
            self._trava = (
                TravaConversas(cfg.redis_url, cfg.redis_key_prefix) if cfg.producao else _sem_trava
            )
        return self._trava

    async def _processar(self, on_new_message: OnNewMessage, mensagem: UserMessage) -> None:
        """Run one user message through Rasa; failures are logged by type only."""
        try:
            async with self.trava()(mensagem.sender_id):
                await on_new_message(mensagem)
        except asyncio.CancelledError:
            logger.error("REST message handling cancelled (timeout or client gone).")
        except Exception as erro:
            logger.error("REST message handling failed: %s.", type(erro).__name__)
            logger.debug("REST message handling failure details", exc_info=True)

    async def responder(
        self,
        on_new_message: OnNewMessage,
        remetente: str,
        texto: str,
        canal: str,
        metadata: dict[str, Any] | None,
    ) -> list[dict[str, Any]]:
        """The bot's replies to one message, never empty."""
        coletor = CollectingOutputChannel()
        await self._processar(
            on_new_message,
            UserMessage(texto, coletor, remetente, input_channel=canal, metadata=metadata),
        )
        return coletor.messages or [_aviso(remetente)]

    def _fluxo(
        self,
        on_new_message: OnNewMessage,
        remetente: str,
        texto: str,
        canal: str,
        metadata: dict[str, Any] | None,
    ) -> Callable[[Any], Coroutine[Any, Any, None]]:
        """``?stream=true``: one JSON reply per line, as Rasa's channel does."""

        async def stream(resp: Any) -> None:
            fila: asyncio.Queue = asyncio.Queue()

            async def produzir() -> None:
                await self._processar(
                    on_new_message,
                    UserMessage(
                        texto,
                        QueueOutputChannel(fila),
                        remetente,
                        input_channel=canal,
                        metadata=metadata,
                    ),
                )
                await fila.put(None)

            tarefa = asyncio.ensure_future(produzir())
            enviadas = 0
            while (item := await fila.get()) is not None:
                enviadas += 1
                await resp.write(json.dumps(item) + "\n")
            if not enviadas:
                await resp.write(json.dumps(_aviso(remetente)) + "\n")
            await tarefa

        return stream

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        """``GET /webhooks/rest/`` (health) and ``POST /webhooks/rest/webhook``."""
        bp = Blueprint(f"custom_webhook_{type(self).__name__}")

        @bp.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:  # noqa: ARG001
            return response.json({"status": "ok"})

        @bp.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> ResponseStream | HTTPResponse:
            campos = _campos(request)
            if campos is None:
                return response.json({"erro": MSG_CORPO_INVALIDO}, status=400)
            remetente, texto, canal, metadata = campos
            if request.args.get("stream", "").lower() == "true":
                return response.stream(
                    self._fluxo(on_new_message, remetente, texto, canal, metadata),
                    content_type="text/event-stream",
                )
            return response.json(
                await self.responder(on_new_message, remetente, texto, canal, metadata)
            )

        return bp
