"""Shared fixtures: project paths and loaded content."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "models" / "sei.tar.gz"
# SEI_TEST_PORT_BASE lets two test sessions run side by side on one machine
PORT_BASE = int(os.environ.get("SEI_TEST_PORT_BASE", "15900"))
RASA_PORT, ACTIONS_PORT, WEB_PORT = PORT_BASE + 5, PORT_BASE + 55, PORT_BASE + 80


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def domain() -> dict:
    return yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def seed_text() -> str:
    return (ROOT / "docs" / "fonte" / "faq-sesau-sei.txt").read_text(encoding="utf-8")


@pytest.fixture()
def servicos(tmp_path):
    """Real services (catalogues, SQLite store, spreadsheets) in a temp folder."""
    from bot import settings
    from bot.solicitacoes.servicos import Servicos

    cfg = settings.load({"SEI_PROJECT_ROOT": str(ROOT), "SEI_VAR_DIR": str(tmp_path / "var")})
    s = Servicos(cfg)
    yield s
    if "store" in s.__dict__:
        s.store.close()


@pytest.fixture()
def rng():
    import random

    return random.Random(20261125)


def start_launcher(var_dir, rasa_port, actions_port, timeout=240, web_port=None, **extra_env):
    """Start `python -m bot.ops.launcher` (what `make run` runs) and wait until ready."""
    assert MODEL.exists(), "modelo ausente: rode 'make train' (make test treina antes)"
    log = Path(var_dir) / "launcher.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    env = dict(
        os.environ,
        SEI_RASA_PORT=str(rasa_port),
        SEI_ACTIONS_PORT=str(actions_port),
        SEI_WEB_PORT=str(web_port or rasa_port + 75),
        SEI_VAR_DIR=str(var_dir),
        **extra_env,
    )
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot.ops.launcher"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail("o launcher terminou:\n" + log.read_text()[-3000:])
        if "Assistente do SEI pronto" in log.read_text():
            return proc, log
        time.sleep(1)
    proc.kill()
    pytest.fail(f"o assistente não ficou pronto em {timeout} s:\n" + log.read_text()[-3000:])


def rest_say(port, sender, text, metadata=None):
    """One message through Rasa's REST channel; the bot's replies."""
    body = {"sender": sender, "message": text}
    if metadata:
        body["metadata"] = metadata
    req = urllib.request.Request(
        f"http://127.0.0.1:{port}/webhooks/rest/webhook",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=60) as resp:
        return json.loads(resp.read())


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """The assistant running for real on loopback, with its own var/ folder."""
    var_dir = tmp_path_factory.mktemp("var")
    proc, log = start_launcher(var_dir, RASA_PORT, ACTIONS_PORT, web_port=WEB_PORT)
    yield proc, var_dir
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=60)
