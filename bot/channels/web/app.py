"""Web chat gateway: the demo page, the widget's files and its JSON API.

``python -m bot.channels.web.app`` serves, on ``SEI_HOST``:``SEI_WEB_PORT``:

- ``/``                 the demo page (styled like the SESAU SEI page);
- ``/static/...``       the widget (``sei-widget.js`` + ``.css``) and the page's
                        CSS; every asset is local (system fonts, inline SVG icons);
- ``POST /api/mensagem`` ``{sessao, texto[, id]}`` -> Rasa -> ``{respostas: [...]}``;
- ``POST /api/anexo``    multipart ``sessao``, ``arquivo`` (+ ``id``): a screenshot
                        for an error report, stored with ``AnexoStore`` and handed
                        to the form as message metadata ``{"anexo": ref}``;
- ``POST /api/planilha`` multipart ``sessao``, ``arquivo`` (+ ``id``): a filled
                        planilha (at most 5 MB), stored with ``PlanilhaRecebidaStore``
                        and handed to the check as ``/enviar_planilha`` + ``{"planilha": ref}``;
- ``GET /api/download/<token>`` with header ``X-Sei-Sessao``: a request's
                        spreadsheet, only for the conversation the token was
                        issued to, only well-named files in ``planilhas_dir``
                        (``bot.solicitacoes.nomes_planilhas``).

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

import logging
import sys
import time
from pathlib import Path

from aiohttp import web

from bot import content
from bot import settings as configuracao
from bot.arquivos import carregar_segredo
from bot.channels import anexos
from bot.channels.identidade import Links
from bot.channels.rasa_client import RasaClient
from bot.channels.web import parada
from bot.channels.web.handlers import (
    FOLGA_MULTIPART,
    api_anexo,
    api_avisos,
    api_download,
    api_mensagem,
    api_planilha,
)
from bot.channels.web.middleware import (
    cabecalhos_de_seguranca,
    erros_e_registro,
    politica_seguranca,
)
from bot.channels.web.rendering import transformar
from bot.channels.web.state import (
    ANEXOS_KEY,
    AVISOS_KEY,
    CONFIG_KEY,
    CSP_KEY,
    EM_VOO_KEY,
    LIMITES_KEY,
    LINKS_KEY,
    RASA_KEY,
    REPETICOES_KEY,
    Avisos,
    Config,
    EmVoo,
    Limites,
    Rasa,
    Repeticoes,
)
from bot.limites import Limitador, ler_regras
from bot.solicitacoes.anexos import AnexoStore

# transformar, STATIC_DIR: also imported from here by tests/ops/test_injecao.py
__all__ = ["STATIC_DIR", "Config", "criar_app", "main", "transformar"]

STATIC_DIR = Path(__file__).resolve().parent / "static"

logger = logging.getLogger(__name__)


async def pagina(_request: web.Request) -> web.FileResponse:
    """The demo page."""
    return web.FileResponse(STATIC_DIR / "index.html")


async def favicon(_request: web.Request) -> web.Response:
    """No favicon file: answer without a 404 in the logs."""
    return web.Response(status=204)


def criar_app(config: Config, rasa: Rasa, avisos: Avisos | None = None) -> web.Application:
    """The gateway application (``rasa`` is closed on cleanup); ``avisos``: the
    notifications (a filed request's news shown on the session's next message)."""
    app = web.Application(
        middlewares=[erros_e_registro], client_max_size=anexos.LIMITE_ANEXO + FOLGA_MULTIPART
    )
    app[CONFIG_KEY] = config
    app[AVISOS_KEY] = avisos
    app[RASA_KEY] = rasa
    app[LINKS_KEY] = Links(config.segredo, config.download_ttl_s)
    app[ANEXOS_KEY] = AnexoStore(config.anexos_dir)
    app[REPETICOES_KEY] = Repeticoes()
    app[EM_VOO_KEY] = EmVoo()
    app[CSP_KEY] = politica_seguranca(config.frame_ancestors)
    redis = None
    if config.redis_url:
        from redis import asyncio as redis_asyncio  # production profile only

        redis = redis_asyncio.from_url(config.redis_url, socket_timeout=0.5)
    app[LIMITES_KEY] = Limites(
        sessao=Limitador(
            "web-sessao", ler_regras(config.limite_sessao), redis, config.redis_prefixo
        ),
        endereco=Limitador(
            "web-endereco", ler_regras(config.limite_endereco), redis, config.redis_prefixo
        ),
        tentativas=Limitador(
            "web-tentativas",
            ler_regras(config.limite_tentativas),
            redis,
            config.redis_prefixo,
            contar_recusadas=True,
        ),
    )
    # aiohttp 3.9 types its signals for aiosignal < 1.4: a false positive
    app.on_response_prepare.append(cabecalhos_de_seguranca)  # type: ignore[arg-type]

    async def fechar(_app: web.Application) -> None:
        await rasa.close()
        if redis is not None:
            await redis.close()

    app.on_cleanup.append(fechar)  # type: ignore[arg-type]
    app.router.add_get("/", pagina)
    app.router.add_get("/favicon.ico", favicon)
    app.router.add_static("/static/", STATIC_DIR, follow_symlinks=False)
    app.router.add_post("/api/mensagem", api_mensagem)
    app.router.add_post("/api/anexo", api_anexo)
    app.router.add_post("/api/avisos", api_avisos)
    app.router.add_post("/api/planilha", api_planilha)
    app.router.add_get("/api/download/{token}", api_download)
    app.router.add_get("/avisos/parar/{token}", parada.pagina_parar)
    app.router.add_post("/avisos/parar/{token}", parada.parar)
    return app


def _segredo(caminho: Path) -> bytes:
    """The channels' secret; tolerate another channel creating it at the same time."""
    for _ in range(20):
        try:
            return carregar_segredo(caminho)
        except FileExistsError:  # created meanwhile by the Telegram adapter
            time.sleep(0.1)
    return carregar_segredo(caminho)


def _avisos(cfg: configuracao.Settings) -> Avisos | None:
    """The notifications over the request store (None, and a log line, if it fails)."""
    try:
        from bot.notificacoes.avisos import Avisos as AvisosDoBanco
        from bot.solicitacoes.servicos import Servicos

        return AvisosDoBanco(Servicos(cfg).store, cfg)
    except Exception:
        logger.exception("avisos do chat web desligados: banco de solicitações indisponível")
        return None


def main(argv: list[str] | None = None) -> int:  # noqa: ARG001 - the runner passes its argv
    """Serve the web chat on SEI_HOST:SEI_WEB_PORT until SIGINT/SIGTERM."""
    cfg = configuracao.load()
    logging.basicConfig(
        level=cfg.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    config = Config(
        segredo=_segredo(cfg.sender_secret_file or cfg.var_dir / "segredo-remetente"),
        planilhas_dir=cfg.planilhas_dir,
        anexos_dir=cfg.anexos_dir,
        download_ttl_s=cfg.download_ttl_s,
        frame_ancestors=cfg.web_frame_ancestors,
        limite_sessao=cfg.limite_sessao,
        limite_endereco=cfg.limite_endereco,
        limite_tentativas=cfg.limite_tentativas,
        proxies=cfg.web_proxies,
        redis_url=cfg.redis_url if cfg.producao else None,
        redis_prefixo=cfg.redis_key_prefix,
    )
    app = criar_app(config, RasaClient(cfg.rasa_url), _avisos(cfg))
    pronto = content.texto("canais", "web_pronto", endereco=f"http://{cfg.host}:{cfg.web_port}/")
    web.run_app(
        app,
        host=cfg.host,
        port=cfg.web_port,
        access_log=None,
        print=lambda _texto: print(pronto, flush=True),
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
