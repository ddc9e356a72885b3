"""A local stand-in of the Telegram Bot API, for offline tests of the adapter.

An aiohttp server on 127.0.0.1 (own thread and event loop) that speaks the
part of the Bot API the adapter uses: getMe, getUpdates (long poll with
offset/timeout, fed by the test, one queue per bot token), sendMessage,
sendDocument (multipart; the bytes are recorded), getFile and the file
download (``/file/bot<token>/<path>``), answerCallbackQuery,
editMessageReplyMarkup, sendChatAction, setMyCommands/getMyCommands,
deleteWebhook/setWebhook/getWebhookInfo. Every call is
recorded. Point PTB at it with ``base_url``/``base_file_url`` (the adapter:
TELEGRAM_API_URL=<standin.url>).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

BOT_USER = {
    "id": 424242,
    "is_bot": True,
    "first_name": "Assistente SEI",
    "username": "sei_teste_bot",
    "can_join_groups": False,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}
TOKEN_RE = re.compile(r"^\d+:[A-Za-z0-9_-]+$")  # tokens ending in ":RECUSADO" get 401
JSON_FIELDS = {"reply_markup", "allowed_updates", "commands"}


@dataclass
class Chamada:
    """One Bot API call received by the stand-in."""

    metodo: str
    token: str
    params: dict[str, Any]
    resultado: Any = None
    arquivos: dict[str, dict[str, Any]] = field(default_factory=dict)
    falhou: bool = False
    momento: float = field(default_factory=time.monotonic)

    @property
    def chat_id(self) -> int | None:
        """The chat the call is about, if any."""
        valor = self.params.get("chat_id")
        return int(valor) if valor not in (None, "") else None


class TelegramStandin:
    """The fake Bot API server; thread-safe accessors for the tests."""

    def __init__(self) -> None:
        self.url = ""
        self.chamadas: list[Chamada] = []
        self.webhooks: dict[str, dict[str, Any]] = {}
        self.comandos: dict[str, list[dict[str, Any]]] = {}
        self._trava = threading.Lock()
        self._filas: dict[str, list[dict[str, Any]]] = {}
        self._arquivos: dict[str, dict[str, Any]] = {}
        self._falhas: dict[tuple, int] = {}
        self._ids_mensagem = itertools.count(1000)
        self._ids_update = itertools.count(1)
        self._ids_arquivo = itertools.count(1)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None
        self._parando = False

    # ----- lifecycle ----------------------------------------------------------------------
    def start(self) -> TelegramStandin:
        """Start serving on an ephemeral loopback port; sets ``self.url``."""
        pronto = threading.Event()
        self._loop = asyncio.new_event_loop()

        def servir() -> None:
            """Thread body: start the server and run its loop."""
            asyncio.set_event_loop(self._loop)
            self._loop.run_until_complete(self._iniciar())
            pronto.set()
            self._loop.run_forever()

        self._thread = threading.Thread(target=servir, name="telegram-standin", daemon=True)
        self._thread.start()
        assert pronto.wait(10), "stand-in não iniciou"
        return self

    async def _iniciar(self) -> None:
        """Bind the server (runs in the stand-in's loop)."""
        app = web.Application(client_max_size=30 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{metodo}", self._api)
        app.router.add_get("/file/bot{token}/{caminho:.+}", self._baixar)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        porta = site._server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{porta}"

    def stop(self) -> None:
        """Stop the server and its thread."""
        if self._loop is None:
            return
        self._parando = True
        asyncio.run_coroutine_threadsafe(self._encerrar(), self._loop).result(30)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()

    async def _encerrar(self) -> None:
        """Stop serving and cancel pending long polls."""
        await self._runner.cleanup()
        pendentes = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for tarefa in pendentes:
            tarefa.cancel()
        await asyncio.gather(*pendentes, return_exceptions=True)

    # ----- what the test feeds -------------------------------------------------------------
    def alimentar(self, token: str, *updates: dict[str, Any]) -> list[int]:
        """Queue updates for a bot's getUpdates (update_id assigned when missing)."""
        ids = []
        with self._trava:
            fila = self._filas.setdefault(token, [])
            for update in updates:
                update.setdefault("update_id", next(self._ids_update))
                fila.append(update)
                ids.append(update["update_id"])
        return ids

    def novo_update_id(self) -> int:
        """A fresh update id (for updates built by hand, e.g. webhook posts)."""
        with self._trava:
            return next(self._ids_update)

    def adicionar_arquivo(self, dados: bytes, caminho: str, tamanho: int | None = None) -> str:
        """Make a file downloadable via getFile; its file_id."""
        with self._trava:
            file_id = f"arquivo-{next(self._ids_arquivo)}"
            self._arquivos[file_id] = {
                "dados": dados,
                "caminho": caminho,
                "tamanho": len(dados) if tamanho is None else tamanho,
            }
        return file_id

    def falhar(self, metodo: str, chat_id: int, vezes: int = 1) -> None:
        """Make the next ``vezes`` calls of ``metodo`` for ``chat_id`` fail with 400."""
        with self._trava:
            self._falhas[(metodo, chat_id)] = vezes

    # ----- what the test inspects -----------------------------------------------------------
    def chamadas_de(
        self,
        metodo: str | None = None,
        chat_id: int | None = None,
        desde: int = 0,
        token: str | None = None,
    ) -> list[Chamada]:
        """Recorded calls (from index ``desde``), filtered by method, chat and token."""
        with self._trava:
            lista = list(self.chamadas[desde:])
        return [
            c
            for c in lista
            if (metodo is None or c.metodo == metodo)
            and (chat_id is None or c.chat_id == chat_id)
            and (token is None or c.token == token)
        ]

    def marca(self) -> int:
        """Index to pass as ``desde`` to see only calls made after now."""
        with self._trava:
            return len(self.chamadas)

    def esperar(self, condicao: Callable[[], Any], timeout: float = 60.0) -> Any:
        """Poll ``condicao`` until truthy; its value (AssertionError on timeout)."""
        limite = time.monotonic() + timeout
        while time.monotonic() < limite:
            valor = condicao()
            if valor:
                return valor
            time.sleep(0.05)
        raise AssertionError(f"condição não atingida em {timeout} s")

    # ----- the Bot API ---------------------------------------------------------------------
    async def _api(self, request: web.Request) -> web.Response:
        """Dispatch one Bot API call to its ``_m_<method>`` and record it."""
        token, metodo = request.match_info["token"], request.match_info["metodo"]
        if not TOKEN_RE.match(token) or token.endswith(":RECUSADO"):
            return _erro(401, "Unauthorized")
        params, arquivos = await _ler_parametros(request)
        chamada = Chamada(metodo, token, params, arquivos=arquivos)
        tratador = getattr(self, f"_m_{metodo}", None)
        if metodo != "getUpdates":
            with self._trava:
                self.chamadas.append(chamada)
        if tratador is None:
            return _erro(404, f"Not Found: method {metodo}")
        if self._falha_armada(metodo, chamada.chat_id):
            chamada.falhou = True
            return _erro(400, "Bad Request: falha simulada")
        try:
            resultado = await tratador(token, params, arquivos)
        except _ErroApi as erro:
            return _erro(400, str(erro))
        chamada.resultado = resultado
        if metodo == "getUpdates" and resultado:
            with self._trava:
                self.chamadas.append(chamada)
        return web.json_response({"ok": True, "result": resultado})

    def _falha_armada(self, metodo: str, chat_id: int | None) -> bool:
        """Consume one simulated failure of this call, if armed."""
        with self._trava:
            restantes = self._falhas.get((metodo, chat_id), 0)
            if restantes:
                self._falhas[(metodo, chat_id)] = restantes - 1
            return bool(restantes)

    async def _baixar(self, request: web.Request) -> web.Response:
        """Serve a file registered with ``adicionar_arquivo``."""
        caminho = request.match_info["caminho"]
        with self._trava:
            self.chamadas.append(
                Chamada("download", request.match_info["token"], {"file_path": caminho})
            )
            dados = next(
                (a["dados"] for a in self._arquivos.values() if a["caminho"] == caminho), None
            )
        if dados is None:
            return web.Response(status=404)
        return web.Response(body=dados, content_type="application/octet-stream")

    async def _m_getMe(self, token, params, arquivos):
        """The bot itself."""
        return dict(BOT_USER)

    async def _m_deleteWebhook(self, token, params, arquivos):
        """Forget the bot's webhook."""
        with self._trava:
            self.webhooks.pop(token, None)
        return True

    async def _m_setWebhook(self, token, params, arquivos):
        """Remember the bot's webhook (url, secret_token...)."""
        with self._trava:
            self.webhooks[token] = dict(params)
        return True

    async def _m_getWebhookInfo(self, token, params, arquivos):
        """The bot's webhook."""
        with self._trava:
            url = self.webhooks.get(token, {}).get("url", "")
        return {"url": url, "has_custom_certificate": False, "pending_update_count": 0}

    async def _m_getUpdates(self, token, params, arquivos):
        """Long poll: pending updates from ``offset`` on, or [] after ``timeout``."""
        offset = int(params.get("offset") or 0)
        limite = time.monotonic() + min(float(params.get("timeout") or 0), 30.0)
        while True:
            with self._trava:
                fila = self._filas.setdefault(token, [])
                fila[:] = [u for u in fila if u["update_id"] >= offset]
                limite_lote = int(params.get("limit") or 100)
                prontos = [json.loads(json.dumps(u)) for u in fila[:limite_lote]]
            if prontos or self._parando or time.monotonic() >= limite:
                return prontos
            await asyncio.sleep(0.05)

    async def _m_sendMessage(self, token, params, arquivos):
        """A text message (Telegram's checks: non-empty, ≤ 4,096, keyboard data)."""
        texto = params.get("text") or ""
        if not texto.strip():
            raise _ErroApi("Bad Request: message text is empty")
        if len(texto.encode("utf-16-le")) // 2 > 4096:
            raise _ErroApi("Bad Request: message is too long")
        _checar_teclado(params.get("reply_markup"))
        return self._mensagem(params, text=texto)

    async def _m_sendDocument(self, token, params, arquivos):
        """A document upload (multipart); the bytes stay in the call record."""
        documento = arquivos.get("document")
        if not documento:
            raise _ErroApi("Bad Request: there is no document in the request")
        return self._mensagem(
            params,
            document={
                "file_id": f"doc-{next(self._ids_arquivo)}",
                "file_unique_id": "u",
                "file_name": documento["nome"],
                "file_size": len(documento["dados"]),
            },
        )

    async def _m_getFile(self, token, params, arquivos):
        """File info with the path to download it from."""
        with self._trava:
            arquivo = self._arquivos.get(params.get("file_id", ""))
        if arquivo is None:
            raise _ErroApi("Bad Request: invalid file_id")
        return {
            "file_id": params["file_id"],
            "file_unique_id": params["file_id"] + "-u",
            "file_size": arquivo["tamanho"],
            "file_path": arquivo["caminho"],
        }

    async def _m_answerCallbackQuery(self, token, params, arquivos):
        """Acknowledge a button tap."""
        return True

    async def _m_sendChatAction(self, token, params, arquivos):
        """A chat action ("typing"); only the known ones."""
        if params.get("action") not in {"typing", "upload_document", "upload_photo"}:
            raise _ErroApi("Bad Request: wrong parameter action in request")
        return True

    async def _m_setMyCommands(self, token, params, arquivos):
        """Remember the bot's "/" menu (Telegram's checks on names and descriptions)."""
        comandos = params.get("commands") or []
        for comando in comandos:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", comando.get("command", "")):
                raise _ErroApi("Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(comando.get("description", "")) <= 256:
                raise _ErroApi("Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        with self._trava:
            self.comandos[token] = list(comandos)
        return True

    async def _m_getMyCommands(self, token, params, arquivos):
        """The bot's "/" menu."""
        with self._trava:
            return list(self.comandos.get(token, []))

    async def _m_editMessageReplyMarkup(self, token, params, arquivos):
        """Change (or remove) a message's inline keyboard."""
        return self._mensagem(params, text="(editada)", message_id=int(params["message_id"]))

    def _mensagem(
        self, params: dict[str, Any], message_id: int | None = None, **conteudo: Any
    ) -> dict[str, Any]:
        """A Message object as the Bot API returns it."""
        if message_id is None:
            with self._trava:
                message_id = next(self._ids_mensagem)
        chat_id = int(params["chat_id"])
        return {
            "message_id": message_id,
            "date": int(time.time()),
            "from": dict(BOT_USER),
            "chat": {"id": chat_id, "type": "private", "first_name": "Teste"},
            **conteudo,
        }


class _ErroApi(Exception):
    """A Bot API error answer (400)."""


def _erro(codigo: int, descricao: str) -> web.Response:
    """An error answer of the Bot API."""
    return web.json_response(
        {"ok": False, "error_code": codigo, "description": descricao}, status=codigo
    )


def _checar_teclado(teclado: Any) -> None:
    """Reject what Telegram rejects in inline keyboards (callback_data over 64 bytes)."""
    if not teclado:
        return
    for linha in teclado.get("inline_keyboard", []):
        for botao in linha:
            if len(botao.get("callback_data", "").encode("utf-8")) > 64:
                raise _ErroApi("Bad Request: BUTTON_DATA_INVALID")


async def _ler_parametros(request: web.Request):
    """Parameters of a call (query, urlencoded, multipart or JSON) and uploaded files."""
    params: dict[str, Any] = dict(request.query)
    arquivos: dict[str, dict[str, Any]] = {}
    if request.method == "POST":
        if request.content_type == "application/json":
            params.update(await request.json())
        else:
            for chave, valor in (await request.post()).items():
                if isinstance(valor, web.FileField):
                    arquivos[chave] = {"nome": valor.filename, "dados": valor.file.read()}
                else:
                    params[chave] = valor
    for chave in JSON_FIELDS & params.keys():
        if isinstance(params[chave], str):
            params[chave] = json.loads(params[chave])
    # multipart uploads reference the file part by "attach://<name>"
    for chave, valor in list(params.items()):
        if isinstance(valor, str) and valor.startswith("attach://"):
            parte = valor[len("attach://") :]
            if parte in arquivos:
                arquivos[chave] = arquivos.pop(parte)
    return params, arquivos


# ----- update builders --------------------------------------------------------------------
def _usuario(chat_id: int) -> dict[str, Any]:
    """The Telegram user behind a private chat."""
    return {"id": chat_id, "is_bot": False, "first_name": "Teste", "language_code": "pt-br"}


def _base(chat_id: int, **conteudo: Any) -> dict[str, Any]:
    """An update carrying a new message in a private chat."""
    mensagem = {
        "message_id": int(time.time() * 1000) % 10**9,
        "date": int(time.time()),
        "chat": {"id": chat_id, "type": "private", "first_name": "Teste"},
        "from": _usuario(chat_id),
        **conteudo,
    }
    return {"message": mensagem}


def texto(chat_id: int, conteudo: str) -> dict[str, Any]:
    """An update with a text message (commands get their bot_command entity)."""
    update = _base(chat_id, text=conteudo)
    if conteudo.startswith("/"):
        tamanho = len(conteudo.split(maxsplit=1)[0])
        update["message"]["entities"] = [{"type": "bot_command", "offset": 0, "length": tamanho}]
    return update


def foto(chat_id: int, file_id: str, tamanho: int) -> dict[str, Any]:
    """An update with a photo (thumbnail and full size)."""
    tamanhos = [
        {
            "file_id": file_id + "-mini",
            "file_unique_id": "m",
            "width": 90,
            "height": 60,
            "file_size": 1000,
        },
        {
            "file_id": file_id,
            "file_unique_id": "g",
            "width": 1280,
            "height": 720,
            "file_size": tamanho,
        },
    ]
    return _base(chat_id, photo=tamanhos)


def documento(chat_id: int, file_id: str, nome: str, mime: str, tamanho: int) -> dict[str, Any]:
    """An update with a document."""
    return _base(
        chat_id,
        document={
            "file_id": file_id,
            "file_unique_id": file_id + "-u",
            "file_name": nome,
            "mime_type": mime,
            "file_size": tamanho,
        },
    )


def figurinha(chat_id: int) -> dict[str, Any]:
    """An update with a sticker."""
    return _base(
        chat_id,
        sticker={
            "file_id": "fig",
            "file_unique_id": "fig-u",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "type": "regular",
        },
    )


def toque(chat_id: int, message_id: int, dados: str) -> dict[str, Any]:
    """An update with a callback query (a tap on an inline button)."""
    return {
        "callback_query": {
            "id": f"cq-{message_id}-{time.monotonic_ns()}",
            "from": _usuario(chat_id),
            "chat_instance": f"ci-{chat_id}",
            "data": dados,
            "message": {
                "message_id": message_id,
                "date": int(time.time()),
                "text": "...",
                "chat": {"id": chat_id, "type": "private", "first_name": "Teste"},
                "from": dict(BOT_USER),
            },
        }
    }
