"""The worker as its own process (``python -m bot.ops.processos notificacoes``):
``kill -9`` in the middle of 200 deliveries loses none, SIGTERM stops it, and
without SEI_SMTP_URL it says so once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from avisos_apoio import ROOT, ServidorSmtp, ambiente, porta_livre
from processes import stop

from bot.notificacoes import fila
from bot.solicitacoes.store import RequestStore

NTS = "nts@saude.al.gov.br"


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'var' / 'requests.db'}"


def iniciar(env: dict[str, str], log: Path) -> subprocess.Popen:
    completo = {k: v for k, v in os.environ.items() if not k.startswith(("SEI_", "TELEGRAM_"))}
    completo.update(env)
    return subprocess.Popen(
        [sys.executable, "-m", "bot.ops.processos", "notificacoes", "--intervalo", "0.05"],
        cwd=ROOT,
        env=completo,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )


def esperar(condicao, timeout: float = 60.0) -> None:
    limite = time.monotonic() + timeout
    while not condicao():
        assert time.monotonic() < limite, "condição não atingida"
        time.sleep(0.02)


def test_kill_9_mid_delivery_loses_nothing_and_duplicates_at_most_the_one_in_flight(
    tmp_path, sqlite_url
):
    smtp = ServidorSmtp(porta_livre(), pausa_s=0.01).iniciar()
    try:
        env = ambiente(tmp_path, sqlite_url, SEI_SMTP_URL=smtp.url, SEI_EMAIL_NTS=NTS)
        store = RequestStore(sqlite_url)
        fila.instalar(store, fila.Destinos((NTS,)))
        for n in range(200):
            store.registrar(
                "cadastro_usuario",
                [{"nome": f"Pessoa {n}", "cpf": "529.982.247-25", "email": f"p{n}@example.com"}],
                canal="web",
                contato="",
                unidade="GETIN",
                chave_envio=f"crash-{n}",
            )
        log = tmp_path / "worker.log"
        proc = iniciar(env, log)
        esperar(lambda: len(smtp.caixa.todas()) >= 60)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
        no_kill = len(smtp.caixa.todas())
        assert no_kill < 200, "the worker finished before the kill"
        proc = iniciar(env, log)
        try:
            esperar(lambda: len({m["Message-ID"] for m in smtp.caixa.todas()}) >= 200)
            esperar(lambda: fila.contagem(store) == {"enviada": 200}, 20)
        finally:
            assert stop(proc, sig=signal.SIGTERM, timeout=20) == [0]
        ids = [m["Message-ID"] for m in smtp.caixa.todas()]
        duplicados = len(ids) - len(set(ids))
        print(f"killed after {no_kill} deliveries; {duplicados} duplicate(s)")
        assert len(set(ids)) == 200 and duplicados <= 1
        saida = log.read_text(encoding="utf-8")
        assert "queued again" in saida  # the rows of the killed worker were given back
        assert "529.982.247-25" not in saida and NTS not in saida
        store.fechar()
    finally:
        smtp.parar()


def test_without_smtp_nothing_is_emailed_and_the_start_says_so_once(tmp_path, sqlite_url):
    env = ambiente(tmp_path, sqlite_url, SEI_EMAIL_NTS=NTS)
    log = tmp_path / "worker.log"
    proc = iniciar(env, log)
    try:
        esperar(lambda: "Notification worker started" in log.read_text(encoding="utf-8"), 30)
        time.sleep(0.5)
    finally:
        assert stop(proc, sig=signal.SIGTERM, timeout=20) == [0]
    saida = log.read_text(encoding="utf-8")
    assert saida.count("Avisos por e-mail desligados") == 1
    assert "channels: none" in saida


def test_bad_smtp_url_is_named_without_a_traceback(tmp_path, sqlite_url):
    env = ambiente(tmp_path, sqlite_url, SEI_SMTP_URL="http://senha-secreta@host")
    log = tmp_path / "worker.log"
    proc = iniciar(env, log)
    assert proc.wait(30) == 1
    saida = log.read_text(encoding="utf-8")
    assert "SEI_SMTP_URL" in saida and "Traceback" not in saida
    assert "senha-secreta" not in saida
