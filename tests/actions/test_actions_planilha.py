"""The planilha actions (actions/planilha.py) on rasa-sdk Trackers built in code, real services."""

from __future__ import annotations

import asyncio
import random

import pytest
from planilhas_geradas import escrever, linha_valida
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import faq as faq_actions
from actions import planilha as acoes
from bot import content
from bot.solicitacoes import planilha_chat
from bot.solicitacoes.tipos import TIPOS


@pytest.fixture()
def servicos_reais(servicos, monkeypatch):
    """The action server's services, pointed at this test's temporary folder."""
    monkeypatch.setattr(acoes, "servicos", lambda: servicos)
    return servicos


def _tracker(intent, text="...", entities=(), metadata=None, slots=None):
    parse = {
        "intent": {"name": intent, "confidence": 1.0},
        "text": text,
        "entities": list(entities),
        "metadata": metadata or {},
    }
    evento = {"event": "user", "text": text, "parse_data": parse, "input_channel": "rest"}
    return Tracker("conversa", slots or {}, parse, [evento], False, None, {}, "action_listen")


def _run(action, tracker):
    dispatcher = CollectingDispatcher()
    eventos = asyncio.run(action.run(dispatcher, tracker, {}))
    return dispatcher.messages, eventos


def test_blank_planilha_by_words_or_payload_and_the_question_otherwise(servicos_reais):
    mensagens, _ = _run(
        acoes.EnviarModelo(),
        _tracker("pedir_planilha", "me manda a planilha de cadastro de usuários"),
    )
    [m] = mensagens
    assert m["custom"]["arquivo"] == "Modelo-Cadastro-de-usuario.xlsx"
    assert (servicos_reais.settings.planilhas_dir / m["custom"]["arquivo"]).is_file()
    entidade = {"entity": "tipo_solicitacao", "value": "desanexacao"}
    [m] = _run(acoes.EnviarModelo(), _tracker("pedir_planilha", entities=[entidade]))[0]
    assert m["custom"]["arquivo"] == "Modelo-Desanexacao-de-processos.xlsx"
    [pergunta] = _run(acoes.EnviarModelo(), _tracker("pedir_planilha", "manda planilha"))[0]
    assert pergunta["text"] == content.texto("planilhas", "modelo_qual")
    payloads = [b["payload"] for b in pergunta["buttons"]]
    assert payloads == [acoes._payload_modelo(k) for k in TIPOS if TIPOS[k].planilha]


def test_check_then_file_through_the_actions(servicos_reais):
    tipo = TIPOS["correcao_cargo"]
    linha = linha_valida(tipo, random.Random(4), servicos_reais.catalogos, 0)
    dados = escrever(
        tipo, [linha], servicos_reais.settings.var_dir / "c.xlsx", servicos_reais.listas()
    )
    ref = planilha_chat.recebidas(servicos_reais).salvar(dados, "conversa")
    mensagens, eventos = _run(
        acoes.ConferirPlanilha(),
        _tracker("enviar_planilha", "/enviar_planilha", metadata={"planilha": ref}),
    )
    assert "1 linha correta, nenhuma com erro" in mensagens[0]["text"]
    [slot] = eventos
    assert slot["name"] == "planilha_conferida" and slot["value"]["grupos"]["correcao_cargo"]
    registrar = {"entity": "decisao", "value": "registrar"}
    mensagens, eventos = _run(
        acoes.DecidirPlanilha(),
        _tracker(
            "decidir_planilha", entities=[registrar], slots={"planilha_conferida": slot["value"]}
        ),
    )
    assert "Protocolo: NTS-" in mensagens[0]["text"]
    assert eventos == [
        {"event": "slot", "timestamp": None, "name": "planilha_conferida", "value": None}
    ]
    [solicitacao] = servicos_reais.store.listar()
    assert solicitacao.tipo == "correcao_cargo" and solicitacao.canal == "rest"


def test_faq_answer_of_a_kind_with_a_planilha_offers_the_blank_one():
    assert acoes.botoes_da_oferta("relato_erro") == []
    assert acoes.botoes_da_oferta("cadastro_usuario") == [
        {
            "title": "Baixar planilha em branco",
            "payload": '/pedir_planilha{"tipo_solicitacao":"cadastro_usuario"}',
        }
    ]
    assert faq_actions.botoes_da_oferta is acoes.botoes_da_oferta
