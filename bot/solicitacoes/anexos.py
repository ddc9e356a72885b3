"""Attachments received from requesters (screenshots of SEI errors).

A channel stores the uploaded bytes here and hands the returned reference to
the form (as message metadata ``anexo``). References are random and bound to
the conversation that uploaded them: another conversation cannot use them.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from pathlib import Path

from bot.arquivos import gravar_atomico
from bot.solicitacoes import validacao

_REF = re.compile(r"^[0-9a-f]{32}$")


class AnexoInvalido(ValueError):
    """The upload is not an acceptable screenshot; the message says why."""


def _dono(conversa: str) -> str:
    return hashlib.sha256(conversa.encode("utf-8")).hexdigest()


class AnexoStore:
    """Attachment files under one folder, with a small JSON record each."""

    def __init__(self, pasta: Path) -> None:
        self.pasta = Path(pasta)

    def salvar(self, dados: bytes, conversa: str, nome_arquivo: str | None = None) -> str:
        """Check and store an upload; return its reference."""
        resultado = validacao.validar_anexo(dados, nome_arquivo)
        if not resultado.ok:
            raise AnexoInvalido(resultado.erro)
        ref = secrets.token_hex(16)
        self.pasta.mkdir(parents=True, exist_ok=True)
        gravar_atomico(self.pasta / f"{ref}.{resultado.valor}", lambda out: out.write(dados))
        meta = {"dono": _dono(conversa), "formato": resultado.valor, "bytes": len(dados)}
        meta_bytes = json.dumps(meta).encode("utf-8")
        gravar_atomico(self.pasta / f"{ref}.json", lambda out: out.write(meta_bytes))
        return ref

    def pertence(self, ref: str, conversa: str) -> bool:
        """True when ``ref`` exists and was uploaded by ``conversa``."""
        meta = self._meta(ref)
        return bool(meta) and secrets.compare_digest(meta["dono"], _dono(conversa))

    def caminho(self, ref: str) -> Path | None:
        """The stored file of a reference, or None."""
        meta = self._meta(ref)
        return self.pasta / f"{ref}.{meta['formato']}" if meta else None

    def _meta(self, ref: str) -> dict | None:
        if not isinstance(ref, str) or not _REF.match(ref):
            return None
        try:
            return json.loads((self.pasta / f"{ref}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
