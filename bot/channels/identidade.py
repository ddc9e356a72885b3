"""Conversation ids and signed download links, shared by the channels.

- Sender ids sent to Rasa never carry the raw Telegram chat id: they are an
  HMAC of it under a secret kept in ``var/`` (created on first use, 0600).
- Download links (spreadsheets, attachments) are stateless signed tokens:
  unguessable (HMAC-SHA256), expiring, and bound to one conversation.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import time
from pathlib import Path


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


def _b64(dados: bytes) -> str:
    return base64.urlsafe_b64encode(dados).rstrip(b"=").decode()


def _de_b64(texto: str) -> bytes:
    return base64.urlsafe_b64decode(texto + "=" * (-len(texto) % 4))


def _dono(conversa: str) -> str:
    return hashlib.sha256(conversa.encode()).hexdigest()[:32]


class Links:
    """Signed, expiring download tokens bound to a conversation."""

    def __init__(self, segredo: bytes, validade_s: int) -> None:
        self._segredo = segredo
        self.validade_s = validade_s

    def _assinar(self, carga: bytes) -> str:
        return _b64(hmac.new(self._segredo, b"download:" + carga, hashlib.sha256).digest())

    def emitir(self, arquivo: str, conversa: str, agora: float | None = None) -> str:
        """Token for ``arquivo`` (a file name), valid for this conversation only."""
        expira = int((agora if agora is not None else time.time()) + self.validade_s)
        carga = json.dumps(
            {"a": arquivo, "c": _dono(conversa), "e": expira}, separators=(",", ":")
        ).encode()
        return f"{_b64(carga)}.{self._assinar(carga)}"

    def verificar(self, token: str, conversa: str, agora: float | None = None) -> str | None:
        """The file name of a valid token for ``conversa``, else None."""
        try:
            parte, assinatura = token.split(".", 1)
            carga = _de_b64(parte)
            if not hmac.compare_digest(assinatura, self._assinar(carga)):
                return None
            dados = json.loads(carga)
        except (ValueError, TypeError):
            return None
        if not hmac.compare_digest(str(dados.get("c")), _dono(conversa)):
            return None
        if (agora if agora is not None else time.time()) > dados.get("e", 0):
            return None
        arquivo = dados.get("a")
        return arquivo if isinstance(arquivo, str) else None
