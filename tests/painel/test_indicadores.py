"""bot.painel.indicadores on real SQLite and PostgreSQL (PostgreSQL unreachable:
skip, or fail under CI), on events written as Rasa's SQL tracker store writes
them (one test through Rasa's own SQLTrackerStore)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa
import yaml

from bot.faq import respostas
from bot.painel import indicadores as ind
from bot.painel.indicadores import Indicadores
from bot.solicitacoes.store import RequestStore
from bot.solicitacoes.tipos import FUSO

INICIO, FIM = date(2026, 11, 1), date(2026, 11, 15)

_meta = sa.MetaData()
EVENTS = sa.Table(  # Rasa 3.6 SQLTrackerStore.SQLEvent
    "events",
    _meta,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("sender_id", sa.String(255), nullable=False, index=True),
    sa.Column("type_name", sa.String(255), nullable=False),
    sa.Column("timestamp", sa.Float),
    sa.Column("intent_name", sa.String(255)),
    sa.Column("action_name", sa.String(255)),
    sa.Column("data", sa.Text),
)


def maceio(*args: int) -> datetime:
    return datetime(*args, tzinfo=FUSO)


def usuario(sender: str, quando: datetime, intencao: str, texto: str, canal: str = "rest"):
    ts = quando.timestamp()
    dados = {
        "event": "user",
        "timestamp": ts,
        "text": texto,
        "parse_data": {"intent": {"name": intencao, "confidence": 0.3}, "text": texto},
        "input_channel": canal,
    }
    return {
        "sender_id": sender,
        "type_name": "user",
        "timestamp": ts,
        "intent_name": intencao,
        "action_name": None,
        "data": json.dumps(dados, ensure_ascii=False),
    }


def acao(sender: str, quando: datetime, nome: str):
    ts = quando.timestamp() + 0.1
    return {
        "sender_id": sender,
        "type_name": "action",
        "timestamp": ts,
        "intent_name": None,
        "action_name": nome,
        "data": json.dumps({"event": "action", "name": nome, "timestamp": ts}),
    }


A, B, C = "telegram-" + "a" * 32, "web-" + "b" * 32, "telegram-" + "c" * 32
EVENTOS = [
    usuario(A, maceio(2026, 11, 2, 9), "faq_esqueci_senha", "esqueci a senha"),
    acao(A, maceio(2026, 11, 2, 9), "action_responder_faq"),
    usuario(A, maceio(2026, 11, 2, 9, 5), "faq_esqueci_senha", "e agora?"),
    usuario(A, maceio(2026, 11, 2, 9, 7), "nlu_fallback", "meu cpf é 529.982.247-25"),
    acao(A, maceio(2026, 11, 2, 9, 7), "action_nao_entendi"),
    usuario(B, maceio(2026, 11, 2, 10), "faq_lotacao", "mudar lotação"),
    usuario("default", maceio(2026, 11, 2, 11), "out_of_scope", "Quero saber do CONTRACHEQUE!"),
    # 23:30 in Maceió is 02:30 UTC of the next day: still 3 November
    usuario(A, maceio(2026, 11, 3, 23, 30), "nlu_fallback", "meu CPF é 11144477735"),
    usuario(C, maceio(2026, 11, 3, 8), "nlu_fallback", "quero saber do contracheque"),
    usuario(C, maceio(2026, 11, 3, 8, 1), "nlu_fallback", "mande para maria.silva@gmail.com"),
    usuario(C, maceio(2026, 11, 3, 8, 2), "greet", "oi"),
    # outside the period
    usuario(A, maceio(2026, 10, 31, 23, 59), "nlu_fallback", "fora do período"),
    usuario(A, maceio(2026, 11, 16, 0, 0), "faq_lotacao", "fora do período"),
]


# ----------------------------------------------------------------- databases
@pytest.fixture(params=["sqlite", "postgresql"])
def urls(request, tmp_path) -> Iterator[tuple[str, str]]:
    """(trackers URL, requests URL): two SQLite files, or one PostgreSQL database
    holding both (as in the production profile)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'trackers.db'}", f"sqlite:///{tmp_path / 'requests.db'}"
        return
    url = request.getfixturevalue("pg_url")
    yield url, url


def gravar_eventos(url: str, eventos: list[dict]) -> None:
    engine = sa.create_engine(url, future=True)
    try:
        _meta.create_all(engine)
        with engine.begin() as conn:
            conn.execute(EVENTS.insert(), eventos)
    finally:
        engine.dispose()


@pytest.fixture
def com_eventos(urls) -> Iterator[Indicadores]:
    gravar_eventos(urls[0], EVENTOS)
    with Indicadores(*urls) as indicadores:
        yield indicadores


def registrar(store: RequestStore, n: int, tipo: str, quando: datetime, linha: dict) -> str:
    s, _ = store.registrar(
        tipo,
        [linha],
        canal="telegram",
        contato=f"c{n}",
        unidade="NTS",
        chave_envio=f"k{n}",
        agora=quando,
    )
    return s.protocolo


@pytest.fixture
def com_solicitacoes(urls) -> Iterator[Indicadores]:
    pessoa = {"nome": "Maria da Silva", "cpf": "529.982.247-25", "cargo": "Enfermeiro"}
    desanexar = {"processo_principal": "1", "processo_anexado": "2", "motivo": "x", "sigla": "NTS"}
    with RequestStore(urls[1]) as store:
        p1 = registrar(store, 1, "cadastro_usuario", maceio(2026, 11, 2, 10), pessoa)
        store.atualizar_status(p1, "concluida", agora=maceio(2026, 11, 3, 10))  # 24 h
        p2 = registrar(store, 2, "cadastro_usuario", maceio(2026, 11, 4, 10), pessoa)
        store.atualizar_status(p2, "em_andamento", agora=maceio(2026, 11, 5, 10))
        store.atualizar_status(p2, "concluida", agora=maceio(2026, 11, 8, 10))  # 96 h
        store.atualizar_status(p2, "em_andamento", agora=maceio(2026, 11, 9, 10))  # reopened
        store.atualizar_status(p2, "concluida", agora=maceio(2026, 11, 12, 10))  # not counted
        p3 = registrar(store, 3, "desanexacao", maceio(2026, 11, 2, 10), desanexar)
        store.atualizar_status(p3, "concluida", agora=maceio(2026, 11, 4, 12))  # 50 h > 48 h
        registrar(store, 4, "correcao_cargo", maceio(2026, 11, 10, 10), pessoa)
        p5 = registrar(store, 5, "correcao_cargo", maceio(2026, 10, 20, 10), pessoa)
        store.atualizar_status(p5, "concluida", agora=maceio(2026, 10, 21, 10))  # outside
    with Indicadores(*urls) as indicadores:
        yield indicadores


# ----------------------------------------------------------------- conversations
def test_conversations_per_maceio_day_and_channel(com_eventos):
    assert com_eventos.conversas_por_dia(INICIO, FIM) == [
        ind.ConversasDia(date(2026, 11, 2), "rest", 1, 1),  # no prefix: its input_channel
        ind.ConversasDia(date(2026, 11, 2), "telegram", 1, 3),
        ind.ConversasDia(date(2026, 11, 2), "web", 1, 1),
        ind.ConversasDia(date(2026, 11, 3), "telegram", 2, 4),
    ]


def test_most_asked_faq_topics_with_titles(com_eventos):
    titulo_lotacao = respostas.carregar_topicos()["faq_lotacao"].titulo
    assert com_eventos.topicos_faq(INICIO, FIM) == [
        ind.Topico("faq_esqueci_senha", "Esqueci a senha", 2),
        ind.Topico("faq_lotacao", titulo_lotacao, 1),
    ]
    assert com_eventos.topicos_faq(INICIO, FIM, limite=1) == [
        ind.Topico("faq_esqueci_senha", "Esqueci a senha", 2)
    ]


def test_not_understood_share_and_groups_masked(com_eventos):
    resultado = com_eventos.nao_entendidas(INICIO, FIM)
    assert (resultado.mensagens, resultado.nao_entendidas) == (9, 5)
    assert resultado.fracao == pytest.approx(5 / 9)
    grupos = [(g.texto, g.ocorrencias) for g in resultado.grupos]
    assert grupos == [
        ("meu CPF é ***.444.777-**", 2),  # ties: by grouping key
        ("Quero saber do CONTRACHEQUE!", 2),
        ("mande para m***@gmail.com", 1),
    ]
    tudo = json.dumps([g.__dict__ for g in resultado.grupos], ensure_ascii=False)
    for dado in ("529.982.247-25", "11144477735", "982.247-25", "maria.silva", "fora do período"):
        assert dado not in tudo


def test_candidate_examples_are_rasa_nlu_yaml(com_eventos):
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

    texto = ind.exportar_nlu(com_eventos.nao_entendidas(INICIO, FIM).grupos)

    assert texto.splitlines()[3:7] == [
        'version: "3.1"',
        "nlu:",
        "- intent: REVISAR",
        "  examples: |",
    ]
    dados = yaml.safe_load(texto)
    assert dados["nlu"][0]["examples"].splitlines() == [
        "- meu CPF é ***.444.777-**",
        "- Quero saber do CONTRACHEQUE!",
        "- mande para m***@gmail.com",
    ]
    exemplos = RasaYAMLReader().reads(texto).intent_examples
    assert [e.get("intent") for e in exemplos] == ["REVISAR"] * 3
    assert exemplos[1].get("text") == "Quero saber do CONTRACHEQUE!"


def test_brackets_would_be_annotations_and_are_neutralised():
    grupos = ind.agrupar_mensagens([("ver [isto](entidade) agora", 1)])
    texto = ind.exportar_nlu(grupos)
    assert "- ver (isto)(entidade) agora" in texto


@pytest.mark.parametrize(
    "texto",
    [
        "chave: valor",
        "# não é comentário",
        "- um item",
        "'aspas' e \"aspas\"",
        "{chaves} [colchetes] | barra > maior",
        "linha\u2028separada\r\ncom\tcontroles\x00",
        "  espaços nas pontas  ",
        "*** &amp; ***",
    ],
)
def test_any_message_gives_loadable_yaml_with_the_text_on_one_line(texto):
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

    grupos = ind.agrupar_mensagens([(texto, 3)])
    saida = ind.exportar_nlu(grupos)
    [exemplo] = yaml.safe_load(saida)["nlu"][0]["examples"].splitlines()
    assert exemplo == "- " + grupos[0].texto.replace("[", "(").replace("]", ")")
    assert "\n" not in grupos[0].texto and "\x00" not in grupos[0].texto
    assert len(RasaYAMLReader().reads(saida).intent_examples) == 1


def test_grouping_key_and_masking():
    assert ind.chave_mensagem("Meu CPF é ***.982.247-**!") == "meu cpf e 0"
    assert ind.chave_mensagem("Ação   URGENTE, 2 vezes") == "acao urgente 0 vezes"
    assert ind.chave_mensagem("Não!") == ind.chave_mensagem("nao")
    assert ind.mascarar_mensagem("cpf 529.982.247-25\ne-mail a.b@x.com") == (
        "cpf ***.982.247-** e-mail a***@x.com"
    )
    longo = ind.mascarar_mensagem("a" * 1000)
    assert len(longo) == ind.LIMITE_TEXTO and longo.endswith("…")


def test_no_tracker_database_means_empty_indicators_and_nothing_created(tmp_path):
    arquivo = tmp_path / "nao-existe.db"
    with Indicadores(f"sqlite:///{arquivo}", f"sqlite:///{tmp_path / 'r.db'}") as vazio:
        painel = vazio.calcular(INICIO, FIM)
        assert vazio.preparar() == []
    assert painel.conversas == () and painel.topicos == () and painel.semanas == ()
    assert painel.nao_entendidas.fracao == 0 and painel.conclusao.quantidade == 0
    assert not arquivo.exists() and not (tmp_path / "r.db").exists()


def test_indexes_are_created_once_and_used(urls):
    gravar_eventos(urls[0], EVENTOS)
    nomes = {ind.INDICE_INTENCOES, ind.INDICE_DIAS}
    consultas: list[tuple[str, object]] = []

    def guardar(_conn, _cursor, sql, parametros, _contexto, _varios):
        consultas.append((sql, parametros))

    sa.event.listen(sa.engine.Engine, "before_cursor_execute", guardar)
    try:
        with Indicadores(*urls) as indicadores:
            assert set(indicadores.preparar()) == nomes
            assert indicadores.preparar() == []
            assert indicadores.conversas_por_dia(INICIO, FIM)  # same answers with the indexes
            assert indicadores.topicos_faq(INICIO, FIM)
    finally:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", guardar)
    engine = sa.create_engine(urls[0], future=True)
    try:
        catalogo = (
            "SELECT name FROM sqlite_master WHERE tbl_name = 'events'"
            if engine.dialect.name == "sqlite"
            else "SELECT indexname FROM pg_indexes WHERE tablename = 'events'"
        )
        with engine.connect() as conn:
            assert nomes <= set(conn.exec_driver_sql(catalogo).scalars())
        if engine.dialect.name != "sqlite":
            return
        planos = {}
        with engine.connect() as conn:
            for sql, parametros in consultas:
                if sql.startswith("SELECT") and "FROM events" in sql:
                    plano = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, parametros).all()
                    planos[sql] = " ".join(str(linha[-1]) for linha in plano)
    finally:
        engine.dispose()
    conversas = [p for sql, p in planos.items() if "count(DISTINCT" in sql]
    topicos = [p for sql, p in planos.items() if "faq_" in sql or "intent_name >=" in sql]
    assert conversas and all(ind.INDICE_DIAS in p for p in conversas)
    assert topicos and all(ind.INDICE_INTENCOES in p for p in topicos)


def test_events_saved_by_rasa_sql_tracker_store(tmp_path):
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.events import ActionExecuted, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    banco = tmp_path / "trackers.db"
    loja = SQLTrackerStore(dialect="sqlite", db=str(banco))
    quando = maceio(2026, 11, 5, 14).timestamp()
    tracker = DialogueStateTracker.from_events(
        "web-" + "d" * 32,
        [
            ActionExecuted("action_listen", timestamp=quando),
            UserUttered(
                "o meu e-mail é joao@exemplo.com.br",
                intent={"name": "nlu_fallback", "confidence": 0.2},
                input_channel="rest",
                timestamp=quando + 1,
            ),
            UserUttered(
                "esqueci a senha",
                intent={"name": "faq_esqueci_senha", "confidence": 0.9},
                input_channel="rest",
                timestamp=quando + 2,
            ),
        ],
    )
    asyncio.run(loja.save(tracker))
    loja.engine.dispose()
    with Indicadores(f"sqlite:///{banco}", f"sqlite:///{tmp_path / 'r.db'}") as indicadores:
        indicadores.preparar()
        assert indicadores.conversas_por_dia(INICIO, FIM) == [
            ind.ConversasDia(date(2026, 11, 5), "web", 1, 2)
        ]
        assert [t.intencao for t in indicadores.topicos_faq(INICIO, FIM)] == ["faq_esqueci_senha"]
        falhas = indicadores.nao_entendidas(INICIO, FIM)
        assert [g.texto for g in falhas.grupos] == ["o meu e-mail é j***@exemplo.com.br"]


# ----------------------------------------------------------------- requests
def test_requests_per_week_kind_and_status(com_solicitacoes):
    assert com_solicitacoes.solicitacoes_por_semana(INICIO, FIM) == [
        ind.SolicitacoesSemana(date(2026, 11, 2), "cadastro_usuario", "concluida", 2),
        ind.SolicitacoesSemana(date(2026, 11, 2), "desanexacao", "concluida", 1),
        ind.SolicitacoesSemana(date(2026, 11, 9), "correcao_cargo", "recebida", 1),
    ]


def test_time_to_conclusion_median_p95_and_deadline(com_solicitacoes):
    geral, por_tipo = com_solicitacoes.tempo_conclusao(INICIO, FIM)
    assert geral.quantidade == 3
    assert geral.mediana_h == pytest.approx(50)
    assert geral.p95_h == pytest.approx(50 + 0.9 * 46)
    assert (geral.no_prazo, geral.prazo_h) == (2, 72)
    assert por_tipo["cadastro_usuario"] == ind.Conclusao(
        2, pytest.approx(60), pytest.approx(24 + 0.95 * 72), 1, 72
    )
    assert por_tipo["desanexacao"].no_prazo == 0 and por_tipo["desanexacao"].prazo_h == 48
    assert "correcao_cargo" not in por_tipo  # the concluded one was filed before the period


def test_whole_page_at_once(com_eventos, com_solicitacoes):
    painel = com_solicitacoes.calcular(INICIO, FIM)
    assert painel.conclusao.quantidade == 3 and len(painel.conversas) == 4
    assert painel.nao_entendidas.nao_entendidas == 5
    with pytest.raises(ValueError, match="anterior ao início"):
        com_solicitacoes.calcular(FIM, INICIO)


# ----------------------------------------------------------------- pure functions
def test_statistics_from_pairs_fed_from_any_source():
    base = maceio(2026, 11, 2, 8)
    pares = [(base, base + timedelta(hours=h)) for h in (10, 20, 30, 40, 100)]
    r = ind.estatisticas_conclusao(pares)
    assert r.quantidade == 5 and r.mediana_h == pytest.approx(30)
    assert r.p95_h == pytest.approx(40 + 0.8 * 60)
    assert r.no_prazo == 4 and r.fracao_no_prazo == pytest.approx(0.8)
    vazio = ind.estatisticas_conclusao([])
    assert vazio.mediana_h is None and vazio.p95_h is None and vazio.fracao_no_prazo == 0


def test_weeks_start_on_monday():
    linhas = [
        (date(2026, 11, 8), "lotacao", "recebida", 1),
        (date(2026, 11, 2), "lotacao", "recebida", 2),
    ]
    assert ind.por_semana(linhas) == [
        ind.SolicitacoesSemana(date(2026, 11, 2), "lotacao", "recebida", 3)
    ]


def test_a_tracker_store_created_after_the_panel_started_is_read_and_indexed(tmp_path):
    url = f"sqlite:///{tmp_path / 'trackers.db'}"
    with Indicadores(url, f"sqlite:///{tmp_path / 'r.db'}") as indicadores:
        assert indicadores.preparar() == [] and indicadores.conversas_por_dia(INICIO, FIM) == []
        gravar_eventos(url, EVENTOS)  # Rasa's first conversation
        assert len(indicadores.conversas_por_dia(INICIO, FIM)) == 4
        assert indicadores.preparar() == []  # already created on that first read
    engine = sa.create_engine(url, future=True)
    with engine.connect() as conn:
        nomes = set(conn.exec_driver_sql("SELECT name FROM sqlite_master").scalars())
    engine.dispose()
    assert {ind.INDICE_DIAS, ind.INDICE_INTENCOES} <= nomes
