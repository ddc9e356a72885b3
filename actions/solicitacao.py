"""Rasa glue of the request forms: start, each turn, ask, end, status.

All decisions live in ``bot.solicitacoes.motor``; these actions only move data between
the tracker and the engine (the engine's state lives in the ``rascunho`` slot).
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from typing_extensions import override

from actions.respostas import ou_tente_de_novo, utter
from actions.servicos import novo_motor, servicos
from bot.faq import sugestoes
from bot.solicitacoes import pedido, vocabulario
from bot.solicitacoes.estado import Estado
from bot.solicitacoes.mensagens import texto as texto_formulario
from bot.solicitacoes.mensagens import texto_status
from bot.solicitacoes.protocolo import protocolo_consultado
from bot.solicitacoes.tipos import TIPOS
from bot.text import normalize_text

FORMULARIO = "formulario_solicitacao"


def _estado(tracker: Tracker) -> Estado | None:
    data = tracker.get_slot("rascunho")
    vivo = isinstance(data, dict) and (data.get("tipo") or data.get("fase") == "tipo")
    return Estado.de_dict(data) if vivo else None


def _anexo_verificado(tracker: Tracker) -> str | None:
    """The attachment reference of the message, if this conversation uploaded it."""
    ref = (tracker.latest_message.get("metadata") or {}).get("anexo")
    if ref and servicos().anexos.pertence(str(ref), tracker.sender_id):
        return str(ref)
    return None


class IniciarSolicitacao(Action):  # type: ignore[misc, unused-ignore]
    """Starts the request form (the engine asks the kind when it is unclear)."""

    @override
    def name(self) -> str:
        return "action_iniciar_solicitacao"

    @override
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        tipo = pedido.tipo_pedido(
            entidades=tracker.latest_message.get("entities") or [],
            texto=tracker.latest_message.get("text") or "",
            oferta=tracker.get_slot("oferta_solicitacao")
            if tracker.get_intent_of_latest_message() == "affirm"
            else None,
            tipos=TIPOS,
        )
        resposta = novo_motor().iniciar(tipo, avisar_lgpd=not tracker.get_slot("lgpd_avisado"))
        resposta.estado.mensagem_inicial = tracker.latest_message.get("message_id")
        utter(dispatcher, resposta.mensagens)
        return [
            SlotSet("rascunho", resposta.estado.para_dict()),
            SlotSet("resposta", None),
            SlotSet("oferta_solicitacao", None),
            SlotSet("lgpd_avisado", True),
            FollowupAction(FORMULARIO),
        ]


class ValidarFormularioSolicitacao(FormValidationAction):  # type: ignore[misc, unused-ignore]
    """Every user message of an active request goes to the engine."""

    @override
    def name(self) -> str:
        return "validate_formulario_solicitacao"

    async def validate_resposta(
        self,
        slot_value: Any,  # noqa: ARG002 (rasa-sdk's signature of validate_<slot>)
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],  # noqa: ARG002
    ) -> dict[str, Any]:
        estado = _estado(tracker)
        if estado is None:  # state lost: end the form cleanly
            dispatcher.utter_message(response="utter_solicitacao_perdida")
            return {"resposta": "perdida", "rascunho": None}
        inicial = estado.mensagem_inicial
        if inicial and tracker.latest_message.get("message_id") == inicial:
            return {"resposta": None}  # the message that opened the form answers nothing
        intent = tracker.latest_message.get("intent") or {}
        resposta = novo_motor().responder(
            estado,
            tracker.latest_message.get("text"),
            intent=intent.get("name"),
            confianca=float(intent.get("confidence") or 0.0),
            anexo=_anexo_verificado(tracker),
            canal=tracker.get_latest_input_channel() or "desconhecido",
            contato=tracker.sender_id,
        )
        utter(dispatcher, resposta.mensagens)
        return {
            "resposta": resposta.estado.fase if resposta.concluido else None,
            "rascunho": resposta.estado.para_dict(),
        }


class PerguntarResposta(Action):  # type: ignore[misc, unused-ignore]
    """Asks the current question of the active request."""

    @override
    def name(self) -> str:
        return "action_ask_resposta"

    @override
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        estado = _estado(tracker)
        if estado is not None:
            utter(dispatcher, novo_motor().pergunta(estado))
        return []


class EncerrarSolicitacao(Action):  # type: ignore[misc, unused-ignore]
    """Clears the form slots once a request is filed or cancelled."""

    @override
    def name(self) -> str:
        return "action_encerrar_solicitacao"

    @override
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        return [SlotSet("resposta", None), SlotSet("rascunho", None)]


class ConsultarStatus(Action):  # type: ignore[misc, unused-ignore]
    """Status of a protocol: kind, status and dates, never personal data."""

    @override
    def name(self) -> str:
        return "action_consultar_status"

    @override
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        texto = tracker.latest_message.get("text") or ""
        protocolo = protocolo_consultado(texto)
        if protocolo is None:
            dispatcher.utter_message(response="utter_pedir_protocolo")
            return []
        with ou_tente_de_novo(dispatcher, "falha ao consultar o protocolo %s", protocolo):
            status = servicos().status_publico(protocolo)
            cancelar = bool(vocabulario.PEDE_CANCELAMENTO.search(normalize_text(texto)))
            dispatcher.utter_message(text=texto_status(protocolo, status, cancelar=cancelar))
        return []


class BotaoAntigo(Action):  # type: ignore[misc, unused-ignore]
    """A form button tapped after its form ended: refused, nothing filed."""

    @override
    def name(self) -> str:
        return "action_botao_antigo"

    @override
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(text=texto_formulario("botao_antigo_sem_formulario"))
        return []


class Afirmar(Action):  # type: ignore[misc, unused-ignore]
    """A "sim" right after a request topic's answer starts that request."""

    @override
    def name(self) -> str:
        return "action_afirmar"

    @override
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        oferta = tracker.get_slot("oferta_solicitacao")
        if oferta in TIPOS and sugestoes.acao_anterior(tracker.events) == "action_responder_faq":
            return [FollowupAction("action_iniciar_solicitacao")]
        dispatcher.utter_message(response="utter_afirmar_sem_contexto")
        return []
