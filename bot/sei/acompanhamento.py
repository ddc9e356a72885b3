"""Following the SEI processes of open requests: new steps become status changes.

``acompanhar`` reads ``listarAndamentos`` of every filed request that is not
closed, compares the steps after the last one seen with the rules of
``config/sei_andamentos.yml`` (one table, in order, first match wins) and
changes the status through ``atendimento.mudar_situacao``, so the history,
the audit and the requester's notification follow as for a change in the panel.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
import yaml

from bot.sei.arquivamento import ARQUIVADO, sei_processos
from bot.sei.cliente import Andamento, ClienteSei, ErroSei
from bot.solicitacoes import atendimento
from bot.solicitacoes.store import RequestStore
from bot.solicitacoes.tipos import STATUS
from bot.text import fold

logger = logging.getLogger(__name__)

AUTOR = "SEI"
FECHADAS = ("concluida", "recusada", "cancelada")


@dataclass(frozen=True)
class Regra:
    situacao: str
    tarefa: str | None = None
    descricao: str | None = None
    observacao: str | None = None

    def casa(self, andamento: Andamento) -> bool:
        if self.tarefa is not None and andamento.id_tarefa != self.tarefa:
            return False
        return self.descricao is None or fold(self.descricao) in fold(andamento.descricao)


def carregar_regras(caminho: Path) -> list[Regra]:
    """The rules of the YAML file; ValueError naming the bad rule (Portuguese)."""
    dados = yaml.safe_load(caminho.read_text(encoding="utf-8")) or {}
    regras = []
    for i, item in enumerate(dados.get("regras") or [], start=1):
        if not isinstance(item, dict) or item.get("situacao") not in STATUS:
            raise ValueError(
                f"{caminho.name}: a regra {i} precisa de `situacao` (uma de: "
                + ", ".join(STATUS)
                + ")."
            )
        if item.get("tarefa") is None and not item.get("descricao"):
            raise ValueError(f"{caminho.name}: a regra {i} precisa de `tarefa` ou `descricao`.")
        tarefa = item.get("tarefa")
        regras.append(
            Regra(
                situacao=item["situacao"],
                tarefa=None if tarefa is None else str(tarefa),
                descricao=item.get("descricao"),
                observacao=item.get("observacao"),
            )
        )
    return regras


def _chave(andamento: Andamento) -> tuple[int, str]:
    return (int(andamento.id), "") if andamento.id.isdigit() else (0, andamento.id)


def acompanhar(store: RequestStore, cliente: ClienteSei, project_root: Path) -> int:
    """Apply the new SEI steps of every open filed request; how many changes."""
    regras = carregar_regras(project_root / "config" / "sei_andamentos.yml")
    with store.na_transacao() as conn:
        linhas = list(
            conn.execute(sa.select(sei_processos).where(sei_processos.c.estado == ARQUIVADO))
        )
    mudancas = 0
    for linha in linhas:
        solicitacao = store.buscar(linha.protocolo)
        if solicitacao is None or solicitacao.status in FECHADAS or not linha.numero:
            continue
        try:
            andamentos = sorted(cliente.listar_andamentos(linha.numero), key=_chave)
        except ErroSei as erro:
            logger.warning("SEI steps of %s not read (%s).", linha.protocolo, erro.tipo)
            continue
        visto = (
            (int(linha.ultimo_andamento), "") if (linha.ultimo_andamento or "").isdigit() else None
        )
        novos = [a for a in andamentos if visto is None or _chave(a) > visto]
        if not novos:
            continue
        situacao = solicitacao.status
        for andamento in novos:
            regra = next((r for r in regras if r.casa(andamento)), None)
            if regra is None or regra.situacao == situacao:
                continue
            atendimento.mudar_situacao(
                store,
                linha.protocolo,
                regra.situacao,
                autor=AUTOR,
                observacao=regra.observacao,
                visivel=bool(regra.observacao),
            )
            situacao = regra.situacao
            mudancas += 1
        with store.na_transacao() as conn:
            conn.execute(
                sei_processos.update()
                .where(sei_processos.c.protocolo == linha.protocolo)
                .values(ultimo_andamento=novos[-1].id)
            )
    return mudancas
