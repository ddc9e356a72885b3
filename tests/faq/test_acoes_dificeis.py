"""FAQ actions for the hard cases (issue 16): several questions, off-page ones."""

import asyncio

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import faq as faq_actions
from actions.servicos import servicos
from bot import content
from bot.faq import respostas


def _tracker(intent, ranking=None, **extra):
    parse = {
        "intent": {"name": intent, "confidence": 1.0},
        "text": "...",
        "intent_ranking": ranking or [{"name": intent, "confidence": 1.0}],
        **extra,
    }
    events = [{"event": "user", "text": "...", "parse_data": parse}]
    return Tracker("teste", {}, parse, events, False, None, {}, "action_listen")


def _run(action, tracker):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, {}))
    return dispatcher.messages, events


def test_two_questions_get_both_answers_each_under_its_title():
    tracker = _tracker("varias_perguntas", perguntas=["faq_esqueci_senha", "faq_lotacao"])
    messages, events = _run(faq_actions.ResponderFaq(), tracker)
    texts = [m["text"] for m in messages]
    links = servicos().links
    topicos = respostas.carregar_topicos()
    senha = respostas.responder("faq_esqueci_senha", links)
    lotacao = respostas.responder("faq_lotacao", links)
    assert texts[0] == content.texto(
        "menu", "sobre_topico", titulo=topicos["faq_esqueci_senha"].titulo
    )
    assert texts[1 : 1 + len(senha)] == senha
    assert texts[1 + len(senha)] == content.texto(
        "menu", "sobre_topico", titulo=topicos["faq_lotacao"].titulo
    )
    assert texts[2 + len(senha) : 2 + len(senha) + len(lotacao)] == lotacao
    # the offer of the request kind, once, after both answers
    assert texts[-1].endswith("Quer começar?")
    assert sum(t.endswith("Quer começar?") for t in texts) == 1
    assert {"event": "slot", "name": "oferta_solicitacao", "value": "lotacao"} in [
        {k: e[k] for k in ("event", "name", "value")} for e in events
    ]


def test_unknown_topics_in_several_questions_are_skipped():
    tracker = _tracker("varias_perguntas", perguntas=["faq_inexistente"])
    messages, _ = _run(faq_actions.ResponderFaq(), tracker)
    assert messages[0]["response"] == "utter_nao_entendi"


def test_off_page_question_says_so_with_the_nts_and_nearby_topics_only_as_buttons():
    ranking = [
        {"name": "fora_da_pagina", "confidence": 0.7},
        {"name": "faq_relatar_erro", "confidence": 0.2},
        {"name": "faq_assinatura_digital", "confidence": 0.06},
    ]
    messages, events = _run(faq_actions.ForaDaPagina(), _tracker("fora_da_pagina", ranking))
    texts = [m["text"] for m in messages]
    assert "não cobre isso" in texts[0]
    assert "3315-1101" in texts[0] and "3315-1128" in texts[0] and "Helpdesk da GETIN" in texts[0]
    assert texts[1] == respostas.formatar_link(servicos().links.get("helpdesk_getin"))
    payloads = [b["payload"] for b in messages[-1]["buttons"]]
    assert payloads == ["/faq_relatar_erro", "/faq_assinatura_digital", "/faq_contato_nts"]
    # no topic's answer is given
    for topico in respostas.carregar_topicos():
        for parte in respostas.responder(topico, servicos().links):
            assert parte not in texts
    assert events == [
        {"event": "slot", "timestamp": None, "name": "oferta_solicitacao", "value": None}
    ]


def test_the_nts_button_is_offered_once_even_when_it_is_a_nearby_topic():
    ranking = [
        {"name": "fora_da_pagina", "confidence": 0.7},
        {"name": "faq_contato_nts", "confidence": 0.2},
        {"name": "faq_prazo_atendimento", "confidence": 0.06},
    ]
    for action in (faq_actions.ForaDaPagina(), faq_actions.NaoEntendi()):
        messages, _ = _run(action, _tracker("fora_da_pagina", ranking))
        payloads = [b["payload"] for b in messages[-1]["buttons"]]
        assert payloads.count("/faq_contato_nts") == 1


def test_a_topic_and_an_off_page_question_get_the_answer_and_the_not_covered_note():
    tracker = _tracker("varias_perguntas", perguntas=["faq_esqueci_senha", "fora_da_pagina"])
    messages, _ = _run(faq_actions.ResponderFaq(), tracker)
    texts = [m["text"] for m in messages]
    senha = respostas.responder("faq_esqueci_senha", servicos().links)
    assert texts[1 : 1 + len(senha)] == senha
    nota = content.texto("menu", "fora_da_pagina_outra")
    assert nota in texts and "não cobre isso" in nota
    assert texts.index(nota) > len(senha)
