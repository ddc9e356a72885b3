"""What every gateway response gets: Portuguese JSON errors, security headers, one log line."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from bot import content
from bot.channels.web.state import CSP_KEY

logger = logging.getLogger(__name__)

TIPOS_TEXTO = (
    "text/html",
    "text/css",
    "application/javascript",
    "text/javascript",
    "image/svg+xml",
)


class ErroPedido(Exception):
    """A request the gateway refuses; ``status`` and a Portuguese message."""

    def __init__(
        self, status: int, mensagem: str, cabecalhos: dict[str, str] | None = None
    ) -> None:
        super().__init__(mensagem)
        self.status = status
        self.mensagem = mensagem
        self.cabecalhos = cabecalhos or {}


def _texto(chave: str) -> str:
    """A web chat text of ``bot/content/canais.yml``."""
    return content.texto("canais", f"web_{chave}")


def resposta_json(dados: dict[str, Any], status: int = 200) -> web.Response:
    """A JSON response that is never cached."""
    resposta = web.json_response(
        dados, status=status, dumps=lambda d: json.dumps(d, ensure_ascii=False)
    )
    resposta.headers["Cache-Control"] = "no-store"
    return resposta


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


async def cabecalhos_de_seguranca(request: web.Request, resposta: web.StreamResponse) -> None:
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
        resposta_erro = resposta_json({"erro": erro.mensagem}, status=erro.status)
        resposta_erro.headers.update(erro.cabecalhos)
        return resposta_erro
    except web.HTTPException as erro:
        status = erro.status
        if request.path.startswith("/api/") or erro.status == 404:
            if erro.status == 404:
                mensagem = _texto("nao_encontrado")
            else:
                mensagem = erro.reason or _texto("erro_http")
            return resposta_json({"erro": mensagem}, status=erro.status)
        raise
    except Exception:
        logger.exception("erro inesperado em %s", _rota(request))
        return resposta_json({"erro": _texto("erro_interno")}, status=500)
    finally:
        logger.info(
            "%s %s %d %.0f ms",
            request.method,
            _rota(request),
            status,
            (time.monotonic() - inicio) * 1000,
        )
