"""docs/BENCHMARKS.md and the plots (docs/img/bench-*.png) from the JSON
results of ``bench.run``. Sections that were not measured say so; each
section shows when and on which commit it was measured, and every target
is marked met / not met.

Usage: python -m bench.report [--results results/bench] [--doc docs/BENCHMARKS.md]
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

from bench.common import DEFAULT_RESULTS, ROOT, load_json, median

OK, FAIL, NA = "✅ atingida", "❌ não atingida", "— não medida"
LABELS = {"ours": "nosso (a)", "default": "padrão do Rasa (b)", "baseline": "TF-IDF + RL (c)"}
COLORS = {"ours": "#00579c", "default": "#d9822b"}
NOISY_LOAD = 0.7  # 1-minute load average above this before a section: noisy machine


# ------------------------------------------------------------------ helpers
def _f(value, digits: int = 1, suffix: str = "") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value:,.{digits}f}{suffix}".replace(",", "\u2009").replace(".", ",")


def _int(value) -> str:
    """An integer with a dot every three digits (Portuguese)."""
    return "—" if value is None else f"{int(value):,}".replace(",", ".")


def _pct(value) -> str:
    return "—" if value is None else _f(100 * value, 1, "%")


def _ratio(a, b) -> float | None:
    if a is None or b in (None, 0) or (isinstance(a, float) and math.isnan(a)):
        return None
    return a / b


def _status(ok: bool | None) -> str:
    return NA if ok is None else (OK if ok else FAIL)


def _get(data, *keys, default=None):
    for key in keys:
        if not isinstance(data, dict) or key not in data:
            return default
        data = data[key]
    return data


def _section_note(meta: dict | None) -> str:
    if not meta:
        return ""
    noisy = meta.get("loadavg", 0) > NOISY_LOAD
    note = (
        f"_Medido em {meta.get('date', '?')}, commit `{meta.get('git', '?')}`, "
        f"{_f(meta.get('elapsed_s'), 0)} s; carga do sistema antes/depois: "
        f"{_f(meta.get('loadavg'), 2)} / {_f(meta.get('loadavg_after'), 2)}"
    )
    if noisy:
        note += (
            " — **carga alta antes da seção** (a média de 1 minuto inclui a seção "
            "anterior do próprio benchmark; acima disso, outro trabalho na máquina "
            "deixa os números com ruído)"
        )
    return note + "._\n"


# -------------------------------------------------------------------- plots
def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _levels(latency: dict):
    """The runs by model and the concurrency levels they measured."""
    runs = latency.get("runs") or {}
    return runs, sorted({int(c) for r in runs.values() for c in r if not c.startswith("_")})


def plot_latency(latency: dict, out: Path) -> Path | None:
    """p50/p95/p99 per concurrency, (a) next to (b), log scale."""
    runs, levels = _levels(latency)
    if not levels:
        return None
    plt = _plt()
    fig, axes = plt.subplots(1, len(levels), figsize=(4 * len(levels), 4), sharey=True)
    axes = axes if len(levels) > 1 else [axes]
    for ax, c in zip(axes, levels):
        width, x = 0.38, range(3)
        for i, key in enumerate(k for k in ("ours", "default") if k in runs):
            lat = _get(runs, key, str(c), "latency_ms") or {}
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
    runs, levels = _levels(latency)
    if not levels:
        return None
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6, 4))
    width = 0.38
    for i, key in enumerate(k for k in ("ours", "default") if k in runs):
        values = [_get(runs, key, str(c), "throughput_msg_s", default=0) for c in levels]
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
    for ax, key in zip(axes, ("rasa", "acoes")):
        values = _get(memory, "rss", key) or []
        if not values:
            continue
        ax.plot(at, values, marker=".", color="#00579c", label="RSS medido")
        trend = _get(memory, "trend", key) or {}
        slope = trend.get("slope_mb_per_1k", 0) / 1000
        start = [(t, v) for t, v in zip(at, values) if t >= at[-1] * 0.1]
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
    fig.suptitle(f"Memória ao longo de {_int(at[-1])} turnos")
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out


# ---------------------------------------------------------------- sections
def _targets(q, lat, start, mem) -> list[tuple[str, str, bool | None]]:
    rows: list[tuple[str, str, bool | None]] = []
    o10, b10 = _get(lat, "runs", "ours", "10"), _get(lat, "runs", "default", "10")
    p50 = _ratio(_get(o10, "latency_ms", "p50"), _get(b10, "latency_ms", "p50"))
    rows.append(
        (
            "p50 por turno com 10 simultâneas ≤ 0,5 × (b)",
            f"{_f(_get(o10, 'latency_ms', 'p50'), 0)} ms vs {_f(_get(b10, 'latency_ms', 'p50'), 0)} ms"
            f" → {_f(p50, 2)} ×",
            None if p50 is None else p50 <= 0.5,
        )
    )
    tp = _ratio(_get(o10, "throughput_msg_s"), _get(b10, "throughput_msg_s"))
    rows.append(
        (
            "vazão com 10 simultâneas ≥ 2 × (b)",
            f"{_f(_get(o10, 'throughput_msg_s'))} vs {_f(_get(b10, 'throughput_msg_s'))} msg/s"
            f" → {_f(tp, 2)} ×",
            None if tp is None else tp >= 2,
        )
    )
    p95 = _get(o10, "latency_ms", "p95")
    rows.append(
        ("p95 com 10 simultâneas ≤ 150 ms", f"{_f(p95, 0)} ms", None if p95 is None else p95 <= 150)
    )
    acc_a, acc_b = _get(q, "ours", "accuracy"), _get(q, "default", "accuracy")
    acc_c = _get(q, "baseline", "accuracy")
    ok = None if None in (acc_a, acc_b, acc_c) else (acc_a >= acc_b + 0.03 and acc_a >= acc_c)
    rows.append(
        (
            "acurácia no conjunto separado ≥ (b) + 3 pontos e ≥ baseline (c)",
            f"{_pct(acc_a)} vs (b) {_pct(acc_b)} ({_f(None if None in (acc_a, acc_b) else 100 * (acc_a - acc_b), 1)} pontos)"
            f" e (c) {_pct(acc_c)}",
            ok,
        )
    )
    cold = [r.get("primeira_resposta_s") for r in (_get(start, "runs") or [])]
    cold_med = median(cold) if cold else None
    rows.append(
        (
            "partida a frio (launcher → 1ª resposta) ≤ 15 s",
            f"mediana {_f(cold_med)} s ({', '.join(_f(c) for c in cold)})" if cold else "—",
            None if cold_med is None else cold_med <= 15,
        )
    )
    train = _get(q, "ours", "train_s")
    rows.append(
        (
            "`rasa train` completo (cache vazio) ≤ 2 min",
            f"{_f(train, 0)} s",
            None if train is None else train <= 120,
        )
    )
    peak, growth = _get(mem, "peak", "rasa"), _get(mem, "trend", "rasa", "growth")
    slope = _get(mem, "trend", "rasa", "slope_mb_per_1k")
    rows.append(
        (
            f"RSS do servidor Rasa ≤ 800 MB, sem tendência de alta em "
            f"{_int(_get(mem, 'turns', default=10000))} turnos",
            f"pico {_f(peak, 0)} MB; tendência {_f(slope, 2)} MB/1.000 turnos"
            + ("" if growth is None else (" (crescimento)" if growth else " (estável)")),
            None if peak is None else (peak <= 800 and not growth),
        )
    )
    return rows


def _quality_md(q: dict) -> str:
    if not q or "error" in q:
        return f"Não medida{': ' + q['error'][:300] if q else ''}.\n"
    lines = [
        "| modelo | acurácia (top-1) | macro-F1 (top-1) | acurácia c/ fallback | "
        "macro-F1 c/ fallback | treino do zero | modelo | parse/msg |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for key in ("ours", "default", "baseline"):
        r = q.get(key) or {}
        lines.append(
            f"| {LABELS[key]} | {_pct(r.get('accuracy'))} | {_f(r.get('macro_f1'), 3)} "
            f"| {_pct(r.get('accuracy_fallback'))} | {_f(r.get('macro_f1_fallback'), 3)} "
            f"| {_f(r.get('train_s'), 1 if key == 'baseline' else 0)} s "
            f"| {_f(r.get('model_mb'), 1, ' MB') if r.get('model_mb') else '—'} "
            f"| {_f(r.get('parse_ms'), 1, ' ms') if r.get('parse_ms') else '—'} |"
        )
    a, b, c = (_get(q, k, "accuracy") for k in ("ours", "default", "baseline"))
    n = _get(q, "ours", "n")
    text = "\n".join(lines) + "\n\n"
    if None not in (a, b, c):
        text += (
            f"Conjunto separado: {n} mensagens, {_get(q, 'ours', 'intents')} intents. "
            f"(a) − (b): {_f(100 * (a - b), 1)} pontos de acurácia; (a) − (c): "
            f"{_f(100 * (a - c), 1)} pontos. Treino de (a)/(b): {_f(_ratio(_get(q, 'ours', 'train_s'), _get(q, 'default', 'train_s')), 2)} ×.\n"
        )
    quando_b = _get(q, "default", "train_measured_at")
    if quando_b:
        text += (
            f"\nModelo (b) reaproveitado (`--reuse-b`): treinado e cronometrado em {quando_b}, "
            "com a mesma configuração padrão e os mesmos dados; avaliado nesta rodada.\n"
        )
    return text


def _latency_md(lat: dict) -> str:
    runs, levels = _levels(lat or {})
    if not runs or "error" in (lat or {}):
        return f"Não medida{': ' + lat['error'][:300] if lat and 'error' in lat else ''}.\n"
    lines = [
        "| simultâneas | modelo | mensagens | p50 | p95 | p99 | máx | msg/s | erros | "
        "cadastros concluídos | CPU Rasa/msg | CPU ações/msg |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for c in levels:
        for key in ("ours", "default"):
            r = _get(runs, key, str(c))
            if not r:
                continue
            lat_ms = r["latency_ms"]
            cad = f"{r.get('protocols', 0)}/{_get(r, 'conversations', 'cadastro', default=0)}"
            cpu = r.get("cpu_s_per_msg") or {}
            lines.append(
                f"| {c} | {LABELS[key]} | {r['turns']} | {_f(lat_ms['p50'], 0)} ms "
                f"| {_f(lat_ms['p95'], 0)} ms | {_f(lat_ms['p99'], 0)} ms "
                f"| {_f(lat_ms['max'], 0)} ms | {_f(r['throughput_msg_s'])} "
                f"| {r['errors'] + r['empty_replies']} | {cad} "
                f"| {_f(1000 * cpu.get('rasa', math.nan), 1)} ms "
                f"| {_f(1000 * cpu.get('acoes', math.nan), 1)} ms |"
            )
        o, b = _get(runs, "ours", str(c)), _get(runs, "default", str(c))
        if o and b:
            lines.append(
                f"| {c} | **razão (a)/(b)** | | "
                f"**{_f(_ratio(o['latency_ms']['p50'], b['latency_ms']['p50']), 2)} ×** "
                f"| {_f(_ratio(o['latency_ms']['p95'], b['latency_ms']['p95']), 2)} × "
                f"| {_f(_ratio(o['latency_ms']['p99'], b['latency_ms']['p99']), 2)} × | "
                f"| **{_f(_ratio(o['throughput_msg_s'], b['throughput_msg_s']), 2)} ×** "
                f"| | | | |"
            )
    text = "\n".join(lines) + "\n\n"
    # per kind at 10
    kinds = [
        "| tipo de turno (10 simultâneas) | (a) p50 | (a) p95 | (b) p50 | (b) p95 | (a)/(b) p50 |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    names = {
        "faq": "pergunta (FAQ, saudação, agradecimento)",
        "form": "formulário de cadastro",
        "fallback": "fora do escopo / não entendido",
    }
    for kind, name in names.items():
        o = _get(runs, "ours", "10", "latency_ms_by_kind", kind)
        b = _get(runs, "default", "10", "latency_ms_by_kind", kind)
        if o or b:
            kinds.append(
                f"| {name} | {_f(_get(o, 'p50'), 0)} ms | {_f(_get(o, 'p95'), 0)} ms "
                f"| {_f(_get(b, 'p50'), 0)} ms | {_f(_get(b, 'p95'), 0)} ms "
                f"| {_f(_ratio(_get(o, 'p50'), _get(b, 'p50')), 2)} × |"
            )
    text += "\n".join(kinds) + "\n\n"
    rss = [
        "| modelo | partida até a 1ª resposta | RSS Rasa (ocioso → após a carga) | "
        "RSS ações (ocioso → após a carga) |",
        "|---|---:|---:|---:|",
    ]
    for key in ("ours", "default"):
        st = _get(runs, key, "_start") or {}
        last = _get(runs, key, str(levels[-1]), "rss_after") or {}
        rss.append(
            f"| {LABELS[key]} | {_f(st.get('start_s'))} s "
            f"| {_f(_get(st, 'rss_idle', 'rasa'), 0)} → {_f(last.get('rasa'), 0)} MB "
            f"| {_f(_get(st, 'rss_idle', 'acoes'), 0)} → {_f(last.get('acoes'), 0)} MB |"
        )
    return text + "\n".join(rss) + "\n"


def _start_md(start: dict) -> str:
    runs = _get(start, "runs") or []
    if not runs:
        return f"Partida a frio não medida{': ' + start['error'][:300] if start and 'error' in start else ''}.\n"
    out = ["| execução | launcher → 1ª resposta | RSS Rasa | RSS ações |", "|---:|---:|---:|---:|"]
    for i, r in enumerate(runs, 1):
        out.append(
            f"| {i} | {_f(r.get('primeira_resposta_s'))} s | {_f(r.get('rss_rasa_mb'), 0)} MB "
            f"| {_f(r.get('rss_acoes_mb'), 0)} MB |"
        )
    return "\n".join(out) + "\n"


def _memory_md(mem: dict) -> str:
    out = []
    if not mem or "error" in mem or not mem.get("at"):
        out.append(
            f"Memória ao longo dos turnos não medida{': ' + mem['error'][:300] if mem and 'error' in mem else ''}."
        )
        return "\n".join(out) + "\n"
    out.append(
        f"{_int(mem['turns'])} mensagens com {mem.get('concurrency', '?')} conversas "
        f"simultâneas (mesma mistura da carga), RSS lido a cada {mem['every']} mensagens; "
        f"tendência = reta de mínimos quadrados depois dos primeiros 10% (aquecimento); "
        f'"crescimento" = alta projetada > 20 MB no período com r² ≥ 0,5. Vazão no '
        f"período: {_f(_get(mem, 'load', 'throughput_msg_s'))} msg/s; p95 "
        f"{_f(_get(mem, 'load', 'latency_ms', 'p95'), 0)} ms; erros "
        f"{_get(mem, 'load', 'errors', default=0)}.\n"
    )
    out.append(
        "| processo | RSS estável (após aquecimento) | RSS final | pico | tendência "
        "(MB/1.000 turnos) | alta projetada | r² | veredito |"
    )
    out.append("|---|---:|---:|---:|---:|---:|---:|---|")
    names = {"rasa": "servidor Rasa", "acoes": "servidor de ações"}
    for key, name in names.items():
        t = _get(mem, "trend", key) or {}
        out.append(
            f"| {name} | {_f(_get(mem, 'steady', key), 0)} MB | {_f(_get(mem, 'final', key), 0)} MB "
            f"| {_f(_get(mem, 'peak', key), 0)} MB | {_f(t.get('slope_mb_per_1k'), 2)} "
            f"| {_f(t.get('projected_growth_mb'), 0)} MB | {_f(t.get('r2'), 2)} "
            f"| {'crescimento' if t.get('growth') else 'estável'} |"
        )
    return "\n".join(out) + "\n"


def _filing_md(fil: dict) -> str:
    if not fil or "error" in fil:
        return f"Não medido{': ' + fil['error'][:300] if fil else ''}.\n"
    s, c = fil.get("sequential") or {}, fil.get("concurrent") or {}
    rows = [
        "| cenário | pedidos | p50 | p95 | p99 | máx | pedidos/s | erros | protocolos únicos e sequenciais | planilhas |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|---:|",
    ]
    if s:
        sm = s["submit_ms"]
        rows.append(
            f"| um por vez | {s['requests']} | {_f(sm['p50'], 0)} ms | {_f(sm['p95'], 0)} ms "
            f"| {_f(sm['p99'], 0)} ms | {_f(sm['max'], 0)} ms | {_f(1000 / sm['mean'] if sm['mean'] else None)} "
            f"| 0 | {'sim' if s['unique_protocols'] and s['sequential'] else 'NÃO'} | {s['spreadsheets']} |"
        )
    if c:
        cm = c["submit_ms"]
        rows.append(
            f"| {c['threads']} threads ao mesmo tempo | {c['requests']} | {_f(cm['p50'], 0)} ms "
            f"| {_f(cm['p95'], 0)} ms | {_f(cm['p99'], 0)} ms | {_f(cm['max'], 0)} ms "
            f"| {_f(c['throughput_req_s'])} | {c['errors']} "
            f"| {'sim' if c['unique_protocols'] and c['sequential'] else 'NÃO'} | {c['spreadsheets']} |"
        )
    fill = _get(s, "fill_ms", "p50")
    return (
        "\n".join(rows) + "\n\n" + f"Preenchimento campo a campo pelo motor (validação de "
        f"unidade, nome, CPF, e-mail, sigla e cargo, sem o registro): p50 {_f(fill, 2)} ms por "
        f"pedido.\n"
    )


def _levers_md(lev: dict, ours_quality: dict | None = None) -> str:
    if not lev or "error" in lev:
        return f"Não medidas{': ' + lev['error'][:300] if lev else ''}.\n"
    # reference: `base`, or `base-fim` when the run measured only some levers
    base = lev.get("base") or lev.get("base-fim") or {}

    def delta(value, ref):
        if value is None or ref in (None, 0):
            return ""
        change = 100 * (value - ref) / ref
        return f" ({change:+.0f}%)"

    rows = [
        "| alavanca | treino | acurácia / macro-F1 | partida | ações prontas | RSS Rasa ocioso → final "
        "| RSS ações ocioso → final | p50 / p95 c=10 | msg/s c=10 | p95 / msg/s c=50 | RSS Rasa MB/1.000 turnos |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    b_soak = _get(base, "soak", "load") or {}
    for key, r in lev.items():
        title = f"**{key}**: {r.get('title', '')}"
        if "skipped" in r or "error" in r:
            why = (
                (r.get("skipped") or "falhou: " + r["error"][:150])
                .replace("|", "/")
                .replace("\n", " ")
            )
            rows.append(f"| {title} | {why} " + "|" * 10)
            continue
        q = r.get("quality") or ({} if key not in ("base", "base-fim") else ours_quality or {})
        soak_load = _get(r, "soak", "load") or {}
        lat = soak_load.get("latency_ms") or {}
        c50 = _get(r, "loads", "50") or {}
        rows.append(
            f"| {title} | {_f(r.get('train_s'), 0, ' s') if r.get('train_s') else '—'} "
            f"| {(_pct(q.get('accuracy')) + ' / ' + _f(q.get('macro_f1'), 3)) if q else '—'} "
            f"| {_f(r.get('start_s'), 1, ' s') if r.get('start_s') else '—'} "
            f"| {_f(r.get('actions_ready_s'), 1, ' s') if r.get('actions_ready_s') else '—'} "
            f"| {_f(_get(r, 'rss_idle', 'rasa'), 0)} → {_f(_get(r, 'rss_final', 'rasa'), 0)} MB"
            f"{delta(_get(r, 'rss_final', 'rasa'), _get(base, 'rss_final', 'rasa'))} "
            f"| {_f(_get(r, 'rss_idle', 'acoes'), 0)} → {_f(_get(r, 'rss_final', 'acoes'), 0)} MB"
            f"{delta(_get(r, 'rss_idle', 'acoes'), _get(base, 'rss_idle', 'acoes'))} "
            f"| {_f(lat.get('p50'), 0)} / {_f(lat.get('p95'), 0)} ms{delta(lat.get('p50'), _get(b_soak, 'latency_ms', 'p50'))} "
            f"| {_f(soak_load.get('throughput_msg_s'))}{delta(soak_load.get('throughput_msg_s'), b_soak.get('throughput_msg_s'))} "
            f"| {(_f(_get(c50, 'latency_ms', 'p95'), 0) + ' ms / ' + _f(c50.get('throughput_msg_s'))) if c50 else '—'} "
            f"| {_f(_get(r, 'soak', 'trend', 'rasa', 'slope_mb_per_1k'), 2)} |"
        )
    return (
        "Percentuais entre parênteses: diferença para `base` (medida no início; `base-fim` "
        "repete a mesma configuração no fim e mostra o ruído da máquina). Cada alavanca "
        "servida: aquecimento, depois "
        f"{_get(base, 'soak', 'turns', default='?')} mensagens com 10 conversas simultâneas; "
        "as de workers/referência também com 50. A acurácia de `base` é a de (a) na seção de "
        "qualidade.\n\n" + "\n".join(rows) + "\n"
    )


# ------------------------------------------------------------------- write
NOTES = Path(__file__).resolve().parent / "NOTAS.md"


def _notes() -> str:
    """Hand-measured experiments (bench/NOTAS.md, dated there), verbatim."""
    return NOTES.read_text(encoding="utf-8") + "\n" if NOTES.is_file() else ""


def write(results: Path, doc: Path, img: Path) -> Path:
    """Render the Markdown and the plots from ``results``; the doc path."""
    sections = {
        name: load_json(results / f"{name}.json") or {}
        for name in ("start", "quality", "latency", "memory", "filing", "levers")
    }
    data = {k: v.get("data") or {} for k, v in sections.items()}
    metas = {k: v.get("meta") for k, v in sections.items()}
    first = next((m for m in metas.values() if m), None) or {}
    img.mkdir(parents=True, exist_ok=True)
    doc.parent.mkdir(parents=True, exist_ok=True)
    plots = {
        "latency": plot_latency(data["latency"], img / "bench-latencia.png"),
        "throughput": plot_throughput(data["latency"], img / "bench-vazao.png"),
        "rss": plot_rss(data["memory"], img / "bench-memoria.png"),
    }

    def pic(key, alt):
        p = plots.get(key)
        return f"![{alt}]({_rel(p, doc)})\n" if p else ""

    v = first.get("versions") or {}
    out = [
        "# Benchmarks do assistente do SEI",
        "",
        "Gerado por `make bench` (scripts em `bench/`; não edite à mão). Tudo em "
        "127.0.0.1, com número limitado de mensagens. `make bench-smoke` roda uma versão "
        "de poucos segundos que só confere que o harness funciona.",
        "",
        f"**Máquina:** {first.get('cpu', '?')}, {first.get('cores', '?')} núcleos "
        f"({first.get('cores_usable', '?')} utilizáveis), {_f(first.get('ram_gib'))} GiB de RAM, "
        f"{first.get('os', '?')} (kernel {first.get('kernel', '?')}).  ",
        f"**Data:** {first.get('date', '?')}; **commit:** `{first.get('git', '?')}`.  ",
        "**Versões:** " + ", ".join(f"{k} {val}" for k, val in v.items()) + ".",
        "",
        "Modelos comparados: **(a)** o nosso (`config.yml`); **(b)** os mesmos `data/` e "
        "`domain.yml` com a configuração que o Rasa 3.6 aplica quando `config.yml` não "
        "define pipeline nem políticas (a que o `rasa init` deixa comentada: "
        "WhitespaceTokenizer, RegexFeaturizer, LexicalSyntacticFeaturizer, "
        "CountVectorsFeaturizer de palavras e de caracteres 1-4, DIET 100 épocas, "
        "EntitySynonymMapper, ResponseSelector, FallbackClassifier 0,3; MemoizationPolicy, "
        "RulePolicy, UnexpecTEDIntentPolicy, TEDPolicy), servido pelos mesmos comandos do "
        "launcher e o mesmo servidor de ações; **(c)** o baseline TF-IDF de n-gramas de "
        "caracteres + regressão logística de `bot/rasa/nlu_eval.py`.",
        "",
        "## Metas",
        "",
        "| meta (máquina de 2 núcleos) | medido | situação |",
        "|---|---|---|",
    ]
    for name, measured, ok in _targets(
        data["quality"], data["latency"], data["start"], data["memory"]
    ):
        out.append(f"| {name} | {measured} | {_status(ok)} |")
    out += [
        "",
        "## Qualidade no conjunto separado",
        "",
        _section_note(metas["quality"]),
        "`tests/data/nlu_heldout.yml`, nunca usado no treino. Top-1: a intent mais provável "
        "fora `nlu_fallback`; c/ fallback: mensagem que o FallbackClassifier transformou em "
        "`nlu_fallback` conta como erro. Treino: `rasa train` completo, cache vazio "
        "(`RASA_CACHE_DIRECTORY` novo), pasta de saída própria.",
        "",
        _quality_md(data["quality"]),
        "## Latência e vazão no canal REST",
        "",
        _section_note(metas["latency"]),
        "Cliente assíncrono (aiohttp) com N conversas simultâneas, cada uma mandando a "
        "próxima mensagem assim que recebe a resposta (sem tempo de leitura). Mistura de "
        "conversas: 60% perguntas do conjunto separado (com saudação/agradecimento às vezes), "
        "20% cadastros de usuário completos (CPF gerado válido, e-mail, unidade, cargo, "
        "confirmação: protocolo e planilha de verdade) e 20% mensagens fora do escopo ou "
        "ruído. (a) e (b) ficam no ar ao mesmo tempo e são medidos alternadamente em cada "
        'nível. "cadastros concluídos": protocolos recebidos / cadastros iniciados (os '
        "cortados no fim da rodada contam como iniciados).",
        "",
        _latency_md(data["latency"]),
        pic("latency", "latência por concorrência"),
        pic("throughput", "vazão por concorrência"),
        "## Partida e memória",
        "",
        _section_note(metas["start"]),
        "Partida a frio: `bench/first_answer.py` (o que `make run` inicia, com o modelo "
        "treinado presente, até a primeira resposta no canal REST).",
        "",
        _start_md(data["start"]),
        "### Memória ao longo dos turnos",
        "",
        _section_note(metas["memory"]),
        _memory_md(data["memory"]),
        pic("rss", "RSS ao longo dos turnos"),
        "## Registro de solicitações (SQLite)",
        "",
        _section_note(metas["filing"]),
        "`bot.solicitacoes.servicos.Servicos.registrar` com um `bot.solicitacoes.motor.Estado` de cadastro preenchido "
        "pelo motor: validação das linhas, gravação com o contador de protocolo e a planilha "
        "`.xlsx`. Com threads, um único `Servicos` compartilhado (como no servidor de ações), "
        "todas liberadas juntas.",
        "",
        _filing_md(data["filing"]),
        "## Alavancas medidas",
        "",
        _section_note(metas["levers"]),
        "Cada alavanca numa cópia temporária do projeto (configuração/código) ou só no "
        "ambiente/endpoints dos servidores de benchmark; nada do projeto é alterado. "
        "Alavancas que mudam a NLU são treinadas do zero e avaliadas no conjunto separado.",
        "",
        _levers_md(data["levers"], data["quality"].get("ours")),
        _notes(),
        "## Como reproduzir",
        "",
        "```sh",
        "make bench                      # tudo (~1 h em 2 núcleos sem outro trabalho: o modelo (b) treina ~16 min)",
        "make bench BENCH_ARGS='--reuse-b'   # reaproveita o modelo (b) da rodada anterior",
        "make bench BENCH_ARGS='--lever-turns 300'   # alavancas com 300 mensagens cada (padrão: 1.000)",
        "make bench BENCH_ARGS='--only latency,memory'   # refaz seções; o resto é mantido",
        "make bench BENCH_ARGS='--skip levers'",
        "make bench-smoke                # poucos segundos; resultados numa pasta temporária",
        "```",
        "",
        "Resultados brutos (JSON) em `results/bench/`; registros dos servidores em "
        "`/tmp/sei-bench-run/`.",
        "",
    ]
    doc.write_text("\n".join(out), encoding="utf-8")
    return doc


def _rel(path: Path, doc: Path) -> str:
    try:
        return str(path.resolve().relative_to(doc.resolve().parent))
    except ValueError:
        return str(path)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--results", type=Path, default=DEFAULT_RESULTS)
    parser.add_argument("--doc", type=Path, default=ROOT / "docs" / "BENCHMARKS.md")
    parser.add_argument("--img", type=Path, default=ROOT / "docs" / "img")
    args = parser.parse_args(argv)
    print(write(args.results, args.doc, args.img))
    return 0


if __name__ == "__main__":
    sys.exit(main())
