"""Indicators of the NTS panel, from the conversation and request stores.

Read-only SQL (SQLAlchemy Core) on two databases, every count grouped in
the database (``GROUP BY``), never a Python loop over the raw events:

- Rasa's tracker store (``events``: sender_id, type_name, timestamp as epoch
  seconds, intent_name, action_name, data JSON): conversations (senders who
  wrote) and user messages per Maceió day and channel; the most asked FAQ
  topics (``faq_*`` intents); the share of user messages not understood
  (intent ``nlu_fallback`` or ``out_of_scope``, the ones the bot answers with
  ``action_nao_entendi``: ``bot.faq.sugestoes.INTENCOES_NAO_ENTENDIDAS``) and
  those messages, CPF and e-mail masked (``bot.mascara.mascarar``, what the logs use),
  grouped by normalised text with counts, exportable as candidate NLU
  examples. The channel is the prefix of the sender id (``telegram-…``,
  ``web-…``: ``bot.channels.identidade.remetente``; the gateways reach Rasa
  through its REST channel, so ``input_channel`` is "rest" for both), else
  the event's ``input_channel``.
- the request store: requests per kind and current status per week of
  filing; median and 95th percentile time from filing to the first
  "concluida" of the status history, against the deadline (72 h, 48 h for
  desanexação).

The indexes these queries need on the ``events`` table (Rasa's own schema
only indexes sender_id) are created the first time the tracker store is
opened (``Indicadores.preparar()``, which the panel calls at start; on
PostgreSQL ``CREATE INDEX CONCURRENTLY``). One ``Indicadores`` serves every
thread of the panel. Days are Maceió days (UTC-3: no daylight saving since 2000).
"""

from __future__ import annotations

import hashlib
import logging
import math
import re
import threading
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import yaml
from sqlalchemy.dialects import postgresql as postgresql_dialeto
from sqlalchemy.dialects import sqlite as sqlite_dialeto
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.pool import QueuePool

from bot import content
from bot.faq import respostas
from bot.faq.sugestoes import INTENCOES_NAO_ENTENDIDAS
from bot.mascara import mascarar
from bot.solicitacoes.store import requests, status_history
from bot.solicitacoes.tipos import FUSO, TIPOS
from bot.text import one_line

logger = logging.getLogger(__name__)

CANAIS = ("telegram", "web")
CANAL_OUTRO = "outro"
PRAZO_PADRAO_H = 72
STATUS_CONCLUSAO = "concluida"
INTENCAO_REVISAR = "REVISAR"
LIMITE_GRUPOS = 200
LIMITE_TEXTO = 300  # characters of a not-understood message shown / exported
_EPOCA = date(1970, 1, 1)
_DIA_S = 86400
_DIGITOS = re.compile(r"\d+")
_PALAVRA = re.compile(r"[^\W_]+")
_MASCARADO = re.compile(r"\S*\*\*\*\S*")  # a value bot.ops.logmask masked
_LINHAS_DE_CALCULO = 3  # threads of calcular (and pooled connections per database)
_MMAP_BYTES = 1 << 30
_MEMO_MAXIMO = 200_000  # raw texts whose masked form and key are remembered

# Indexes on Rasa's events table (``Indicadores.preparar``): topics and misses
# by type, intent and time; conversations by Maceió day and channel, a partial
# index on expressions of the user messages that the query repeats verbatim.
INDICE_INTENCOES = "ix_painel_events_tipo_intent"
INDICE_DIAS = "ix_painel_events_usuario_dia"
# Indexes the request store should have for these queries and the queue
# (the store owns its schema: bot.solicitacoes.store migrations).
INDICES_SOLICITACOES = (
    ("ix_status_history_status_request", "status_history", ("status", "request_id", "em")),
    ("ix_requests_tipo_criada", "requests", ("tipo", "criada_em")),
    ("ix_requests_status_criada", "requests", ("status", "criada_em")),
    ("ix_requests_unidade_criada", "requests", ("unidade", "criada_em")),
    ("ix_requests_status_prazo", "requests", ("status", "prazo_em")),
)

_eventos = sa.table(
    "events",
    sa.column("id", sa.Integer),
    sa.column("sender_id", sa.String),
    sa.column("type_name", sa.String),
    sa.column("timestamp", sa.Float),
    sa.column("intent_name", sa.String),
    sa.column("action_name", sa.String),
    sa.column("data", sa.Text),
)


# ----------------------------------------------------------------- results


@dataclass(frozen=True)
class ConversasDia:
    """Conversations (senders who wrote) and user messages of a day in a channel."""

    dia: date
    canal: str
    conversas: int
    mensagens: int


@dataclass(frozen=True)
class Topico:
    """How many user messages asked an FAQ topic."""

    intencao: str
    titulo: str
    mensagens: int


@dataclass(frozen=True)
class GrupoMensagem:
    """Not-understood messages that read the same: a sample (masked) and the count."""

    texto: str
    ocorrencias: int
    chave: str


@dataclass(frozen=True)
class NaoEntendidas:
    """User messages not understood: how many, their share, the groups (most frequent first)."""

    mensagens: int
    nao_entendidas: int
    grupos: tuple[GrupoMensagem, ...]

    @property
    def fracao(self) -> float:
        """Share of user messages not understood (0 when there are none)."""
        return self.nao_entendidas / self.mensagens if self.mensagens else 0.0


@dataclass(frozen=True)
class SolicitacoesSemana:
    """Requests filed in a week (starting Monday) of a kind, by current status."""

    semana: date
    tipo: str
    status: str
    quantidade: int


@dataclass(frozen=True)
class Conclusao:
    """Time from filing to conclusion, in hours, against a deadline."""

    quantidade: int
    mediana_h: float | None
    p95_h: float | None
    no_prazo: int
    prazo_h: float

    @property
    def fracao_no_prazo(self) -> float:
        """Share concluded within the deadline (0 when none was concluded)."""
        return self.no_prazo / self.quantidade if self.quantidade else 0.0


@dataclass(frozen=True)
class Painel:
    """Every indicator of a period (what the Indicadores page shows)."""

    inicio: date
    fim: date
    conversas: tuple[ConversasDia, ...]
    topicos: tuple[Topico, ...]
    nao_entendidas: NaoEntendidas
    semanas: tuple[SolicitacoesSemana, ...]
    conclusao: Conclusao
    conclusao_por_tipo: dict[str, Conclusao] = field(default_factory=dict)


# ----------------------------------------------------------------- pure functions


def percentil(ordenados: Sequence[float], q: float) -> float | None:
    """The ``q`` quantile (0..1) of sorted values, linear between ranks; None if empty."""
    if not ordenados:
        return None
    posicao = (len(ordenados) - 1) * q
    baixo, alto = math.floor(posicao), math.ceil(posicao)
    return ordenados[baixo] + (ordenados[alto] - ordenados[baixo]) * (posicao - baixo)


def estatisticas_duracoes(
    duracoes_h: Iterable[float], prazo_h: float = PRAZO_PADRAO_H
) -> Conclusao:
    """Median, 95th percentile and count within ``prazo_h`` of durations in hours."""
    ordenadas = sorted(duracoes_h)
    return Conclusao(
        quantidade=len(ordenadas),
        mediana_h=percentil(ordenadas, 0.5),
        p95_h=percentil(ordenadas, 0.95),
        no_prazo=sum(1 for d in ordenadas if d <= prazo_h),
        prazo_h=prazo_h,
    )


def estatisticas_conclusao(
    pares: Iterable[tuple[datetime, datetime]], prazo_h: float = PRAZO_PADRAO_H
) -> Conclusao:
    """``estatisticas_duracoes`` of (filed at, concluded at) pairs (aware or both naive)."""
    return estatisticas_duracoes(
        ((concluida - criada).total_seconds() / 3600 for criada, concluida in pares), prazo_h
    )


def chave_mensagem(texto: str) -> str:
    """Grouping key of a (masked) message: lower case, no accents nor punctuation,
    masked values and digit runs as 0 ("Meu CPF é ***.982.247-**!" -> "meu cpf e 0")."""
    simples = _MASCARADO.sub(" 0 ", texto).casefold()
    if not simples.isascii():
        simples = unicodedata.normalize("NFKD", simples)
        ascii_ = simples.encode("ascii", "ignore").decode("ascii")
        simples = ascii_ if _PALAVRA.search(ascii_) else simples
    return _DIGITOS.sub("0", " ".join(_PALAVRA.findall(simples)))


def mascarar_mensagem(texto: str) -> str:
    """A user message as the panel shows it: one line, CPF and e-mail masked, cut."""
    linha = mascarar(one_line(texto))
    return linha if len(linha) <= LIMITE_TEXTO else linha[: LIMITE_TEXTO - 1] + "…"


def agrupar_mensagens(
    contagens: Iterable[tuple[str, int]],
    limite: int = LIMITE_GRUPOS,
    memo: dict[bytes, tuple[str, str]] | None = None,
) -> list[GrupoMensagem]:
    """Group (raw text, count) by ``chave_mensagem`` of the masked text; the
    sample of a group is its most frequent masked variant. Most frequent first.

    ``memo`` (digest of the raw text -> (masked, key)) spares masking a text
    again on the next call, without keeping the raw text; it is cleared when
    it grows past ``_MEMO_MAXIMO``.
    """
    memo = {} if memo is None else memo
    if len(memo) > _MEMO_MAXIMO:
        memo.clear()
    totais: Counter[str] = Counter()
    variantes: dict[str, Counter[str]] = defaultdict(Counter)
    for texto, n in contagens:
        resumo = hashlib.blake2b(texto.encode("utf-8", "replace"), digest_size=16).digest()
        feito = memo.get(resumo)
        if feito is None:
            mascarado = mascarar_mensagem(texto or "")
            feito = memo[resumo] = (mascarado, chave_mensagem(mascarado))
        mascarado, chave = feito
        if not chave:
            continue
        totais[chave] += n
        variantes[chave][mascarado] += n
    ordem = sorted(totais, key=lambda k: (-totais[k], k))[:limite]
    return [
        GrupoMensagem(
            texto=min(variantes[k].items(), key=lambda item: (-item[1], item[0]))[0],
            ocorrencias=totais[k],
            chave=k,
        )
        for k in ordem
    ]


def exportar_nlu(grupos: Iterable[GrupoMensagem], intencao: str = INTENCAO_REVISAR) -> str:
    """Candidate NLU examples in Rasa's YAML (``version: "3.1"``), for review.

    One example per group, most frequent first; square brackets become
    parentheses (Rasa would read ``[texto](entidade)`` as an annotation).
    """
    exemplos = []
    for grupo in grupos:
        texto = one_line(grupo.texto).replace("[", "(").replace("]", ")")
        if texto:
            exemplos.append(f"- {texto}\n")
    cabecalho = yaml.safe_dump(
        {"version": "3.1"}, allow_unicode=True, default_flow_style=False
    ).replace("'", '"')
    corpo = "".join("    " + e for e in dict.fromkeys(exemplos))
    return (
        "# Mensagens que o assistente não entendeu (CPF e e-mail mascarados), mais\n"
        "# frequentes primeiro. Revise: mova cada exemplo para a intenção certa ou apague-o\n"
        "# antes de qualquer treino.\n"
        f"{cabecalho}nlu:\n- intent: {intencao}\n  examples: |\n{corpo}"
    )


def por_semana(linhas: Iterable[tuple[date, str, str, int]]) -> list[SolicitacoesSemana]:
    """(day, kind, status, count) rows summed per week (starting Monday)."""
    totais: Counter[tuple[date, str, str]] = Counter()
    for dia, tipo, status, n in linhas:
        totais[(dia - timedelta(days=dia.weekday()), tipo, status)] += n
    return [SolicitacoesSemana(s, t, st, n) for (s, t, st), n in sorted(totais.items())]


def canal_do_remetente(sender_id: str) -> str | None:
    """The channel named by a sender id's prefix (``telegram-…``), or None."""
    prefixo = sender_id.split("-", 1)[0] if "-" in sender_id else ""
    return prefixo if prefixo in CANAIS else None


# ----------------------------------------------------------------- SQL helpers


def _segundos_fuso(dia: date) -> int:
    """Maceió's UTC offset in seconds on ``dia`` (-10800)."""
    deslocamento = datetime.combine(dia, time(12), tzinfo=FUSO).utcoffset()
    return int(deslocamento.total_seconds()) if deslocamento else 0


def _limites_epoca(inicio: date, fim: date) -> tuple[float, float]:
    """[start of ``inicio``, start of the day after ``fim``) in Maceió, as epoch seconds."""
    de = datetime.combine(inicio, time.min, tzinfo=FUSO).timestamp()
    ate = datetime.combine(fim + timedelta(days=1), time.min, tzinfo=FUSO).timestamp()
    return de, ate


def _limites_utc(inicio: date, fim: date) -> tuple[datetime, datetime]:
    """The same bounds as naive UTC (how the request store keeps times)."""
    de, ate = _limites_epoca(inicio, fim)
    return (
        datetime.fromtimestamp(de, timezone.utc).replace(tzinfo=None),
        datetime.fromtimestamp(ate, timezone.utc).replace(tzinfo=None),
    )


def _inteiro(expr: Any, sqlite: bool) -> Any:
    """floor() of a non-negative float expression, in either dialect."""
    return sa.cast(expr, sa.Integer) if sqlite else sa.func.floor(expr)


def _literal(valor: int | str) -> Any:
    """A constant written into the SQL (an expression index matches only literals)."""
    return sa.literal_column(repr(valor) if isinstance(valor, str) else str(int(valor)))


def _dia_evento(sqlite: bool) -> Any:
    """Maceió day number (days since 1970-01-01) of an event, as indexed."""
    deslocamento = _segundos_fuso(date(2026, 1, 1))
    return _inteiro((_eventos.c.timestamp + _literal(deslocamento)) / _literal(_DIA_S), sqlite)


def _canal_evento(sqlite: bool) -> Any:
    """The sender id's prefix (``telegram``, ``web``), as indexed."""
    ev = _eventos.c
    if sqlite:
        return sa.func.substr(
            ev.sender_id, _literal(1), sa.func.instr(ev.sender_id, _literal("-")) - _literal(1)
        )
    return sa.func.split_part(ev.sender_id, _literal("-"), _literal(1))


def _usuario() -> Any:
    """``type_name = 'user'`` with the literal the partial index names."""
    return _eventos.c.type_name == _literal("user")


# index names of the events table (SQLAlchemy's inspector skips expression indexes)
_CATALOGO_SQLITE = sa.text(
    "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events'"
)
_CATALOGO_PG = sa.text(
    "SELECT indexname FROM pg_indexes WHERE tablename = 'events' AND schemaname = current_schema()"
)


def _dias(inicio: date, fim: date) -> tuple[int, int]:
    return (inicio - _EPOCA).days, (fim - _EPOCA).days


def _ddl_indices(sqlite: bool) -> list[tuple[str, str]]:
    """(name, CREATE INDEX) of the events indexes, in the engine's dialect."""
    ddl = []
    for nome, colunas, onde in (
        (INDICE_INTENCOES, ["type_name", "intent_name", "timestamp"], None),
        (
            INDICE_DIAS,
            [_dia_evento(sqlite), _canal_evento(sqlite), _eventos.c.sender_id],
            _usuario(),
        ),
    ):
        dialeto = sqlite_dialeto.dialect() if sqlite else postgresql_dialeto.dialect()
        partes = [
            c
            if isinstance(c, str)
            else str(c.compile(dialect=dialeto, compile_kwargs={"literal_binds": True}))
            for c in colunas
        ]
        if not sqlite:
            partes = [f"({c})" if "(" in c else c for c in partes]
        # columns unqualified: an index names its table's columns only
        texto = ", ".join(partes).replace("events.", "")
        concorrente = "" if sqlite else "CONCURRENTLY "
        comando = f"CREATE INDEX {concorrente}IF NOT EXISTS {nome} ON events ({texto})"
        if onde is not None:
            comando += " WHERE " + str(
                onde.compile(dialect=dialeto, compile_kwargs={"literal_binds": True})
            ).replace("events.", "")
        ddl.append((nome, comando))
    return ddl


def _sqlite_leitura(dbapi_conn: Any, _registro: Any) -> None:
    dbapi_conn.execute(f"PRAGMA mmap_size = {_MMAP_BYTES}")


def _abrir(url: str) -> tuple[Engine | None, bool]:
    """A read engine for ``url``; None for a SQLite file that does not exist (nothing
    is created). Also whether it is SQLite."""
    parsed = make_url(url)
    sqlite = parsed.get_backend_name() == "sqlite"
    if sqlite:
        banco = parsed.database
        if not banco or banco == ":memory:" or not Path(banco).exists():
            return None, True
        # a small pool shared by calcular's threads (one connection per thread at a
        # time); reads through mmap: the OS page cache, not a per-connection copy
        engine = sa.create_engine(
            url,
            future=True,
            poolclass=QueuePool,
            pool_size=_LINHAS_DE_CALCULO,
            connect_args={"timeout": 30, "check_same_thread": False},
        )
        sa.event.listen(engine, "connect", _sqlite_leitura)
    else:
        engine = sa.create_engine(url, future=True, hide_parameters=True, pool_pre_ping=True)
    return engine, sqlite


def _abrir_tabela(url: str, tabela: str) -> tuple[Engine | None, bool]:
    """``_abrir``, None also while the database lacks ``tabela``."""
    engine, sqlite = _abrir(url)
    if engine is not None and not sa.inspect(engine).has_table(tabela):
        engine.dispose()
        return None, sqlite
    return engine, sqlite


def _criar_indices(engine: Engine, sqlite: bool) -> list[str]:
    """Create the missing events indexes; their names."""
    criados = []
    # PostgreSQL: CONCURRENTLY (outside a transaction), Rasa's inserts never wait
    opcoes = {} if sqlite else {"isolation_level": "AUTOCOMMIT"}
    with engine.connect().execution_options(**opcoes) as conn:
        existentes = set(conn.execute(_CATALOGO_SQLITE if sqlite else _CATALOGO_PG).scalars())
        for nome, comando in _ddl_indices(sqlite):
            if nome not in existentes:
                conn.exec_driver_sql(comando)
                criados.append(nome)
        if criados and sqlite:  # statistics, so the planner picks the partial index
            conn.exec_driver_sql("ANALYZE events")
        if sqlite:
            conn.commit()
    if criados:
        logger.info("Tracker store indexes created: %s.", ", ".join(criados))
    return criados


class Indicadores:
    """The indicators of a tracker store and a request store (SQLAlchemy URLs)."""

    def __init__(self, trackers_url: str, requests_url: str) -> None:
        """Engines only; nothing is read or created until a call."""
        self._trackers_url = trackers_url
        self._requests_url = requests_url
        self._trk: tuple[Engine | None, bool] | None = None
        self._req: tuple[Engine | None, bool] | None = None
        self._memo: dict[bytes, tuple[str, str]] = {}
        self._trava = threading.Lock()

    def fechar(self) -> None:
        """Release the connections."""
        for par in (self._trk, self._req):
            if par and par[0] is not None:
                par[0].dispose()
        self._trk = self._req = None

    def __enter__(self) -> Indicadores:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.fechar()

    def _trackers(self) -> tuple[Engine | None, bool]:
        """The tracker store's engine (None while it has no events table); the
        first time it opens, its indexes are created (``_criar_indices``)."""
        if self._trk is None or self._trk[0] is None:
            with self._trava:
                if self._trk is None or self._trk[0] is None:
                    par = _abrir_tabela(self._trackers_url, "events")
                    if par[0] is not None:
                        _criar_indices(*par)
                    self._trk = par
        return self._trk

    def _solicitacoes(self) -> tuple[Engine | None, bool]:
        if self._req is None or self._req[0] is None:
            with self._trava:
                if self._req is None or self._req[0] is None:
                    self._req = _abrir_tabela(self._requests_url, "requests")
        return self._req

    # ------------------------------------------------------------ indexes

    def preparar(self) -> list[str]:
        """Open the tracker store now, creating its missing indexes; their names.

        Nothing to do (empty list) while the tracker store has no events table;
        the first call that finds it creates them (the panel calls this at start).
        """
        with self._trava:
            if self._trk is not None and self._trk[0] is not None:
                return _criar_indices(*self._trk)
            par = _abrir_tabela(self._trackers_url, "events")
            self._trk = par
            return _criar_indices(*par) if par[0] is not None else []

    def indices_solicitacoes(self) -> Iterator[str]:
        """DDL of ``INDICES_SOLICITACOES`` (for the store's owner to add)."""
        for nome, tabela, colunas in INDICES_SOLICITACOES:
            yield f"CREATE INDEX IF NOT EXISTS {nome} ON {tabela} ({', '.join(colunas)})"

    # ------------------------------------------------------------ conversations

    def conversas_por_dia(self, inicio: date, fim: date) -> list[ConversasDia]:
        """Per Maceió day and channel: senders who wrote, and their messages."""
        engine, sqlite = self._trackers()
        if engine is None:
            return []
        ev = _eventos.c
        dia, canal = _dia_evento(sqlite), _canal_evento(sqlite)
        filtro = (_usuario(), dia.between(*_dias(inicio, fim)))
        consulta = (
            sa.select(dia, canal, sa.func.count(sa.distinct(ev.sender_id)), sa.func.count())
            .where(*filtro)
            .group_by(dia, canal)
        )
        # senders without a channel prefix: the channel their messages name
        entrada = (
            sa.func.json_extract(ev.data, "$.input_channel")
            if sqlite
            else sa.cast(ev.data, sa.JSON)["input_channel"].as_string()
        )
        outros = (
            sa.select(dia, entrada, sa.func.count(sa.distinct(ev.sender_id)), sa.func.count())
            .where(*filtro, canal.not_in(CANAIS))
            .group_by(dia, entrada)
        )
        resultado: Counter[tuple[date, str]] = Counter()
        mensagens: Counter[tuple[date, str]] = Counter()
        with engine.connect() as conn:
            linhas = conn.execute(consulta).all()
            por_canal = [r for r in linhas if r[1] in CANAIS]
            sem_prefixo = conn.execute(outros).all() if len(por_canal) < len(linhas) else []
            for n_dia, nome, n_conversas, n_mensagens in [*por_canal, *sem_prefixo]:
                chave = (_EPOCA + timedelta(days=int(n_dia)), str(nome or CANAL_OUTRO))
                resultado[chave] += int(n_conversas)
                mensagens[chave] += int(n_mensagens)
        return [
            ConversasDia(dia_, canal_, resultado[(dia_, canal_)], mensagens[(dia_, canal_)])
            for dia_, canal_ in sorted(resultado)
        ]

    def topicos_faq(self, inicio: date, fim: date, limite: int = 10) -> list[Topico]:
        """The FAQ topics most asked (user messages classified ``faq_*``)."""
        engine, _ = self._trackers()
        if engine is None:
            return []
        de, ate = _limites_epoca(inicio, fim)
        ev = _eventos.c
        n = sa.func.count().label("n")
        consulta = (
            sa.select(ev.intent_name, n)
            .where(
                ev.type_name == "user",
                ev.intent_name >= "faq_",
                ev.intent_name < "faq`",  # "faq_" prefix, as a range the index serves
                ev.timestamp >= de,
                ev.timestamp < ate,
            )
            .group_by(ev.intent_name)
            .order_by(n.desc(), ev.intent_name)
            .limit(limite)
        )
        topicos = respostas.carregar_topicos()
        with engine.connect() as conn:
            return [
                Topico(
                    intencao, topicos[intencao].titulo if intencao in topicos else intencao, int(q)
                )
                for intencao, q in conn.execute(consulta)
            ]

    def nao_entendidas(self, inicio: date, fim: date, limite: int = LIMITE_GRUPOS) -> NaoEntendidas:
        """User messages not understood, their share and their groups."""
        engine, sqlite = self._trackers()
        if engine is None:
            return NaoEntendidas(0, 0, ())
        de, ate = _limites_epoca(inicio, fim)
        ev = _eventos.c
        periodo = (ev.type_name == "user", ev.timestamp >= de, ev.timestamp < ate)
        por_dia = (_usuario(), _dia_evento(sqlite).between(*_dias(inicio, fim)))
        falhas = ev.intent_name.in_(sorted(INTENCOES_NAO_ENTENDIDAS))
        texto = (
            sa.func.json_extract(ev.data, "$.text")
            if sqlite
            else sa.cast(ev.data, sa.JSON)["text"].as_string()
        ).label("texto")
        with engine.connect() as conn:
            total = conn.execute(
                sa.select(sa.func.count()).select_from(_eventos).where(*por_dia)
            ).scalar_one()
            linhas = conn.execute(
                sa.select(texto, sa.func.count()).where(*periodo, falhas).group_by(texto)
            ).all()
        grupos = agrupar_mensagens(((str(t or ""), int(n)) for t, n in linhas), limite, self._memo)
        return NaoEntendidas(int(total), sum(int(n) for _, n in linhas), tuple(grupos))

    # ------------------------------------------------------------ requests

    def solicitacoes_por_semana(self, inicio: date, fim: date) -> list[SolicitacoesSemana]:
        """Requests filed per week, kind and current status."""
        engine, sqlite = self._solicitacoes()
        if engine is None:
            return []
        de, ate = _limites_utc(inicio, fim)
        desloc_dias = _segundos_fuso(inicio) / _DIA_S
        r = requests.c
        if sqlite:
            dias = sa.func.julianday(r.criada_em) - 2440587.5 + desloc_dias
        else:
            dias = sa.extract("epoch", r.criada_em) / _DIA_S + desloc_dias
        dia = _inteiro(dias, sqlite).label("dia")
        consulta = (
            sa.select(dia, r.tipo, r.status, sa.func.count())
            .where(r.criada_em >= de, r.criada_em < ate)
            .group_by(dia, r.tipo, r.status)
        )
        with engine.connect() as conn:
            linhas = [
                (_EPOCA + timedelta(days=int(d)), tipo, status, int(n))
                for d, tipo, status, n in conn.execute(consulta)
            ]
        return por_semana(linhas)

    def duracoes_conclusao(self, inicio: date, fim: date) -> list[tuple[str, float]]:
        """(kind, hours from filing to the first "concluida") of the requests
        filed in the period that were concluded."""
        engine, sqlite = self._solicitacoes()
        if engine is None:
            return []
        de, ate = _limites_utc(inicio, fim)
        h, r = status_history.c, requests.c
        primeira = sa.func.min(h.em)
        if sqlite:
            horas = (sa.func.julianday(primeira) - sa.func.julianday(r.criada_em)) * 24
        else:
            horas = sa.extract("epoch", primeira - r.criada_em) / 3600
        concluida = sa.and_(h.request_id == r.id, h.status == STATUS_CONCLUSAO)
        consulta = (
            sa.select(r.tipo, horas)
            .select_from(requests.join(status_history, concluida))
            .where(r.criada_em >= de, r.criada_em < ate)
            .group_by(r.id, r.tipo, r.criada_em)
        )
        with engine.connect() as conn:
            return [(tipo, float(d)) for tipo, d in conn.execute(consulta)]

    def tempo_conclusao(self, inicio: date, fim: date) -> tuple[Conclusao, dict[str, Conclusao]]:
        """Time to conclusion of all kinds (against 72 h) and per kind (against its deadline)."""
        por_tipo: dict[str, list[float]] = defaultdict(list)
        for tipo, horas in self.duracoes_conclusao(inicio, fim):
            por_tipo[tipo].append(horas)
        geral = estatisticas_duracoes(h for lista in por_tipo.values() for h in lista)
        return geral, {
            tipo: estatisticas_duracoes(lista, TIPOS[tipo].prazo_horas if tipo in TIPOS else 72)
            for tipo, lista in sorted(por_tipo.items())
        }

    # ------------------------------------------------------------ all of it

    def calcular(self, inicio: date, fim: date) -> Painel:
        """Every indicator of the period [``inicio``, ``fim``] (Maceió days)."""
        if fim < inicio:
            raise ValueError(content.entrada("painel_servicos", "indicadores")["periodo_invertido"])
        self._trackers()
        self._solicitacoes()
        # the databases work while the GIL is released: the queries run side by side
        with ThreadPoolExecutor(_LINHAS_DE_CALCULO, thread_name_prefix="indicadores") as grupo:
            nao_entendidas = grupo.submit(self.nao_entendidas, inicio, fim)
            conclusao = grupo.submit(self.tempo_conclusao, inicio, fim)
            conversas = grupo.submit(self.conversas_por_dia, inicio, fim)
            semanas = grupo.submit(self.solicitacoes_por_semana, inicio, fim)
            topicos = grupo.submit(self.topicos_faq, inicio, fim)
            geral, por_tipo = conclusao.result()
            return Painel(
                inicio=inicio,
                fim=fim,
                conversas=tuple(conversas.result()),
                topicos=tuple(topicos.result()),
                nao_entendidas=nao_entendidas.result(),
                semanas=tuple(semanas.result()),
                conclusao=geral,
                conclusao_por_tipo=por_tipo,
            )
