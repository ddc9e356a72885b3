"""'parar avisos' in the chat (issue 13): only the conversation that filed the request."""

from __future__ import annotations

import asyncio
import random

import pytest
from geradores import gerar_cpf
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import avisos as acoes
from bot.notificacoes.avisos import Avisos


@pytest.fixture(autouse=True)
def _servicos(servicos, monkeypatch):
    monkeypatch.setattr(acoes, "servicos", lambda: servicos)
    return servicos


def _dizer(texto, sender):
    tracker = Tracker(
        sender,
        {},
        {"text": texto, "intent": {"name": "parar_avisos", "confidence": 0.97}},
        [],
        False,
        None,
        {},
        "action_listen",
    )
    dispatcher = CollectingDispatcher()
    asyncio.run(acoes.PararAvisos().run(dispatcher, tracker, {}))
    return " ".join(m.get("text") or "" for m in dispatcher.messages)


def _registrar(servicos, contato, n):
    linha = {"nome": "Ana Lima", "cpf": gerar_cpf(random.Random(n)), "cargo": "Enfermeiro"}
    s, _ = servicos.store.registrar(
        "correcao_cargo",
        [linha],
        canal="web",
        contato=contato,
        unidade="GETIN",
        chave_envio=f"k{n}",
    )
    return s.protocolo


def test_stop_the_notices_of_my_last_request_or_the_one_named(servicos):
    avisos = Avisos.de(servicos)
    meu1, meu2 = _registrar(servicos, "web-eu", 1), _registrar(servicos, "web-eu", 2)
    alheio = _registrar(servicos, "web-outro", 3)
    for p in (meu1, meu2, alheio):
        avisos.assinar(p, "email", "ana.lima@gmail.com")
    assert meu2 in _dizer("parar avisos", "web-eu")  # the newest one of this conversation
    assert "não vai mais receber" in _dizer(f"parar avisos {meu1.lower()}", "web-eu")
    recusa = _dizer(f"parar avisos do protocolo {alheio}", "web-eu")
    assert "não foi registrada nesta conversa" in recusa
    assert "não vai mais receber" in avisos.parar(alheio)  # it was left on
    assert "número do protocolo" in _dizer("parar avisos", "web-sem-pedidos")
