"""Filing path: ``bot.solicitacoes.servicos.Servicos.registrar`` with a filled
``bot.solicitacoes.motor.Estado`` (row validation, SQLite store with the protocol
counter, spreadsheet), one request at a time and with many threads at once.

Each request is a user registration filled through ``bot.solicitacoes.motor.Motor``
(the engine the form uses: every field validated) up to the summary; the
field-by-field filling is timed apart from the submission. The concurrent
run shares one ``Servicos`` (as the action server does) among ``threads``
submitters released together by a barrier, and checks that every request
got its own protocol and spreadsheet.

Usage: python -m bench.filing --work /tmp/x [--requests 50] [--threads 50]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import threading
import time
from pathlib import Path
from typing import Any

from bench.common import ROOT, Progress, summary_ms
from bench.scenarios import NOMES, _catalogue, _cpf


def _servicos(var_dir: Path):
    from bot import settings
    from bot.solicitacoes.servicos import Servicos

    cfg = settings.load({"SEI_PROJECT_ROOT": str(ROOT), "SEI_VAR_DIR": str(var_dir)})
    return Servicos(cfg)


def filled_states(servicos, n: int, seed: int) -> tuple[list, list[float]]:
    """``n`` registrations filled through the engine up to the summary, and
    the time each filling took (seconds)."""
    from bot.solicitacoes.estado import Estado
    from bot.solicitacoes.motor import Motor

    rng = random.Random(seed)
    siglas, cargos = _catalogue("unidades.csv"), _catalogue("cargos.csv")
    motor = Motor(servicos)
    states, times = [], []
    for i in range(n):
        nome = rng.choice(NOMES)
        answers = [
            rng.choice(siglas),
            nome,
            _cpf(rng),
            f"pessoa{seed}x{i}@gmail.com",
            rng.choice(siglas),
            rng.choice(cargos),
            "não",
        ]
        started = time.perf_counter()
        estado = motor.iniciar("cadastro_usuario").estado
        for text in answers:
            # the state crosses a Rasa slot (JSON) between turns
            estado = Estado.de_dict(estado.para_dict())
            estado = motor.responder(estado, text, canal="rest", contato=f"bench-{i}").estado
        times.append(time.perf_counter() - started)
        if estado.fase != "resumo":
            raise RuntimeError(
                f"preenchimento não chegou ao resumo (fase {estado.fase}): {answers}"
            )
        states.append(estado)
    return states, times


def sequential(work: Path, n: int) -> dict[str, Any]:
    """``n`` submissions one after the other."""
    servicos = _servicos(work / "var-seq")
    states, fill = filled_states(servicos, n, seed=1)
    servicos.store.migrar()
    latencies = []
    progress = Progress("registro sequencial", n)
    for i, estado in enumerate(states):
        started = time.perf_counter()
        servicos.registrar(estado, "rest", f"bench-{i}")
        latencies.append(time.perf_counter() - started)
        progress.update(i + 1)
    progress.done()
    checks = _check(servicos, n)
    servicos.store.fechar()
    return {
        "requests": n,
        "fill_ms": summary_ms(fill),
        "submit_ms": summary_ms(latencies),
        **checks,
    }


def concurrent(work: Path, threads: int, per_thread: int) -> dict[str, Any]:
    """``threads`` submitters at once, ``per_thread`` requests each."""
    servicos = _servicos(work / "var-conc")
    states, _ = filled_states(servicos, threads * per_thread, seed=2)
    servicos.store.migrar()
    barrier = threading.Barrier(threads + 1)
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()

    def submitter(k: int) -> None:
        mine = states[k * per_thread : (k + 1) * per_thread]
        barrier.wait()
        for j, estado in enumerate(mine):
            started = time.perf_counter()
            try:
                servicos.registrar(estado, "rest", f"bench-{k}-{j}")
            except Exception as err:
                with lock:
                    errors.append(f"{type(err).__name__}: {err}"[:300])
                continue
            with lock:
                latencies.append(time.perf_counter() - started)

    pool = [threading.Thread(target=submitter, args=(k,)) for k in range(threads)]
    for t in pool:
        t.start()
    progress = Progress(f"registro com {threads} threads", threads * per_thread)
    barrier.wait()
    started = time.perf_counter()
    while any(t.is_alive() for t in pool):
        progress.update(len(latencies) + len(errors))
        time.sleep(0.2)
    wall = time.perf_counter() - started
    progress.done(f"{len(errors)} erros")
    checks = _check(servicos, len(latencies))
    servicos.store.fechar()
    return {
        "threads": threads,
        "requests": threads * per_thread,
        "errors": len(errors),
        "error_samples": errors[:5],
        "wall_s": round(wall, 2),
        "throughput_req_s": round(len(latencies) / wall, 2) if wall else 0.0,
        "submit_ms": summary_ms(latencies),
        **checks,
    }


def _check(servicos, expected: int) -> dict[str, Any]:
    """Protocols unique and sequential, one spreadsheet each."""
    filed = servicos.store.listar()
    protocols = [s.protocolo for s in filed]
    sheets = sum(1 for p in protocols if servicos.caminho_planilha(p).exists())
    seqs = sorted(int(p.rsplit("-", 1)[1]) for p in protocols)
    return {
        "filed": len(filed),
        "unique_protocols": len(set(protocols)) == len(protocols),
        "sequential": seqs == list(range(1, len(seqs) + 1)),
        "spreadsheets": sheets,
        "ok": len(filed) == expected == sheets,
    }


def run(work: Path, requests: int = 50, threads: int = 50, per_thread: int = 4) -> dict:
    """Both measurements (the section's results)."""
    return {
        "sequential": sequential(work, requests),
        "concurrent": concurrent(work, threads, per_thread),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--threads", type=int, default=50)
    parser.add_argument("--per-thread", type=int, default=4)
    args = parser.parse_args(argv)
    print(json.dumps(run(args.work, args.requests, args.threads, args.per_thread), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
