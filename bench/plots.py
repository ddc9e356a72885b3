"""The report's plots (docs/img/bench-*.png), drawn with matplotlib (Agg)."""

from __future__ import annotations

from pathlib import Path

from bench.formatting import LABELS, concurrency_levels, get, integer

COLORS = {"ours": "#00579c", "default": "#d9822b"}


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_latency(latency: dict, out: Path) -> Path | None:
    """p50/p95/p99 per concurrency, (a) next to (b), log scale."""
    runs, levels = concurrency_levels(latency)
    if not levels:
        return None
    plt = _plt()
    fig, axes = plt.subplots(1, len(levels), figsize=(4 * len(levels), 4), sharey=True)
    axes = axes if len(levels) > 1 else [axes]
    for ax, c in zip(axes, levels, strict=True):
        width, x = 0.38, range(3)
        for i, key in enumerate(k for k in ("ours", "default") if k in runs):
            lat = get(runs, key, str(c), "latency_ms") or {}
            values = [lat.get(p, 0) for p in ("p50", "p95", "p99")]
            bars = ax.bar(
                [v + (i - 0.5) * width for v in x],
                values,
                width,
                label=LABELS[key],
                color=COLORS[key],
            )
            ax.bar_label(bars, labels=[f"{v:.0f}" for v in values], fontsize=7)
        ax.set_xticks(list(x), ["p50", "p95", "p99"])
        ax.set_title(f"{c} conversa{'s' if c > 1 else ''} simultânea{'s' if c > 1 else ''}")
        ax.set_yscale("log")
        ax.grid(axis="y", alpha=0.3)
    axes[0].set_ylabel("latência por mensagem (ms, escala log)")
    axes[0].legend(fontsize=8)
    fig.suptitle("Latência por turno no canal REST")
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out


def plot_throughput(latency: dict, out: Path) -> Path | None:
    """Messages per second per concurrency, (a) next to (b)."""
    runs, levels = concurrency_levels(latency)
    if not levels:
        return None
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6, 4))
    width = 0.38
    for i, key in enumerate(k for k in ("ours", "default") if k in runs):
        values = [get(runs, key, str(c), "throughput_msg_s", default=0) for c in levels]
        bars = ax.bar(
            [j + (i - 0.5) * width for j in range(len(levels))],
            values,
            width,
            label=LABELS[key],
            color=COLORS[key],
        )
        ax.bar_label(bars, labels=[f"{v:.1f}" for v in values], fontsize=8)
    ax.set_xticks(range(len(levels)), [str(c) for c in levels])
    ax.set_xlabel("conversas simultâneas")
    ax.set_ylabel("mensagens respondidas por segundo")
    ax.set_title("Vazão no canal REST")
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out


def plot_rss(memory: dict, out: Path) -> Path | None:
    """RSS of both servers over the turns, with the fitted trend."""
    at = memory.get("at") or []
    if len(at) < 2:
        return None
    plt = _plt()
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    names = {"rasa": "servidor Rasa", "acoes": "servidor de ações"}
    for ax, key in zip(axes, ("rasa", "acoes"), strict=True):
        values = get(memory, "rss", key) or []
        if not values:
            continue
        ax.plot(at, values, marker=".", color="#00579c", label="RSS medido")
        trend = get(memory, "trend", key) or {}
        slope = trend.get("slope_mb_per_1k", 0) / 1000
        start = [(t, v) for t, v in zip(at, values, strict=False) if t >= at[-1] * 0.1]
        if start:
            mx = sum(t for t, _ in start) / len(start)
            my = sum(v for _, v in start) / len(start)
            xs = [start[0][0], start[-1][0]]
            ax.plot(
                xs,
                [my + slope * (x - mx) for x in xs],
                "--",
                color="#d9822b",
                label=f"tendência: {trend.get('slope_mb_per_1k', 0):+.2f} MB/1.000 turnos",
            )
        ax.set_title(names[key])
        ax.set_xlabel("mensagens respondidas")
        ax.set_ylabel("RSS (MB)")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle(f"Memória ao longo de {integer(at[-1])} turnos")
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out
