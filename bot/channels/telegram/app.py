"""Telegram adapter: relays private chats to Rasa's REST channel.

Runs as its own process (``python -m bot.channels.telegram.app``). Polling by
default; a webhook protected by a secret token, listening on ``SEI_HOST``,
when TELEGRAM_WEBHOOK_URL is set. Rasa's built-in Telegram channel stays off:
everything goes through REST.

Privacy: Rasa only sees an HMAC of the chat id (``identidade.remetente``) and
the logs only carry that derived id and update ids, never message texts.
"""

from __future__ import annotations

import logging
import re
import sys
from typing import Any
from urllib.parse import urlparse

from telegram import BotCommand
from telegram.error import InvalidToken, NetworkError, TelegramError
from telegram.ext import AIORateLimiter, Application

from bot import content
from bot import settings as configuracao
from bot.arquivos import carregar_segredo
from bot.channels.rasa_client import RasaClient
from bot.channels.telegram.handlers import registrar_handlers
from bot.channels.telegram.redaction import configurar_log
from bot.channels.telegram.rendering import mostrar
from bot.channels.telegram.state import Adaptador, Aplicacao, PorConversa, Recentes
from bot.limites import Limitador, ler_regras
from bot.solicitacoes.anexos import AnexoStore

# mostrar: also imported from here by tests/ops/test_injecao.py
__all__ = ["construir_aplicacao", "main", "mostrar", "rodar", "verificar_configuracao"]

logger = logging.getLogger(__name__)

ATUALIZACOES = ["message", "callback_query"]
SEGREDO_WEBHOOK = re.compile(r"[A-Za-z0-9_-]{1,256}")
# keyboards whose buttons PTB remembers (arbitrary callback data), all chats together;
# past that the least recently used expire ("Essa opção não está mais disponível")
TECLADOS_GUARDADOS = 8192
# the "/" menu, in this order; descriptions in canais.yml (telegram_comando_<nome>)
COMANDOS = ("start", "ajuda", "cancelar", "status")


def verificar_configuracao(cfg: configuracao.Settings) -> str | None:
    """The one-line reason not to start, or None."""
    if not cfg.telegram_token:
        return content.texto("canais", "telegram_sem_token")
    if cfg.telegram_webhook_url:
        if not cfg.telegram_webhook_url.startswith("https://"):
            return content.texto("canais", "telegram_url_invalida")
        if not cfg.telegram_webhook_secret:
            return content.texto("canais", "telegram_sem_segredo")
        if not SEGREDO_WEBHOOK.fullmatch(cfg.telegram_webhook_secret):
            return content.texto("canais", "telegram_segredo_invalido")
    return None


async def _ao_iniciar(app: Aplicacao) -> None:
    """Publish the commands of the "/" menu (a failure only leaves the menu empty)."""
    comandos = [
        BotCommand(nome, content.texto("canais", f"telegram_comando_{nome}")) for nome in COMANDOS
    ]
    try:
        await app.bot.set_my_commands(comandos)
    except TelegramError as erro:
        logger.warning("menu de comandos não publicado (%s)", type(erro).__name__)


async def _ao_encerrar(app: Aplicacao) -> None:
    """Close the Rasa client's HTTP session (and the limits' Redis client)."""
    estado = app.bot_data["adaptador"]
    await estado.rasa.close()
    await estado.limite.fechar()  # the client both limits share


def _avisos(cfg: configuracao.Settings) -> Any:
    """The notifications over the request store (None, and a log line, if it fails)."""
    try:
        from bot.notificacoes.avisos import Avisos
        from bot.solicitacoes.servicos import Servicos

        return Avisos(Servicos(cfg).store, cfg)
    except Exception:
        logger.exception("avisos do Telegram desligados: banco de solicitações indisponível")
        return None


def _redis(cfg: configuracao.Settings) -> Any:
    """The Redis client the production profile's limits share (None: in this process)."""
    if not cfg.producao:
        return None
    from redis import asyncio as redis_asyncio

    return redis_asyncio.from_url(cfg.redis_url, socket_timeout=0.5)


def construir_aplicacao(cfg: configuracao.Settings) -> Aplicacao:
    """The PTB application, pointed at the configured Bot API, with every handler."""
    builder = (
        Application.builder()
        .token(cfg.telegram_token or "")
        .rate_limiter(AIORateLimiter(max_retries=2))
        .concurrent_updates(PorConversa())
        .arbitrary_callback_data(TECLADOS_GUARDADOS)
        .post_init(_ao_iniciar)
        .post_shutdown(_ao_encerrar)
    )
    if cfg.telegram_api_url:  # the API root, e.g. https://api.telegram.org
        base = cfg.telegram_api_url.rstrip("/").removesuffix("/bot")
        builder = builder.base_url(f"{base}/bot").base_file_url(f"{base}/file/bot")
    app = builder.build()
    redis = _redis(cfg)  # one client for both limits
    app.bot_data["adaptador"] = Adaptador(
        rasa=RasaClient(cfg.rasa_url, timeout_s=30.0),
        segredo=carregar_segredo(cfg.sender_secret_file or cfg.var_dir / "segredo-remetente"),
        anexos=AnexoStore(cfg.anexos_dir),
        planilhas_dir=cfg.planilhas_dir,
        recentes=Recentes(),
        limite=Limitador(
            "telegram-chat",
            ler_regras(cfg.limite_chat),
            redis,
            cfg.redis_key_prefix,
        ),
        tentativas=Limitador(
            "telegram-tentativas",
            ler_regras(cfg.limite_tentativas),
            redis,
            cfg.redis_key_prefix,
            contar_recusadas=True,
        ),
        avisos=_avisos(cfg),
    )
    registrar_handlers(app)
    return app


def rodar(app: Aplicacao, cfg: configuracao.Settings) -> None:
    """Webhook mode when TELEGRAM_WEBHOOK_URL is set, else polling (blocks until stopped)."""
    if not cfg.telegram_webhook_url:
        logger.info("canal do Telegram iniciando (polling)")
        app.run_polling(allowed_updates=ATUALIZACOES)
        return
    if len(cfg.telegram_webhook_secret or "") < 16:
        logger.warning("TELEGRAM_WEBHOOK_SECRET curto: use ao menos 16 caracteres aleatórios")
    caminho = urlparse(cfg.telegram_webhook_url).path.strip("/")
    logger.info(
        "canal do Telegram iniciando (webhook em %s:%s/%s)",
        cfg.host,
        cfg.telegram_webhook_port,
        caminho,
    )
    app.run_webhook(
        listen=cfg.host,
        port=cfg.telegram_webhook_port,
        url_path=caminho,
        webhook_url=cfg.telegram_webhook_url,
        secret_token=cfg.telegram_webhook_secret,
        allowed_updates=ATUALIZACOES,
    )


def main() -> int:
    """Entry point of ``python -m bot.channels.telegram.app``."""
    cfg = configuracao.load()
    problema = verificar_configuracao(cfg)
    if problema:
        print(problema, file=sys.stderr)
        return 2
    configurar_log(cfg.log_level, [cfg.telegram_token, cfg.telegram_webhook_secret])
    app = construir_aplicacao(cfg)
    try:
        rodar(app, cfg)
    except InvalidToken:
        print(content.texto("canais", "telegram_token_recusado"), file=sys.stderr)
        return 1
    except NetworkError:
        endereco = cfg.telegram_api_url or "api.telegram.org"
        print(content.texto("canais", "telegram_api_fora", endereco=endereco), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
