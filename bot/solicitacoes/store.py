"""Request store: the requests the bot files for the SESAU NTS.

SQLite (default, a file) or PostgreSQL, through SQLAlchemy 1.4 Core. The
schema is created and migrated on first use (``schema_version`` table plus
the ordered ``MIGRACOES`` steps). Times are stored as naive UTC and returned
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
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.pool import StaticPool

from bot.arquivos import substituir_atomico
from bot.solicitacoes.protocolo import formatar_protocolo, normalizar_protocolo
from bot.solicitacoes.tipos import FUSO, STATUS, STATUS_TITULOS, TIPOS, Solicitacao, prazo

logger = logging.getLogger(__name__)

SQLITE_BUSY_TIMEOUT_S = 30
_ESCRITA = "sei_escrita"  # execution option: this transaction writes
_PG_MIGRATION_LOCK = 7_305_202_600  # pg_advisory_xact_lock key for migrations

# --------------------------------------------------------------------------
# Current schema, as queries see it. Must equal the result of MIGRACOES
# (tests/solicitacoes/test_store.py checks it by reflection).
# --------------------------------------------------------------------------
metadata = sa.MetaData()

schema_version = sa.Table(
    "schema_version",
    metadata,
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("aplicada_em", sa.DateTime, nullable=False),
)
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


MIGRACOES: tuple[Callable[[Connection], None], ...] = (_v1,)


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
    _ativar_wal(cursor)
    cursor.close()


def _ativar_wal(cursor: sqlite3.Cursor) -> None:
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
                versao = self._aplicar_migracoes(conn)
            self._pronto = True
        return versao

    def _preparar(self) -> None:
        if not self._pronto:
            self.migrar()

    def _aplicar_migracoes(self, conn: Connection) -> int:
        if not self._sqlite:  # serialise concurrent migrators on PostgreSQL
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_MIGRATION_LOCK})
        schema_version.create(conn, checkfirst=True)
        atual = conn.execute(sa.select(sa.func.max(schema_version.c.version))).scalar() or 0
        if atual > len(MIGRACOES):
            raise RuntimeError(
                f"O banco de solicitações está na versão {atual}, mais nova que a "
                f"suportada por este código ({len(MIGRACOES)})."
            )
        for versao in range(atual + 1, len(MIGRACOES) + 1):
            MIGRACOES[versao - 1](conn)
            conn.execute(
                schema_version.insert().values(version=versao, aplicada_em=_para_utc(None))
            )
            logger.info("Request store schema migrated to version %d.", versao)
        return len(MIGRACOES)

    @contextmanager
    def _escrita(self) -> Iterator[Connection]:
        """A write transaction (BEGIN IMMEDIATE on SQLite)."""
        with self._engine.connect() as conn:
            conn.execution_options(**{_ESCRITA: True})
            with conn.begin():
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
                request_id=request_id, status=STATUS[0], nota=None, em=novo.agora_utc
            )
        )
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
        return {
            "protocolo": solicitacao.protocolo,
            "tipo": TIPOS[solicitacao.tipo].titulo,
            "status": STATUS_TITULOS[solicitacao.status],
            "criada_em": solicitacao.criada_em.strftime("%d/%m/%Y"),
            "previsao": solicitacao.prazo_em.strftime("%d/%m/%Y"),
        }

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
        """Set the status and append it to the history."""
        if status not in STATUS:
            raise ValueError(
                f"Status desconhecido: {status!r}. Use um destes: " + ", ".join(STATUS) + "."
            )
        em = _para_utc(agora)
        with self._alterar(protocolo) as (conn, request_id):
            conn.execute(requests.update().where(requests.c.id == request_id).values(status=status))
            conn.execute(
                status_history.insert().values(
                    request_id=request_id, status=status, nota=nota, em=em
                )
            )
            solicitacao = self._carregar(conn, request_id)
        logger.info("Request %s: status %s.", solicitacao.protocolo, status)
        return solicitacao

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
