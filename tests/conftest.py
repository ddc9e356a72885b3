"""Shared fixtures (project paths, loaded content, throw-away PostgreSQL databases,
the running assistant) and the ``e2e`` marker put on every test that starts the
launcher."""

from __future__ import annotations

import inspect
import os
import subprocess
import sys
import time
import types
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from processes import stop

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
        s.store.fechar()


# the PostgreSQL the tests create their databases on (trust auth, database ``test``)
PG_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


@pytest.fixture(scope="session")
def pg_admin() -> Iterator[Any]:
    """Autocommit engine on ``PG_URL``'s database; skip (or fail under CI) if down."""
    import sqlalchemy as sa

    engine = sa.create_engine(
        PG_URL, future=True, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5}
    )
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except sa.exc.OperationalError as erro:
        engine.dispose()
        motivo = f"PostgreSQL unreachable at {sa.engine.make_url(PG_URL)!r}: {erro.orig}"
        if os.environ.get("CI"):
            pytest.fail(motivo)
        pytest.skip(motivo)
    yield engine
    engine.dispose()


def pg_url_de(nome: str) -> str:
    """The URL of database ``nome`` on ``PG_URL``'s server."""
    from sqlalchemy.engine import make_url

    return str(make_url(PG_URL).set(database=nome))


@pytest.fixture()
def pg_url(pg_admin) -> Iterator[str]:
    """URL of a fresh, uniquely named PostgreSQL database, dropped afterwards."""
    import sqlalchemy as sa

    nome = f"sei_test_{uuid.uuid4().hex[:12]}"
    with pg_admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{nome}"'))
    yield pg_url_de(nome)
    with pg_admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{nome}" WITH (FORCE)'))


@pytest.fixture()
def rng():
    import random

    return random.Random(20261125)


_running: list[pytest.Item] = []  # the test being run (start_launcher checks its marker)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item, nextitem):
    _running.append(item)
    try:
        return (yield)
    finally:
        _running.pop()


def _starts_launcher(obj, module, seen) -> bool:
    """Whether ``obj`` (a function, class or code object) starts Rasa: names
    ``start_launcher`` or the trained ``MODEL``, itself or through the functions and
    classes of ``module`` it names."""
    if id(obj) in seen:
        return False
    seen.add(id(obj))
    if inspect.isclass(obj):
        return any(_starts_launcher(v, module, seen) for v in vars(obj).values())
    code = obj if isinstance(obj, types.CodeType) else getattr(obj, "__code__", None)
    if code is None:
        return False
    if {"start_launcher", "MODEL"} & set(code.co_names):
        return True
    inner = [c for c in code.co_consts if isinstance(c, types.CodeType)]
    named = [getattr(module, n, None) for n in code.co_names]
    local = [v for v in named if getattr(v, "__module__", None) == module.__name__]
    return any(_starts_launcher(o, module, seen) for o in inner + local)


def pytest_collection_modifyitems(items):
    """Mark ``e2e`` the tests that use ``server``, start the launcher or use the trained
    model (directly, in a helper of their module or in a fixture), so ``make test-fast``
    never starts Rasa."""
    for item in items:
        if item.get_closest_marker("e2e") or not isinstance(item, pytest.Function):
            continue
        funcs = [item.function]
        for name in item.fixturenames:
            funcs += [d.func for d in item._fixtureinfo.name2fixturedefs.get(name, ())]
        if "server" in item.fixturenames or any(
            _starts_launcher(f, sys.modules.get(f.__module__, item.module), set()) for f in funcs
        ):
            item.add_marker(pytest.mark.e2e)


# e2e tests type faster than people: the message limits have their own tests
# (tests/core/test_limites.py, the gateway's and the Telegram adapter's)
LIMITES_DE_TESTE = {
    "SEI_LIMITE_SESSAO": "1000/10",
    "SEI_LIMITE_ENDERECO": "",
    "SEI_LIMITE_CHAT": "1000/10",
    "SEI_LIMITE_TENTATIVAS": "",
}


def start_launcher(var_dir, rasa_port, actions_port, timeout=240, web_port=None, **extra_env):
    """Start `python -m bot.ops.launcher` (what `make run` runs) and wait until ready."""
    if _running and not _running[-1].get_closest_marker("e2e"):
        pytest.fail(f"{_running[-1].nodeid} inicia o launcher: marque-o com @pytest.mark.e2e")
    assert MODEL.exists(), "modelo ausente: rode 'make train' (make test treina antes)"
    log = Path(var_dir) / "launcher.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    env = dict(
        os.environ,
        SEI_RASA_PORT=str(rasa_port),
        SEI_ACTIONS_PORT=str(actions_port),
        SEI_WEB_PORT=str(web_port or rasa_port + 75),
        SEI_PAINEL_PORT=str(rasa_port + 150),  # the NTS panel the launcher starts too
        SEI_VAR_DIR=str(var_dir),
        **{**LIMITES_DE_TESTE, **extra_env},
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
    resp = httpx.post(f"http://127.0.0.1:{port}/webhooks/rest/webhook", json=body, timeout=60)
    resp.raise_for_status()
    return resp.json()


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """The assistant running for real on loopback, with its own var/ folder."""
    var_dir = tmp_path_factory.mktemp("var")
    proc, _ = start_launcher(var_dir, RASA_PORT, ACTIONS_PORT, web_port=WEB_PORT)
    yield proc, var_dir
    stop(proc)
