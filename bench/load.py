"""Closed-loop load on Rasa's REST channel with aiohttp.

``concurrency`` conversations run at once; each sends its next message as
soon as the previous one is answered (no think time), and a finished
conversation is replaced by a new one from ``bench.scenarios``. The run
stops after ``turns`` messages (a conversation cut there is abandoned, like a
user leaving), so request counts are bounded. Every turn's latency is kept
with its kind; throughput is answered messages per second of wall time.

Usage: python -m bench.load --url http://127.0.0.1:5005/webhooks/rest/webhook \
           --concurrency 1,10 --turns 200
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from bench.common import Progress, summary_ms
from bench.scenarios import PROTOCOL_MARK, ScenarioFactory, resolve

REQUEST_TIMEOUT_S = 60
# what bot.rasa.rest answers when a turn produced nothing (action server
# down, crash): counted with the empty replies, as "no useful answer"
NO_ANSWER_MARK = "Não consegui concluir agora."


@dataclass
class LoadResult:
    """Everything one load run measured."""

    concurrency: int
    turns: int = 0
    errors: int = 0
    empty: int = 0
    wall_s: float = 0.0
    latencies: dict[str, list[float]] = field(default_factory=dict)  # kind -> seconds
    conversations: dict[str, int] = field(default_factory=dict)  # started, by kind
    completed: dict[str, int] = field(default_factory=dict)  # finished, by kind
    protocols: int = 0
    missing_buttons: int = 0
    error_samples: list[str] = field(default_factory=list)

    @property
    def all_latencies(self) -> list[float]:
        return [x for values in self.latencies.values() for x in values]

    @property
    def throughput(self) -> float:
        return self.turns / self.wall_s if self.wall_s else 0.0

    def summary(self) -> dict:
        """JSON-friendly figures (latencies in ms)."""
        return {
            "concurrency": self.concurrency,
            "turns": self.turns,
            "errors": self.errors,
            "empty_replies": self.empty,
            "wall_s": round(self.wall_s, 2),
            "throughput_msg_s": round(self.throughput, 2),
            "latency_ms": summary_ms(self.all_latencies),
            "latency_ms_by_kind": {k: summary_ms(v) for k, v in sorted(self.latencies.items())},
            "conversations": self.conversations,
            "completed": self.completed,
            "protocols": self.protocols,
            "missing_buttons": self.missing_buttons,
            "error_samples": self.error_samples[:5],
        }


async def _post(session, url: str, sender: str, text: str) -> list:
    async with session.post(url, json={"sender": sender, "message": text}) as resp:
        body = await resp.text()
        if resp.status != 200:
            raise RuntimeError(f"HTTP {resp.status}: {body[:200]}")
        return json.loads(body)


async def run_load(
    url: str,
    concurrency: int,
    turns: int,
    *,
    seed: int = 7,
    sender_prefix: str = "bench",
    label: str | None = None,
    on_turn: Callable[[int], None] | None = None,
    record: bool = True,
    kinds: list[str] | None = None,
) -> LoadResult:
    """Run ``turns`` messages with ``concurrency`` conversations at once.

    ``on_turn(n)`` is called after the n-th answered message (used to sample
    RSS every N turns); ``kinds`` cycles through conversation kinds instead
    of drawing them from the mix.
    """
    import aiohttp

    factory = ScenarioFactory(seed)
    result = LoadResult(concurrency)
    budget = {"left": turns, "conv": 0}
    progress = Progress(label or f"carga c={concurrency}", turns)

    async def worker(session) -> None:
        while budget["left"] > 0:
            conv = (
                factory.conversation()
                if not kinds
                else factory.conversation(kinds[budget["conv"] % len(kinds)])
            )
            budget["conv"] += 1
            sender = f"{sender_prefix}-{seed}-{budget['conv']}"
            result.conversations[conv.kind] = result.conversations.get(conv.kind, 0) + 1
            replies: list = []
            finished = True
            for turn in conv.turns:
                if budget["left"] <= 0:
                    finished = False
                    break
                budget["left"] -= 1
                text, found = resolve(turn.text, replies)
                result.missing_buttons += not found
                started = time.perf_counter()
                try:
                    replies = await _post(session, url, sender, text)
                except Exception as err:
                    result.errors += 1
                    if len(result.error_samples) < 5:
                        result.error_samples.append(f"{type(err).__name__}: {err}"[:300])
                    replies = []
                    continue
                elapsed = time.perf_counter() - started
                result.turns += 1
                if record:
                    result.latencies.setdefault(turn.kind, []).append(elapsed)
                if not replies or any(NO_ANSWER_MARK in (r.get("text") or "") for r in replies):
                    result.empty += 1
                if any(PROTOCOL_MARK in (r.get("text") or "") for r in replies):
                    result.protocols += 1
                if on_turn:
                    on_turn(result.turns)
                progress.update(
                    result.turns, f"{result.turns / (time.perf_counter() - t0):.1f} msg/s"
                )
            if finished:
                result.completed[conv.kind] = result.completed.get(conv.kind, 0) + 1

    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S)
    connector = aiohttp.TCPConnector(limit=concurrency, force_close=False)
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
        t0 = time.perf_counter()
        await asyncio.gather(*(worker(session) for _ in range(concurrency)))
        result.wall_s = time.perf_counter() - t0
    progress.done(f"{result.throughput:.1f} msg/s, {result.errors} erros")
    return result


def load(url: str, concurrency: int, turns: int, **kwargs) -> LoadResult:
    """Blocking wrapper of ``run_load``."""
    return asyncio.run(run_load(url, concurrency, turns, **kwargs))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", required=True)
    parser.add_argument("--concurrency", default="1,10")
    parser.add_argument("--turns", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    for c in (int(x) for x in args.concurrency.split(",")):
        print(json.dumps(load(args.url, c, args.turns, seed=args.seed).summary()), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
