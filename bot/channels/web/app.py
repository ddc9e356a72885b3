"""Web chat gateway: the demo page, the widget's files and its JSON API.

``python -m bot.channels.web.app`` serves, on 127.0.0.1:``web_port``:

- ``/``                 the demo page (styled like the SESAU SEI page);
- ``/static/...``       the widget (``sei-widget.js`` + ``.css``) and the page's
                        CSS; every asset is local (system fonts, inline SVG icons);
- ``POST /api/mensagem`` ``{sessao, texto[, id]}`` -> Rasa -> ``{respostas: [...]}``;
- ``POST /api/anexo``    multipart ``sessao``, ``arquivo`` (+ ``id``): a screenshot
                        for an error report, stored with ``AnexoStore`` and handed
                        to the form as message metadata ``{"anexo": ref}``;
- ``GET /api/download/<token>`` with header ``X-Sei-Sessao``: a request's
                        spreadsheet, only for the conversation the token was
                        issued to, only ``NTS-AAAA-NNNNNN.xlsx`` in ``planilhas_dir``.

Why REST through this same-origin gateway rather than Rasa's socket.io channel:

- no client library: the widget is one vanilla JS file using ``fetch``; a
  socket.io client would be an extra dependency to vendor and keep updated;
- uploads and downloads need a server anyway (size limits while reading,
  content checks, signed conversation-bound download links), and Rasa itself
  stays on loopback, never exposed to browsers;
- stateless request/response: a dropped connection, a sleeping laptop or a
  gateway restart loses nothing; the widget simply retries (messages carry
  an id, so a retried message is answered once), no socket to re-establish;
- same origin means a strict CSP (``connect-src 'self'``), no CORS. To embed
  the widget in the SESAU site, publish this gateway under that site's origin
  (reverse proxy, e.g. ``/assistente-sei/``) and point ``data-servidor`` there;
  the demo page uses relative URLs, so a path prefix works.

Privacy: the browser's session id is never sent to Rasa (the sender is an
HMAC of it, ``identidade.remetente``); logs carry method, route template,
status and time only: no message text, session ids, tokens or file names.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from aiohttp import BodyPartReader, web

from bot.channels.identidade import Links, carregar_segredo, remetente
from bot.channels.rasa_client import RasaClient, RasaIndisponivel
from bot.solicitacoes.anexos import AnexoInvalido, AnexoStore
from bot.solicitacoes.protocolo import protocolo_da_planilha

log = logging.getLogger("sei.web")

STATIC_DIR = Path(__file__).resolve().parent / "static"
CANAL = "web"
SESSAO_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
ID_MENSAGEM_RE = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{1,400}\.[A-Za-z0-9_-]{1,100}$")
LIMITE_TEXTO = 10 * 1024  # bytes of UTF-8 text in one message
LIMITE_CORPO_JSON = 8 * LIMITE_TEXTO  # JSON escapes may inflate the text
LIMITE_ANEXO = 10 * 1024 * 1024
FOLGA_MULTIPART = 64 * 1024  # boundaries, headers and the small fields
TEXTO_ANEXO = "[captura de tela enviada]"
TIPOS_TEXTO = (
    "text/html",
    "text/css",
    "application/javascript",
    "text/javascript",
    "image/svg+xml",
)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

MSG_INDISPONIVEL = (
    "O assistente está temporariamente indisponível. Tente de novo em "
    "instantes; se continuar, ligue para o SESAU NTS: 3315-1101 ou 3315-1128."
)
MSG_SESSAO = "Sessão inválida. Recarregue a página para começar uma nova conversa."
MSG_VAZIA = "Digite uma mensagem."
MSG_LONGA = "A mensagem é muito longa (máximo de 10 KB). Resuma ou divida em partes."
MSG_JSON = "Pedido inválido: envie JSON com os campos sessao e texto."
MSG_ANEXO_GRANDE = (
    "A imagem passa de 10 MB. Recorte só a parte da tela com o erro ou salve "
    "em JPEG e envie de novo."
)
MSG_ANEXO_FALTANDO = "Nenhum arquivo recebido. Escolha uma imagem PNG ou JPEG de até 10 MB."
MSG_DOWNLOAD = (
    "Arquivo não encontrado ou link expirado. Se precisar da planilha de novo, "
    "fale com o SESAU NTS: 3315-1101 ou 3315-1128."
)
MSG_NAO_ENCONTRADO = "Endereço não encontrado."
MSG_ERRO_INTERNO = "Erro inesperado no servidor. Tente de novo em instantes."


class Rasa(Protocol):
    """What the gateway needs from the Rasa client (a fake in unit tests)."""

    async def enviar(
        self, remetente: str, texto: str, metadata: dict[str, Any] | None = None
    ) -> list[dict[str, Any]]: ...

    async def close(self) -> None: ...


class ErroPedido(Exception):
    """A request the gateway refuses; ``status`` and a Portuguese message."""

    def __init__(self, status: int, mensagem: str) -> None:
        super().__init__(mensagem)
        self.status = status
        self.mensagem = mensagem


@dataclass(frozen=True)
class Config:
    """What the gateway needs, independent of where it comes from."""

    segredo: bytes
    planilhas_dir: Path
    anexos_dir: Path
    download_ttl_s: int = 24 * 3600
    frame_ancestors: str = "'self'"


# ------------------------------------------------------------------ replies


class Repeticoes:
    """Answers a retried message (same session + id) once.

    The widget retries when the network blips; the first attempt may have
    reached Rasa already. An in-flight or recent answer is reused instead of
    sending the message to Rasa twice. Failures are not kept, so a retry
    after Rasa comes back is really sent.
    """

    def __init__(self, validade_s: float = 300.0, maximo: int = 2000) -> None:
        self.validade_s = validade_s
        self.maximo = maximo
        self._itens: dict[tuple[str, str], tuple[float, asyncio.Future[Any]]] = {}

    async def executar(
        self, chave: tuple[str, str] | None, fabrica: Callable[[], Awaitable[Any]]
    ) -> Any:
        """Run ``fabrica()`` once per ``chave`` (None: always run)."""
        if chave is None:
            return await fabrica()
        self._limpar()
        existente = self._itens.get(chave)
        if existente is None:
            tarefa = asyncio.ensure_future(fabrica())
            self._itens[chave] = (time.monotonic(), tarefa)
            tarefa.add_done_callback(lambda t: self._esquecer_falha(chave, t))
        else:
            tarefa = existente[1]
        # shield: a client that disconnects does not cancel the work its retry will reuse
        return await asyncio.shield(tarefa)

    def _esquecer_falha(self, chave: tuple[str, str], tarefa: asyncio.Future[Any]) -> None:
        """A failed attempt is forgotten, so the next retry runs again."""
        if tarefa.cancelled() or tarefa.exception() is not None:
            atual = self._itens.get(chave)
            if atual is not None and atual[1] is tarefa:
                del self._itens[chave]

    def _limpar(self) -> None:
        """Drop expired entries and, past the maximum, the oldest ones."""
        agora = time.monotonic()
        for chave, (quando, tarefa) in list(self._itens.items()):
            if agora - quando > self.validade_s and tarefa.done():
                del self._itens[chave]
        while len(self._itens) > self.maximo:
            del self._itens[next(iter(self._itens))]


def _botoes(mensagem: dict[str, Any]) -> list[dict[str, str]]:
    """The buttons of a Rasa message as {titulo, payload}, well-formed only."""
    botoes = []
    for botao in mensagem.get("buttons") or []:
        if not isinstance(botao, dict):
            continue
        titulo, payload = botao.get("title"), botao.get("payload")
        if isinstance(titulo, str) and isinstance(payload, str) and titulo and payload:
            botoes.append({"titulo": titulo[:200], "payload": payload[:1000]})
    return botoes


def transformar(mensagens: list[dict[str, Any]], links: Links, sender: str) -> list[dict[str, Any]]:
    """Rasa REST replies -> what the widget renders (text, buttons, spreadsheet)."""
    respostas: list[dict[str, Any]] = []
    for mensagem in mensagens:
        texto = mensagem.get("text")
        botoes = _botoes(mensagem)
        if (isinstance(texto, str) and texto) or botoes:
            item: dict[str, Any] = {
                "tipo": "texto",
                "texto": texto if isinstance(texto, str) else "",
            }
            if botoes:
                item["botoes"] = botoes
            respostas.append(item)
        custom = mensagem.get("custom")
        if isinstance(custom, dict) and custom.get("tipo") == "planilha":
            arquivo = custom.get("arquivo")
            if protocolo_da_planilha(arquivo):
                respostas.append(
                    {
                        "tipo": "planilha",
                        "protocolo": str(custom.get("protocolo") or arquivo[:-5]),
                        "arquivo": arquivo,
                        "url": f"api/download/{links.emitir(arquivo, sender)}",
                    }
                )
    return respostas


# ------------------------------------------------------------------ helpers

CONFIG_KEY = web.AppKey("config", Config)
RASA_KEY = web.AppKey("rasa", Rasa)
LINKS_KEY = web.AppKey("links", Links)
ANEXOS_KEY = web.AppKey("anexos", AnexoStore)
REPETICOES_KEY = web.AppKey("repeticoes", Repeticoes)
CSP_KEY = web.AppKey("csp", str)


def _json(dados: dict[str, Any], status: int = 200) -> web.Response:
    """A JSON response that is never cached."""
    resposta = web.json_response(
        dados, status=status, dumps=lambda d: json.dumps(d, ensure_ascii=False)
    )
    resposta.headers["Cache-Control"] = "no-store"
    return resposta


def _sender(app: web.Application, sessao: Any) -> str:
    """Validate the browser's session id and derive the Rasa sender from it."""
    if not isinstance(sessao, str) or not SESSAO_RE.match(sessao):
        raise ErroPedido(400, MSG_SESSAO)
    return remetente(CANAL, sessao, app[CONFIG_KEY].segredo)


def _id_mensagem(valor: Any) -> str | None:
    """The optional client message id (for retries), if well-formed."""
    return valor if isinstance(valor, str) and ID_MENSAGEM_RE.match(valor) else None


def _chave(sender: str, id_mensagem: Any) -> tuple[str, str] | None:
    """Key of a message for ``Repeticoes`` (None without a valid id)."""
    valido = _id_mensagem(id_mensagem)
    return (sender, valido) if valido else None


async def _ler_limitado(leitor: Any, limite: int, mensagem: str) -> bytes:
    """Read a stream (request body or multipart part) refusing more than ``limite``."""
    partes: list[bytes] = []
    total = 0
    while True:
        pedaco = await (
            leitor.read_chunk(64 * 1024)
            if hasattr(leitor, "read_chunk")
            else leitor.read(64 * 1024)
        )
        if not pedaco:
            return b"".join(partes)
        total += len(pedaco)
        if total > limite:
            raise ErroPedido(413, mensagem)
        partes.append(pedaco)


async def _conversar(
    app: web.Application, sender: str, texto: str, metadata: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """One message to Rasa; the replies ready for the widget."""
    try:
        mensagens = await app[RASA_KEY].enviar(sender, texto, metadata)
    except RasaIndisponivel as erro:
        log.warning("Rasa indisponível (%s)", erro)
        raise ErroPedido(503, MSG_INDISPONIVEL) from erro
    return transformar(mensagens, app[LINKS_KEY], sender)


# ------------------------------------------------------------------ handlers


async def pagina(request: web.Request) -> web.FileResponse:
    """The demo page."""
    return web.FileResponse(STATIC_DIR / "index.html")


async def favicon(request: web.Request) -> web.Response:
    """No favicon file: answer without a 404 in the logs."""
    return web.Response(status=204)


async def api_mensagem(request: web.Request) -> web.Response:
    """POST {sessao, texto[, id]} -> {respostas}."""
    if request.content_type != "application/json":
        raise ErroPedido(415, MSG_JSON)
    if request.content_length is not None and request.content_length > LIMITE_CORPO_JSON:
        raise ErroPedido(413, MSG_LONGA)
    corpo = await _ler_limitado(request.content, LIMITE_CORPO_JSON, MSG_LONGA)
    try:
        dados = json.loads(corpo)
    except ValueError:
        raise ErroPedido(400, MSG_JSON) from None
    if not isinstance(dados, dict):
        raise ErroPedido(400, MSG_JSON)
    sender = _sender(request.app, dados.get("sessao"))
    texto = dados.get("texto")
    if not isinstance(texto, str):
        raise ErroPedido(400, MSG_JSON)
    if len(texto.encode("utf-8", "surrogatepass")) > LIMITE_TEXTO:
        raise ErroPedido(413, MSG_LONGA)
    if not texto.strip():
        raise ErroPedido(400, MSG_VAZIA)
    chave = _chave(sender, dados.get("id"))
    respostas = await request.app[REPETICOES_KEY].executar(
        chave, lambda: _conversar(request.app, sender, texto)
    )
    return _json({"respostas": respostas})


async def _ler_multipart(
    request: web.Request,
) -> tuple[dict[str, str], tuple[bytes, str] | None]:
    """Small text fields and the one file of an upload, limits enforced while reading."""
    campos: dict[str, str] = {}
    arquivo: tuple[bytes, str] | None = None
    try:
        leitor = await request.multipart()
        while True:
            parte = await leitor.next()
            if parte is None:
                break
            if not isinstance(parte, BodyPartReader):
                raise ErroPedido(400, MSG_ANEXO_FALTANDO)
            if parte.filename is not None and parte.name == "arquivo" and arquivo is None:
                dados = await _ler_limitado(parte, LIMITE_ANEXO, MSG_ANEXO_GRANDE)
                arquivo = (dados, Path(parte.filename).name[:120])
            elif parte.name in ("sessao", "id") and parte.name not in campos:
                valor = await _ler_limitado(parte, 200, MSG_SESSAO)
                campos[parte.name] = valor.decode("utf-8", "replace")
            else:
                await _ler_limitado(parte, FOLGA_MULTIPART, MSG_ANEXO_GRANDE)
    except (ValueError, AssertionError, KeyError) as erro:
        raise ErroPedido(400, MSG_ANEXO_FALTANDO) from erro
    return campos, arquivo


async def api_anexo(request: web.Request) -> web.Response:
    """POST multipart (sessao, arquivo[, id]): store the screenshot, tell the form."""
    if not request.content_type.startswith("multipart/"):
        raise ErroPedido(415, MSG_ANEXO_FALTANDO)
    if (
        request.content_length is not None
        and request.content_length > LIMITE_ANEXO + FOLGA_MULTIPART
    ):
        raise ErroPedido(413, MSG_ANEXO_GRANDE)
    campos, arquivo = await _ler_multipart(request)
    sender = _sender(request.app, campos.get("sessao"))
    if arquivo is None:
        raise ErroPedido(400, MSG_ANEXO_FALTANDO)

    async def enviar() -> list[dict[str, Any]]:
        try:
            ref = request.app[ANEXOS_KEY].salvar(arquivo[0], sender, arquivo[1])
        except AnexoInvalido as erro:
            raise ErroPedido(400, str(erro)) from None
        return await _conversar(request.app, sender, TEXTO_ANEXO, {"anexo": ref})

    respostas = await request.app[REPETICOES_KEY].executar(_chave(sender, campos.get("id")), enviar)
    return _json({"respostas": respostas})


def _planilha(app: web.Application, token: str, sessao: str | None) -> Path | None:
    """The spreadsheet a token grants to this session, or None."""
    if not sessao or not SESSAO_RE.match(sessao) or not TOKEN_RE.match(token):
        return None
    sender = remetente(CANAL, sessao, app[CONFIG_KEY].segredo)
    nome = app[LINKS_KEY].verificar(token, sender)
    if not protocolo_da_planilha(nome):
        return None
    pasta = app[CONFIG_KEY].planilhas_dir.resolve()
    caminho = (pasta / nome).resolve()
    if caminho.parent != pasta or not caminho.is_file():
        return None
    return caminho


async def api_download(request: web.Request) -> web.StreamResponse:
    """GET a spreadsheet: token + X-Sei-Sessao of the conversation it was issued to."""
    caminho = _planilha(
        request.app, request.match_info["token"], request.headers.get("X-Sei-Sessao")
    )
    if caminho is None:
        raise ErroPedido(404, MSG_DOWNLOAD)
    resposta = web.FileResponse(
        caminho,
        headers={
            "Content-Type": XLSX,
            "Content-Disposition": f'attachment; filename="{caminho.name}"',
            "Cache-Control": "no-store",
        },
    )
    return resposta


# ------------------------------------------------------------------ middleware


def politica_seguranca(frame_ancestors: str) -> str:
    """The Content-Security-Policy of every response."""
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' blob: data:",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            f"frame-ancestors {frame_ancestors}",
        ]
    )


async def _cabecalhos(request: web.Request, resposta: web.StreamResponse) -> None:
    """Security headers on every response (pages, files, API, errors)."""
    cabecalhos = resposta.headers
    cabecalhos["Content-Security-Policy"] = request.app[CSP_KEY]
    cabecalhos["X-Content-Type-Options"] = "nosniff"
    cabecalhos["Referrer-Policy"] = "no-referrer"
    cabecalhos["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    cabecalhos.setdefault("Cache-Control", "no-cache")
    tipo = cabecalhos.get("Content-Type", "")
    if tipo in TIPOS_TEXTO:  # our files are UTF-8, whatever the embedding page uses
        cabecalhos["Content-Type"] = f"{tipo}; charset=utf-8"


def _rota(request: web.Request) -> str:
    """The route template (never the token or other path data) for the logs."""
    info = request.match_info
    recurso = info.route.resource if info is not None and info.route is not None else None
    return recurso.canonical if recurso is not None else "?"


@web.middleware
async def erros_e_registro(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """Portuguese JSON errors for the API; one log line per request, no content."""
    inicio = time.monotonic()
    status = 500
    try:
        resposta = await handler(request)
        status = resposta.status
        return resposta
    except ErroPedido as erro:
        status = erro.status
        return _json({"erro": erro.mensagem}, status=erro.status)
    except web.HTTPException as erro:
        status = erro.status
        if request.path.startswith("/api/") or erro.status == 404:
            mensagem = MSG_NAO_ENCONTRADO if erro.status == 404 else (erro.reason or "Erro")
            return _json({"erro": mensagem}, status=erro.status)
        raise
    except Exception:
        log.exception("erro inesperado em %s", _rota(request))
        return _json({"erro": MSG_ERRO_INTERNO}, status=500)
    finally:
        log.info(
            "%s %s %d %.0f ms",
            request.method,
            _rota(request),
            status,
            (time.monotonic() - inicio) * 1000,
        )


# ------------------------------------------------------------------ app


def criar_app(config: Config, rasa: Rasa) -> web.Application:
    """The gateway application (``rasa`` is closed on cleanup)."""
    app = web.Application(
        middlewares=[erros_e_registro], client_max_size=LIMITE_ANEXO + FOLGA_MULTIPART
    )
    app[CONFIG_KEY] = config
    app[RASA_KEY] = rasa
    app[LINKS_KEY] = Links(config.segredo, config.download_ttl_s)
    app[ANEXOS_KEY] = AnexoStore(config.anexos_dir)
    app[REPETICOES_KEY] = Repeticoes()
    app[CSP_KEY] = politica_seguranca(config.frame_ancestors)
    app.on_response_prepare.append(_cabecalhos)

    async def fechar(_app: web.Application) -> None:
        await rasa.close()

    app.on_cleanup.append(fechar)
    app.router.add_get("/", pagina)
    app.router.add_get("/favicon.ico", favicon)
    app.router.add_static("/static/", STATIC_DIR, follow_symlinks=False)
    app.router.add_post("/api/mensagem", api_mensagem)
    app.router.add_post("/api/anexo", api_anexo)
    app.router.add_get("/api/download/{token}", api_download)
    return app


def _segredo(caminho: Path) -> bytes:
    """The channels' secret; tolerate another channel creating it at the same time."""
    for _ in range(20):
        try:
            return carregar_segredo(caminho)
        except FileExistsError:  # created meanwhile by the Telegram adapter
            time.sleep(0.1)
    return carregar_segredo(caminho)


def main(argv: list[str] | None = None) -> int:
    """Serve the web chat on 127.0.0.1:web_port until SIGINT/SIGTERM."""
    from bot import settings as settings_module

    cfg = settings_module.load()
    logging.basicConfig(
        level=cfg.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    segredo_arquivo = cfg.sender_secret_file or cfg.var_dir / "segredo-remetente"
    config = Config(
        segredo=_segredo(segredo_arquivo),
        planilhas_dir=cfg.planilhas_dir,
        anexos_dir=cfg.anexos_dir,
        download_ttl_s=cfg.download_ttl_s,
        frame_ancestors=cfg.web_frame_ancestors,
    )
    app = criar_app(config, RasaClient(cfg.rasa_url))
    endereco = f"http://127.0.0.1:{cfg.web_port}/"
    web.run_app(
        app,
        host="127.0.0.1",
        port=cfg.web_port,
        access_log=None,
        print=lambda _texto: print(f"Chat web do SEI pronto: {endereco}", flush=True),
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
