"""Screenshots both channels receive: the size limit and how they reach the form.

The limit is the domain's (``bot.solicitacoes``); the channels refuse bigger
files before reading or downloading them, and ``AnexoStore`` checks again.
"""

from __future__ import annotations

from bot import content
from bot.solicitacoes.anexos import LIMITE_ANEXO
from bot.solicitacoes.leitura import LIMITE_BYTES as LIMITE_PLANILHA

__all__ = [
    "LIMITE_ANEXO",
    "LIMITE_PLANILHA",
    "grande_demais",
    "mensagem_com_anexo",
    "mensagem_com_planilha",
    "planilha_grande_demais",
    "texto_planilha",
]

# What a channel sends Rasa for an uploaded planilha: the intent itself (never
# classified), the stored upload's reference as metadata.
COMANDO_PLANILHA = "/enviar_planilha"


def grande_demais(tamanho: int | None) -> bool:
    """True when a file's announced size is above the attachment limit."""
    return tamanho is not None and tamanho > LIMITE_ANEXO


def mensagem_com_anexo(ref: str) -> tuple[str, dict[str, str]]:
    """Text and metadata of the message that hands a stored screenshot to the form."""
    return content.texto("canais", "anexo_enviado"), {"anexo": ref}


def planilha_grande_demais(tamanho: int | None) -> bool:
    """True when a planilha's announced size is above the planilha limit."""
    return tamanho is not None and tamanho > LIMITE_PLANILHA


def mensagem_com_planilha(ref: str) -> tuple[str, dict[str, str]]:
    """Text and metadata of the message that hands a stored planilha to the check."""
    return COMANDO_PLANILHA, {"planilha": ref}


def texto_planilha(chave: str, **campos: object) -> str:
    """A channel text about planilhas (``bot/content/planilhas.yml``)."""
    return content.texto("planilhas", chave, **campos)
