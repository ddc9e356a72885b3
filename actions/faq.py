"""Actions that answer the FAQ, show the menu and handle misunderstandings."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot import settings
from bot.faq import respostas, sugestoes
from bot.solicitacoes.tipos import TIPO_DO_TOPICO, TIPOS

BOTAO_NTS = {"title": "Falar com o SESAU NTS", "payload": "/faq_contato_nts"}
BOTAO_MENU_COMPLETO = {"title": "Ver todos os assuntos", "payload": "/help"}


@lru_cache(maxsize=1)
def _links() -> dict[str, respostas.Link]:
    return respostas.load_links(settings.load().links_file)


def _botao(intent: str) -> dict[str, str]:
    return {"title": respostas.load_topicos()[intent].titulo, "payload": f"/{intent}"}


def _user_intents(tracker: Tracker) -> list[str]:
    return [
        (e.get("parse_data") or {}).get("intent", {}).get("name") or ""
        for e in tracker.events
        if e.get("event") == "user"
    ]


def _utter_all(dispatcher: CollectingDispatcher, messages: list[str], buttons=None) -> None:
    for i, text in enumerate(messages):
        last = i == len(messages) - 1
        dispatcher.utter_message(text=text, buttons=buttons if last and buttons else None)


class ActionResponderFaq(Action):
    """Answers the FAQ topic of the latest intent, split for a phone screen."""

    def name(self) -> str:
        return "action_responder_faq"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        intent = tracker.get_intent_of_latest_message(skip_fallback_intent=False)
        if intent not in respostas.load_topicos():
            dispatcher.utter_message(response="utter_nao_entendi")
            return []
        _utter_all(dispatcher, respostas.answer(intent, _links()))
        tipo = TIPO_DO_TOPICO.get(intent)
        if tipo:
            dispatcher.utter_message(
                text=f"Posso preencher a solicitação de {TIPOS[tipo].no_texto} com "
                "você agora e gerar a planilha. Quer começar?",
                buttons=[
                    {
                        "title": "Preencher agora",
                        "payload": f'/abrir_solicitacao{{"tipo_solicitacao":"{tipo}"}}',
                    }
                ],
            )
        return [SlotSet("oferta_solicitacao", tipo)]


class ActionMenu(Action):
    """Shows the topics: the most asked ones, or all of them on "menu"/"ajuda"."""

    def name(self) -> str:
        return "action_menu"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        if tracker.get_intent_of_latest_message() == "help":
            buttons = [_botao(i) for i in respostas.load_topicos()]
            dispatcher.utter_message(
                text="Escolha um assunto ou escreva sua dúvida sobre o SEI com suas palavras:",
                buttons=buttons,
            )
        else:
            buttons = [_botao(i) for i in respostas.mais_procurados()] + [BOTAO_MENU_COMPLETO]
            dispatcher.utter_message(
                text="Assuntos mais procurados (ou escreva sua dúvida com suas palavras):",
                buttons=buttons,
            )
        return []


class ActionNaoEntendi(Action):
    """Fallback and out of scope: suggest topics; on a second miss, the NTS."""

    def name(self) -> str:
        return "action_nao_entendi"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        if sugestoes.is_repeated_miss(_user_intents(tracker)):
            dispatcher.utter_message(response="utter_segunda_falha")
            _utter_all(dispatcher, respostas.answer("faq_contato_nts", _links()))
            return []
        intent = tracker.get_intent_of_latest_message(skip_fallback_intent=False)
        if intent == sugestoes.OUT_OF_SCOPE_INTENT:
            buttons = [_botao(i) for i in respostas.mais_procurados()] + [BOTAO_MENU_COMPLETO]
            dispatcher.utter_message(response="utter_fora_de_escopo", buttons=buttons)
            return []
        ranking = tracker.latest_message.get("intent_ranking") or []
        topicos = sugestoes.suggest_topics(ranking, respostas.load_topicos())
        dispatcher.utter_message(
            response="utter_sugestoes",
            buttons=[_botao(i) for i in topicos] + [BOTAO_NTS],
        )
        return []
