"""Planilhas uploaded by requesters, kept until they are checked and filed.

A channel stores the received bytes here (bounded by ``leitura.LIMITE_BYTES``
before anything else) and hands the returned reference to the assistant as
message metadata ``planilha``. References are random and bound to the
conversation that uploaded them, as screenshots are (``anexos.AnexoStore``).
Nothing is parsed here: ``leitura.ler_planilha`` checks the content.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import secrets
from pathlib import Path
from typing import Any

from bot.arquivos import gravar_atomico
from bot.solicitacoes.leitura import LIMITE_BYTES, PlanilhaRecusada

_REF = re.compile(r"^[0-9a-f]{32}$")
SUBPASTA = "planilhas"


def _dono(conversa: str) -> str:
    return hashlib.sha256(conversa.encode("utf-8")).hexdigest()


class PlanilhaRecebidaStore:
    """Uploaded planilhas under one folder, with a small JSON record each."""

    def __init__(self, pasta: Path) -> None:
        self.pasta = Path(pasta)

    @classmethod
    def junto_dos_anexos(cls, anexos_dir: Path) -> PlanilhaRecebidaStore:
        """The store every process uses: ``<anexos_dir>/planilhas``."""
        return cls(Path(anexos_dir) / SUBPASTA)

    def salvar(self, dados: bytes, conversa: str) -> str:
        """Store an upload (``PlanilhaRecusada`` if empty or too big); its reference."""
        if not dados:
            raise PlanilhaRecusada("vazio")
        if len(dados) > LIMITE_BYTES:
            raise PlanilhaRecusada("tamanho", mb=f"{len(dados) / 1048576:.1f}".replace(".", ","))
        ref = secrets.token_hex(16)
        self.pasta.mkdir(parents=True, exist_ok=True)
        gravar_atomico(self.pasta / f"{ref}.bin", lambda out: out.write(dados))
        meta = json.dumps({"dono": _dono(conversa), "bytes": len(dados)}).encode("utf-8")
        gravar_atomico(self.pasta / f"{ref}.json", lambda out: out.write(meta))
        return ref

    def ler(self, ref: object, conversa: str) -> bytes | None:
        """The bytes of ``ref`` when it exists and ``conversa`` uploaded it."""
        meta = self._meta(ref)
        if meta is None or not secrets.compare_digest(str(meta.get("dono")), _dono(conversa)):
            return None
        try:
            return (self.pasta / f"{ref}.bin").read_bytes()
        except OSError:
            return None

    def remover(self, ref: object) -> None:
        """Forget an upload (checked and filed, or cancelled)."""
        if isinstance(ref, str) and _REF.match(ref):
            for sufixo in (".bin", ".json"):
                with contextlib.suppress(OSError):
                    (self.pasta / f"{ref}{sufixo}").unlink()

    def _meta(self, ref: object) -> dict[str, Any] | None:
        if not isinstance(ref, str) or not _REF.match(ref):
            return None
        try:
            meta = json.loads((self.pasta / f"{ref}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return meta if isinstance(meta, dict) else None
