"""The notifications' secret: encrypts chat references, signs "parar avisos" links.

One random 32-byte file under ``var/`` (``SEI_AVISOS_SECRET_FILE``, mode 0600,
created on first use; the first process to create it wins). Keys for each
purpose are derived from it with HMAC-SHA256, so one file serves all three:
Fernet (addresses at rest), the lookup hash of a web sender, the link signer.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken
from itsdangerous import BadData, URLSafeSerializer

from bot import arquivos


def carregar(caminho: Path) -> bytes:
    """Read the secret, creating it (random, 0600, atomically) the first time."""
    return arquivos.carregar_segredo(caminho)


def _derivar(segredo: bytes, finalidade: str) -> bytes:
    return hmac.new(segredo, finalidade.encode(), hashlib.sha256).digest()


@dataclass(frozen=True)
class Chaves:
    """The keys derived from the secret file."""

    segredo: bytes

    @classmethod
    def do_arquivo(cls, caminho: Path) -> Chaves:
        """Keys from ``caminho`` (created if missing)."""
        return cls(carregar(caminho))

    def cifrar(self, texto: str) -> str:
        """``texto`` encrypted (Fernet token, ASCII)."""
        return self._fernet().encrypt(texto.encode()).decode("ascii")

    def decifrar(self, token: str) -> str | None:
        """The clear text of ``token``; None if it was not made with this key."""
        try:
            return self._fernet().decrypt(token.encode("ascii")).decode()
        except (InvalidToken, ValueError):
            return None

    def busca(self, canal: str, endereco: str) -> str:
        """Stable, non-reversible lookup value of an address (hex)."""
        return hmac.new(
            _derivar(self.segredo, "busca"), f"{canal}:{endereco}".encode(), hashlib.sha256
        ).hexdigest()

    def assinar_parada(self, protocolo: str) -> str:
        """URL-safe token of the one-click "parar avisos" link of a request."""
        return str(self._assinador().dumps(protocolo))

    def verificar_parada(self, token: str) -> str | None:
        """The protocol of a valid stop token, else None (forged, malformed)."""
        try:
            protocolo = self._assinador().loads(token)
        except BadData:
            return None
        return protocolo if isinstance(protocolo, str) else None

    def _fernet(self) -> Fernet:
        return Fernet(base64.urlsafe_b64encode(_derivar(self.segredo, "fernet")))

    def _assinador(self) -> URLSafeSerializer:
        return URLSafeSerializer(
            _derivar(self.segredo, "parar-avisos"),
            salt="parar-avisos",
            signer_kwargs={"key_derivation": "hmac", "digest_method": hashlib.sha256},
        )
