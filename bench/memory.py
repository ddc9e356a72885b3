"""RSS of the Rasa server and the action server over a long run.

Samples both servers' RSS every ``every`` answered messages while the load
client replays realistic conversations (``bench.scenarios``), then fits a
line to the samples after the warm-up (the first ``WARMUP_SHARE`` of the
turns) to tell growth from noise: the slope in MB per 1,000 turns and the
growth it projects over the whole run.

A trend counts as growth when the projected growth over the run is above
``GROWTH_TOLERANCE_MB`` and the line explains the samples (r² ≥ 0.5).
"""

from __future__ import annotations

from typing import Any

from bench.common import linear_fit, tree_rss_mb
from bench.load import load

WARMUP_SHARE = 0.1
GROWTH_TOLERANCE_MB = 20.0


def trend(turns: list[int], values: list[float], total_turns: int) -> dict[str, float]:
    """Slope (MB/1,000 turns), projected growth over ``total_turns``, r², verdict."""
    start = int(total_turns * WARMUP_SHARE)
    pairs = [(t, v) for t, v in zip(turns, values, strict=False) if t >= start] or list(
        zip(turns, values, strict=False)
    )
    fit = linear_fit([p[0] for p in pairs], [p[1] for p in pairs])
    projected = fit["slope"] * total_turns
    return {
        "slope_mb_per_1k": round(fit["slope"] * 1000, 3),
        "projected_growth_mb": round(projected, 1),
        "r2": round(fit["r2"], 3),
        "growth": bool(projected > GROWTH_TOLERANCE_MB and fit["r2"] >= 0.5),
    }


def _steady_index(at: list[int], total: int) -> int:
    """First sample taken after the warm-up: the steady-state reading."""
    return next((i for i, t in enumerate(at) if t >= total * WARMUP_SHARE and t > 0), len(at) - 1)


def soak(
    servers, turns: int, concurrency: int, every: int, *, seed: int = 99, label: str = "memória"
) -> dict[str, Any]:
    """Run ``turns`` messages against ``servers`` sampling RSS every ``every``."""
    pids = servers.pids()
    samples: dict[str, list[float]] = {key: [] for key in pids}
    at: list[int] = []

    def sample(n: int) -> None:
        at.append(n)
        for key, pid in pids.items():
            samples[key].append(round(tree_rss_mb(pid), 1))

    sample(0)

    def on_turn(n: int) -> None:
        if n % every == 0:
            sample(n)

    result = load(
        servers.url,
        concurrency,
        turns,
        seed=seed,
        sender_prefix="soak",
        label=f"{label}: {turns} turnos c={concurrency}",
        on_turn=on_turn,
    )
    if at[-1] != result.turns:
        sample(result.turns)
    return {
        "turns": result.turns,
        "concurrency": concurrency,
        "every": every,
        "at": at,
        "rss": samples,
        "steady": {key: values[_steady_index(at, result.turns)] for key, values in samples.items()},
        "final": {key: values[-1] for key, values in samples.items()},
        "peak": {key: max(values) for key, values in samples.items()},
        "trend": {key: trend(at, values, result.turns) for key, values in samples.items()},
        "load": result.summary(),
    }
