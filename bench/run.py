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
   ``openloop``: (a) and (b) under Poisson arrivals on a rate ladder up to
   saturation (``bench.openloop``), on the development profile (SQLite, one
   Rasa) and the production one (2 replicas, PostgreSQL + Redis), interleaved;
4. ``memory``: 10,000 turns on (a), RSS of both servers every 200 turns;
   ``abuso``: one abuser at 50 msg/s beside 10 normal users at 1 msg/s,
   through the web gateway's limits, with and without it (``bench.abuso``);
   ``perfil``: the Rasa server's CPU per turn by step, from py-spy samples
   under load (``bench.perfil_turno``);
5. ``filing``: request submission, sequential and 50 threads, on SQLite;
6. ``levers``: the tuning experiments of ``bench.levers``;
7. ``painel``, ``planilha``, ``avisos``, ``sei``: the NTS panel, planilha
   checks, notices and SEI filing scripts of ``bench/``.

Everything listens on 127.0.0.1 only and every run has a bounded number of
requests. Progress goes to stderr.

Model (b) comes from the quality section's results (``<out>/quality.json``);
when they are missing (a section run alone on a fresh clone) it is trained
once for the run, or ``--model-b`` names one.

Usage: python -m bench.run [--out results/bench] [--doc docs/BENCHMARKS.md]
           [--only start,quality,...] [--skip levers] [--soak-turns 10000]
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import filing, levers, openloop, quality, report
from bench.common import (
    DEFAULT_RESULTS,
    MODEL,
    PORT_BASE,
    ROOT,
    cpu_by_name,
    load_json,
    loadavg,
    machine_info,
    save_json,
    say,
)
from bench.load import load
from bench.memory import soak
from bench.servers import BotServers, scratch_database

SECTIONS = (
    "start",
    "quality",
    "latency",
    "openloop",
    "memory",
    "abuso",
    "perfil",
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
OPENLOOP_PROFILES = ("desenvolvimento", "producao")


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
    """Model (b) from the quality section, trained here if missing (into
    ``work``, created when a section runs alone on a fresh clone)."""
    data = load_json(out_dir / "quality.json") or {}
    path = Path(((data.get("data") or {}).get("default") or {}).get("model") or "")
    if path.is_file():
        return path
    say("modelo (b) ausente: treinando com a configuração padrão do Rasa")
    work.mkdir(parents=True, exist_ok=True)
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


def _warm(srv: BotServers, label: str) -> None:
    """The closed-loop warm-up before measuring, on every replica."""
    for url in srv.urls:
        load(url, 4, WARMUP_TURNS, seed=3, sender_prefix="warm", label=label, record=False)


def section_latency(work: Path, model_b: Path, scale: float = 1.0) -> dict[str, Any]:
    """(a) and (b) side by side at each concurrency, interleaved."""
    models = {"ours": MODEL, "default": model_b}
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
            _warm(srv, f"{key}: aquecimento")
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


def _production_env(stack: contextlib.ExitStack, key: str) -> dict[str, str]:
    """The production profile of one model: its own throw-away PostgreSQL
    database (trackers and requests) and the levers' Redis database and prefix
    (locks; cleaned when ``stack`` closes)."""
    pg_url = stack.enter_context(scratch_database(name=key))
    return {
        "SEI_PERFIL": "producao",
        "SEI_POSTGRES_URL": pg_url,
        "SEI_REDIS_URL": f"redis://{levers.REDIS_URL_HOST}:{levers.REDIS_PORT}/{levers.REDIS_DB}",
        "SEI_REDIS_PREFIX": levers._redis_prefix(),
    }


# the servers (a) and (b) share on the production profile; one ladder step runs at a time
SHARED_PROCESSES = ("postgres", "redis-server")


def _openloop_size(scale: float) -> tuple[float, int]:
    """Seconds and minimum messages of each ladder step at ``--scale``."""
    return openloop.DURATION_S * scale, max(10, round(openloop.MIN_MESSAGES * scale))


def _openloop_profile(
    profile: str, work: Path, models: dict[str, Path], port: int, scale: float
) -> dict[str, Any]:
    """The ladders of (a) and (b), served at once, on one profile."""
    out: dict[str, Any] = {"configs": {}}
    with contextlib.ExitStack() as stack:
        envs: dict[str, dict[str, str]] = {}
        if profile == "producao":
            stack.callback(levers._redis_cleanup)
            envs = {key: _production_env(stack, key) for key in models}
        servers = {
            key: BotServers(
                path, work, port + 10 * i, port + 10 * i + 50, name=key, env=envs.get(key)
            )
            for i, (key, path) in enumerate(models.items())
        }
        for key, srv in servers.items():
            say(f"malha aberta ({profile}): iniciando {key} ({srv.model.name})")
            stack.enter_context(srv)
            out["configs"][key] = {
                "replicas": len(srv.urls),
                "start_s": round(srv.start_s, 2),
                "rss_idle": srv.rss(),
            }
            _warm(srv, f"{key} ({profile}): aquecimento")
        duration_s, min_messages = _openloop_size(scale)
        ladders = openloop.ladder(
            {key: srv.urls for key, srv in servers.items()},
            duration_s=duration_s,
            min_messages=min_messages,
            after_step=lambda key: servers[key].settle(),
            cpu=lambda key: {**servers[key].cpu(), **cpu_by_name(SHARED_PROCESSES)},
        )
        for key, srv in servers.items():
            out["configs"][key].update(ladders[key], rss_after=srv.rss())
    return out


def section_openloop(
    work: Path, model_b: Path, scale: float = 1.0, profiles: tuple[str, ...] = OPENLOOP_PROFILES
) -> dict[str, Any]:
    """Open-loop capacity of (a) and (b) on each profile (``bench.openloop``).
    A profile that cannot run (no PostgreSQL/Redis for production) records its
    error; the others are still measured."""
    models = {"ours": MODEL, "default": model_b}
    out: dict[str, Any] = {
        "models": {k: str(v) for k, v in models.items()},
        "method": openloop.method(*_openloop_size(scale)),
        "profiles": {},
    }
    for i, profile in enumerate(profiles):
        started = time.perf_counter()
        try:
            data = _openloop_profile(
                profile, work / profile, models, PORT_BASE + 400 + 20 * i, scale
            )
        except Exception as err:
            say(f"malha aberta ({profile}) falhou: {err}"[:2000])
            data = {"error": f"{type(err).__name__}: {err}"[:2000]}
        data["elapsed_s"] = round(time.perf_counter() - started, 1)
        out["profiles"][profile] = data
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


def _abuso(work: Path) -> dict[str, Any]:
    """One abuser at 50 msg/s beside 10 normal users, through the web gateway."""
    from bench import abuso

    return abuso.medir(work, PORT_BASE + 500)


def _perfil(work: Path) -> dict[str, Any]:
    """Where the Rasa server's CPU goes in a turn (py-spy under load)."""
    from bench import perfil_turno

    return perfil_turno.medir(work, PORT_BASE + 600)


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
    parser.add_argument(
        "--model-b",
        type=Path,
        help="modelo (b) já treinado (padrão: o da seção quality em --out, ou treinado uma vez)",
    )
    parser.add_argument(
        "--openloop-profiles",
        default=",".join(OPENLOOP_PROFILES),
        help="perfis da seção openloop (desenvolvimento,producao)",
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
    # read after the quality section (if chosen) ran; trained at most once per run
    model_b = functools.cache(lambda: args.model_b or _model_b(args.work / "quality", args.out))
    runners: dict[str, Callable[[], object]] = {
        "start": lambda: section_start(args.work, args.start_runs),
        "quality": lambda: quality.run(args.work / "quality"),
        "latency": lambda: section_latency(args.work, model_b(), args.scale),
        "openloop": lambda: section_openloop(
            args.work / "openloop",
            model_b(),
            args.scale,
            tuple(p for p in args.openloop_profiles.split(",") if p),
        ),
        "memory": lambda: section_memory(args.work, args.soak_turns, max(1, args.soak_turns // 50)),
        "abuso": lambda: _abuso(args.work / "abuso"),
        "perfil": lambda: _perfil(args.work / "perfil"),
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
