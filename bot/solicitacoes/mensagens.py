"""What the requester is told: form messages, the filed protocol and its status.

A message is the dict a Rasa dispatcher takes (``text``, ``buttons``,
``custom``). The texts come from ``bot/content/formularios.yml``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot import content
from bot.solicitacoes.tipos import TIPOS, Solicitacao, Tipo

Mensagem = dict[str, Any]

CONTEUDO = "formularios"


def texto(chave: str, **campos: object) -> str:
    """One text of ``formularios.yml``, its ``{campos}`` filled."""
    return content.texto(CONTEUDO, chave, **campos)


def entrada(chave: str) -> Any:
    """One entry of ``formularios.yml`` as stored (text or mapping)."""
    return content.entrada(CONTEUDO, chave)


def texto_observacao(chave: str) -> str:
    """An observation kept in a row and its spreadsheet ("email_mantido", "sem_captura")."""
    return str(entrada("observacoes")[chave])


def nomes_da_linha(tipo: Tipo) -> dict[str, str]:
    """How the kind calls one row: ``rotulo`` (Pessoa), ``quem`` (pessoa), ``outra``."""
    linhas = entrada("linhas")
    return dict(linhas.get(tipo.chave) or linhas["padrao"])


def mensagem(conteudo: str, botoes: Sequence[tuple[str, str]] = (), **extra: Any) -> Mensagem:
    """A message; ``botoes`` are (title, what a tap answers) pairs."""
    saida: Mensagem = {"text": conteudo}
    if botoes:
        saida["buttons"] = [{"title": t, "payload": p} for t, p in botoes]
    saida.update(extra)
    return saida


def _data(momento: datetime) -> str:
    return momento.strftime(texto("formato_data"))


def mensagens_de_protocolo(solicitacao: Solicitacao, *, sei: bool = False) -> list[Mensagem]:
    """What the requester sees once the request is filed; ``sei``: the assistant
    files the SEI process itself (bot.sei), so the servant need not open one."""
    tipo = TIPOS[solicitacao.tipo]
    registrada = texto(
        "registrada",
        protocolo=solicitacao.protocolo,
        prazo=_data(solicitacao.prazo_em),
        horas=tipo.prazo_horas,
    )
    # the marker lets the channels tie the notices of this request to the chat
    mensagens = [
        mensagem(registrada, custom={"tipo": "registrada", "protocolo": solicitacao.protocolo})
    ]
    if tipo.planilha:
        mensagens.append(
            mensagem(
                texto("planilha_pronta_sei" if sei else "planilha_pronta", planilha=tipo.planilha)
                + (" " + content.texto("sei", "confirmacao_com_sei") if sei else ""),
                custom={
                    "tipo": "planilha",
                    "protocolo": solicitacao.protocolo,
                    "arquivo": f"{solicitacao.protocolo}.xlsx",
                },
            )
        )
    mensagens.append(mensagem(texto("como_acompanhar", protocolo=solicitacao.protocolo)))
    return mensagens


def texto_status(protocolo: str, status: dict[str, str] | None, *, cancelar: bool = False) -> str:
    """Answer to "qual o status do protocolo ...": no personal data.

    ``cancelar``: the question asked to cancel it; say how (the NTS cancels).
    """
    if not status:
        return texto("status_nao_encontrado", protocolo=protocolo)
    resposta = texto(
        "status",
        protocolo=status["protocolo"],
        tipo=status["tipo"],
        status=status["status"],
        criada_em=status["criada_em"],
        previsao=status["previsao"],
    )
    if status.get("observacao"):  # a note the NTS marked "Visível ao solicitante"
        resposta += "\n" + texto("status_observacao", observacao=status["observacao"])
    if cancelar:
        resposta += "\n\n" + texto("cancelar_registrada", protocolo=status["protocolo"])
    return resposta
