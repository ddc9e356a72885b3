"""The protocol number of a request, ``NTS-AAAA-NNNNNN``: the one place that
knows its shape (formatting, reading what a servant typed, file names)."""

from __future__ import annotations

import re

CANONICO = re.compile(r"NTS-[0-9]{4}-[0-9]{6}")
EXEMPLO = "NTS-2026-000123"
# as typed in a sentence: "status do protocolo nts 2026 000123" (exactly 4+6 digits)
_NO_TEXTO = re.compile(r"\bNTS\s*-?\s*(\d{4})\s*-?\s*(\d{6})\b", re.IGNORECASE)
# what looks like a protocol in a sentence, well formed or not ("NTS-2026-00002")
_MENCAO = re.compile(r"\bNTS(?:\s*-?\s*\d+)+\b", re.IGNORECASE)
# a whole value (a CLI argument, a field): other dashes and separators too, but
# exactly 4+6 digits: "NTS-2026-00002" is never taken for NTS-2026-000002
_VALOR = re.compile(r"^NTS[-_./–—]?(\d{4})[-_./–—]?(\d{6})$")
# a planilha file name; group 1 is the protocol
ARQUIVO_PLANILHA = re.compile(r"^(NTS-[0-9]{4}-[0-9]{6})\.xlsx$")


def formatar_protocolo(ano: int, sequencia: int) -> str:
    """``NTS-2026-000123`` from the year and the yearly sequence."""
    return f"NTS-{ano:04d}-{sequencia:06d}"


def protocolo_canonico(texto: object) -> bool:
    """True when ``texto`` is exactly a protocol in canonical form."""
    return isinstance(texto, str) and CANONICO.fullmatch(texto) is not None


def normalizar_protocolo(texto: str | None) -> str | None:
    """Canonical form of a value that should be a protocol, or None.

    Case-insensitive, tolerates spaces and other dashes (``nts 2026 000123``);
    a wrong number of digits is None, never the nearest protocol.
    """
    compacto = re.sub(r"\s+", "", str(texto or "")).upper()
    achado = _VALOR.match(compacto)
    return formatar_protocolo(int(achado.group(1)), int(achado.group(2))) if achado else None


def encontrar_protocolo(texto: str | None) -> re.Match[str] | None:
    """Where a protocol is mentioned in a message, well formed or not.

    A malformed mention ("NTS-2026-00002") is found too, so the status
    answer can say "confira o número" instead of ignoring it.
    """
    texto = texto or ""
    return _NO_TEXTO.search(texto) or _MENCAO.search(texto)


def extrair_protocolo(texto: str | None) -> str | None:
    """The well-formed protocol mentioned in a message, canonical, or None."""
    achado = _NO_TEXTO.search(texto or "")
    return formatar_protocolo(int(achado.group(1)), int(achado.group(2))) if achado else None


def protocolo_consultado(texto: str | None) -> str | None:
    """What a status question asks about: the canonical protocol, else the
    malformed mention as typed (which no request matches), else None."""
    achado = encontrar_protocolo(texto)
    if achado is None:
        return None
    return extrair_protocolo(achado.group(0)) or achado.group(0).strip()


def nome_planilha(protocolo: str) -> str:
    """File name of a request's planilha: ``NTS-2026-000123.xlsx``."""
    if not protocolo_canonico(protocolo):
        raise ValueError(f"protocolo inválido: {protocolo!r} (esperado NTS-AAAA-NNNNNN)")
    return f"{protocolo}.xlsx"


def protocolo_da_planilha(nome_arquivo: object) -> str | None:
    """The protocol of a planilha file name (``NTS-2026-000123.xlsx``), or None."""
    if not isinstance(nome_arquivo, str):
        return None
    achado = ARQUIVO_PLANILHA.match(nome_arquivo)
    return achado.group(1) if achado else None
