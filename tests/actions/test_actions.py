"""The FAQ actions, run on rasa-sdk Trackers built in code.

What the answers say, how suggestions are ranked and when a miss counts as
repeated is tested in tests/faq; here, only what the actions add: which
messages, buttons and slots reach Rasa.
"""

import asyncio
import re

import pytest
from conftest import ROOT
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import faq as faq_actions
from actions.servicos import servicos
from bot.faq import respostas
from bot.solicitacoes.tipos import TIPO_DO_TOPICO, TIPOS


def _user(intent, text="...", ranking=None):
    parse = {
        "intent": {"name": intent, "confidence": 0.9},
        "text": text,
        "intent_ranking": ranking or [{"name": intent, "confidence": 0.9}],
    }
    return {"event": "user", "text": text, "parse_data": parse}


def _tracker(*user_events):
    events = list(user_events)
    latest = events[-1]["parse_data"] if events else {}
    return Tracker("teste", {}, latest, events, False, None, {}, "action_listen")


def _run(action, tracker):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, {}))
    return dispatcher.messages, events


def _texts(messages):
    return [m["text"] for m in messages]


def test_request_topic_answer_offers_to_file_that_request_now():
    messages, events = _run(faq_actions.ResponderFaq(), _tracker(_user("faq_cargo_errado")))
    answer = respostas.responder("faq_cargo_errado", servicos().links)
    assert answer and _texts(messages[:-1]) == answer
    offer = messages[-1]
    assert offer["text"] == (
        "Posso preencher a solicitação de correção de cargo com você agora e gerar a "
        "planilha. Quer começar?"
    )
    assert offer["buttons"] == [
        {
            "title": "Preencher agora",
            "payload": '/abrir_solicitacao{"tipo_solicitacao":"correcao_cargo"}',
        },
        {
            "title": "Baixar planilha em branco",
            "payload": '/pedir_planilha{"tipo_solicitacao":"correcao_cargo"}',
        },
    ]
    assert [(e["name"], e["value"]) for e in events] == [("oferta_solicitacao", "correcao_cargo")]


def test_other_topic_answer_clears_the_pending_offer():
    messages, events = _run(faq_actions.ResponderFaq(), _tracker(_user("faq_quem_administra")))
    assert _texts(messages) == respostas.responder("faq_quem_administra", servicos().links)
    assert not any(m["buttons"] for m in messages)
    assert [(e["name"], e["value"]) for e in events] == [("oferta_solicitacao", None)]


def test_every_offer_names_a_topic_and_a_request_kind():
    assert set(TIPO_DO_TOPICO) <= set(respostas.carregar_topicos())
    assert set(TIPO_DO_TOPICO.values()) == set(TIPOS)


def test_faq_action_with_unknown_intent_does_not_crash():
    messages, events = _run(faq_actions.ResponderFaq(), _tracker(_user("greet")))
    assert [m["response"] for m in messages] == ["utter_nao_entendi"] and events == []


def test_full_menu_lists_all_topics_with_titles():
    messages, _ = _run(faq_actions.MostrarMenu(), _tracker(_user("help")))
    assert messages[0]["text"].startswith("Escolha um assunto")
    buttons = messages[0]["buttons"]
    assert len(buttons) == len(respostas.carregar_topicos()) == 20
    assert {"title": "Esqueci a senha", "payload": "/faq_esqueci_senha"} in buttons


def test_short_menu_after_greeting_ends_with_the_full_menu():
    messages, _ = _run(faq_actions.MostrarMenu(), _tracker(_user("greet")))
    assert messages[0]["text"].startswith("Assuntos mais procurados")
    buttons = messages[0]["buttons"]
    assert buttons[-1] == {"title": "Ver todos os assuntos", "payload": "/help"}
    assert [b["payload"] for b in buttons[:-1]] == [f"/{i}" for i in respostas.mais_procurados()]
    assert "/faq_cadastro_usuario" in [b["payload"] for b in buttons] and len(buttons) == 7


def test_fallback_buttons_are_the_ranked_topics_then_the_nts():
    ranking = [
        {"name": "nlu_fallback", "confidence": 0.45},
        {"name": "faq_esqueci_senha", "confidence": 0.40},
        {"name": "faq_mudar_senha", "confidence": 0.35},
    ]
    messages, _ = _run(
        faq_actions.NaoEntendi(), _tracker(_user("nlu_fallback", "senha sei", ranking))
    )
    assert messages[0]["response"] == "utter_sugestoes"
    assert messages[0]["buttons"] == [
        {"title": "Esqueci a senha", "payload": "/faq_esqueci_senha"},
        {"title": "Mudar a senha", "payload": "/faq_mudar_senha"},
        {"title": "Falar com o SESAU NTS", "payload": "/faq_contato_nts"},
    ]


def test_out_of_scope_says_so_and_shows_the_short_menu():
    messages, _ = _run(faq_actions.NaoEntendi(), _tracker(_user("out_of_scope")))
    assert messages[0]["response"] == "utter_fora_de_escopo"
    menu, _ = _run(faq_actions.MostrarMenu(), _tracker(_user("greet")))
    assert messages[0]["buttons"] == menu[0]["buttons"]


def test_second_miss_in_a_row_gives_the_human_contact():
    tracker = _tracker(_user("nlu_fallback", "xyz"), _user("out_of_scope", "abc"))
    messages, _ = _run(faq_actions.NaoEntendi(), tracker)
    assert messages[0]["response"] == "utter_segunda_falha"
    assert _texts(messages[1:]) == respostas.responder("faq_contato_nts", servicos().links)


@pytest.mark.parametrize("module", ["faq", "solicitacao"])
def test_actions_and_responses_they_use_exist_in_the_domain(domain, module):
    source = (ROOT / "actions" / f"{module}.py").read_text(encoding="utf-8")
    responses = set(re.findall(r'response="(utter_\w+)"', source))
    names = set(re.findall(r'return "((?:action|validate)_\w+)"', source))
    assert responses and names
    assert responses <= set(domain["responses"])
    assert {n for n in names if n.startswith("action_")} <= set(domain["actions"])
