"""Scale-out: the production profile (SEI_PERFIL=producao) against the local
PostgreSQL and Redis: two Rasa replicas share conversations and locks, and the
requests land in PostgreSQL exactly once.

Each run gets a fresh PostgreSQL database (dropped at the end) and its own
Redis database number and key prefix. Without PostgreSQL/Redis the live tests
are skipped with the reason; with the CI variable set they fail instead.
Override the servers with SEI_TEST_POSTGRES_URL (a database the test may
connect to and CREATE DATABASE from) and SEI_TEST_REDIS_URL.
"""

import json
import os
import random
import threading
import urllib.error
import urllib.parse
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml
from conftest import PORT_BASE, ROOT, start_launcher
from processes import stop
from test_durabilidade import conversar, pessoa, protocolo_de, roteiro_cadastro, say

from bot import settings
from bot.ops import launcher
from bot.solicitacoes.store import RequestStore

RASA, ACOES, WEB = PORT_BASE + 14, PORT_BASE + 34, PORT_BASE + 44  # replicas: RASA, RASA + 1
PORTA_FECHADA = PORT_BASE + 19
PG_ADMIN = os.environ.get("SEI_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_TESTE = os.environ.get("SEI_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _cfg(**env):
    return settings.load({"SEI_PROJECT_ROOT": str(ROOT), **env})


# ----- the switch, without servers -------------------------------------------------------------
def test_production_profile_renders_postgres_trackers_and_redis_locks(tmp_path):
    cfg = _cfg(
        SEI_PERFIL="producao",
        SEI_VAR_DIR=str(tmp_path),
        SEI_POSTGRES_URL="postgresql://sei:s%40gr3d0@db.interno:5433/sei_prod",
        SEI_REDIS_URL="redis://:0utr0@cache.interno:6380/4",
        SEI_REDIS_PREFIX="seiprod",
    )
    out = launcher.render_endpoints(cfg, cfg.run_dir / "endpoints.yml")
    texto = out.read_text()
    dados = yaml.safe_load(texto)
    assert dados["tracker_store"] == {
        "type": "SQL",
        "dialect": "postgresql",
        "url": "db.interno",
        "port": 5433,
        "db": "sei_prod",
        "username": "sei",
        "password": "${SEI_POSTGRES_PASSWORD}",
    }
    assert dados["lock_store"] == {
        "type": "redis",
        "url": "cache.interno",
        "port": 6380,
        "db": 4,
        "key_prefix": "seiprod",
        "password": "${SEI_REDIS_PASSWORD}",
    }
    assert "s@gr3d0" not in texto and "s%40gr3d0" not in texto and "0utr0" not in texto
    assert "password: ${SEI_POSTGRES_PASSWORD}\n" in texto  # plain scalar: Rasa expands it
    env = launcher.child_env(cfg)
    assert env["SEI_POSTGRES_PASSWORD"] == "s@gr3d0" and env["SEI_REDIS_PASSWORD"] == "0utr0"
    assert env["REQUESTS_DB_URL"] == "postgresql://sei:s%40gr3d0@db.interno:5433/sei_prod"
    assert "s%40gr3d0" not in repr(cfg) and "0utr0" not in repr(cfg)


def test_production_profile_starts_two_loopback_replicas_without_http_api(tmp_path):
    cfg = _cfg(SEI_PERFIL="producao")
    cmds = launcher.commands(cfg, Path("m.tar.gz"), tmp_path / "e.yml")
    assert [n for n in cmds if n.startswith("rasa")] == ["rasa", "rasa-2"]
    for nome, porta in (("rasa", "5005"), ("rasa-2", "5006")):
        rasa = cmds[nome]
        assert rasa[rasa.index("--port") + 1] == porta
        assert rasa[rasa.index("--interface") + 1] == "127.0.0.1"
        assert "--enable-api" not in rasa
    assert cfg.requests_db_url == settings.POSTGRES_URL_PADRAO
    assert launcher.check_configuration(cfg) is None


def test_development_profile_stays_single_and_local(tmp_path):
    cfg = _cfg(SEI_VAR_DIR=str(tmp_path))
    assert not cfg.producao and cfg.rasa_ports == [5005]
    assert cfg.requests_db_url == f"sqlite:///{tmp_path / 'requests.db'}"
    assert launcher.child_env(cfg).get("REQUESTS_DB_URL") == os.environ.get("REQUESTS_DB_URL")
    problema = launcher.check_configuration(_cfg(SEI_RASA_REPLICAS="2"))
    assert problema and "SEI_PERFIL=producao" in problema
    with pytest.raises(ValueError, match="SEI_PERFIL"):
        _cfg(SEI_PERFIL="homologacao")
    assert _cfg(SEI_PERFIL="Produção").producao


def test_unreachable_postgres_stops_the_start_with_one_clear_line():
    cfg = _cfg(
        SEI_PERFIL="producao",
        SEI_POSTGRES_URL=f"postgresql://sei:segredo@127.0.0.1:{PORTA_FECHADA}/sei",
    )
    problema = launcher.check_shared_stores(cfg)
    assert problema.startswith(f"PostgreSQL inacessível em 127.0.0.1:{PORTA_FECHADA}/sei")
    assert "segredo" not in problema and "\n" not in problema
    cfg = _cfg(
        SEI_PERFIL="producao",
        SEI_POSTGRES_URL=PG_ADMIN,
        SEI_REDIS_URL=f"redis://:segredo@127.0.0.1:{PORTA_FECHADA}/1",
    )
    problema = launcher.check_shared_stores(cfg)
    if not problema.startswith("PostgreSQL"):  # with a reachable PostgreSQL, Redis is next
        assert problema.startswith(f"Redis inacessível em 127.0.0.1:{PORTA_FECHADA}")
        assert "segredo" not in problema


# ----- live: PostgreSQL + Redis + two replicas -------------------------------------------------
def _exigir(ambiente):
    """The live environment, or the test fails (CI set) / skips with the reason."""
    if isinstance(ambiente, str):
        if os.environ.get("CI"):
            pytest.fail(f"{ambiente} (com CI definido este teste não é pulado)")
        pytest.skip(ambiente)
    return ambiente


def _primeira_linha(erro):
    return (str(erro).strip().splitlines() or [type(erro).__name__])[0]


@pytest.fixture(scope="module")
def compartilhados():
    """A fresh PostgreSQL database and a Redis key prefix for this run, or the
    reason they are unavailable."""
    import psycopg2
    import redis

    try:
        admin = psycopg2.connect(PG_ADMIN, connect_timeout=5)
    except psycopg2.Error as erro:
        yield f"PostgreSQL inacessível ({PG_ADMIN}): {_primeira_linha(erro)}"
        return
    u = urllib.parse.urlsplit(REDIS_TESTE)
    cliente = redis.Redis.from_url(REDIS_TESTE, socket_connect_timeout=5)
    try:
        cliente.ping()
    except redis.RedisError as erro:
        admin.close()
        yield f"Redis inacessível ({u.hostname}:{u.port}): {_primeira_linha(erro)}"
        return
    admin.autocommit = True
    banco = f"sei_teste_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    prefixo = f"seiteste{uuid.uuid4().hex[:8]}"
    with admin.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{banco}"')
    url = urllib.parse.urlunsplit(urllib.parse.urlsplit(PG_ADMIN)._replace(path=f"/{banco}"))
    try:
        yield {"postgres": url, "redis": REDIS_TESTE, "prefixo": prefixo}
    finally:
        with admin.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{banco}" WITH (FORCE)')
        admin.close()
        for chave in cliente.scan_iter(f"{prefixo}*"):
            cliente.delete(chave)
        cliente.close()


@pytest.fixture(scope="module")
def producao(compartilhados, tmp_path_factory):
    """`make run-prod` for real: two replicas, action server, web gateway."""
    if isinstance(compartilhados, str):
        yield compartilhados
        return
    var_dir = tmp_path_factory.mktemp("var-producao")
    proc, log = start_launcher(
        var_dir,
        RASA,
        ACOES,
        web_port=WEB,
        SEI_PERFIL="producao",
        SEI_POSTGRES_URL=compartilhados["postgres"],
        SEI_REDIS_URL=compartilhados["redis"],
        SEI_REDIS_PREFIX=compartilhados["prefixo"],
    )
    store = RequestStore(compartilhados["postgres"])
    yield {"store": store, "var_dir": var_dir, "log": log, **compartilhados}
    store.fechar()
    stop(proc)


def _eventos(url, sender):
    """(type, data) of a conversation's events in PostgreSQL, in stored order."""
    import psycopg2

    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT type_name, data FROM events WHERE sender_id = %s ORDER BY id", (sender,)
        )
        return [(t, json.loads(d)) for t, d in cur.fetchall()]


def _da_conversa(store, sender):
    return [s for s in store.listar() if s.contato == sender]


@pytest.mark.e2e
def test_replicas_share_postgres_and_redis_and_stay_on_loopback(producao):
    producao = _exigir(producao)
    assert f"Réplica 2: http://127.0.0.1:{RASA + 1}/webhooks/rest/webhook" in (
        producao["log"].read_text()
    )
    assert not (producao["var_dir"] / "trackers.db").exists()
    assert not (producao["var_dir"] / "requests.db").exists()
    for porta in (RASA, RASA + 1):
        with pytest.raises(urllib.error.HTTPError) as erro:
            urllib.request.urlopen(f"http://127.0.0.1:{porta}/status", timeout=10)
        assert erro.value.code in (401, 403, 404)


@pytest.mark.e2e
def test_one_conversation_alternating_replicas_completes_a_cadastro_in_order(producao):
    producao = _exigir(producao)
    store, sender = producao["store"], f"rep-alt-{uuid.uuid4().hex[:8]}"
    p = pessoa(random.Random(301))
    passos = [*roteiro_cadastro(p), ("confirmar", "Protocolo: NTS-")]
    texto = conversar(lambda n: RASA + n % 2, sender, passos)
    salvas = _da_conversa(store, sender)
    assert len(salvas) == 1 and salvas[0].protocolo == protocolo_de(texto)
    assert salvas[0].linhas[0]["cpf"] == p["cpf"] and salvas[0].canal == "rest"
    assert (producao["var_dir"] / "planilhas" / f"{salvas[0].protocolo}.xlsx").exists()
    usuario = [d["text"] for t, d in _eventos(producao["postgres"], sender) if t == "user"]
    assert usuario == [m for m, _ in passos]


@pytest.mark.e2e
def test_simultaneous_messages_of_one_conversation_are_processed_one_at_a_time(producao):
    """Both replicas receive messages of one conversation at the same instant
    (a double tap, a retry through the load balancer): each turn finishes
    (action_listen) before the next begins, and no message is lost."""
    producao = _exigir(producao)
    perguntas = [
        "esqueci minha senha do sei",
        "como relatar um erro no sei",
        "qual o telefone do nts",
        "como consultar a tramitação de um processo",
        "preciso cadastrar um usuário",
        "bom dia",
    ]
    for rodada in range(3):
        sender = f"rep-lock-{rodada}-{uuid.uuid4().hex[:8]}"
        inicio = threading.Barrier(len(perguntas))

        def enviar(i, inicio=inicio, sender=sender):
            inicio.wait()
            return say(RASA + i % 2, sender, perguntas[i])[1]

        with ThreadPoolExecutor(max_workers=len(perguntas)) as pool:
            respostas = list(pool.map(enviar, range(len(perguntas))))
        assert all(respostas)
        eventos = _eventos(producao["postgres"], sender)
        assert sorted(d["text"] for t, d in eventos if t == "user") == sorted(perguntas)
        tipos = [(t, d.get("name")) for t, d in eventos]
        usuarios = [i for i, (t, _) in enumerate(tipos) if t == "user"]
        for a, b in zip(usuarios, [*usuarios[1:], len(tipos)], strict=True):
            turno = tipos[a + 1 : b]
            assert turno and turno[-1] == ("action", "action_listen"), (rodada, turno)
            assert ("action", "action_listen") not in turno[:-1], (rodada, turno)


@pytest.mark.e2e
def test_twenty_concurrent_conversations_over_both_replicas_file_exactly_once(producao):
    producao = _exigir(producao)
    store, execucao = producao["store"], uuid.uuid4().hex[:6]

    def preencher(i):
        rng = random.Random(4000 + i)
        sender = f"rep-20-{execucao}-{i}"
        passos = [*roteiro_cadastro(pessoa(rng)), ("confirmar", "Protocolo: NTS-")]
        texto = conversar(lambda n: RASA + rng.randint(0, 1), sender, passos)
        return sender, protocolo_de(texto)

    with ThreadPoolExecutor(max_workers=20) as pool:
        resultados = list(pool.map(preencher, range(20)))
    assert len({p for _, p in resultados}) == 20
    for sender, protocolo in resultados:
        salvas = _da_conversa(store, sender)
        assert [s.protocolo for s in salvas] == [protocolo]
