"""Telegram adapter: relays private chats to Rasa's REST channel.

Runs as its own process (``python -m bot.channels.telegram.app``). Polling by
default; a webhook protected by a secret token when TELEGRAM_WEBHOOK_URL is
set. Rasa's built-in Telegram channel stays off: everything goes through REST.

Privacy: Rasa only sees an HMAC of the chat id (``identidade.remetente``) and
the logs only carry that derived id and update ids, never message texts.
"""

from __future__ import annotations

import asyncio
import logging
import re
import secrets
import sys
import traceback
from collections import OrderedDict, defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, InvalidToken, NetworkError, TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationHandlerStop,
    BaseUpdateProcessor,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot import settings as configuracao
from bot.channels.identidade import carregar_segredo, remetente
from bot.channels.rasa_client import RasaClient, RasaIndisponivel
from bot.solicitacoes.anexos import AnexoInvalido, AnexoStore
from bot.solicitacoes.protocolo import protocolo_da_planilha
from bot.solicitacoes.validacao import LIMITE_ANEXO

logger = logging.getLogger("bot.channels.telegram.app")

CANAL = "telegram"
LIMITE_TEXTO = 4096  # Telegram's limit per message (UTF-16 code units)
LIMITE_CALLBACK = 64  # Telegram's limit of callback_data, in bytes
ATUALIZACOES = ["message", "callback_query"]
SEGREDO_WEBHOOK = re.compile(r"[A-Za-z0-9_-]{1,256}")
# payload of the "Não consigo anexar" button: the bot is asking for the screenshot
PAYLOAD_PEDE_CAPTURA = "não consigo anexar"
ESPERA_CAPTURA = "espera_captura"
BOTOES = "botoes"

# ----- user-facing texts (Portuguese) -------------------------------------------------
SO_CONVERSA_PRIVADA = (
    "Por privacidade, eu só atendo em conversa privada. Toque no meu nome "
    "e envie a mensagem por lá."
)
INDISPONIVEL = "Estou com dificuldade para responder agora; tente de novo em instantes."
TEXTO_ANEXO = "[captura de tela enviada]"
ESCOLHA = "Escolha uma opção:"
VOCE_ESCOLHEU = "Você escolheu: {titulo}"
BOTAO_EXPIRADO = "Essa opção não está mais disponível. Escreva sua resposta ou use /ajuda."
USO_STATUS = (
    "Para consultar uma solicitação, envie /status seguido do número do "
    "protocolo. Exemplo: /status NTS-2026-000123"
)
COMANDO_DESCONHECIDO = (
    "Não conheço esse comando. Use /start para começar, /ajuda para ver "
    "os assuntos, /cancelar para desistir de uma solicitação ou "
    "/status PROTOCOLO para consultar uma solicitação."
)
SO_TEXTO_E_IMAGEM = (
    "Não consigo usar esse tipo de mensagem. Por aqui eu entendo mensagens "
    "de texto e, no relato de erro, a captura da tela: uma imagem PNG ou "
    "JPEG de até 10 MB, enviada como foto ou como arquivo. Figurinhas, "
    "áudios, vídeos e outros arquivos não são aceitos."
)
IMAGEM_FORA_DE_HORA = (
    "Recebi a imagem, mas só uso capturas de tela no relato de erro, "
    "quando eu pedir por ela. Para relatar um erro no SEI, escreva "
    '"quero relatar um erro".'
)
IMAGEM_GRANDE = (
    "A imagem tem {mb} MB e o limite é 10 MB. Recorte só a parte da tela com o "
    "erro, ou envie-a como foto (o Telegram reduz o tamanho)."
)
PLANILHA_INDISPONIVEL = (
    "Não consegui enviar a planilha por aqui agora. Ela fica guardada "
    "com o SESAU NTS: se precisar dela, informe o número do protocolo."
)
SEM_TOKEN = (
    "Erro: defina TELEGRAM_BOT_TOKEN com o token do bot (fornecido pelo @BotFather) "
    "para iniciar o canal do Telegram."
)
SEM_SEGREDO = (
    "Erro: TELEGRAM_WEBHOOK_URL está definida, mas TELEGRAM_WEBHOOK_SECRET não: "
    "defina um segredo (letras, números, _ ou -; até 256 caracteres) para que só o "
    "Telegram consiga entregar mensagens ao webhook."
)
SEGREDO_INVALIDO = (
    "Erro: TELEGRAM_WEBHOOK_SECRET deve ter de 1 a 256 caracteres, só letras, números, _ ou -."
)
URL_INVALIDA = "Erro: TELEGRAM_WEBHOOK_URL deve ser um endereço https:// (exigência do Telegram)."
TOKEN_RECUSADO = "Erro: o Telegram recusou o token de TELEGRAM_BOT_TOKEN; confira-o no @BotFather."
API_FORA = "Erro: não consegui falar com a API do Telegram ({endereco}); tente de novo mais tarde."


# ----- small pieces of state ---------------------------------------------------------------
class Recentes:
    """Bounded memory of recently seen update ids."""

    def __init__(self, limite: int = 4096) -> None:
        self.limite = limite
        self._ids: OrderedDict[int, None] = OrderedDict()

    def primeira_vez(self, update_id: int) -> bool:
        """True the first time an update id is seen (and remember it)."""
        if update_id in self._ids:
            return False
        self._ids[update_id] = None
        if len(self._ids) > self.limite:
            self._ids.popitem(last=False)
        return True


class Botoes:
    """Per-chat map from short callback ids to button payloads (bounded, LRU)."""

    def __init__(self, limite: int = 256) -> None:
        self.limite = limite
        self._itens: OrderedDict[str, tuple[str, str, str]] = OrderedDict()

    def registrar(self, opcoes: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
        """Keep (title, payload) options of one message; their (title, callback id)."""
        grupo = secrets.token_hex(4)
        saida = []
        for titulo, payload in opcoes:
            chave = secrets.token_hex(6)
            self._itens[chave] = (grupo, payload, titulo)
            saida.append((titulo, chave))
        while len(self._itens) > self.limite:
            self._itens.popitem(last=False)
        return saida

    def escolher(self, chave: str) -> tuple[str, str] | None:
        """(payload, title) of a tapped button; the message's other buttons expire."""
        item = self._itens.get(chave)
        if item is None:
            return None
        grupo, payload, titulo = item
        for outra in [k for k, v in self._itens.items() if v[0] == grupo]:
            del self._itens[outra]
        return payload, titulo


class PorConversa(BaseUpdateProcessor):
    """Updates of one chat in arrival order; different chats concurrently."""

    def __init__(self, max_concurrent_updates: int = 256) -> None:
        super().__init__(max_concurrent_updates)
        self._travas: dict[int, asyncio.Lock] = {}
        self._uso: dict[int, int] = defaultdict(int)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Run the update's handlers under its chat's lock."""
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            await coroutine
            return
        trava = self._travas.setdefault(chat.id, asyncio.Lock())
        self._uso[chat.id] += 1
        try:
            async with trava:
                await coroutine
        finally:
            self._uso[chat.id] -= 1
            if not self._uso[chat.id]:
                del self._uso[chat.id], self._travas[chat.id]

    async def initialize(self) -> None:
        """Nothing to allocate."""

    async def shutdown(self) -> None:
        """Nothing to free."""


@dataclass
class Adaptador:
    """What the handlers share: Rasa, the sender secret, attachments, spreadsheets."""

    rasa: RasaClient
    segredo: bytes
    anexos: AnexoStore
    planilhas_dir: Path
    recentes: Recentes

    def remetente(self, chat_id: int) -> str:
        """Sender id sent to Rasa for a chat (never the raw chat id)."""
        return remetente(CANAL, str(chat_id), self.segredo)


# ----- pure helpers --------------------------------------------------------------------------
def _cabe(texto: str, limite: int) -> int:
    """How many leading characters of ``texto`` fit in ``limite`` UTF-16 code units."""
    total = 0
    for i, caractere in enumerate(texto):
        total += 2 if ord(caractere) > 0xFFFF else 1
        if total > limite:
            return i
    return len(texto)


def _ponto_de_corte(texto: str, n: int) -> int:
    """Where to cut ``texto`` so that the first part has at most ``n`` characters."""
    for separador, minimo in (("\n\n", n // 2), ("\n", n // 2), (" ", 1)):
        i = texto.rfind(separador, 1, n + len(separador))
        if i >= minimo:
            return i
    return n


def dividir_texto(texto: str, limite: int = LIMITE_TEXTO) -> list[str]:
    """Split a text into messages within the limit, at paragraph, line or word boundaries."""
    partes: list[str] = []
    resto = texto.strip()
    while resto:
        n = _cabe(resto, limite)
        if n >= len(resto):
            partes.append(resto)
            break
        corte = max(_ponto_de_corte(resto, n), 1)
        partes.append(resto[:corte].rstrip())
        resto = resto[corte:].lstrip()
    return partes


def planilha_segura(pasta: Path, arquivo: Any) -> Path | None:
    """The spreadsheet file named by Rasa, only if well-named and inside ``pasta``."""
    if not protocolo_da_planilha(arquivo):
        return None
    caminho = Path(pasta) / arquivo
    try:
        dentro = caminho.resolve().parent == Path(pasta).resolve()
    except OSError:
        return None
    return caminho if dentro and caminho.is_file() else None


def pede_captura(respostas: Sequence[dict[str, Any]]) -> bool:
    """True when the bot's replies ask for the screenshot of an error report."""
    return any(
        isinstance(b, dict) and b.get("payload") == PAYLOAD_PEDE_CAPTURA
        for r in respostas
        for b in (r.get("buttons") or [])
    )


def opcoes_da_resposta(resposta: dict[str, Any]) -> list[tuple[str, str]]:
    """(title, payload) of the buttons of one Rasa reply."""
    opcoes = []
    for botao in resposta.get("buttons") or []:
        if isinstance(botao, dict) and botao.get("payload"):
            payload = str(botao["payload"])
            opcoes.append((str(botao.get("title") or payload), payload))
    return opcoes


def verificar_configuracao(cfg: configuracao.Settings) -> str | None:
    """The one-line reason not to start, or None."""
    if not cfg.telegram_token:
        return SEM_TOKEN
    if cfg.telegram_webhook_url:
        if not cfg.telegram_webhook_url.startswith("https://"):
            return URL_INVALIDA
        if not cfg.telegram_webhook_secret:
            return SEM_SEGREDO
        if not SEGREDO_WEBHOOK.fullmatch(cfg.telegram_webhook_secret):
            return SEGREDO_INVALIDO
    return None


def _tipo(update: Update) -> str:
    """Kind of an update, for the log (never its content)."""
    if update.callback_query:
        return "botão"
    mensagem = update.message
    if mensagem is None:
        return "outro"
    if mensagem.text:
        return "comando" if mensagem.text.startswith("/") else "texto"
    if mensagem.photo:
        return "foto"
    return "documento" if mensagem.document else "outro"


# ----- talking to Rasa and rendering its replies ------------------------------------------
def _adaptador(context: ContextTypes.DEFAULT_TYPE) -> Adaptador:
    """The shared adapter state."""
    return context.bot_data["adaptador"]


def _botoes(context: ContextTypes.DEFAULT_TYPE) -> Botoes:
    """The chat's button map."""
    return context.chat_data.setdefault(BOTOES, Botoes())


async def conversar(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    texto: str,
    metadata: dict[str, Any] | None = None,
) -> None:
    """Send one user message to Rasa and show the replies in the chat."""
    adaptador = _adaptador(context)
    chat_id = update.effective_chat.id
    remetente_id = adaptador.remetente(chat_id)
    try:
        respostas = await adaptador.rasa.enviar(remetente_id, texto, metadata)
    except RasaIndisponivel as erro:
        logger.warning(
            "Rasa indisponível (update %s, %s): %s", update.update_id, remetente_id, erro
        )
        await context.bot.send_message(chat_id, INDISPONIVEL)
        return
    await mostrar(context, chat_id, respostas)


async def mostrar(
    context: ContextTypes.DEFAULT_TYPE, chat_id: int, respostas: Sequence[dict[str, Any]]
) -> None:
    """Render Rasa's replies: texts, buttons, spreadsheets."""
    if respostas:
        context.chat_data[ESPERA_CAPTURA] = pede_captura(respostas)
    for resposta in respostas:
        await _mostrar_texto(context, chat_id, resposta)
        custom = resposta.get("custom")
        if isinstance(custom, dict) and custom.get("tipo") == "planilha":
            await _enviar_planilha(context, chat_id, custom)


async def _mostrar_texto(
    context: ContextTypes.DEFAULT_TYPE, chat_id: int, resposta: dict[str, Any]
) -> None:
    """A reply's text as plain-text messages, its buttons on the last one."""
    texto = str(resposta.get("text") or "").strip()
    if isinstance(resposta.get("image"), str):
        texto = f"{texto}\n{resposta['image']}".strip()
    opcoes = opcoes_da_resposta(resposta)
    if not texto and not opcoes:
        return
    partes = dividir_texto(texto or ESCOLHA)
    teclado = None
    if opcoes:
        teclado = InlineKeyboardMarkup(
            [
                [InlineKeyboardButton(titulo, callback_data=chave)]
                for titulo, chave in _botoes(context).registrar(opcoes)
            ]
        )
    for i, parte in enumerate(partes):
        ultima = i == len(partes) - 1
        # no parse_mode: nothing the user or the bot typed is read as HTML/Markdown
        await context.bot.send_message(chat_id, parte, reply_markup=teclado if ultima else None)


async def _enviar_planilha(
    context: ContextTypes.DEFAULT_TYPE, chat_id: int, custom: dict[str, Any]
) -> None:
    """Send the request's spreadsheet as a document (only NTS-*.xlsx from planilhas_dir)."""
    caminho = planilha_segura(_adaptador(context).planilhas_dir, custom.get("arquivo"))
    if caminho is None:
        logger.warning(
            "planilha recusada ou ausente (protocolo %s)", str(custom.get("protocolo"))[:20]
        )
        await context.bot.send_message(chat_id, PLANILHA_INDISPONIVEL)
        return
    dados = await asyncio.to_thread(caminho.read_bytes)
    await context.bot.send_document(chat_id, document=dados, filename=caminho.name)


# ----- handlers ----------------------------------------------------------------------------
async def filtrar_repetidos(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Drop an update already processed (same update_id); log the others."""
    adaptador = _adaptador(context)
    if not adaptador.recentes.primeira_vez(update.update_id):
        logger.info("update %s repetido: ignorado", update.update_id)
        raise ApplicationHandlerStop
    chat = update.effective_chat
    quem = adaptador.remetente(chat.id) if chat else "-"
    logger.info("update %s de %s: %s", update.update_id, quem, _tipo(update))


async def ao_receber_texto(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A text message: relay it (never a "/..." text: Rasa would read it as an intent)."""
    texto = update.effective_message.text
    if texto.lstrip().startswith("/"):
        await ao_receber_comando_desconhecido(update, context)
        return
    await conversar(update, context, texto)


Tratador = Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[None]]


def relayar_comando(texto: str) -> Tratador:
    """Handler of a command that sends a fixed text to Rasa."""

    async def responder(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Relay the command's fixed text."""
        await conversar(update, context, texto)

    return responder


async def ao_pedir_status(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/status PROTOCOLO: ask Rasa for the status; without argument, explain the usage."""
    protocolo = " ".join(context.args or []).strip()
    if not protocolo:
        await context.bot.send_message(update.effective_chat.id, USO_STATUS)
        return
    await conversar(update, context, f"status do protocolo {protocolo[:40]}")


async def ao_receber_comando_desconhecido(
    update: Update, context: ContextTypes.DEFAULT_TYPE
) -> None:
    """Unknown /command: list the commands (never relayed: Rasa reads "/x" as an intent)."""
    await context.bot.send_message(update.effective_chat.id, COMANDO_DESCONHECIDO)


async def ao_tocar(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A button tap: acknowledge it, show the choice and relay its payload."""
    consulta = update.callback_query
    escolha = _botoes(context).escolher(consulta.data or "")
    if escolha is None:
        await consulta.answer(BOTAO_EXPIRADO)
        await _remover_teclado(update)
        return
    payload, titulo = escolha
    await consulta.answer()
    await _remover_teclado(update)
    await context.bot.send_message(update.effective_chat.id, VOCE_ESCOLHEU.format(titulo=titulo))
    await conversar(update, context, payload)


async def _remover_teclado(update: Update) -> None:
    """Remove the inline keyboard of the tapped message (if still possible)."""
    try:
        await update.callback_query.edit_message_reply_markup(reply_markup=None)
    except (BadRequest, TypeError):  # too old, unchanged or inaccessible message
        pass


async def ao_receber_imagem(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A photo or image document: store it and hand its reference to the form."""
    mensagem = update.effective_message
    chat_id = update.effective_chat.id
    if context.chat_data.get(ESPERA_CAPTURA) is False:
        await context.bot.send_message(chat_id, IMAGEM_FORA_DE_HORA)
        return
    arquivo = mensagem.photo[-1] if mensagem.photo else mensagem.document
    nome = getattr(arquivo, "file_name", None)
    if _grande_demais(arquivo.file_size):
        await context.bot.send_message(chat_id, _texto_grande(arquivo.file_size))
        return
    adaptador = _adaptador(context)
    remetente_id = adaptador.remetente(chat_id)
    try:
        ref = await _baixar_e_guardar(adaptador, arquivo, remetente_id, nome)
    except AnexoInvalido as erro:
        await context.bot.send_message(chat_id, str(erro))
        return
    logger.info("anexo %s guardado (update %s, %s)", ref, update.update_id, remetente_id)
    await conversar(update, context, TEXTO_ANEXO, {"anexo": ref})


async def _baixar_e_guardar(
    adaptador: Adaptador, arquivo: Any, conversa: str, nome: str | None
) -> str:
    """Download a Telegram file and store it as an attachment; its reference."""
    arquivo_tg = await arquivo.get_file()
    if _grande_demais(arquivo_tg.file_size):
        raise AnexoInvalido(_texto_grande(arquivo_tg.file_size))
    dados = bytes(await arquivo_tg.download_as_bytearray())
    return await asyncio.to_thread(adaptador.anexos.salvar, dados, conversa, nome)


def _grande_demais(tamanho: int | None) -> bool:
    """True when Telegram reports a file above the attachment limit."""
    return bool(tamanho) and tamanho > LIMITE_ANEXO


def _texto_grande(tamanho: int) -> str:
    """Message for an image above the limit."""
    return IMAGEM_GRANDE.format(mb=f"{tamanho / (1024 * 1024):.1f}".replace(".", ","))


async def ao_receber_em_grupo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Groups and channels: personal data must not be typed there; stop here."""
    if update.effective_chat is not None:
        await context.bot.send_message(update.effective_chat.id, SO_CONVERSA_PRIVADA)
    raise ApplicationHandlerStop


async def ao_receber_outro(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stickers, voice, video, other documents...: say what is accepted."""
    await context.bot.send_message(update.effective_chat.id, SO_TEXTO_E_IMAGEM)


async def ao_errar(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the failure (type and stack only, no data) and answer politely."""
    erro = context.error
    quadros = "".join(traceback.format_tb(erro.__traceback__)) if erro else ""
    update_id = update.update_id if isinstance(update, Update) else None
    logger.error(
        "falha ao processar o update %s: %s\n%s", update_id, type(erro).__name__, quadros.rstrip()
    )
    chat = update.effective_chat if isinstance(update, Update) else None
    if chat is None:
        return
    try:
        await context.bot.send_message(chat.id, INDISPONIVEL)
    except TelegramError as outro:
        logger.warning(
            "não consegui avisar do erro (update %s): %s", update_id, type(outro).__name__
        )


# ----- application -------------------------------------------------------------------------
def registrar_handlers(app: Application) -> None:
    """Every handler of the adapter, in order."""
    nova = filters.UpdateType.MESSAGE  # new messages only: edits are not relayed
    app.add_handler(TypeHandler(Update, filtrar_repetidos), group=-2)
    app.add_handler(MessageHandler(nova & ~filters.ChatType.PRIVATE, ao_receber_em_grupo), group=-1)
    app.add_handler(CommandHandler("start", relayar_comando("oi"), filters=nova))
    app.add_handler(CommandHandler("ajuda", relayar_comando("menu"), filters=nova))
    app.add_handler(CommandHandler("cancelar", relayar_comando("cancelar"), filters=nova))
    app.add_handler(CommandHandler("status", ao_pedir_status, filters=nova))
    app.add_handler(MessageHandler(nova & filters.COMMAND, ao_receber_comando_desconhecido))
    app.add_handler(MessageHandler(nova & filters.TEXT, ao_receber_texto))
    imagem = (
        filters.PHOTO
        | filters.Document.IMAGE
        | filters.Document.FileExtension("png")
        | filters.Document.FileExtension("jpg")
        | filters.Document.FileExtension("jpeg")
    )
    app.add_handler(MessageHandler(nova & imagem, ao_receber_imagem))
    app.add_handler(MessageHandler(nova & ~filters.StatusUpdate.ALL, ao_receber_outro))
    app.add_handler(CallbackQueryHandler(ao_tocar))
    app.add_error_handler(ao_errar)


async def _ao_encerrar(app: Application) -> None:
    """Close the Rasa client's HTTP session."""
    await app.bot_data["adaptador"].rasa.close()


def construir_aplicacao(cfg: configuracao.Settings) -> Application:
    """The PTB application, pointed at the configured Bot API, with every handler."""
    builder = (
        Application.builder()
        .token(cfg.telegram_token)
        .rate_limiter(AIORateLimiter(max_retries=2))
        .concurrent_updates(PorConversa())
        .post_shutdown(_ao_encerrar)
    )
    if cfg.telegram_api_url:  # the API root, e.g. https://api.telegram.org
        base = cfg.telegram_api_url.rstrip("/").removesuffix("/bot")
        builder = builder.base_url(f"{base}/bot").base_file_url(f"{base}/file/bot")
    app = builder.build()
    app.bot_data["adaptador"] = Adaptador(
        rasa=RasaClient(cfg.rasa_url, timeout_s=30.0),
        segredo=carregar_segredo(cfg.sender_secret_file),
        anexos=AnexoStore(cfg.anexos_dir),
        planilhas_dir=cfg.planilhas_dir,
        recentes=Recentes(),
    )
    registrar_handlers(app)
    return app


class SemSegredos(logging.Filter):
    """Redact the bot token and webhook secret; PTB retry-loop failures on one line."""

    def __init__(self, segredos: Sequence[str | None]) -> None:
        super().__init__()
        partes = [s for s in segredos if s] + [
            s.split(":", 1)[1] for s in segredos if s and ":" in s
        ]
        self._segredos = sorted(set(p for p in partes if p), key=len, reverse=True)

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record with secrets replaced by ***."""
        texto = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            erro = record.exc_info[1]
            if record.name.startswith("telegram") and "Network Retry Loop" in texto:
                texto += f" ({type(erro).__name__}: {erro})"
            else:
                texto += "\n" + logging.Formatter().formatException(record.exc_info)
        for segredo in self._segredos:
            texto = texto.replace(segredo, "***")
        record.msg, record.args, record.exc_info, record.exc_text = texto, None, None, None
        return True


def configurar_log(nivel: str, segredos: Sequence[str | None] = ()) -> None:
    """Our log at the configured level; third-party loggers that leak data kept quiet."""
    logging.basicConfig(
        level=nivel, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    for handler in logging.getLogger().handlers:
        handler.addFilter(SemSegredos(segredos))
    minimo = max(logging.getLogger().getEffectiveLevel(), logging.INFO)
    # httpx logs every URL (with the bot token); PTB and tornado log update contents at DEBUG
    for nome in ("httpx", "httpcore"):
        logging.getLogger(nome).setLevel(max(minimo, logging.WARNING))
    for nome in ("telegram", "tornado", "apscheduler"):
        logging.getLogger(nome).setLevel(minimo)


def rodar(app: Application, cfg: configuracao.Settings) -> None:
    """Webhook mode when TELEGRAM_WEBHOOK_URL is set, else polling (blocks until stopped)."""
    if not cfg.telegram_webhook_url:
        logger.info("canal do Telegram iniciando (polling)")
        app.run_polling(allowed_updates=ATUALIZACOES)
        return
    if len(cfg.telegram_webhook_secret or "") < 16:
        logger.warning("TELEGRAM_WEBHOOK_SECRET curto: use ao menos 16 caracteres aleatórios")
    caminho = urlparse(cfg.telegram_webhook_url).path.strip("/")
    logger.info(
        "canal do Telegram iniciando (webhook em 127.0.0.1:%s/%s)",
        cfg.telegram_webhook_port,
        caminho,
    )
    app.run_webhook(
        listen="127.0.0.1",
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
        print(TOKEN_RECUSADO, file=sys.stderr)
        return 1
    except NetworkError:
        endereco = cfg.telegram_api_url or "api.telegram.org"
        print(API_FORA.format(endereco=endereco), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
