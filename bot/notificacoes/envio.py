"""Channel senders: e-mail over SMTP (smtplib) and Telegram over the Bot API (httpx).

``SEI_SMTP_URL``: ``smtp://[user:password@]host[:587]`` (STARTTLS, required
unless the host is loopback, e.g. a local relay) or ``smtps://...[:465]``
(implicit TLS). Certificates are verified (``ssl.create_default_context``),
every call has a timeout, the password comes only from the URL in the
environment and is never logged. A ``Falha`` says whether retrying can help
(``permanente``: a refused address, an unknown chat).
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate
from urllib.parse import unquote, urlsplit

import httpx

from bot.notificacoes.textos import Mensagem

logger = logging.getLogger(__name__)

TIMEOUT_S = 30.0


class Falha(Exception):
    """A delivery that did not happen; ``permanente``: retrying will not help."""

    def __init__(self, motivo: str, permanente: bool = False) -> None:
        super().__init__(motivo)
        self.permanente = permanente


@dataclass(frozen=True)
class ConfigSmtp:
    """A parsed ``SEI_SMTP_URL`` (``repr`` hides the password)."""

    host: str
    port: int
    tls_direto: bool
    usuario: str | None
    senha: str | None

    def __repr__(self) -> str:
        return f"ConfigSmtp({self.host}:{self.port}, tls_direto={self.tls_direto})"

    @classmethod
    def da_url(cls, url: str) -> ConfigSmtp:
        """Parse the URL; ValueError (Portuguese) naming what is wrong."""
        partes = urlsplit(url.strip())
        if partes.scheme not in ("smtp", "smtps"):
            raise ValueError(
                "SEI_SMTP_URL: esperado smtp://usuario:senha@servidor:587 (STARTTLS) ou "
                f"smtps://... (TLS), recebido o esquema {partes.scheme!r}."
            )
        if not partes.hostname:
            raise ValueError("SEI_SMTP_URL: falta o nome do servidor (smtp://servidor:587).")
        direto = partes.scheme == "smtps"
        return cls(
            host=partes.hostname,
            port=partes.port or (465 if direto else 587),
            tls_direto=direto,
            usuario=unquote(partes.username) if partes.username else None,
            senha=unquote(partes.password) if partes.password else None,
        )

    @property
    def local(self) -> bool:
        """The server is on this machine (a relay: STARTTLS used if offered)."""
        try:
            return ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return self.host == "localhost"


def message_id(chave: str, dominio: str) -> str:
    """The e-mail's Message-ID: the same for every attempt of one notification (the
    idempotency key, hashed: it carries no address), so a receiver can drop a copy."""
    return f"<aviso.{hashlib.sha256(chave.encode()).hexdigest()[:40]}@{dominio}>"


def _mensagem(remetente: str, para: str, msg: Mensagem, chave: str) -> EmailMessage:
    email = EmailMessage()
    email["From"] = remetente
    email["To"] = para
    email["Subject"] = msg.assunto
    email["Date"] = formatdate(localtime=False)
    dominio = remetente.rpartition("@")[2] or "localhost"
    email["Message-ID"] = message_id(chave, dominio)
    if msg.link_parar:  # RFC 8058: the mail client's own one-click "unsubscribe" (a POST)
        email["List-Unsubscribe"] = f"<{msg.link_parar}>"
        email["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    email.set_content(msg.texto)
    email.add_alternative(msg.html, subtype="html")
    return email


class EnvioSmtp:
    """One SMTP connection, opened on first use, reopened after an error."""

    def __init__(self, config: ConfigSmtp, remetente: str, timeout_s: float = TIMEOUT_S) -> None:
        self.config = config
        self.remetente = remetente
        self.timeout_s = timeout_s
        self._conexao: smtplib.SMTP | None = None

    def _abrir(self) -> smtplib.SMTP:
        c = self.config
        contexto = ssl.create_default_context()
        conexao: smtplib.SMTP
        if c.tls_direto:
            conexao = smtplib.SMTP_SSL(c.host, c.port, timeout=self.timeout_s, context=contexto)
        else:
            conexao = smtplib.SMTP(c.host, c.port, timeout=self.timeout_s)
            conexao.ehlo()
            if conexao.has_extn("starttls"):
                conexao.starttls(context=contexto)
                conexao.ehlo()
            elif not c.local:
                conexao.close()
                raise Falha(f"o servidor SMTP {c.host} não oferece STARTTLS")
        if c.usuario:
            conexao.login(c.usuario, c.senha or "")
        return conexao

    def enviar(self, para: str, msg: Mensagem, chave: str) -> None:
        """Send one e-mail; ``Falha`` if not accepted."""
        email = _mensagem(self.remetente, para, msg, chave)
        try:
            if self._conexao is None:
                self._conexao = self._abrir()
            self._conexao.send_message(email)
        except smtplib.SMTPRecipientsRefused as erro:
            codigo = next(iter(erro.recipients.values()))[0]
            self.fechar()
            raise Falha(
                f"SMTP recusou o destinatário ({codigo})", permanente=codigo >= 500
            ) from None
        except smtplib.SMTPResponseException as erro:
            self.fechar()
            raise Falha(f"SMTP {erro.smtp_code}", permanente=erro.smtp_code >= 500) from None
        except (OSError, smtplib.SMTPException) as erro:  # down, timeout, TLS
            self.fechar()
            raise Falha(f"SMTP indisponível ({type(erro).__name__})") from None

    def fechar(self) -> None:
        """Close the connection (the next send opens another)."""
        conexao, self._conexao = self._conexao, None
        if conexao is not None:
            try:
                conexao.quit()
            except (OSError, smtplib.SMTPException):
                conexao.close()


class EnvioTelegram:
    """``sendMessage`` of the Bot API (base URL: ``TELEGRAM_API_URL`` or the real one)."""

    def __init__(self, token: str, api_url: str | None, timeout_s: float = TIMEOUT_S) -> None:
        base = (api_url or "https://api.telegram.org").rstrip("/").removesuffix("/bot")
        self._url = f"{base}/bot{token}/sendMessage"
        self._cliente = httpx.Client(timeout=timeout_s)

    def enviar(self, chat: str, texto: str) -> None:
        """Send one message; ``Falha`` if the API refuses it."""
        try:
            resposta = self._cliente.post(self._url, json={"chat_id": chat, "text": texto})
        except httpx.HTTPError as erro:
            raise Falha(f"Telegram indisponível ({type(erro).__name__})") from None
        if resposta.status_code == 200:
            return
        permanente = resposta.status_code in (400, 403)  # unknown chat, bot blocked
        raise Falha(f"Telegram {resposta.status_code}", permanente=permanente)

    def fechar(self) -> None:
        """Release the HTTP connections."""
        self._cliente.close()
