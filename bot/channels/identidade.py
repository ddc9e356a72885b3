"""Conversation ids and signed download links, shared by the channels.

- Sender ids sent to Rasa never carry the raw Telegram chat id: they are an
  HMAC of it under a secret kept in ``var/`` (created on first use, 0600).
- Download links (spreadsheets, attachments) are stateless signed tokens
  (itsdangerous, HMAC-SHA256): expiring, and bound to one conversation.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import time
from pathlib import Path
from typing import Any

from itsdangerous import BadData, TimestampSigner, URLSafeTimedSerializer


def carregar_segredo(caminho: Path) -> bytes:
    """Read the channel secret, creating it (random, mode 0600) the first time."""
    caminho = Path(caminho)
    try:
        dados = caminho.read_bytes()
        if len(dados) >= 32:
            return dados
    except FileNotFoundError:
        pass
    caminho.parent.mkdir(parents=True, exist_ok=True)
    novo = secrets.token_bytes(32)
    temporario = caminho.with_name(f".{caminho.name}.{os.getpid()}.tmp")
    fd = os.open(temporario, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as saida:
        saida.write(novo)
        saida.flush()
        os.fsync(saida.fileno())
    try:
        os.link(temporario, caminho)  # atomic: the first process to create it wins
    except FileExistsError:
        pass
    finally:
        os.unlink(temporario)
    return caminho.read_bytes()


def remetente(canal: str, identificador: str, segredo: bytes) -> str:
    """Stable, non-reversible sender id of a chat ("telegram-3f9a...")."""
    mac = hmac.new(segredo, f"{canal}:{identificador}".encode(), hashlib.sha256)
    return f"{canal}-{mac.hexdigest()[:32]}"


class _Assinador(TimestampSigner):
    """A timestamp signer whose clock can be set (tests issue expired links)."""

    def __init__(self, *args: Any, agora: float | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._agora = agora

    def get_timestamp(self) -> int:
        """Seconds since the epoch: the given instant, else now."""
        return int(time.time() if self._agora is None else self._agora)


class Links:
    """Signed, expiring download tokens bound to a conversation.

    The conversation is part of the signing salt: a token verifies only for
    the conversation it was issued to, only for ``validade_s`` seconds.
    """

    def __init__(self, segredo: bytes, validade_s: int) -> None:
        self._segredo = segredo
        self.validade_s = validade_s

    def _serializador(self, conversa: str, agora: float | None) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(
            self._segredo,
            salt=f"download:{conversa}",
            signer=_Assinador,
            signer_kwargs={
                "key_derivation": "hmac",
                "digest_method": hashlib.sha256,
                "agora": agora,
            },
        )

    def emitir(self, arquivo: str, conversa: str, agora: float | None = None) -> str:
        """Token for ``arquivo`` (a file name), valid for this conversation only."""
        return self._serializador(conversa, agora).dumps(arquivo)

    def verificar(self, token: str, conversa: str, agora: float | None = None) -> str | None:
        """The file name of a valid token for ``conversa``, else None."""
        try:
            arquivo = self._serializador(conversa, agora).loads(token, max_age=self.validade_s)
        except BadData:  # forged, malformed, expired or another conversation's
            return None
        return arquivo if isinstance(arquivo, str) else None
