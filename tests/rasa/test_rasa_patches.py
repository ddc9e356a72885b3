"""bot.rasa.patches: same results as Rasa's own code, only faster."""

import asyncio
import datetime
import subprocess
import sys

import pytest
import yaml
from conftest import MODEL, ROOT
from jsonschema import ValidationError
from servidor_local import servir

from bot.rasa import patches


@pytest.fixture(scope="module")
def originais():
    from rasa.core.actions.action import RemoteAction
    from rasa.utils.tensorflow.models import RasaModel

    antes = (RemoteAction._validate_action_result, RasaModel.__dict__["load"])
    metodos = [(cls, nome, cls.__dict__[nome]) for cls, nome, _ in patches.method_patches()]
    patches.install()
    patches.install()  # idempotent
    yield antes
    RasaModel.load = antes[1]
    for cls, nome, original in metodos:
        setattr(cls, nome, original)


VALIDAS = [
    {"events": [], "responses": []},
    {
        "events": [{"event": "slot", "name": "rascunho", "value": {"fase": "campo"}}],
        "responses": [{"text": "Olá", "buttons": [{"title": "Sim", "payload": "/affirm"}]}],
    },
    {
        "events": [
            {"event": "active_loop", "name": None},
            {"event": "followup", "name": "formulario_solicitacao"},
        ]
    },
]
INVALIDAS = [
    {"events": [{"event": "slot"}]},  # slot without name
    {"events": [{"event": "nao_existe"}]},  # unknown event
    {"events": "não é lista"},
]


@pytest.mark.parametrize("resposta", VALIDAS)
def test_resposta_valida_aceita_como_no_rasa(originais, resposta):
    from rasa.core.actions.action import RemoteAction

    acao = RemoteAction("acao", None)
    assert originais[0](acao, resposta) is True
    assert acao._validate_action_result(resposta) is True


@pytest.mark.parametrize("resposta", INVALIDAS)
def test_resposta_invalida_recusada_com_a_mesma_mensagem(originais, resposta):
    from rasa.core.actions.action import RemoteAction

    acao = RemoteAction("acao", None)
    with pytest.raises(ValidationError) as do_rasa:
        originais[0](acao, resposta)
    with pytest.raises(ValidationError) as nosso:
        acao._validate_action_result(resposta)
    assert "Failed to validate Action server response" in nosso.value.message
    assert nosso.value.message.split(". Failed")[0] == do_rasa.value.message.split(". Failed")[0]


def _eventos_do_rasa() -> list[dict]:
    """One event of every kind an action can return, as Rasa serialises it."""
    from rasa.shared.core import events as ev

    return [
        e.as_dict()
        for e in [
            ev.UserUttered("oi", {"name": "saudacao", "confidence": 0.9}),
            ev.ActionExecuted("action_listen"),
            ev.SlotSet("rascunho", {"fase": "campo"}),
            ev.EntitiesAdded([{"entity": "cpf", "value": "1", "start": 0, "end": 1}]),
            ev.ReminderScheduled("intent", datetime.datetime(2026, 12, 4), name="lembrete"),
            ev.ReminderCancelled(name="lembrete"),
            ev.ActionExecutionRejected("acao"),
            ev.LoopInterrupted(True),
            ev.ActiveLoop("formulario_solicitacao"),
            ev.AllSlotsReset(),
            ev.ConversationResumed(),
            ev.ConversationPaused(),
            ev.FollowupAction("action_listen"),
            ev.StoryExported("historia.yml"),
            ev.Restarted(),
            ev.UserUtteranceReverted(),
            ev.ActionReverted(),
            ev.BotUttered("Olá", {"buttons": [{"title": "Sim", "payload": "/affirm"}]}),
            ev.SessionStarted(),
            ev.AgentUttered("texto"),
        ]
    ]


def _variantes(evento: dict) -> list[dict]:
    """The event with each field dropped, emptied or of another type."""
    saida = []
    for chave in evento:
        for valor in (None, 7, "x", [], {}, ["a"], {"a": 1}, True, 1.5):
            saida.append({**evento, chave: valor})
        saida.append({k: v for k, v in evento.items() if k != chave})
    return saida


def test_the_quick_response_check_accepts_exactly_what_the_schema_accepts(originais):
    from rasa.core.actions.action import RemoteAction

    check = patches._ResponseCheck(RemoteAction.action_response_format_spec())
    eventos = _eventos_do_rasa()
    respostas = [*VALIDAS, *INVALIDAS, {"events": eventos}, {"responses": [{}], "events": []}]
    respostas += [{"events": [v]} for e in eventos for v in _variantes(e)]
    respostas += [{"events": [eventos[0], v]} for v in _variantes(eventos[2])]
    respostas += [{"events": [{"event": ["slot"]}]}, [], "x", {"responses": "x"}]
    aceitas = [check.quick(r) for r in respostas]
    assert aceitas == [check.full.is_valid(r) for r in respostas]
    assert 200 < sum(aceitas) < len(respostas) - 200  # both sides well represented
    assert all(check.quick({"events": [e]}) for e in eventos)
    outro = patches._ResponseCheck({"type": "object"})  # another shape: the full one decides
    assert not outro.quick({}) and outro.full.is_valid({})


def _mensagens() -> list[str]:
    textos: list[str] = []
    for nome in ("nlu_heldout.yml", "nlu_dificeis.yml"):
        for item in yaml.safe_load((ROOT / "tests" / "data" / nome).read_text())["nlu"]:
            textos += [
                linha[2:].strip()
                for linha in item.get("examples", "").splitlines()
                if linha.startswith("- ")
            ]
    return textos


def _leituras(agente, textos):
    async def analisar():
        return [await agente.parse_message(t) for t in textos]

    return [
        (r["intent"]["name"], [(i["name"], i["confidence"]) for i in r["intent_ranking"]])
        for r in asyncio.run(analisar())
    ]


@pytest.fixture(scope="module")
def leituras_do_rasa(originais):
    """Every held-out message parsed by the model loaded the way Rasa loads it."""
    from rasa.core.agent import Agent
    from rasa.engine.runner.dask import DaskGraphRunner
    from rasa.utils.tensorflow.models import RasaModel

    textos = _mensagens()
    instalados = RasaModel.__dict__["load"], DaskGraphRunner.__dict__["run"]
    RasaModel.load = originais[1]
    DaskGraphRunner.run = patches._originals["run"]  # graphs run by dask, too
    try:
        agente = Agent.load(str(MODEL))
        return textos, _leituras(agente, textos)
    finally:
        RasaModel.load, DaskGraphRunner.run = instalados


def test_diet_built_by_prediction_reads_every_message_as_rasa_does(leituras_do_rasa, monkeypatch):
    from rasa.core.agent import Agent
    from rasa.nlu.classifiers.diet_classifier import DIET

    textos, do_rasa = leituras_do_rasa
    carregados = []
    construir = patches._load_by_prediction

    def espiao(cls, *args, **kwargs):
        modelo = construir(cls, *args, **kwargs)
        carregados.append(modelo)
        return modelo

    monkeypatch.setattr(patches, "_load_by_prediction", espiao)
    agente = Agent.load(str(MODEL))
    assert len(carregados) == 1 and isinstance(carregados[0], DIET)
    assert carregados[0].optimizer is None  # no training step was run
    assert isinstance(carregados[0]._tf_predict_step, patches._FlatCall)
    assert len(textos) > 600
    assert _leituras(agente, textos) == do_rasa  # same intents, same confidences
    assert agente.processor.graph_runner.__dict__["_sei_plans"]  # our runner parsed them


def _proximas_acoes(agente, leituras) -> list[tuple]:
    """(action, policy, confidence) predicted after each message and after its first
    action, in a new conversation of each message."""
    from rasa.shared.core.events import ActionExecuted, SessionStarted, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    previstas = []
    for n, (texto, leitura) in enumerate(leituras):
        tracker = DialogueStateTracker(f"c{n}", agente.domain.slots)
        for evento in (
            ActionExecuted("action_session_start"),
            SessionStarted(),
            ActionExecuted("action_listen"),
            UserUttered(texto, leitura["intent"], parse_data=leitura),
        ):
            tracker.update(evento)
        for _ in range(2):
            previsao = agente.processor.predict_next_with_tracker(tracker)
            acao = max(previsao["scores"], key=lambda s: s["score"])["action"]
            previstas.append((acao, previsao["policy"], previsao["confidence"]))
            tracker.update(ActionExecuted(acao))
    return previstas


def test_policies_run_without_dask_predict_what_dask_predicts(originais):
    from rasa.core.agent import Agent
    from rasa.engine.runner.dask import DaskGraphRunner

    agente = Agent.load(str(MODEL))
    textos = _mensagens()[::6]

    async def ler():
        return [(t, await agente.parse_message(t)) for t in textos]

    leituras = asyncio.run(ler())
    nossas = _proximas_acoes(agente, leituras)
    instalado = DaskGraphRunner.__dict__["run"]
    DaskGraphRunner.run = patches._originals["run"]
    try:
        do_rasa = _proximas_acoes(agente, leituras)
    finally:
        DaskGraphRunner.run = instalado
    assert len(nossas) > 200 and len({acao for acao, _, _ in nossas}) > 10
    assert nossas == do_rasa


def _grafo(tmp_path):
    """A Rasa graph: a <- input, b <- a, c <- (a, b), d <- input (not needed by c)."""
    from rasa.engine.graph import ExecutionContext, GraphComponent, GraphSchema, SchemaNode
    from rasa.engine.runner.dask import DaskGraphRunner
    from rasa.engine.storage.local_model_storage import LocalModelStorage

    class Soma(GraphComponent):
        @classmethod
        def create(cls, config, model_storage, resource, execution_context):
            return cls()

        def run(self, **entradas):
            total = sum(entradas.values())
            if total < 0:
                raise ValueError("negativo")
            return total

    def no(**needs):
        return SchemaNode(needs=needs, uses=Soma, fn="run", constructor_name="create", config={})

    schema = GraphSchema(
        {
            "a": no(x="__entrada__"),
            "b": no(x="a"),
            "c": no(x="a", y="b"),
            "d": no(x="__entrada__"),
        }
    )
    storage = LocalModelStorage(tmp_path)
    return DaskGraphRunner(schema, storage, ExecutionContext(schema, "teste"))


def test_a_graph_run_without_dask_gives_dasks_outputs_and_errors(originais, tmp_path):
    from rasa.engine.exceptions import GraphComponentException, GraphRunError

    runner = _grafo(tmp_path)
    dask_run = patches._originals["run"]
    for inputs, targets in [
        ({"__entrada__": 2}, ["c"]),
        ({"__entrada__": 3}, ["c", "a", "d"]),
        ({"__entrada__": 1, "b": 10}, ["c"]),  # an input replaces the node of its name
        ({"__entrada__": 5}, ["__entrada__", "b"]),
    ]:
        assert runner.run(inputs, targets) == dask_run(runner, inputs, targets)
    assert runner.run({"__entrada__": 2}, ["c"]) == {"c": 4}  # a + b = 2 + 2
    assert runner.run({"__entrada__": 1, "b": 10}, ["c"]) == {"c": 11}
    for inputs in [{"__entrada__": "a"}, {}]:  # a clash with a node; an input not given
        with pytest.raises(GraphRunError) as do_rasa:
            dask_run(runner, inputs, ["c"])
        with pytest.raises(GraphRunError) as nosso:
            runner.run(inputs, ["c"])
        assert str(nosso.value) == str(do_rasa.value)
    with pytest.raises(GraphComponentException) as do_rasa:
        dask_run(runner, {"__entrada__": -1}, ["c"])
    with pytest.raises(GraphComponentException) as nosso:
        runner.run({"__entrada__": -1}, ["c"])
    assert str(nosso.value) == str(do_rasa.value)
    assert set(runner.__dict__["_sei_plans"]) == {("c",), ("c", "a", "d"), ("__entrada__", "b")}


def test_the_tracker_store_keeps_its_sqlite_connections_in_wal(originais, tmp_path):
    import sqlite3
    import threading

    import sqlalchemy as sa
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted
    from rasa.shared.core.trackers import DialogueStateTracker

    domain = Domain.empty()
    store = SQLTrackerStore(domain, dialect="sqlite", db=str(tmp_path / "t.db"))
    abertas = []
    sa.event.listen(store.engine, "connect", lambda dbapi, _: abertas.append(dbapi))

    async def conversa():
        tracker = DialogueStateTracker("s", domain.slots)
        for n in range(5):
            tracker.update(ActionExecuted(f"acao_{n}"))
            await store.save(tracker)
            assert len((await store.retrieve("s")).events) == n + 1

    asyncio.run(conversa())
    assert len(abertas) <= 1  # Rasa's NullPool: a new connection per read and per write (10)
    fora = threading.Thread(target=lambda: asyncio.run(store.retrieve("s")))
    fora.start()
    fora.join()  # a pooled connection read from another thread, as SQLAlchemy 2.0 allows
    outro = sqlite3.connect(tmp_path / "t.db")  # another process's view: every write committed
    assert outro.execute("SELECT count(*) FROM events").fetchone() == (5,)
    assert outro.execute("PRAGMA journal_mode").fetchone() == ("wal",)  # in the file
    with store.engine.connect() as conn:  # each commit fsynced (FULL), not only checkpoints
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar_one() == 2
    em_memoria = SQLTrackerStore(domain, dialect="sqlite", db="")
    assert type(em_memoria.engine.pool).__name__ == "SingletonThreadPool"  # Rasa's, unchanged


@pytest.mark.parametrize(
    "dados",
    [
        {"tracker": {"events": [{"event": "user", "text": "ção/ü", "confidence": 0.123456789}]}},
        {"slots": {"n": 10**30, "vazio": None, "lista": [1.5, True, "x"]}},  # beyond 64 bits
        {1: "chave inteira"},  # json.dumps turns it into "1"
    ],
)
def test_action_calls_send_the_json_rasa_would(dados):
    import json

    assert json.loads(patches.json_dumps(dados)) == json.loads(json.dumps(dados))


def test_flat_call_gives_the_functions_outputs_and_sends_a_misfit_to_it():
    import numpy as np
    import tensorflow as tf

    specs = [tf.TensorSpec([None, 3], tf.float32), tf.TensorSpec([None], tf.int64)]

    @tf.function(input_signature=[specs], autograph=False)
    def passo(lote):
        return {"soma": tf.reduce_sum(lote[0], axis=-1) + tf.cast(lote[1], tf.float32)}

    chamada = patches._FlatCall(passo, specs)
    lote = (np.arange(6, dtype=np.float64).reshape(2, 3), np.array([1, 2]))
    assert chamada(lote)["soma"].numpy().tolist() == passo(lote)["soma"].numpy().tolist()
    assert chamada(lote)["soma"].numpy().tolist() == [4.0, 14.0]
    torto = (np.ones((2, 4)), np.array([1, 2]))  # last dimension off the signature
    with pytest.raises((TypeError, ValueError)) as pela_funcao:
        passo(torto)
    with pytest.raises(type(pela_funcao.value)):
        chamada(torto)


def test_a_failed_fast_load_falls_back_to_rasas_own(leituras_do_rasa, monkeypatch, caplog):
    from rasa.core.agent import Agent

    textos, do_rasa = leituras_do_rasa

    def falha(*args, **kwargs):
        raise ValueError("grafo sem AutoGraph")

    monkeypatch.setattr(patches, "_load_by_prediction", falha)
    agente = Agent.load(str(MODEL))
    assert "carga rápida do DIET falhou" in caplog.text
    assert _leituras(agente, textos[:50]) == do_rasa[:50]


def _em_processo_novo(codigo: str) -> list[str]:
    """The words ``codigo`` prints, run by a new Python process in the project root."""
    saida = subprocess.run(
        [sys.executable, "-c", codigo], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return saida.stdout.split()


def test_jax_is_kept_out_of_the_rasa_server():
    """In a fresh process, as in the server: install() before TensorFlow is imported."""
    codigo = (
        "import sys\n"
        "from bot.rasa import patches\n"
        "patches.install()\n"
        "from tensorflow.lite.python import util\n"
        "print(sys.modules['jax'] is None, util._xla_computation is None)\n"
    )
    assert _em_processo_novo(codigo) == ["True", "True"]


def test_run_eagerly_goes_straight_to_rasas_own_load(originais, monkeypatch, caplog):
    """An eager DIET is not traced: Rasa's load at once, with no 'falhou' warning."""
    from rasa.nlu.classifiers.diet_classifier import DIET

    chamadas: list[str] = []
    monkeypatch.setitem(
        patches._originals, "load", lambda cls, *a, **k: chamadas.append("rasa") or "modelo"
    )
    monkeypatch.setattr(patches, "_load_by_prediction", lambda *a, **k: chamadas.append("rápida"))
    exemplo = object()
    carregado = patches._load_model(DIET, "f", exemplo, exemplo, config={"run_eagerly": True})
    assert carregado == "modelo" and chamadas == ["rasa"]
    assert "falhou" not in caplog.text
    patches._load_model(DIET, "f", exemplo, exemplo, config={})
    assert chamadas == ["rasa", "rápida"]


def test_plotting_is_registered_unexecuted_until_a_name_of_it_is_used():
    """In a fresh process, as in the server: matplotlib only at the first plot function."""
    codigo = (
        "import sys\n"
        "import rasa.__main__\n"
        "from bot.rasa import patches\n"
        "patches.install()\n"
        "import rasa.core.policies.rule_policy\n"
        "import rasa.utils.plotting as p\n"
        "antes = 'matplotlib' in sys.modules\n"
        "f = p.plot_confusion_matrix\n"
        "print('rasa.nlu.test' in sys.modules, antes, 'matplotlib' in sys.modules, callable(f))\n"
    )
    assert _em_processo_novo(codigo) == ["True", "False", "True", "True"]


def test_event_classes_by_type_name_as_rasa_finds_them(originais):
    import rasa.shared.utils.common
    from rasa.shared.core.events import Event

    rasas = patches._originals["resolve_by_type"].__func__
    nomes = {cls.type_name for cls in rasa.shared.utils.common.all_subclasses(Event)}
    assert {"user", "bot", "slot", "action", "active_loop", "session_started"} <= nomes
    for nome in sorted(nomes):
        assert Event.resolve_by_type(nome) is rasas(nome)
        assert Event.resolve_by_type(nome) is rasas(nome)  # and from the table
    assert Event.resolve_by_type("topic") is None
    assert Event.resolve_by_type("nao_existe", default=Event) is Event
    with pytest.raises(ValueError, match="Unknown event name 'nao_existe'"):
        Event.resolve_by_type("nao_existe")


def test_a_tracker_read_back_has_the_events_it_was_written_with(originais):
    from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered, deserialise_events

    eventos = [
        UserUttered("esqueci a senha", {"name": "faq_esqueci_senha", "confidence": 0.9}),
        ActionExecuted("action_responder_faq"),
        SlotSet("rascunho", {"fase": "campo"}),
    ]
    assert deserialise_events([e.as_dict() for e in eventos]) == eventos


def _webhook(conexoes: list):
    """A handler echoing the JSON and the X-Teste header; each connection noted."""
    from aiohttp import web

    async def webhook(request):
        conexoes.append(id(request.transport))
        recebido = await request.json()
        return web.json_response({"recebido": recebido, "x": request.headers["X-Teste"]})

    return webhook


def test_action_calls_reuse_one_connection_with_rasas_headers(originais, monkeypatch):
    from rasa.core.constants import DEFAULT_REQUEST_TIMEOUT
    from rasa.utils.endpoints import EndpointConfig

    monkeypatch.setattr(patches, "KEEPALIVE_S", 0.3)
    conexoes: list = []

    async def cenario(url):
        endpoint = EndpointConfig(url, headers={"X-Teste": "sim"})
        respostas = [await endpoint.request(json={"n": n}, method="post") for n in range(20)]
        em_uso = len(set(conexoes))
        await asyncio.sleep(0.6)  # idle longer than the keep-alive: closed by us
        depois = await endpoint.request(json={"n": "depois"}, method="post")
        sessao, _ = endpoint.__dict__["_kept_session"]
        return respostas, em_uso, depois, sessao

    respostas, em_uso, depois, sessao = asyncio.run(servir("/webhook", _webhook(conexoes), cenario))
    assert respostas == [{"recebido": {"n": n}, "x": "sim"} for n in range(20)]
    assert em_uso == 1  # Rasa's own session() opens one connection per call
    assert depois == {"recebido": {"n": "depois"}, "x": "sim"}
    assert len(set(conexoes)) == 2
    assert sessao.timeout.total == DEFAULT_REQUEST_TIMEOUT  # Rasa's session's timeout
    assert sessao.auth is None


def test_kept_connections_close_before_the_action_server_closes_them():
    from sanic.config import DEFAULT_CONFIG

    assert DEFAULT_CONFIG["KEEP_ALIVE_TIMEOUT"] > patches.KEEPALIVE_S


def test_kept_sessions_close_with_rasas_resources(originais):
    from types import SimpleNamespace

    import rasa.core.run
    from rasa.utils.endpoints import EndpointConfig

    conexoes: list = []

    async def cenario(url):
        endpoint = EndpointConfig(url, headers={"X-Teste": "sim"})
        await endpoint.request(json={}, method="post")
        sessao, _ = endpoint.__dict__["_kept_session"]
        app = SimpleNamespace(ctx=SimpleNamespace(agent=None))
        await rasa.core.run.close_resources(app, asyncio.get_running_loop())
        return sessao.closed

    assert asyncio.run(servir("/webhook", _webhook(conexoes), cenario)) is True


def test_the_kept_session_sends_rasas_basic_auth(originais):
    from rasa.utils.endpoints import EndpointConfig

    endpoint = EndpointConfig(
        "http://127.0.0.1:1/webhook", basic_auth={"username": "u", "password": "p"}
    )

    async def sessao():
        async with endpoint.session() as nossa, patches._originals["session"](endpoint) as do_rasa:
            achado = nossa.auth, do_rasa.auth, dict(nossa.headers) == dict(do_rasa.headers)
        await nossa.close()
        return achado

    nossa, do_rasa, mesmos_cabecalhos = asyncio.run(sessao())
    assert nossa == do_rasa == ("u", "p", "latin1")
    assert mesmos_cabecalhos


def test_the_loaded_agent_is_frozen_out_of_full_collections(originais, monkeypatch):
    """serve_application's listener (looked up in rasa.core.run when it starts)
    loads the agent through Rasa's own function, then collects and freezes."""
    import gc
    import weakref
    from types import SimpleNamespace

    import rasa.core.agent
    import rasa.core.run

    carregado = object()
    chamadas = []

    async def load_agent(**kwargs):
        chamadas.append(kwargs["model_path"])
        return carregado

    monkeypatch.setattr(rasa.core.agent, "load_agent", load_agent)

    class Ciclo:
        pass

    lixo = Ciclo()
    lixo.proprio = lixo  # a cycle only a collection frees, not left frozen forever
    liberado = weakref.ref(lixo)
    del lixo
    gc.unfreeze()
    gc.disable()  # no automatic collection: only the patch's own frees the cycle
    app = SimpleNamespace(ctx=SimpleNamespace())
    try:
        agente = asyncio.run(rasa.core.run.load_agent_on_start("m.tar.gz", None, None, app, None))
        congelados = gc.get_freeze_count()
    finally:
        gc.unfreeze()
        gc.enable()
    assert liberado() is None
    assert agente is carregado and app.ctx.agent is carregado
    assert chamadas == ["m.tar.gz"]
    assert congelados > 1000  # every object alive in this process, the modules' included
    assert rasa.core.run.load_agent_on_start is patches._load_agent_on_start
