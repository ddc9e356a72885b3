"""Fixtures of the notification tests (helpers: ``avisos_apoio``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from avisos_apoio import ServidorSmtp, pg_novo, porta_livre

from bot.solicitacoes.store import RequestStore


@pytest.fixture
def smtp() -> Iterator[ServidorSmtp]:
    """A real SMTP server (aiosmtpd) on a port of SEI_TEST_PORT_BASE's range."""
    servidor = ServidorSmtp(porta_livre()).iniciar()
    yield servidor
    servidor.parar()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The request store on SQLite, then on a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'var' / 'requests.db'}"
        return
    url, apagar = pg_novo()
    yield url
    apagar()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'var' / 'requests.db'}"


@pytest.fixture
def abrir() -> Iterator[Callable[[str], RequestStore]]:
    """Open stores; all are closed at teardown."""
    abertos: list[RequestStore] = []

    def _abrir(url: str) -> RequestStore:
        abertos.append(RequestStore(url))
        return abertos[-1]

    yield _abrir
    for s in abertos:
        s.fechar()
