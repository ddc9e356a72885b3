"""Rasa's replies as Telegram messages: plain text within the limit, buttons, spreadsheets."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.ext import ContextTypes

from bot import content
from bot.channels import replies
from bot.channels.telegram.state import adaptador, dados_do_chat
from bot.solicitacoes.vocabulario import RESPOSTA_SEM_ANEXO

logger = logging.getLogger(__name__)

LIMITE_TEXTO = 4096  # Telegram's limit per message (UTF-16 code units)
ESPERA_CAPTURA = "espera_captura"  # chat_data key: True/False once the bot has answered


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
        botao.payload == RESPOSTA_SEM_ANEXO
        for resposta in respostas
        for botao in replies.botoes(resposta)
    )


async def mostrar(
    context: ContextTypes.DEFAULT_TYPE, chat_id: int, respostas: Sequence[dict[str, Any]]
) -> None:
    """Render Rasa's replies: texts, buttons, spreadsheets."""
    if respostas:
        dados_do_chat(context)[ESPERA_CAPTURA] = pede_captura(respostas)
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
        await context.bot.send_message(chat_id, parte, reply_markup=teclado if ultima else None)


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
