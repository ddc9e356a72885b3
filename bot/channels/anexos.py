"""Screenshots both channels receive: the size limit and how they reach the form.

The limit is the domain's (``bot.solicitacoes``); the channels refuse bigger
files before reading or downloading them, and ``AnexoStore`` checks again.
"""

from __future__ import annotations

from bot import content
from bot.solicitacoes.anexos import LIMITE_ANEXO

__all__ = ["LIMITE_ANEXO", "grande_demais", "mensagem_com_anexo"]


def grande_demais(tamanho: int | None) -> bool:
    """True when a file's announced size is above the attachment limit."""
    return tamanho is not None and tamanho > LIMITE_ANEXO


def mensagem_com_anexo(ref: str) -> tuple[str, dict[str, str]]:
    """Text and metadata of the message that hands a stored screenshot to the form."""
    return content.texto("canais", "anexo_enviado"), {"anexo": ref}
