"""Rasa glue of planilhas in the chat: a blank one on request, a filled one checked.

The work is in ``bot.solicitacoes.planilha_chat``; these actions move data
between the tracker and it. The checked rows wait in the
``planilha_conferida`` slot until the requester files them, sends a
corrected file or cancels.
"""

from __future__ import annotations

import asyncio
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from typing_extensions import override

from actions.respostas import utter
from actions.servicos import servicos
from bot.solicitacoes import pedido, planilha_chat
from bot.solicitacoes.tipos import TIPOS

SLOT = "planilha_conferida"
PEDIR = "pedir_planilha"
DECIDIR = "decidir_planilha"


def _payload_modelo(tipo: str) -> str:
    return f'/{PEDIR}{{"tipo_solicitacao":"{tipo}"}}'


def _payloads_decisao() -> dict[str, str]:
    return {d: f'/{DECIDIR}{{"decisao":"{d}"}}' for d in ("registrar", "corrigir", "cancelar")}


def botoes_da_oferta(tipo: str | None) -> list[dict[str, str]]:
    """Hook for the FAQ answer of a request topic: "Baixar planilha em branco"."""
    if tipo not in TIPOS or not TIPOS[tipo].planilha:
        return []
    return [{"title": planilha_chat.titulo_botao_modelo(), "payload": _payload_modelo(tipo)}]


class EnviarModelo(Action):  # type: ignore[misc, unused-ignore]
    """A blank planilha of the kind asked for (or the question of which one)."""

    @override
    def name(self) -> str:
        return "action_enviar_modelo"

    @override
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        tipo = pedido.tipo_pedido(
            entidades=tracker.latest_message.get("entities") or [],
            texto=tracker.latest_message.get("text") or "",
            oferta=None,
            tipos=planilha_chat.TIPOS_COM_PLANILHA,
        )
        if tipo is None:
            utter(dispatcher, planilha_chat.pergunta_modelo(_payload_modelo))
            return []
        utter(dispatcher, await asyncio.to_thread(planilha_chat.modelo, servicos(), tipo))
        return []


class ConferirPlanilha(Action):  # type: ignore[misc, unused-ignore]
    """A filled planilha uploaded (metadata ``planilha``): checked row by row."""

    @override
    def name(self) -> str:
        return "action_conferir_planilha"

    @override
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        ref = (tracker.latest_message.get("metadata") or {}).get("planilha")
        resultado = await asyncio.to_thread(
            planilha_chat.conferir,
            servicos(),
            ref,
            tracker.sender_id,
            _payloads_decisao(),
            tracker.get_slot(SLOT),
        )
        utter(dispatcher, resultado.mensagens)
        return [SlotSet(SLOT, resultado.pendente)]


class DecidirPlanilha(Action):  # type: ignore[misc, unused-ignore]
    """After the check: file the correct rows, wait for a corrected file, or cancel."""

    @override
    def name(self) -> str:
        return "action_decidir_planilha"

    @override
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        decisao = next(
            (
                e.get("value")
                for e in tracker.latest_message.get("entities") or []
                if e.get("entity") == "decisao"
            ),
            None,
        )
        mensagens = await asyncio.to_thread(
            planilha_chat.decidir,
            servicos(),
            tracker.get_slot(SLOT),
            str(decisao or ""),
            tracker.get_latest_input_channel() or "desconhecido",
            tracker.sender_id,
        )
        utter(dispatcher, mensagens.mensagens)
        return [SlotSet(SLOT, mensagens.pendente)]
