"""Attachments received from requesters (screenshots of SEI errors).

The one place for what an attachment may be: ``LIMITE_ANEXO`` and the check
of its content (PNG or JPEG by magic bytes, whatever the file name says).
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
from typing import Any

from bot import content
from bot.arquivos import gravar_atomico
from bot.text import quoted

LIMITE_ANEXO = 10 * 1024 * 1024

_REF = re.compile(r"^[0-9a-f]{32}$")
_FORMATOS = (
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
)
# Formats refused, named in the message (keys of ``anexo.tipos`` in validacao.yml).
_OUTROS_TIPOS = (
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
    (b"%PDF", "pdf"),
    (b"BM", "bmp"),
    (b"PK\x03\x04", "zip"),
    (b"II*\x00", "tiff"),
    (b"MM\x00*", "tiff"),
)


class AnexoInvalido(ValueError):
    """The upload is not an acceptable screenshot; the message says why.

    ``codigo`` is the reason for code ("vazio", "tipo_arquivo", "tamanho").
    """

    def __init__(self, mensagem: str, codigo: str = "tipo_arquivo") -> None:
        super().__init__(mensagem)
        self.codigo = codigo


def _mensagem(chave: str, **campos: object) -> str:
    textos: dict[str, Any] = content.entrada("validacao", "anexo")
    return str(textos[chave]).format(**{**textos, **campos})


def _tipo_provavel(dados: bytes) -> str | None:
    """Key of the refused format ``dados`` looks like, if known."""
    for assinatura, tipo in _OUTROS_TIPOS:
        if dados.startswith(assinatura):
            return tipo
    if dados[:4] == b"RIFF" and dados[8:12] == b"WEBP":
        return "webp"
    if dados[4:8] == b"ftyp":
        return "heic"
    return None


def verificar(dados: Any, nome_arquivo: str | None = None) -> str:
    """The format ("png" or "jpeg") of an acceptable screenshot.

    ``dados`` may be anything a channel received; raises ``AnexoInvalido``
    unless it is a non-empty PNG or JPEG of at most ``LIMITE_ANEXO`` bytes.
    """
    if isinstance(dados, memoryview):
        dados = dados.tobytes()
    if dados is None or (isinstance(dados, (bytes, bytearray)) and not dados):
        raise AnexoInvalido(_mensagem("vazio"), "vazio")
    if not isinstance(dados, (bytes, bytearray)):
        raise AnexoInvalido(_mensagem("nao_e_arquivo"))
    if len(dados) > LIMITE_ANEXO:
        tamanho = f"{len(dados) / (1024 * 1024):.1f}".replace(".", ",")
        raise AnexoInvalido(_mensagem("tamanho", tamanho=tamanho), "tamanho")
    for assinatura, formato in _FORMATOS:
        if bytes(dados[: len(assinatura)]) == assinatura:
            return formato
    arquivo = f" {quoted(nome_arquivo, 60)}" if nome_arquivo else ""
    provavel = _tipo_provavel(bytes(dados[:16]))
    parece = ""
    if provavel:
        tipos: dict[str, str] = content.entrada("validacao", "anexo")["tipos"]
        parece = " " + _mensagem("parece", tipo=tipos[provavel])
    raise AnexoInvalido(_mensagem("formato", arquivo=arquivo, parece=parece))


def _dono(conversa: str) -> str:
    return hashlib.sha256(conversa.encode("utf-8")).hexdigest()


class AnexoStore:
    """Attachment files under one folder, with a small JSON record each."""

    def __init__(self, pasta: Path) -> None:
        self.pasta = Path(pasta)

    def salvar(self, dados: bytes, conversa: str, nome_arquivo: str | None = None) -> str:
        """Check and store an upload; return its reference (``AnexoInvalido`` if refused)."""
        formato = verificar(dados, nome_arquivo)
        ref = secrets.token_hex(16)
        self.pasta.mkdir(parents=True, exist_ok=True)
        gravar_atomico(self.pasta / f"{ref}.{formato}", lambda out: out.write(dados))
        meta = {"dono": _dono(conversa), "formato": formato, "bytes": len(dados)}
        meta_bytes = json.dumps(meta).encode("utf-8")
        gravar_atomico(self.pasta / f"{ref}.json", lambda out: out.write(meta_bytes))
        return ref

    def pertence(self, ref: str, conversa: str) -> bool:
        """True when ``ref`` exists and was uploaded by ``conversa``."""
        meta = self._meta(ref)
        if not meta:
            return False
        return secrets.compare_digest(meta["dono"], _dono(conversa))

    def caminho(self, ref: str) -> Path | None:
        """The stored file of a reference, or None."""
        meta = self._meta(ref)
        return self.pasta / f"{ref}.{meta['formato']}" if meta else None

    def _meta(self, ref: str) -> dict[str, Any] | None:
        if not isinstance(ref, str) or not _REF.match(ref):
            return None
        try:
            meta = json.loads((self.pasta / f"{ref}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return meta if isinstance(meta, dict) else None
