"""The outbox and the requesters' addressing, beside the request store.

Tables live in the request store's database (``RequestStore.na_transacao``)
with their own version table, ``notification_schema``: ``MIGRACOES`` step i
brings them to version i + 1 (frozen once released, like the store's).
Times are naive UTC. Addresses are kept only in ``notification_subscriptions``
(Fernet-encrypted); the outbox names a subscription, never an address, so
"parar avisos" and the purge take effect on queued notifications too.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from bot.solicitacoes.migracoes import Passo, Versionamento, tabela_de_versoes

metadata = sa.MetaData()

notification_schema = tabela_de_versoes("notification_schema", metadata)
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


MIGRACOES: tuple[Passo, ...] = (_v1,)
_VERSIONAMENTO = Versionamento(
    notification_schema,
    trava_pg=7_305_202_613,  # pg_advisory_xact_lock key of these tables
    rotulo="Notification tables",
    sujeito="As tabelas de avisos estão",
)


def migrar(conn: Connection) -> int:
    """Create/migrate these tables inside ``conn``'s transaction; return the version.
    Cheap when up to date (the hooks call it on every change: a store restored from
    an older copy gets its tables back)."""
    return _VERSIONAMENTO.migrar(conn, MIGRACOES)
