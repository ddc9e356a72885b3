"""Training time and held-out quality of three intent classifiers.

(a) ours: ``config.yml``; (b) the same ``data/`` and ``domain.yml`` under the
configuration Rasa 3.6 applies when ``config.yml`` names no pipeline and no
policies (what ``rasa init`` leaves commented out; the defaults come from
``rasa/engine/recipes/config_files/default_config.yml``: WhitespaceTokenizer,
RegexFeaturizer, LexicalSyntacticFeaturizer, CountVectorsFeaturizer word +
char_wb 1-4, DIET 100 epochs, EntitySynonymMapper, ResponseSelector,
FallbackClassifier 0.3; MemoizationPolicy, RulePolicy, UnexpecTEDIntentPolicy,
TEDPolicy); (c) the TF-IDF char n-gram + logistic-regression baseline of
``bot.rasa.nlu_eval``.

Each Rasa model is trained by a full ``rasa train`` from an empty cache
(``RASA_CACHE_DIRECTORY`` in a fresh temporary folder) into its own output
folder with ``--fixed-model-name``; ``models/sei.tar.gz`` is never touched.

Usage: python -m bench.quality --work /tmp/x [--skip-train]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import HELDOUT, ROOT, TRAIN_NLU, Progress, say

# What Rasa fills in when pipeline/policies are missing (the "suggested
# config"): written to the work folder, because `rasa train` writes the
# chosen defaults back into the file as comments.
DEFAULT_CONFIG = """\
recipe: default.v1
assistant_id: sesau-sei-bench-default
language: pt
pipeline:
policies:
"""


def default_config(work: Path) -> Path:
    """A config.yml with no pipeline and no policies (Rasa's defaults)."""
    path = work / "config-default.yml"
    path.write_text(DEFAULT_CONFIG, encoding="utf-8")
    return path


def train(
    config: Path,
    out_dir: Path,
    name: str,
    *,
    project_root: Path = ROOT,
    env: dict[str, str] | None = None,
    label: str = "",
) -> dict[str, Any]:
    """Full `rasa train` from an empty cache; wall time and the model path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    cache = Path(tempfile.mkdtemp(prefix="rasa-cache-", dir=out_dir))
    rasa = Path(sys.executable).parent / "rasa"
    cmd = [
        str(rasa),
        "train",
        "--config",
        str(config),
        "--domain",
        str(project_root / "domain.yml"),
        "--data",
        str(project_root / "data"),
        "--out",
        str(out_dir),
        "--fixed-model-name",
        name,
    ]
    run_env = dict(
        os.environ,
        RASA_CACHE_DIRECTORY=str(cache),
        RASA_TELEMETRY_ENABLED="false",
        TF_CPP_MIN_LOG_LEVEL="2",
        PYTHONPATH=str(project_root),
        **(env or {}),
    )
    log = out_dir / f"train-{name}.log"
    progress = Progress(f"rasa train {label or name}", every_s=10)
    started = time.perf_counter()
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            cmd, cwd=project_root, env=run_env, stdout=out, stderr=subprocess.STDOUT
        )
        while proc.poll() is None:
            progress.update()
            time.sleep(1)
    elapsed = time.perf_counter() - started
    shutil.rmtree(cache, ignore_errors=True)
    model = out_dir / f"{name}.tar.gz"
    if proc.returncode != 0 or not model.exists():
        raise RuntimeError(
            f"rasa train falhou ({name}):\n" + log.read_text(errors="replace")[-3000:]
        )
    progress.done()
    return {
        "train_s": round(elapsed, 1),
        "model": str(model),
        "model_mb": round(model.stat().st_size / 1e6, 1),
    }


def evaluate_model(model: Path, heldout: Path = HELDOUT) -> dict[str, Any]:
    """Accuracy and macro-F1 on the held-out set, in a separate process.

    Two readings: top-1 (the best intent other than nlu_fallback) and
    ``com fallback`` (a message turned into nlu_fallback counts as a miss).
    """
    code = (
        "import json, sys, time\n"
        "from pathlib import Path\n"
        "from bot.rasa import nlu_eval as e\n"
        "test = e.load_examples(Path(sys.argv[2]))\n"
        "texts, gold = [t for t, _ in test], [i for _, i in test]\n"
        "labels = sorted(set(gold))\n"
        "t = time.perf_counter()\n"
        "top1, final = e.rasa_predict(Path(sys.argv[1]), texts)\n"
        "parse_s = time.perf_counter() - t\n"
        "out = {'top1': e.per_intent_scores(gold, top1, labels)['_macro'],\n"
        "       'fallback': e.per_intent_scores(gold, final, labels)['_macro'],\n"
        "       'n': len(texts), 'intents': len(labels), 'parse_ms': parse_s * 1000 / len(texts)}\n"
        "print('RESULT ' + json.dumps(out))\n"
    )
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", RASA_TELEMETRY_ENABLED="false")
    proc = subprocess.run(
        [sys.executable, "-c", code, str(model), str(heldout)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=1800,
    )
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            data = json.loads(line[7:])
            return {
                "accuracy": data["top1"]["accuracy"],
                "macro_f1": data["top1"]["f1"],
                "accuracy_fallback": data["fallback"]["accuracy"],
                "macro_f1_fallback": data["fallback"]["f1"],
                "n": data["n"],
                "intents": data["intents"],
                "parse_ms": round(data["parse_ms"], 2),
            }
    raise RuntimeError(f"avaliação falhou ({model}):\n{proc.stderr[-3000:]}")


def evaluate_baseline(train_file: Path = TRAIN_NLU, heldout: Path = HELDOUT) -> dict[str, Any]:
    """The TF-IDF + logistic-regression baseline of bot.rasa.nlu_eval."""
    from bot.rasa import nlu_eval

    train_set, test = nlu_eval.load_examples(train_file), nlu_eval.load_examples(heldout)
    texts, gold = [t for t, _ in test], [i for _, i in test]
    started = time.perf_counter()
    pred = nlu_eval.baseline_predict(train_set, texts)
    elapsed = time.perf_counter() - started
    macro = nlu_eval.per_intent_scores(gold, pred, sorted(set(gold)))["_macro"]
    return {
        "accuracy": macro["accuracy"],
        "macro_f1": macro["f1"],
        "n": len(texts),
        "train_s": round(elapsed, 2),
    }


def run(
    work: Path, skip_train: bool = False, reuse_default: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Train (a) and (b), evaluate (a), (b) and (c); the section's results.

    ``reuse_default``: model (b) of an earlier run (its ``model``, ``train_s``,
    ``model_mb``, ``measured_at``): (b) is then evaluated, not trained again
    (Rasa's default config and the training data unchanged; ~16 min saved on 2 cores).
    """
    work.mkdir(parents=True, exist_ok=True)
    out: dict[str, Any] = {}
    configs = {"ours": ROOT / "config.yml", "default": default_config(work)}
    for key, config in configs.items():
        model = work / "models" / f"{key}.tar.gz"
        if key == "default" and reuse_default:
            say(f"modelo (b) reaproveitado de {reuse_default.get('measured_at')}")
            trained: dict[str, Any] = {
                k: reuse_default.get(k) for k in ("train_s", "model", "model_mb")
            }
            trained["train_measured_at"] = reuse_default.get("measured_at")
        elif skip_train and model.exists():
            trained = {
                "train_s": None,
                "model": str(model),
                "model_mb": round(model.stat().st_size / 1e6, 1),
            }
        else:
            say(f"treinando {key} ({config.name}) do zero")
            trained = train(config, work / "models", key, label=key)
        say(f"avaliando {key} no conjunto separado")
        out[key] = {**trained, **evaluate_model(Path(trained["model"]))}
    say("avaliando o baseline TF-IDF + regressão logística")
    out["baseline"] = evaluate_baseline()
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--skip-train", action="store_true")
    args = parser.parse_args(argv)
    print(json.dumps(run(args.work, args.skip_train), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
