"""Rasa's replies as the widget renders them: texts, buttons, spreadsheet links."""

from __future__ import annotations

from typing import Any

from bot.channels import replies
from bot.channels.identidade import Links
from bot.solicitacoes.nomes_planilhas import enviavel
from bot.solicitacoes.protocolo import protocolo_da_planilha


def transformar(mensagens: list[dict[str, Any]], links: Links, sender: str) -> list[dict[str, Any]]:
    """Rasa REST replies -> what the widget renders (text, buttons, spreadsheet)."""
    respostas: list[dict[str, Any]] = []
    for mensagem in mensagens:
        texto = mensagem.get("text")
        botoes = [
            {"titulo": botao.titulo[:200], "payload": botao.payload[:1000]}
            for botao in replies.botoes(mensagem)
        ]
        if (isinstance(texto, str) and texto) or botoes:
            item: dict[str, Any] = {
                "tipo": "texto",
                "texto": texto if isinstance(texto, str) else "",
            }
            if botoes:
                item["botoes"] = botoes
            respostas.append(item)
        planilha = replies.planilha(mensagem)
        arquivo = planilha.get("arquivo") if planilha is not None else None
        if planilha is not None and isinstance(arquivo, str) and enviavel(arquivo):
            item = {
                "tipo": "planilha",
                "protocolo": str(planilha.get("protocolo") or protocolo_da_planilha(arquivo) or ""),
                "arquivo": arquivo,
                "url": f"api/download/{links.emitir(arquivo, sender)}",
            }
            rotulo = planilha.get("rotulo")
            if isinstance(rotulo, str) and rotulo:
                item["rotulo"] = rotulo[:200]  # a blank or a checked planilha: no protocol
            respostas.append(item)
    return respostas
