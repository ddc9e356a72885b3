"""File names of the planilhas the bot sends: a request's, a blank one, a checked one.

The channels send or serve only files whose names match here (and that sit
in the planilhas folder): ``NTS-2026-000123.xlsx`` (a filed request),
``Modelo-Cadastro-de-usuario.xlsx`` (blank, no personal data) and
``Conferida-<32 hex>.xlsx`` (a checked upload sent back; the random part
keeps it unguessable, the download link binds it to the conversation).
"""

from __future__ import annotations

import re
import secrets

from bot.solicitacoes.protocolo import protocolo_da_planilha
from bot.solicitacoes.tipos import Tipo
from bot.text import strip_accents

_MODELO = re.compile(r"^Modelo-[A-Za-z0-9-]{3,80}\.xlsx$")
_CONFERIDA = re.compile(r"^Conferida-[0-9a-f]{32}\.xlsx$")


def nome_modelo(tipo: Tipo) -> str:
    """``Modelo-Cadastro-de-usuario.xlsx``: ASCII, from the kind's title."""
    slug = re.sub(r"[^A-Za-z0-9]+", "-", strip_accents(tipo.titulo)).strip("-")
    return f"Modelo-{slug[:80]}.xlsx"


def nome_conferida() -> str:
    """A new, unguessable name for a checked planilha."""
    return f"Conferida-{secrets.token_hex(16)}.xlsx"


def enviavel(nome: object) -> bool:
    """Whether a channel may send the planilha file called ``nome``."""
    if not isinstance(nome, str):
        return False
    return bool(protocolo_da_planilha(nome) or _MODELO.match(nome) or _CONFERIDA.match(nome))
