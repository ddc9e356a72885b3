"""``make eval``: the NLU quality gate on the held-out split.

Parses every held-out example with the trained Rasa model, compares it with
a TF-IDF character n-gram + logistic-regression baseline trained on the same
training file, prints per-intent precision / recall / F1 side by side,
writes a confusion-matrix PNG and a Markdown report, and exits non-zero when
our macro-F1 is below the floor or below the baseline.

Per category (--hard files, plus the FAQ topics of the main held-out) the
share of right replies is gated too (CATEGORY_FLOORS).

Two readings of our model are reported: ``top-1`` is the intent DIET ranks
first (comparable with the baseline); ``com fallback`` counts a message the
FallbackClassifier turned into ``nlu_fallback`` as a miss (what a user sees
as a clarification question). The gate uses both.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import yaml

MACRO_F1_FLOOR = 0.95
FALLBACK_INTENT = "nlu_fallback"
OUT_OF_SCOPE_INTENT = "out_of_scope"
OFF_PAGE_INTENT = "fora_da_pagina"
# the FAQ topics of the main held-out, read as one category
TOPICS_CATEGORY = "topicos"
# share of right replies per category that issue 16 asks for ("Done when")
CATEGORY_TARGETS = {
    "digitacao": 0.97,
    "curtas": 0.97,
    "longas": 0.97,
    "lotacao_cadastro": 0.97,
    "onde_enviar": 0.97,
    "fora_da_pagina": 0.95,
    "injecao": 0.95,
    "longas_2": 0.97,
    "fora_da_pagina_2": 0.95,
    "digitacao_3": 0.97,
    "curtas_3": 0.97,
    "longas_3": 0.97,
    "parafrase_3": 0.97,
    "fora_da_pagina_3": 0.95,
    "fora_do_escopo_3": 0.95,
    "injecao_3": 0.95,
    TOPICS_CATEGORY: 0.99,
}
# what the gate enforces: the target, or a little under the figures measured
# (2026-12-02: topicos 0.984-0.992 over the last trainings, longas 0.947 with
# the target not reached yet, fora_da_pagina 0.932-0.955: 41-42 of 44, the
# miss a fallback, never another topic's answer), so a regression fails; below
# a target the report prints a warning
CATEGORY_FLOORS = {
    **CATEGORY_TARGETS,
    TOPICS_CATEGORY: 0.98,
    "longas": 0.94,
    "fora_da_pagina": 0.93,
    # the second held-out, written 2026-12-03 (first trainings: longas_2
    # 0.875-0.900, fora_da_pagina_2 0.800-0.825): far under the targets
    "longas_2": 0.85,
    "fora_da_pagina_2": 0.78,
    # the third, written 2026-12-08 (first measured: longas_3 0.90, two read
    # as two questions; parafrase_3 0.90, fora_da_pagina_3 0.88,
    # fora_do_escopo_3 0.75 then 0.875)
    "longas_3": 0.85,
    "parafrase_3": 0.85,
    "fora_da_pagina_3": 0.84,
    "fora_do_escopo_3": 0.85,
}


def load_examples(path: Path) -> list[tuple[str, str]]:
    """(text, intent) pairs of a Rasa YAML NLU file."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    pairs = []
    for block in data.get("nlu", []):
        if "intent" not in block:
            continue
        for raw in block["examples"].splitlines():
            line = raw.strip()
            if line.startswith("- "):
                pairs.append((line[2:].strip(), block["intent"]))
    return pairs


def load_categorised(path: Path) -> list[tuple[str, str, str]]:
    """(text, intent, category) triples; the category is the block's metadata."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    triples = []
    for block in data.get("nlu", []):
        if "intent" not in block:
            continue
        category = (block.get("metadata") or {}).get("categoria") or block["intent"]
        for raw in block["examples"].splitlines():
            line = raw.strip()
            if line.startswith("- "):
                triples.append((line[2:].strip(), block["intent"], str(category)))
    return triples


def category_scores(
    categories: Sequence[str], gold: Sequence[str], final: Sequence[str]
) -> dict[str, dict[str, float]]:
    """Per category: right replies and safe replies (no other topic's answer).

    A reply is right when the final intent (after fallback) is the gold one;
    it is safe when it is right or not a FAQ topic at all (a clarification,
    the out-of-scope or the off-page reply): the answer of another topic is
    the one unsafe outcome.
    """
    out: dict[str, dict[str, float]] = {}
    for category in dict.fromkeys(categories):
        rows = [(g, f) for c, g, f in zip(categories, gold, final, strict=True) if c == category]
        right = sum(g == f for g, f in rows)
        safe = sum(g == f or not f.startswith("faq_") for g, f in rows)
        out[category] = {"n": len(rows), "acerto": right / len(rows), "seguro": safe / len(rows)}
    return out


def category_table(scores: dict[str, dict[str, float]]) -> str:
    """Markdown table of the per-category figures with their floors."""
    lines = [
        "| categoria | n | resposta certa | sem resposta de outro tópico | meta | mínimo |",
        "|---|---:|---:|---:|---:|---:|",
    ]

    def cell(value: float | None) -> str:
        return "" if value is None else f"{value:.2f}"

    for category, s in scores.items():
        lines.append(
            f"| {category} | {int(s['n'])} | {s['acerto']:.3f} | {s['seguro']:.3f} "
            f"| {cell(CATEGORY_TARGETS.get(category))} | {cell(CATEGORY_FLOORS.get(category))} |"
        )
    return "\n".join(lines)


def baseline_predict(train: Sequence[tuple[str, str]], texts: Sequence[str]) -> list[str]:
    """TF-IDF char n-grams (2-5, word-bounded) + logistic regression."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    model = make_pipeline(
        TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=(2, 5),
            lowercase=True,
            strip_accents="unicode",
            sublinear_tf=True,
        ),
        LogisticRegression(C=10.0, max_iter=2000),
    )
    model.fit([t for t, _ in train], [i for _, i in train])
    return list(model.predict(list(texts)))


async def _parse_all(model_path: Path, texts: Sequence[str]) -> list[dict]:
    import logging

    import structlog
    from rasa.core.agent import Agent

    from bot.rasa import patches

    patches.install()  # the model loaded as the Rasa server loads it
    logging.getLogger("rasa").setLevel(logging.WARNING)  # no per-message debug lines
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    agent = Agent.load(str(model_path))
    return [await agent.parse_message(text) for text in texts]


def rasa_predict(model_path: Path, texts: Sequence[str]) -> tuple[list[str], list[str]]:
    """(top-1 intent, intent after fallback) for each text."""
    parsed = asyncio.run(_parse_all(model_path, texts))
    top1, final = [], []
    for result in parsed:
        ranking = [r for r in result.get("intent_ranking", []) if r["name"] != FALLBACK_INTENT]
        top1.append(ranking[0]["name"] if ranking else FALLBACK_INTENT)
        final.append(result["intent"]["name"])
    return top1, final


def per_intent_scores(gold: Sequence[str], pred: Sequence[str], labels: Sequence[str]) -> dict:
    """precision / recall / F1 / support per label, plus macro averages."""
    from sklearn.metrics import precision_recall_fscore_support

    p, r, f, s = precision_recall_fscore_support(gold, pred, labels=list(labels), zero_division=0)
    scores = {
        label: {"precision": p[i], "recall": r[i], "f1": f[i], "support": int(s[i])}
        for i, label in enumerate(labels)
    }
    scores["_macro"] = {
        "precision": float(p.mean()),
        "recall": float(r.mean()),
        "f1": float(f.mean()),
        "accuracy": sum(g == q for g, q in zip(gold, pred, strict=True)) / max(1, len(gold)),
    }
    return scores


def plot_confusion(gold, pred, labels, out: Path, title: str) -> None:
    """Write a confusion-matrix PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.metrics import confusion_matrix

    all_labels = list(labels) + ([FALLBACK_INTENT] if FALLBACK_INTENT in pred else [])
    matrix = confusion_matrix(gold, pred, labels=all_labels)
    fig, ax = plt.subplots(figsize=(14, 12))
    ax.imshow(matrix, cmap="Blues")
    ax.set_xticks(range(len(all_labels)), labels=all_labels, rotation=90, fontsize=7)
    ax.set_yticks(range(len(all_labels)), labels=all_labels, fontsize=7)
    for i in range(len(all_labels)):
        for j in range(len(all_labels)):
            if matrix[i, j]:
                ax.text(
                    j,
                    i,
                    matrix[i, j],
                    ha="center",
                    va="center",
                    fontsize=6,
                    color="white" if matrix[i, j] > matrix.max() / 2 else "black",
                )
    ax.set_xlabel("previsto")
    ax.set_ylabel("correto")
    ax.set_title(title)
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)


def report_table(labels, ours, ours_fb, base) -> str:
    """Markdown table: per-intent F1 of the three readings, then macro rows."""
    lines = [
        "| intent | n | P (nosso) | R (nosso) | F1 (nosso) "
        "| F1 (nosso, c/ fallback) | F1 (baseline) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for label in labels:
        o, fb, b = ours[label], ours_fb[label], base[label]
        lines.append(
            f"| {label} | {o['support']} | {o['precision']:.3f} | {o['recall']:.3f} "
            f"| {o['f1']:.3f} | {fb['f1']:.3f} | {b['f1']:.3f} |"
        )
    for key in ("precision", "recall", "f1", "accuracy"):
        lines.append(
            f"| **macro {key}** | | | | {ours['_macro'][key]:.3f} "
            f"| {ours_fb['_macro'][key]:.3f} | {base['_macro'][key]:.3f} |"
        )
    return "\n".join(lines)


def main(argv=None) -> int:
    """Run the evaluation and the gate."""
    parser = argparse.ArgumentParser(description="Avaliação da NLU no conjunto separado.")
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--train", type=Path, required=True)
    parser.add_argument("--test", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--floor", type=float, default=MACRO_F1_FLOOR)
    parser.add_argument(
        "--hard",
        type=Path,
        action="append",
        default=[],
        help="held-out of hard cases with a category per block (repeatable)",
    )
    args = parser.parse_args(argv)

    train, test = load_examples(args.train), load_examples(args.test)
    hard = [t for path in args.hard for t in load_categorised(path)]
    train_texts = {t.lower() for t, _ in train}
    overlap = train_texts & ({t.lower() for t, _ in test} | {t.lower() for t, _, _ in hard})
    if overlap:
        print(
            f"ERRO: {len(overlap)} exemplos de teste também estão no treino: {sorted(overlap)[:5]}"
        )
        return 1
    texts, gold = [t for t, _ in test], [i for _, i in test]
    labels = sorted(set(gold))

    started = time.perf_counter()
    top1, final = rasa_predict(args.model, texts + [t for t, _, _ in hard])
    rasa_s = time.perf_counter() - started
    top1, final, hard_final = top1[: len(texts)], final[: len(texts)], final[len(texts) :]
    started = time.perf_counter()
    base_pred = baseline_predict(train, texts)
    base_s = time.perf_counter() - started

    ours = per_intent_scores(gold, top1, labels)
    ours_fb = per_intent_scores(gold, final, labels)
    base = per_intent_scores(gold, base_pred, labels)
    topic_rows = [(g, f) for g, f in zip(gold, final, strict=True) if g.startswith("faq_")]
    categories = [TOPICS_CATEGORY] * len(topic_rows) + [c for _, _, c in hard]
    by_category = category_scores(
        categories,
        [g for g, _ in topic_rows] + [i for _, i, _ in hard],
        [f for _, f in topic_rows] + hard_final,
    )

    args.out.mkdir(parents=True, exist_ok=True)
    plot_confusion(
        gold,
        final,
        labels,
        args.out / "confusion_matrix.png",
        "Intents no conjunto separado (com fallback)",
    )
    errors = [
        {"texto": t, "correto": g, "top1": p, "final": f}
        for t, g, p, f in zip(texts, gold, top1, final, strict=True)
        if g != f
    ] + [
        {"texto": t, "correto": g, "final": f, "categoria": c}
        for (t, g, c), f in zip(hard, hard_final, strict=True)
        if g != f
    ]
    table = report_table(labels, ours, ours_fb, base)
    cat_table = category_table(by_category)
    (args.out / "report.md").write_text(
        f"# Avaliação da NLU\n\nTreino: {len(train)} exemplos; teste separado: "
        f"{len(test)} exemplos, {len(labels)} intents; casos difíceis: {len(hard)}.\n\n"
        f"{table}\n\n## Por categoria (com fallback)\n\n{cat_table}\n",
        encoding="utf-8",
    )
    (args.out / "errors.json").write_text(json.dumps(errors, ensure_ascii=False, indent=1))
    (args.out / "scores.json").write_text(
        json.dumps(
            {
                "nosso_top1": ours["_macro"],
                "nosso_com_fallback": ours_fb["_macro"],
                "baseline": base["_macro"],
                "categorias": by_category,
            },
            indent=1,
        )
    )

    print(table)
    print()
    print(cat_table)
    print(
        f"\nparse de {len(texts) + len(hard)} mensagens: {rasa_s:.1f} s; "
        f"baseline (treino+predição): {base_s:.1f} s"
    )
    print(
        f"erros ({len(errors)}): {args.out / 'errors.json'}; "
        f"matriz: {args.out / 'confusion_matrix.png'}"
    )
    f1, f1_fb, f1_base = ours["_macro"]["f1"], ours_fb["_macro"]["f1"], base["_macro"]["f1"]
    failures = []
    if min(f1, f1_fb) < args.floor:
        failures.append(f"macro-F1 {min(f1, f1_fb):.3f} abaixo do mínimo {args.floor:.2f}")
    if f1 < f1_base:
        failures.append(f"macro-F1 {f1:.3f} abaixo do baseline {f1_base:.3f}")
    for category, scores in by_category.items():
        floor = CATEGORY_FLOORS.get(category)
        if floor is not None and scores["acerto"] < floor:
            failures.append(f"{category}: {scores['acerto']:.3f} abaixo do mínimo {floor:.2f}")
        target = CATEGORY_TARGETS.get(category)
        if target is not None and scores["acerto"] < target:
            print(f"aviso: {category} {scores['acerto']:.3f} ainda abaixo da meta {target:.2f}")
    if failures:
        print("GATE REPROVADO: " + "; ".join(failures))
        return 1
    print(
        f"GATE APROVADO: macro-F1 {f1:.3f} (c/ fallback {f1_fb:.3f}) >= {args.floor:.2f} "
        f"e >= baseline {f1_base:.3f}; categorias nos mínimos"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
