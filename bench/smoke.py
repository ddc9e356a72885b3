"""``make bench-smoke``: the benchmark harness end to end in a few seconds.

Against a running assistant (``--url``, e.g. what ``make run`` serves) or
servers it starts itself (the trained ``models/sei.tar.gz``), it runs tiny
versions of every measurement: one whole registration conversation and a
mixed load at 1 and 5 concurrent conversations, an open-loop ladder of two
short steps (5 and 10 msg/s), an RSS soak of a few dozen
turns, the filing path with a handful of requests and threads, the TF-IDF
baseline, then the report and its plots, all into a temporary folder (never
docs/). It also checks that every tuning lever of ``bench.levers`` still
applies to the code and configuration (without training or serving).

It checks that the harness works and its numbers are sane (every message
answered, latencies positive and finite, a protocol received, RSS read,
protocols unique, report and plots written), never performance targets, so
pass/fail does not depend on how busy the machine is.

Usage: python -m bench.smoke [--url http://127.0.0.1:5005/webhooks/rest/webhook] [--keep]
"""

from __future__ import annotations

import argparse
import math
import shutil
import sys
import tempfile
import time
from pathlib import Path

from bench import filing, levers, openloop, quality, report
from bench.common import MODEL, PORT_BASE, machine_info, save_json, say
from bench.load import load
from bench.memory import soak
from bench.servers import BotServers, free_ports


class _Remote:
    """A server somebody else started: URL only, no process to read."""

    def __init__(self, url: str) -> None:
        self.url = url

    def pids(self) -> dict:
        return {}


def _sane_load(name: str, summary: dict, turns: int, problems: list[str]) -> None:
    lat = summary["latency_ms"]
    if summary["errors"] or summary["empty_replies"]:
        problems.append(
            f"{name}: {summary['errors']} erros, {summary['empty_replies']} "
            f"respostas vazias: {summary['error_samples']}"
        )
    if summary["turns"] != turns:
        problems.append(f"{name}: {summary['turns']} mensagens respondidas de {turns}")
    values = [lat[k] for k in ("p50", "p95", "p99", "max")]
    if (
        not all(math.isfinite(v) and v > 0 for v in values)
        or not lat["p50"] <= lat["p99"] <= lat["max"]
    ):
        problems.append(f"{name}: percentis sem sentido: {lat}")
    if not summary["throughput_msg_s"] > 0:
        problems.append(f"{name}: vazão {summary['throughput_msg_s']}")


OPEN_RATES = (5, 10)
OPEN_MESSAGES = 15


def _sane_open(name: str, data: dict, problems: list[str]) -> None:
    """Every open-loop step answered, on schedule-based latencies that make sense."""
    steps = data.get("steps") or []
    # a step failing p99 on a busy machine ends the ladder early: not a harness fault
    if not steps or len(steps) > len(OPEN_RATES):
        problems.append(f"{name}: {len(steps)} degraus")
    for s in steps:
        lat, where = s["latency_ms"], f"{name} {s['rate_msg_s']:g} msg/s"
        if s["answered"] != s["messages"] or s["errors"] or s["timeouts"] or s["empty_replies"]:
            problems.append(
                f"{where}: {s['answered']}/{s['messages']} respondidas, {s['errors']} erros, "
                f"{s['timeouts']} sem resposta, {s['empty_replies']} vazias: {s['error_samples']}"
            )
        values = [lat[k] for k in ("p50", "p99", "max")]
        if not all(math.isfinite(v) and v > 0 for v in values) or values != sorted(values):
            problems.append(f"{where}: percentis sem sentido: {lat}")
        if not s["achieved_msg_s"] > 0 or not math.isfinite(s["lateness_ms"]["max"]):
            problems.append(f"{where}: vazão {s['achieved_msg_s']}, atraso {s['lateness_ms']}")
    if data.get("capacity_msg_s") != openloop.capacity(steps):
        problems.append(f"{name}: capacidade {data.get('capacity_msg_s')} incoerente")


def run(url: str | None, out: Path) -> list[str]:
    """Every mini measurement; the problems found (empty: pass)."""
    problems: list[str] = levers.check(out / "levers")  # no servers: before the timing
    results = out / "results"
    own = None
    servers: _Remote | BotServers
    if url:
        servers = _Remote(url)
        say(f"usando o servidor em {url}")
    else:
        own = BotServers(MODEL, out, *free_ports(PORT_BASE + 300), name="smoke")
        say("iniciando Rasa + servidor de ações (não conta no tempo do smoke)")
        own.start()
        servers = own
    started = time.perf_counter()
    try:
        meta = machine_info()
        # 1. one whole registration, then one of each other kind
        single = load(
            servers.url,
            1,
            16,
            seed=1,
            sender_prefix="smoke1",
            kinds=["cadastro", "faq", "fallback"],
            label="smoke c=1",
        ).summary()
        _sane_load("c=1", single, 16, problems)
        if single["protocols"] < 1:
            problems.append(f"c=1: o cadastro completo não recebeu protocolo ({single})")
        if single["missing_buttons"]:
            problems.append("c=1: botão 'Preencher agora' não encontrado na resposta")
        mixed = load(
            servers.url, 5, 40, seed=2, sender_prefix="smoke5", label="smoke c=5"
        ).summary()
        _sane_load("c=5", mixed, 40, problems)
        latency = {
            "models": {"ours": str(MODEL)},
            "runs": {
                "ours": {
                    "_start": {
                        "start_s": getattr(own, "start_s", None),
                        "rss_idle": own.rss() if own else {},
                    },
                    "1": single,
                    "5": mixed,
                }
            },
        }
        # 2. open loop: two short Poisson steps (the verdicts are not checked)
        urls = own.urls if own else [servers.url]
        ladder = openloop.ladder(
            {"ours": urls},
            rates=OPEN_RATES,
            max_steps=len(OPEN_RATES),
            refine=0,
            min_messages=OPEN_MESSAGES,
            duration_s=0,
            seed=4,
            stop_early=False,  # every message answered, whatever the verdict
        )["ours"]
        _sane_open("malha aberta", ladder, problems)
        open_loop = {
            "models": {"ours": str(MODEL)},
            "method": openloop.method(0, OPEN_MESSAGES, len(OPEN_RATES)),
            "profiles": {"desenvolvimento": {"configs": {"ours": {"replicas": 1, **ladder}}}},
        }
        # 3. RSS over a few turns (own servers only: a remote one has no pid here)
        memory = {}
        if own:
            memory = soak(own, 30, 3, 10, label="smoke memória")
            if not all(v > 50 for v in memory["final"].values()) or len(memory["at"]) < 3:
                problems.append(f"memória: leituras de RSS sem sentido: {memory['rss']}")
            _sane_load("memória", memory["load"], 30, problems)
        # 4. filing path
        fil = filing.run(out / "filing", requests=5, threads=5, per_thread=2)
        for key in ("sequential", "concurrent"):
            if not fil[key]["ok"] or not fil[key]["unique_protocols"] or not fil[key]["sequential"]:
                problems.append(f"registro ({key}): {fil[key]}")
        if fil["concurrent"]["errors"]:
            problems.append(f"registro: erros com threads: {fil['concurrent']['error_samples']}")
        # 5. quality: the baseline only (training Rasa models is for `make bench`)
        base = quality.evaluate_baseline()
        if not 0.5 < base["accuracy"] <= 1:
            problems.append(f"baseline: acurácia {base['accuracy']}")
        for name, data in (
            ("latency", latency),
            ("openloop", open_loop),
            ("memory", memory),
            ("filing", fil),
            ("quality", {"baseline": base}),
        ):
            save_json(results / f"{name}.json", {"meta": meta, "data": data})
        # 6. report and plots
        doc = report.write(results, out / "BENCHMARKS.md", out / "img")
        text = doc.read_text(encoding="utf-8")
        if "## Metas" not in text or "## Latência" not in text or "## Malha aberta" not in text:
            problems.append("relatório incompleto")
        pngs = [p for p in (out / "img").glob("bench-*.png") if p.stat().st_size > 1000]
        expected = 3 if own else 2
        if len(pngs) < expected:
            problems.append(f"gráficos: {len(pngs)} de {expected}")
        elapsed = time.perf_counter() - started
        say(
            f"smoke: {elapsed:.1f} s (sem a partida dos servidores); c=1 p50 "
            f"{single['latency_ms']['p50']:.0f} ms, c=5 {mixed['throughput_msg_s']:.1f} msg/s, "
            f"malha aberta p99 {ladder['steps'][-1]['latency_ms']['p99']:.0f} ms a "
            f"{ladder['steps'][-1]['rate_msg_s']:g} msg/s, "
            f"registro p50 {fil['sequential']['submit_ms']['p50']:.0f} ms; relatório {doc}"
        )
    finally:
        if own:
            own.stop()
    return problems


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", help="canal REST de um assistente já no ar")
    parser.add_argument("--keep", action="store_true", help="não apagar a pasta temporária")
    args = parser.parse_args(argv)
    if not args.url and not MODEL.exists():
        print(f"modelo ausente: {MODEL} (rode 'make train')", file=sys.stderr)
        return 1
    out = Path(tempfile.mkdtemp(prefix="sei-bench-smoke-"))
    try:
        problems = run(args.url, out)
    except Exception as err:
        problems = [f"{type(err).__name__}: {err}"]
    if problems:
        print("BENCH-SMOKE REPROVADO:\n  " + "\n  ".join(problems), file=sys.stderr)
        print(f"(pasta mantida: {out})", file=sys.stderr)
        return 1
    print(f"BENCH-SMOKE OK{f' (pasta: {out})' if args.keep else ''}")
    if not args.keep:
        shutil.rmtree(out, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
