"""Retention and backup of the assistant's personal data.

- ``purgar``: deletes conversation trackers (Rasa's ``SQLTrackerStore`` table
  ``events``) of conversations idle for more than N days, and attachments and
  spreadsheets older than N days. The request records stay (the NTS keeps
  them; a spreadsheet can be generated again from them), and so do the files
  of requests still open (``recebida``/``em_andamento``): their screenshot
  exists nowhere else.
- ``fazer_backup`` / ``restaurar``: the request store, with SQLite's online
  backup API or ``pg_dump``/``pg_restore`` for PostgreSQL. A restore first
  saves the current database beside the backups, and then moves the protocol
  counters past every spreadsheet left in ``var/planilhas`` whose request
  the backup does not have, so that no protocol number is handed out twice.

Nothing here runs at import time; the staff console (``sei-nts privacy ...``,
``sei-nts backup``, ``sei-nts restore``) calls it.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import sqlite3
import stat
import subprocess
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url

from bot.solicitacoes.protocolo import ARQUIVO_PLANILHA
from bot.solicitacoes.tipos import FUSO

log = logging.getLogger(__name__)

RETENCAO_PADRAO_DIAS = 90
STATUS_ABERTOS = ("recebida", "em_andamento")
SQLITE_ESPERA_S = 30

_ANEXO = re.compile(r"^([0-9a-f]{32})\.[a-z0-9]{1,8}$")
_EXPORTACAO = re.compile(r"^(NTS-exportacao-[a-z_]+-\d{8}-\d{6})\.xlsx$")
_TEMPORARIO = re.compile(r"^(\..+\.tmp)$")  # left behind by a crash in gravar_atomico


class ErroPrivacidade(RuntimeError):
    """A purge, backup or restore that cannot be done; the message says why (Portuguese)."""


# ----------------------------------------------------------------- settings bridge


def retencao_dias(cfg: object) -> int:
    """Days to keep conversations and files: ``Settings.retencao_dias`` or 90."""
    return int(getattr(cfg, "retencao_dias", None) or RETENCAO_PADRAO_DIAS)


def url_trackers(cfg: object) -> str:
    """SQLAlchemy URL of the tracker store: ``Settings.trackers_db_url`` or var/trackers.db."""
    return getattr(cfg, "trackers_db_url", None) or f"sqlite:///{Path(cfg.var_dir) / 'trackers.db'}"


def pasta_backups(cfg: object) -> Path:
    """Where a restore keeps the copy of the database it replaces."""
    return Path(cfg.var_dir) / "backups"


# ----------------------------------------------------------------- purge


@dataclass
class Relatorio:
    """What a purge removed (or would remove, in a dry run)."""

    corte: datetime
    simulacao: bool
    conversas: int = 0
    eventos: int = 0
    anexos: int = 0
    planilhas: int = 0
    temporarios: int = 0
    bytes: int = 0
    mantidos_abertos: int = 0
    trackers_ausentes: bool = False


def _arquivo_sqlite(url: URL) -> Path | None:
    if url.get_backend_name() != "sqlite":
        return None
    banco = url.database
    return None if banco in (None, "", ":memory:") else Path(banco)


def purgar_trackers(url_texto: str, corte: datetime, simular: bool = False) -> tuple[int, int]:
    """Delete the events of conversations whose last event is older than ``corte``.

    Returns (conversations, events). A missing SQLite file or ``events``
    table means nothing to purge (and nothing is created).
    """
    url = make_url(url_texto)
    arquivo = _arquivo_sqlite(url)
    if arquivo is not None and not arquivo.exists():
        raise FileNotFoundError(arquivo)
    opcoes = {"connect_args": {"timeout": SQLITE_ESPERA_S}} if arquivo is not None else {}
    engine = sa.create_engine(url, future=True, hide_parameters=True, **opcoes)
    if arquivo is not None:  # deleted rows overwritten with zeros, not left in free pages
        sa.event.listen(
            engine, "connect", lambda dbapi, _registro: dbapi.execute("PRAGMA secure_delete = ON")
        )
    try:
        if not sa.inspect(engine).has_table("events"):
            raise FileNotFoundError(
                f"{url.render_as_string(hide_password=True)}: sem tabela events"
            )
        eventos = sa.table("events", sa.column("sender_id"), sa.column("timestamp"))
        antigas = (
            sa.select(eventos.c.sender_id)
            .group_by(eventos.c.sender_id)
            .having(sa.func.max(eventos.c.timestamp) < corte.timestamp())
        )
        alvo = eventos.c.sender_id.in_(antigas.scalar_subquery())
        with engine.connect() as conn:
            with conn.begin():
                n_conversas = conn.execute(
                    sa.select(sa.func.count()).select_from(antigas.subquery())
                ).scalar_one()
                if simular or not n_conversas:
                    n_eventos = conn.execute(
                        sa.select(sa.func.count()).select_from(eventos).where(alvo)
                    ).scalar_one()
                else:  # one statement: a conversation that got a new event meanwhile stays
                    n_eventos = conn.execute(sa.delete(eventos).where(alvo)).rowcount
            if arquivo is not None and not simular and n_eventos:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")  # WAL copies too
                conn.commit()
    finally:
        engine.dispose()
    return n_conversas, n_eventos


def _grupos(pasta: Path, padrao: re.Pattern[str]) -> dict[str, list[tuple[Path, os.stat_result]]]:
    """Regular files of ``pasta`` (with their stat) grouped by the key the pattern captures."""
    grupos: dict[str, list[tuple[Path, os.stat_result]]] = {}
    for arquivo in pasta.iterdir():
        m = padrao.match(arquivo.name)
        if not m:
            continue
        try:
            info = arquivo.lstat()
        except FileNotFoundError:  # removed meanwhile
            continue
        if stat.S_ISREG(info.st_mode):
            grupos.setdefault(m.group(1), []).append((arquivo, info))
    return grupos


def _remover(arquivos: list[tuple[Path, os.stat_result]], simular: bool) -> int:
    """Delete the files; their total size."""
    if not simular:
        for arquivo, _info in arquivos:
            arquivo.unlink(missing_ok=True)
    return sum(info.st_size for _arquivo, info in arquivos)


def _purgar_pasta(
    pasta: Path,
    padrao: re.Pattern[str],
    corte: float,
    manter: frozenset[str],
    simular: bool,
    relatorio: Relatorio,
) -> int:
    """Remove groups of files older than ``corte`` (keys in ``manter`` stay)."""
    if not pasta.is_dir():
        return 0
    removidos = 0
    for chave, arquivos in sorted(_grupos(pasta, padrao).items()):
        if max(info.st_mtime for _arquivo, info in arquivos) >= corte:
            continue
        if chave in manter:
            relatorio.mantidos_abertos += 1
            continue
        relatorio.bytes += _remover(arquivos, simular)
        removidos += 1
    return removidos


def _purgar_temporarios(pasta: Path, corte: float, simular: bool, relatorio: Relatorio) -> None:
    """Temporary files of interrupted atomic writes, older than ``corte``."""
    if not pasta.is_dir():
        return
    for _nome, arquivos in _grupos(pasta, _TEMPORARIO).items():
        velhos = [(a, info) for a, info in arquivos if info.st_mtime < corte]
        relatorio.bytes += _remover(velhos, simular)
        relatorio.temporarios += len(velhos)


def _abertos(store) -> tuple[frozenset[str], frozenset[str]]:
    """(attachment refs, protocols) of the requests still open."""
    anexos, protocolos = set(), set()
    for status in STATUS_ABERTOS:
        for s in store.listar(status=status):
            protocolos.add(s.protocolo)
            if s.anexo:
                anexos.add(s.anexo)
    return frozenset(anexos), frozenset(protocolos)


def purgar(
    store,
    url_trackers_texto: str,
    anexos_dir: Path,
    planilhas_dir: Path,
    dias: int,
    simular: bool = False,
    agora: datetime | None = None,
) -> Relatorio:
    """Apply the retention period of ``dias`` days (see module docstring)."""
    if dias < 0:
        raise ErroPrivacidade("O prazo de retenção não pode ser negativo.")
    agora = agora or datetime.now(timezone.utc)
    corte = agora - timedelta(days=dias)
    relatorio = Relatorio(corte=corte, simulacao=simular)
    anexos_abertos, protocolos_abertos = _abertos(store)  # store down: nothing is deleted
    try:
        relatorio.conversas, relatorio.eventos = purgar_trackers(url_trackers_texto, corte, simular)
    except FileNotFoundError:
        relatorio.trackers_ausentes = True
    limite = corte.timestamp()
    relatorio.anexos = _purgar_pasta(
        Path(anexos_dir), _ANEXO, limite, anexos_abertos, simular, relatorio
    )
    relatorio.planilhas = _purgar_pasta(
        Path(planilhas_dir), ARQUIVO_PLANILHA, limite, protocolos_abertos, simular, relatorio
    )
    relatorio.planilhas += _purgar_pasta(
        Path(planilhas_dir), _EXPORTACAO, limite, frozenset(), simular, relatorio
    )
    for pasta in (Path(anexos_dir), Path(planilhas_dir)):
        _purgar_temporarios(pasta, limite, simular, relatorio)
    log.info(
        "Retention purge (%d days%s): %d conversations, %d events, %d attachments, "
        "%d spreadsheets.",
        dias,
        ", dry run" if simular else "",
        relatorio.conversas,
        relatorio.eventos,
        relatorio.anexos,
        relatorio.planilhas,
    )
    return relatorio


# ----------------------------------------------------------------- PostgreSQL tools


def _conninfo(url: URL) -> tuple[str, dict[str, str]]:
    """libpq connection string (no password) and the environment carrying the password."""

    def valor(texto: object) -> str:
        return "'" + str(texto).replace("\\", "\\\\").replace("'", "\\'") + "'"

    partes = {"host": url.host, "port": url.port, "user": url.username, "dbname": url.database}
    partes.update({k: v for k, v in url.query.items() if isinstance(v, str)})
    conninfo = " ".join(f"{k}={valor(v)}" for k, v in partes.items() if v not in (None, ""))
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return conninfo, env


def _programa(nome: str) -> str:
    caminho = shutil.which(nome)
    if caminho is None:
        raise ErroPrivacidade(
            f"{nome} não encontrado no PATH: instale o cliente do PostgreSQL "
            "(pacote postgresql-client) na mesma versão do servidor."
        )
    return caminho


def _rodar(comando: list[str], env: dict[str, str], descricao: str) -> None:
    resultado = subprocess.run(comando, env=env, capture_output=True, text=True, check=False)
    if resultado.returncode != 0:
        detalhe = (resultado.stderr or resultado.stdout).strip().splitlines()
        raise ErroPrivacidade(
            f"{descricao} falhou: {detalhe[-1] if detalhe else resultado.returncode}"
        )


def _pg_dump(url: URL, destino: Path) -> None:
    """The request store's tables only (with their sequences): in the production
    profile the same database holds the conversations, which a backup must not
    keep beyond their retention nor bring back on a restore."""
    from bot.solicitacoes.store import metadata

    conninfo, env = _conninfo(url)
    tabelas = [f"--table={t.name}" for t in metadata.sorted_tables]
    _rodar(
        [
            _programa("pg_dump"),
            "--format=custom",
            "--no-owner",
            "--no-privileges",
            *tabelas,
            f"--file={destino}",
            f"--dbname={conninfo}",
        ],
        env,
        "pg_dump",
    )


def _pg_restore(url: URL, origem: Path) -> None:
    conninfo, env = _conninfo(url)
    _rodar(
        [
            _programa("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={conninfo}",
            str(origem),
        ],
        env,
        "pg_restore",
    )


# ----------------------------------------------------------------- backup / restore


def _temporario_ao_lado(destino: Path) -> Path:
    fd, nome = tempfile.mkstemp(dir=destino.parent, prefix=f".{destino.name}.", suffix=".tmp")
    os.close(fd)
    return Path(nome)


def fazer_backup(url_texto: str, destino: Path) -> Path:
    """Consistent copy of the request store to ``destino`` (SQLite file or pg_dump archive)."""
    from bot.solicitacoes.store import RequestStore

    destino = Path(destino)
    url = make_url(url_texto)
    destino.parent.mkdir(parents=True, exist_ok=True)
    if url.get_backend_name() == "sqlite":
        with RequestStore(url_texto) as store:
            return store.backup(destino)
    if url.get_backend_name() != "postgresql":
        raise ErroPrivacidade(f"Banco não suportado para cópia: {url.get_backend_name()}.")
    temporario = _temporario_ao_lado(destino)
    try:
        _pg_dump(url, temporario)
        os.replace(temporario, destino)
    finally:
        temporario.unlink(missing_ok=True)
    return destino


def _conferir_copia_sqlite(origem: Path) -> None:
    """The file is a SQLite request store that passes the integrity check."""
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
        raise ErroPrivacidade(f"{origem} não é uma cópia SQLite válida ({erro}).") from None
    if ok != "ok":
        raise ErroPrivacidade(f"{origem} está corrompida: {ok}.")
    if not {"requests", "schema_version", "protocol_counters"} <= tabelas:
        raise ErroPrivacidade(f"{origem} não é uma cópia do banco de solicitações.")


def _copiar_sqlite(origem: Path, destino: Path) -> None:
    """Replace ``destino``'s content with ``origem``'s (online backup API, page by page)."""
    destino.parent.mkdir(parents=True, exist_ok=True)
    fonte = sqlite3.connect(f"file:{origem}?mode=ro", uri=True)
    alvo = sqlite3.connect(destino, timeout=SQLITE_ESPERA_S)
    try:
        fonte.backup(alvo)
    finally:
        alvo.close()
        fonte.close()


def _copia_anterior(pasta: Path, extensao: str) -> Path:
    """A new file name for the copy of the database a restore replaces."""
    base = f"antes-da-restauracao-{datetime.now(FUSO):%Y%m%d-%H%M%S}"
    caminho, n = Path(pasta) / f"{base}{extensao}", 1
    while caminho.exists():
        n += 1
        caminho = Path(pasta) / f"{base}-{n}{extensao}"
    return caminho


@dataclass
class Restauracao:
    """Outcome of a restore."""

    copia_anterior: Path | None
    solicitacoes: int
    protocolos_ausentes: list[str] = field(default_factory=list)


def restaurar(url_texto: str, origem: Path, planilhas_dir: Path, backups_dir: Path) -> Restauracao:
    """Replace the request store with the backup ``origem`` (see module docstring)."""
    from bot.solicitacoes.store import RequestStore

    origem = Path(origem)
    if not origem.is_file():
        raise ErroPrivacidade(f"Arquivo de cópia não encontrado: {origem}")
    url = make_url(url_texto)
    if url.get_backend_name() == "sqlite":
        _conferir_copia_sqlite(origem)
        arquivo = _arquivo_sqlite(url)
        if arquivo is None:
            raise ErroPrivacidade("Banco SQLite em memória não pode ser restaurado.")
        anterior = None
        if arquivo.exists():
            anterior = fazer_backup(url_texto, _copia_anterior(backups_dir, ".db"))
        _copiar_sqlite(origem, arquivo)
    elif url.get_backend_name() == "postgresql":
        anterior = fazer_backup(url_texto, _copia_anterior(backups_dir, ".dump"))
        _pg_restore(url, origem)
    else:
        raise ErroPrivacidade(f"Banco não suportado para restauração: {url.get_backend_name()}.")
    with RequestStore(url_texto) as store:
        store.migrar()  # a backup from an older version is brought up to date
        ausentes = _reservar_protocolos(url_texto, planilhas_dir)
        total = len(store.listar())
    log.info("Request store restored (%d requests, %d protocols missing).", total, len(ausentes))
    return Restauracao(copia_anterior=anterior, solicitacoes=total, protocolos_ausentes=ausentes)


def _reservar_protocolos(url_texto: str, planilhas_dir: Path) -> list[str]:
    """Protocols with a spreadsheet but no request; counters moved past them."""
    from bot.solicitacoes.store import protocol_counters, requests

    pasta = Path(planilhas_dir)
    vistos = sorted(
        {
            m.group(1)
            for a in (pasta.iterdir() if pasta.is_dir() else [])
            if (m := ARQUIVO_PLANILHA.match(a.name))
        }
    )
    if not vistos:
        return []
    engine = sa.create_engine(make_url(url_texto), future=True, hide_parameters=True)
    try:
        with engine.begin() as conn:
            existentes = set(
                conn.execute(
                    sa.select(requests.c.protocolo).where(requests.c.protocolo.in_(vistos))
                ).scalars()
            )
            ausentes = [p for p in vistos if p not in existentes]
            maximos: dict[int, int] = {}
            for protocolo in ausentes:
                _, ano, seq = protocolo.split("-")
                maximos[int(ano)] = max(maximos.get(int(ano), 0), int(seq))
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
    finally:
        engine.dispose()
    return ausentes
