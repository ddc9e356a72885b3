"""The performance and quality targets (on a 2-core machine) and whether the
measured figures meet them."""

from __future__ import annotations

from bench.common import median
from bench.formatting import get, integer, num, pct, ratio

OK, FAIL, NA = "✅ atingida", "❌ não atingida", "— não medida"


def status(ok: bool | None) -> str:
    """The "situação" cell: met, not met or not measured."""
    return NA if ok is None else (OK if ok else FAIL)


def assess(q, lat, start, mem) -> list[tuple[str, str, bool | None]]:
    """(target, what was measured, met?) for each target, from the quality, latency,
    start and memory results; met is None when not measured."""
    rows: list[tuple[str, str, bool | None]] = []
    o10, b10 = get(lat, "runs", "ours", "10"), get(lat, "runs", "default", "10")
    p50 = ratio(get(o10, "latency_ms", "p50"), get(b10, "latency_ms", "p50"))
    rows.append(
        (
            "p50 por turno com 10 simultâneas ≤ 0,5 × (b)",
            f"{num(get(o10, 'latency_ms', 'p50'), 0)} ms "
            f"vs {num(get(b10, 'latency_ms', 'p50'), 0)} ms"
            f" → {num(p50, 2)} ×",
            None if p50 is None else p50 <= 0.5,
        )
    )
    tp = ratio(get(o10, "throughput_msg_s"), get(b10, "throughput_msg_s"))
    rows.append(
        (
            "vazão com 10 simultâneas ≥ 2 × (b)",
            f"{num(get(o10, 'throughput_msg_s'))} vs {num(get(b10, 'throughput_msg_s'))} msg/s"
            f" → {num(tp, 2)} ×",
            None if tp is None else tp >= 2,
        )
    )
    p95 = get(o10, "latency_ms", "p95")
    rows.append(
        (
            "p95 com 10 simultâneas ≤ 150 ms",
            f"{num(p95, 0)} ms",
            None if p95 is None else p95 <= 150,
        )
    )
    acc_a, acc_b = get(q, "ours", "accuracy"), get(q, "default", "accuracy")
    acc_c = get(q, "baseline", "accuracy")
    ok = None if None in (acc_a, acc_b, acc_c) else (acc_a >= acc_b + 0.03 and acc_a >= acc_c)
    points = None if None in (acc_a, acc_b) else 100 * (acc_a - acc_b)
    rows.append(
        (
            "acurácia no conjunto separado ≥ (b) + 3 pontos e ≥ baseline (c)",
            f"{pct(acc_a)} vs (b) {pct(acc_b)} ({num(points, 1)} pontos) e (c) {pct(acc_c)}",
            ok,
        )
    )
    cold = [r.get("primeira_resposta_s") for r in (get(start, "runs") or [])]
    cold_med = median(cold) if cold else None
    rows.append(
        (
            "partida a frio (launcher → 1ª resposta) ≤ 15 s",
            f"mediana {num(cold_med)} s ({', '.join(num(c) for c in cold)})" if cold else "—",
            None if cold_med is None else cold_med <= 15,
        )
    )
    rows.append(
        (
            "partida a frio ≤ 8 s (meta do issue de velocidade e memória)",
            f"mediana {num(cold_med)} s" if cold else "—",
            None if cold_med is None else cold_med <= 8,
        )
    )
    train = get(q, "ours", "train_s")
    rows.append(
        (
            "`rasa train` completo (cache vazio) ≤ 2 min",
            f"{num(train, 0)} s",
            None if train is None else train <= 120,
        )
    )
    peak, growth = get(mem, "peak", "rasa"), get(mem, "trend", "rasa", "growth")
    slope = get(mem, "trend", "rasa", "slope_mb_per_1k")
    rows.append(
        (
            f"RSS do servidor Rasa ≤ 800 MB, sem tendência de alta em "
            f"{integer(get(mem, 'turns', default=10000))} turnos",
            f"pico {num(peak, 0)} MB; tendência {num(slope, 2)} MB/1.000 turnos"
            + ("" if growth is None else (" (crescimento)" if growth else " (estável)")),
            None if peak is None else (peak <= 800 and not growth),
        )
    )
    rows.append(
        (
            "RSS do servidor Rasa ≤ 600 MB, estável (meta do issue de velocidade e memória)",
            f"pico {num(peak, 0)} MB",
            None if peak is None else (peak <= 600 and not growth),
        )
    )
    return rows


def _capacity(ol: dict, profile: str, key: str) -> float | None:
    return get(ol, "profiles", profile, "configs", key, "capacity_msg_s")


def _ladder_ran(ol: dict, profile: str, key: str) -> bool:
    return bool(get(ol, "profiles", profile, "configs", key, "steps"))


def _capacity_target(
    ol: dict, profile: str, factor: float, name: str
) -> tuple[str, str, bool | None]:
    """Capacity of (a) on ``profile`` ≥ ``factor`` × that of (b) on development;
    (b) passing no step counts as capacity 0."""
    a, b = _capacity(ol, profile, "ours"), _capacity(ol, "desenvolvimento", "default")
    ran = _ladder_ran(ol, profile, "ours") and _ladder_ran(ol, "desenvolvimento", "default")
    times = ratio(a, b)
    measured = f"{num(a, 0)} vs {num(b, 0)} msg/s" + (f" → {num(times, 2)} ×" if times else "")
    ok = None if not ran else (a or 0) >= factor * (b or 0) and bool(a)
    steps = get(ol, "profiles", profile, "configs", "ours", "steps") or []
    at_cap = next((s for s in steps if a and s.get("rate_msg_s") == a and s.get("ok")), None)
    if ran and at_cap and at_cap.get("cpu_ms_per_msg_total"):
        measured += (
            f" (na capacidade: {num(at_cap['cpu_ms_per_msg_total'], 1)} ms de CPU por mensagem "
            f"somando os processos, {num(at_cap.get('machine_busy_cores'), 2)} núcleos ocupados)"
        )
    return name, measured if ran else "—", ok


def assess_openloop(ol: dict) -> list[tuple[str, str, bool | None]]:
    """The open-loop targets: capacity ratios and p99 at 20 msg/s on (a)."""
    rows = [
        _capacity_target(
            ol, "desenvolvimento", 2, "desenvolvimento: capacidade em malha aberta ≥ 2 × (b)"
        )
    ]
    steps = get(ol, "profiles", "desenvolvimento", "configs", "ours", "steps") or []
    at20 = next((s for s in steps if s.get("rate_msg_s") == 20), None)
    p99 = get(at20, "latency_ms", "p99")
    failures = None if at20 is None else at20["errors"] + at20["timeouts"] + at20["empty_replies"]
    if at20 is None:  # not measured, or the ladder stopped (failed) below 20 msg/s
        top = max((s["rate_msg_s"] for s in steps), default=None)
        measured = "—" if top is None else f"a escada parou em {num(top, 0)} msg/s"
        ok = None if top is None else False
    else:
        measured = f"{num(p99, 0)} ms, {failures} falhas"
        ok = p99 is not None and p99 <= 150 and failures == 0
    rows.append(("a 20 msg/s em malha aberta, p99 ≤ 150 ms ((a), desenvolvimento)", measured, ok))
    rows.append(
        _capacity_target(
            ol, "producao", 3, "produção: capacidade de (a) ≥ 3 × a de (b) no desenvolvimento"
        )
    )
    return rows
