"""``python -m bot.rasa.nlu_cv``: blend weight and thresholds by cross-validation.

The held-out files of ``tests/data/`` judge the model; they must not choose
its parameters. This chooses them on the training data instead:

1. the intent examples of ``data/nlu.yml`` in K stratified folds; for each
   fold, ``config.yml`` trained (``rasa train nlu``) on the other K-1 folds
   with the eval-only readings exposed (DIET's ranking, the linear model's,
   the refiner's whole-text reading and the refinement it applied);
2. every fold's model also reads the ``--validacao`` files (examples that are
   not training data, e.g. ``docs/experimentos/``), each counted 1/K;
3. the post-DIET chain replayed with the same functions the pipeline runs
   (``components.blend``, ``refino.fora_mantido``, ``refino.concordancia``,
   ``refino.novidade``, ``refino.e_fallback``) over a grid of its parameters. The replay of the
   configured parameters must give each message's real reading: the count
   of differences is printed (0 expected).

Each reply scores +1 when right, ``-custo`` when it is another FAQ topic's
answer (the worst outcome: a confident answer to another question), 0
otherwise (a clarification, the off-page or out-of-scope reply). The best
mean score wins; ties go to the configured parameters, then the grid order.
Nothing is written to ``config.yml``: the report says what to change.
Messages the refiner read as an injection or as several questions keep
their real reading (those paths do not depend on the swept parameters).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import sys
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from bot.rasa import refino
from bot.rasa.nlu_eval import FALLBACK_INTENT, load_examples

LINEAR = "bot.rasa.components.LinearIntentClassifier"
REFINER = "bot.rasa.components.IntentRefiner"
FALLBACK = "FallbackClassifier"

# each swept parameter (as ``configured`` names it) and the values tried
GRID: dict[str, tuple[float, ...]] = {
    "blend_weight": (0.3, 0.4, 0.5, 0.6, 0.7),
    "fallback_threshold": (0.3, 0.35, 0.4, 0.45, 0.5),
    "ambiguity_threshold": (0.05, 0.1, 0.15),
    "off_page_min_confidence": (0.15, 0.2, 0.25, 0.3),
    "off_page_margin": (0.0, 0.05, 0.1),
    "agreement_min_confidence": (0.3, 0.4, 0.5),
    "novelty_min_words": (0, 2, 3),
    "novelty_max_confidence": (0.5, 0.6, 0.7),
}


def configured(config: Mapping[str, Any]) -> dict[str, float]:
    """The swept parameters as ``config.yml`` sets them (component defaults otherwise)."""
    from bot.rasa.components import IntentRefiner, LinearIntentClassifier

    steps = {step["name"]: step for step in config["pipeline"]}
    linear = {**LinearIntentClassifier.get_default_config(), **steps[LINEAR]}
    refiner = {**IntentRefiner.get_default_config(), **steps[REFINER]}
    fallback = steps[FALLBACK]
    return {
        "blend_weight": float(linear["blend_weight"]),
        "ranking_length": int(linear["ranking_length"]),
        "fallback_threshold": float(fallback["threshold"]),
        "ambiguity_threshold": float(fallback.get("ambiguity_threshold", 0.1)),
        "off_page_min_confidence": float(refiner["off_page_min_confidence"]),
        "off_page_margin": float(refiner["off_page_margin"]),
        "off_page_confidence": float(refiner["off_page_confidence"]),
        "agreement_min_confidence": float(refiner["agreement_min_confidence"]),
        "novelty_min_words": float(refiner["novelty_min_words"]),
        "novelty_max_confidence": float(refiner["novelty_max_confidence"]),
    }


def exposing(config: Mapping[str, Any]) -> dict[str, Any]:
    """``config`` with the eval-only readings of the linear model and refiner on."""
    out = json.loads(json.dumps(config))
    for step in out["pipeline"]:
        if step["name"] == LINEAR:
            step["expose_rankings"] = True
        elif step["name"] == REFINER:
            step["expose_readings"] = True
    return out


def stratified_folds(intents: Sequence[str], k: int, seed: int) -> list[list[int]]:
    """Indices of each of ``k`` test folds, every intent spread over them."""
    from sklearn.model_selection import StratifiedKFold

    splitter = StratifiedKFold(n_splits=k, shuffle=True, random_state=seed)
    return [list(test) for _, test in splitter.split(np.zeros(len(intents)), intents)]


def training_yaml(nlu_file: Path, keep: Sequence[tuple[str, str]]) -> str:
    """``nlu_file`` with its intent examples replaced by ``keep`` (regex/lookup kept)."""
    data = yaml.safe_load(nlu_file.read_text(encoding="utf-8"))
    blocks = [b for b in data.get("nlu", []) if "intent" not in b]
    by_intent: dict[str, list[str]] = {}
    for text, intent in keep:
        by_intent.setdefault(intent, []).append(text)
    intents = [
        {"intent": intent, "examples": "".join(f"- {t}\n" for t in texts)}
        for intent, texts in by_intent.items()
    ]
    return yaml.safe_dump(
        {"version": str(data.get("version", "3.1")), "nlu": intents + blocks},
        allow_unicode=True,
        sort_keys=False,
    )


def train_fold(config: Mapping[str, Any], nlu_text: str, workdir: Path, name: str) -> Path:
    """Train the NLU of ``config`` on ``nlu_text``; the model's path."""
    from rasa.model_training import train_nlu

    workdir.mkdir(parents=True, exist_ok=True)
    config_path, nlu_path = workdir / f"{name}-config.yml", workdir / f"{name}-nlu.yml"
    config_path.write_text(yaml.safe_dump(dict(config), allow_unicode=True), encoding="utf-8")
    nlu_path.write_text(nlu_text, encoding="utf-8")
    model = train_nlu(str(config_path), str(nlu_path), str(workdir), fixed_model_name=name)
    if not model:
        raise RuntimeError(f"rasa train nlu did not produce a model for {name}")
    return Path(model)


def reading(parsed: Mapping[str, Any]) -> dict[str, Any]:
    """What the replay needs from one parse (with the readings exposed)."""
    return {
        "diet": parsed.get("ranking_anterior") or {},
        "linear": parsed.get("ranking_linear") or {},
        "leitura": parsed.get("leitura_refino"),
        "refino": parsed.get("refino_aplicado"),
        "novas": parsed.get("novas_por_topico") or {},
        "final": (parsed.get("intent") or {}).get("name"),
    }


def parse_with(model: Path, texts: Sequence[str]) -> list[dict[str, Any]]:
    """``reading`` of each text by ``model``."""
    from bot.rasa.nlu_eval import _parse_all

    return [reading(p) for p in asyncio.run(_parse_all(model, texts))]


def blended(record: Mapping[str, Any], params: Mapping[str, float]) -> list[dict[str, Any]]:
    """The linear model's ranking of ``record`` blended with DIET's as the pipeline does."""
    from bot.rasa.components import blend

    classes = list(record["linear"])
    probs = np.asarray([record["linear"][c] for c in classes], dtype=np.float32)
    previous = [{"name": n, "confidence": c} for n, c in record["diet"].items()]
    mixed = blend(probs, classes, previous, params["blend_weight"])
    order = np.argsort(-mixed)[: int(params["ranking_length"])]
    return [{"name": classes[i], "confidence": float(mixed[i])} for i in order]


def replay(
    record: Mapping[str, Any],
    params: Mapping[str, float],
    ranking: list[dict[str, Any]] | None = None,
) -> str:
    """The final intent the pipeline gives ``record`` under ``params``.

    ``ranking``: ``blended(record, params)`` when already computed.
    """
    if record["refino"] in ("injecao", "varias_perguntas") or not record["linear"]:
        return str(record["final"])
    if ranking is None:
        ranking = blended(record, params)
    threshold = params["fallback_threshold"]
    kept = refino.fora_mantido(
        ranking,
        params["off_page_min_confidence"],
        params["off_page_margin"],
        params["off_page_confidence"],
    )
    if kept:
        ranking = kept
    else:
        if record["leitura"]:
            name, confidence = record["leitura"]
            agreed = (str(name), float(confidence))
            min_agreement = params["agreement_min_confidence"]
            ranking = refino.concordancia(ranking, agreed, threshold, min_agreement) or ranking
        new_words = int(record.get("novas", {}).get(ranking[0]["name"], 0))
        ranking = (
            refino.novidade(
                ranking,
                new_words,
                int(params["novelty_min_words"]),
                params["novelty_max_confidence"],
                params["off_page_confidence"],
            )
            or ranking
        )
    if refino.e_fallback(ranking, threshold, params["ambiguity_threshold"]):
        return FALLBACK_INTENT
    return str(ranking[0]["name"])


def outcome(gold: str, final: str, cost: float) -> float:
    """+1 right, ``-cost`` another FAQ topic's answer, 0 otherwise."""
    if final == gold:
        return 1.0
    return -cost if final.startswith("faq_") else 0.0


def group(intent: str) -> str:
    """The report's group of an intent."""
    if intent.startswith("faq_"):
        return "topicos"
    if intent in (refino.INTENCAO_FORA_DA_PAGINA, refino.INTENCAO_FORA_DO_ESCOPO):
        return intent
    return "outras"


def summary(
    rows: Sequence[tuple[str, float, Mapping[str, Any]]],
    params: Mapping[str, float],
    cost: float,
    rankings: Sequence[list[dict[str, Any]] | None] | None = None,
) -> dict[str, Any]:
    """Score and per-group figures of ``params`` over weighted (gold, weight, record) rows.

    ``rankings``: each row's ``blended`` ranking under ``params``, when already computed.
    """
    total = weight_sum = 0.0
    groups: dict[str, dict[str, float]] = {}
    if rankings is None:
        rankings = [None] * len(rows)
    for (gold, weight, record), ranking in zip(rows, rankings, strict=True):
        final = replay(record, params, ranking)
        total += weight * outcome(gold, final, cost)
        weight_sum += weight
        g = groups.setdefault(group(gold), {"n": 0.0, "certas": 0.0, "outro_topico": 0.0})
        g["n"] += weight
        g["certas"] += weight * (final == gold)
        g["outro_topico"] += weight * (final != gold and final.startswith("faq_"))
    return {"pontos": total / max(weight_sum, 1e-9), "grupos": groups}


def grid(base: Mapping[str, float]) -> Iterator[dict[str, float]]:
    """``base`` with every combination of ``GRID``, the configured one first."""
    yield dict(base)
    keys = list(GRID)
    for values in itertools.product(*(GRID[k] for k in keys)):
        yield {**base, **dict(zip(keys, values, strict=True))}


def sweep(
    rows: Sequence[tuple[str, float, Mapping[str, Any]]],
    base: Mapping[str, float],
    cost: float,
) -> list[tuple[dict[str, float], dict[str, Any]]]:
    """Every grid point with its summary, best first (stable: the configured wins ties)."""
    # the blend depends on its weight only: once per weight, not per grid point
    by_weight: dict[float, list[list[dict[str, Any]] | None]] = {}
    results = []
    for params in grid(base):
        weight = params["blend_weight"]
        if weight not in by_weight:
            by_weight[weight] = [blended(r, params) if r["linear"] else None for _, _, r in rows]
        results.append((params, summary(rows, params, cost, by_weight[weight])))
    return sorted(results, key=lambda r: -round(r[1]["pontos"], 9))


def _share(groups: Mapping[str, Mapping[str, float]], name: str, key: str) -> str:
    g = groups.get(name)
    return f"{g[key] / g['n']:.3f}" if g and g["n"] else "-"


def _table(
    results: Sequence[tuple[Mapping[str, float], Mapping[str, Any]]],
    sets: Mapping[str, Sequence[tuple[str, float, Mapping[str, Any]]]],
    cost: float,
) -> str:
    """One line per parameter set and row set: score, right and wrong-topic shares."""
    keys = list(GRID)
    head = [*keys, "pontos", "conjunto", "tópicos certos", "tópicos: outro tópico"]
    head += ["fora certas", "fora: outro tópico"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---:|" * len(head)]
    for params, s in results:
        for label, rows in sets.items():
            if not rows:
                continue
            groups = summary(rows, params, cost)["grupos"]
            cells = [f"{params[k]:g}" for k in keys] + [f"{s['pontos']:.4f}", label]
            cells += [
                _share(groups, name, key)
                for name in ("topicos", refino.INTENCAO_FORA_DA_PAGINA)
                for key in ("certas", "outro_topico")
            ]
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Train the folds (or reuse their readings), replay the grid, report."""
    parser = argparse.ArgumentParser(description="Parâmetros da NLU por validação cruzada.")
    parser.add_argument("--config", type=Path, default=Path("config.yml"))
    parser.add_argument("--nlu", type=Path, default=Path("data/nlu.yml"))
    parser.add_argument("--validacao", type=Path, action="append", default=[])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--custo", type=float, default=3.0, help="custo da resposta de outro tópico"
    )
    parser.add_argument("--out", type=Path, default=Path("results/cv"))
    parser.add_argument(
        "--reaproveitar", action="store_true", help="usa as leituras de uma rodada anterior"
    )
    args = parser.parse_args(argv)

    config = yaml.safe_load(args.config.read_text(encoding="utf-8"))
    base = configured(config)
    examples = load_examples(args.nlu)
    seen = {t.lower() for t, _ in examples}
    extra = [(t, i) for path in args.validacao for t, i in load_examples(path)]
    extra = [(t, i) for t, i in extra if t.lower() not in seen]
    args.out.mkdir(parents=True, exist_ok=True)
    readings_file = args.out / "leituras.json"

    if args.reaproveitar and readings_file.exists():
        saved = json.loads(readings_file.read_text(encoding="utf-8"))
    else:
        saved = {"folds": []}
        folds = stratified_folds([i for _, i in examples], args.folds, args.seed)
        with tempfile.TemporaryDirectory(prefix="nlu-cv-") as tmp:
            for k, test_idx in enumerate(folds):
                held = set(test_idx)
                keep = [e for j, e in enumerate(examples) if j not in held]
                print(f"[cv] dobra {k + 1}/{len(folds)}: treino {len(keep)}, teste {len(held)}")
                model = train_fold(
                    exposing(config), training_yaml(args.nlu, keep), Path(tmp), f"dobra-{k}"
                )
                texts = [examples[j][0] for j in test_idx] + [t for t, _ in extra]
                readings = parse_with(model, texts)
                own, others = readings[: len(test_idx)], readings[len(test_idx) :]
                saved["folds"].append(
                    {
                        "teste": [[examples[j][1], r] for j, r in zip(test_idx, own, strict=True)],
                        "validacao": [[i, r] for (_, i), r in zip(extra, others, strict=True)],
                    }
                )
        readings_file.write_text(json.dumps(saved, ensure_ascii=False), encoding="utf-8")

    k = len(saved["folds"])
    sets = {
        "dobras": [(g, 1.0, r) for fold in saved["folds"] for g, r in fold["teste"]],
        "validação": [(g, 1.0 / k, r) for fold in saved["folds"] for g, r in fold["validacao"]],
    }
    rows = [*sets["dobras"], *sets["validação"]]
    differences = sum(replay(r, base) != r["final"] for _, _, r in rows)
    print(f"[cv] {len(rows)} leituras; a repetição dos parâmetros atuais difere em {differences}")
    results = sweep(rows, base, args.custo)
    current = next(s for p, s in results if p == base)
    best_params = results[0][0]
    changes = {key: best_params[key] for key in GRID if best_params[key] != base[key]}
    report = (
        f"# Parâmetros da NLU por validação cruzada\n\n{k} dobras de `{args.nlu}`"
        f" ({len(examples)} exemplos), validação: {', '.join(map(str, args.validacao)) or '-'}"
        f" ({len(extra)} exemplos, peso 1/{k}); custo da resposta de outro tópico {args.custo:g}."
        f"\nRepetição dos parâmetros atuais: {differences} leituras diferentes das reais.\n\n"
        f"## Atuais\n\n{_table([(base, current)], sets, args.custo)}\n\n"
        f"## Os 15 melhores\n\n{_table(results[:15], sets, args.custo)}\n\n"
        f"Mudanças sugeridas: {changes or 'nenhuma'}\n"
    )
    (args.out / "relatorio.md").write_text(report, encoding="utf-8")
    (args.out / "resultado.json").write_text(
        json.dumps({"atuais": [base, current], "melhores": results[:50]}, indent=1),
        encoding="utf-8",
    )
    print(report)
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main())
