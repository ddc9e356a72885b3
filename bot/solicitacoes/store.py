"""Request store: the requests the bot files for the SESAU NTS.

SQLite (default, a file) or PostgreSQL, through SQLAlchemy 1.4 Core. The
schema is created and migrated on first use (``schema_version`` table plus
the ordered ``MIGRACOES`` steps, run by ``bot.solicitacoes.migracoes`` like
the side tables' own). Times are stored as naive UTC and returned
timezone-aware in America/Maceio (``FUSO``).

Protocol numbers (``NTS-YYYY-NNNNNN``) come from a per-year counter row that
is incremented in the same transaction as the insert, so numbers are unique,
sequential per year and never reused. ``chave_envio`` (column
``submission_key``) makes ``registrar`` idempotent. ``copiar`` and
``restaurar`` are the one SQLite online-copy routine (``sei-nts backup`` and
``restore``); ``reservar_protocolos`` moves the counters past numbers handed
out elsewhere (spreadsheets newer than a restored copy). Logs carry protocol
numbers, kinds and statuses only: never names, CPF, e-mail, contacts or row
contents.

The table and column names are English and stay so: renaming them needs a
migration step (``MIGRACOES``) that keeps existing ``var/requests.db`` files.
"""

from __future__ import annotations

import json
import logging
import os
import random
import sqlite3
import threading
import time as time_module
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.pool import StaticPool

from bot.arquivos import substituir_atomico
from bot.solicitacoes.migracoes import Passo, Versionamento, tabela_de_versoes
from bot.solicitacoes.protocolo import formatar_protocolo, normalizar_protocolo
from bot.solicitacoes.tipos import FUSO, STATUS, STATUS_TITULOS, TIPOS, Solicitacao, prazo
from bot.text import fold

logger = logging.getLogger(__name__)

SQLITE_BUSY_TIMEOUT_S = 30
_ESCRITA = "sei_escrita"  # execution option: this transaction writes

# --------------------------------------------------------------------------
# Current schema, as queries see it. Must equal the result of MIGRACOES
# (tests/solicitacoes/test_store.py checks it by reflection).
# --------------------------------------------------------------------------
metadata = sa.MetaData()

schema_version = tabela_de_versoes("schema_version", metadata)
protocol_counters = sa.Table(
    "protocol_counters",
    metadata,
    sa.Column("ano", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("ultimo", sa.Integer, nullable=False),
)
requests = sa.Table(
    "requests",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("protocolo", sa.String(32), nullable=False, unique=True),
    sa.Column("ano", sa.Integer, nullable=False),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("tipo", sa.String(64), nullable=False),
    sa.Column("status", sa.String(32), nullable=False),
    sa.Column("canal", sa.String(64), nullable=False),
    sa.Column("contato", sa.String(255), nullable=False),
    sa.Column("unidade", sa.String(64), nullable=False),
    sa.Column("criada_em", sa.DateTime, nullable=False),
    sa.Column("prazo_em", sa.DateTime, nullable=False),
    sa.Column("submission_key", sa.String(255), nullable=False, unique=True),
    sa.Column("anexo", sa.Text),
    sa.Column("planilha", sa.Text),
    sa.Column("responsavel", sa.String(64)),
    sa.Column("busca", sa.Text),
    sa.UniqueConstraint("ano", "seq", name="uq_requests_ano_seq"),
)
request_rows = sa.Table(
    "request_rows",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("request_id", sa.Integer, sa.ForeignKey("requests.id"), nullable=False),
    sa.Column("ordem", sa.Integer, nullable=False),
    sa.Column("dados", sa.Text, nullable=False),
    sa.UniqueConstraint("request_id", "ordem", name="uq_request_rows_ordem"),
)
status_history = sa.Table(
    "status_history",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("request_id", sa.Integer, sa.ForeignKey("requests.id"), nullable=False),
    sa.Column("status", sa.String(32), nullable=False),
    sa.Column("nota", sa.Text),
    sa.Column("em", sa.DateTime, nullable=False),
    sa.Column("autor", sa.String(64)),
    sa.Column("visivel", sa.Boolean),
)
audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("em", sa.DateTime, nullable=False),
    sa.Column("autor", sa.String(64), nullable=False),
    sa.Column("acao", sa.String(32), nullable=False),
    sa.Column("request_id", sa.Integer, sa.ForeignKey("requests.id")),
    sa.Column("alvo", sa.String(64)),
    sa.Column("antes", sa.Text),
    sa.Column("depois", sa.Text),
    sa.Column("nota", sa.Text),
    sa.Column("visivel", sa.Boolean, nullable=False),
)
panel_users = sa.Table(
    "panel_users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("login", sa.String(64), nullable=False, unique=True),
    sa.Column("nome", sa.String(255), nullable=False),
    sa.Column("papel", sa.String(16), nullable=False),
    sa.Column("senha_hash", sa.String(255), nullable=False),
    sa.Column("ativo", sa.Boolean, nullable=False),
    sa.Column("sessao", sa.String(64), nullable=False),
    sa.Column("criado_em", sa.DateTime, nullable=False),
)
login_failures = sa.Table(
    "login_failures",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("chave", sa.String(64), nullable=False),
    sa.Column("em", sa.DateTime, nullable=False),
)


# --------------------------------------------------------------------------
# Migrations: step i (0-based) brings the schema to version i + 1. Each step
# is frozen once released: to add a column, append a new step, e.g.
#     def _v2(conn): conn.execute(sa.text("ALTER TABLE requests ADD COLUMN x TEXT"))
# and add the column to the ``requests`` Table above.
# --------------------------------------------------------------------------
def _v1(conn: Connection) -> None:
    """Version 1: counters, requests, request rows, status history.

    Declared here on its own (not from the Tables above) so it never changes.
    """
    v1 = sa.MetaData()
    sa.Table(
        "protocol_counters",
        v1,
        sa.Column("ano", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("ultimo", sa.Integer, nullable=False),
    )
    sa.Table(
        "requests",
        v1,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("protocolo", sa.String(32), nullable=False, unique=True),
        sa.Column("ano", sa.Integer, nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("tipo", sa.String(64), nullable=False),
        sa.Column("status", sa.String(32), nullable=False, index=True),
        sa.Column("canal", sa.String(64), nullable=False),
        sa.Column("contato", sa.String(255), nullable=False),
        sa.Column("unidade", sa.String(64), nullable=False),
        sa.Column("criada_em", sa.DateTime, nullable=False, index=True),
        sa.Column("prazo_em", sa.DateTime, nullable=False),
        sa.Column("submission_key", sa.String(255), nullable=False, unique=True),
        sa.Column("anexo", sa.Text),
        sa.Column("planilha", sa.Text),
        sa.UniqueConstraint("ano", "seq", name="uq_requests_ano_seq"),
    )
    sa.Table(
        "request_rows",
        v1,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("request_id", sa.Integer, sa.ForeignKey("requests.id"), nullable=False),
        sa.Column("ordem", sa.Integer, nullable=False),
        sa.Column("dados", sa.Text, nullable=False),
        sa.UniqueConstraint("request_id", "ordem", name="uq_request_rows_ordem"),
    )
    sa.Table(
        "status_history",
        v1,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "request_id", sa.Integer, sa.ForeignKey("requests.id"), nullable=False, index=True
        ),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("nota", sa.Text),
        sa.Column("em", sa.DateTime, nullable=False),
    )
    v1.create_all(conn)


def _v2(conn: Connection) -> None:
    """Version 2 (NTS panel): assignee and search text of a request; author and
    visibility of a status change; the append-only audit log (filled from the
    status history so far); panel users; failed logins (throttling)."""
    for coluna in ("responsavel VARCHAR(64)", "busca TEXT"):
        conn.execute(sa.text(f"ALTER TABLE requests ADD COLUMN {coluna}"))
    for coluna in ("autor VARCHAR(64)", "visivel BOOLEAN"):
        conn.execute(sa.text(f"ALTER TABLE status_history ADD COLUMN {coluna}"))
    v2 = sa.MetaData()
    sa.Table("requests", v2, sa.Column("id", sa.Integer, primary_key=True))
    auditoria = sa.Table(
        "audit_log",
        v2,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("em", sa.DateTime, nullable=False),
        sa.Column("autor", sa.String(64), nullable=False),
        sa.Column("acao", sa.String(32), nullable=False),
        sa.Column("request_id", sa.Integer, sa.ForeignKey("requests.id"), index=True),
        sa.Column("alvo", sa.String(64)),
        sa.Column("antes", sa.Text),
        sa.Column("depois", sa.Text),
        sa.Column("nota", sa.Text),
        sa.Column("visivel", sa.Boolean, nullable=False),
    )
    sa.Table(
        "panel_users",
        v2,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("login", sa.String(64), nullable=False, unique=True),
        sa.Column("nome", sa.String(255), nullable=False),
        sa.Column("papel", sa.String(16), nullable=False),
        sa.Column("senha_hash", sa.String(255), nullable=False),
        sa.Column("ativo", sa.Boolean, nullable=False),
        sa.Column("sessao", sa.String(64), nullable=False),
        sa.Column("criado_em", sa.DateTime, nullable=False),
    )
    falhas = sa.Table(
        "login_failures",
        v2,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("chave", sa.String(64), nullable=False),
        sa.Column("em", sa.DateTime, nullable=False),
    )
    sa.Index("ix_login_failures_chave_em", falhas.c.chave, falhas.c.em)
    v2.create_all(conn, tables=[auditoria, v2.tables["panel_users"], falhas])
    conn.execute(sa.text("CREATE INDEX ix_requests_tipo_criada ON requests (tipo, criada_em)"))
    conn.execute(sa.text("CREATE INDEX ix_requests_prazo ON requests (status, prazo_em)"))
    anteriores: dict[int, str | None] = {}
    historico = conn.execute(
        sa.text("SELECT request_id, status, nota, em FROM status_history ORDER BY id")
    ).all()
    for request_id, status, nota, em in historico:
        conn.execute(
            auditoria.insert().values(
                em=em,
                autor=AUTOR_ASSISTENTE if request_id not in anteriores else AUTOR_DESCONHECIDO,
                acao="registrada" if request_id not in anteriores else "situacao",
                request_id=request_id,
                antes=anteriores.get(request_id),
                depois=status,
                nota=nota,
                visivel=False,
            )
        )
        anteriores[request_id] = status
    linhas: dict[int, list[dict[str, Any]]] = {}
    for request_id, dados in conn.execute(
        sa.text("SELECT request_id, dados FROM request_rows ORDER BY request_id, ordem")
    ):
        linhas.setdefault(request_id, []).append(json.loads(dados))
    for request_id, dados_linhas in linhas.items():
        conn.execute(
            sa.text("UPDATE requests SET busca = :b WHERE id = :i"),
            {"b": texto_de_busca(dados_linhas), "i": request_id},
        )
    _proibir_alteracao_da_auditoria(conn)


def _proibir_alteracao_da_auditoria(conn: Connection) -> None:
    """Triggers that refuse UPDATE and DELETE on ``audit_log`` (append-only)."""
    if conn.dialect.name == "sqlite":
        for operacao in ("UPDATE", "DELETE"):
            conn.execute(
                sa.text(
                    f"CREATE TRIGGER audit_log_sem_{operacao.lower()} BEFORE {operacao} "
                    "ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"
                )
            )
        return
    conn.execute(
        sa.text(
            "CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger "
            "LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$"
        )
    )
    conn.execute(
        sa.text(
            "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
            "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()"
        )
    )


def _v3(conn: Connection) -> None:
    """Version 3: composite indexes for the panel's queue filters and indicators."""
    for nome, tabela, colunas in (
        ("ix_requests_status_criada", "requests", "status, criada_em"),
        ("ix_requests_unidade_criada", "requests", "unidade, criada_em"),
        ("ix_status_history_status_request", "status_history", "status, request_id, em"),
    ):
        conn.execute(sa.text(f"CREATE INDEX IF NOT EXISTS {nome} ON {tabela} ({colunas})"))


MIGRACOES: tuple[Passo, ...] = (_v1, _v2, _v3)
_VERSIONAMENTO = Versionamento(
    schema_version,
    trava_pg=7_305_202_600,  # pg_advisory_xact_lock key (unchanged since version 1)
    rotulo="Request store schema",
    sujeito="O banco de solicitações está",
)

AUTOR_ASSISTENTE = "assistente"  # the bot filed it
AUTOR_DESCONHECIDO = "console"  # status changes recorded before authors were
PAPEIS = ("analista", "admin")


def texto_de_busca(linhas: Sequence[Mapping[str, Any]]) -> str:
    """What the queue's search matches: the names of the rows (folded) and
    the CPFs (digits), one per line, e.g. ``"maria da silva\ncpf:12345678909;"``."""
    partes: list[str] = []
    for linha in linhas:
        for campo, valor in linha.items():
            if not isinstance(valor, str) or not valor.strip():
                continue
            if campo == "cpf":
                partes.append(f"cpf:{''.join(c for c in valor if c.isdigit())};")
            elif campo.startswith("nome"):
                partes.append(" ".join(fold(valor).split()))
    return "\n".join(partes)


@dataclass(frozen=True)
class _Novo:
    """Validated data of a request to insert."""

    tipo: str
    linhas: tuple[dict[str, Any], ...]
    canal: str
    contato: str
    unidade: str
    chave_envio: str
    anexo: str | None
    agora_utc: datetime


STATUS_ABERTOS = ("recebida", "em_andamento")
# A function the store calls inside the transaction of a new request ("registrada")
# and of a status change ("situacao"): gancho(conn, acao, solicitacao, detalhes),
# detalhes = {"antes", "nota", "visivel"}; raising rolls the change back. The
# notification outbox (bot.notificacoes) is one: it writes its rows in ``conn``.
Gancho = Callable[[Connection, str, Solicitacao, Mapping[str, Any]], None]
_FALHAS_GUARDADAS = timedelta(days=1)


@dataclass(frozen=True)
class FiltroFila:
    """The queue's filters; at most one of protocolo, cpf (digits) and nome is used."""

    tipo: str | None = None
    status: str | None = None
    unidade: str | None = None
    desde: date | None = None
    ate: date | None = None
    atrasadas: bool = False
    protocolo: str | None = None
    cpf: str | None = None
    nome: str | None = None
    agora: datetime | None = None


@dataclass(frozen=True)
class ItemFila:
    """One row of the queue."""

    protocolo: str
    tipo: str
    unidade: str
    status: str
    criada_em: datetime
    prazo_em: datetime
    responsavel: str | None


@dataclass(frozen=True)
class PaginaFila:
    """A page of the queue and the number of requests matching its filters."""

    itens: tuple[ItemFila, ...]
    total: int
    pagina: int
    por_pagina: int

    @property
    def paginas(self) -> int:
        """How many pages the filters give (at least 1)."""
        return max(1, -(-self.total // self.por_pagina))


@dataclass(frozen=True)
class Evento:
    """One audit entry: who did what, when, before and after."""

    em: datetime
    autor: str
    acao: str
    protocolo: str | None
    alvo: str | None
    antes: str | None
    depois: str | None
    nota: str | None
    visivel: bool


@dataclass(frozen=True)
class Usuario:
    """A user of the NTS panel (the hash is argon2, made by ``bot.painel.usuarios``)."""

    login: str
    nome: str
    papel: str
    senha_hash: str
    ativo: bool
    sessao: str
    criado_em: datetime


def _auditar(
    conn: Connection,
    em: datetime,
    autor: str,
    acao: str,
    request_id: int | None,
    *,
    alvo: str | None = None,
    antes: str | None = None,
    depois: str | None = None,
    nota: str | None = None,
    visivel: bool = False,
) -> None:
    """Append one entry to the audit log (inside the caller's transaction)."""
    conn.execute(
        audit_log.insert().values(
            em=em,
            autor=autor,
            acao=acao,
            request_id=request_id,
            alvo=alvo,
            antes=antes,
            depois=depois,
            nota=nota,
            visivel=visivel,
        )
    )


def _usuario(r: Any) -> Usuario:
    return Usuario(
        login=r.login,
        nome=r.nome,
        papel=r.papel,
        senha_hash=r.senha_hash,
        ativo=bool(r.ativo),
        sessao=r.sessao,
        criado_em=_de_utc(r.criado_em),
    )


def _para_utc(momento: datetime | None) -> datetime:
    """Naive UTC for storage; ``None`` means now. Naive input is refused."""
    if momento is None:
        return datetime.now(timezone.utc).replace(tzinfo=None)
    if momento.tzinfo is None or momento.utcoffset() is None:
        raise ValueError("A data/hora informada precisa ter fuso horário.")
    return momento.astimezone(timezone.utc).replace(tzinfo=None)


def _de_utc(momento: datetime) -> datetime:
    """Stored naive UTC -> aware America/Maceio."""
    return momento.replace(tzinfo=timezone.utc).astimezone(FUSO)


def _inicio_do_dia_utc(dia: date) -> datetime:
    """Start of ``dia`` in America/Maceio, as naive UTC."""
    return _para_utc(datetime.combine(dia, time.min, tzinfo=FUSO))


def _validar(tipo: str, linhas: Sequence[dict[str, Any]], chave_envio: str) -> None:
    """Refuse an unknown kind, no rows, or no submission key (Portuguese)."""
    if tipo not in TIPOS:
        raise ValueError(f"Tipo de solicitação desconhecido: {tipo!r}.")
    if not linhas:
        raise ValueError("A solicitação precisa ter ao menos uma linha de dados.")
    if not all(isinstance(linha, dict) for linha in linhas):
        raise ValueError("Cada linha da solicitação precisa ser um dicionário de campos.")
    if len(linhas) > 1 and not TIPOS[tipo].varias_linhas:
        raise ValueError(f"A solicitação de {TIPOS[tipo].titulo} aceita apenas uma linha.")
    if not str(chave_envio or "").strip():
        raise ValueError("A chave de envio (submission_key) não pode ser vazia.")
    if len(chave_envio) > 255:
        raise ValueError("A chave de envio (submission_key) tem mais de 255 caracteres.")


# --------------------------------------------------------------------------
# SQLite connection setup (SQLAlchemy 1.4 "pysqlite serializable" recipe).
# --------------------------------------------------------------------------
def _sqlite_ao_conectar(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
    """Own transaction control, busy timeout, WAL and foreign keys."""
    dbapi_conn.isolation_level = None  # pysqlite must not emit BEGIN itself
    cursor = dbapi_conn.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_S * 1000}")
    cursor.execute("PRAGMA foreign_keys = ON")
    ativar_wal(cursor)
    cursor.close()


def ativar_wal(cursor: sqlite3.Cursor) -> None:
    """Switch to WAL (persistent in the file), retrying while locked.

    The switch needs an exclusive lock and SQLite does not always call the
    busy handler for it, so concurrent first openings of a new file retry.
    """
    if cursor.execute("PRAGMA journal_mode").fetchone()[0].lower() in ("wal", "memory"):
        return
    limite = time_module.monotonic() + SQLITE_BUSY_TIMEOUT_S
    while True:
        try:
            modo = cursor.execute("PRAGMA journal_mode = WAL").fetchone()[0].lower()
            break
        except sqlite3.OperationalError as erro:
            if "locked" not in str(erro) or time_module.monotonic() > limite:
                raise
            time_module.sleep(random.uniform(0.01, 0.05))
    if modo not in ("wal", "memory"):
        logger.warning("SQLite refused WAL mode (journal_mode=%s); writers will wait longer.", modo)


def _sqlite_ao_iniciar(conn: Connection) -> None:
    """BEGIN IMMEDIATE for writes (lock up front), deferred BEGIN for reads."""
    escrita = conn.get_execution_options().get(_ESCRITA, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if escrita else "BEGIN")


def _criar_engine(url: str) -> tuple[Engine, Path | None]:
    """Engine for ``url``; the SQLite file path (None for PostgreSQL/memory)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return sa.create_engine(url, future=True, hide_parameters=True, pool_pre_ping=True), None
    caminho = None if parsed.database in (None, "", ":memory:") else Path(parsed.database)
    opcoes: dict[str, Any] = {"connect_args": {"timeout": SQLITE_BUSY_TIMEOUT_S}}
    if caminho is None:  # in-memory: one shared connection, single-threaded use only
        opcoes = {"connect_args": {"check_same_thread": False}, "poolclass": StaticPool}
    engine = sa.create_engine(url, future=True, hide_parameters=True, **opcoes)
    event.listen(engine, "connect", _sqlite_ao_conectar)
    event.listen(engine, "begin", _sqlite_ao_iniciar)
    return engine, caminho


class RequestStore:
    """The filed requests, in SQLite or PostgreSQL (see module docstring)."""

    def __init__(self, url: str) -> None:
        """Prepare the engine; no I/O until the first call."""
        self._engine, self._arquivo = _criar_engine(url)
        self._sqlite = self._engine.dialect.name == "sqlite"
        self._returning = not self._sqlite or sqlite3.sqlite_version_info >= (3, 35, 0)
        self._pronto = False
        self._trava = threading.Lock()
        self.ganchos: list[Gancho] = []  # see ``Gancho``

    # ---------------------------------------------------------------- setup
    def fechar(self) -> None:
        """Release the database connections (``with RequestStore(url) as store`` does it)."""
        self._engine.dispose()

    def __enter__(self) -> RequestStore:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.fechar()

    def migrar(self) -> int:
        """Create/migrate the schema now; return its version. Idempotent."""
        with self._trava:
            if self._pronto:
                return len(MIGRACOES)
            if self._arquivo is not None:
                self._arquivo.parent.mkdir(parents=True, exist_ok=True)
            with self._escrita() as conn:
                versao = _VERSIONAMENTO.migrar(conn, MIGRACOES)  # MIGRACOES read now
            self._pronto = True
        return versao

    def _preparar(self) -> None:
        if not self._pronto:
            self.migrar()

    @contextmanager
    def _escrita(self) -> Iterator[Connection]:
        """A write transaction (BEGIN IMMEDIATE on SQLite)."""
        with self._engine.connect() as conn:
            conn.execution_options(**{_ESCRITA: True})
            with conn.begin():
                yield conn

    @contextmanager
    def na_transacao(self) -> Iterator[Connection]:
        """A write transaction in this store's database, for tables kept beside
        it (the notification outbox); migrated first."""
        self._preparar()
        with self._escrita() as conn:
            yield conn

    @contextmanager
    def na_leitura(self) -> Iterator[Connection]:
        """A read transaction (one snapshot) in this store's database, for tables
        kept beside it (the notification outbox); migrated first."""
        with self._leitura() as conn:
            yield conn

    @contextmanager
    def _leitura(self) -> Iterator[Connection]:
        """A read transaction with one snapshot."""
        self._preparar()
        with self._engine.connect() as conn:
            if not self._sqlite:
                conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                yield conn

    # ------------------------------------------------------------- register
    def registrar(
        self,
        tipo: str,
        linhas: list[dict[str, Any]],
        *,
        canal: str,
        contato: str,
        unidade: str,
        chave_envio: str,
        anexo: str | None = None,
        agora: datetime | None = None,
    ) -> tuple[Solicitacao, bool]:
        """File a request; return it and whether it was created now.

        Retrying with the same ``chave_envio`` returns the request filed the
        first time (``criada`` False) and files nothing new.
        """
        _validar(tipo, linhas, chave_envio)
        novo = _Novo(
            tipo, tuple(linhas), canal, contato, unidade, chave_envio, anexo, _para_utc(agora)
        )
        self._preparar()
        try:
            with self._escrita() as conn:
                existente = self._id_por_chave(conn, chave_envio)
                criada = existente is None
                request_id = self._inserir(conn, novo) if existente is None else existente
                solicitacao = self._carregar(conn, request_id)
                if criada:
                    for gancho in self.ganchos:
                        gancho(conn, "registrada", solicitacao, {})
        except IntegrityError:  # an identical registrar won the race
            solicitacao, criada = self._existente_apos_conflito(chave_envio), False
        if criada:
            logger.info("Request %s filed (%s).", solicitacao.protocolo, tipo)
        else:
            logger.info("Resubmission of request %s: nothing new filed.", solicitacao.protocolo)
        return solicitacao, criada

    def _existente_apos_conflito(self, chave_envio: str) -> Solicitacao:
        with self._leitura() as conn:
            request_id = self._id_por_chave(conn, chave_envio)
            if request_id is None:
                raise RuntimeError("Falha ao registrar a solicitação; tente novamente.")
            return self._carregar(conn, request_id)

    def _id_por_chave(self, conn: Connection, chave_envio: str) -> int | None:
        consulta = sa.select(requests.c.id).where(requests.c.submission_key == chave_envio)
        return _inteiro(conn.execute(consulta).scalar())

    def _proximo_seq(self, conn: Connection, ano: int) -> int:
        """Atomically take the next number of ``ano`` (inside the caller's transaction)."""
        conn.execute(
            sa.text(
                "INSERT INTO protocol_counters (ano, ultimo) VALUES (:ano, 0) "
                "ON CONFLICT (ano) DO NOTHING"
            ),
            {"ano": ano},
        )
        incremento = "UPDATE protocol_counters SET ultimo = ultimo + 1 WHERE ano = :ano"
        if self._returning:
            return int(
                conn.execute(sa.text(incremento + " RETURNING ultimo"), {"ano": ano}).scalar_one()
            )
        conn.execute(sa.text(incremento), {"ano": ano})  # SQLite < 3.35: write lock held
        return int(
            conn.execute(
                sa.text("SELECT ultimo FROM protocol_counters WHERE ano = :ano"), {"ano": ano}
            ).scalar_one()
        )

    def _inserir(self, conn: Connection, novo: _Novo) -> int:
        """Insert request, rows and first history entry; return the request id."""
        criada_local = _de_utc(novo.agora_utc)
        ano = criada_local.year
        seq = self._proximo_seq(conn, ano)
        resultado = conn.execute(
            requests.insert().values(
                protocolo=formatar_protocolo(ano, seq),
                ano=ano,
                seq=seq,
                tipo=novo.tipo,
                status=STATUS[0],
                canal=novo.canal,
                contato=novo.contato,
                unidade=novo.unidade,
                criada_em=novo.agora_utc,
                prazo_em=_para_utc(prazo(criada_local, TIPOS[novo.tipo])),
                submission_key=novo.chave_envio,
                anexo=novo.anexo,
                busca=texto_de_busca(novo.linhas),
            )
        )
        request_id = int(resultado.inserted_primary_key[0])
        conn.execute(
            request_rows.insert(),
            [
                {
                    "request_id": request_id,
                    "ordem": ordem,
                    "dados": json.dumps(linha, ensure_ascii=False),
                }
                for ordem, linha in enumerate(novo.linhas, start=1)
            ],
        )
        conn.execute(
            status_history.insert().values(
                request_id=request_id,
                status=STATUS[0],
                nota=None,
                em=novo.agora_utc,
                autor=AUTOR_ASSISTENTE,
                visivel=False,
            )
        )
        _auditar(conn, novo.agora_utc, AUTOR_ASSISTENTE, "registrada", request_id, depois=STATUS[0])
        return request_id

    # ---------------------------------------------------------------- reads
    def buscar(self, protocolo: str) -> Solicitacao | None:
        """The request with this protocol (case/space-insensitive), or None."""
        canonico = normalizar_protocolo(protocolo)
        if canonico is None:
            return None
        with self._leitura() as conn:
            request_id = self._id_por_protocolo(conn, canonico)
            return None if request_id is None else self._carregar(conn, request_id)

    def listar(
        self, tipo: str | None = None, status: str | None = None, desde: date | None = None
    ) -> list[Solicitacao]:
        """Requests filtered by kind, status and creation day (Maceio), oldest first."""
        consulta = sa.select(requests)
        if tipo is not None:
            consulta = consulta.where(requests.c.tipo == tipo)
        if status is not None:
            consulta = consulta.where(requests.c.status == status)
        if desde is not None:
            consulta = consulta.where(requests.c.criada_em >= _inicio_do_dia_utc(desde))
        with self._leitura() as conn:
            return self._montar(conn, consulta.order_by(requests.c.criada_em, requests.c.id))

    def status_publico(self, protocolo: str) -> dict[str, str] | None:
        """What a requester may see: protocol, kind, status, dates. No personal data."""
        solicitacao = self.buscar(protocolo)
        if solicitacao is None:
            return None
        publico = {
            "protocolo": solicitacao.protocolo,
            "tipo": TIPOS[solicitacao.tipo].titulo,
            "status": STATUS_TITULOS[solicitacao.status],
            "criada_em": solicitacao.criada_em.strftime("%d/%m/%Y"),
            "previsao": solicitacao.prazo_em.strftime("%d/%m/%Y"),
        }
        observacao = self._observacao_publica(solicitacao.protocolo)
        if observacao:  # the NTS marked it "Visível ao solicitante"
            publico["observacao"] = observacao
        return publico

    def _observacao_publica(self, protocolo: str) -> str | None:
        """The note of the latest status change, when the NTS made it visible."""
        with self._leitura() as conn:
            ultima = conn.execute(
                sa.select(status_history.c.nota, status_history.c.visivel)
                .join(requests, requests.c.id == status_history.c.request_id)
                .where(requests.c.protocolo == protocolo)
                .order_by(status_history.c.id.desc())
                .limit(1)
            ).first()
        return ultima.nota if ultima is not None and ultima.visivel and ultima.nota else None

    def _id_por_protocolo(self, conn: Connection, protocolo: str) -> int | None:
        return _inteiro(
            conn.execute(sa.select(requests.c.id).where(requests.c.protocolo == protocolo)).scalar()
        )

    def _carregar(self, conn: Connection, request_id: int) -> Solicitacao:
        return self._montar(conn, sa.select(requests).where(requests.c.id == request_id))[0]

    def _montar(self, conn: Connection, consulta: sa.sql.Select) -> list[Solicitacao]:
        """Build ``Solicitacao`` objects for the requests selected (3 queries)."""
        registros = conn.execute(consulta).mappings().all()
        if not registros:
            return []
        ids = consulta.with_only_columns(requests.c.id).order_by(None).scalar_subquery()
        linhas: dict[int, list[dict[str, Any]]] = {}
        for r in conn.execute(
            sa.select(request_rows)
            .where(request_rows.c.request_id.in_(ids))
            .order_by(request_rows.c.request_id, request_rows.c.ordem)
        ):
            linhas.setdefault(r.request_id, []).append(json.loads(r.dados))
        historicos: dict[int, list[dict[str, Any]]] = {}
        for h in conn.execute(
            sa.select(status_history)
            .where(status_history.c.request_id.in_(ids))
            .order_by(status_history.c.request_id, status_history.c.id)
        ):
            historicos.setdefault(h.request_id, []).append(
                {"status": h.status, "nota": h.nota, "em": _de_utc(h.em).isoformat()}
            )
        return [
            _solicitacao(r, linhas.get(r["id"], []), historicos.get(r["id"], [])) for r in registros
        ]

    # --------------------------------------------------------------- writes
    def atualizar_status(
        self,
        protocolo: str,
        status: str,
        nota: str | None = None,
        agora: datetime | None = None,
    ) -> Solicitacao:
        """Set the status and append it to the history (author: the console)."""
        return self.mudar_situacao(
            protocolo, status, autor=AUTOR_DESCONHECIDO, nota=nota, agora=agora
        )

    def definir_planilha(self, protocolo: str, caminho: str | None) -> Solicitacao:
        """Record the path of the request's filled spreadsheet."""
        return self._definir(protocolo, planilha=None if caminho is None else str(caminho))

    def definir_anexo(self, protocolo: str, caminho: str | None) -> Solicitacao:
        """Record the path of the request's attachment (e.g. a screenshot)."""
        return self._definir(protocolo, anexo=None if caminho is None else str(caminho))

    def _definir(self, protocolo: str, **valores: str | None) -> Solicitacao:
        with self._alterar(protocolo) as (conn, request_id):
            conn.execute(requests.update().where(requests.c.id == request_id).values(**valores))
            return self._carregar(conn, request_id)

    @contextmanager
    def _alterar(self, protocolo: str) -> Iterator[tuple[Connection, int]]:
        """Write transaction on an existing request; LookupError if unknown."""
        canonico = normalizar_protocolo(protocolo)
        self._preparar()
        with self._escrita() as conn:
            request_id = None if canonico is None else self._id_por_protocolo(conn, canonico)
            if request_id is None:
                raise LookupError(f"Nenhuma solicitação encontrada com o protocolo {protocolo!r}.")
            yield conn, request_id

    # ------------------------------------------------------ panel: requests
    def fila(self, filtro: FiltroFila, pagina: int = 1, por_pagina: int = 50) -> PaginaFila:
        """One page of the queue (newest first) and how many match ``filtro``."""
        condicoes = self._condicoes_fila(filtro)
        pagina = max(1, pagina)
        consulta = (
            sa.select(
                requests.c.protocolo,
                requests.c.tipo,
                requests.c.unidade,
                requests.c.status,
                requests.c.criada_em,
                requests.c.prazo_em,
                requests.c.responsavel,
            )
            .where(*condicoes)
            .order_by(requests.c.criada_em.desc(), requests.c.id.desc())
            .limit(por_pagina)
            .offset((pagina - 1) * por_pagina)
        )
        with self._leitura() as conn:
            total = int(
                conn.execute(
                    sa.select(sa.func.count()).select_from(requests).where(*condicoes)
                ).scalar_one()
            )
            itens = [
                ItemFila(
                    protocolo=r.protocolo,
                    tipo=r.tipo,
                    unidade=r.unidade,
                    status=r.status,
                    criada_em=_de_utc(r.criada_em),
                    prazo_em=_de_utc(r.prazo_em),
                    responsavel=r.responsavel,
                )
                for r in conn.execute(consulta)
            ]
        return PaginaFila(itens=tuple(itens), total=total, pagina=pagina, por_pagina=por_pagina)

    def _condicoes_fila(self, filtro: FiltroFila) -> list[Any]:
        c = requests.c
        condicoes: list[Any] = []
        if filtro.tipo:
            condicoes.append(c.tipo == filtro.tipo)
        if filtro.status:
            condicoes.append(c.status == filtro.status)
        if filtro.unidade:
            condicoes.append(c.unidade == filtro.unidade)
        if filtro.desde:
            condicoes.append(c.criada_em >= _inicio_do_dia_utc(filtro.desde))
        if filtro.ate:
            condicoes.append(c.criada_em < _inicio_do_dia_utc(filtro.ate + timedelta(days=1)))
        if filtro.atrasadas:
            condicoes.append(c.status.in_(STATUS_ABERTOS))
            condicoes.append(c.prazo_em < _para_utc(filtro.agora))
        if filtro.protocolo:
            condicoes.append(c.protocolo == filtro.protocolo)
        elif filtro.cpf:
            condicoes.append(c.busca.contains(f"cpf:{filtro.cpf};", autoescape=True))
        elif filtro.nome:
            condicoes.append(c.busca.contains(" ".join(fold(filtro.nome).split()), autoescape=True))
        return condicoes

    def historico(self, protocolo: str) -> list[Evento]:
        """The audit entries of one request, oldest first (LookupError if unknown)."""
        canonico = normalizar_protocolo(protocolo)
        with self._leitura() as conn:
            request_id = None if canonico is None else self._id_por_protocolo(conn, canonico)
            if request_id is None:
                raise LookupError(f"Nenhuma solicitação encontrada com o protocolo {protocolo!r}.")
            return self._eventos(conn, audit_log.c.request_id == request_id)

    def auditoria(self, limite: int = 500) -> list[Evento]:
        """The latest audit entries of every kind, newest first."""
        with self._leitura() as conn:
            eventos = self._eventos(conn, sa.true(), desc=True, limite=limite)
        return eventos

    def _eventos(
        self, conn: Connection, condicao: Any, desc: bool = False, limite: int | None = None
    ) -> list[Evento]:
        ordem = audit_log.c.id.desc() if desc else audit_log.c.id
        consulta = (
            sa.select(audit_log, requests.c.protocolo)
            .select_from(audit_log.outerjoin(requests, audit_log.c.request_id == requests.c.id))
            .where(condicao)
            .order_by(ordem)
            .limit(limite)
        )
        return [
            Evento(
                em=_de_utc(r.em),
                autor=r.autor,
                acao=r.acao,
                protocolo=r.protocolo,
                alvo=r.alvo,
                antes=r.antes,
                depois=r.depois,
                nota=r.nota,
                visivel=bool(r.visivel),
            )
            for r in conn.execute(consulta)
        ]

    def responsavel(self, protocolo: str) -> str | None:
        """Login of who is working on the request (None: nobody yet)."""
        canonico = normalizar_protocolo(protocolo)
        with self._leitura() as conn:
            return (
                None
                if canonico is None
                else conn.execute(
                    sa.select(requests.c.responsavel).where(requests.c.protocolo == canonico)
                ).scalar()
            )

    def mudar_situacao(
        self,
        protocolo: str,
        status: str,
        *,
        autor: str,
        nota: str | None = None,
        visivel: bool = False,
        agora: datetime | None = None,
    ) -> Solicitacao:
        """Set the status, append it to the history and the audit log (one transaction)."""
        if status not in STATUS:
            raise ValueError(
                f"Status desconhecido: {status!r}. Use um destes: " + ", ".join(STATUS) + "."
            )
        em = _para_utc(agora)
        with self._alterar(protocolo) as (conn, request_id):
            antes = conn.execute(
                sa.select(requests.c.status).where(requests.c.id == request_id)
            ).scalar_one()
            conn.execute(requests.update().where(requests.c.id == request_id).values(status=status))
            conn.execute(
                status_history.insert().values(
                    request_id=request_id,
                    status=status,
                    nota=nota,
                    em=em,
                    autor=autor,
                    visivel=visivel,
                )
            )
            _auditar(
                conn,
                em,
                autor,
                "situacao",
                request_id,
                antes=antes,
                depois=status,
                nota=nota,
                visivel=visivel,
            )
            solicitacao = self._carregar(conn, request_id)
            for gancho in self.ganchos:
                gancho(
                    conn,
                    "situacao",
                    solicitacao,
                    {"antes": antes, "nota": nota, "visivel": visivel},
                )
        logger.info("Request %s: status %s -> %s.", solicitacao.protocolo, antes, status)
        return solicitacao

    def anotar(
        self, protocolo: str, *, autor: str, nota: str, agora: datetime | None = None
    ) -> None:
        """Append an internal note (never shown to the requester) to the audit log."""
        em = _para_utc(agora)
        with self._alterar(protocolo) as (conn, request_id):
            _auditar(conn, em, autor, "nota", request_id, nota=nota)
        logger.info("Request %s: internal note added.", normalizar_protocolo(protocolo))

    def atribuir(
        self,
        protocolo: str,
        responsavel: str | None,
        *,
        autor: str,
        agora: datetime | None = None,
    ) -> None:
        """Set who works on the request (None: nobody), audited."""
        em = _para_utc(agora)
        with self._alterar(protocolo) as (conn, request_id):
            antes = conn.execute(
                sa.select(requests.c.responsavel).where(requests.c.id == request_id)
            ).scalar()
            conn.execute(
                requests.update().where(requests.c.id == request_id).values(responsavel=responsavel)
            )
            _auditar(conn, em, autor, "atribuicao", request_id, antes=antes, depois=responsavel)
        logger.info("Request %s: assignee changed.", normalizar_protocolo(protocolo))

    def auditar(
        self,
        *,
        autor: str,
        acao: str,
        alvo: str | None = None,
        antes: str | None = None,
        depois: str | None = None,
        nota: str | None = None,
        agora: datetime | None = None,
    ) -> None:
        """Append one audit entry not tied to a request (links, catalogues...)."""
        em = _para_utc(agora)
        self._preparar()
        with self._escrita() as conn:
            _auditar(conn, em, autor, acao, None, alvo=alvo, antes=antes, depois=depois, nota=nota)
        logger.info("Audit: %s.", acao)

    # --------------------------------------------------------- panel: users
    def usuario(self, login: str) -> Usuario | None:
        """The panel user ``login`` (case-insensitive), or None."""
        with self._leitura() as conn:
            r = conn.execute(
                sa.select(panel_users).where(panel_users.c.login == login.strip().lower())
            ).first()
        return None if r is None else _usuario(r)

    def usuarios(self) -> list[Usuario]:
        """Every panel user, by login."""
        with self._leitura() as conn:
            return [
                _usuario(r)
                for r in conn.execute(sa.select(panel_users).order_by(panel_users.c.login))
            ]

    def ha_admin(self) -> bool:
        """Whether an active admin exists (else the login page says how to create one)."""
        with self._leitura() as conn:
            return (
                conn.execute(
                    sa.select(panel_users.c.id)
                    .where(panel_users.c.papel == "admin", panel_users.c.ativo == sa.true())
                    .limit(1)
                ).first()
                is not None
            )

    def criar_usuario(
        self,
        login: str,
        nome: str,
        papel: str,
        senha_hash: str,
        sessao: str,
        *,
        autor: str,
        agora: datetime | None = None,
    ) -> Usuario:
        """Add a panel user (ValueError if the login exists), audited."""
        em = _para_utc(agora)
        self._preparar()
        try:
            with self._escrita() as conn:
                conn.execute(
                    panel_users.insert().values(
                        login=login,
                        nome=nome,
                        papel=papel,
                        senha_hash=senha_hash,
                        ativo=True,
                        sessao=sessao,
                        criado_em=em,
                    )
                )
                _auditar(conn, em, autor, "usuario_criado", None, alvo=login, depois=papel)
        except IntegrityError:
            raise ValueError(f"Já existe um usuário com o login {login!r}.") from None
        logger.info("Panel user %s created (%s).", login, papel)
        usuario = self.usuario(login)
        assert usuario is not None
        return usuario

    def alterar_usuario(
        self,
        login: str,
        *,
        autor: str,
        acao: str,
        antes: str | None = None,
        depois: str | None = None,
        agora: datetime | None = None,
        **valores: Any,
    ) -> Usuario:
        """Change columns of a panel user (LookupError if unknown); audited as ``acao``."""
        em = _para_utc(agora)
        self._preparar()
        with self._escrita() as conn:
            feito = conn.execute(
                panel_users.update().where(panel_users.c.login == login).values(**valores)
            )
            if not feito.rowcount:
                raise LookupError(f"Nenhum usuário com o login {login!r}.")
            _auditar(conn, em, autor, acao, None, alvo=login, antes=antes, depois=depois)
        logger.info("Panel user %s: %s.", login, acao)
        usuario = self.usuario(login)
        assert usuario is not None
        return usuario

    # --------------------------------------------------- panel: throttling
    def registrar_falha(self, chaves: Sequence[str], agora: datetime | None = None) -> None:
        """Record a failed login under each key (hashes of the login and the address)."""
        em = _para_utc(agora)
        self._preparar()
        with self._escrita() as conn:
            conn.execute(login_failures.insert(), [{"chave": c, "em": em} for c in chaves])
            conn.execute(
                login_failures.delete().where(login_failures.c.em < em - _FALHAS_GUARDADAS)
            )

    def falhas_desde(self, chave: str, desde: datetime) -> tuple[int, datetime | None]:
        """How many failures ``chave`` has since ``desde``, and the latest one."""
        with self._leitura() as conn:
            n, ultima = conn.execute(
                sa.select(sa.func.count(), sa.func.max(login_failures.c.em)).where(
                    login_failures.c.chave == chave, login_failures.c.em >= _para_utc(desde)
                )
            ).one()
        return int(n), None if ultima is None else _de_utc(ultima)

    def limpar_falhas(self, chave: str) -> None:
        """Forget the failures of ``chave`` (a successful login)."""
        self._preparar()
        with self._escrita() as conn:
            conn.execute(login_failures.delete().where(login_failures.c.chave == chave))

    # ---------------------------------------------------- protocol counters
    def reservar_protocolos(self, protocolos: Iterable[str]) -> list[str]:
        """Of ``protocolos`` (canonical), those no request has, sorted; the
        counters of their years move past them, so none is handed out again
        (e.g. spreadsheets of requests filed after the copy a restore used)."""
        vistos = sorted({p for p in protocolos if normalizar_protocolo(p) == p})
        if not vistos:
            return []
        self._preparar()
        with self._escrita() as conn:
            existentes = set(
                conn.execute(
                    sa.select(requests.c.protocolo).where(requests.c.protocolo.in_(vistos))
                ).scalars()
            )
            ausentes = [p for p in vistos if p not in existentes]
            maximos: dict[int, int] = {}
            for protocolo in ausentes:
                _, ano_texto, seq_texto = protocolo.split("-")
                ano, seq = int(ano_texto), int(seq_texto)
                maximos[ano] = max(maximos.get(ano, 0), seq)
            for ano, seq in maximos.items():
                atual = conn.execute(
                    sa.select(protocol_counters.c.ultimo).where(protocol_counters.c.ano == ano)
                ).scalar()
                if atual is None:
                    conn.execute(protocol_counters.insert().values(ano=ano, ultimo=seq))
                elif atual < seq:
                    conn.execute(
                        protocol_counters.update()
                        .where(protocol_counters.c.ano == ano)
                        .values(ultimo=seq)
                    )
        if ausentes:
            logger.info("Protocol counters moved past %d protocols with no request.", len(ausentes))
        return ausentes

    # ------------------------------------------------------- copy / restore
    def _arquivo_sqlite(self) -> Path:
        if not self._sqlite:
            raise RuntimeError(
                "A cópia de um banco PostgreSQL é feita com pg_dump/pg_restore "
                "(sei-nts backup / sei-nts restore), não pelo RequestStore."
            )
        if self._arquivo is None:
            raise RuntimeError("Banco SQLite em memória não tem cópia.")
        return self._arquivo

    def copiar(self, destino: str | os.PathLike[str]) -> Path:
        """Consistent copy of the SQLite database to ``destino`` (online backup API;
        written beside it and renamed, so ``destino`` is never half a copy)."""
        arquivo = self._arquivo_sqlite()
        self._preparar()
        destino = Path(destino)
        with substituir_atomico(destino) as temporario:
            _copiar_sqlite(arquivo, temporario)
        logger.info("Request store backed up.")
        return destino

    def restaurar(self, origem: str | os.PathLike[str]) -> None:
        """Replace the SQLite database's content with the copy ``origem``, page by
        page (connections stay valid); the schema is migrated again on next use.
        ``CopiaInvalida`` if ``origem`` is not a sound copy of a request store."""
        arquivo = self._arquivo_sqlite()
        origem = Path(origem)
        conferir_copia(origem)
        self._engine.dispose()
        arquivo.parent.mkdir(parents=True, exist_ok=True)
        _copiar_sqlite(origem, arquivo)
        with self._trava:
            self._pronto = False
        logger.info("Request store restored from a copy.")


class CopiaInvalida(ValueError):
    """A file that is not a sound SQLite copy of the request store (Portuguese)."""


def conferir_copia(origem: Path) -> None:
    """``origem`` is a SQLite request store that passes the integrity check."""
    try:
        conn = sqlite3.connect(f"file:{origem}?mode=ro", uri=True)
        try:
            ok = conn.execute("PRAGMA integrity_check").fetchone()[0]
            tabelas = {
                r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
        finally:
            conn.close()
    except sqlite3.DatabaseError as erro:
        raise CopiaInvalida(f"{origem} não é uma cópia SQLite válida ({erro}).") from None
    if ok != "ok":
        raise CopiaInvalida(f"{origem} está corrompida: {ok}.")
    if not {schema_version.name, protocol_counters.name, requests.name} <= tabelas:
        raise CopiaInvalida(f"{origem} não é uma cópia do banco de solicitações.")


def _copiar_sqlite(origem: Path, destino: Path) -> None:
    """Copy ``origem`` over ``destino`` with SQLite's online backup API (the one
    copy routine: a backup, a restore)."""
    fonte = sqlite3.connect(f"file:{origem}?mode=ro", uri=True, timeout=SQLITE_BUSY_TIMEOUT_S)
    alvo = sqlite3.connect(destino, timeout=SQLITE_BUSY_TIMEOUT_S)
    try:
        fonte.backup(alvo)
    finally:
        alvo.close()
        fonte.close()


def _inteiro(valor: Any) -> int | None:
    """A scalar id read from the database, or None."""
    return None if valor is None else int(valor)


def _solicitacao(
    registro: Any, linhas: list[dict[str, Any]], historico: list[dict[str, Any]]
) -> Solicitacao:
    """A stored request row -> ``Solicitacao`` (times in America/Maceio)."""
    return Solicitacao(
        protocolo=registro["protocolo"],
        tipo=registro["tipo"],
        status=registro["status"],
        canal=registro["canal"],
        contato=registro["contato"],
        unidade=registro["unidade"],
        criada_em=_de_utc(registro["criada_em"]),
        prazo_em=_de_utc(registro["prazo_em"]),
        linhas=tuple(linhas),
        anexo=registro["anexo"],
        planilha=registro["planilha"],
        historico=tuple(historico),
    )
