"""Shared helpers: project paths, machine facts, /proc readings, statistics,
progress lines and the JSON results folder.

Nothing here starts processes; everything reads /proc or the repository.
"""

from __future__ import annotations

import json
import math
import os
import platform
import resource
import subprocess
import sys
import time
from collections.abc import Iterable, Sequence
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
HELDOUT = ROOT / "tests" / "data" / "nlu_heldout.yml"
TRAIN_NLU = ROOT / "data" / "nlu.yml"
MODEL = ROOT / "models" / "sei.tar.gz"
DEFAULT_RESULTS = ROOT / "results" / "bench"
# ports of the benchmark servers (tests use 15900+, first_answer.py 16005)
PORT_BASE = int(os.environ.get("BENCH_PORT_BASE", "17000"))

VERSIONED = (
    "rasa",
    "rasa-sdk",
    "tensorflow",
    "spacy",
    "sanic",
    "scikit-learn",
    "SQLAlchemy",
    "aiohttp",
    "numpy",
)


# ----------------------------------------------------------------- machine
def machine_info() -> dict[str, Any]:
    """CPU model, cores, RAM, OS, load, date, git commit and versions."""
    cpu = "?"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kb = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            mem_kb = int(line.split()[1])
    os_name = platform.platform()
    release = Path("/etc/os-release")
    if release.exists():
        for line in release.read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                os_name = line.split("=", 1)[1].strip('"')
    versions = {"python": platform.python_version()}
    for dist in VERSIONED:
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            versions[dist] = "-"
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "cores_usable": len(os.sched_getaffinity(0)),
        "ram_gib": round(mem_kb / 1024 / 1024, 1),
        "os": os_name,
        "kernel": platform.release(),
        "date": datetime.now(timezone.utc).astimezone().isoformat(timespec="seconds"),
        "git": git_commit(),
        "versions": versions,
        "loadavg": loadavg(),
    }


def git_commit() -> str:
    """Short HEAD commit, with '+alterações' when the tree is dirty."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "?"
    return f"{head}{' +alterações não commitadas' if dirty else ''}" if head else "?"


def loadavg() -> float:
    """1-minute load average (a noisy machine shows here)."""
    return float(Path("/proc/loadavg").read_text().split()[0])


# -------------------------------------------------------------------- /proc
def rss_mb(pid: int) -> float:
    """Resident set size of one process in MB (0 when it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def descendants(pid: int) -> list[int]:
    """All descendant pids of ``pid`` (from /proc)."""
    kids: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            kids.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [pid]
    while todo:
        for kid in kids.get(todo.pop(), []):
            out.append(kid)
            todo.append(kid)
    return out


def tree_rss_mb(pid: int) -> float:
    """RSS of a process plus its descendants (Sanic workers are children)."""
    return rss_mb(pid) + sum(rss_mb(k) for k in descendants(pid))


def _own_cpu_s(proc_dir: Path) -> float:
    """User + system CPU seconds of one process (its ``/proc/<pid>``; 0 when gone)."""
    try:
        fields = (proc_dir / "stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its descendants."""
    return sum(_own_cpu_s(Path(f"/proc/{p}")) for p in [pid, *descendants(pid)])


def cpu_by_name(names: Iterable[str]) -> dict[str, float]:
    """CPU seconds so far of the processes whose command name (``/proc/<pid>/comm``)
    is one of ``names``, summed by name (e.g. every ``postgres`` backend); a
    process that exited since is not counted."""
    wanted = set(names)
    out = dict.fromkeys(sorted(wanted), 0.0)
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            name = (entry / "comm").read_text().strip()
        except OSError:
            continue
        if name in wanted:
            out[name] += _own_cpu_s(entry)
    return out


def machine_busy_s() -> float:
    """Non-idle CPU seconds of the whole machine since boot, all cores (``/proc/stat``)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def self_cpu_s() -> float:
    """User + system CPU seconds of this process (the load client)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# -------------------------------------------------------------- statistics
def percentile(values: Sequence[float], q: float) -> float:
    """Linear-interpolated percentile (q in 0..100); nan for no values."""
    if not values:
        return math.nan
    data = sorted(values)
    pos = (len(data) - 1) * q / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return data[lo] + (data[hi] - data[lo]) * (pos - lo)


def summary_ms(latencies_s: Sequence[float]) -> dict[str, float]:
    """n, mean and p50/p95/p99/max of latencies given in seconds, in ms."""
    ms = [x * 1000 for x in latencies_s]
    return {
        "n": len(ms),
        "mean": sum(ms) / len(ms) if ms else math.nan,
        "p50": percentile(ms, 50),
        "p95": percentile(ms, 95),
        "p99": percentile(ms, 99),
        "max": max(ms) if ms else math.nan,
    }


def linear_fit(xs: Sequence[float], ys: Sequence[float]) -> dict[str, float]:
    """Least-squares line y = a + b x, with r² (slope 0 for < 2 points)."""
    n = len(xs)
    if n < 2:
        return {"slope": 0.0, "intercept": ys[0] if ys else 0.0, "r2": 0.0}
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    slope = sxy / sxx if sxx else 0.0
    intercept = my - slope * mx
    ss_tot = sum((y - my) ** 2 for y in ys)
    ss_res = sum((y - intercept - slope * x) ** 2 for x, y in zip(xs, ys, strict=True))
    return {"slope": slope, "intercept": intercept, "r2": 1 - ss_res / ss_tot if ss_tot else 0.0}


def median(values: Iterable[float]) -> float:
    return percentile(list(values), 50)


# --------------------------------------------------------- progress/results
class Progress:
    """One status line per update (rewritten in place on a terminal)."""

    def __init__(self, label: str, total: int | None = None, every_s: float | None = None):
        self._tty = sys.stderr.isatty()
        self.label, self.total = label, total
        self.every_s = every_s if every_s is not None else (2.0 if self._tty else 10.0)
        self.started = time.monotonic()
        self._last = 0.0

    def update(self, done: int | None = None, extra: str = "", force: bool = False) -> None:
        """Show ``done`` (of ``total``) and the elapsed time, at most every ``every_s``."""
        now = time.monotonic()
        if not force and now - self._last < self.every_s:
            return
        self._last = now
        count = "" if done is None else f"{done}{f'/{self.total}' if self.total else ''} "
        line = f"[bench] {self.label}: {count}({now - self.started:.0f} s) {extra}".rstrip()
        if self._tty:
            sys.stderr.write("\r\033[K" + line)
        else:
            sys.stderr.write(line + "\n")
        sys.stderr.flush()

    def done(self, extra: str = "") -> None:
        line = f"[bench] {self.label}: ok em {time.monotonic() - self.started:.1f} s {extra}"
        sys.stderr.write(("\r\033[K" if self._tty else "") + line + "\n")
        sys.stderr.flush()


def say(text: str) -> None:
    """A progress message on stderr."""
    print(f"[bench] {text}", file=sys.stderr, flush=True)


def save_json(path: Path, data: object) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False, default=float), encoding="utf-8")
    return path


def load_json(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
