"""The outbox: enqueue in the caller's transaction, claim, finish, retry.

``instalar(store, destinos)`` migrates the tables and hooks the store
(``RequestStore.ganchos``): a new request and a status change (or a note
marked visible to the requester) write their notifications in the same
transaction as the change, so a change is never without its notifications.

Delivery is at least once: ``reivindicar`` takes due rows for a lease (on
PostgreSQL ``FOR UPDATE SKIP LOCKED``, so each row goes to one worker; on
SQLite writes are serialised), the worker sends and calls ``concluir``; a
worker killed mid-send leaves its rows to be taken again when the lease ends
(at most the in-flight ones are sent twice; the e-mail's Message-ID is the
idempotency key, so a receiving system can drop the copy). Failures wait
``espera_s * 2 ** (attempt - 1)`` (capped at an hour) and after ``tentativas``
attempts the row is "falhou" until the panel's ``reenviar``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import partial
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from bot.notificacoes.tabelas import migrar, notification_subscriptions, notifications
from bot.settings import Settings
from bot.solicitacoes.servicos import Servicos
from bot.solicitacoes.store import RequestStore
from bot.solicitacoes.tipos import STATUS_TITULOS, TIPOS, Solicitacao

logger = logging.getLogger(__name__)

PENDENTE, ENVIANDO, ENVIADA, FALHOU, DESCARTADA = (
    "pendente",
    "enviando",
    "enviada",
    "falhou",
    "descartada",
)
ESPERA_MAXIMA_S = 3600.0


@dataclass(frozen=True)
class Destinos:
    """Where the NTS is told of new requests: e-mail addresses, a Telegram group."""

    emails_nts: tuple[str, ...] = ()
    telegram_nts: str | None = None

    @classmethod
    def de(cls, cfg: Settings) -> Destinos:
        """From ``SEI_EMAIL_NTS`` (comma-separated) and ``SEI_TELEGRAM_NTS_CHAT``; only
        the channels that can be delivered (SMTP, a Telegram token), so nothing piles up."""
        emails = tuple(e.strip() for e in (cfg.email_nts or "").split(",") if e.strip())
        grupo = (cfg.telegram_nts_chat or "").strip() or None
        return cls(emails if cfg.smtp_url else (), grupo if cfg.telegram_token else None)


@dataclass(frozen=True)
class Tarefa:
    """A claimed notification."""

    id: int
    chave: str
    protocolo: str | None
    evento: str
    canal: str
    destino: str | None
    assinatura_id: int | None
    dados: dict[str, Any]
    tentativas: int
    endereco: str | None = None  # the subscription's address, encrypted; None: stopped


@dataclass(frozen=True)
class Falha:
    """A notification given up on (shown on the request's page with "reenviar")."""

    id: int
    evento: str
    canal: str
    para_nts: bool
    criada_em: datetime
    tentativas: int
    erro: str | None


def agora_utc() -> datetime:
    """Now, naive UTC (how the tables store times)."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _chave(*partes: object) -> str:
    """An idempotency key; long parts (addresses) hashed, so it fits and says nothing."""
    texto = ":".join(str(p) for p in partes)
    return (
        texto
        if len(texto) <= 120
        else texto[:80] + ":" + hashlib.sha256(texto.encode()).hexdigest()
    )


def enfileirar(
    conn: Connection,
    *,
    chave: str,
    evento: str,
    canal: str,
    dados: Mapping[str, Any],
    protocolo: str | None = None,
    destino: str | None = None,
    assinatura_id: int | None = None,
    agora: datetime | None = None,
) -> bool:
    """Add one notification inside ``conn``'s transaction; False if ``chave`` exists."""
    momento = agora or agora_utc()
    valores = {
        "chave": chave,
        "protocolo": protocolo,
        "evento": evento,
        "canal": canal,
        "destino": destino,
        "assinatura_id": assinatura_id,
        "dados": json.dumps(dict(dados), ensure_ascii=False),
        "estado": PENDENTE,
        "tentativas": 0,
        "proxima_em": momento,
        "criada_em": momento,
    }
    dialeto = postgresql if conn.dialect.name == "postgresql" else sqlite
    resultado = conn.execute(
        dialeto.insert(notifications)
        .values(**valores)
        .on_conflict_do_nothing(index_elements=["chave"])
    )
    return bool(resultado.rowcount)


def _dados(s: Solicitacao) -> dict[str, Any]:
    """What every text of a request needs: no rows, no contact, no CPF."""
    return {
        "protocolo": s.protocolo,
        "tipo": TIPOS[s.tipo].titulo,
        "unidade": s.unidade,
        "status": s.status,
        "situacao": STATUS_TITULOS[s.status],
        "prazo": s.prazo_em.strftime("%d/%m/%Y %H:%M"),
    }


def enfileirar_nova(conn: Connection, s: Solicitacao, destinos: Destinos) -> int:
    """The NTS's notifications of a new request; how many were queued."""
    n = 0
    for email in destinos.emails_nts:
        n += enfileirar(
            conn,
            chave=_chave("nova", s.protocolo, "email", email),
            evento="nova",
            canal="email",
            destino=email,
            dados=_dados(s),
            protocolo=s.protocolo,
        )
    if destinos.telegram_nts:
        n += enfileirar(
            conn,
            chave=_chave("nova", s.protocolo, "telegram", destinos.telegram_nts),
            evento="nova",
            canal="telegram",
            destino=destinos.telegram_nts,
            dados=_dados(s),
            protocolo=s.protocolo,
        )
    return n


def enfileirar_situacao(conn: Connection, s: Solicitacao, nota: str | None) -> int:
    """The requester's notifications of the latest change, one per active subscription."""
    assinaturas = conn.execute(
        sa.select(notification_subscriptions.c.id, notification_subscriptions.c.canal).where(
            notification_subscriptions.c.protocolo == s.protocolo,
            notification_subscriptions.c.ativa == sa.true(),
        )
    ).all()
    dados = {**_dados(s), "nota": nota}
    n = 0
    for assinatura_id, canal in assinaturas:
        n += enfileirar(
            conn,
            chave=_chave("situacao", s.protocolo, len(s.historico), assinatura_id),
            evento="situacao",
            canal=canal,
            assinatura_id=assinatura_id,
            dados=dados,
            protocolo=s.protocolo,
        )
    return n


def _gancho(
    destinos: Destinos, conn: Connection, acao: str, s: Solicitacao, detalhes: Mapping[str, Any]
) -> None:
    """``RequestStore.ganchos`` entry: queue what a new request or a change needs."""
    migrar(conn)  # no-op unless the database was replaced (a restore)
    if acao == "registrada":
        enfileirar_nova(conn, s, destinos)
        return
    nota = detalhes.get("nota") if detalhes.get("visivel") else None
    if acao == "situacao" and (detalhes.get("antes") != s.status or nota):
        enfileirar_situacao(conn, s, nota)


def instalar(store: RequestStore, destinos: Destinos) -> None:
    """Migrate the tables and hook ``store`` (once per store; idempotent)."""
    with store.na_transacao() as conn:
        migrar(conn)
    if not any(getattr(g, "func", None) is _gancho for g in store.ganchos):
        store.ganchos.append(partial(_gancho, destinos))


def ligar(servicos: Servicos) -> None:
    """``instalar`` for a process's ``Servicos`` (actions server, panel, console):
    its store's new requests and status changes queue their notifications."""
    instalar(servicos.store, Destinos.de(servicos.settings))


def reivindicar(
    store: RequestStore,
    canais: Sequence[str],
    *,
    limite: int = 50,
    prazo_s: float = 120.0,
    agora: datetime | None = None,
) -> list[Tarefa]:
    """Take up to ``limite`` due notifications of ``canais`` for ``prazo_s`` seconds."""
    momento = agora or agora_utc()
    n = notifications.c
    consulta = (
        sa.select(n.id)
        .where(n.estado.in_((PENDENTE, ENVIANDO)), n.proxima_em <= momento, n.canal.in_(canais))
        .order_by(n.proxima_em, n.id)
        .limit(limite)
    )
    if not canais:
        return []
    with store.na_leitura() as conn:  # idle polls take no write lock
        if conn.execute(consulta.limit(1)).first() is None:
            return []
    with store.na_transacao() as conn:
        if conn.dialect.name == "postgresql":
            consulta = consulta.with_for_update(skip_locked=True)
        ids = list(conn.execute(consulta).scalars())
        if not ids:
            return []
        conn.execute(
            notifications.update()
            .where(n.id.in_(ids))
            .values(
                estado=ENVIANDO,
                tentativas=n.tentativas + 1,
                proxima_em=momento + timedelta(seconds=prazo_s),
            )
        )
        s = notification_subscriptions.c
        linhas = conn.execute(
            sa.select(notifications, s.endereco)
            .select_from(
                notifications.outerjoin(
                    notification_subscriptions, sa.and_(s.id == n.assinatura_id, s.ativa)
                )
            )
            .where(n.id.in_(ids))
            .order_by(n.id)
        ).all()
    return [
        Tarefa(
            id=r.id,
            chave=r.chave,
            protocolo=r.protocolo,
            evento=r.evento,
            canal=r.canal,
            destino=r.destino,
            assinatura_id=r.assinatura_id,
            dados=json.loads(r.dados),
            tentativas=r.tentativas,
            endereco=r.endereco,
        )
        for r in linhas
    ]


def liberar_orfas(store: RequestStore) -> int:
    """Give back the rows a dead worker had taken (only when no other worker can
    be running: the SQLite lock held); how many."""
    with store.na_transacao() as conn:
        feito = conn.execute(
            notifications.update()
            .where(notifications.c.estado == ENVIANDO)
            .values(estado=PENDENTE, proxima_em=agora_utc())
        )
    if feito.rowcount:
        logger.warning("%d notifications taken by a stopped worker queued again.", feito.rowcount)
    return int(feito.rowcount)


def concluir(store: RequestStore, tarefa_id: int, estado: str = ENVIADA) -> None:
    """Mark a claimed notification sent (or ``DESCARTADA``: nobody to send it to)."""
    with store.na_transacao() as conn:
        conn.execute(
            notifications.update()
            .where(notifications.c.id == tarefa_id)
            .values(estado=estado, enviada_em=agora_utc(), erro=None)
        )


def adiar(
    store: RequestStore,
    tarefa: Tarefa,
    erro: str,
    *,
    permanente: bool,
    tentativas: int,
    espera_s: float,
    agora: datetime | None = None,
) -> str:
    """Record a failed attempt: retry later with backoff, or give up; the new state."""
    momento = agora or agora_utc()
    desiste = permanente or tarefa.tentativas >= tentativas
    espera = min(ESPERA_MAXIMA_S, espera_s * 2 ** max(0, tarefa.tentativas - 1))
    espera *= random.uniform(0.9, 1.1)
    estado = FALHOU if desiste else PENDENTE
    with store.na_transacao() as conn:
        conn.execute(
            notifications.update()
            .where(notifications.c.id == tarefa.id)
            .values(estado=estado, proxima_em=momento + timedelta(seconds=espera), erro=erro[:255])
        )
    return estado


def falhas(store: RequestStore, protocolo: str) -> list[Falha]:
    """The failed notifications of a request, oldest first (for the panel)."""
    n = notifications.c
    with store.na_leitura() as conn:
        linhas = conn.execute(
            sa.select(notifications)
            .where(n.protocolo == protocolo, n.estado == FALHOU)
            .order_by(n.id)
        ).all()
    return [
        Falha(
            id=r.id,
            evento=r.evento,
            canal=r.canal,
            para_nts=r.assinatura_id is None,
            criada_em=r.criada_em.replace(tzinfo=timezone.utc),
            tentativas=r.tentativas,
            erro=r.erro,
        )
        for r in linhas
    ]


def reenviar(store: RequestStore, notificacao_id: int) -> bool:
    """Put a failed notification back in the queue ("reenviar"); False if it was not failed."""
    with store.na_transacao() as conn:
        feito = conn.execute(
            notifications.update()
            .where(notifications.c.id == notificacao_id, notifications.c.estado == FALHOU)
            .values(estado=PENDENTE, tentativas=0, proxima_em=agora_utc(), erro=None)
        )
    if feito.rowcount:
        logger.info("Notification %d queued again (reenviar).", notificacao_id)
    return bool(feito.rowcount)


def contagem(store: RequestStore) -> dict[str, int]:
    """How many notifications are in each state."""
    with store.na_leitura() as conn:
        return {
            estado: int(total)
            for estado, total in conn.execute(
                sa.select(notifications.c.estado, sa.func.count()).group_by(notifications.c.estado)
            )
        }
