"""bot.solicitacoes.store: protocols, idempotency, history, migrations, copies, concurrency.

Functional tests run on SQLite and on the local PostgreSQL (a uniquely named
temporary database per test). PostgreSQL unreachable: skip, or fail under CI.
"""

from __future__ import annotations

import logging
import multiprocessing
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from bot.solicitacoes import store as store_mod
from bot.solicitacoes.protocolo import normalizar_protocolo
from bot.solicitacoes.store import RequestStore
from bot.solicitacoes.tipos import FUSO, STATUS


# ----------------------------------------------------------------- fake data
def gerar_cpf(n: int) -> str:
    """A valid, masked CPF built from the 9-digit base ``n`` (fake data)."""
    digitos = [int(c) for c in f"{n:09d}"]
    for tamanho in (9, 10):
        soma = sum(d * (tamanho + 1 - i) for i, d in enumerate(digitos[:tamanho]))
        resto = soma * 10 % 11
        digitos.append(0 if resto == 10 else resto)
    s = "".join(map(str, digitos))
    return f"{s[:3]}.{s[3:6]}.{s[6:9]}-{s[9:]}"


def linha_usuario(n: int) -> dict:
    """One row of a cadastro_usuario request with fake personal data."""
    return {
        "nome": f"Joana Exemplo{chr(65 + n % 26)} Teste",
        "cpf": gerar_cpf(123456000 + n),
        "email": f"pessoa{n}@example.com",
        "sigla": "GETIN",
        "cargo": "Assessor Técnico",
    }


def maceio(*args: int) -> datetime:
    return datetime(*args, tzinfo=FUSO)


def enviar(store: RequestStore, n: int, tipo: str = "cadastro_usuario", **kw):
    """Submit a one-row request with key ``chave-n``."""
    linhas = kw.pop("linhas", [linha_usuario(n)])
    return store.registrar(
        tipo,
        linhas,
        canal=kw.pop("canal", "telegram"),
        contato=kw.pop("contato", f"chat-{n}"),
        unidade=kw.pop("unidade", "GETIN"),
        chave_envio=kw.pop("chave_envio", f"chave-{n}"),
        **kw,
    )


def contar(store: RequestStore, tabela: str) -> int:
    with store._engine.connect() as conn:
        return conn.execute(sa.text(f"SELECT COUNT(*) FROM {tabela}")).scalar_one()


def test_gerar_cpf_known_value():
    assert gerar_cpf(529982247) == "529.982.247-25"


# ------------------------------------------------------------------ fixtures
@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'var' / 'requests.db'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, sqlite_url: str) -> str:
    return sqlite_url if request.param == "sqlite" else request.getfixturevalue("pg_url")


@pytest.fixture
def abrir() -> Iterator[Callable[[str], RequestStore]]:
    """Open stores; all are closed at teardown."""
    abertos: list[RequestStore] = []

    def _abrir(u: str) -> RequestStore:
        abertos.append(RequestStore(u))
        return abertos[-1]

    yield _abrir
    for s in abertos:
        s.fechar()


@pytest.fixture
def store(url: str, abrir: Callable[[str], RequestStore]) -> RequestStore:
    return abrir(url)


# ----------------------------------------------------------------- protocols
def test_protocol_format_and_sequence_per_year(store: RequestStore):
    # 23:30 in Maceio on 31/12/2025 is already 2026 in UTC: the year is Maceio's.
    a, _ = enviar(store, 1, agora=maceio(2025, 12, 31, 23, 30))
    b, _ = enviar(store, 2, agora=maceio(2025, 12, 31, 23, 45))
    c, _ = enviar(store, 3, agora=maceio(2026, 1, 1, 0, 5))
    d, _ = enviar(store, 4, agora=maceio(2026, 1, 2, 9, 0))
    e, _ = enviar(store, 5, agora=maceio(2025, 6, 1, 9, 0))  # late entry in 2025
    assert [s.protocolo for s in (a, b, c, d, e)] == [
        "NTS-2025-000001",
        "NTS-2025-000002",
        "NTS-2026-000001",
        "NTS-2026-000002",
        "NTS-2025-000003",
    ]
    assert a.criada_em == maceio(2025, 12, 31, 23, 30)
    assert a.criada_em.utcoffset() == timedelta(hours=-3)
    assert a.prazo_em - a.criada_em == timedelta(hours=72)
    assert a.status == "recebida" and a.historico[0]["status"] == "recebida"


def test_desanexacao_deadline_is_48h(store: RequestStore):
    linha = {
        "processo_principal": "E:02000.0000003030/2020",
        "processo_anexado": "E:02000.0000003031/2020",
        "motivo": "Anexado por engano ao processo errado",
        "sigla": "GETIN",
    }
    s, _ = enviar(store, 1, tipo="desanexacao", linhas=[linha], agora=maceio(2026, 3, 2, 10, 0))
    assert s.prazo_em == maceio(2026, 3, 4, 10, 0)
    assert s.linhas == (linha,)


def test_protocol_never_reused_after_cancel(store: RequestStore):
    a, _ = enviar(store, 1)
    store.atualizar_status(a.protocolo, "cancelada", "desistiu")
    b, _ = enviar(store, 2)
    store.atualizar_status(b.protocolo, "concluida")
    c, _ = enviar(store, 3)
    assert [int(s.protocolo[-6:]) for s in (a, b, c)] == [1, 2, 3]
    assert store.buscar(a.protocolo).status == "cancelada"
    assert len({a.protocolo, b.protocolo, c.protocolo}) == 3


def test_resubmit_same_key_is_idempotent(store: RequestStore):
    primeiro, criado = enviar(store, 1)
    segundo, criado_de_novo = enviar(store, 1, linhas=[linha_usuario(99)])
    assert criado and not criado_de_novo
    assert segundo == primeiro
    assert contar(store, "requests") == 1 and contar(store, "request_rows") == 1
    assert contar(store, "status_history") == 1
    proximo, _ = enviar(store, 2)
    assert proximo.protocolo.endswith("000002")  # the retry consumed no number


def test_resubmit_race_conflict_path(store: RequestStore, monkeypatch: pytest.MonkeyPatch):
    """A twin submit that commits between our check and our insert: IntegrityError path."""
    primeiro, _ = enviar(store, 1)
    real = store._id_por_chave
    chamadas = []

    def cego_na_primeira(conn, chave):
        chamadas.append(chave)
        return None if len(chamadas) == 1 else real(conn, chave)

    monkeypatch.setattr(store, "_id_por_chave", cego_na_primeira)
    segundo, criado = enviar(store, 1)
    assert not criado and segundo.protocolo == primeiro.protocolo
    assert len(chamadas) == 2
    monkeypatch.undo()
    assert contar(store, "requests") == 1 and contar(store, "request_rows") == 1
    assert enviar(store, 2)[0].protocolo.endswith("000002")  # rolled back: no gap


def test_concurrent_identical_submits_file_once(store: RequestStore):
    store.migrar()
    barreira = threading.Barrier(20)

    def tarefa(_):
        barreira.wait()
        return enviar(store, 7)

    with ThreadPoolExecutor(20) as pool:
        resultados = list(pool.map(tarefa, range(20)))
    assert len({s.protocolo for s, _ in resultados}) == 1
    assert sum(criado for _, criado in resultados) == 1
    assert contar(store, "requests") == 1


# ---------------------------------------------------------------- validation
@pytest.mark.parametrize(
    "tipo, linhas, chave, trecho",
    [
        ("pizza", [{"a": "b"}], "k", "Tipo de solicitação desconhecido"),
        ("cadastro_usuario", [], "k", "ao menos uma linha"),
        ("cadastro_usuario", ["texto"], "k", "dicionário"),
        ("correcao_cargo", [{"a": "1"}, {"a": "2"}], "k", "apenas uma linha"),
        ("cadastro_usuario", [{"a": "b"}], "  ", "chave de envio"),
        ("cadastro_usuario", [{"a": "b"}], "k" * 256, "255 caracteres"),
    ],
)
def test_registrar_validation(sqlite_url, abrir, *, tipo, linhas, chave, trecho):
    store = abrir(sqlite_url)
    with pytest.raises(ValueError, match=trecho):
        store.registrar(tipo, linhas, canal="web", contato="x", unidade="GETIN", chave_envio=chave)


def test_naive_datetime_refused(sqlite_url, abrir):
    with pytest.raises(ValueError, match="fuso horário"):
        enviar(abrir(sqlite_url), 1, agora=datetime(2026, 1, 1, 10, 0))


# -------------------------------------------------------------------- reads
def test_get_is_case_and_space_insensitive(store: RequestStore):
    s, _ = enviar(store, 1, agora=maceio(2026, 5, 4, 8, 0))
    for texto in (
        "NTS-2026-000001",
        " nts-2026-000001 ",
        "nts 2026 000001",
        "NTS - 2026 - 000001",
        "nts2026000001",
        "NTS–2026–000001",
    ):
        assert store.buscar(texto) == s, texto
    assert store.buscar("NTS-2026-000002") is None
    assert store.buscar("qualquer coisa") is None
    assert normalizar_protocolo("nts 2026 000042") == "NTS-2026-000042"
    # a wrong number of digits is no protocol, never the nearest one (issue 18)
    assert store.buscar("NTS-2026-00001") is None
    assert normalizar_protocolo("nts 2026 42") is None


def test_listar_filters(store: RequestStore):
    a, _ = enviar(store, 1, agora=maceio(2026, 3, 1, 9, 0))
    b, _ = enviar(
        store,
        2,
        tipo="correcao_cargo",
        agora=maceio(2026, 3, 2, 23, 59),
        linhas=[{"nome": "Ana Exemplo", "cpf": gerar_cpf(2), "cargo": "Analista"}],
    )
    c, _ = enviar(store, 3, agora=maceio(2026, 3, 3, 0, 0))  # 03:00 UTC on 03/03
    store.atualizar_status(c.protocolo, "em_andamento")
    prot = lambda itens: [s.protocolo for s in itens]  # noqa: E731
    assert prot(store.listar()) == [a.protocolo, b.protocolo, c.protocolo]
    assert prot(store.listar(tipo="cadastro_usuario")) == [a.protocolo, c.protocolo]
    assert prot(store.listar(status="recebida")) == [a.protocolo, b.protocolo]
    assert prot(store.listar(desde=date(2026, 3, 2))) == [b.protocolo, c.protocolo]
    assert prot(store.listar(desde=date(2026, 3, 3))) == [c.protocolo]
    assert prot(
        store.listar(tipo="cadastro_usuario", status="em_andamento", desde=date(2026, 3, 1))
    ) == [c.protocolo]
    assert store.listar(tipo="desanexacao") == []
    assert store.listar()[0].linhas == (linha_usuario(1),)


def test_multi_row_request_keeps_row_order(store: RequestStore):
    linhas = [linha_usuario(n) for n in range(5)]
    s, _ = enviar(store, 1, linhas=linhas)
    assert store.buscar(s.protocolo).linhas == tuple(linhas)
    assert contar(store, "request_rows") == 5


# ------------------------------------------------------------------- writes
def test_status_update_appends_history(store: RequestStore):
    s, _ = enviar(store, 1, agora=maceio(2026, 4, 1, 8, 0))
    store.atualizar_status(
        s.protocolo, "em_andamento", "Enviado à SEPLAG", agora=maceio(2026, 4, 1, 9, 30)
    )
    final = store.atualizar_status(
        s.protocolo.lower(), "concluida", agora=maceio(2026, 4, 2, 14, 0)
    )
    assert final.status == "concluida"
    assert final.historico == (
        {"status": "recebida", "nota": None, "em": "2026-04-01T08:00:00-03:00"},
        {"status": "em_andamento", "nota": "Enviado à SEPLAG", "em": "2026-04-01T09:30:00-03:00"},
        {"status": "concluida", "nota": None, "em": "2026-04-02T14:00:00-03:00"},
    )
    assert store.buscar(s.protocolo) == final


def test_unknown_status_and_protocol(store: RequestStore):
    s, _ = enviar(store, 1)
    with pytest.raises(ValueError, match="Status desconhecido"):
        store.atualizar_status(s.protocolo, "arquivada")
    with pytest.raises(LookupError, match="Nenhuma solicitação encontrada"):
        store.atualizar_status("NTS-2026-999999", "concluida")
    with pytest.raises(LookupError):
        store.atualizar_status("lixo", "concluida")
    with pytest.raises(LookupError):
        store.definir_planilha("NTS-1999-000001", "/tmp/x.xlsx")
    assert store.buscar(s.protocolo).historico == s.historico  # nothing appended
    assert set(STATUS) >= {h["status"] for h in s.historico}


def test_definir_planilha_e_anexo(store: RequestStore):
    s, _ = enviar(store, 1)
    store.definir_planilha(s.protocolo, "var/planilhas/NTS.xlsx")
    atual = store.definir_anexo(s.protocolo, "var/anexos/captura.png")
    assert (atual.planilha, atual.anexo) == ("var/planilhas/NTS.xlsx", "var/anexos/captura.png")
    assert store.buscar(s.protocolo) == atual


# ----------------------------------------------------------------- privacy
def test_status_publico_has_no_personal_data(store: RequestStore):
    linha = linha_usuario(5)
    s, _ = enviar(
        store,
        5,
        contato="pessoa777@example.com",
        unidade="SUVISA",
        linhas=[linha],
        agora=maceio(2026, 2, 10, 16, 0),
    )
    publico = store.status_publico(" nts-2026-000001")
    assert publico == {
        "protocolo": s.protocolo,
        "tipo": "Cadastro de usuário",
        "status": "Recebida",
        "criada_em": "10/02/2026",
        "previsao": "13/02/2026",
    }
    texto = repr(publico)
    for dado in (
        linha["nome"],
        linha["cpf"],
        linha["cpf"].replace(".", "").replace("-", ""),
        linha["email"],
        "pessoa777@example.com",
        "SUVISA",
        "telegram",
        "chave-5",
    ):
        assert dado not in texto
    assert store.status_publico("NTS-2026-000002") is None


def test_logs_carry_no_personal_data(sqlite_url, abrir, caplog: pytest.LogCaptureFixture):
    caplog.set_level(logging.DEBUG)
    logging.getLogger("sqlalchemy.engine").setLevel(logging.INFO)  # SQL echo, too
    try:
        store = abrir(sqlite_url)
        linha = linha_usuario(3)
        s, _ = enviar(store, 3, contato="pessoa3@example.com", linhas=[linha])
        enviar(store, 3, contato="pessoa3@example.com", linhas=[linha])
        store.atualizar_status(s.protocolo, "recusada", "CPF divergente")
        store.listar()
    finally:
        logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)
    assert s.protocolo in caplog.text
    assert "parameters hidden" in caplog.text  # the SQL echo was on, without values
    digitos = linha["cpf"].replace(".", "").replace("-", "")
    for dado in (linha["nome"], linha["cpf"], digitos, linha["email"], "pessoa3@example.com"):
        assert dado not in caplog.text


# ---------------------------------------------------------------- migrations
def _colunas(engine: sa.engine.Engine) -> dict:
    insp = sa.inspect(engine)
    return {t: {c["name"] for c in insp.get_columns(t)} for t in insp.get_table_names()}


def test_migrations_match_current_schema_and_are_idempotent(url, abrir):
    primeiro = abrir(url)
    assert primeiro.migrar() == len(store_mod.MIGRACOES) == 3
    s, _ = enviar(primeiro, 1)
    primeiro.fechar()
    segundo = abrir(url)  # opening an existing v1 database
    assert segundo.migrar() == 3 and segundo.migrar() == 3
    assert segundo.buscar(s.protocolo) == s
    assert enviar(segundo, 2)[0].protocolo.endswith("000002")
    esperado = {t.name: {c.name for c in t.columns} for t in store_mod.metadata.sorted_tables}
    assert _colunas(segundo._engine) == esperado
    with segundo._engine.connect() as conn:
        assert conn.execute(
            sa.text("SELECT version FROM schema_version ORDER BY version")
        ).scalars().all() == [1, 2, 3]


def test_next_version_is_one_function(url, abrir, monkeypatch: pytest.MonkeyPatch):
    antigo = abrir(url)
    s, _ = enviar(antigo, 1)
    antigo.fechar()

    def _proxima(conn):
        conn.execute(sa.text("ALTER TABLE requests ADD COLUMN observacao TEXT"))

    monkeypatch.setattr(store_mod, "MIGRACOES", (*store_mod.MIGRACOES, _proxima))
    n = len(store_mod.MIGRACOES)
    novo = abrir(url)
    assert novo.migrar() == n
    assert abrir(url).migrar() == n  # idempotent: not applied twice
    assert "observacao" in _colunas(novo._engine)["requests"]
    assert novo.buscar(s.protocolo) == s
    with novo._engine.connect() as conn:
        assert conn.execute(
            sa.text("SELECT version FROM schema_version ORDER BY version")
        ).scalars().all() == list(range(1, n + 1))
    monkeypatch.undo()
    with pytest.raises(RuntimeError, match="mais nova"):
        abrir(url).migrar()  # code older than the database


def test_sqlite_creates_parent_folder_and_uses_wal(tmp_path: Path, abrir):
    caminho = tmp_path / "a" / "b" / "requests.db"
    store = abrir(f"sqlite:///{caminho}")
    assert not caminho.parent.exists()  # no I/O before first use
    enviar(store, 1)
    assert caminho.exists()
    with store._engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_sqlite_without_returning_fallback(sqlite_url, abrir):
    store = abrir(sqlite_url)
    store._returning = False  # as on SQLite < 3.35
    assert [enviar(store, n)[0].protocolo[-6:] for n in range(3)] == ["000001", "000002", "000003"]


# -------------------------------------------------------------------- backup
def test_backup_restore_round_trip(sqlite_url, tmp_path: Path, abrir):
    store = abrir(sqlite_url)
    for n in range(3):
        enviar(store, n)
    store.atualizar_status(store.listar()[0].protocolo, "concluida", "ok")
    store.definir_planilha(store.listar()[1].protocolo, "var/planilhas/x.xlsx")
    antes = store.listar()
    destino = store.copiar(tmp_path / "copias" / "requests-backup.db")
    enviar(store, 10)  # after the backup: not in the copy
    restaurado = abrir(f"sqlite:///{destino}")
    assert restaurado.listar() == antes
    assert enviar(restaurado, 11)[0].protocolo.endswith("000004")  # counter restored too
    assert sorted(p.name for p in destino.parent.iterdir()) == [destino.name]  # no temporary


def test_restaurar_replaces_the_content_in_place(sqlite_url, tmp_path: Path, abrir):
    store = abrir(sqlite_url)
    a, _ = enviar(store, 1)
    copia = store.copiar(tmp_path / "copia.db")
    b, _ = enviar(store, 2)
    store.atualizar_status(a.protocolo, "concluida")
    leitor = abrir(sqlite_url)  # another open store sees the restored content too
    assert leitor.buscar(b.protocolo) is not None
    store.restaurar(copia)
    assert [s.protocolo for s in store.listar()] == [a.protocolo]
    assert store.buscar(a.protocolo) == a and leitor.buscar(b.protocolo) is None
    # the counter is the copy's too (privacidade.restaurar reserves numbers handed out since)
    assert enviar(store, 3)[0].protocolo == b.protocolo


def test_reservar_protocolos_moves_the_counters_past_missing_ones(url, abrir):
    store = abrir(url)
    a, _ = enviar(store, 1, agora=maceio(2026, 3, 1, 9))
    ausentes = store.reservar_protocolos(
        [a.protocolo, "NTS-2026-000007", "NTS-2026-000004", "NTS-2025-000002", "lixo"]
    )
    assert ausentes == ["NTS-2025-000002", "NTS-2026-000004", "NTS-2026-000007"]
    assert enviar(store, 2, agora=maceio(2026, 3, 2, 9))[0].protocolo == "NTS-2026-000008"
    assert enviar(store, 3, agora=maceio(2025, 3, 2, 9))[0].protocolo == "NTS-2025-000003"
    assert store.reservar_protocolos(["NTS-2026-000005"]) == ["NTS-2026-000005"]
    assert enviar(store, 4, agora=maceio(2026, 3, 3, 9))[0].protocolo == "NTS-2026-000009"
    assert store.reservar_protocolos([]) == []


def test_restaurar_refuses_what_is_not_a_copy(sqlite_url, tmp_path: Path, abrir):
    store = abrir(sqlite_url)
    enviar(store, 1)
    ruim = tmp_path / "ruim.db"
    ruim.write_bytes(b"nao e um banco" * 100)
    outro = tmp_path / "outro.db"
    sqlite3.connect(outro).execute("CREATE TABLE x (a)").connection.close()
    for arquivo, trecho in ((ruim, "não é uma cópia SQLite"), (outro, "banco de solicitações")):
        with pytest.raises(store_mod.CopiaInvalida, match=trecho):
            store.restaurar(arquivo)
    assert len(store.listar()) == 1  # untouched


def test_copy_refused_for_postgresql(pg_url, abrir, tmp_path: Path):
    with pytest.raises(RuntimeError, match="pg_dump"):
        abrir(pg_url).copiar(tmp_path / "nao-usado.db")
    with pytest.raises(RuntimeError, match="pg_restore"):
        abrir(pg_url).restaurar(tmp_path / "nao-usado.db")
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------- concurrency
def _verificar_50(store: RequestStore, resultados) -> None:
    protocolos = sorted(s.protocolo for s, _ in resultados)
    assert all(criado for _, criado in resultados)
    assert len(set(protocolos)) == 50
    ano = protocolos[0][4:8]
    assert protocolos == [f"NTS-{ano}-{n:06d}" for n in range(1, 51)]  # 1..50, no gaps
    assert contar(store, "requests") == 50 and contar(store, "request_rows") == 50
    assert len(store.listar()) == 50


def _concorrentes_compartilhado(store: RequestStore) -> list:
    barreira = threading.Barrier(50)

    def tarefa(n):
        barreira.wait()
        return enviar(store, n)

    with ThreadPoolExecutor(50) as pool:
        return list(pool.map(tarefa, range(50)))


def _concorrentes_separados(url: str) -> list:
    barreira = threading.Barrier(50)

    def tarefa(n):
        with RequestStore(url) as proprio:  # own engine; migrates concurrently, too
            barreira.wait()
            return enviar(proprio, n)

    with ThreadPoolExecutor(50) as pool:
        return list(pool.map(tarefa, range(50)))


def test_50_concurrent_threads_shared_store(url, abrir):
    store = abrir(url)
    inicio = time.perf_counter()
    resultados = _concorrentes_compartilhado(store)
    print(
        f"\n50 threads, shared store ({store._engine.dialect.name}): "
        f"{time.perf_counter() - inicio:.2f}s"
    )
    _verificar_50(store, resultados)


def test_50_concurrent_threads_separate_stores(url, abrir):
    inicio = time.perf_counter()
    resultados = _concorrentes_separados(url)
    store = abrir(url)
    print(
        f"\n50 threads, separate stores ({store._engine.dialect.name}): "
        f"{time.perf_counter() - inicio:.2f}s"
    )
    _verificar_50(store, resultados)


def _processo(url: str, base: int, barreira, fila) -> None:
    """Child process: 10 submits through its own store; reports protocols or the error."""
    try:
        with RequestStore(url) as proprio:
            barreira.wait(timeout=60)
            fila.put([(enviar(proprio, base + i)[0].protocolo, True) for i in range(10)])
    except BaseException as erro:
        fila.put(repr(erro))


def test_50_concurrent_submits_5_processes(url, abrir):
    contexto = multiprocessing.get_context("spawn")
    barreira, fila = contexto.Barrier(5), contexto.Queue()
    processos = [
        contexto.Process(target=_processo, args=(url, p * 10, barreira, fila)) for p in range(5)
    ]
    inicio = time.perf_counter()
    for p in processos:
        p.start()
    respostas = [fila.get(timeout=120) for _ in processos]
    for p in processos:
        p.join(timeout=30)
    print(
        f"\n5 processes x 10 submits ({make_url(url).get_backend_name()}): "
        f"{time.perf_counter() - inicio:.2f}s (including process start)"
    )
    erros = [r for r in respostas if isinstance(r, str)]
    assert not erros
    store = abrir(url)

    class _S:  # adapt (protocol, created) pairs to _verificar_50
        def __init__(self, protocolo):
            self.protocolo = protocolo

    _verificar_50(store, [(_S(p), c) for r in respostas for p, c in r])
