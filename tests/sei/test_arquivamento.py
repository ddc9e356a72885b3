"""Filing requests into SEI (bot.sei.arquivamento / worker) against the PHP stand-in,
with the real SQLite request store and spreadsheets."""

# ruff: noqa: F811 - pytest fixtures imported from apoio_sei are arguments
from __future__ import annotations

import hashlib
import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from apoio_sei import avisos_de_situacao, cfg, confirmar, linha_cadastro, standin  # noqa: F401 (pytest fixtures)
from sei_standin import CHAVE

from bot.sei import acompanhamento, arquivamento
from bot.sei.arquivamento import AGUARDANDO, ARQUIVADO, CONFERIR, ENVIANDO, sei_processos
from bot.sei.cliente import ClienteSei
from bot.sei.config import ConfigSei
from bot.solicitacoes import atendimento

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture()
def sei(cfg):
    c = ConfigSei.de_settings(cfg)
    assert c is not None
    return ClienteSei(c)


@pytest.fixture()
def filas(servicos):
    arquivamento.instalar(servicos.store)
    return servicos


def _linhas(store):
    with store.na_transacao() as conn:
        return {r.protocolo: r for r in conn.execute(sa.select(sei_processos))}


def _vencer(store):
    """Make every waiting row due now (skip the backoff)."""
    with store.na_transacao() as conn:
        conn.execute(sei_processos.update().values(proxima_em=sa.func.datetime("now", "-1 day")))


def test_confirmation_queues_and_the_worker_files_one_process_with_the_planilha(
    filas, sei, standin
):
    s = confirmar(filas, 1)
    assert _linhas(filas.store)[s.protocolo].estado == AGUARDANDO
    avisos = []
    [r] = arquivamento.processar(
        filas.store,
        sei,
        ao_arquivar=lambda _conn, sol, res: avisos.append((sol.protocolo, res.numero)),
    )
    assert r.estado == ARQUIVADO and r.numero.startswith("E:02000.") and r.link
    assert avisos == [(s.protocolo, r.numero)]
    assert arquivamento.situacao(filas.store, s.protocolo) == r
    [processo] = standin.processos().values()
    assert (
        s.protocolo in processo["Especificacao"]
        and "Cadastro de usuário" in processo["Especificacao"]
    )
    assert processo["Interessados"] == [{"Sigla": "GETIN", "Nome": "GETIN"}]
    assert processo["NivelAcesso"] == "1" and processo["IdHipoteseLegal"] == "34"
    planilha = Path(s.planilha).read_bytes()
    [doc] = processo["Documentos"]
    assert doc["NomeArquivo"] == Path(s.planilha).name and s.protocolo in doc["NomeArquivo"]
    assert doc["Sha256"] == hashlib.sha256(planilha).hexdigest()
    assert arquivamento.processar(filas.store, sei) == []  # nothing twice
    assert len(standin.processos()) == 1


def test_error_report_sends_the_screenshot(filas, sei, standin):
    from PIL import Image

    imagem = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(imagem, "PNG")
    ref = filas.anexos.salvar(imagem.getvalue(), "conversa-1", "erro.png")
    s, _ = filas.store.registrar(
        "relato_erro",
        [{"descricao": "O SEI trava ao assinar", "captura": ref, "sigla": "GETIN"}],
        canal="web",
        contato="c",
        unidade="GETIN",
        chave_envio="k-erro",
        anexo=ref,
    )
    [r] = arquivamento.processar(filas.store, sei, anexos_dir=filas.settings.anexos_dir)
    assert r.estado == ARQUIVADO
    [doc] = standin.processos()[r.numero]["Documentos"]
    assert doc["NomeArquivo"] == f"{s.protocolo}-captura.png"
    assert doc["Sha256"] == hashlib.sha256(imagem.getvalue()).hexdigest()


def test_sei_down_during_20_confirmations_then_20_processes_none_twice(filas, sei, standin):
    standin.parar()
    inicio = time.monotonic()
    protocolos = [confirmar(filas, n).protocolo for n in range(20)]
    assert time.monotonic() - inicio < 20  # confirmations never wait for SEI
    r = arquivamento.processar(filas.store, sei)
    assert [x.estado for x in r] == [AGUARDANDO]  # one try, then the round stops
    assert "não respondeu" in (r[0].erro or "")
    assert {x.estado for x in _linhas(filas.store).values()} == {AGUARDANDO}
    standin.iniciar()
    for _ in range(5):
        _vencer(filas.store)
        arquivamento.processar(filas.store, sei)
    linhas = _linhas(filas.store)
    assert {linhas[p].estado for p in protocolos} == {ARQUIVADO}
    processos = standin.processos().values()
    assert len(processos) == 20
    assert sorted(p["Especificacao"].rsplit(" ", 1)[1] for p in processos) == sorted(protocolos)
    assert len({linhas[p].numero for p in protocolos}) == 20


def test_uncertain_answer_is_never_sent_again(filas, sei, standin):
    s = confirmar(filas, 3)
    sei.listar_unidades()
    standin.configurar(modo="hostil")
    [r] = arquivamento.processar(filas.store, sei)
    assert r.estado == CONFERIR and "confira no SEI" in (r.erro or "")
    standin.configurar(modo="")
    _vencer(filas.store)
    assert arquivamento.processar(filas.store, sei) == []
    assert arquivamento.reenviar(filas.store, s.protocolo)
    [r] = arquivamento.processar(filas.store, sei)
    assert r.estado == ARQUIVADO


def _worker(cfg, standin, tmp_path, *extra: str) -> subprocess.Popen:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "SEI_PROJECT_ROOT": str(ROOT),
        "SEI_VAR_DIR": str(cfg.var_dir),
        "SEI_LOG_LEVEL": "DEBUG",
        **standin.ambiente(SEI_WS_TIMEOUT_S="2", SEI_WS_CONNECT_TIMEOUT_S="1"),
    }
    log = (tmp_path / "worker.log").open("ab")
    return subprocess.Popen(
        [sys.executable, "-m", "bot.sei.worker", "--intervalo", "0.2", *extra],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def _esperar(condicao, limite_s: float = 30.0):
    fim = time.monotonic() + limite_s
    while time.monotonic() < fim:
        valor = condicao()
        if valor:
            return valor
        time.sleep(0.1)
    raise AssertionError("condição não atingida a tempo")


@pytest.mark.slow  # a worker process killed and restarted, ~15 s
def test_kill_9_between_gerar_procedimento_and_the_store_still_one_process(
    filas, sei, standin, cfg, tmp_path
):
    s = confirmar(filas, 7)
    worker = _worker(cfg, standin, tmp_path, "--pausa-teste", "60")
    try:
        _esperar(standin.processos)  # SEI created it; the number is not stored
        assert _linhas(filas.store)[s.protocolo].estado == ENVIANDO
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
        worker = _worker(cfg, standin, tmp_path)
        linha = _esperar(
            lambda: (x := _linhas(filas.store)[s.protocolo]).estado == CONFERIR and x, 40
        )
        time.sleep(1)  # a few more rounds of the worker
        assert len(standin.processos()) == 1  # never created again
        assert "confira no SEI" in linha.erro
    finally:
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=20) == 0
    [numero] = standin.processos()
    r = arquivamento.vincular(filas.store, sei, s.protocolo, numero)
    assert r.estado == ARQUIVADO and _linhas(filas.store)[s.protocolo].numero == numero
    log = (tmp_path / "worker.log").read_text()
    assert CHAVE not in log and "Traceback" not in log


def test_vincular_refuses_a_process_of_another_request(filas, sei):
    a, b = confirmar(filas, 1), confirmar(filas, 2)
    [r] = arquivamento.processar(filas.store, sei, limite=1)
    outro = b.protocolo if r.protocolo == a.protocolo else a.protocolo
    with pytest.raises(ValueError, match="não cita o protocolo"):
        arquivamento.vincular(filas.store, sei, outro, r.numero)


def test_poller_turns_sei_steps_into_status_changes(filas, sei, standin):
    s = confirmar(filas, 4)
    [r] = arquivamento.processar(filas.store, sei)
    assert acompanhamento.acompanhar(filas.store, sei, ROOT) == 0  # "Processo gerado": no rule
    standin.andar(r.numero, "48", "Processo recebido na unidade SESAU-NTS", "SESAU-NTS")
    assert acompanhamento.acompanhar(filas.store, sei, ROOT) == 1
    assert filas.store.buscar(s.protocolo).status == "em_andamento"
    standin.andar(r.numero, "32", "Processo remetido pela unidade SESAU-NTS", "SESAU-GETIN")
    assert acompanhamento.acompanhar(filas.store, sei, ROOT) == 1
    atual = filas.store.buscar(s.protocolo)
    assert atual.status == "concluida"
    assert acompanhamento.acompanhar(filas.store, sei, ROOT) == 0
    eventos = filas.store.historico(s.protocolo)
    assert any(getattr(e, "autor", None) == acompanhamento.AUTOR for e in eventos)
    assert atendimento.STATUS_TITULOS["concluida"] == "Concluída"


def test_the_requester_is_told_the_sei_number_through_the_outbox(filas, sei, tmp_path):
    from bot.notificacoes import assinaturas, fila
    from bot.notificacoes.segredo import Chaves
    from bot.notificacoes.tabelas import notifications
    from bot.sei import avisos

    fila.instalar(filas.store, fila.Destinos())
    chaves = Chaves.do_arquivo(tmp_path / "segredo")
    s = confirmar(filas, 5)
    assinaturas.assinar(filas.store, chaves, s.protocolo, "email", "pessoa@example.com")
    [r] = arquivamento.processar(filas.store, sei, ao_arquivar=avisos.avisar_requerente)
    with filas.store.na_transacao() as conn:
        [dados] = conn.execute(
            sa.select(notifications.c.dados).where(notifications.c.chave.like("sei:%"))
        ).scalars()
    assert f"Seu processo no SEI: {r.numero}." in dados and "pessoa@example.com" not in dados


def test_a_worker_ahead_of_the_spreadsheet_waits_briefly_for_it(filas, sei, standin):
    s, _ = filas.store.registrar(
        "cadastro_usuario",
        [linha_cadastro(9)],
        canal="web",
        contato="c9",
        unidade="GETIN",
        chave_envio="k9",
    )
    [r] = arquivamento.processar(filas.store, sei)
    assert r.estado == AGUARDANDO and r.tipo_erro == "documento" and not standin.processos()
    filas.gerar_planilha(s)
    time.sleep(arquivamento.ESPERA_DOCUMENTO_S + 0.1)
    [r] = arquivamento.processar(filas.store, sei)
    assert r.estado == ARQUIVADO and len(standin.processos()) == 1


def test_a_refused_key_waits_with_a_portuguese_reason_and_the_key_is_stored_nowhere(
    filas, sei, standin, cfg
):
    s = confirmar(filas, 11)
    standin.configurar(chave="outra" * 14 + "xy")
    [r] = arquivamento.processar(filas.store, sei)
    assert r.estado == AGUARDANDO and r.tipo_erro == "chave"
    assert "recusou a chave de acesso" in (
        arquivamento.situacao(filas.store, s.protocolo).erro or ""
    )
    filas.store.fechar()
    banco = (cfg.var_dir / "requests.db").read_bytes() + b"".join(
        p.read_bytes() for p in cfg.var_dir.glob("requests.db-*")
    )
    assert CHAVE.encode() not in banco


def test_a_status_change_from_sei_reaches_the_requester_through_the_outbox(
    filas, sei, standin, tmp_path
):
    from bot.notificacoes import assinaturas, fila
    from bot.notificacoes.segredo import Chaves

    fila.instalar(filas.store, fila.Destinos())  # as the SEI worker does
    s = confirmar(filas, 12)
    assinaturas.assinar(
        filas.store, Chaves.do_arquivo(tmp_path / "segredo"), s.protocolo, "email", "p@example.com"
    )
    [r] = arquivamento.processar(filas.store, sei)
    standin.andar(r.numero, "32", "Processo remetido pela unidade SESAU-NTS", "SESAU-GETIN")
    assert acompanhamento.acompanhar(filas.store, sei, ROOT) == 1
    dados = avisos_de_situacao(filas.store)
    assert any("devolveu o processo ao setor solicitante" in d for d in dados)


def test_a_queue_from_before_its_version_table_is_kept_and_versioned(servicos):
    store = servicos.store
    s = confirmar(servicos, 90)
    with store.na_transacao() as conn:  # what the code before ``sei_schema`` created
        sei_processos.create(conn)
        arquivamento.enfileirar_na_transacao(conn, s.protocolo)
    arquivamento.migrar(store)
    arquivamento.migrar(store)  # idempotent
    assert list(_linhas(store)) == [s.protocolo]
    with store.na_transacao() as conn:
        versoes = conn.execute(sa.text("SELECT version FROM sei_schema")).scalars().all()
        assert versoes == [1]
        conn.execute(sa.text("INSERT INTO sei_schema VALUES (2, CURRENT_TIMESTAMP)"))
    with pytest.raises(RuntimeError, match="mais nova"):
        arquivamento.migrar(store)  # code older than the database
