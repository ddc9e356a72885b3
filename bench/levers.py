"""Tuning levers, each measured against the current setup without touching
the project: environment and endpoint changes are passed to the benchmark
servers only, configuration and code changes are made in a temporary copy
of the project (``/tmp/sei-bench-<lever>``, rsync without ``.venv``) that
runs with this venv's Python.

Every served lever gets the same treatment: start (time to the first
answer; action server health), RSS at idle, a warm-up, then a short soak at
10 concurrent conversations (latency, throughput, RSS trend); the levers
about workers also run at 50. Levers that change the NLU pipeline are
trained from an empty cache and evaluated on the held-out set. The current
setup (``base``) is measured first and again last, so the spread of the two
shows how noisy the machine was.

Usage: python -m bench.levers --work /tmp/x [--only base,threads-1] [--turns 1000]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bench import quality
from bench.common import MODEL, PORT_BASE, ROOT, loadavg, say
from bench.load import load
from bench.memory import soak
from bench.servers import BotServers, launcher_view

REDIS_URL_HOST = os.environ.get("BENCH_REDIS_HOST", "127.0.0.1")
REDIS_PORT = int(os.environ.get("BENCH_REDIS_PORT", "6379"))
REDIS_DB = int(os.environ.get("BENCH_REDIS_DB", "13"))
COPY_EXCLUDES = (
    ".venv/",
    ".git/",
    "models/",
    "results/",
    "var/",
    ".rasa/",
    ".hypothesis/",
    ".pytest_cache/",
    "__pycache__/",
    "*.egg-info/",
)
THREAD_VARS = (
    "TF_NUM_INTRAOP_THREADS",
    "TF_NUM_INTEROP_THREADS",
    "TF_INTRA_OP_PARALLELISM_THREADS",
    "TF_INTER_OP_PARALLELISM_THREADS",
    "OMP_NUM_THREADS",
)


def _threads(n: int) -> dict[str, str]:
    return {var: str(n) for var in THREAD_VARS}


def _redis_prefix() -> str:
    return f"seibench{os.getpid()}"


def _redis_endpoints(_work: Path, _base: dict) -> dict[str, Any] | None:
    common = {
        "type": "redis",
        "url": REDIS_URL_HOST,
        "port": REDIS_PORT,
        "db": REDIS_DB,
        "key_prefix": _redis_prefix(),
    }
    return {"lock_store": dict(common), "tracker_store": dict(common, record_exp=3600)}


def _tracker_type(base: dict) -> str:
    return str((base.get("tracker_store") or {}).get("type") or "in_memory").lower()


def _sql_tracker(work: Path, base: dict) -> dict[str, Any] | None:
    """SQL tracker store on SQLite (None: the current setup already uses it)."""
    if _tracker_type(base) == "sql":
        return None
    return {"tracker_store": {"type": "SQL", "dialect": "sqlite", "db": str(work / "trackers.db")}}


def _memory_tracker(_work: Path, base: dict) -> dict[str, Any] | None:
    """Rasa's InMemoryTrackerStore (None: the current setup already uses it)."""
    if _tracker_type(base) == "in_memory":
        return None
    return {"tracker_store": None}


def _actions_not_by_rasa_cli(commands: dict[str, list]) -> bool:
    """True when the launcher already starts the action server without `rasa run actions`."""
    cmd = [Path(str(c)).name for c in commands.get("acoes", [])]
    return not (len(cmd) >= 3 and cmd[0] == "rasa" and cmd[1:3] == ["run", "actions"])


def _pipeline_without(names, replace=None):
    """A config edit: drop components by name, rename others."""

    def edit(cfg: dict) -> dict | None:
        pipeline = cfg.get("pipeline") or []
        if not any(c.get("name") in names or c.get("name") in (replace or {}) for c in pipeline):
            return None  # nothing to change: already applied
        out = []
        for comp in pipeline:
            name = comp.get("name")
            if name in names:
                continue
            out.append({"name": replace[name]} if replace and name in replace else comp)
        cfg["pipeline"] = out
        return cfg

    return edit


class LeverOutdated(RuntimeError):
    """A lever no longer matches the code or configuration it edits: update the lever."""


def _diet_options(**options):
    """A config edit: set DIET options (None when already set)."""

    def edit(cfg: dict) -> dict | None:
        for comp in cfg.get("pipeline") or []:
            if comp.get("name") == "DIETClassifier":
                if all(comp.get(k) == v for k, v in options.items()):
                    return None
                comp.update(options)
                return cfg
        raise LeverOutdated("config.yml sem DIETClassifier: a alavanca não se aplica")

    return edit


LAZY_PLANILHAS = '''
class _LazyModule:
    """Imports the module on first attribute access (bench lever)."""

    def __init__(self, name):
        self._name = name

    def __getattr__(self, attr):
        import importlib
        return getattr(importlib.import_module(self._name), attr)


planilhas = _LazyModule("bot.solicitacoes.planilhas")
'''
LAZY_STORE = """
def RequestStore(*args, **kwargs):  # noqa: N802 - stands in for the class
    from bot.solicitacoes.store import RequestStore as _RequestStore
    return _RequestStore(*args, **kwargs)
"""
# the lines of bot/solicitacoes/servicos.py the lever replaces, and by what
LAZY_SERVICOS = {
    "from bot.solicitacoes import cota, planilhas": "from bot.solicitacoes import cota\n"
    + LAZY_PLANILHAS,
    "from bot.solicitacoes.store import RequestStore": LAZY_STORE,
}


def _literal(text: str) -> Callable[[re.Match[str]], str]:
    """A re.sub replacement that inserts ``text`` as is (no backslash escapes)."""
    return lambda _match: text


def _replace_lines(path: Path, replacements: dict[str, str]) -> None:
    """Replace each whole line in ``path``; LeverOutdated unless each occurs exactly once."""
    if not path.is_file():
        raise LeverOutdated(f"{path} não existe: atualize bench/levers.py")
    text = path.read_text(encoding="utf-8")
    for line, new in replacements.items():
        text, count = re.subn(rf"^{re.escape(line)}$", _literal(new), text, flags=re.M)
        if count != 1:
            raise LeverOutdated(
                f"{path}: a linha {line!r} aparece {count} vez(es), esperada 1: "
                "atualize bench/levers.py"
            )
    compile(text, str(path), "exec")  # the patched module still parses
    path.write_text(text, encoding="utf-8")


def _lazy_servicos(copy: Path) -> None:
    """In the copy: bot.solicitacoes.servicos imports openpyxl/SQLAlchemy on first use."""
    _replace_lines(copy / "bot" / "solicitacoes" / "servicos.py", LAZY_SERVICOS)


@dataclass
class Lever:
    """One experiment; ``title`` is shown in the report."""

    key: str
    title: str
    env: dict[str, str] = field(default_factory=dict)
    # (work dir, endpoints the launcher renders) -> sections to replace, None: n/a
    endpoints: Callable[[Path, dict], dict[str, Any] | None] | None = None
    config_edit: Callable[[dict], dict | None] | None = None
    code_patch: Callable[[Path], None] | None = None  # edits the copy; LeverOutdated
    actions_cmd: list[str] | None = None
    # launcher commands -> True when the lever is already what the launcher does
    applied: Callable[[dict[str, list]], bool] | None = None
    serve: bool = True
    train: bool = False  # also time a full `rasa train` of config.yml with ``env``
    concurrency: tuple = (10,)


PY = sys.executable
LEVERS: list[Lever] = [
    Lever("base", "configuração atual (referência, início)", concurrency=(10, 50), train=True),
    Lever(
        "threads-1",
        "TensorFlow/OpenMP com 1 thread (TF_NUM_*/TF_*_PARALLELISM_THREADS, OMP_NUM_THREADS=1)",
        env=_threads(1),
        train=True,
    ),
    Lever("threads-2", "TensorFlow/OpenMP com 2 threads", env=_threads(2), train=True),
    Lever(
        "redis-1w",
        "RedisLockStore + RedisTrackerStore, 1 worker Sanic",
        endpoints=_redis_endpoints,
        concurrency=(10, 50),
    ),
    Lever(
        "redis-2w",
        "RedisLockStore + RedisTrackerStore, SANIC_WORKERS=2",
        env={"SANIC_WORKERS": "2"},
        endpoints=_redis_endpoints,
        concurrency=(10, 50),
    ),
    Lever("tracker-sql", "tracker store SQL (SQLite) em vez do InMemory", endpoints=_sql_tracker),
    Lever(
        "tracker-memoria", "InMemoryTrackerStore em vez do SQL (SQLite)", endpoints=_memory_tracker
    ),
    # issue 17: the in-process tracker cache (bot.rasa.tracker_cache) against the same
    # launcher without it, whatever SEI_TRACKER_CACHE's default is; run them back to back
    Lever(
        "tracker-sem-cache",
        "SQLTrackerStore no SQLite sem cache (SEI_TRACKER_CACHE=0; referência do seguinte)",
        env={"SEI_TRACKER_CACHE": "0"},
    ),
    Lever(
        "tracker-cache",
        "cache dos trackers no processo do Rasa, gravando no SQLite a cada turno "
        "(SEI_TRACKER_CACHE=1)",
        env={"SEI_TRACKER_CACHE": "1"},
    ),
    Lever(
        "sem-spacy",
        "sem SpacyNLP e sem CountVectorsFeaturizer de lemas (WhitespaceTokenizer)",
        config_edit=_pipeline_without(
            {"SpacyNLP", "CountVectorsFeaturizer"}, {"SpacyTokenizer": "WhitespaceTokenizer"}
        ),
    ),
    Lever(
        "sem-spacy-contagens",
        "sem SpacyNLP, CountVectorsFeaturizer nas palavras (WhitespaceTokenizer)",
        config_edit=_pipeline_without({"SpacyNLP"}, {"SpacyTokenizer": "WhitespaceTokenizer"}),
    ),
    Lever(
        "diet-40",
        "DIET com 40 épocas (atual: 80)",
        config_edit=_diet_options(epochs=40),
        serve=False,
    ),
    Lever("diet-20", "DIET com 20 épocas", config_edit=_diet_options(epochs=20), serve=False),
    Lever(
        "diet-denso-128",
        "DIET com a camada densa do padrão do Rasa (128; atual: 64)",
        config_edit=_diet_options(
            dense_dimension={"text": 128, "label": 20}, concat_dimension={"text": 128, "label": 20}
        ),
    ),
    Lever(
        "diet-lotes-128",
        "DIET com lotes de 128-512 (atual: 64-256, o padrão do Rasa)",
        config_edit=_diet_options(batch_size=[128, 512]),
    ),
    Lever(
        "acoes-rasa-sdk",
        "servidor de ações por `python -m rasa_sdk` (sem importar o Rasa)",
        actions_cmd=[PY, "-m", "rasa_sdk", "--actions", "actions"],
        applied=_actions_not_by_rasa_cli,
    ),
    Lever(
        "acoes-lazy",
        "imports preguiçosos em bot.solicitacoes.servicos (openpyxl, SQLAlchemy)",
        code_patch=_lazy_servicos,
    ),
    Lever("base-fim", "configuração atual (referência, fim)", concurrency=(10, 50)),
]


def make_copy(key: str) -> Path:
    """A temporary copy of the project (no venv, models or results)."""
    dest = Path(f"/tmp/sei-bench-{key}")
    if dest.exists():
        shutil.rmtree(dest)
    cmd = (
        ["rsync", "-a", "--delete"]
        + [f"--exclude={e}" for e in COPY_EXCLUDES]
        + [f"{ROOT}/", f"{dest}/"]
    )
    subprocess.run(cmd, check=True)
    return dest


def _redis_cleanup() -> None:
    try:
        import redis

        client = redis.Redis(host=REDIS_URL_HOST, port=REDIS_PORT, db=REDIS_DB)
        keys = list(client.scan_iter(match=f"{_redis_prefix()}:*", count=500))
        for i in range(0, len(keys), 500):
            client.delete(*keys[i : i + 500])
    except Exception as err:
        say(f"aviso: limpeza do Redis falhou: {err}")


def measure(lever: Lever, work: Path, turns: int, port: int) -> dict[str, Any]:
    """Run one lever; its figures (or the reason it was not applicable)."""
    lw = work / lever.key
    lw.mkdir(parents=True, exist_ok=True)
    out: dict[str, Any] = {"title": lever.title, "loadavg_before": loadavg()}
    base_endpoints, base_commands = launcher_view(lw)
    if lever.applied and lever.applied(base_commands):
        return {**out, "skipped": "já é o que o launcher faz"}
    endpoints = lever.endpoints(lw, base_endpoints) if lever.endpoints else None
    if lever.endpoints and endpoints is None:
        return {**out, "skipped": "já é a configuração atual"}
    root, model = ROOT, MODEL
    if lever.config_edit or lever.code_patch:
        root = make_copy(lever.key)
    try:
        if lever.code_patch:
            lever.code_patch(root)
        if lever.config_edit:
            cfg = yaml.safe_load((root / "config.yml").read_text(encoding="utf-8"))
            edited = lever.config_edit(cfg)
            if edited is None:
                return {**out, "skipped": "já aplicado na configuração atual"}
            (root / "config.yml").write_text(
                yaml.safe_dump(edited, sort_keys=False, allow_unicode=True)
            )
            trained = quality.train(
                root / "config.yml",
                lw / "models",
                lever.key,
                project_root=root,
                env=lever.env,
                label=lever.key,
            )
            model = Path(trained["model"])
            out.update(train_s=trained["train_s"], model_mb=trained["model_mb"])
            out.update(quality=quality.evaluate_model(model))
        elif lever.train:  # same configuration: only the training time is of interest
            trained = quality.train(
                ROOT / "config.yml", lw / "models", lever.key, env=lever.env, label=lever.key
            )
            out.update(train_s=trained["train_s"], model_mb=trained["model_mb"])
        if lever.serve:
            out.update(
                _serve(
                    lever,
                    lw=lw,
                    root=root,
                    model=model,
                    turns=turns,
                    port=port,
                    endpoints=endpoints,
                )
            )
    finally:
        if root != ROOT:
            shutil.rmtree(root, ignore_errors=True)
        if lever.endpoints is _redis_endpoints:
            _redis_cleanup()
    return out


def check(work: Path) -> list[str]:
    """Whether every lever still applies to the current code, configuration and launcher,
    without training or serving (``make bench-smoke`` runs it); the problems found."""
    work.mkdir(parents=True, exist_ok=True)
    base_endpoints, base_commands = launcher_view(work)
    config = (ROOT / "config.yml").read_text(encoding="utf-8")
    problems = []
    for lever in LEVERS:
        try:
            if lever.applied:
                lever.applied(base_commands)
            if lever.endpoints:
                lever.endpoints(work, base_endpoints)
            if lever.config_edit:
                lever.config_edit(yaml.safe_load(config))
            if lever.code_patch:
                copy = work / f"copia-{lever.key}"
                ignore = shutil.ignore_patterns("__pycache__")
                shutil.copytree(ROOT / "bot", copy / "bot", ignore=ignore, dirs_exist_ok=True)
                lever.code_patch(copy)
        except Exception as err:
            problems.append(f"alavanca {lever.key}: {type(err).__name__}: {err}")
    return problems


def _serve(
    lever: Lever,
    *,
    lw: Path,
    root: Path,
    model: Path,
    turns: int,
    port: int,
    endpoints: dict | None,
) -> dict[str, Any]:
    servers = BotServers(
        model,
        lw,
        port,
        port + 50,
        name=lever.key,
        env=lever.env,
        endpoints=endpoints,
        project_root=root,
        actions_cmd=lever.actions_cmd,
    )
    with servers:
        res: dict[str, Any] = {
            "start_s": round(servers.start_s, 2),
            "actions_ready_s": round(servers.actions_ready_s or 0, 2),
            "rss_idle": servers.rss(),
        }
        load(
            servers.url,
            4,
            40,
            seed=3,
            sender_prefix="warm",
            label=f"{lever.key}: aquecimento",
            record=False,
        )
        cpu_before = servers.cpu()
        res["soak"] = soak(servers, turns, 10, max(1, turns // 10), seed=11, label=lever.key)
        cpu_after = servers.cpu()
        answered = max(1, res["soak"]["turns"])
        res["cpu_ms_per_msg"] = {  # CPU of each server over the soak, per answered message
            key: round(1000 * (cpu_after[key] - cpu_before[key]) / answered, 2) for key in cpu_after
        }
        res["loadavg_after_soak"] = loadavg()
        res["loads"] = {}
        for c in lever.concurrency:
            if c == 10:
                continue  # the soak already ran at 10
            res["loads"][str(c)] = load(
                servers.url,
                c,
                max(turns // 2, 5 * c),
                seed=5,
                sender_prefix=f"c{c}",
                label=f"{lever.key}: c={c}",
            ).summary()
        res["rss_final"] = servers.rss()
    return res


def run(
    work: Path, turns: int = 1000, only: list[str] | None = None, port: int = PORT_BASE + 200
) -> dict[str, Any]:
    """Measure every lever (or those in ``only``), in order."""
    results: dict[str, Any] = {}
    chosen = [lever for lever in LEVERS if not only or lever.key in only]
    for i, lever in enumerate(chosen, 1):
        say(f"alavanca {i}/{len(chosen)}: {lever.key} — {lever.title}")
        started = time.perf_counter()
        try:
            results[lever.key] = measure(lever, work, turns, port)
        except Exception as err:
            results[lever.key] = {
                "title": lever.title,
                "error": f"{type(err).__name__}: {err}"[:2000],
            }
            say(f"alavanca {lever.key} falhou: {err}"[:500])
        results[lever.key]["elapsed_s"] = round(time.perf_counter() - started, 1)
    return results


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--turns", type=int, default=1000)
    parser.add_argument("--only", default="")
    args = parser.parse_args(argv)
    only = [x for x in args.only.split(",") if x] or None
    print(json.dumps(run(args.work, args.turns, only), indent=1, default=float))
    return 0


if __name__ == "__main__":
    sys.exit(main())
