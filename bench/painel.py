"""Panel services at scale: a request store with 100,000 requests and a
tracker store with 1,000,000 conversation events, filled by bulk insert, and
the times of a filtered queue page of 50 (p95), an export of 10,000 rows and
the indicators (``bot.painel.indicadores``).

The queue query timed here is a stand-in for the panel's (filters by kind,
status, unit and period, newest first, 50 per page, with the total): pass
``consulta_fila`` to ``medir_fila`` to time the real one.

Usage: python -m bench.painel --work /tmp/painel [--requests 100000] [--events 1000000]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bot.solicitacoes.tipos import FUSO, STATUS, TIPOS

DIA_S = 86400
_INTENCOES_FAQ = (
    "faq_o_que_e_sei",
    "faq_cadastro_usuario",
    "faq_lotacao",
    "faq_esqueci_senha",
    "faq_relatar_erro",
    "faq_mudar_senha",
    "faq_contato_nts",
    "faq_treinamento",
    "faq_usuario_externo",
    "faq_consultar_tramitacao",
)
_OUTRAS = ("greet", "goodbye", "thanks", "affirm", "deny", "abrir_solicitacao")
_NAO_ENTENDIDAS = (
    "quero saber do meu contracheque",
    "Quero saber do meu contracheque!",
    "meu cpf é {cpf}, o que faço?",
    "mande para {email} por favor",
    "qual o horário do restaurante",
    "como faço para tirar férias",
    "o sistema caiu de novo",
    "preciso de um notebook novo",
)
_UNIDADES = ("GETIN", "NTS", "SUPLAN", "GAB", "DIAF", "CGAF", "SUVISA", "SUAS")


# ----------------------------------------------------------------- tracker events


def _dados_usuario(
    rng: random.Random, ts: float, intencao: str, texto: str, canal: str
) -> dict[str, Any]:
    ranking = [{"name": intencao, "confidence": 0.9}] + [
        {"name": rng.choice(_INTENCOES_FAQ), "confidence": 0.01} for _ in range(4)
    ]
    return {
        "event": "user",
        "timestamp": ts,
        "metadata": {"model_id": "bench"},
        "text": texto,
        "parse_data": {
            "intent": {"name": intencao, "confidence": 0.9},
            "entities": [],
            "text": texto,
            "message_id": f"{rng.getrandbits(64):016x}",
            "metadata": {},
            "intent_ranking": ranking,
        },
        "input_channel": canal,
        "message_id": f"{rng.getrandbits(64):016x}",
    }


def _texto_nao_entendido(rng: random.Random) -> str:
    from validate_docbr import CPF

    modelo = rng.choice(_NAO_ENTENDIDAS)
    if "{cpf}" in modelo:
        return modelo.format(cpf=CPF().generate(mask=rng.random() < 0.5))
    if "{email}" in modelo:
        return modelo.format(email=f"pessoa{rng.randint(1, 999)}@example.com")
    return modelo


def gerar_eventos(
    n: int, fim: datetime, dias: int = 90, semente: int = 2026
) -> Iterator[tuple[str, str, float, str | None, str | None, str]]:
    """``n`` events as Rasa's SQL tracker store writes them: (sender_id,
    type_name, timestamp, intent_name, action_name, data JSON), about 20 per
    conversation, conversations spread over the ``dias`` days before ``fim``;
    about one user message in six is not understood (nlu_fallback or
    out_of_scope), some holding a CPF or an e-mail address."""
    rng = random.Random(semente)
    inicio = fim.timestamp() - dias * DIA_S
    feitos = 0
    conversa = 0
    while feitos < n:
        conversa += 1
        canal = "telegram" if rng.random() < 0.6 else "web"
        sender = f"{canal}-{rng.getrandbits(128):032x}"
        ts = inicio + rng.random() * dias * DIA_S
        eventos: list[tuple[str, str, float, str | None, str | None, str]] = []
        for nome in ("action_session_start", None, "action_listen"):
            tipo = "session_started" if nome is None else "action"
            eventos.append(
                (sender, tipo, ts, None, nome, json.dumps({"event": tipo, "timestamp": ts}))
            )
        while len(eventos) < 20:
            ts += rng.uniform(2, 60)
            sorteio = rng.random()
            if sorteio < 0.17:
                intencao = rng.choice(("nlu_fallback", "nlu_fallback", "out_of_scope"))
                texto = _texto_nao_entendido(rng)
            elif sorteio < 0.75:
                intencao, texto = rng.choice(_INTENCOES_FAQ), "como faço isso no sei"
            else:
                intencao, texto = rng.choice(_OUTRAS), "ok"
            dados = _dados_usuario(rng, ts, intencao, texto, "rest")
            eventos.append((sender, "user", ts, intencao, None, json.dumps(dados)))
            acao = "action_nao_entendi" if intencao in ("nlu_fallback", "out_of_scope") else None
            acao = acao or "action_responder_faq"
            eventos.append(
                (sender, "action", ts, None, acao, json.dumps({"event": "action", "name": acao}))
            )
            texto_bot = {"event": "bot", "timestamp": ts, "text": "Resposta " * 20}
            eventos.append((sender, "bot", ts + 0.1, None, None, json.dumps(texto_bot)))
            eventos.append(
                (sender, "action", ts + 0.2, None, "action_listen", '{"event": "action"}')
            )
        yield from eventos[: n - feitos]
        feitos += min(len(eventos), n - feitos)


_DDL_EVENTOS = """
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY,
    sender_id VARCHAR(255) NOT NULL,
    type_name VARCHAR(255) NOT NULL,
    timestamp FLOAT,
    intent_name VARCHAR(255),
    action_name VARCHAR(255),
    data TEXT
)"""


def preencher_trackers(url: str, n: int, fim: datetime, dias: int = 90) -> float:
    """Fill Rasa's ``events`` table (created like Rasa 3.6's SQLTrackerStore
    if absent) with ``n`` generated events; seconds taken."""
    inicio = time.perf_counter()
    linhas = gerar_eventos(n, fim, dias)
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        conn = sqlite3.connect(parsed.database or ":memory:")
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = OFF")
            conn.execute(_DDL_EVENTOS)
            conn.execute("CREATE INDEX IF NOT EXISTS ix_events_sender_id ON events (sender_id)")
            with conn:
                conn.executemany(
                    "INSERT INTO events (sender_id, type_name, timestamp, intent_name, "
                    "action_name, data) VALUES (?, ?, ?, ?, ?, ?)",
                    linhas,
                )
        finally:
            conn.close()
    else:
        _copiar_pg(url, linhas)
    return time.perf_counter() - inicio


def _copiar_pg(url: str, linhas: Iterator[tuple[Any, ...]]) -> None:
    """PostgreSQL: ``COPY`` from an in-memory TSV, 100,000 rows at a time."""
    import io

    engine = sa.create_engine(url, future=True)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql(_DDL_EVENTOS.replace("INTEGER PRIMARY KEY", "SERIAL PRIMARY KEY"))
            conn.exec_driver_sql(
                "CREATE INDEX IF NOT EXISTS ix_events_sender_id ON events (sender_id)"
            )
        crua = engine.raw_connection()
        try:
            cursor = crua.cursor()
            lote: list[str] = []

            def _escapar(valor: Any) -> str:
                if valor is None:
                    return "\\N"
                texto = str(valor)
                return texto.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")

            def _enviar() -> None:
                cursor.copy_expert(
                    "COPY events (sender_id, type_name, timestamp, intent_name, action_name, "
                    "data) FROM STDIN",
                    io.StringIO("".join(lote)),
                )
                lote.clear()

            for linha in linhas:
                lote.append("\t".join(_escapar(v) for v in linha) + "\n")
                if len(lote) >= 100_000:
                    _enviar()
            if lote:
                _enviar()
            crua.commit()
        finally:
            crua.close()
    finally:
        engine.dispose()


# ----------------------------------------------------------------- request store


def _linha(rng: random.Random, tipo: str) -> dict[str, str]:
    from validate_docbr import CPF

    campos = {c.nome: "texto de exemplo" for c in TIPOS[tipo].campos}
    if "cpf" in campos:
        campos["cpf"] = CPF().generate(mask=True)
    for nome in ("email", "email_responsavel"):
        if nome in campos:
            campos[nome] = f"pessoa{rng.randint(1, 99999)}@example.com"
    for nome in ("sigla", "sigla_superior"):
        if nome in campos:
            campos[nome] = rng.choice(_UNIDADES)
    if "nome" in campos:
        campos["nome"] = "Maria da Silva Santos"
    if "operacao" in campos:
        campos["operacao"] = TIPOS[tipo].valores_fixos.get("operacao", "ADICIONAR")
    return campos


def preencher_solicitacoes(url: str, n: int, fim: datetime, dias: int = 365) -> float:
    """Fill a request store (schema by ``RequestStore.migrar``) with ``n``
    requests over the ``dias`` days before ``fim``: one row each, a history
    of 1 to 3 entries, two thirds concluded; seconds taken."""
    from bot.solicitacoes.store import RequestStore, request_rows, requests, status_history

    inicio = time.perf_counter()
    with RequestStore(url) as store:
        store.migrar()
    rng = random.Random(7)
    tipos = sorted(TIPOS)
    engine = sa.create_engine(url, future=True)
    agora_utc = fim.astimezone(timezone.utc).replace(tzinfo=None)
    try:
        with engine.begin() as conn:
            lote_req: list[dict[str, Any]] = []
            lote_lin: list[dict[str, Any]] = []
            lote_hist: list[dict[str, Any]] = []
            por_ano: dict[int, int] = {}

            def _gravar() -> None:
                conn.execute(requests.insert(), lote_req)
                conn.execute(request_rows.insert(), lote_lin)
                conn.execute(status_history.insert(), lote_hist)
                lote_req.clear()
                lote_lin.clear()
                lote_hist.clear()

            for i in range(1, n + 1):
                tipo = rng.choice(tipos)
                criada = agora_utc - timedelta(seconds=rng.random() * dias * DIA_S)
                ano = criada.year
                seq = por_ano[ano] = por_ano.get(ano, 0) + 1
                sorteio = rng.random()
                status = "concluida" if sorteio < 0.66 else rng.choice(STATUS)
                lote_req.append(
                    {
                        "id": i,
                        "protocolo": f"NTS-{ano}-{seq:06d}",
                        "ano": ano,
                        "seq": seq,
                        "tipo": tipo,
                        "status": status,
                        "canal": "telegram",
                        "contato": f"telegram-{i:032x}",
                        "unidade": rng.choice(_UNIDADES),
                        "criada_em": criada,
                        "prazo_em": criada + timedelta(hours=TIPOS[tipo].prazo_horas),
                        "submission_key": f"bench-{i}",
                        "anexo": None,
                        "planilha": None,
                    }
                )
                lote_lin.append(
                    {
                        "request_id": i,
                        "ordem": 1,
                        "dados": json.dumps(_linha(rng, tipo), ensure_ascii=False),
                    }
                )
                lote_hist.append(
                    {"request_id": i, "status": "recebida", "nota": None, "em": criada}
                )
                if status != "recebida":
                    fim_h = criada + timedelta(hours=rng.lognormvariate(3.3, 0.8))
                    lote_hist.append({"request_id": i, "status": status, "nota": None, "em": fim_h})
                if len(lote_req) >= 5000:
                    _gravar()
            if lote_req:
                _gravar()
            for ano, ultimo in por_ano.items():
                conn.execute(
                    sa.text("INSERT INTO protocol_counters (ano, ultimo) VALUES (:a, :u)"),
                    {"a": ano, "u": ultimo},
                )
    finally:
        engine.dispose()
    return time.perf_counter() - inicio


# ----------------------------------------------------------------- timings


def p95(valores: Sequence[float]) -> float:
    """95th percentile (nearest rank)."""
    ordenados = sorted(valores)
    return ordenados[max(0, round(0.95 * len(ordenados)) - 1)]


def consulta_fila_padrao(url: str) -> Callable[[dict[str, Any]], int]:
    """A stand-in queue page of 50 (kind/status/unit/period/late filters, newest
    first, the total, the 50 requests' rows), for a store without ``fila``."""
    from bot.solicitacoes.store import request_rows, requests

    engine = sa.create_engine(url, future=True)

    def consultar(filtro: dict[str, Any]) -> int:
        c = requests.c
        condicoes = [c[k] == filtro[k] for k in ("tipo", "status", "unidade") if k in filtro]
        if "desde" in filtro:
            inicio = datetime.combine(filtro["desde"], datetime.min.time(), tzinfo=FUSO)
            condicoes.append(c.criada_em >= inicio.astimezone(timezone.utc).replace(tzinfo=None))
        if filtro.get("atrasadas"):
            agora = filtro["agora"].astimezone(timezone.utc).replace(tzinfo=None)
            condicoes += [c.prazo_em < agora, c.status.in_(("recebida", "em_andamento"))]
        with engine.connect() as conn:
            total = conn.execute(
                sa.select(sa.func.count()).select_from(requests).where(*condicoes)
            ).scalar()
            pagina = (
                sa.select(requests)
                .where(*condicoes)
                .order_by(c.criada_em.desc(), c.id.desc())
                .limit(50)
                .offset(50 * filtro.get("pagina", 0))
            )
            ids = [r.id for r in conn.execute(pagina)]
            conn.execute(sa.select(request_rows).where(request_rows.c.request_id.in_(ids))).all()
        return int(total or 0)

    return consultar


def consulta_fila_store(url: str) -> Callable[[dict[str, Any]], int] | None:
    """The panel's own queue query (``RequestStore.fila``), when the store has it."""
    from bot.solicitacoes import store as modulo

    filtro_fila = getattr(modulo, "FiltroFila", None)
    if filtro_fila is None or not hasattr(modulo.RequestStore, "fila"):
        return None
    loja = modulo.RequestStore(url)

    def consultar(filtro: dict[str, Any]) -> int:
        campos = {k: v for k, v in filtro.items() if k != "pagina"}
        pagina = loja.fila(filtro_fila(**campos), pagina=filtro.get("pagina", 0) + 1)
        return int(pagina.total)

    return consultar


def medir_fila(
    consultar: Callable[[dict[str, Any]], object], agora: datetime, vezes: int = 60
) -> dict[str, float]:
    """p50/p95 (ms, wall and CPU) of ``consultar`` over a mix of filters."""
    rng = random.Random(11)
    tempos, cpu = [], []
    for i in range(vezes):
        filtro: dict[str, Any] = {"pagina": rng.choice((0, 0, 0, 1, 5))}
        escolha = i % 5
        if escolha in (0, 3):
            filtro["tipo"] = rng.choice(sorted(TIPOS))
        if escolha in (1, 3):
            filtro["status"] = rng.choice(STATUS)
        if escolha == 2:
            filtro["unidade"] = rng.choice(_UNIDADES)
            filtro["desde"] = (agora - timedelta(days=30)).date()
        if escolha == 4:
            filtro.update(atrasadas=True, agora=agora)
        inicio, inicio_cpu = time.perf_counter(), time.process_time()
        consultar(filtro)
        tempos.append((time.perf_counter() - inicio) * 1000)
        cpu.append((time.process_time() - inicio_cpu) * 1000)
    return {
        "p50_ms": statistics.median(tempos),
        "p95_ms": p95(tempos),
        "p95_cpu_ms": p95(cpu),
    }


@dataclass(frozen=True)
class _Item:
    """A queue row, as ``bot.solicitacoes.store.ItemFila`` gives it to the export."""

    protocolo: str
    tipo: str
    criada_em: datetime


def medir_exportacao(url: str, var_dir: Path, linhas: int = 10_000) -> dict[str, float]:
    """Seconds to read and export ``linhas`` requests of one kind
    (``bot.painel.exportacao``: ``ler_solicitacoes`` then ``exportar``)."""
    from bot import settings
    from bot.painel.exportacao import exportar, ler_solicitacoes
    from bot.solicitacoes.servicos import Servicos
    from bot.solicitacoes.store import requests

    cfg = settings.load({"SEI_VAR_DIR": str(var_dir), "REQUESTS_DB_URL": url})
    servicos = Servicos(cfg)
    engine = sa.create_engine(url, future=True)
    try:
        with engine.connect() as conn:
            itens = [
                _Item(p, t, c.replace(tzinfo=timezone.utc))
                for p, t, c in conn.execute(
                    sa.select(requests.c.protocolo, requests.c.tipo, requests.c.criada_em)
                    .where(requests.c.tipo == "cadastro_usuario")
                    .order_by(requests.c.criada_em.desc())
                    .limit(linhas)
                )
            ]
        inicio, inicio_cpu = time.perf_counter(), time.process_time()
        lidas = ler_solicitacoes(servicos.store, itens)
        lido = time.perf_counter()
        arquivo = exportar(servicos, lidas)
        fim, fim_cpu = time.perf_counter(), time.process_time()
    finally:
        engine.dispose()
        servicos.store.fechar()
    return {
        "linhas": float(len(lidas)),
        "leitura_s": lido - inicio,
        "planilha_s": fim - lido,
        "total_s": fim - inicio,
        "total_cpu_s": fim_cpu - inicio_cpu,
        "bytes": float(len(arquivo.conteudo)),
    }


def medir_indicadores(
    trackers_url: str, requests_url: str, hoje: date, dias: int = 90
) -> dict[str, float]:
    """Seconds of each indicator and of the whole page (``Indicadores.calcular``)."""
    from bot.painel.indicadores import Indicadores

    with Indicadores(trackers_url, requests_url) as ind:
        inicio = time.perf_counter()
        criados = ind.preparar()
        primeira = time.perf_counter()
        ind.calcular(hoje - timedelta(days=dias - 1), hoje)
        tempos_frio = time.perf_counter() - primeira
        preparo = primeira - inicio
        de, ate = hoje - timedelta(days=dias - 1), hoje
        tempos: dict[str, float] = {
            "indices_s": preparo,
            "indices_criados": float(len(criados)),
            "pagina_primeira_s": tempos_frio,
        }
        for nome, chamada in (
            ("conversas_s", lambda: ind.conversas_por_dia(de, ate)),
            ("topicos_s", lambda: ind.topicos_faq(de, ate)),
            ("nao_entendidas_s", lambda: ind.nao_entendidas(de, ate)),
            ("semanas_s", lambda: ind.solicitacoes_por_semana(de, ate)),
            ("conclusao_s", lambda: ind.tempo_conclusao(de, ate)),
        ):
            t = time.perf_counter()
            chamada()
            tempos[nome] = time.perf_counter() - t
        voltas, voltas_cpu = [], []
        for _ in range(3):
            t, c = time.perf_counter(), time.process_time()
            ind.calcular(de, ate)
            voltas.append(time.perf_counter() - t)
            voltas_cpu.append(time.process_time() - c)
        tempos["pagina_s_mediana"] = statistics.median(voltas)
        tempos["pagina_s_max"] = max(voltas)
        tempos["pagina_cpu_s_mediana"] = statistics.median(voltas_cpu)
    return tempos


def criar_indices_solicitacoes(url: str) -> list[str]:
    """Add the recommended request-store indexes to the benchmark's database."""
    from bot.painel.indicadores import Indicadores

    with Indicadores(url, url) as ind:
        comandos = list(ind.indices_solicitacoes())
    engine = sa.create_engine(url, future=True)
    try:
        with engine.begin() as conn:
            for comando in comandos:
                conn.exec_driver_sql(comando)
            if engine.dialect.name == "sqlite":
                conn.exec_driver_sql("ANALYZE")
    finally:
        engine.dispose()
    return comandos


def main(argv: list[str] | None = None) -> int:
    """Fill (unless already filled) and time; print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--requests-url", help="default: SQLite under --work")
    parser.add_argument("--trackers-url", help="default: SQLite under --work")
    parser.add_argument(
        "--indices",
        action="store_true",
        help="then add bot.painel.indicadores.INDICES_SOLICITACOES to the (bench) request "
        "store and time again",
    )
    args = parser.parse_args(argv)
    figuras = medir(
        args.work,
        args.requests,
        args.events,
        indices=args.indices,
        requests_url=args.requests_url,
        trackers_url=args.trackers_url,
    )
    json.dump(figuras, sys.stdout, ensure_ascii=False, indent=2)
    print()
    return 0


def medir(
    work: Path,
    n_solicitacoes: int = 100_000,
    n_eventos: int = 1_000_000,
    *,
    indices: bool = True,
    requests_url: str | None = None,
    trackers_url: str | None = None,
) -> dict[str, Any]:
    """Fill (unless already filled) and time the queue, the export and the indicators."""
    work.mkdir(parents=True, exist_ok=True)
    agora = datetime(2026, 11, 30, 18, 0, tzinfo=FUSO)
    req_url = requests_url or f"sqlite:///{work / 'requests.db'}"
    trk_url = trackers_url or f"sqlite:///{work / 'trackers.db'}"
    figuras: dict[str, Any] = {
        "quando": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "maquina": f"{platform.node()} {platform.machine()} {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}",
        "solicitacoes": n_solicitacoes,
        "eventos": n_eventos,
    }
    marca = work / f"preenchido-{n_solicitacoes}-{n_eventos}"
    if not marca.exists():
        figuras["preencher_solicitacoes_s"] = preencher_solicitacoes(req_url, n_solicitacoes, agora)
        figuras["preencher_eventos_s"] = preencher_trackers(trk_url, n_eventos, agora)
        marca.touch()
    consultar = consulta_fila_store(req_url)
    figuras["fila_consulta"] = "RequestStore.fila" if consultar else "substituta (bench)"
    consultar = consultar or consulta_fila_padrao(req_url)
    figuras["fila"] = medir_fila(consultar, agora)
    figuras["exportacao"] = medir_exportacao(req_url, work / "var")
    figuras["indicadores"] = medir_indicadores(trk_url, req_url, agora.date())
    if indices:
        figuras["indices_solicitacoes"] = criar_indices_solicitacoes(req_url)
        figuras["fila_com_indices"] = medir_fila(consultar, agora)
        figuras["indicadores_com_indices"] = medir_indicadores(trk_url, req_url, agora.date())
    figuras["carga_media"] = os.getloadavg()
    return figuras


if __name__ == "__main__":
    sys.exit(main())
