"""The "parar avisos" link of the notification e-mails, served by the web gateway.

``SEI_AVISOS_PARAR_URL`` is this route's public address (the panel is internal):
GET shows a page with one button (so a mail scanner that follows links stops
nothing), POST stops the notices of the request the signed token names; the
mail client's own one-click unsubscribe (RFC 8058) is that POST. Plain HTML,
every text escaped, no script (the gateway's CSP applies).
"""

from __future__ import annotations

import asyncio
import html
import logging
import re
from typing import cast

from aiohttp import web

from bot import content
from bot.channels.web.state import AVISOS_KEY, Avisos

logger = logging.getLogger(__name__)

_TOKEN = re.compile(r"^[A-Za-z0-9_.\-]{16,400}$")  # itsdangerous' URL-safe alphabet


def _texto(chave: str) -> str:
    return content.texto("canais", f"web_parar_{chave}")


def _pagina(corpo: str, status: int = 200) -> web.Response:
    documento = (
        '<!doctype html>\n<html lang="pt-BR"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(_texto('titulo'))}</title></head>"
        f"<body><main><h1>{html.escape(_texto('titulo'))}</h1>{corpo}</main></body></html>\n"
    )
    resposta = web.Response(text=documento, content_type="text/html", status=status)
    resposta.headers["Cache-Control"] = "no-store"
    return resposta


def _avisos(request: web.Request) -> Avisos | None:
    return cast("Avisos | None", request.app.get(AVISOS_KEY))


async def pagina_parar(request: web.Request) -> web.Response:
    """GET: what the link does, and the button that does it."""
    token = request.match_info["token"]
    if not _TOKEN.match(token) or _avisos(request) is None:
        return _pagina(f"<p>{html.escape(_texto('invalido'))}</p>", 404)
    corpo = (
        f"<p>{html.escape(_texto('explicacao'))}</p>"
        '<form method="post"><button type="submit">'
        f"{html.escape(_texto('botao'))}</button></form>"
    )
    return _pagina(corpo)


async def parar(request: web.Request) -> web.Response:
    """POST (the page's button, or the mail client's one-click): stop the notices."""
    token = request.match_info["token"]
    avisos = _avisos(request)
    if not _TOKEN.match(token) or avisos is None:
        return _pagina(f"<p>{html.escape(_texto('invalido'))}</p>", 404)
    try:
        texto = await asyncio.to_thread(avisos.parar_por_link, token)
    except Exception:
        logger.exception("parar avisos pelo link: banco indisponível")
        return _pagina(f"<p>{html.escape(_texto('falha'))}</p>", 503)
    return _pagina(f"<p>{html.escape(texto)}</p>")
