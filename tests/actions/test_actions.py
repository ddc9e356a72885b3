"""The FAQ actions, run on rasa-sdk Trackers built in code."""

import asyncio

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import faq as faq_actions
from bot.faq import respostas
from bot.solicitacoes.tipos import TIPO_DO_TOPICO


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


@pytest.mark.parametrize("intent", sorted(respostas.load_topicos()))
def test_faq_action_answers_every_topic(intent):
    messages, events = _run(faq_actions.ActionResponderFaq(), _tracker(_user(intent)))
    answer = respostas.answer(intent, faq_actions._links())
    texts = [m["text"] for m in messages]
    assert texts[: len(answer)] == answer
    assert all(len(t) <= respostas.MAX_MESSAGE_CHARS for t in texts)
    tipo = TIPO_DO_TOPICO.get(intent)
    assert [(e["name"], e["value"]) for e in events] == [("oferta_solicitacao", tipo)]
    if tipo:  # request topics offer to file the request now
        assert messages[-1]["buttons"] == [
            {
                "title": "Preencher agora",
                "payload": f'/abrir_solicitacao{{"tipo_solicitacao":"{tipo}"}}',
            }
        ]
    else:
        assert len(messages) == len(answer)


def test_faq_action_with_unknown_intent_does_not_crash():
    messages, _ = _run(faq_actions.ActionResponderFaq(), _tracker(_user("greet")))
    assert messages[0]["response"] == "utter_nao_entendi"


def test_full_menu_lists_all_topics_with_titles():
    messages, _ = _run(faq_actions.ActionMenu(), _tracker(_user("help")))
    buttons = messages[0]["buttons"]
    assert len(buttons) == 20
    assert {"title": "Esqueci a senha", "payload": "/faq_esqueci_senha"} in buttons


def test_short_menu_after_greeting_offers_all_topics_too():
    messages, _ = _run(faq_actions.ActionMenu(), _tracker(_user("greet")))
    payloads = [b["payload"] for b in messages[0]["buttons"]]
    assert payloads[-1] == "/help"
    assert "/faq_cadastro_usuario" in payloads and len(payloads) == 7


def test_fallback_offers_likeliest_topics_and_the_nts():
    ranking = [
        {"name": "nlu_fallback", "confidence": 0.45},
        {"name": "faq_esqueci_senha", "confidence": 0.40},
        {"name": "faq_mudar_senha", "confidence": 0.35},
        {"name": "greet", "confidence": 0.1},
    ]
    messages, _ = _run(
        faq_actions.ActionNaoEntendi(), _tracker(_user("nlu_fallback", "senha sei", ranking))
    )
    assert messages[0]["response"] == "utter_sugestoes"
    assert messages[0]["buttons"] == [
        {"title": "Esqueci a senha", "payload": "/faq_esqueci_senha"},
        {"title": "Mudar a senha", "payload": "/faq_mudar_senha"},
        {"title": "Falar com o SESAU NTS", "payload": "/faq_contato_nts"},
    ]


def test_out_of_scope_says_so_and_shows_the_menu():
    messages, _ = _run(faq_actions.ActionNaoEntendi(), _tracker(_user("out_of_scope")))
    assert messages[0]["response"] == "utter_fora_de_escopo"
    assert messages[0]["buttons"][-1]["payload"] == "/help"


def test_second_miss_in_a_row_gives_the_human_contact():
    tracker = _tracker(_user("nlu_fallback", "xyz"), _user("out_of_scope", "abc"))
    messages, _ = _run(faq_actions.ActionNaoEntendi(), tracker)
    assert messages[0]["response"] == "utter_segunda_falha"
    contact = "\n".join(m.get("text") or "" for m in messages[1:])
    assert "3315-1101" in contact and "3315-1128" in contact and "Helpdesk da GETIN" in contact


def test_responses_used_by_actions_exist_in_the_domain(domain):
    for name in [
        "utter_nao_entendi",
        "utter_sugestoes",
        "utter_fora_de_escopo",
        "utter_segunda_falha",
    ]:
        assert name in domain["responses"]
    for action in ["action_responder_faq", "action_menu", "action_nao_entendi"]:
        assert action in domain["actions"]
