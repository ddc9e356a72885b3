"""Rasa glue of the notifications: "parar avisos [protocolo]" (bot.notificacoes)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from typing_extensions import override

from actions.respostas import ou_tente_de_novo
from actions.servicos import servicos
from bot import content
from bot.notificacoes.avisos import Avisos
from bot.solicitacoes.protocolo import protocolo_consultado


def _ultimo_protocolo(sender: str) -> str | None:
    """The newest request this conversation filed, if any."""
    proprias = [s for s in servicos().store.listar() if s.contato == sender]
    return proprias[-1].protocolo if proprias else None


class PararAvisos(Action):  # type: ignore[misc, unused-ignore]
    """Stops the notices of the protocol named (filed by this conversation), or of the
    conversation's last request; another conversation's protocol is refused."""

    @override
    def name(self) -> str:
        return "action_parar_avisos"

    @override
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        texto = tracker.latest_message.get("text") or ""
        with ou_tente_de_novo(dispatcher, "falha ao parar os avisos"):
            protocolo = protocolo_consultado(texto) or _ultimo_protocolo(tracker.sender_id)
            if protocolo is None:
                dispatcher.utter_message(text=content.texto("canais", "avisos_qual_protocolo"))
                return []
            s = servicos()
            solicitacao = s.store.buscar(protocolo)
            if solicitacao is None or solicitacao.contato != tracker.sender_id:
                # only the conversation that filed it (protocols are sequential)
                chave = (
                    "avisos_de_outra_conversa" if solicitacao else "avisos_protocolo_desconhecido"
                )
                dispatcher.utter_message(text=content.texto("canais", chave, protocolo=protocolo))
                return []
            dispatcher.utter_message(text=Avisos(s.store, s.settings).parar(protocolo))
        return []
