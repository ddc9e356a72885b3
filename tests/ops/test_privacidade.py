"""Retention (`sei-nts privacy purge`) and backup/restore of the request store.

Trackers are written by Rasa's own SQLTrackerStore (SQLite, and PostgreSQL
when it is reachable); attachments by AnexoStore; spreadsheets by the real
services. PostgreSQL tests use a fresh database on the local server: they
fail in CI (env CI set) when it is unreachable and are skipped elsewhere.
"""

from __future__ import annotations

import asyncio
import io
import os
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from conftest import ROOT
from geradores import gerar_cpf
from PIL import Image

from bot import settings
from bot.ops import cli, privacidade
from bot.solicitacoes.anexos import AnexoStore
from bot.solicitacoes.servicos import Servicos
from bot.solicitacoes.store import RequestStore
from bot.solicitacoes.tipos import TIPOS

DIA = 24 * 3600
PG_URL_BASE = os.environ.get("SEI_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432")


# ----------------------------------------------------------------- helpers


@pytest.fixture()
def env(tmp_path, monkeypatch):
    """The console's environment: its own var/ folder, SQLite store."""
    for nome in list(os.environ):
        if (nome.startswith("SEI_") and nome != "SEI_TEST_PORT_BASE") or nome == "REQUESTS_DB_URL":
            monkeypatch.delenv(nome)
    monkeypatch.setenv("SEI_VAR_DIR", str(tmp_path / "var"))
    return tmp_path / "var"


def nts(*args):
    """Run ``sei-nts`` in-process: (exit status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    antigo, sys.stderr = sys.stderr, err
    try:
        codigo = cli.main(list(args), out=out)
    finally:
        sys.stderr = antigo
    return codigo, out.getvalue(), err.getvalue()


def servicos():
    return Servicos(settings.load())


def arquivar(s, tipo, rng, n, *, anexo=None, status=None):
    """File one request through the services (spreadsheet included); its protocol."""
    linha = {
        "nome": f"Pessoa Teste {n}",
        "cpf": gerar_cpf(rng, True),
        "cargo": "Enfermeiro",
        "email": f"pessoa{n}@example.com",
        "sigla": "NTS",
    }
    if tipo == "relato_erro":
        linha = {
            "descricao": "A tela fica em branco ao assinar.",
            "captura": anexo or "",
            "sigla": "GETIN",
        }
    solicitacao, _ = s.store.registrar(
        tipo=tipo,
        linhas=[linha],
        canal="web",
        contato=f"c{n}",
        unidade="GETIN",
        chave_envio=uuid.uuid4().hex,
        anexo=anexo,
    )
    if TIPOS[tipo].planilha:
        s.gerar_planilha(solicitacao)
    if status:
        s.store.atualizar_status(solicitacao.protocolo, status)
    return solicitacao.protocolo


def envelhecer(caminho: Path, dias: float):
    momento = time.time() - dias * DIA
    os.utime(caminho, (momento, momento))


def png():
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, format="PNG")
    return buffer.getvalue()


def _eventos(sender, inicio, n, cpf):
    from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet, UserUttered

    eventos = [
        ActionExecuted("action_session_start", timestamp=inicio),
        SessionStarted(timestamp=inicio),
    ]
    for i in range(n):
        t = inicio + (i + 1) * 60
        eventos += [
            UserUttered(f"meu cpf é {cpf}", timestamp=t),
            SlotSet("rascunho", {"linha": {"cpf": cpf}}, timestamp=t + 1),
        ]
    return eventos


def gravar_trackers(store, conversas):
    """Save trackers with Rasa's own tracker store: {sender: [events]}."""
    from rasa.shared.core.trackers import DialogueStateTracker

    async def salvar():
        for sender, eventos in conversas.items():
            await store.save(DialogueStateTracker.from_events(sender, eventos))

    asyncio.run(salvar())


def eventos_de(store, sender):
    tracker = asyncio.run(store.retrieve(sender))
    return [] if tracker is None else list(tracker.events)


def conversas_exemplo(rng):
    agora = time.time()
    cpfs = {k: gerar_cpf(rng, True) for k in ("velha", "nova", "mista")}
    return cpfs, {
        "velha": _eventos("velha", agora - 100 * DIA, 3, cpfs["velha"]),
        "nova": _eventos("nova", agora - 1 * DIA, 2, cpfs["nova"]),
        # started long ago, last message 10 days ago: the whole conversation stays
        "mista": _eventos("mista", agora - 120 * DIA, 1, cpfs["mista"])
        + _eventos("mista", agora - 10 * DIA, 1, cpfs["mista"])[2:],
    }


def tracker_store_sqlite(caminho: Path):
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.domain import Domain

    return SQLTrackerStore(Domain.load(ROOT / "domain.yml"), dialect="sqlite", db=str(caminho))


# ----------------------------------------------------------------- purge


def test_purge_apaga_so_o_que_passou_do_prazo(env, rng):
    var = env
    var.mkdir(parents=True)
    trackers = tracker_store_sqlite(var / "trackers.db")
    cpfs, conversas = conversas_exemplo(rng)
    gravar_trackers(trackers, conversas)
    antes = {s: len(eventos_de(trackers, s)) for s in conversas}

    s = servicos()
    anexos = AnexoStore(var / "anexos")
    ref_aberto, ref_fechado, ref_novo, ref_orfao = (
        anexos.salvar(png(), f"conversa-{i}") for i in range(4)
    )
    p_erro_aberto = arquivar(s, "relato_erro", rng, 1, anexo=ref_aberto)
    p_erro_fechado = arquivar(s, "relato_erro", rng, 2, anexo=ref_fechado, status="concluida")
    p_velha = arquivar(s, "cadastro_usuario", rng, 3, status="concluida")
    p_velha_aberta = arquivar(s, "cadastro_usuario", rng, 4, status="em_andamento")
    p_nova = arquivar(s, "correcao_cargo", rng, 5, status="concluida")
    exportacao = var / "planilhas" / "NTS-exportacao-cadastro_usuario-20260101-120000.xlsx"
    s.exportar(s.store.listar(tipo="cadastro_usuario"), "cadastro_usuario", exportacao)
    temporario = var / "anexos" / f".{ref_orfao}.png.abc123.tmp"
    temporario.write_bytes(b"meio arquivo")
    alheio = var / "planilhas" / "leia-me.txt"
    alheio.write_text("arquivo que o assistente não criou")
    s.store.fechar()
    velhos = [
        *(var / "anexos").glob(f"{ref_aberto}.*"),
        *(var / "anexos").glob(f"{ref_fechado}.*"),
        *(var / "anexos").glob(f"{ref_orfao}.*"),
        temporario,
        alheio,
        exportacao,
        var / "planilhas" / f"{p_velha}.xlsx",
        var / "planilhas" / f"{p_velha_aberta}.xlsx",
    ]
    for caminho in velhos:
        envelhecer(caminho, 95)
    envelhecer(var / "planilhas" / f"{p_nova}.xlsx", 89)

    codigo, simulacao, _ = nts("privacy", "purge", "--dry-run")
    assert codigo == 0
    assert "Conversas seriam apagadas: 1 (8 eventos)" in simulacao
    assert "Anexos seriam apagados: 2" in simulacao  # closed request + orphan
    assert "Planilhas seriam apagadas: 2" in simulacao  # closed request + export
    assert "Mantidos por serem de solicitações em aberto: 2" in simulacao
    assert "nada foi apagado" in simulacao
    assert all(p.exists() for p in velhos)
    assert {x: len(eventos_de(trackers, x)) for x in conversas} == antes

    codigo, saida, _ = nts("privacy", "purge")  # default: 90 days
    assert codigo == 0, saida
    assert "Retenção de 90 dia(s)" in saida
    assert "Conversas apagadas: 1 (8 eventos)" in saida and "Anexos apagados: 2" in saida
    assert "Planilhas apagadas: 2" in saida and "Arquivos temporários apagados: 1" in saida
    assert eventos_de(trackers, "velha") == []
    assert len(eventos_de(trackers, "nova")) == antes["nova"]
    assert len(eventos_de(trackers, "mista")) == antes["mista"]
    bruto = (var / "trackers.db").read_bytes()
    assert cpfs["velha"].encode() not in bruto and cpfs["nova"].encode() in bruto

    restantes = {p.name for p in (var / "anexos").iterdir()}
    assert {f"{ref_aberto}.png", f"{ref_aberto}.json", f"{ref_novo}.png"} <= restantes
    assert not any(n.startswith((ref_fechado, ref_orfao, ".")) for n in restantes)
    restantes = {p.name for p in (var / "planilhas").iterdir()}
    assert restantes == {f"{p_velha_aberta}.xlsx", f"{p_nova}.xlsx", "leia-me.txt"}

    # the records stay; a purged spreadsheet can be generated again
    codigo, detalhe, _ = nts("requests", "show", p_velha)
    assert codigo == 0 and "Pessoa Teste 3" in detalhe and "apagado pela retenção" in detalhe
    codigo, detalhe, _ = nts("requests", "show", p_erro_fechado)
    assert codigo == 0 and "Anexo:" in detalhe and "apagado pela retenção" in detalhe
    codigo, detalhe, _ = nts("requests", "show", p_erro_aberto)
    assert "apagado" not in detalhe
    codigo, saida, _ = nts("requests", "spreadsheet", p_velha)
    assert codigo == 0 and (var / "planilhas" / f"{p_velha}.xlsx").exists()
    codigo, detalhe, _ = nts("requests", "show", p_velha)
    assert "apagado" not in detalhe
    outra = env.parent / "copia.xlsx"
    assert nts("requests", "spreadsheet", p_nova, "--out", str(outra))[0] == 0 and outra.exists()
    codigo, _, erro = nts("requests", "spreadsheet", p_erro_aberto)
    assert codigo == 1 and "não tem planilha" in erro

    codigo, saida, _ = nts("privacy", "purge")  # idempotent
    assert "Conversas apagadas: 0 (0 eventos)" in saida and "Anexos apagados: 0" in saida


def test_purge_com_prazo_e_url_explicitos(env, tmp_path, rng):
    outro = tmp_path / "outro" / "conversas.db"
    outro.parent.mkdir()
    trackers = tracker_store_sqlite(outro)
    _cpfs, conversas = conversas_exemplo(rng)
    gravar_trackers(trackers, conversas)
    codigo, saida, _ = nts(
        "privacy", "purge", "--older-than", "5", "--trackers-url", f"sqlite:///{outro}"
    )
    assert codigo == 0 and "Conversas apagadas: 2" in saida and "Retenção de 5 dia(s)" in saida
    assert [x for x in conversas if eventos_de(trackers, x)] == ["nova"]
    assert not (env / "trackers.db").exists()


def test_purge_sem_banco_de_conversas_nao_cria_nada(env):
    codigo, saida, _ = nts("privacy", "purge")
    assert codigo == 0 and "Banco de conversas não encontrado" in saida
    assert not (env / "trackers.db").exists()


def test_prazo_padrao_vem_da_configuracao():
    def cfg(**env):
        return settings.load({"SEI_VAR_DIR": "/x", **env})

    assert privacidade.retencao_dias(cfg()) == privacidade.RETENCAO_PADRAO_DIAS == 90
    assert privacidade.retencao_dias(cfg(SEI_RETENCAO_DIAS="0")) == 90  # 0: the default
    assert privacidade.retencao_dias(cfg(SEI_RETENCAO_DIAS="30")) == 30
    assert privacidade.pasta_backups(cfg()) == Path("/x/backups")
    with pytest.raises(settings.ConfiguracaoInvalida, match="SEI_RETENCAO_DIAS: esperado um"):
        cfg(SEI_RETENCAO_DIAS="noventa")


@pytest.mark.parametrize(
    "args, trecho",
    [
        (["privacy", "purge", "--older-than", "abc"], "número de dias inválido"),
        (["privacy", "purge", "--older-than", "-1"], "número de dias inválido"),
        (["privacy", "purge", "--older-than"], "esperava um valor"),
        (["privacy"], "faltam os argumentos"),
        (["privacy", "apagar"], "opção inválida"),
        (["backup"], "faltam os argumentos"),
        (["restore"], "faltam os argumentos"),
    ],
)
def test_argumentos_ruins_saem_com_2(env, args, trecho):
    codigo, _, erro = nts(*args)
    assert codigo == 2 and trecho in erro


def test_ajuda_em_portugues(env):
    exe = Path(sys.executable).parent / "sei-nts"
    r = subprocess.run(
        [str(exe), "privacy", "purge", "--help"],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 0 and "uso: sei-nts privacy purge" in r.stdout
    assert "--dry-run" in r.stdout and "90" in r.stdout and "opções" in r.stdout


# ----------------------------------------------------------------- backup / restore (SQLite)


def test_backup_e_restauracao_sqlite_ida_e_volta(env, rng, tmp_path):
    s = servicos()
    p1 = arquivar(s, "cadastro_usuario", rng, 1)
    p2 = arquivar(s, "correcao_cargo", rng, 2, status="em_andamento")
    copia = tmp_path / "copias" / "solicitacoes.db"
    codigo, saida, _ = nts("backup", "--out", str(copia))
    assert codigo == 0 and str(copia) in saida
    p3 = arquivar(s, "cadastro_usuario", rng, 3)  # filed after the backup...
    s.store.atualizar_status(p1, "concluida")  # ...and a change
    s.store.fechar()

    codigo, _, erro = nts("restore", "--from", str(copia))
    assert codigo == 2 and "--yes" in erro
    codigo, saida, _ = nts("restore", "--from", str(copia), "--yes")
    assert codigo == 0, saida
    assert "2 solicitação(ões)" in saida and "Atenção: 1 protocolo(s)" in saida and p3 in saida

    s = servicos()
    assert [x.protocolo for x in s.store.listar()] == [p1, p2]
    assert s.store.buscar(p1).status == "recebida" and s.store.buscar(p2).status == "em_andamento"
    assert s.store.buscar(p3) is None
    p4 = arquivar(s, "cadastro_usuario", rng, 4)  # never the number of the lost one
    assert int(p4[-6:]) == int(p3[-6:]) + 1
    s.store.fechar()
    anterior = next((env / "backups").glob("antes-da-restauracao-*.db"))
    with RequestStore(f"sqlite:///{anterior}") as guardado:
        assert guardado.buscar(p3) is not None and guardado.buscar(p1).status == "concluida"
    codigo, detalhe, _ = nts("requests", "show", p2)
    assert codigo == 0 and "Pessoa Teste 2" in detalhe


def test_restauracao_recusa_arquivo_que_nao_e_copia(env, tmp_path, rng):
    s = servicos()
    arquivar(s, "correcao_cargo", rng, 1)
    s.store.fechar()
    ruim = tmp_path / "ruim.db"
    ruim.write_bytes(b"isto nao e um banco sqlite" * 100)
    codigo, _, erro = nts("restore", "--from", str(ruim), "--yes")
    assert codigo == 1 and "não é uma cópia" in erro
    vazio = tmp_path / "vazio.db"
    sqlite3.connect(vazio).execute("CREATE TABLE x (a)").connection.close()
    codigo, _, erro = nts("restore", "--from", str(vazio), "--yes")
    assert codigo == 1 and "não é uma cópia do banco de solicitações" in erro
    codigo, _, erro = nts("restore", "--from", str(tmp_path / "nao-existe.db"), "--yes")
    assert codigo == 1 and "não encontrado" in erro
    assert len(servicos().store.listar()) == 1


# ----------------------------------------------------------------- PostgreSQL


@pytest.fixture()
def banco_pg():
    """A fresh PostgreSQL database (dropped afterwards); its SQLAlchemy URL."""
    import psycopg2

    try:
        admin = psycopg2.connect(f"{PG_URL_BASE}/postgres", connect_timeout=5)
    except psycopg2.OperationalError as erro:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL inacessível no CI ({PG_URL_BASE}): {erro}")
        pytest.skip(f"PostgreSQL inacessível ({PG_URL_BASE}): {erro}")
    admin.autocommit = True
    nome = f"sei_teste_{uuid.uuid4().hex[:12]}"
    with admin.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{nome}"')
    try:
        yield nome, f"{PG_URL_BASE}/{nome}", admin
    finally:
        with admin.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{nome}" WITH (FORCE)')
        admin.close()


def test_pg_dump_e_pg_restore_ida_e_volta(env, banco_pg, rng, tmp_path, monkeypatch):
    import sqlalchemy as sa

    nome, url, admin = banco_pg
    monkeypatch.setenv("REQUESTS_DB_URL", url)
    s = servicos()
    p1 = arquivar(s, "cadastro_usuario", rng, 1)
    arquivar(s, "correcao_cargo", rng, 2, status="em_andamento")
    esperado = [(x.protocolo, x.status, x.linhas) for x in s.store.listar()]
    s.store.fechar()
    # production profile: the conversations live in the same database
    conversas = sa.create_engine(url)
    with conversas.begin() as conn:
        conn.execute(
            sa.text(
                "CREATE TABLE events (id SERIAL PRIMARY KEY, sender_id TEXT, "
                "timestamp FLOAT, data TEXT)"
            )
        )
        conn.execute(
            sa.text(
                "INSERT INTO events (sender_id, timestamp, data) VALUES ('web-1', 1.0, 'meu cpf')"
            )
        )
    copia = tmp_path / "solicitacoes.dump"
    codigo, saida, erro = nts("backup", "--out", str(copia))
    assert codigo == 0, erro
    assert copia.read_bytes()[:5] == b"PGDMP"
    indice = subprocess.run(
        ["pg_restore", "--list", str(copia)], capture_output=True, text=True, check=True
    ).stdout
    assert "TABLE public requests " in indice and " events " not in indice

    s = servicos()
    p3 = arquivar(s, "cadastro_usuario", rng, 3)  # after the backup
    s.store.fechar()
    codigo, saida, erro = nts("restore", "--from", str(copia), "--yes")  # in place
    assert codigo == 0, erro
    assert p3 in saida and "Atenção: 1 protocolo(s)" in saida
    with conversas.connect() as conn:  # conversations untouched by the restore
        assert conn.execute(sa.text("SELECT count(*) FROM events")).scalar() == 1
    conversas.dispose()
    s = servicos()
    assert [(x.protocolo, x.status, x.linhas) for x in s.store.listar()] == esperado
    s.store.fechar()

    with admin.cursor() as cur:  # the database is lost...
        cur.execute(f'DROP DATABASE "{nome}" WITH (FORCE)')
        cur.execute(f'CREATE DATABASE "{nome}"')
    with RequestStore(url) as vazio:  # a fresh start creates an empty schema
        assert vazio.listar() == []
    codigo, saida, erro = nts("restore", "--from", str(copia), "--yes")  # ...and restored
    assert codigo == 0, erro
    s = servicos()
    assert [(x.protocolo, x.status, x.linhas) for x in s.store.listar()] == esperado
    p4 = arquivar(s, "correcao_cargo", rng, 4)
    assert int(p4[-6:]) == int(p3[-6:]) + 1  # counters back, past the lost protocol
    s.store.fechar()
    codigo, detalhe, _ = nts("requests", "show", p1)
    assert codigo == 0 and "Pessoa Teste 1" in detalhe
    assert len(list((env / "backups").glob("antes-da-restauracao-*.dump"))) == 2


def test_pg_purge_de_conversas(env, banco_pg, rng):
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.domain import Domain

    nome, url, _ = banco_pg
    trackers = SQLTrackerStore(
        Domain.load(ROOT / "domain.yml"),
        dialect="postgresql",
        host="127.0.0.1",
        port=5432,
        username="postgres",
        db=nome,
    )
    _cpfs, conversas = conversas_exemplo(rng)
    gravar_trackers(trackers, conversas)
    trackers.engine.dispose()
    codigo, saida, erro = nts("privacy", "purge", "--trackers-url", url)
    assert codigo == 0, erro
    assert "Conversas apagadas: 1 (8 eventos)" in saida
    assert [x for x in conversas if eventos_de(trackers, x)] == ["nova", "mista"]
    trackers.engine.dispose()


def test_programa_do_postgres_ausente_explica(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(privacidade.ErroPrivacidade, match="postgresql-client"):
        privacidade.fazer_backup("postgresql://u@127.0.0.1:1/x", tmp_path / "c.dump")
    assert list(tmp_path.iterdir()) == []  # no temporary file left behind


def test_senha_do_postgres_nao_vai_na_linha_de_comando():
    from sqlalchemy.engine import make_url

    conninfo, env = privacidade._conninfo(
        make_url("postgresql+psycopg2://sei:s3gr'edo@db.interno:5433/sei?sslmode=require")
    )
    assert "s3gr" not in conninfo and env["PGPASSWORD"] == "s3gr'edo"
    assert "host='db.interno'" in conninfo and "port='5433'" in conninfo
    assert "dbname='sei'" in conninfo and "sslmode='require'" in conninfo


def test_purge_apaga_planilhas_recebidas_abandonadas(env):
    """Planilhas sent for checking and never filed nor cancelled go with the retention."""
    from bot.solicitacoes.recebidas import PlanilhaRecebidaStore

    var = env
    var.mkdir(parents=True)
    recebidas = PlanilhaRecebidaStore.junto_dos_anexos(var / "anexos")
    velha, nova = recebidas.salvar(b"PK velha", "conversa-1"), recebidas.salvar(b"PK", "c-2")
    (var / "planilhas").mkdir(parents=True, exist_ok=True)
    conferida_velha = var / "planilhas" / ("Conferida-" + "a" * 32 + ".xlsx")
    conferida_nova = var / "planilhas" / ("Conferida-" + "b" * 32 + ".xlsx")
    modelo = var / "planilhas" / "Modelo-Cadastro-de-usuario.xlsx"
    for caminho in (conferida_velha, conferida_nova, modelo):
        caminho.write_bytes(b"PK")
    for caminho in (*recebidas.pasta.glob(f"{velha}.*"), conferida_velha, modelo):
        envelhecer(caminho, 95)
    codigo, _, erro = nts("privacy", "purge")
    assert codigo == 0, erro
    assert not list(recebidas.pasta.glob(f"{velha}.*")) and not conferida_velha.exists()
    assert len(list(recebidas.pasta.glob(f"{nova}.*"))) == 2 and conferida_nova.exists()
    assert modelo.exists()  # a blank model holds no personal data
