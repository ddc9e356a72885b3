"""The gateway's JSON API: messages, screenshot and planilha uploads, spreadsheet downloads."""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, cast

from aiohttp import BodyPartReader, web

from bot import content
from bot.channels import anexos, replies
from bot.channels.identidade import remetente
from bot.channels.rasa_client import RasaIndisponivel
from bot.channels.web.middleware import ErroPedido, resposta_json
from bot.channels.web.rendering import transformar
from bot.channels.web.state import (
    ANEXOS_KEY,
    AVISOS_KEY,
    CONFIG_KEY,
    EM_VOO_KEY,
    LIMITES_KEY,
    LINKS_KEY,
    RASA_KEY,
    REPETICOES_KEY,
    Avisos,
    OutraEmVoo,
)
from bot.solicitacoes.anexos import AnexoInvalido
from bot.solicitacoes.leitura import PlanilhaRecusada
from bot.solicitacoes.recebidas import PlanilhaRecebidaStore

logger = logging.getLogger(__name__)

CANAL = "web"
SESSAO_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
ID_MENSAGEM_RE = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
# identidade.Links tokens: payload (a leading "." when compressed), timestamp, signature
TOKEN_RE = re.compile(r"^\.?[A-Za-z0-9_-]{1,400}\.[A-Za-z0-9_-]{1,20}\.[A-Za-z0-9_-]{1,100}$")
LIMITE_TEXTO = 10 * 1024  # bytes of UTF-8 text in one message
LIMITE_CORPO_JSON = 8 * LIMITE_TEXTO  # JSON escapes may inflate the text
FOLGA_MULTIPART = 64 * 1024  # boundaries, headers and the small fields
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _texto(chave: str) -> str:
    """A web chat text of ``bot/content/canais.yml``."""
    return content.texto("canais", f"web_{chave}")


def _sender(app: web.Application, sessao: Any) -> str:
    """Validate the browser's session id and derive the Rasa sender from it."""
    if not isinstance(sessao, str) or not SESSAO_RE.match(sessao):
        raise ErroPedido(400, _texto("sessao"))
    return remetente(CANAL, sessao, app[CONFIG_KEY].segredo)


def _chave(sender: str, id_mensagem: Any) -> tuple[str, str] | None:
    """Key of a message for ``Repeticoes`` (None without a valid client message id)."""
    if isinstance(id_mensagem, str) and ID_MENSAGEM_RE.match(id_mensagem):
        return sender, id_mensagem
    return None


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
        logger.warning("Rasa indisponível (%s)", erro)
        raise ErroPedido(503, _texto("indisponivel")) from erro
    novidades = await _avisos(app, sender, mensagens)
    return novidades + transformar(mensagens, app[LINKS_KEY], sender)


async def _avisos(
    app: web.Application, sender: str, mensagens: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Tie a request just filed to this session; the news waiting for it (shown first).

    A failure only costs the notices: the conversation goes on.
    """
    avisos = cast("Avisos | None", app.get(AVISOS_KEY))
    if avisos is None:
        return []
    try:
        for mensagem in mensagens:
            protocolo = replies.protocolo_registrado(mensagem)
            if protocolo:
                await asyncio.to_thread(avisos.assinar, protocolo, "web", sender)
        textos = await asyncio.to_thread(avisos.pendentes_para, sender)
    except Exception:
        logger.exception("avisos do chat web indisponíveis agora")
        return []
    return [{"tipo": "texto", "texto": t} for t in textos]  # shown as the bot's messages


def endereco_do_cliente(request: web.Request, proxies: int) -> str:
    """The client's address: the socket's, or (behind ``proxies`` trusted reverse
    proxies) the one the outermost trusted proxy saw, from X-Forwarded-For."""
    if proxies > 0:
        vistos = [
            parte.strip()
            for cabecalho in request.headers.getall("X-Forwarded-For", [])
            for parte in cabecalho.split(",")
            if parte.strip()
        ]
        if len(vistos) >= proxies:
            return vistos[-proxies]
    return request.remote or "?"


async def limitar(request: web.Request, sender: str) -> None:
    """Refuse (429, "aguarde um instante") a session or address over its limit."""
    limites = request.app[LIMITES_KEY]
    endereco = endereco_do_cliente(request, request.app[CONFIG_KEY].proxies)
    # a message refused by one limit counts against neither: the session's flood
    # must not fill its address's limit (everyone behind one NAT), nor a full
    # address eat its sessions' own quota
    espera = await limites.sessao.consumir(sender)
    if espera <= 0:
        espera = await limites.endereco.consumir(endereco)
        if espera > 0:
            await limites.sessao.devolver(sender)
    if espera > 0:
        raise _aguarde(sender, espera)


def _aguarde(sender: str, espera: float) -> ErroPedido:
    """429 "aguarde N s", with Retry-After."""
    segundos = max(1, round(espera))
    logger.info("limite de mensagens: %s aguarda %d s", sender, segundos)
    return ErroPedido(
        429,
        content.texto("canais", "web_aguarde", segundos=segundos),
        {"Retry-After": str(segundos)},
    )


async def _uma_por_vez(
    request: web.Request,
    sender: str,
    chave: tuple[str, str] | None,
    enviar: Callable[[], Awaitable[list[dict[str, Any]]]],
) -> list[dict[str, Any]]:
    """Send a message to Rasa once (``Repeticoes``), within the limits, while the
    session has no other message in flight (``EmVoo``: else 429 at once); every
    attempt counts in the session's ``tentativas``, the refused ones too."""
    espera = await request.app[LIMITES_KEY].tentativas.consumir(sender)
    if espera > 0:
        raise _aguarde(sender, espera)
    try:
        with request.app[EM_VOO_KEY].ocupar(sender, chave):
            await limitar(request, sender)
            return cast(
                "list[dict[str, Any]]", await request.app[REPETICOES_KEY].executar(chave, enviar)
            )
    except OutraEmVoo:
        logger.info("mensagem de %s antes da resposta à anterior", sender)
        raise ErroPedido(429, _texto("em_voo"), {"Retry-After": "1"}) from None


async def api_mensagem(request: web.Request) -> web.Response:
    """POST {sessao, texto[, id]} -> {respostas}."""
    if request.content_type != "application/json":
        raise ErroPedido(415, _texto("json"))
    if request.content_length is not None and request.content_length > LIMITE_CORPO_JSON:
        raise ErroPedido(413, _texto("longa"))
    corpo = await _ler_limitado(request.content, LIMITE_CORPO_JSON, _texto("longa"))
    try:
        dados = json.loads(corpo)
    except ValueError:
        raise ErroPedido(400, _texto("json")) from None
    if not isinstance(dados, dict):
        raise ErroPedido(400, _texto("json"))
    sender = _sender(request.app, dados.get("sessao"))
    texto = dados.get("texto")
    if not isinstance(texto, str):
        raise ErroPedido(400, _texto("json"))
    if len(texto.encode("utf-8", "surrogatepass")) > LIMITE_TEXTO:
        raise ErroPedido(413, _texto("longa"))
    if not texto.strip():
        raise ErroPedido(400, _texto("vazia"))
    chave = _chave(sender, dados.get("id"))
    respostas = await _uma_por_vez(
        request, sender, chave, lambda: _conversar(request.app, sender, texto)
    )
    return resposta_json({"respostas": respostas})


async def _ler_multipart(
    request: web.Request,
    limite: int = anexos.LIMITE_ANEXO,
    grande: str | None = None,
    faltando: str | None = None,
) -> tuple[dict[str, str], tuple[bytes, str] | None]:
    """Small text fields and the one file of an upload, limits enforced while reading."""
    grande = grande or _texto("anexo_grande")
    faltando = faltando or _texto("anexo_faltando")
    campos: dict[str, str] = {}
    arquivo: tuple[bytes, str] | None = None
    try:
        leitor = await request.multipart()
        while True:
            parte = await leitor.next()
            if parte is None:
                break
            if not isinstance(parte, BodyPartReader):
                raise ErroPedido(400, faltando)
            if parte.filename is not None and parte.name == "arquivo" and arquivo is None:
                dados = await _ler_limitado(parte, limite, grande)
                arquivo = (dados, Path(parte.filename).name[:120])
            elif parte.name in ("sessao", "id") and parte.name not in campos:
                valor = await _ler_limitado(parte, 200, _texto("sessao"))
                campos[parte.name] = valor.decode("utf-8", "replace")
            else:
                await _ler_limitado(parte, FOLGA_MULTIPART, grande)
    except (ValueError, AssertionError, KeyError) as erro:
        raise ErroPedido(400, faltando) from erro
    return campos, arquivo


async def api_avisos(request: web.Request) -> web.Response:
    """POST {sessao} -> {respostas}: the news waiting for this session (widget opened)."""
    if request.content_type != "application/json":
        raise ErroPedido(415, _texto("json"))
    corpo = await _ler_limitado(request.content, LIMITE_CORPO_JSON, _texto("longa"))
    try:
        dados = json.loads(corpo)
    except ValueError:
        raise ErroPedido(400, _texto("json")) from None
    if not isinstance(dados, dict):
        raise ErroPedido(400, _texto("json"))
    sender = _sender(request.app, dados.get("sessao"))
    await limitar(request, sender)
    return resposta_json({"respostas": await _avisos(request.app, sender, [])})


async def api_anexo(request: web.Request) -> web.Response:
    """POST multipart (sessao, arquivo[, id]): store the screenshot, tell the form."""
    if not request.content_type.startswith("multipart/"):
        raise ErroPedido(415, _texto("anexo_faltando"))
    if (
        request.content_length is not None
        and request.content_length > anexos.LIMITE_ANEXO + FOLGA_MULTIPART
    ):
        raise ErroPedido(413, _texto("anexo_grande"))
    campos, arquivo = await _ler_multipart(request)
    sender = _sender(request.app, campos.get("sessao"))
    if arquivo is None:
        raise ErroPedido(400, _texto("anexo_faltando"))
    dados, nome = arquivo

    async def enviar() -> list[dict[str, Any]]:
        try:
            ref = request.app[ANEXOS_KEY].salvar(dados, sender, nome)
        except AnexoInvalido as erro:
            raise ErroPedido(400, str(erro)) from None
        return await _conversar(request.app, sender, *anexos.mensagem_com_anexo(ref))

    respostas = await _uma_por_vez(request, sender, _chave(sender, campos.get("id")), enviar)
    return resposta_json({"respostas": respostas})


async def api_planilha(request: web.Request) -> web.Response:
    """POST multipart (sessao, arquivo[, id]): store a filled planilha, have it checked."""
    mb = f"{anexos.LIMITE_PLANILHA / (1024 * 1024):.0f}"
    grande = anexos.texto_planilha("canal_planilha_grande", mb=mb)
    faltando = anexos.texto_planilha("canal_planilha_faltando")
    if not request.content_type.startswith("multipart/"):
        raise ErroPedido(415, faltando)
    if (
        request.content_length is not None
        and request.content_length > anexos.LIMITE_PLANILHA + FOLGA_MULTIPART
    ):
        raise ErroPedido(413, grande)
    campos, arquivo = await _ler_multipart(request, anexos.LIMITE_PLANILHA, grande, faltando)
    sender = _sender(request.app, campos.get("sessao"))
    if arquivo is None:
        raise ErroPedido(400, faltando)
    dados = arquivo[0]
    store = PlanilhaRecebidaStore.junto_dos_anexos(request.app[CONFIG_KEY].anexos_dir)

    async def enviar() -> list[dict[str, Any]]:
        try:
            ref = await asyncio.to_thread(store.salvar, dados, sender)
        except PlanilhaRecusada as erro:
            raise ErroPedido(400, str(erro)) from None
        return await _conversar(request.app, sender, *anexos.mensagem_com_planilha(ref))

    respostas = await _uma_por_vez(request, sender, _chave(sender, campos.get("id")), enviar)
    return resposta_json({"respostas": respostas})


def _planilha(app: web.Application, token: str, sessao: str | None) -> Path | None:
    """The spreadsheet a token grants to this session, or None."""
    if not sessao or not SESSAO_RE.match(sessao) or not TOKEN_RE.match(token):
        return None
    sender = remetente(CANAL, sessao, app[CONFIG_KEY].segredo)
    nome = app[LINKS_KEY].verificar(token, sender)
    return replies.planilha_segura(app[CONFIG_KEY].planilhas_dir, nome)


async def api_download(request: web.Request) -> web.StreamResponse:
    """GET a spreadsheet: token + X-Sei-Sessao of the conversation it was issued to."""
    caminho = _planilha(
        request.app, request.match_info["token"], request.headers.get("X-Sei-Sessao")
    )
    if caminho is None:
        raise ErroPedido(404, _texto("download"))
    return web.FileResponse(
        caminho,
        headers={
            "Content-Type": XLSX,
            "Content-Disposition": f'attachment; filename="{caminho.name}"',
            "Cache-Control": "no-store",
        },
    )
