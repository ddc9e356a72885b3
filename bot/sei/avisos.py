"""The requester's notice "Seu processo no SEI: E:02000....", through the
notification outbox (``bot.notificacoes``) of issue 13.

``avisar_requerente`` runs inside the transaction that stores the process
number (``arquivamento.arquivar``'s ``ao_arquivar``), so the notice is queued
exactly when the number is: one ``situacao`` notification per active
subscription of the request, with the notice as its visible note and its own
idempotency key. Nothing happens when the outbox tables are absent.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from bot.notificacoes.fila import enfileirar
from bot.notificacoes.tabelas import notification_subscriptions
from bot.sei.arquivamento import ResultadoSei
from bot.sei.consulta import aviso_processo
from bot.solicitacoes.tipos import STATUS_TITULOS, TIPOS, Solicitacao


def avisar_requerente(conn: Connection, s: Solicitacao, r: ResultadoSei) -> int:
    """Queue the notice of ``r.numero`` for ``s``'s subscribers; how many."""
    if not r.numero or not sa.inspect(conn).has_table(notification_subscriptions.name):
        return 0
    assinaturas = conn.execute(
        sa.select(notification_subscriptions.c.id, notification_subscriptions.c.canal).where(
            notification_subscriptions.c.protocolo == s.protocolo,
            notification_subscriptions.c.ativa == sa.true(),
        )
    ).all()
    dados = {
        "protocolo": s.protocolo,
        "tipo": TIPOS[s.tipo].titulo,
        "unidade": s.unidade,
        "status": s.status,
        "situacao": STATUS_TITULOS[s.status],
        "prazo": s.prazo_em.strftime("%d/%m/%Y %H:%M"),
        "nota": aviso_processo(r.numero, r.link),
    }
    return sum(
        enfileirar(
            conn,
            chave=f"sei:{s.protocolo}:{assinatura_id}",
            evento="situacao",
            canal=canal,
            assinatura_id=assinatura_id,
            dados=dados,
            protocolo=s.protocolo,
        )
        for assinatura_id, canal in assinaturas
    )
