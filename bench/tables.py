"""The Markdown tables of each report section, with their short captions."""

from __future__ import annotations

import math
from typing import Any

from bench.formatting import LABELS, concurrency_levels, get, integer, num, pct, ratio

NOISY_LOAD = 0.7  # 1-minute load average above this before a section: noisy machine


def section_note(meta: dict | None) -> str:
    if not meta:
        return ""
    noisy = meta.get("loadavg", 0) > NOISY_LOAD
    note = (
        f"_Medido em {meta.get('date', '?')}, commit `{meta.get('git', '?')}`, "
        f"{num(meta.get('elapsed_s'), 0)} s; carga do sistema antes/depois: "
        f"{num(meta.get('loadavg'), 2)} / {num(meta.get('loadavg_after'), 2)}"
    )
    if noisy:
        note += (
            " — **carga alta antes da seção** (a média de 1 minuto inclui a seção "
            "anterior do próprio benchmark; acima disso, outro trabalho na máquina "
            "deixa os números com ruído)"
        )
    return note + "._\n"


def quality_md(q: dict) -> str:
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
            f"| {LABELS[key]} | {pct(r.get('accuracy'))} | {num(r.get('macro_f1'), 3)} "
            f"| {pct(r.get('accuracy_fallback'))} | {num(r.get('macro_f1_fallback'), 3)} "
            f"| {num(r.get('train_s'), 1 if key == 'baseline' else 0)} s "
            f"| {num(r.get('model_mb'), 1, ' MB') if r.get('model_mb') else '—'} "
            f"| {num(r.get('parse_ms'), 1, ' ms') if r.get('parse_ms') else '—'} |"
        )
    a, b, c = (get(q, k, "accuracy") for k in ("ours", "default", "baseline"))
    n = get(q, "ours", "n")
    train = ratio(get(q, "ours", "train_s"), get(q, "default", "train_s"))
    text = "\n".join(lines) + "\n\n"
    if None not in (a, b, c):
        text += (
            f"Conjunto separado: {n} mensagens, {get(q, 'ours', 'intents')} intents. "
            f"(a) − (b): {num(100 * (a - b), 1)} pontos de acurácia; (a) − (c): "
            f"{num(100 * (a - c), 1)} pontos. Treino de (a)/(b): {num(train, 2)} ×.\n"
        )
    quando_b = get(q, "default", "train_measured_at")
    if quando_b:
        text += (
            f"\nModelo (b) reaproveitado (`--reuse-b`): treinado e cronometrado em {quando_b}, "
            "com a mesma configuração padrão e os mesmos dados; avaliado nesta rodada.\n"
        )
    return text


def latency_md(lat: dict) -> str:
    runs, levels = concurrency_levels(lat or {})
    if not runs or "error" in (lat or {}):
        return f"Não medida{': ' + lat['error'][:300] if lat and 'error' in lat else ''}.\n"
    lines = [
        "| simultâneas | modelo | mensagens | p50 | p95 | p99 | máx | msg/s | erros | "
        "cadastros concluídos | CPU Rasa/msg | CPU ações/msg |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for c in levels:
        for key in ("ours", "default"):
            r = get(runs, key, str(c))
            if not r:
                continue
            lat_ms = r["latency_ms"]
            cad = f"{r.get('protocols', 0)}/{get(r, 'conversations', 'cadastro', default=0)}"
            cpu = r.get("cpu_s_per_msg") or {}
            lines.append(
                f"| {c} | {LABELS[key]} | {r['turns']} | {num(lat_ms['p50'], 0)} ms "
                f"| {num(lat_ms['p95'], 0)} ms | {num(lat_ms['p99'], 0)} ms "
                f"| {num(lat_ms['max'], 0)} ms | {num(r['throughput_msg_s'])} "
                f"| {r['errors'] + r['empty_replies']} | {cad} "
                f"| {num(1000 * cpu.get('rasa', math.nan), 1)} ms "
                f"| {num(1000 * cpu.get('acoes', math.nan), 1)} ms |"
            )
        o, b = get(runs, "ours", str(c)), get(runs, "default", str(c))
        if o and b:
            lines.append(
                f"| {c} | **razão (a)/(b)** | | "
                f"**{num(ratio(o['latency_ms']['p50'], b['latency_ms']['p50']), 2)} ×** "
                f"| {num(ratio(o['latency_ms']['p95'], b['latency_ms']['p95']), 2)} × "
                f"| {num(ratio(o['latency_ms']['p99'], b['latency_ms']['p99']), 2)} × | "
                f"| **{num(ratio(o['throughput_msg_s'], b['throughput_msg_s']), 2)} ×** "
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
        o = get(runs, "ours", "10", "latency_ms_by_kind", kind)
        b = get(runs, "default", "10", "latency_ms_by_kind", kind)
        if o or b:
            kinds.append(
                f"| {name} | {num(get(o, 'p50'), 0)} ms | {num(get(o, 'p95'), 0)} ms "
                f"| {num(get(b, 'p50'), 0)} ms | {num(get(b, 'p95'), 0)} ms "
                f"| {num(ratio(get(o, 'p50'), get(b, 'p50')), 2)} × |"
            )
    text += "\n".join(kinds) + "\n\n"
    rss = [
        "| modelo | partida até a 1ª resposta | RSS Rasa (ocioso → após a carga) | "
        "RSS ações (ocioso → após a carga) |",
        "|---|---:|---:|---:|",
    ]
    for key in ("ours", "default"):
        st = get(runs, key, "_start") or {}
        last = get(runs, key, str(levels[-1]), "rss_after") or {}
        rss.append(
            f"| {LABELS[key]} | {num(st.get('start_s'))} s "
            f"| {num(get(st, 'rss_idle', 'rasa'), 0)} → {num(last.get('rasa'), 0)} MB "
            f"| {num(get(st, 'rss_idle', 'acoes'), 0)} → {num(last.get('acoes'), 0)} MB |"
        )
    return text + "\n".join(rss) + "\n"


def start_md(start: dict) -> str:
    runs = get(start, "runs") or []
    if not runs:
        why = ": " + start["error"][:300] if start and "error" in start else ""
        return f"Partida a frio não medida{why}.\n"
    out = ["| execução | launcher → 1ª resposta | RSS Rasa | RSS ações |", "|---:|---:|---:|---:|"]
    for i, r in enumerate(runs, 1):
        out.append(
            f"| {i} | {num(r.get('primeira_resposta_s'))} s | {num(r.get('rss_rasa_mb'), 0)} MB "
            f"| {num(r.get('rss_acoes_mb'), 0)} MB |"
        )
    return "\n".join(out) + "\n"


def memory_md(mem: dict) -> str:
    out = []
    if not mem or "error" in mem or not mem.get("at"):
        why = ": " + mem["error"][:300] if mem and "error" in mem else ""
        out.append(f"Memória ao longo dos turnos não medida{why}.")
        return "\n".join(out) + "\n"
    out.append(
        f"{integer(mem['turns'])} mensagens com {mem.get('concurrency', '?')} conversas "
        f"simultâneas (mesma mistura da carga), RSS lido a cada {mem['every']} mensagens; "
        f"tendência = reta de mínimos quadrados depois dos primeiros 10% (aquecimento); "
        f'"crescimento" = alta projetada > 20 MB no período com r² ≥ 0,5. Vazão no '
        f"período: {num(get(mem, 'load', 'throughput_msg_s'))} msg/s; p95 "
        f"{num(get(mem, 'load', 'latency_ms', 'p95'), 0)} ms; erros "
        f"{get(mem, 'load', 'errors', default=0)}.\n"
    )
    out.append(
        "| processo | RSS estável (após aquecimento) | RSS final | pico | tendência "
        "(MB/1.000 turnos) | alta projetada | r² | veredito |"
    )
    out.append("|---|---:|---:|---:|---:|---:|---:|---|")
    names = {"rasa": "servidor Rasa", "acoes": "servidor de ações"}
    for key, name in names.items():
        t = get(mem, "trend", key) or {}
        out.append(
            f"| {name} | {num(get(mem, 'steady', key), 0)} MB "
            f"| {num(get(mem, 'final', key), 0)} MB "
            f"| {num(get(mem, 'peak', key), 0)} MB | {num(t.get('slope_mb_per_1k'), 2)} "
            f"| {num(t.get('projected_growth_mb'), 0)} MB | {num(t.get('r2'), 2)} "
            f"| {'crescimento' if t.get('growth') else 'estável'} |"
        )
    return "\n".join(out) + "\n"


def filing_md(fil: dict) -> str:
    if not fil or "error" in fil:
        return f"Não medido{': ' + fil['error'][:300] if fil else ''}.\n"
    s, c = fil.get("sequential") or {}, fil.get("concurrent") or {}
    rows = [
        "| cenário | pedidos | p50 | p95 | p99 | máx | pedidos/s | erros "
        "| protocolos únicos e sequenciais | planilhas |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|---:|",
    ]
    if s:
        sm = s["submit_ms"]
        rows.append(
            f"| um por vez | {s['requests']} | {num(sm['p50'], 0)} ms | {num(sm['p95'], 0)} ms "
            f"| {num(sm['p99'], 0)} ms | {num(sm['max'], 0)} ms "
            f"| {num(1000 / sm['mean'] if sm['mean'] else None)} "
            f"| 0 | {'sim' if s['unique_protocols'] and s['sequential'] else 'NÃO'} "
            f"| {s['spreadsheets']} |"
        )
    if c:
        cm = c["submit_ms"]
        rows.append(
            f"| {c['threads']} threads ao mesmo tempo | {c['requests']} | {num(cm['p50'], 0)} ms "
            f"| {num(cm['p95'], 0)} ms | {num(cm['p99'], 0)} ms | {num(cm['max'], 0)} ms "
            f"| {num(c['throughput_req_s'])} | {c['errors']} "
            f"| {'sim' if c['unique_protocols'] and c['sequential'] else 'NÃO'} "
            f"| {c['spreadsheets']} |"
        )
    fill = get(s, "fill_ms", "p50")
    return (
        "\n".join(rows) + "\n\n" + f"Preenchimento campo a campo pelo motor (validação de "
        f"unidade, nome, CPF, e-mail, sigla e cargo, sem o registro): p50 {num(fill, 2)} ms por "
        f"pedido.\n"
    )


def levers_md(lev: dict, ours_quality: dict | None = None) -> str:
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
        "| alavanca | treino | acurácia / macro-F1 | partida | ações prontas "
        "| RSS Rasa ocioso → final | RSS ações ocioso → final | p50 / p95 c=10 | msg/s c=10 "
        "| p95 / msg/s c=50 | RSS Rasa MB/1.000 turnos |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    b_soak = get(base, "soak", "load") or {}
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
        soak_load = get(r, "soak", "load") or {}
        lat = soak_load.get("latency_ms") or {}
        c50 = get(r, "loads", "50") or {}
        c50_cell = (
            num(get(c50, "latency_ms", "p95"), 0) + " ms / " + num(c50.get("throughput_msg_s"))
            if c50
            else "—"
        )
        rows.append(
            f"| {title} | {num(r.get('train_s'), 0, ' s') if r.get('train_s') else '—'} "
            f"| {(pct(q.get('accuracy')) + ' / ' + num(q.get('macro_f1'), 3)) if q else '—'} "
            f"| {num(r.get('start_s'), 1, ' s') if r.get('start_s') else '—'} "
            f"| {num(r.get('actions_ready_s'), 1, ' s') if r.get('actions_ready_s') else '—'} "
            f"| {num(get(r, 'rss_idle', 'rasa'), 0)} → {num(get(r, 'rss_final', 'rasa'), 0)} MB"
            f"{delta(get(r, 'rss_final', 'rasa'), get(base, 'rss_final', 'rasa'))} "
            f"| {num(get(r, 'rss_idle', 'acoes'), 0)} → {num(get(r, 'rss_final', 'acoes'), 0)} MB"
            f"{delta(get(r, 'rss_idle', 'acoes'), get(base, 'rss_idle', 'acoes'))} "
            f"| {num(lat.get('p50'), 0)} / {num(lat.get('p95'), 0)} ms"
            f"{delta(lat.get('p50'), get(b_soak, 'latency_ms', 'p50'))} "
            f"| {num(soak_load.get('throughput_msg_s'))}"
            f"{delta(soak_load.get('throughput_msg_s'), b_soak.get('throughput_msg_s'))} "
            f"| {c50_cell} "
            f"| {num(get(r, 'soak', 'trend', 'rasa', 'slope_mb_per_1k'), 2)} |"
        )
    return (
        "Percentuais entre parênteses: diferença para `base` (medida no início; `base-fim` "
        "repete a mesma configuração no fim e mostra o ruído da máquina). Cada alavanca "
        "servida: aquecimento, depois "
        f"{get(base, 'soak', 'turns', default='?')} mensagens com 10 conversas simultâneas; "
        "as de workers/referência também com 50. A acurácia de `base` é a de (a) na seção de "
        "qualidade.\n\n" + "\n".join(rows) + "\n"
    )


def flat_md(dados: dict[str, Any]) -> str:
    """A result dict as a two-column table (nested keys joined by ' · ')."""
    if not dados:
        return "_não medido nesta rodada._\n"
    linhas = ["| medida | valor |", "|---|---|"]

    def andar(prefixo: str, valor: Any) -> None:
        if isinstance(valor, dict):
            for chave, item in valor.items():
                andar(f"{prefixo} · {chave}" if prefixo else str(chave), item)
        elif isinstance(valor, (list, tuple)) and len(valor) > 6:
            linhas.append(f"| {prefixo} | {len(valor)} itens |")
        else:
            texto = valor if not isinstance(valor, float) else f"{valor:.3g}"
            linhas.append(f"| {prefixo} | {str(texto).replace('|', '/')} |")

    andar("", dados)
    return "\n".join(linhas) + "\n"


PROFILES = {"desenvolvimento": "desenvolvimento (SQLite, 1 Rasa)", "producao": "produção"}


def _profile_title(profile: str, data: dict) -> str:
    reps = {get(c, "replicas") for c in (data.get("configs") or {}).values()} - {None}
    if profile == "producao":
        n = next(iter(reps), "?") if len(reps) == 1 else "?"
        return f"produção ({n} réplicas do Rasa, PostgreSQL + Redis)"
    return PROFILES.get(profile, profile)


def _sent(step: dict) -> str:
    """Messages of a step; "sent/planned, interrompido" when it stopped early."""
    if step.get("stopped_early"):
        return f"{step.get('sent')}/{step['messages']}, interrompido"
    return str(step["messages"])


def _replicas_rss(rss: dict | None) -> str:
    """RSS of every Rasa replica (``rasa``, ``rasa-2``...), joined by +."""
    values = [v for k, v in sorted((rss or {}).items()) if k.startswith("rasa")]
    return " + ".join(num(v, 0) for v in values) or "—"


def _step_cpu(step: dict) -> str:
    """A step's CPU per answered message: Rasa (all replicas) / actions /
    PostgreSQL / Redis / client = total of every process measured."""
    per = step.get("cpu_ms_per_msg") or {}
    if not per:
        return "—"
    rasa = sum(v for k, v in per.items() if k.startswith("rasa"))
    parts = [rasa, *(per.get(k) for k in ("acoes", "postgres", "redis-server", "cliente"))]
    total = step.get("cpu_ms_per_msg_total")
    return " / ".join(num(v, 1) for v in parts) + f" = {num(total, 1)} ms"


def openloop_md(ol: dict) -> str:
    """Per profile and model, the rate ladder; then the capacities."""
    profiles = (ol or {}).get("profiles") or {}
    if not profiles or "error" in (ol or {}):
        return f"Não medida{': ' + ol['error'][:300] if ol and 'error' in ol else ''}.\n"
    limit = num(get(ol, "method", "p99_limit_ms"), 0)
    parts, caps = [], []
    for profile, data in profiles.items():
        title = _profile_title(profile, data)
        if "error" in data:
            why = data["error"][:300].replace("\n", " ")
            parts.append(f"**{title}**: não medido ({why}).\n")
            caps.append(f"| {title} | — | — | não medido |")
            continue
        for key, cfg in (data.get("configs") or {}).items():
            rows = [
                f"**{title}, {LABELS.get(key, key)}** (partida {num(cfg.get('start_s'))} s; "
                f"RSS Rasa {_replicas_rss(cfg.get('rss_idle'))} → "
                f"{_replicas_rss(cfg.get('rss_after'))} MB)",
                "",
                "| taxa pedida | mensagens | oferecida | alcançada | p50 | p95 | p99 | máx "
                "| erros | vazias | atraso do cliente (máx.) | carga (1 min) "
                "| CPU por mensagem: Rasa / ações / PostgreSQL / Redis / cliente = total "
                f"| núcleos ocupados | p99 ≤ {limit} ms, sem falha |",
                "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|:---:|",
            ]
            for s in cfg.get("steps") or []:
                lat = s.get("latency_ms") or {}
                rows.append(
                    f"| {num(s['rate_msg_s'], 0)} msg/s | {_sent(s)} "
                    f"| {num(s.get('offered_msg_s'))} | {num(s.get('achieved_msg_s'))} "
                    f"| {num(lat.get('p50'), 0)} ms | {num(lat.get('p95'), 0)} ms "
                    f"| {num(lat.get('p99'), 0)} ms | {num(lat.get('max'), 0)} ms "
                    f"| {s['errors'] + s['timeouts']} | {s['empty_replies']} "
                    f"| {num(get(s, 'lateness_ms', 'max'), 0)} ms | {num(s.get('loadavg'), 1)} "
                    f"| {_step_cpu(s)} | {num(s.get('machine_busy_cores'), 2)} "
                    f"| {'sim' if s['ok'] else '**não**'} |"
                )
            parts.append("\n".join(rows) + "\n")
            best = max((s.get("achieved_msg_s") or 0 for s in cfg.get("steps") or []), default=None)
            caps.append(
                f"| {title} | {LABELS.get(key, key)} "
                f"| **{num(cfg.get('capacity_msg_s'), 0, ' msg/s')}** "
                f"| {num(best, 1, ' msg/s')} |"
            )
    table = [
        "| perfil | modelo | capacidade | maior vazão alcançada |",
        "|---|---|---:|---:|",
        *caps,
    ]
    return "\n".join(parts) + "\n" + "\n".join(table) + "\n"
