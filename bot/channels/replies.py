"""What both channels read in Rasa's replies: buttons and spreadsheets."""

from __future__ import annotations

from pathlib import Path
from typing import Any, NamedTuple

from bot.solicitacoes.nomes_planilhas import enviavel


class Botao(NamedTuple):
    """One button of a reply: the title shown and the payload sent back to Rasa."""

    titulo: str
    payload: str


def botoes(resposta: dict[str, Any]) -> list[Botao]:
    """The well-formed buttons of one reply (a payload text; the title defaults to it)."""
    saida = []
    for botao in resposta.get("buttons") or []:
        if not isinstance(botao, dict):
            continue
        titulo, payload = botao.get("title"), botao.get("payload")
        if isinstance(payload, str) and payload:
            saida.append(Botao(titulo if isinstance(titulo, str) and titulo else payload, payload))
    return saida


def planilha(resposta: dict[str, Any]) -> dict[str, Any] | None:
    """The reply's spreadsheet (``custom`` with ``tipo: planilha``), or None."""
    custom = resposta.get("custom")
    return custom if isinstance(custom, dict) and custom.get("tipo") == "planilha" else None


def protocolo_registrado(resposta: dict[str, Any]) -> str | None:
    """The protocol of a request this reply says was filed (``custom`` ``registrada``)."""
    custom = resposta.get("custom")
    if isinstance(custom, dict) and custom.get("tipo") == "registrada":
        protocolo = custom.get("protocolo")
        return protocolo if isinstance(protocolo, str) and protocolo else None
    return None


def planilha_segura(pasta: Path, arquivo: Any) -> Path | None:
    """The spreadsheet file named by Rasa, only if well-named, a file and inside ``pasta``.

    Well-named: a request's (``NTS-2026-000123.xlsx``), a blank one or a
    checked upload sent back (``bot.solicitacoes.nomes_planilhas``).
    """
    if not enviavel(arquivo):
        return None
    caminho = Path(pasta) / arquivo
    try:
        dentro = caminho.resolve().parent == Path(pasta).resolve()
    except OSError:
        return None
    return caminho if dentro and caminho.is_file() else None
