"""Helpers of the notification tests: a real SMTP server (aiosmtpd) that can be
stopped and started again, settings (fresh PostgreSQL databases: conftest ``pg_url``)."""

from __future__ import annotations

import os
import threading
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller

from bot import settings

ROOT = Path(__file__).resolve().parents[2]
PORT_BASE = int(os.environ.get("SEI_TEST_PORT_BASE", "15900"))
_portas = iter(range(PORT_BASE + 100, PORT_BASE + 199))


def porta_livre() -> int:
    """A port of this session's range (one per server started)."""
    return next(_portas)


class Caixa:
    """aiosmtpd handler: keeps every accepted message; refuses listed recipients."""

    def __init__(self, pausa_s: float = 0.0) -> None:
        self.mensagens: list[EmailMessage] = []
        self.recusar: set[str] = set()
        self.pausa_s = pausa_s
        self._trava = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.recusar:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.pausa_s:
            import asyncio

            await asyncio.sleep(self.pausa_s)
        msg = message_from_bytes(envelope.content, policy=policy.default)
        with self._trava:
            self.mensagens.append(msg)  # type: ignore[arg-type]
        return "250 Message accepted for delivery"

    def para(self, endereco: str) -> list[EmailMessage]:
        with self._trava:
            return [m for m in self.mensagens if m["To"] == endereco]

    def todas(self) -> list[EmailMessage]:
        with self._trava:
            return list(self.mensagens)


class ServidorSmtp:
    """A real SMTP server on 127.0.0.1:porta."""

    def __init__(self, porta: int, pausa_s: float = 0.0) -> None:
        self.porta = porta
        self.caixa = Caixa(pausa_s)
        self._controle: Controller | None = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.porta}"

    def iniciar(self) -> ServidorSmtp:
        self._controle = Controller(self.caixa, hostname="127.0.0.1", port=self.porta)
        self._controle.start()
        return self

    def parar(self) -> None:
        if self._controle is not None:
            self._controle.stop()
            self._controle = None


def corpo(msg: EmailMessage) -> str:
    """The plain text part of an e-mail."""
    parte = msg.get_body(preferencelist=("plain",))
    assert parte is not None
    return str(parte.get_content())


def html(msg: EmailMessage) -> str:
    """The HTML part of an e-mail."""
    parte = msg.get_body(preferencelist=("html",))
    assert parte is not None
    return str(parte.get_content())


def ambiente(tmp_path: Path, url: str, **env: str) -> dict[str, str]:
    """Environment of a test: var under tmp_path, the store at ``url``, fast retries."""
    base = {
        "SEI_PROJECT_ROOT": str(ROOT),
        "SEI_VAR_DIR": str(tmp_path / "var"),
        "REQUESTS_DB_URL": url,
        "SEI_EMAIL_REMETENTE": "assistente-sei@saude.al.gov.br",
        "SEI_AVISOS_ESPERA_S": "0.2",
        "SEI_AVISOS_RESUMO_HORA": "23:59",
        "SEI_PAINEL_URL": "https://painel.exemplo.gov.br/nts",
        "SEI_AVISOS_PARAR_URL": "https://chat.exemplo.gov.br/avisos/parar",
    }
    base.update(env)
    return base


def configurar(tmp_path: Path, url: str, **env: str) -> settings.Settings:
    """Settings built from ``ambiente``."""
    return settings.load(ambiente(tmp_path, url, **env))
