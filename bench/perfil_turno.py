"""Where the Rasa server's CPU goes in one turn, measured under load.

Starts the Rasa server and the action server of a model (``BotServers``),
warms them up, then runs closed-loop load (``bench.load``) while py-spy
samples the Rasa process (``py-spy record --format raw``: only samples of a
thread running Python code, idle waits are not sampled). Each stack is put
in one step of the turn by its innermost frame that names one: NLU, tracker
read (retrieve, deserialise, session), tracker write, policies, actions (the
HTTP call to the action server and Rasa's own work around running an
action), channel (REST input/output, Sanic) or other. The step shares of the
samples are applied to the Rasa CPU time read in ``/proc`` over the same
window, giving ms of CPU per turn; the action server's CPU per turn is read
in ``/proc`` too.

Usage: .venv/bin/python -m bench.perfil_turno [--model models/sei.tar.gz] [--turns 600]
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
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from bench.common import MODEL, PORT_BASE, loadavg, machine_info, say
from bench.formatting import num, pct
from bench.load import load
from bench.servers import BotServers, free_ports

# the steps of a turn, in the order the tables show them
STEPS = ("nlu", "tracker_read", "tracker_write", "policies", "actions", "channel", "other")
STEP_LABELS = {
    "nlu": "NLU (análise da mensagem)",
    "tracker_read": "leitura do tracker (buscar, desserializar, sessão)",
    "tracker_write": "gravação do tracker",
    "policies": "políticas (prever a próxima ação)",
    "actions": "ações (pedido ao servidor de ações e o trabalho do Rasa em volta)",
    "channel": "canal (entrada e saída REST, Sanic)",
    "other": "outros (laço de eventos, lock, resto do processador)",
}

_PROCESSOR = "rasa/core/processor.py"
_TRACKER_STORE = "rasa/core/tracker_store.py"
_TRACKER_CACHE = "bot/rasa/tracker_cache.py"  # our SQL store with an in-process cache
_PATCHES = "bot/rasa/patches.py"  # our fixes to Rasa's own code (the Rasa server installs them)
_READS = frozenset(
    {
        "retrieve",
        "retrieve_full_tracker",
        "get_or_create_tracker",
        "get_or_create_full_tracker",
        "deserialise_tracker",
    }
)
# (step, file suffix, function names; None = any function of the file); the
# innermost frame of a stack that matches a rule decides its step
RULES: tuple[tuple[str, str, frozenset[str] | None], ...] = (
    (
        "nlu",
        _PROCESSOR,
        frozenset({"parse_message", "_parse_message_with_graph", "_check_for_unseen_features"}),
    ),
    ("nlu", "rasa/core/agent.py", frozenset({"parse_message"})),
    (
        "tracker_read",
        _PROCESSOR,
        frozenset(
            {
                "fetch_tracker_and_update_session",
                "fetch_tracker_with_initial_session",
                "fetch_full_tracker_with_initial_session",
                "get_tracker",
                "_update_tracker_session",
                "get_trackers_for_all_conversation_sessions",
            }
        ),
    ),
    ("tracker_read", _TRACKER_STORE, _READS),
    ("tracker_read", _TRACKER_CACHE, _READS),
    ("tracker_write", _PROCESSOR, frozenset({"save_tracker"})),
    ("tracker_write", _TRACKER_STORE, frozenset({"save"})),
    ("tracker_write", _TRACKER_CACHE, frozenset({"save"})),
    # our patched SQLTrackerStore methods (the rest of bot/rasa/patches.py is
    # decided by the frames around it: DIET's call and the feature stacking are NLU)
    ("tracker_read", _PATCHES, frozenset({"_retrieve"})),
    ("tracker_write", _PATCHES, frozenset({"_save", "_additional_events"})),
    (
        "policies",
        _PROCESSOR,
        frozenset(
            {
                "predict_next_with_tracker_if_should",
                "predict_next_with_tracker",
                "_predict_next_with_tracker",
                "is_action_limit_reached",
                "_get_action",
            }
        ),
    ),
    # the HTTP call to the action server (EndpointConfig.request) and our
    # patched response check, then Rasa's own action work
    ("actions", "rasa/utils/endpoints.py", frozenset({"request"})),
    ("actions", _PATCHES, frozenset({"_validate_action_result"})),
    ("actions", "rasa/core/actions/action.py", None),
    (
        "actions",
        _PROCESSOR,
        frozenset(
            {
                "_run_action",
                "run_action_extract_slots",
                "execute_side_effects",
                "_send_bot_messages",
                "_schedule_reminders",
                "_cancel_reminders",
                "_log_action_on_tracker",
                "_log_slots",
            }
        ),
    ),
    # the rest of the processor and the agent (lock, loop glue) before the
    # channel frames that call them
    ("other", _PROCESSOR, None),
    ("other", "rasa/core/agent.py", None),
    ("other", "rasa/core/lock_store.py", None),
    ("channel", "bot/rasa/rest.py", None),
    ("channel", "rasa/core/channels/", None),
    ("channel", "rasa/server.py", None),
    ("channel", "sanic/", None),
    ("channel", "sanic_routing/", None),
)


def parse_frame(frame: str) -> tuple[str, str]:
    """``(function, file)`` of a py-spy raw frame ``"func (path/file.py:12)"``."""
    name, _, rest = frame.partition(" (")
    path = rest.rstrip(")").rsplit(":", 1)[0] if rest else ""
    return name.strip(), path


def _match(function: str, path: str) -> str | None:
    for step, suffix, functions in RULES:
        in_file = suffix in path if suffix.endswith("/") else path.endswith(suffix)
        if in_file and (functions is None or function in functions):
            return step
    return None


def classify(frames: list[str]) -> tuple[str, str]:
    """The step of a stack (frames outermost first) and the frame that decided
    it (``file:function``; the innermost frame when no rule matched)."""
    for frame in reversed(frames):
        function, path = parse_frame(frame)
        step = _match(function, path)
        if step:
            return step, f"{_short(path)}:{function}"
    if not frames:
        return "other", "?"
    function, path = parse_frame(frames[-1])
    return "other", f"{_short(path)}:{function}"


def _short(path: str) -> str:
    """A frame's file without the site-packages prefix."""
    for marker in ("site-packages/", "/work/main/"):
        if marker in path:
            return path.split(marker, 1)[1]
    return path


def parse_raw(lines: Iterable[str]) -> list[tuple[list[str], int]]:
    """``(frames, count)`` of each line of ``py-spy record --format raw``."""
    out = []
    for line in lines:
        stack, _, count = line.rstrip("\n").rpartition(" ")
        if stack and count.isdigit():
            out.append((stack.split(";"), int(count)))
    return out


def attribute(stacks: list[tuple[list[str], int]], top: int = 5) -> dict[str, Any]:
    """Samples per step and, per step, the frames that decided the most."""
    steps: Counter[str] = Counter()
    deciders: dict[str, Counter[str]] = {step: Counter() for step in STEPS}
    leaves: dict[str, Counter[str]] = {step: Counter() for step in STEPS}
    for frames, count in stacks:
        step, frame = classify(frames)
        steps[step] += count
        deciders[step][frame] += count
        if frames:
            function, path = parse_frame(frames[-1])
            leaves[step][f"{_short(path)}:{function}"] += count
    return {
        "samples": sum(steps.values()),
        "by_step": {step: steps[step] for step in STEPS},
        "top_frames": {
            step: dict(deciders[step].most_common(top)) for step in STEPS if deciders[step]
        },
        # the innermost Python frames: where inside a step the time went
        "top_leaves": {step: dict(leaves[step].most_common(top)) for step in STEPS if leaves[step]},
    }


def per_turn(samples: dict[str, int], cpu_s: float, turns: int) -> dict[str, dict[str, float]]:
    """ms of CPU per turn and share of each step: the sample shares applied to ``cpu_s``."""
    total = sum(samples.values())
    out = {}
    for step in STEPS:
        share = samples.get(step, 0) / total if total else 0.0
        out[step] = {
            "share": round(share, 4),
            "ms_per_turn": round(1000 * cpu_s * share / turns, 2) if turns else 0.0,
        }
    return out


# ------------------------------------------------------------ measurement
def py_spy() -> str:
    """The py-spy executable of this venv (requirements.txt), else on PATH."""
    here = Path(sys.executable).parent / "py-spy"
    found = str(here) if here.exists() else shutil.which("py-spy")
    if not found:
        raise RuntimeError("py-spy ausente: instale requirements.txt")
    return found


def thread_cpu(pid: int) -> dict[str, float]:
    """CPU seconds of each thread of ``pid``, summed by thread name."""
    tick = os.sysconf("SC_CLK_TCK")
    out: dict[str, float] = {}
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            head, _, rest = (task / "stat").read_text().rpartition(")")
            fields = rest.split()
            name = head.split("(", 1)[1]
            out[name] = out.get(name, 0.0) + (int(fields[11]) + int(fields[12])) / tick
        except (OSError, IndexError, ValueError):
            continue
    return out


def medir(
    work: Path,
    port_base: int = PORT_BASE,
    *,
    model: Path = MODEL,
    concurrency: int = 10,
    turns: int = 600,
    warmup: int = 60,
    rate: int = 100,
    seed: int = 7,
) -> dict[str, Any]:
    """Profile ``turns`` turns of load on the Rasa server of ``model``."""
    work = Path(work)
    work.mkdir(parents=True, exist_ok=True)
    rasa_port, actions_port = free_ports(port_base)
    raw = work / "perfil-rasa.raw"
    with BotServers(model, work, rasa_port, actions_port, name="perfil") as servers:
        load(servers.url, concurrency, warmup, seed=seed + 1, record=False, label="aquecimento")
        pids = servers.pids()
        rasa_pid = pids["rasa"]
        load_before = loadavg()
        cpu0, threads0 = servers.cpu(), thread_cpu(rasa_pid)
        spy = subprocess.Popen(
            [
                py_spy(),
                "record",
                "--pid",
                str(rasa_pid),
                "--rate",
                str(rate),
                "--format",
                "raw",
                "--output",
                str(raw),
                "--subprocesses",
                "--full-filenames",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            time.sleep(1.0)  # py-spy attached before the first measured turn
            if spy.poll() is not None:
                _, err = spy.communicate()
                raise RuntimeError(f"py-spy terminou: {err.decode()[-500:]}")
            started = time.perf_counter()
            result = load(servers.url, concurrency, turns, seed=seed, label="perfil")
            wall = time.perf_counter() - started
            cpu1, threads1 = servers.cpu(), thread_cpu(rasa_pid)
        finally:
            spy.send_signal(signal.SIGINT)
            _, err = spy.communicate(timeout=60)
        start_s, rss = servers.start_s, servers.rss()
    if not raw.exists():
        raise RuntimeError(f"py-spy não gravou o perfil: {err.decode()[-500:]}")
    stacks = parse_raw(raw.read_text(errors="replace").splitlines())
    found = attribute(stacks)
    rasa_cpu = cpu1["rasa"] - cpu0["rasa"]
    n = result.turns
    summary = result.summary()
    return {
        "model": str(model),
        "concurrency": concurrency,
        "turns": n,
        "errors": result.errors,
        "rate_hz": rate,
        "wall_s": round(wall, 1),
        "throughput_msg_s": summary["throughput_msg_s"],
        "latency_ms": summary["latency_ms"],
        "start_s": round(start_s, 1),
        "rss_mb": rss,
        "rasa_cpu_ms_per_turn": round(1000 * rasa_cpu / n, 2) if n else None,
        "actions_cpu_ms_per_turn": round(1000 * (cpu1["acoes"] - cpu0["acoes"]) / n, 2)
        if n
        else None,
        # sampled seconds over /proc CPU seconds: py-spy also samples a thread
        # that is runnable but waiting for a core (a busy machine) or in a
        # disk wait, so this passes 1 when the machine is loaded; the step
        # shares of the samples are applied to the /proc figure
        "sampled_s": round(found["samples"] / rate, 2),
        "rasa_cpu_s": round(rasa_cpu, 2),
        "threads_cpu_s": {
            name: round(threads1.get(name, 0.0) - threads0.get(name, 0.0), 2)
            for name in sorted(threads1)
            if threads1.get(name, 0.0) - threads0.get(name, 0.0) >= 0.01
        },
        "samples": found["samples"],
        "by_step_samples": found["by_step"],
        "top_frames": found["top_frames"],
        "top_leaves": found["top_leaves"],
        "steps": per_turn(found["by_step"], rasa_cpu, n),
        "loadavg_before": load_before,
        "loadavg_after": loadavg(),
        "machine": machine_info(),
    }


def tabela(data: dict[str, Any]) -> list[str]:
    """Markdown lines (Portuguese): CPU of the Rasa server per turn by step."""
    lines = [
        f"CPU do servidor Rasa por turno, por etapa (py-spy a {data['rate_hz']} amostras/s, "
        f"{data['turns']} turnos, {data['concurrency']} conversas simultâneas; "
        f"carga da máquina {num(data['loadavg_before'], 2)} → {num(data['loadavg_after'], 2)}):",
        "",
        "| etapa | ms de CPU por turno | parcela |",
        "|---|---:|---:|",
    ]
    for step in STEPS:
        figures = data["steps"][step]
        lines.append(
            f"| {STEP_LABELS[step]} | {num(figures['ms_per_turn'], 2)} | {pct(figures['share'])} |"
        )
    lines += [
        f"| **total do Rasa** | **{num(data['rasa_cpu_ms_per_turn'], 2)}** | 100,0% |",
        "",
        f"Servidor de ações: {num(data['actions_cpu_ms_per_turn'], 2)} ms de CPU por turno "
        f"(medido à parte, em /proc). Latência p50 {num(data['latency_ms']['p50'], 0)} ms, "
        f"p95 {num(data['latency_ms']['p95'], 0)} ms; {num(data['throughput_msg_s'], 1)} msg/s. "
        f"O py-spy amostrou {num(data['sampled_s'], 1)} s de thread ativa contra "
        f"{num(data['rasa_cpu_s'], 1)} s de CPU do Rasa em /proc: ele conta também a thread "
        "pronta para rodar à espera de um núcleo (máquina carregada) e a espera de disco "
        "(o commit do SQLite, na gravação do tracker, que fica assim superestimada); por isso "
        "as parcelas das amostras são aplicadas à CPU de /proc.",
    ]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", type=Path, default=MODEL)
    parser.add_argument("--turns", type=int, default=600)
    parser.add_argument("--warmup", type=int, default=60)
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--rate", type=int, default=100, help="amostras por segundo")
    parser.add_argument("--out", type=Path, help="JSON com todos os números")
    args = parser.parse_args(argv)
    if not args.model.exists():
        print(f"modelo ausente: {args.model} (rode 'make train')", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="perfil-turno-") as work:
        data = medir(
            Path(work),
            PORT_BASE,
            model=args.model,
            concurrency=args.concurrency,
            turns=args.turns,
            warmup=args.warmup,
            rate=args.rate,
        )
    if args.out:
        args.out.write_text(json.dumps(data, indent=1, ensure_ascii=False))
        say(f"números em {args.out}")
    print("\n".join(tabela(data)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
