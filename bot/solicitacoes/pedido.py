"""Which request kind a message asks for (entity, pending offer or words)."""

from __future__ import annotations

from collections.abc import Container, Iterable, Mapping
from typing import Any

from bot.text import fold

# Request kinds named in free text, checked in this order (first match wins).
PALAVRAS_DOS_TIPOS = (
    ("desanexacao", ("desanex", "separar process", "separacao de process", "desapensar")),
    ("relato_erro", ("erro", "bug", "falha", "travando", "travou", "print")),
    ("correcao_cargo", ("cargo",)),
    (
        "atualizacao_email",
        (
            "senha",
            "atualizar e-mail",
            "atualizar email",
            "atualizacao de e",
            "trocar o e-mail",
            "trocar o email",
            "email novo",
            "e-mail novo",
        ),
    ),
    (
        "criacao_unidade",
        (
            "criar unidade",
            "criacao de unidade",
            "criar setor",
            "criacao de setor",
            "setor novo",
            "unidade nova",
            "nova unidade",
            "novo setor",
            "cadastro de setor",
            "cadastrar setor",
            "cadastrar unidade",
        ),
    ),
    ("remocao_usuario", ("remov", "remocao", "desligar", "desligamento", "retirar", "tirar ")),
    ("lotacao", ("lotacao", "lotar", "adicionar unidade", "mudar de unidade", "mudar de setor")),
    ("cadastro_usuario", ("cadastr", "usuario novo", "novo usuario", "acesso ao sei")),
)


def tipo_pedido(
    entidades: Iterable[Mapping[str, Any]],
    texto: str,
    oferta: str | None,
    tipos: Container[str],
) -> str | None:
    """The request kind asked for: payload entity, pending offer, or words."""
    for entidade in entidades:
        valor = entidade.get("value")
        if (
            entidade.get("entity") == "tipo_solicitacao"
            and isinstance(valor, str)
            and valor in tipos
        ):
            return valor
    if oferta in tipos:
        return oferta
    folded = f" {fold(texto or '')} "
    for chave, palavras in PALAVRAS_DOS_TIPOS:
        if any(p in folded for p in palavras):
            return chave
    return None
