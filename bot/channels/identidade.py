"""Conversation ids and signed download links, shared by the channels.

- Sender ids sent to Rasa never carry the raw Telegram chat id: they are an
  HMAC of it under a secret kept in ``var/`` (created on first use, 0600).
- Download links (spreadsheets, attachments) are stateless signed tokens
  (itsdangerous, HMAC-SHA256): expiring, and bound to one conversation.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from typing import Any

from itsdangerous import BadData, TimestampSigner, URLSafeTimedSerializer


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
