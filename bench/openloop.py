"""Open-loop load on Rasa's REST channel: Poisson arrivals at a fixed rate.

Unlike ``bench.load`` (each conversation waits for its answer before the
next message, so a slow server slows the client down), the send times here
are drawn up front: exponential gaps from a seeded RNG at ``rate`` messages
per second. Each arrival is the next message of an idle simulated user (its
previous reply arrived and its conversation has turns left, the one idle
longest first), else the first message of a new conversation from the same
mix as ``bench.load`` (``bench.scenarios``). Latency runs from the
*scheduled* send time, so a late client or a queue in the server counts
(no coordinated omission); the client's own lateness is recorded too.

A step runs a fixed number of messages; replies still missing
``drain_s`` after the last send are cancelled and counted as timeouts. In
the ladder a step stops early once it has surely failed (enough replies,
arrived or still awaited, over the p99 limit to put the p99 above it, or a
failure): the verdict is the same, the machine is spared the backlog. The
ladder raises the rate step by step (5, 10, 20, 40, then +20) until a step
fails (p99 > 500 ms, or any error, timeout or empty reply), then bisects
between the last passing and the failing rate a couple of times; the
capacity is the highest passing rate below every failing one. Several URLs
(replicas): a conversation sticks to one, chosen by a hash of its sender.

Usage: python -m bench.openloop --url http://127.0.0.1:5005/webhooks/rest/webhook \
           [--url ...] [--rates 5,10,20,40,60] [--duration 15]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import random
import sys
import time
import zlib
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bench.common import Progress, loadavg, machine_busy_s, say, self_cpu_s, summary_ms
from bench.load import NO_ANSWER_MARK, REQUEST_TIMEOUT_S, _post
from bench.scenarios import PROTOCOL_MARK, ScenarioFactory, Turn, resolve

LADDER = (5, 10, 20, 40, 60, 80, 100, 120, 160, 200)
P99_LIMIT_MS = 500.0  # a step passes with p99 at most this and no failure
MAX_STEPS = 8
REFINE = 2  # bisections after the first failing step
DURATION_S = 15.0  # each step sends rate × this many messages...
MIN_MESSAGES = 100  # ...and at least this many (p99 needs a hundred)...
MAX_STEP_S = 30.0  # ...but no more than this many seconds' worth (low rates)
DRAIN_S = 10.0  # after the last send, wait this long for missing replies
START_DELAY_S = 0.05  # the schedule starts this long after the step is set up
MAX_CONNECTIONS = 1000


def schedule(rate: float, count: int, seed: int) -> list[float]:
    """Send times (seconds from the start) of ``count`` Poisson arrivals at
    ``rate`` per second: cumulative exponential gaps from ``random.Random(seed)``."""
    rng = random.Random(seed)
    out, t = [], 0.0
    for _ in range(count):
        t += rng.expovariate(rate)
        out.append(t)
    return out


def replica(urls: Sequence[str], sender: str) -> str:
    """The URL a sender's conversation sticks to (a stable hash, not ``hash()``)."""
    return urls[zlib.crc32(sender.encode()) % len(urls)]


@dataclass
class _User:
    """One simulated user: a conversation, its URL and the last replies."""

    sender: str
    url: str
    kind: str
    turns: list[Turn]
    next: int = 0
    replies: list = field(default_factory=list)


@dataclass
class StepResult:
    """What one open-loop step measured (times in seconds)."""

    rate: float
    messages: int
    answered: int = 0
    errors: int = 0
    timeouts: int = 0
    empty: int = 0
    span_s: float = 0.0  # last scheduled send (of those sent)
    wall_s: float = 0.0  # start to the last reply (or the drain deadline)
    last_reply_s: float = 0.0
    latencies: dict[str, list[float]] = field(default_factory=dict)  # kind -> s
    lateness: list[float] = field(default_factory=list)  # actual - scheduled send
    # (scheduled send, latency) of every answered message: what the tests check
    records: list[tuple[float, float]] = field(default_factory=list)
    conversations: int = 0
    completed: int = 0
    protocols: int = 0
    missing_buttons: int = 0
    max_in_flight: int = 0
    sent: int = 0
    stopped_early: bool = False  # the step had surely failed: the rest was not sent
    error_samples: list[str] = field(default_factory=list)

    @property
    def all_latencies(self) -> list[float]:
        return [x for values in self.latencies.values() for x in values]

    @property
    def failures(self) -> int:
        """Messages without a useful answer: errors, timeouts, empty replies."""
        return self.errors + self.timeouts + self.empty

    def summary(self) -> dict[str, Any]:
        """JSON-friendly figures (latencies in ms), with the pass/fail verdict."""
        lat = summary_ms(self.all_latencies)
        return {
            "rate_msg_s": self.rate,
            "messages": self.messages,
            "sent": self.sent,
            "stopped_early": self.stopped_early,
            "answered": self.answered,
            "errors": self.errors,
            "timeouts": self.timeouts,
            "empty_replies": self.empty,
            "offered_msg_s": round(self.sent / self.span_s, 2) if self.span_s else 0.0,
            "achieved_msg_s": (
                round(self.answered / self.last_reply_s, 2) if self.last_reply_s else 0.0
            ),
            "wall_s": round(self.wall_s, 2),
            "latency_ms": lat,
            "latency_ms_by_kind": {k: summary_ms(v) for k, v in sorted(self.latencies.items())},
            "lateness_ms": summary_ms(self.lateness),
            "conversations": self.conversations,
            "completed": self.completed,
            "protocols": self.protocols,
            "missing_buttons": self.missing_buttons,
            "max_in_flight": self.max_in_flight,
            "error_samples": self.error_samples[:5],
            "ok": not self.stopped_early and passed(lat["p99"], self.failures, self.answered),
        }


def passed(p99_ms: float, failures: int, answered: int) -> bool:
    """The step verdict: answers, none failed, p99 within ``P99_LIMIT_MS``."""
    return answered > 0 and failures == 0 and p99_ms <= P99_LIMIT_MS


def sure_fail_count(messages: int) -> int:
    """How many of ``messages`` latencies over the limit surely put the p99 over
    it: the p99 interpolates between sorted positions ⌊0.99 (n − 1)⌋ and the
    next, so both must be over."""
    return messages - math.floor(0.99 * (messages - 1))


async def run_step(
    urls: Sequence[str],
    rate: float,
    messages: int,
    *,
    seed: int = 7,
    sender_prefix: str = "aberta",
    drain_s: float = DRAIN_S,
    label: str | None = None,
    stop_early: bool = False,
) -> StepResult:
    """``messages`` Poisson arrivals at ``rate``/s over ``urls``; see the module doc.
    ``stop_early``: stop sending (and cancel what is awaited) once the step surely fails."""
    import aiohttp

    factory = ScenarioFactory(seed)
    offsets = schedule(rate, messages, seed)
    res = StepResult(rate, messages)
    idle: deque[_User] = deque()
    progress = Progress(label or f"malha aberta {rate:g} msg/s", messages)
    flying: dict[int, float] = {}  # arrival number -> its scheduled send, while awaited
    limit_s, slow = P99_LIMIT_MS / 1000, 0
    sure_fail = sure_fail_count(messages)

    def surely_failed(now: float) -> bool:
        late = sum(1 for due in flying.values() if now - due > limit_s)
        return res.failures > 0 or slow + late >= sure_fail

    def new_user() -> _User:
        conv = factory.conversation()
        res.conversations += 1
        sender = f"{sender_prefix}-{seed}-{res.conversations}"
        return _User(sender, replica(urls, sender), conv.kind, conv.turns)

    async def send(session, user: _User, number: int, due: float) -> None:
        nonlocal slow
        turn = user.turns[user.next]
        text, found = resolve(turn.text, user.replies)
        res.missing_buttons += not found
        flying[number] = due
        res.max_in_flight = max(res.max_in_flight, len(flying))
        try:
            replies = await _post(session, user.url, user.sender, text)
        except Exception as err:
            res.errors += 1
            if len(res.error_samples) < 5:
                res.error_samples.append(f"{type(err).__name__}: {err}"[:300])
            replies = []
        else:
            done = time.perf_counter()
            res.answered += 1
            res.last_reply_s = done - t0
            res.latencies.setdefault(turn.kind, []).append(done - due)
            res.records.append((due - t0, done - due))
            slow += done - due > limit_s
            texts = [r.get("text") or "" for r in replies]
            if not replies or any(NO_ANSWER_MARK in t for t in texts):
                res.empty += 1
            res.protocols += any(PROTOCOL_MARK in t for t in texts)
        finally:
            del flying[number]
        user.replies = replies
        user.next += 1
        if user.next < len(user.turns):
            idle.append(user)
        else:
            res.completed += 1
        progress.update(res.answered, f"{len(flying)} em voo")

    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S)
    connector = aiohttp.TCPConnector(limit=MAX_CONNECTIONS)
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
        tasks: set[asyncio.Task] = set()
        t0 = time.perf_counter() + START_DELAY_S
        for number, offset in enumerate(offsets):
            due = t0 + offset
            wait = due - time.perf_counter()
            if wait > 0:
                await asyncio.sleep(wait)
            now = time.perf_counter()
            if stop_early and surely_failed(now):
                res.stopped_early = True
                break
            res.lateness.append(max(0.0, now - due))
            res.sent, res.span_s = number + 1, offset
            user = idle.popleft() if idle else new_user()
            tasks.add(asyncio.create_task(send(session, user, number, due)))
        if tasks:
            _done, pending = await asyncio.wait(tasks, timeout=0 if res.stopped_early else drain_s)
            for task in pending:
                task.cancel()
            if pending:
                await asyncio.gather(*pending, return_exceptions=True)
            if pending and not res.stopped_early:
                res.timeouts = len(pending)
                res.error_samples.append(f"{len(pending)} sem resposta {drain_s:g} s após o fim")
        res.wall_s = time.perf_counter() - t0
    lat = summary_ms(res.all_latencies)
    progress.done(
        f"{res.answered}/{messages}{' (interrompido)' if res.stopped_early else ''}, "
        f"p99 {lat['p99']:.0f} ms, "
        f"{res.failures} falhas, "
        f"atraso máx. do cliente {1000 * max(res.lateness, default=0):.0f} ms"
    )
    return res


def step(urls: Sequence[str], rate: float, messages: int, **kwargs) -> StepResult:
    """Blocking wrapper of ``run_step``."""
    return asyncio.run(run_step(urls, rate, messages, **kwargs))


def step_messages(rate: float, duration_s: float = DURATION_S, minimum: int = MIN_MESSAGES) -> int:
    """Messages of a step at ``rate``: ``duration_s`` worth, at least ``minimum``
    unless that takes over ``MAX_STEP_S`` (and at least one)."""
    return max(1, round(min(max(minimum, rate * duration_s), rate * MAX_STEP_S)))


def next_rate(
    done: Sequence[tuple[float, bool]],
    ladder: Sequence[float] = LADDER,
    max_steps: int = MAX_STEPS,
    refine: int = REFINE,
) -> float | None:
    """The rate of the next step given the (rate, passed) of the steps so far,
    or None when the ladder is over: up the ladder while every step passes;
    after the first failure, up to ``refine`` bisections between the highest
    passing and the lowest failing rate (whole msg/s, a gap over 10%)."""
    if len(done) >= max_steps:
        return None
    failed = [i for i, (_r, ok) in enumerate(done) if not ok]
    if not failed:
        top = max((r for r, _ok in done), default=0.0)
        return next((r for r in ladder if r > top), None)
    if len(done) - failed[0] - 1 >= refine:
        return None
    high = min(r for r, ok in done if not ok)
    low = max((r for r, ok in done if ok and r < high), default=0.0)
    mid = float(round((low + high) / 2))
    if not low < mid < high or high - low <= max(1.0, 0.1 * low):
        return None
    return mid


def capacity(steps: Sequence[Mapping[str, Any]]) -> float | None:
    """The highest rate that passed below every rate that failed (None: none passed)."""
    failed = [s["rate_msg_s"] for s in steps if not s["ok"]]
    ceiling = min(failed, default=float("inf"))
    passing = [s["rate_msg_s"] for s in steps if s["ok"] and s["rate_msg_s"] < ceiling]
    return max(passing, default=None)


def method(
    duration_s: float = DURATION_S, min_messages: int = MIN_MESSAGES, max_steps: int = MAX_STEPS
) -> dict[str, Any]:
    """The ladder's settings, as the report describes them."""
    return {
        "p99_limit_ms": P99_LIMIT_MS,
        "duration_s": duration_s,
        "min_messages": min_messages,
        "max_steps": max_steps,
        "refine": REFINE,
        "drain_s": DRAIN_S,
        "ladder": list(LADDER),
    }


CLIENT = "cliente"


def _cpu_reading(
    cpu: Callable[[str], Mapping[str, float]] | None, name: str
) -> tuple[float, float, dict[str, float]]:
    """(wall clock, machine busy CPU s, CPU s by process incl. the client) now."""
    processes = dict(cpu(name)) if cpu else {}
    processes[CLIENT] = self_cpu_s()
    return time.perf_counter(), machine_busy_s(), processes


def step_cpu(
    before: tuple[float, float, Mapping[str, float]],
    after: tuple[float, float, Mapping[str, float]],
    answered: int,
) -> dict[str, Any]:
    """CPU of a step from two ``_cpu_reading``: ms per answered message by
    process and in all, and the cores the machine kept busy (everything
    running on it, not only ours) over the step's wall time."""
    wall = after[0] - before[0]
    per = {
        k: round(1000 * (after[2][k] - v) / answered, 2)
        for k, v in before[2].items()
        if k in after[2] and answered
    }
    return {
        "cpu_ms_per_msg": per,
        "cpu_ms_per_msg_total": round(sum(per.values()), 2) if per else None,
        "machine_busy_cores": round((after[1] - before[1]) / wall, 2) if wall > 0 else None,
    }


def ladder(
    configs: Mapping[str, Sequence[str]],
    *,
    rates: Sequence[float] = LADDER,
    max_steps: int = MAX_STEPS,
    refine: int = REFINE,
    duration_s: float = DURATION_S,
    min_messages: int = MIN_MESSAGES,
    seed: int = 41,
    after_step: Callable[[str], object] | None = None,
    stop_early: bool = True,
    cpu: Callable[[str], Mapping[str, float]] | None = None,
) -> dict[str, dict[str, Any]]:
    """The rate ladder of each configuration (name -> its replica URLs),
    interleaved: round by round, each configuration still climbing runs its next
    step (the order alternates per round), so all see the same machine state.
    ``after_step(name)`` runs after each step (e.g. wait for the server to be
    idle again; its number is kept as the step's ``settle_s``); ``stop_early``: see
    ``run_step``. ``cpu(name)``: CPU seconds so far of each server process of
    a configuration (and shared ones such as the database); each step keeps
    their CPU per answered message, the client's (this process) and how many
    cores the whole machine kept busy (``step_cpu``). Returns name ->
    {"steps": [...], "capacity_msg_s": ...}."""
    out: dict[str, dict[str, Any]] = {k: {"steps": []} for k in configs}
    active = list(configs)
    rnd = 0
    while active:
        order = active if rnd % 2 == 0 else list(reversed(active))
        for name in list(order):
            steps = out[name]["steps"]
            rate = next_rate([(s["rate_msg_s"], s["ok"]) for s in steps], rates, max_steps, refine)
            if rate is None:
                active.remove(name)
                continue
            n = step_messages(rate, duration_s, min_messages)
            before = _cpu_reading(cpu, name)
            result = step(
                configs[name],
                rate,
                n,
                seed=seed + len(steps),
                sender_prefix=f"aberta-{name}-{rate:g}",
                label=f"{name} {rate:g} msg/s",
                stop_early=stop_early,
            ).summary()
            result.update(step_cpu(before, _cpu_reading(cpu, name), result["answered"]))
            result["loadavg"] = loadavg()
            steps.append(result)
            waited = after_step(name) if after_step else None
            if isinstance(waited, (int, float)):
                result["settle_s"] = round(waited, 1)
        rnd += 1
    for name, data in out.items():
        data["capacity_msg_s"] = capacity(data["steps"])
        cap = data["capacity_msg_s"]
        say(f"{name}: capacidade {f'{cap:g} msg/s' if cap else 'nenhuma (nenhum degrau aprovado)'}")
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", action="append", required=True, help="uma por réplica")
    parser.add_argument("--rates", default=",".join(str(r) for r in LADDER))
    parser.add_argument("--duration", type=float, default=DURATION_S)
    parser.add_argument("--min-messages", type=int, default=MIN_MESSAGES)
    parser.add_argument("--max-steps", type=int, default=MAX_STEPS)
    args = parser.parse_args(argv)
    result = ladder(
        {"alvo": args.url},
        rates=[float(r) for r in args.rates.split(",")],
        max_steps=args.max_steps,
        duration_s=args.duration,
        min_messages=args.min_messages,
    )
    for s in result["alvo"]["steps"]:
        s.pop("latency_ms_by_kind", None)
    print(json.dumps(result, indent=1, default=float), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
