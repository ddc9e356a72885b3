"""SMTP over TLS with certificates verified: STARTTLS (smtp://) and implicit TLS
(smtps://) against a real aiosmtpd server with a test CA; login with the URL's
password, which no log line shows; an unknown CA is refused."""

from __future__ import annotations

import datetime as dt
import ipaddress
import logging
import ssl
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from avisos_apoio import Caixa, porta_livre
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from bot.notificacoes.envio import ConfigSmtp, EnvioSmtp, Falha, message_id
from bot.notificacoes.textos import Mensagem

MSG = Mensagem("Assunto", "Texto", "<p>Texto</p>")


def _nome(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def certificados(pasta: Path) -> tuple[Path, Path, Path]:
    """(CA pem, server cert pem, server key pem) for 127.0.0.1."""
    agora = dt.datetime.now(dt.timezone.utc)
    chave_ca = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(_nome("CA de teste"))
        .issuer_name(_nome("CA de teste"))
        .public_key(chave_ca.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(agora - dt.timedelta(hours=1))
        .not_valid_after(agora + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(chave_ca, hashes.SHA256())
    )
    chave = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(_nome("127.0.0.1"))
        .issuer_name(ca.subject)
        .public_key(chave.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(agora - dt.timedelta(hours=1))
        .not_valid_after(agora + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(chave_ca, hashes.SHA256())
    )
    caminhos = (pasta / "ca.pem", pasta / "cert.pem", pasta / "key.pem")
    caminhos[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    caminhos[1].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    caminhos[2].write_bytes(
        chave.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return caminhos


class Autenticador:
    def __init__(self) -> None:
        self.vistos: list[tuple[str, str]] = []

    def __call__(self, server, session, envelope, mechanism, auth_data):
        login = auth_data.login.decode()
        senha = auth_data.password.decode()
        self.vistos.append((login, senha))
        return AuthResult(success=(login, senha) == ("avisos", "s3nh@-secreta"))


@pytest.fixture
def tls(tmp_path):
    ca, cert, chave = certificados(tmp_path)
    contexto = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    contexto.load_cert_chain(cert, chave)
    return ca, contexto


@pytest.mark.parametrize("modo", ["starttls", "implicito"])
def test_tls_verified_login_and_no_password_in_logs(tls, modo, monkeypatch, caplog):
    ca, contexto = tls
    caixa, autenticador, porta = Caixa(), Autenticador(), porta_livre()
    opcoes = {"authenticator": autenticador, "auth_require_tls": True}
    if modo == "starttls":
        opcoes.update(tls_context=contexto, require_starttls=True)
    else:  # the whole connection is TLS (aiosmtpd does not count it for auth_require_tls)
        opcoes.update(ssl_context=contexto, auth_require_tls=False)
    controle = Controller(caixa, hostname="127.0.0.1", port=porta, **opcoes)
    controle.start()
    esquema = "smtp" if modo == "starttls" else "smtps"
    url = f"{esquema}://avisos:s3nh%40-secreta@127.0.0.1:{porta}"
    try:
        envio = EnvioSmtp(ConfigSmtp.da_url(url), "assistente@saude.al.gov.br", timeout_s=10)
        with pytest.raises(Falha) as erro:  # the test CA is not trusted yet
            envio.enviar("pessoa@example.org", MSG, "k:1")
        assert not erro.value.permanente and "SSL" in str(erro.value)
        monkeypatch.setenv("SSL_CERT_FILE", str(ca))  # now it is (OpenSSL's default paths)
        with caplog.at_level(logging.DEBUG):
            envio.enviar("pessoa@example.org", MSG, "k:2")
            envio.fechar()
        assert [m["Message-ID"] for m in caixa.todas()] == [message_id("k:2", "saude.al.gov.br")]
        assert autenticador.vistos[-1] == ("avisos", "s3nh@-secreta")
        assert "s3nh" not in caplog.text and "s3nh" not in repr(ConfigSmtp.da_url(url))
    finally:
        controle.stop()


def test_remote_server_without_starttls_is_refused():
    config = ConfigSmtp("smtp.exemplo.gov.br", 25, False, None, None)
    assert not config.local
    assert ConfigSmtp.da_url("smtp://127.0.0.1:25").local
    assert ConfigSmtp.da_url("smtps://mail.exemplo.gov.br").port == 465
    assert ConfigSmtp.da_url("smtp://mail.exemplo.gov.br").port == 587
    with pytest.raises(ValueError, match="SEI_SMTP_URL"):
        ConfigSmtp.da_url("mailto:x@y")
