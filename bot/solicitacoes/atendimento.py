"""Working a filed request: status changes, internal notes, assignment.

The one code path of the NTS panel (``bot.painel``) and of ``sei-nts requests
status``: both call these functions, so the same change leaves the same audit
entry. Text is checked here (length, CPF masked) and messages are Portuguese;
the store writes the change and its audit entry in one transaction.
"""

from __future__ import annotations

import re
from datetime import datetime

from bot.solicitacoes.store import RequestStore
from bot.solicitacoes.tipos import STATUS, STATUS_TITULOS, Solicitacao
from bot.text import clean_text

LIMITE_TEXTO = 2000
# a CPF typed into free text (with or without its mask); never kept in the audit
_CPF = re.compile(r"(?<!\d)\d{3}[.\s]?\d{3}[.\s]?\d{3}[-\s]?\d{2}(?!\d)")
CPF_OMITIDO = "[CPF omitido]"


def limpar_texto(texto: str | None, campo: str) -> str | None:
    """Free text for the audit log: cleaned, CPFs masked; None when empty."""
    limpo = clean_text(texto or "").strip()
    if not limpo:
        return None
    if len(limpo) > LIMITE_TEXTO:
        raise ValueError(
            f"{campo} tem {len(limpo)} caracteres; o limite é {LIMITE_TEXTO}. Resuma o texto."
        )
    return _CPF.sub(CPF_OMITIDO, limpo)


def situacao_valida(situacao: str) -> str:
    """``situacao`` if it is a status key, else ValueError naming the valid ones."""
    if situacao not in STATUS:
        raise ValueError(
            f"Situação desconhecida: {situacao!r}. Use uma destas: " + ", ".join(STATUS) + "."
        )
    return situacao


def mudar_situacao(
    store: RequestStore,
    protocolo: str,
    situacao: str,
    *,
    autor: str,
    observacao: str | None = None,
    visivel: bool = False,
    agora: datetime | None = None,
) -> Solicitacao:
    """Change the status of a request, with an optional note (visible to the
    requester or not). The same status again needs a note."""
    situacao_valida(situacao)
    nota = limpar_texto(observacao, "A observação")
    if visivel and nota is None:
        raise ValueError(
            "Escreva a observação que o solicitante vai ver, ou desmarque “Visível ao solicitante”."
        )
    atual = store.buscar(protocolo)
    if atual is None:
        raise LookupError(f"Nenhuma solicitação encontrada com o protocolo {protocolo!r}.")
    if atual.status == situacao and nota is None:
        raise ValueError(
            f"A solicitação já está na situação {STATUS_TITULOS[situacao]}: escolha outra "
            "situação ou escreva uma observação."
        )
    return store.mudar_situacao(
        atual.protocolo, situacao, autor=autor, nota=nota, visivel=visivel, agora=agora
    )


def anotar(
    store: RequestStore,
    protocolo: str,
    *,
    autor: str,
    texto: str,
    agora: datetime | None = None,
) -> None:
    """Add an internal note (the requester never sees it)."""
    nota = limpar_texto(texto, "A nota")
    if nota is None:
        raise ValueError("A nota está vazia: escreva o texto da nota interna.")
    store.anotar(protocolo, autor=autor, nota=nota, agora=agora)


def atribuir(
    store: RequestStore,
    protocolo: str,
    responsavel: str | None,
    *,
    autor: str,
    agora: datetime | None = None,
) -> None:
    """Say who works on the request (``None``: nobody). Unchanged: nothing recorded."""
    if store.buscar(protocolo) is None:
        raise LookupError(f"Nenhuma solicitação encontrada com o protocolo {protocolo!r}.")
    if store.responsavel(protocolo) == responsavel:
        return
    store.atribuir(protocolo, responsavel, autor=autor, agora=agora)
