"""Retention and backup of the assistant's personal data.

- ``purgar``: deletes conversation trackers (Rasa's ``SQLTrackerStore`` table
  ``events``) of conversations idle for more than N days, and attachments and
  spreadsheets older than N days. The request records stay (the NTS keeps
  them; a spreadsheet can be generated again from them), and so do the files
  of requests still open (``recebida``/``em_andamento``): their screenshot
  exists nowhere else.
- ``fazer_backup`` / ``restaurar``: the request store, with SQLite's online
  backup API (``RequestStore.copiar`` / ``RequestStore.restaurar``) or
  ``pg_dump``/``pg_restore`` for PostgreSQL. A restore first saves the current
  database beside the backups, and then moves the protocol counters past every
  spreadsheet left in ``var/planilhas`` whose request the backup does not have
  (``RequestStore.reservar_protocolos``), so that no protocol number is handed
  out twice.

Nothing here runs at import time; the staff console (``sei-nts privacy ...``,
``sei-nts backup``, ``sei-nts restore``) calls it.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import stat
import subprocess
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url

from bot import settings as settings_module
from bot.arquivos import substituir_atomico
from bot.settings import Settings
from bot.solicitacoes.protocolo import ARQUIVO_PLANILHA, protocolo_da_planilha
from bot.solicitacoes.recebidas import SUBPASTA as SUBPASTA_RECEBIDAS
from bot.solicitacoes.tipos import FUSO

if TYPE_CHECKING:
    from bot.solicitacoes.store import RequestStore

logger = logging.getLogger(__name__)

RETENCAO_PADRAO_DIAS = 90
STATUS_ABERTOS = ("recebida", "em_andamento")
SQLITE_ESPERA_S = 30

_ANEXO = re.compile(r"^([0-9a-f]{32})\.[a-z0-9]{1,8}$")
_EXPORTACAO = re.compile(r"^(NTS-exportacao-[a-z_]+-\d{8}-\d{6})\.xlsx$")
# a checked planilha sent back with its "Erros" column (personal data, no protocol)
_CONFERIDA = re.compile(r"^(Conferida-[0-9a-f]{32})\.xlsx$")
_TEMPORARIO = re.compile(r"^(\..+\.tmp)$")  # left behind by a crash in gravar_atomico


class ErroPrivacidade(RuntimeError):
    """A purge, backup or restore that cannot be done; the message says why (Portuguese)."""


# ----------------------------------------------------------------- settings bridge


def retencao_dias(cfg: Settings) -> int:
    """Days to keep conversations and files: ``SEI_RETENCAO_DIAS`` (0 or unset: 90)."""
    return cfg.retencao_dias or RETENCAO_PADRAO_DIAS


def pasta_backups(cfg: Settings) -> Path:
    """Where a restore keeps the copy of the database it replaces."""
    return cfg.var_dir / "backups"


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
    avisos: int = 0  # notice subscriptions (addresses, chat references): bot.notificacoes


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
    *,
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


def _abertos(store: RequestStore) -> tuple[frozenset[str], frozenset[str]]:
    """(attachment refs, protocols) of the requests still open."""
    anexos: set[str] = set()
    protocolos: set[str] = set()
    for status in STATUS_ABERTOS:
        for s in store.listar(status=status):
            protocolos.add(s.protocolo)
            if s.anexo:
                anexos.add(s.anexo)
    return frozenset(anexos), frozenset(protocolos)


def purgar(
    store: RequestStore,
    url_trackers_texto: str,
    anexos_dir: Path,
    planilhas_dir: Path,
    dias: int,
    *,
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
        Path(anexos_dir), _ANEXO, limite, anexos_abertos, simular=simular, relatorio=relatorio
    )
    relatorio.planilhas = _purgar_pasta(
        Path(planilhas_dir),
        ARQUIVO_PLANILHA,
        limite,
        protocolos_abertos,
        simular=simular,
        relatorio=relatorio,
    )
    relatorio.planilhas += _purgar_pasta(
        Path(planilhas_dir), _EXPORTACAO, limite, frozenset(), simular=simular, relatorio=relatorio
    )
    # planilhas sent in the chat for checking and the checked copies, when the
    # requester never filed nor cancelled them (filing or cancelling deletes them)
    recebidas = Path(anexos_dir) / SUBPASTA_RECEBIDAS
    relatorio.anexos += _purgar_pasta(
        recebidas, _ANEXO, limite, frozenset(), simular=simular, relatorio=relatorio
    )
    relatorio.planilhas += _purgar_pasta(
        Path(planilhas_dir), _CONFERIDA, limite, frozenset(), simular=simular, relatorio=relatorio
    )
    for pasta in (Path(anexos_dir), Path(planilhas_dir), recebidas):
        _purgar_temporarios(pasta, limite, simular, relatorio)
    from bot.notificacoes import assinaturas  # requests ended + retention: addresses go

    relatorio.avisos = assinaturas.purgar(store, dias, simular=simular, agora=agora)
    logger.info(
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
    env = settings_module.inherited_environ()
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


def fazer_backup(url_texto: str, destino: Path) -> Path:
    """Consistent copy of the request store to ``destino`` (SQLite file or pg_dump archive)."""
    from bot.solicitacoes.store import RequestStore

    destino = Path(destino)
    url = make_url(url_texto)
    if url.get_backend_name() == "sqlite":
        with RequestStore(url_texto) as store:
            return store.copiar(destino)
    if url.get_backend_name() != "postgresql":
        raise ErroPrivacidade(f"Banco não suportado para cópia: {url.get_backend_name()}.")
    with substituir_atomico(destino) as temporario:
        _pg_dump(url, temporario)
    return destino


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
    from bot.solicitacoes.store import CopiaInvalida, RequestStore, conferir_copia

    origem = Path(origem)
    if not origem.is_file():
        raise ErroPrivacidade(f"Arquivo de cópia não encontrado: {origem}")
    url = make_url(url_texto)
    backend = url.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise ErroPrivacidade(f"Banco não suportado para restauração: {backend}.")
    arquivo = _arquivo_sqlite(url)
    if backend == "sqlite" and arquivo is None:
        raise ErroPrivacidade("Banco SQLite em memória não pode ser restaurado.")
    with RequestStore(url_texto) as store:
        anterior = None
        if backend == "sqlite":
            try:
                conferir_copia(origem)  # before the current database is copied aside
                if arquivo is not None and arquivo.exists():
                    anterior = store.copiar(_copia_anterior(backups_dir, ".db"))
                store.restaurar(origem)
            except CopiaInvalida as erro:
                raise ErroPrivacidade(str(erro)) from None
        else:
            anterior = fazer_backup(url_texto, _copia_anterior(backups_dir, ".dump"))
            _pg_restore(url, origem)
        store.migrar()  # a backup from an older version is brought up to date
        ausentes = store.reservar_protocolos(_protocolos_com_planilha(Path(planilhas_dir)))
        total = len(store.listar())
    logger.info("Request store restored (%d requests, %d protocols missing).", total, len(ausentes))
    return Restauracao(copia_anterior=anterior, solicitacoes=total, protocolos_ausentes=ausentes)


def _protocolos_com_planilha(pasta: Path) -> list[str]:
    """Protocols of the spreadsheets in ``pasta`` (one file per filed request)."""
    if not pasta.is_dir():
        return []
    return [p for a in pasta.iterdir() if (p := protocolo_da_planilha(a.name)) is not None]
