"""The real thing: `python -m bot.ops.launcher` (what `make run` starts), the
trained model, the action server and Rasa's REST channel on loopback."""

import signal
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from conftest import ACTIONS_PORT, RASA_PORT, WEB_PORT, rest_say, start_launcher


def _listening_addresses(port):
    """Local addresses listening on ``port`` (from /proc/net/tcp{,6})."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            addr, hexport = local.split(":")
            if state == "0A" and int(hexport, 16) == port:
                found.append(addr)
    return found


def say(sender, text):
    return rest_say(RASA_PORT, sender, text)


def test_faq_question_in_informal_portuguese_gets_the_answer(server):
    replies = say("e2e-senha", "esqueci minha senha do sei o q eu faco")
    text = "\n".join(r.get("text", "") for r in replies)
    assert "recuperação de senha" in text
    assert "unidade de lotação atual" in text


def test_greeting_shows_menu_buttons(server):
    replies = say("e2e-oi", "bom dia")
    assert "assistente virtual do SEI" in replies[0]["text"]
    assert any(b["payload"] == "/help" for r in replies for b in r.get("buttons", []))


def test_button_payload_answers_the_topic(server):
    replies = say("e2e-botao", "/faq_contato_nts")
    assert "3315-1101" in "\n".join(r.get("text", "") for r in replies)


def test_two_misses_in_a_row_offer_the_nts(server):
    say("e2e-falha", "qual a previsao do tempo pra amanha em maceio")
    replies = say("e2e-falha", "quem ganhou o jogo do csa ontem")
    text = "\n".join(r.get("text", "") for r in replies)
    assert "SESAU NTS" in text and "3315-1128" in text


def test_servers_listen_only_on_loopback_and_http_api_is_off(server):
    for port in (RASA_PORT, ACTIONS_PORT, WEB_PORT):
        addrs = _listening_addresses(port)
        assert addrs, f"nada ouvindo na porta {port}"
        assert all(a in ("0100007F", "00000000000000000000000001000000") for a in addrs), addrs
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(f"http://127.0.0.1:{RASA_PORT}/status", timeout=10)
    assert err.value.code in (401, 403, 404)


def test_ctrl_c_stops_every_child(tmp_path):
    rasa_port, actions_port, web_port = RASA_PORT + 1, ACTIONS_PORT + 1, WEB_PORT + 1
    proc, _log = start_launcher(tmp_path, rasa_port, actions_port, web_port=web_port)
    portas = (rasa_port, actions_port, web_port)
    deadline = time.monotonic() + 120  # Rasa loads the model first: slow on a busy machine
    while not all(_listening_addresses(p) for p in portas) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert all(_listening_addresses(p) for p in portas)
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=60) == 0
    time.sleep(1)
    assert not any(_listening_addresses(p) for p in portas)
