"""Time from starting the assistant (what `make run` launches, with a
trained model present) to the first answered message, and the RSS of the
Rasa and action-server processes right after it.

Usage: .venv/bin/python bench/first_answer.py [--runs N]
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PORT, ACTIONS_PORT = 16005, 16055


def children(pid: int) -> list:
    """All descendant pids of ``pid`` (from /proc)."""
    kids = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError):
                continue
            kids.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [pid]
    while todo:
        for kid in kids.get(todo.pop(), []):
            out.append(kid)
            todo.append(kid)
    return out


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cmdline(pid: int) -> str:
    return Path(f"/proc/{pid}/cmdline").read_text().replace("\0", " ")


def ask(text: str) -> list:
    req = urllib.request.Request(
        f"http://127.0.0.1:{PORT}/webhooks/rest/webhook",
        data=json.dumps({"sender": "bench", "message": text}).encode(),
        headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.loads(resp.read())


def one_run() -> dict:
    env = dict(os.environ, SEI_RASA_PORT=str(PORT), SEI_ACTIONS_PORT=str(ACTIONS_PORT))
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "bot.launcher"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            try:
                if ask("esqueci minha senha"):
                    break
            except OSError:
                time.sleep(0.2)
            if time.perf_counter() - started > 300:
                raise RuntimeError("sem resposta em 300 s")
        elapsed = time.perf_counter() - started
        rss = {"rasa": 0.0, "acoes": 0.0}
        for pid in children(proc.pid):
            line = cmdline(pid)
            if "run actions" in line:
                rss["acoes"] = max(rss["acoes"], rss_mb(pid))
            elif " run " in line:
                rss["rasa"] = max(rss["rasa"], rss_mb(pid))
        return {"primeira_resposta_s": round(elapsed, 1),
                "rss_rasa_mb": round(rss["rasa"]), "rss_acoes_mb": round(rss["acoes"])}
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=60)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    for i in range(args.runs):
        print(json.dumps(one_run()), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
