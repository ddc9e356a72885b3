"""actions.respostas: the try-again fallback the actions share."""

from __future__ import annotations

import logging

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.respostas import ou_tente_de_novo


def test_a_failure_is_logged_and_answered_with_try_again(caplog: pytest.LogCaptureFixture):
    dispatcher = CollectingDispatcher()
    falha = ("falha ao consultar o protocolo %s", "NTS-2026-000001")
    with caplog.at_level(logging.ERROR, logger="actions"), ou_tente_de_novo(dispatcher, *falha):
        dispatcher.utter_message(text="antes")
        raise RuntimeError("banco fora do ar")
    assert [m.get("response") or m.get("text") for m in dispatcher.messages] == [
        "antes",
        "utter_tente_de_novo",
    ]
    assert "falha ao consultar o protocolo NTS-2026-000001" in caplog.text
    assert "banco fora do ar" in caplog.text  # the traceback


def test_without_a_failure_nothing_is_added():
    dispatcher = CollectingDispatcher()
    with ou_tente_de_novo(dispatcher, "falha"):
        dispatcher.utter_message(text="ok")
    assert [m["text"] for m in dispatcher.messages] == ["ok"]
