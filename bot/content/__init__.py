"""User-facing text: the one loader of ``bot/content/*.yml``.

Each file is a mapping of keys to Portuguese text (or lists and mappings of
text). ``texto("formularios", "cancelado")`` returns one entry, formatted
with the given fields; a missing file or key is a programming error and
raises ``KeyError`` naming it, caught by the content tests.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

CONTENT_DIR = Path(__file__).resolve().parent


@cache
def carregar(nome: str) -> dict[str, Any]:
    """The whole content file ``bot/content/<nome>.yml``."""
    caminho = CONTENT_DIR / f"{nome}.yml"
    if not caminho.is_file():
        raise KeyError(f"arquivo de conteúdo ausente: {caminho.name}")
    dados = yaml.safe_load(caminho.read_text(encoding="utf-8"))
    if not isinstance(dados, dict):
        raise KeyError(f"{caminho.name}: esperado um mapeamento de chaves")
    return dados


def entrada(nome: str, chave: str) -> Any:
    """One entry of a content file, as stored (text, list or mapping)."""
    dados = carregar(nome)
    if chave not in dados:
        raise KeyError(f"{nome}.yml: chave ausente: {chave}")
    return dados[chave]


def texto(nome: str, chave: str, **campos: object) -> str:
    """One text entry, with ``{campo}`` placeholders filled from ``campos``."""
    valor = entrada(nome, chave)
    if not isinstance(valor, str):
        raise KeyError(f"{nome}.yml: {chave} não é um texto")
    return valor.format(**campos) if campos else valor
