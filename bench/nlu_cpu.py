"""CPU time of one NLU parse with a trained model, in total and per graph
component, over the held-out messages (one warm-up pass, then ``--passes``).

In-process (``Agent.parse_message``), no HTTP, no tracker: the NLU share of
what the Rasa server spends on a message. Figures quoted in bench/NOTAS.md.

Usage: .venv/bin/python -m bench.nlu_cpu [--model models/sei.tar.gz] [--passes 2]
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import logging
import sys
import time
from pathlib import Path

from bench.common import MODEL, ROOT

HELDOUT = ROOT / "tests" / "data" / "nlu_heldout.yml"


def measure(model: Path, passes: int) -> dict:
    """ms of CPU per parse: ``total`` and by graph node, largest first."""
    from rasa.core.agent import load_agent
    from rasa.engine import graph

    from bot.rasa.nlu_eval import load_examples

    logging.disable(logging.WARNING)
    per_node: collections.defaultdict[str, float] = collections.defaultdict(float)
    original = graph.GraphNode.__call__

    def timed(node, *args, **kwargs):
        started = time.process_time()
        try:
            return original(node, *args, **kwargs)
        finally:
            per_node[node._node_name] += time.process_time() - started

    texts = [text for text, _ in load_examples(HELDOUT)]
    graph.GraphNode.__call__ = timed
    try:
        agent = asyncio.run(load_agent(model_path=str(model)))

        async def parse_all(times: int) -> None:
            for _ in range(times):
                for text in texts:
                    await agent.parse_message(text)

        asyncio.run(parse_all(1))  # warm-up: TF graphs traced, caches filled
        per_node.clear()
        started = time.process_time()
        asyncio.run(parse_all(passes))
        total = time.process_time() - started
    finally:
        graph.GraphNode.__call__ = original
    n = passes * len(texts)
    return {
        "model": str(model),
        "parses": n,
        "total_ms": round(1000 * total / n, 2),
        "by_node_ms": {
            k: round(1000 * v / n, 2)
            for k, v in sorted(per_node.items(), key=lambda kv: kv[1], reverse=True)
        },
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", type=Path, default=MODEL)
    parser.add_argument("--passes", type=int, default=2)
    args = parser.parse_args(argv)
    if not args.model.exists():
        print(f"modelo ausente: {args.model} (rode 'make train')", file=sys.stderr)
        return 1
    result = measure(args.model, args.passes)
    print(
        f"{result['model']}: {result['total_ms']} ms de CPU por análise "
        f"({result['parses']} análises)"
    )
    for node, ms in list(result["by_node_ms"].items())[:10]:
        print(f"  {node}: {ms} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
