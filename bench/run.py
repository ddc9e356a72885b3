"""``make bench``: every measurement in one run, then docs/BENCHMARKS.md.

Sections, in order (each one's results go to ``<out>/<section>.json`` as
soon as it ends, so a failed run keeps what it measured and ``--only``
re-runs a part; the report always shows each section's own date/commit):

1. ``start``: time from ``python -m bot.ops.launcher`` to the first answer
   (``bench/first_answer.py``), 3 runs, nothing else running;
2. ``quality``: full ``rasa train`` of (a) ours and (b) Rasa's default
   configuration from an empty cache, held-out accuracy/macro-F1 of both and
   of the TF-IDF baseline (c);
3. ``latency``: (a) and (b) served side by side (same launcher commands and
   action server), 1, 10 and 50 concurrent conversations, interleaved;
4. ``memory``: 10,000 turns on (a), RSS of both servers every 200 turns;
5. ``filing``: request submission, sequential and 50 threads, on SQLite;
6. ``levers``: the tuning experiments of ``bench.levers``.

Everything listens on 127.0.0.1 only and every run has a bounded number of
requests. Progress goes to stderr.

Usage: python -m bench.run [--out results/bench] [--doc docs/BENCHMARKS.md]
           [--only start,quality,...] [--skip levers] [--soak-turns 10000]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import filing, levers, quality, report
from bench.common import (
    DEFAULT_RESULTS,
    MODEL,
    PORT_BASE,
    ROOT,
    load_json,
    loadavg,
    machine_info,
    save_json,
    say,
)
from bench.load import load
from bench.memory import soak
from bench.servers import BotServers

SECTIONS = (
    "start",
    "quality",
    "latency",
    "memory",
    "filing",
    "levers",
    "painel",
    "planilha",
    "avisos",
    "sei",
)
CONCURRENCY = (1, 10, 50)
TURNS = {1: 200, 10: 600, 50: 1000}  # messages per concurrency level and model
WARMUP_TURNS = 40


def section_start(work: Path, runs: int = 3) -> dict[str, Any]:
    """Cold start to the first answer, through the real launcher."""
    from bench import first_answer

    out = []
    for i in range(runs):
        say(f"partida {i + 1}/{runs}: launcher até a primeira resposta")
        out.append(first_answer.one_run())
        say(f"  {out[-1]}")
    return {"runs": out}


def _model_b(work: Path, out_dir: Path) -> Path:
    """Model (b) from the quality section, trained here if missing."""
    data = load_json(out_dir / "quality.json") or {}
    path = Path(((data.get("data") or {}).get("default") or {}).get("model") or "")
    if path.is_file():
        return path
    say("modelo (b) ausente: treinando com a configuração padrão do Rasa")
    return Path(
        quality.train(quality.default_config(work), work / "models", "default", label="default")[
            "model"
        ]
    )


def _keep_model_b(out_dir: Path, work: Path):
    """Model (b) of the previous quality section, copied out of its folder."""
    previous = load_json(out_dir / "quality.json") or {}
    b = (previous.get("data") or {}).get("default") or {}
    if not b.get("model") or not Path(b["model"]).is_file():
        say("--reuse-b: modelo (b) anterior ausente; será treinado")
        return None
    keep = work / "model-b.tar.gz"
    if Path(b["model"]).resolve() != keep.resolve():
        shutil.copy(b["model"], keep)
    when = b.get("train_measured_at") or (previous.get("meta") or {}).get("date")
    return {**b, "model": str(keep), "measured_at": when}


def section_latency(work: Path, out_dir: Path, scale: float = 1.0) -> dict[str, Any]:
    """(a) and (b) side by side at each concurrency, interleaved."""
    models = {"ours": MODEL, "default": _model_b(work / "quality", out_dir)}
    servers = {
        key: BotServers(
            path, work / "latency", PORT_BASE + 10 * i, PORT_BASE + 10 * i + 50, name=key
        )
        for i, (key, path) in enumerate(models.items())
    }
    out: dict[str, Any] = {
        "models": {k: str(v) for k, v in models.items()},
        "runs": {k: {} for k in models},
    }
    try:
        for key, srv in servers.items():
            say(f"iniciando servidores de {key} ({srv.model.name})")
            srv.start()
            out["runs"][key]["_start"] = {"start_s": round(srv.start_s, 2), "rss_idle": srv.rss()}
            load(
                srv.url,
                4,
                WARMUP_TURNS,
                seed=3,
                sender_prefix="warm",
                label=f"{key}: aquecimento",
                record=False,
            )
        for n, c in enumerate(CONCURRENCY):
            order = list(servers) if n % 2 == 0 else list(reversed(list(servers)))
            for key in order:
                srv = servers[key]
                turns = max(c * 4, int(TURNS[c] * scale))
                before = srv.cpu()
                result = load(
                    srv.url,
                    c,
                    turns,
                    seed=100 + c,
                    sender_prefix=f"{key}-c{c}",
                    label=f"{key} c={c}",
                ).summary()
                after = srv.cpu()
                result["cpu_s_per_msg"] = {
                    k: round((after[k] - before[k]) / max(1, result["turns"]), 4) for k in after
                }
                result["rss_after"] = srv.rss()
                result["loadavg"] = loadavg()
                out["runs"][key][str(c)] = result
    finally:
        for srv in servers.values():
            srv.stop()
    return out


def section_memory(work: Path, turns: int = 10_000, every: int = 200) -> dict[str, Any]:
    """RSS of both servers of (a) over ``turns`` messages."""
    srv = BotServers(MODEL, work / "memory", PORT_BASE + 100, PORT_BASE + 150, name="soak")
    with srv:
        load(
            srv.url,
            4,
            WARMUP_TURNS,
            seed=3,
            sender_prefix="warm",
            label="memória: aquecimento",
            record=False,
        )
        return {"start_s": round(srv.start_s, 2), **soak(srv, turns, 10, every)}


def _painel(work: Path) -> dict[str, Any]:
    """The NTS panel with 100,000 requests and 1,000,000 conversation events."""
    from bench import painel

    return painel.medir(work)


def _planilha() -> dict[str, Any]:
    """A 500-row planilha checked row by row, and the hostile files refused."""
    from bench import planilha

    return planilha.measure()


def _avisos(work: Path) -> dict[str, Any]:
    """1,000 status changes delivered to a local SMTP server."""
    from bench import notificacoes

    return notificacoes.medir(work, 1000, None, PORT_BASE + 190)


def _sei(work: Path) -> dict[str, Any]:
    """Confirmation turn with and without SEI; time from confirmation to SEI number."""
    from bench import sei

    return sei.medir(work, 50, PORT_BASE + 195)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_RESULTS)
    parser.add_argument("--doc", type=Path, default=ROOT / "docs" / "BENCHMARKS.md")
    parser.add_argument("--img", type=Path, default=ROOT / "docs" / "img")
    parser.add_argument("--work", type=Path, default=Path("/tmp/sei-bench-run"))
    parser.add_argument("--only", default="", help="seções separadas por vírgula")
    parser.add_argument("--skip", default="", help="seções a pular")
    parser.add_argument("--soak-turns", type=int, default=10_000)
    parser.add_argument("--start-runs", type=int, default=3)
    parser.add_argument("--lever-turns", type=int, default=1000)
    parser.add_argument(
        "--levers",
        default="",
        help="só estas alavancas (chaves separadas por vírgula; padrão: todas)",
    )
    parser.add_argument(
        "--reuse-b",
        action="store_true",
        help="reaproveita o modelo (b) e seu tempo de treino da rodada anterior",
    )
    parser.add_argument(
        "--scale", type=float, default=1.0, help="fração das mensagens de carga (depuração)"
    )
    args = parser.parse_args(argv)
    chosen: list[str] = [
        s
        for s in (args.only.split(",") if args.only else SECTIONS)
        if s and s not in args.skip.split(",")
    ]
    unknown = set(chosen) - set(SECTIONS)
    if unknown:
        parser.error(f"seções desconhecidas: {sorted(unknown)}")
    if not MODEL.exists():
        print(f"modelo ausente: {MODEL} (rode 'make train')", file=sys.stderr)
        return 1
    args.work.mkdir(parents=True, exist_ok=True)
    runners: dict[str, Callable[[], object]] = {
        "start": lambda: section_start(args.work, args.start_runs),
        "quality": lambda: quality.run(args.work / "quality"),
        "latency": lambda: section_latency(args.work, args.out, args.scale),
        "memory": lambda: section_memory(args.work, args.soak_turns, max(1, args.soak_turns // 50)),
        "filing": lambda: filing.run(args.work / "filing"),
        "painel": lambda: _painel(args.work / "painel"),
        "planilha": _planilha,
        "avisos": lambda: _avisos(args.work / "avisos"),
        "sei": lambda: _sei(args.work / "sei"),
        "levers": lambda: levers.run(
            args.work / "levers", args.lever_turns, [x for x in args.levers.split(",") if x] or None
        ),
    }
    reuse_b = _keep_model_b(args.out, args.work) if args.reuse_b and "quality" in chosen else None
    runners["quality"] = lambda: quality.run(args.work / "quality", reuse_default=reuse_b)
    failed = []
    for i, name in enumerate(chosen, 1):
        say(f"=== seção {i}/{len(chosen)}: {name} ===")
        shutil.rmtree(args.work / name, ignore_errors=True)  # this section's leftovers only
        meta = machine_info()
        started = time.perf_counter()
        try:
            data = runners[name]()
        except Exception as err:
            say(f"seção {name} falhou: {err}"[:3000])
            failed.append(name)
            data = {"error": f"{type(err).__name__}: {err}"[:3000]}
        meta["elapsed_s"] = round(time.perf_counter() - started, 1)
        meta["loadavg_after"] = loadavg()
        save_json(args.out / f"{name}.json", {"meta": meta, "data": data})
    path = report.write(args.out, args.doc, args.img)
    say(f"relatório: {path}")
    if failed:
        say(f"seções com falha: {', '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
