"""Actions that answer the FAQ, show the menu and handle misunderstandings."""

from __future__ import annotations

import asyncio
import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from typing_extensions import override

from actions.planilha import botoes_da_oferta
from actions.servicos import servicos
from bot import content
from bot.faq import respostas, sugestoes
from bot.solicitacoes.mensagens import texto as texto_formulario
from bot.solicitacoes.tipos import TIPO_DO_TOPICO, TIPOS

MENU = "menu"
MENU_COMPLETO = "/help"
CONTATO_NTS = "/faq_contato_nts"
VARIAS_PERGUNTAS = "varias_perguntas"
FORA_DA_PAGINA = "fora_da_pagina"
HELPDESK = "helpdesk_getin"
TRAMITACAO = "faq_consultar_tramitacao"
LINK_CONSULTA = "consulta_processos"
# a SEI process number in the message ("onde está o processo E:02000.0000003030/2020?")
_NUMERO_DE_PROCESSO = re.compile(r"(?<![0-9])[0-9]{5}\.[0-9]{1,10}[/\-][0-9]{4}|[0-9]{19}")
CONSULTA_TIMEOUT_S = 8.0  # a chat turn does not wait longer for SEI


async def _consulta_sei(texto: str) -> str | None:
    """Item 19: the process's type, last step and units, from SEI itself; None when
    the SEI web service is not configured or the message names no process."""
    if not _NUMERO_DE_PROCESSO.search(texto):
        return None
    from bot.sei.cliente import cliente_configurado
    from bot.sei.consulta import consultar_processo

    s = servicos()
    cliente = cliente_configurado(s.settings, timeout_s=CONSULTA_TIMEOUT_S)
    if cliente is None:
        return None
    link = s.links.get(LINK_CONSULTA)
    url = getattr(link, "url", None) if link is not None else None
    return await asyncio.to_thread(consultar_processo, cliente, texto, url)


def _botao(intent: str) -> dict[str, str]:
    return {"title": respostas.carregar_topicos()[intent].titulo, "payload": f"/{intent}"}


def _botao_menu_completo() -> dict[str, str]:
    return {"title": content.texto(MENU, "botao_menu_completo"), "payload": MENU_COMPLETO}


def _botoes_sugeridos(ranking: list[dict[str, Any]]) -> list[dict[str, str]]:
    """The likeliest topics of a ranking as buttons, then the NTS (once)."""
    topicos = sugestoes.sugerir_topicos(ranking, respostas.carregar_topicos())
    botao_nts = {"title": content.texto(MENU, "botao_nts"), "payload": CONTATO_NTS}
    return [_botao(i) for i in topicos if f"/{i}" != CONTATO_NTS] + [botao_nts]


def _user_intents(tracker: Tracker) -> list[str]:
    return [
        (e.get("parse_data") or {}).get("intent", {}).get("name") or ""
        for e in tracker.events
        if e.get("event") == "user"
    ]


def _enviar(dispatcher: CollectingDispatcher, textos: list[str]) -> None:
    for text in textos:
        dispatcher.utter_message(text=text)


class ResponderFaq(Action):  # type: ignore[misc, unused-ignore]
    """Answers the FAQ topic of the latest intent, split for a phone screen."""

    @override
    def name(self) -> str:
        return "action_responder_faq"

    @override
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        intent = tracker.get_intent_of_latest_message(skip_fallback_intent=False)
        topicos = respostas.carregar_topicos()
        perguntas: list[str] = []
        if intent == VARIAS_PERGUNTAS:
            perguntas = list(tracker.latest_message.get("perguntas") or [])
        pedidas = [i for i in perguntas if i in topicos] or ([intent] if intent in topicos else [])
        if not pedidas:
            dispatcher.utter_message(response="utter_nao_entendi")
            return []
        if pedidas == [TRAMITACAO]:
            consulta = await _consulta_sei(tracker.latest_message.get("text") or "")
            if consulta:
                dispatcher.utter_message(text=consulta)
                return [SlotSet("oferta_solicitacao", None)]
        links = servicos().links
        for topico in pedidas:
            if len(perguntas) > 1:
                dispatcher.utter_message(
                    text=content.texto(MENU, "sobre_topico", titulo=topicos[topico].titulo)
                )
            _enviar(dispatcher, respostas.responder(topico, links))
        if FORA_DA_PAGINA in perguntas:  # the other question: not on the page
            dispatcher.utter_message(text=content.texto(MENU, "fora_da_pagina_outra"))
            dispatcher.utter_message(text=respostas.formatar_link(links.get(HELPDESK)))
        tipo = next((TIPO_DO_TOPICO[t] for t in reversed(pedidas) if t in TIPO_DO_TOPICO), None)
        if tipo:
            payload = f'/abrir_solicitacao{{"tipo_solicitacao":"{tipo}"}}'
            dispatcher.utter_message(
                text=texto_formulario("oferta", tipo=TIPOS[tipo].no_texto),
                buttons=[
                    {"title": texto_formulario("botao_oferta"), "payload": payload},
                    *botoes_da_oferta(tipo),  # "Baixar planilha em branco" (actions/planilha)
                ],
            )
        return [SlotSet("oferta_solicitacao", tipo)]


class ForaDaPagina(Action):  # type: ignore[misc, unused-ignore]
    """An SEI question the page does not answer: say so, the NTS, nearby topics.

    Never another topic's answer: the closest topics are only offered as
    buttons.
    """

    @override
    def name(self) -> str:
        return "action_fora_da_pagina"

    @override
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        links = servicos().links
        dispatcher.utter_message(text=content.texto(MENU, "fora_da_pagina"))
        dispatcher.utter_message(text=respostas.formatar_link(links.get(HELPDESK)))
        ranking = tracker.latest_message.get("intent_ranking") or []
        dispatcher.utter_message(
            text=content.texto(MENU, "fora_da_pagina_assuntos"), buttons=_botoes_sugeridos(ranking)
        )
        return [SlotSet("oferta_solicitacao", None)]


class MostrarMenu(Action):  # type: ignore[misc, unused-ignore]
    """Shows the topics: the most asked ones, or all of them on "menu"/"ajuda"."""

    @override
    def name(self) -> str:
        return "action_menu"

    @override
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        if tracker.get_intent_of_latest_message() == "help":
            buttons = [_botao(i) for i in respostas.carregar_topicos()]
            dispatcher.utter_message(text=content.texto(MENU, "menu_completo"), buttons=buttons)
        else:
            buttons = [_botao(i) for i in respostas.mais_procurados()] + [_botao_menu_completo()]
            dispatcher.utter_message(text=content.texto(MENU, "menu_curto"), buttons=buttons)
        return []


class NaoEntendi(Action):  # type: ignore[misc, unused-ignore]
    """Fallback and out of scope: suggest topics; on a second miss, the NTS."""

    @override
    def name(self) -> str:
        return "action_nao_entendi"

    @override
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        if sugestoes.falha_repetida(_user_intents(tracker)):
            dispatcher.utter_message(response="utter_segunda_falha")
            _enviar(dispatcher, respostas.responder("faq_contato_nts", servicos().links))
            return []
        if sugestoes.acao_anterior(tracker.events) == "action_responder_faq":
            # the number alone, right after the "consultar processo" answer
            consulta = await _consulta_sei(tracker.latest_message.get("text") or "")
            if consulta:
                dispatcher.utter_message(text=consulta)
                return []
        intent = tracker.get_intent_of_latest_message(skip_fallback_intent=False)
        if intent == sugestoes.INTENCAO_FORA_DO_ESCOPO:
            buttons = [_botao(i) for i in respostas.mais_procurados()] + [_botao_menu_completo()]
            dispatcher.utter_message(response="utter_fora_de_escopo", buttons=buttons)
            return []
        ranking = tracker.latest_message.get("intent_ranking") or []
        dispatcher.utter_message(response="utter_sugestoes", buttons=_botoes_sugeridos(ranking))
        return []
