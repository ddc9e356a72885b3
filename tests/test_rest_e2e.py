"""The real thing: `python -m bot.launcher` (what `make run` starts), the
trained model, the action server and Rasa's REST channel on loopback."""
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "models" / "sei.tar.gz"
RASA_PORT, ACTIONS_PORT = 15905, 15955


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


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    assert MODEL.exists(), "modelo ausente: rode 'make train' (make test treina antes)"
    log = tmp_path_factory.mktemp("launcher") / "launcher.log"
    env = dict(os.environ, SEI_RASA_PORT=str(RASA_PORT), SEI_ACTIONS_PORT=str(ACTIONS_PORT))
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "bot.launcher"], cwd=ROOT, env=env,
                                stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        assert proc.poll() is None, log.read_text()[-3000:]
        if "pronto" in log.read_text():
            break
        time.sleep(1)
    else:
        proc.kill()
        pytest.fail("o assistente não ficou pronto em 240 s:\n" + log.read_text()[-3000:])
    yield proc, log
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=60)


def say(sender, text):
    req = urllib.request.Request(
        f"http://127.0.0.1:{RASA_PORT}/webhooks/rest/webhook",
        data=json.dumps({"sender": sender, "message": text}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=60) as resp:
        return json.loads(resp.read())


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
    for port in (RASA_PORT, ACTIONS_PORT):
        addrs = _listening_addresses(port)
        assert addrs, f"nada ouvindo na porta {port}"
        assert all(a in ("0100007F", "00000000000000000000000001000000") for a in addrs), addrs
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(f"http://127.0.0.1:{RASA_PORT}/status", timeout=10)
    assert err.value.code in (401, 403, 404)


def test_ctrl_c_stops_every_child(server):
    proc, log = server
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=60) == 0
    time.sleep(1)
    assert not _listening_addresses(RASA_PORT) and not _listening_addresses(ACTIONS_PORT)
