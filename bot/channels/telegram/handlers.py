"""The Telegram handlers: each kind of update, relayed to Rasa or answered here."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import traceback
from collections.abc import Callable, Coroutine
from typing import Any

from telegram import CallbackQuery, Message, Update
from telegram.constants import ChatAction
from telegram.error import BadRequest, TelegramError
from telegram.ext import (
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    InvalidCallbackData,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot import content
from bot.channels import anexos, replies
from bot.channels.rasa_client import RasaIndisponivel
from bot.channels.replies import Botao
from bot.channels.telegram.rendering import ESPERA_CAPTURA, TECLADO_ANTERIOR, mostrar
from bot.channels.telegram.state import (
    Adaptador,
    Aplicacao,
    UpdateIncompleto,
    adaptador,
    dados_do_chat,
)
from bot.solicitacoes.anexos import AnexoInvalido
from bot.solicitacoes.leitura import PlanilhaRecusada
from bot.solicitacoes.recebidas import PlanilhaRecebidaStore

logger = logging.getLogger(__name__)

Tratador = Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]


def _chat_id(update: Update) -> int:
    """The chat of the update."""
    if update.effective_chat is None:
        raise UpdateIncompleto("chat")
    return update.effective_chat.id


def _mensagem(update: Update) -> Message:
    """The message of the update."""
    if update.effective_message is None:
        raise UpdateIncompleto("mensagem")
    return update.effective_message


def _consulta(update: Update) -> CallbackQuery:
    """The button tap of the update."""
    if update.callback_query is None:
        raise UpdateIncompleto("callback_query")
    return update.callback_query


def _texto(chave: str, **campos: object) -> str:
    """A Telegram text of ``bot/content/canais.yml``."""
    return content.texto("canais", f"telegram_{chave}", **campos)


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


async def conversar(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    texto: str,
    metadata: dict[str, Any] | None = None,
) -> None:
    """Send one user message to Rasa and show the replies in the chat."""
    estado = adaptador(context)
    chat_id = _chat_id(update)
    remetente_id = estado.remetente(chat_id)
    espera = await estado.tentativas.consumir(str(chat_id))
    if espera <= 0:
        espera = await estado.limite.consumir(str(chat_id))
    if espera > 0:  # over the chat's limit: not relayed; told once in a while
        logger.info("limite de mensagens: %s aguarda %.0f s", remetente_id, espera)
        if chat_id not in estado.avisados:
            estado.avisados[chat_id] = None
            await context.bot.send_message(
                chat_id, _texto("aguarde", segundos=max(1, round(espera)))
            )
        return
    await _digitando(context, chat_id)
    try:
        respostas = await estado.rasa.enviar(remetente_id, texto, metadata)
    except RasaIndisponivel as erro:
        logger.warning(
            "Rasa indisponível (update %s, %s): %s", update.update_id, remetente_id, erro
        )
        await context.bot.send_message(chat_id, _texto("indisponivel"))
        return
    await mostrar(context, chat_id, respostas)
    await _assinar_avisos(estado, chat_id, remetente_id, respostas)


async def _assinar_avisos(
    estado: Adaptador, chat_id: int, remetente_id: str, respostas: list[dict[str, Any]]
) -> None:
    """A request filed in this chat sends its news here (the chat id kept encrypted)."""
    if estado.avisos is None:
        return
    for resposta in respostas:
        protocolo = replies.protocolo_registrado(resposta)
        if not protocolo:
            continue
        try:
            await asyncio.to_thread(estado.avisos.assinar, protocolo, "telegram", str(chat_id))
        except Exception:
            logger.exception("avisos do Telegram não ligados a %s (%s)", protocolo, remetente_id)


async def _digitando(context: ContextTypes.DEFAULT_TYPE, chat_id: int) -> None:
    """Show "typing..." while Rasa thinks (a failure only costs the indicator)."""
    try:
        await context.bot.send_chat_action(chat_id, ChatAction.TYPING)
    except TelegramError as erro:
        logger.info("ação 'digitando' não enviada (%s)", type(erro).__name__)


async def filtrar_repetidos(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Drop an update already processed (same update_id); log the others."""
    estado = adaptador(context)
    if not estado.recentes.primeira_vez(update.update_id):
        logger.info("update %s repetido: ignorado", update.update_id)
        raise ApplicationHandlerStop
    chat = update.effective_chat
    quem = estado.remetente(chat.id) if chat else "-"
    logger.info("update %s de %s: %s", update.update_id, quem, _tipo(update))


async def ao_receber_texto(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A text message: relay it (never a "/..." text: Rasa would read it as an intent)."""
    texto = _mensagem(update).text or ""
    if texto.lstrip().startswith("/"):
        await ao_receber_comando_desconhecido(update, context)
        return
    await conversar(update, context, texto)


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
        await context.bot.send_message(_chat_id(update), _texto("uso_status"))
        return
    await conversar(update, context, f"status do protocolo {protocolo[:40]}")


async def ao_receber_comando_desconhecido(
    update: Update, context: ContextTypes.DEFAULT_TYPE
) -> None:
    """Unknown /command: list the commands (never relayed: Rasa reads "/x" as an intent)."""
    await context.bot.send_message(_chat_id(update), _texto("comando_desconhecido"))


async def ao_tocar(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A button tap: acknowledge it, show the choice and relay its payload."""
    consulta = _consulta(update)
    botao = consulta.data
    if not isinstance(botao, Botao):  # not one of ours (PTB resolved it to something else)
        await ao_tocar_expirado(update, context)
        return
    with contextlib.suppress(KeyError):  # one choice per message: its other buttons expire
        context.drop_callback_data(consulta)
    await consulta.answer()
    await _remover_teclado(update, context)
    await context.bot.send_message(_chat_id(update), _texto("voce_escolheu", titulo=botao.titulo))
    await conversar(update, context, botao.payload)


async def ao_tocar_expirado(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A tap on a button PTB no longer knows (already used, too old, adapter restarted)."""
    await _consulta(update).answer(_texto("botao_expirado"))
    await _remover_teclado(update, context)


async def _remover_teclado(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Remove the inline keyboard of the tapped message (if still possible)."""
    consulta = _consulta(update)
    dados = context.chat_data
    tocada = consulta.message.message_id if consulta.message is not None else None
    if dados is not None and tocada is not None and dados.get(TECLADO_ANTERIOR) == tocada:
        del dados[TECLADO_ANTERIOR]  # removed here: not again on the next reply
    with contextlib.suppress(BadRequest, TypeError):  # too old, unchanged or inaccessible
        await consulta.edit_message_reply_markup(reply_markup=None)


async def ao_receber_imagem(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A photo or image document: store it and hand its reference to the form."""
    mensagem = _mensagem(update)
    chat_id = _chat_id(update)
    if dados_do_chat(context).get(ESPERA_CAPTURA) is False:
        await context.bot.send_message(chat_id, _texto("imagem_fora_de_hora"))
        return
    arquivo: Any = mensagem.photo[-1] if mensagem.photo else mensagem.document
    nome = getattr(arquivo, "file_name", None)
    if anexos.grande_demais(arquivo.file_size):
        await context.bot.send_message(chat_id, _texto_grande(arquivo.file_size))
        return
    estado = adaptador(context)
    remetente_id = estado.remetente(chat_id)
    try:
        ref = await _baixar_e_guardar(estado, arquivo, remetente_id, nome)
    except AnexoInvalido as erro:
        await context.bot.send_message(chat_id, str(erro))
        return
    logger.info("anexo %s guardado (update %s, %s)", ref, update.update_id, remetente_id)
    await conversar(update, context, *anexos.mensagem_com_anexo(ref))


async def _baixar_e_guardar(
    estado: Adaptador, arquivo: Any, conversa: str, nome: str | None
) -> str:
    """Download a Telegram file and store it as an attachment; its reference."""
    arquivo_tg = await arquivo.get_file()
    if anexos.grande_demais(arquivo_tg.file_size):
        raise AnexoInvalido(_texto_grande(arquivo_tg.file_size))
    dados = bytes(await arquivo_tg.download_as_bytearray())
    return await asyncio.to_thread(estado.anexos.salvar, dados, conversa, nome)


def _texto_grande(tamanho: int) -> str:
    """Message for an image above the limit."""
    return _texto("imagem_grande", mb=f"{tamanho / (1024 * 1024):.1f}".replace(".", ","))


async def ao_receber_planilha(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A document named or typed as a spreadsheet: stored and handed to the check.

    The content decides what it is (``bot.solicitacoes.leitura``): an .ods,
    .xls or anything else gets the bot's "save as .xlsx" answer.
    """
    documento = _mensagem(update).document
    chat_id = _chat_id(update)
    if documento is None:
        await ao_receber_outro(update, context)
        return
    if anexos.planilha_grande_demais(documento.file_size):
        await context.bot.send_message(chat_id, _texto_planilha_grande(documento.file_size or 0))
        return
    estado = adaptador(context)
    remetente_id = estado.remetente(chat_id)
    arquivo_tg = await documento.get_file()
    if anexos.planilha_grande_demais(arquivo_tg.file_size):
        await context.bot.send_message(chat_id, _texto_planilha_grande(arquivo_tg.file_size or 0))
        return
    dados = bytes(await arquivo_tg.download_as_bytearray())
    store = PlanilhaRecebidaStore.junto_dos_anexos(estado.anexos.pasta)
    try:
        ref = await asyncio.to_thread(store.salvar, dados, remetente_id)
    except PlanilhaRecusada as erro:
        await context.bot.send_message(chat_id, str(erro))
        return
    logger.info("planilha %s guardada (update %s, %s)", ref, update.update_id, remetente_id)
    await conversar(update, context, *anexos.mensagem_com_planilha(ref))


def _texto_planilha_grande(tamanho: int) -> str:
    """Message for a planilha above the limit."""
    mb = f"{tamanho / (1024 * 1024):.1f}".replace(".", ",")
    return anexos.texto_planilha("canal_planilha_grande", mb=mb)


async def ao_receber_em_grupo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Groups and channels: personal data must not be typed there; stop here."""
    if update.effective_chat is not None:
        await context.bot.send_message(_chat_id(update), _texto("so_conversa_privada"))
    raise ApplicationHandlerStop


async def ao_receber_outro(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stickers, voice, video, other documents...: say what is accepted."""
    await context.bot.send_message(_chat_id(update), _texto("so_texto_e_imagem"))


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
        await context.bot.send_message(chat.id, _texto("indisponivel"))
    except TelegramError as outro:
        logger.warning(
            "não consegui avisar do erro (update %s): %s", update_id, type(outro).__name__
        )


def registrar_handlers(app: Aplicacao) -> None:
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
    planilha = filters.Document.MimeType("text/csv") | filters.Document.MimeType(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    for extensao in ("xlsx", "xlsm", "xls", "ods", "csv"):  # what a planilha may be saved as
        planilha = planilha | filters.Document.FileExtension(extensao)
    app.add_handler(MessageHandler(nova & planilha, ao_receber_planilha))
    app.add_handler(MessageHandler(nova & ~filters.StatusUpdate.ALL, ao_receber_outro))
    app.add_handler(CallbackQueryHandler(ao_tocar_expirado, pattern=InvalidCallbackData))
    app.add_handler(CallbackQueryHandler(ao_tocar))
    app.add_error_handler(ao_errar)
