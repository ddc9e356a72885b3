"""Rasa's replies as Telegram messages: plain text within the limit, buttons, spreadsheets."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot import content
from bot.channels import replies
from bot.channels.telegram.state import adaptador, dados_do_chat
from bot.solicitacoes import botoes as botoes_do_formulario
from bot.solicitacoes.vocabulario import RESPOSTA_SEM_ANEXO

logger = logging.getLogger(__name__)

LIMITE_TEXTO = 4096  # Telegram's limit per message (UTF-16 code units)
ESPERA_CAPTURA = "espera_captura"  # chat_data key: True/False once the bot has answered
# chat_data key: id of the last message whose inline keyboard is still shown
TECLADO_ANTERIOR = "teclado_anterior"


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


def pede_captura(respostas: Sequence[dict[str, Any]]) -> bool:
    """True when the bot's replies ask for the screenshot (they offer "Não consigo anexar")."""
    return any(
        botoes_do_formulario.valor(botao.payload) == RESPOSTA_SEM_ANEXO
        for resposta in respostas
        for botao in replies.botoes(resposta)
    )


async def mostrar(
    context: ContextTypes.DEFAULT_TYPE, chat_id: int, respostas: Sequence[dict[str, Any]]
) -> None:
    """Render Rasa's replies: texts, buttons, spreadsheets."""
    if respostas:
        dados_do_chat(context)[ESPERA_CAPTURA] = pede_captura(respostas)
        await remover_teclado_anterior(context, chat_id)
    for resposta in respostas:
        await _mostrar_texto(context, chat_id, resposta)
        planilha = replies.planilha(resposta)
        if planilha is not None:
            await _enviar_planilha(context, chat_id, planilha)


async def _mostrar_texto(
    context: ContextTypes.DEFAULT_TYPE, chat_id: int, resposta: dict[str, Any]
) -> None:
    """A reply's text as plain-text messages, its buttons on the last one."""
    texto = str(resposta.get("text") or "").strip()
    if isinstance(resposta.get("image"), str):
        texto = f"{texto}\n{resposta['image']}".strip()
    botoes = replies.botoes(resposta)
    if not texto and not botoes:
        return
    partes = dividir_texto(texto or content.texto("canais", "telegram_escolha"))
    teclado = None
    if botoes:
        # the Botao itself is the callback data: PTB keeps it and sends Telegram a short id
        teclado = InlineKeyboardMarkup(
            [[InlineKeyboardButton(botao.titulo, callback_data=botao)] for botao in botoes]
        )
    for i, parte in enumerate(partes):
        ultima = i == len(partes) - 1
        # no parse_mode: nothing the user or the bot typed is read as HTML/Markdown
        enviada = await context.bot.send_message(
            chat_id, parte, reply_markup=teclado if ultima else None
        )
        message_id = getattr(enviada, "message_id", None)  # None from a stand-in bot
        if teclado is not None and ultima and message_id is not None:
            await remover_teclado_anterior(context, chat_id)  # two keyboards in one turn
            dados_do_chat(context)[TECLADO_ANTERIOR] = message_id


async def remover_teclado_anterior(context: ContextTypes.DEFAULT_TYPE, chat_id: int) -> None:
    """Edit away the keyboard of the chat's previous message with buttons, if any.

    The conversation moved on: its buttons belong to an earlier question.
    A failed edit (message too old, already edited) is logged and ignored.
    """
    message_id = dados_do_chat(context).pop(TECLADO_ANTERIOR, None)
    if message_id is None:
        return
    try:
        await context.bot.edit_message_reply_markup(
            chat_id=chat_id, message_id=message_id, reply_markup=None
        )
    except TelegramError as erro:
        logger.info("teclado anterior não removido (%s)", type(erro).__name__)


async def _enviar_planilha(
    context: ContextTypes.DEFAULT_TYPE, chat_id: int, planilha: dict[str, Any]
) -> None:
    """Send the request's spreadsheet as a document (only NTS-*.xlsx from planilhas_dir)."""
    caminho = replies.planilha_segura(adaptador(context).planilhas_dir, planilha.get("arquivo"))
    if caminho is None:
        logger.warning(
            "planilha recusada ou ausente (protocolo %s)", str(planilha.get("protocolo"))[:20]
        )
        await context.bot.send_message(
            chat_id, content.texto("canais", "telegram_planilha_indisponivel")
        )
        return
    dados = await asyncio.to_thread(caminho.read_bytes)
    await context.bot.send_document(chat_id, document=dados, filename=caminho.name)
