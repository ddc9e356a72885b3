"""Time from starting the assistant (what `make run` launches, with a
trained model present) to the first answered message, and the RSS of the
Rasa and action-server processes right after it.

Each run gets its own temporary ``var/`` folder and ports (the web gateway
too), so a running ``make run`` or test session does not interfere.

Usage: .venv/bin/python -m bench.first_answer [--runs N]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bench.common import ROOT, descendants, rss_mb
from bench.servers import port_free

PORT, ACTIONS_PORT, WEB_PORT = 16005, 16055, 16080


def cmdline(pid: int) -> str:
    return Path(f"/proc/{pid}/cmdline").read_text().replace("\0", " ")


def ask(text: str) -> list:
    resp = httpx.post(
        f"http://127.0.0.1:{PORT}/webhooks/rest/webhook",
        json={"sender": "bench", "message": text},
        timeout=30,
    )
    resp.raise_for_status()
    return resp.json()


def one_run() -> dict:
    busy = [p for p in (PORT, ACTIONS_PORT, WEB_PORT) if not port_free(p)]
    if busy:  # a stale server would answer first and fake the timing
        raise RuntimeError(f"porta(s) {busy} já em uso em 127.0.0.1")
    var_dir = tempfile.mkdtemp(prefix="sei-first-answer-")
    env = dict(
        os.environ,
        SEI_RASA_PORT=str(PORT),
        SEI_ACTIONS_PORT=str(ACTIONS_PORT),
        SEI_WEB_PORT=str(WEB_PORT),
        SEI_VAR_DIR=var_dir,
    )
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.ops.launcher"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while True:
            try:
                if ask("esqueci minha senha"):
                    break
            except httpx.HTTPError:  # not listening yet, or not ready to answer
                time.sleep(0.2)
            if time.perf_counter() - started > 300:
                raise RuntimeError("sem resposta em 300 s")
        elapsed = time.perf_counter() - started
        rss = {"rasa": 0.0, "acoes": 0.0}
        for pid in descendants(proc.pid):  # children started through bot.ops.processos
            line = cmdline(pid)
            if "bot.ops.processos acoes" in line:
                rss["acoes"] = max(rss["acoes"], rss_mb(pid))
            elif "bot.ops.processos rasa" in line:
                rss["rasa"] = max(rss["rasa"], rss_mb(pid))
        return {
            "primeira_resposta_s": round(elapsed, 1),
            "rss_rasa_mb": round(rss["rasa"]),
            "rss_acoes_mb": round(rss["acoes"]),
        }
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=60)
        shutil.rmtree(var_dir, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    for _ in range(args.runs):
        print(json.dumps(one_run()), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
