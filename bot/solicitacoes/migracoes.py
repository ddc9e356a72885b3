"""Versioned schema steps for the request store and the tables kept beside it.

Each owner (the store, the notification outbox, the SEI queue) has its own
version table (``version``, ``aplicada_em``) and an ordered tuple of steps:
step i (0-based) brings its tables to version i + 1 and is frozen once
released. ``migrar`` applies the missing steps inside the caller's transaction,
serialised on PostgreSQL by a transaction-level advisory lock of the owner's.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone

import sqlalchemy as sa
from sqlalchemy.engine import Connection

logger = logging.getLogger(__name__)

Passo = Callable[[Connection], None]


def tabela_de_versoes(nome: str, metadata: sa.MetaData) -> sa.Table:
    """The version table ``nome`` (one row per applied step) in ``metadata``."""
    return sa.Table(
        nome,
        metadata,
        sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("aplicada_em", sa.DateTime, nullable=False),
    )


@dataclass(frozen=True)
class Versionamento:
    """Where one owner keeps its version and how its runner names it."""

    tabela: sa.Table  # from ``tabela_de_versoes``
    trava_pg: int  # pg_advisory_xact_lock key, one per owner
    rotulo: str  # English, for the log: "Request store schema"
    sujeito: str  # Portuguese, for the error: "O banco de solicitações está"

    def versao(self, conn: Connection) -> int:
        """The version applied so far (0: none, or no version table yet)."""
        if not sa.inspect(conn).has_table(self.tabela.name):
            return 0
        return int(conn.execute(sa.select(sa.func.max(self.tabela.c.version))).scalar() or 0)

    def migrar(self, conn: Connection, passos: Sequence[Passo]) -> int:
        """Apply the missing ``passos`` in ``conn``'s transaction; the version.
        Cheap when up to date; RuntimeError when the database is newer than them."""
        if self.versao(conn) == len(passos):
            return len(passos)
        if conn.dialect.name == "postgresql":  # serialise concurrent migrators
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": self.trava_pg})
        self.tabela.create(conn, checkfirst=True)
        atual = self.versao(conn)
        if atual > len(passos):
            raise RuntimeError(
                f"{self.sujeito} na versão {atual}, mais nova que a suportada "
                f"por este código ({len(passos)})."
            )
        for versao in range(atual + 1, len(passos) + 1):
            passos[versao - 1](conn)
            agora = datetime.now(timezone.utc).replace(tzinfo=None)
            conn.execute(self.tabela.insert().values(version=versao, aplicada_em=agora))
            logger.info("%s migrated to version %d.", self.rotulo, versao)
        return len(passos)
