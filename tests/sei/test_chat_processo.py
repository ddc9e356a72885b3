"""Item 19 in the chat (issue 14): "onde está o processo ...?" answered from SEI itself,
through the FAQ action, against the PHP stand-in; without SEI, today's answer."""

# ruff: noqa: F811 - pytest fixtures imported from apoio_sei are arguments
from __future__ import annotations

import asyncio

from apoio_sei import cfg, standin  # noqa: F401 (pytest fixtures)
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import faq
from bot.sei.cliente import ClienteSei, PedidoProcesso
from bot.sei.config import ConfigSei
from bot.solicitacoes.servicos import Servicos


def _perguntar(texto, intent="faq_consultar_tramitacao"):
    tracker = Tracker(
        "conversa-sei",
        {},
        {
            "text": texto,
            "intent": {"name": intent, "confidence": 0.95},
            "intent_ranking": [{"name": intent, "confidence": 0.95}],
        },
        [],
        False,
        None,
        {},
        "action_listen",
    )
    dispatcher = CollectingDispatcher()
    asyncio.run(faq.ResponderFaq().run(dispatcher, tracker, {}))
    return "\n".join(m.get("text") or "" for m in dispatcher.messages)


def test_where_is_my_process_is_answered_from_sei(cfg, standin, monkeypatch):
    s = Servicos(cfg)
    monkeypatch.setattr(faq, "servicos", lambda: s)
    sei = ConfigSei.de_settings(cfg)
    assert sei is not None
    gerado = ClienteSei(sei).gerar_procedimento(
        PedidoProcesso("Cadastro - NTS-2026-000009", "GETIN", "GETIN", "x")
    )
    standin.andar(gerado.numero, "32", "Processo remetido pela unidade SESAU-NTS", "SESAU-GETIN")
    resposta = _perguntar(f"onde está o processo {gerado.numero}?")
    assert f"Processo {gerado.numero}" in resposta and "SESAU-GETIN" in resposta
    assert "Cadastro - NTS" not in resposta  # nothing but type, last step, units, link
    sem_numero = _perguntar("como consulto a tramitação de um processo?")
    assert "Processo E:" not in sem_numero and sem_numero  # the page's own answer


def test_without_sei_the_page_answer_stays(servicos, monkeypatch):
    monkeypatch.setattr(faq, "servicos", lambda: servicos)
    resposta = _perguntar("onde está o processo E:02000.0000003030/2020?")
    assert "Processo E:02000" not in resposta and resposta
