"""The outbox and the requesters' addressing, beside the request store.

Tables live in the request store's database (``RequestStore.na_transacao``)
with their own version table, ``notification_schema``: ``MIGRACOES`` step i
brings them to version i + 1 (frozen once released, like the store's).
Times are naive UTC. Addresses are kept only in ``notification_subscriptions``
(Fernet-encrypted); the outbox names a subscription, never an address, so
"parar avisos" and the purge take effect on queued notifications too.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.engine import Connection

logger = logging.getLogger(__name__)

_PG_LOCK = 7_305_202_613  # pg_advisory_xact_lock key for these migrations

metadata = sa.MetaData()

notification_schema = sa.Table(
    "notification_schema",
    metadata,
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("aplicada_em", sa.DateTime, nullable=False),
)
# one row per message to deliver: to the NTS (destino = an NTS address or chat,
# not personal) or to a requester (assinatura_id, the address read at send time)
notifications = sa.Table(
    "notifications",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("chave", sa.String(255), nullable=False, unique=True),  # idempotency key
    sa.Column("protocolo", sa.String(32)),
    sa.Column("evento", sa.String(32), nullable=False),  # nova, situacao, resumo
    sa.Column("canal", sa.String(16), nullable=False),  # email, telegram, web
    sa.Column("destino", sa.String(255)),
    sa.Column("assinatura_id", sa.Integer),
    sa.Column("dados", sa.Text, nullable=False),  # JSON: what the text needs, no CPF
    sa.Column("estado", sa.String(16), nullable=False),  # pendente, enviando, enviada, falhou
    sa.Column("tentativas", sa.Integer, nullable=False),
    sa.Column("proxima_em", sa.DateTime, nullable=False),  # next attempt / lease end
    sa.Column("criada_em", sa.DateTime, nullable=False),
    sa.Column("enviada_em", sa.DateTime),
    sa.Column("erro", sa.String(255)),
    sa.Index("ix_notifications_estado_proxima", "estado", "proxima_em"),
    sa.Index("ix_notifications_protocolo", "protocolo"),
)
notification_subscriptions = sa.Table(
    "notification_subscriptions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("protocolo", sa.String(32), nullable=False),
    sa.Column("canal", sa.String(16), nullable=False),  # email, telegram, web
    sa.Column("endereco", sa.Text, nullable=False),  # Fernet token
    sa.Column("busca", sa.String(64), nullable=False),  # HMAC of the address (web lookup)
    sa.Column("ativa", sa.Boolean, nullable=False),
    sa.Column("criada_em", sa.DateTime, nullable=False),
    sa.UniqueConstraint("protocolo", "canal", name="uq_notification_subscriptions"),
    sa.Index("ix_notification_subscriptions_busca", "busca"),
)


def _v1(conn: Connection) -> None:
    """Version 1: outbox and subscriptions (declared above; frozen from here on)."""
    metadata.create_all(conn, tables=[notifications, notification_subscriptions])


MIGRACOES: tuple[Callable[[Connection], None], ...] = (_v1,)


def _versao(conn: Connection) -> int:
    if not sa.inspect(conn).has_table(notification_schema.name):
        return 0
    return int(conn.execute(sa.select(sa.func.max(notification_schema.c.version))).scalar() or 0)


def migrar(conn: Connection) -> int:
    """Create/migrate these tables inside ``conn``'s transaction; return the version.
    Cheap when up to date (the hooks call it on every change: a store restored from
    an older copy gets its tables back)."""
    if _versao(conn) == len(MIGRACOES):
        return len(MIGRACOES)
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK})
    notification_schema.create(conn, checkfirst=True)
    atual = conn.execute(sa.select(sa.func.max(notification_schema.c.version))).scalar() or 0
    if atual > len(MIGRACOES):
        raise RuntimeError(
            f"As tabelas de avisos estão na versão {atual}, mais nova que a suportada "
            f"por este código ({len(MIGRACOES)})."
        )
    for versao in range(atual + 1, len(MIGRACOES) + 1):
        MIGRACOES[versao - 1](conn)
        conn.execute(notification_schema.insert().values(version=versao, aplicada_em=sa.func.now()))
        logger.info("Notification tables migrated to version %d.", versao)
    return len(MIGRACOES)
