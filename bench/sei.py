"""Filing into SEI: the confirmation's own work with and without SEI configured,
and the time from confirmation to the SEI process number.

Against the PHP SoapServer stand-in (tests/sei_standin) on 127.0.0.1: N
requests are confirmed (store.registrar + the spreadsheet, what the
confirmation turn does) first into a store without the SEI hook, then into one
with it while ``python -m bot.sei.worker`` runs; reports p50/p95 of both
confirmation timings (the hook alone, then with the worker running on the
same cores) and p50/p95/max of confirmation -> number stored, one request at a
time and in a burst of N.

Usage: python -m bench.sei --work /tmp/bench-sei [--requests 50] [--port 17310]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bench.common import machine_info, summary_ms
from bot import settings
from bot.sei import arquivamento
from bot.solicitacoes.servicos import Servicos
from tests.geradores import gerar_cpf
from tests.sei_standin import StandIn

ROOT = Path(__file__).resolve().parent.parent


def _linha(n: int) -> dict[str, str]:
    return {
        "nome": "Joana Exemplo Teste",
        "cpf": gerar_cpf(random.Random(n), mascarado=True),  # generated, not real
        "email": f"pessoa{n}@example.com",
        "sigla": "GETIN",
        "cargo": "Assessor Técnico",
    }


def _confirmar(servicos: Servicos, n: int) -> tuple[str, float]:
    inicio = time.perf_counter()
    s, _ = servicos.store.registrar(
        "cadastro_usuario",
        [_linha(n)],
        canal="web",
        contato=f"c{n}",
        unidade="GETIN",
        chave_envio=f"bench-{n}",
    )
    servicos.gerar_planilha(s)
    return s.protocolo, time.perf_counter() - inicio


_ARQUIVADAS = sa.select(arquivamento.sei_processos.c.protocolo).where(
    arquivamento.sei_processos.c.estado == arquivamento.ARQUIVADO
)


def _esperar_arquivadas(leitor: sa.engine.Engine, quantas: int, intervalo_s: float = 0.1) -> None:
    limite = time.time() + 120
    while time.time() < limite:
        with leitor.connect() as conn:
            if len(conn.execute(_ARQUIVADAS).all()) >= quantas:
                return
        time.sleep(intervalo_s)
    raise RuntimeError("o worker não arquivou o aquecimento a tempo")


def medir(work: Path, requests: int, port: int) -> dict[str, Any]:
    standin = StandIn(work / "standin", port).iniciar()
    try:
        sem = Servicos(settings.load({"SEI_VAR_DIR": str(work / "sem")}))
        tempos_sem = [_confirmar(sem, n)[1] for n in range(requests)]
        sem.store.fechar()

        ambiente = {"SEI_VAR_DIR": str(work / "com"), **standin.ambiente()}
        com = Servicos(settings.load(ambiente))
        arquivamento.instalar(com.store)
        # the hook alone (SEI configured, worker not running yet)
        tempos_gancho = [_confirmar(com, requests + n)[1] for n in range(requests)]
        leitor = sa.create_engine(com.settings.requests_db_url)
        worker = subprocess.Popen(
            [sys.executable, "-m", "bot.sei.worker", "--intervalo", "0.1"],
            cwd=ROOT,
            env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **ambiente},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            # warm-up: the worker has loaded the WSDL and filed the backlog above
            _esperar_arquivadas(leitor, requests)
            # one at a time: the latency alone, no queue
            isoladas = []
            for n in range(10):
                inicio = time.time()
                _confirmar(com, 3 * requests + n)
                _esperar_arquivadas(leitor, requests + n + 1, intervalo_s=0.005)
                isoladas.append(time.time() - inicio)
            confirmadas: dict[str, float] = {}
            tempos_com = []
            for n in range(requests):
                protocolo, duracao = _confirmar(com, n)
                confirmadas[protocolo] = time.time()
                tempos_com.append(duracao)
            numeros: dict[str, float] = {}
            limite = time.time() + 120
            while len(numeros) < 2 * requests + 10 and time.time() < limite:
                with leitor.connect() as conn:
                    for linha in conn.execute(_ARQUIVADAS):
                        numeros.setdefault(linha.protocolo, time.time())
                time.sleep(0.05)
        finally:
            worker.send_signal(signal.SIGTERM)
            worker.wait(timeout=30)
        ate_numero = [numeros[p] - t for p, t in confirmadas.items() if p in numeros]
        processos = len(standin.processos())
        com.store.fechar()
        leitor.dispose()
    finally:
        standin.parar()
    return {
        "machine": machine_info(),
        "requests": requests,
        "confirmacao_sem_sei_ms": summary_ms(tempos_sem),
        "confirmacao_com_sei_so_gancho_ms": summary_ms(tempos_gancho),
        "confirmacao_com_sei_worker_rodando_ms": summary_ms(tempos_com),
        "confirmacao_ate_numero_sei_uma_por_vez_ms": summary_ms(isoladas),
        "confirmacao_ate_numero_sei_em_rajada_ms": summary_ms(ate_numero),
        "numeros_recebidos": len(ate_numero),
        "processos_no_sei": processos,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--port", type=int, default=17310)
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    resultado = medir(args.work, args.requests, args.port)
    print(json.dumps(resultado, ensure_ascii=False, indent=2))
    return 0 if resultado["processos_no_sei"] == 2 * args.requests + 10 else 1


if __name__ == "__main__":
    sys.exit(main())
