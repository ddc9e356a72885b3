"""How the report reads and shows results: nested lookups in the JSON, ratios,
numbers the Portuguese way (comma decimals, thin-space thousands), model labels."""

from __future__ import annotations

import math

LABELS = {"ours": "nosso (a)", "default": "padrão do Rasa (b)", "baseline": "TF-IDF + RL (c)"}


def num(value, digits: int = 1, suffix: str = "") -> str:
    """``value`` with ``digits`` decimals and a comma; a dash when missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value:,.{digits}f}{suffix}".replace(",", "\u2009").replace(".", ",")


def integer(value) -> str:
    """An integer with a dot every three digits (Portuguese)."""
    return "—" if value is None else f"{int(value):,}".replace(",", ".")


def pct(value) -> str:
    """A fraction as a percentage with one decimal."""
    return "—" if value is None else num(100 * value, 1, "%")


def ratio(a, b) -> float | None:
    """``a / b``; None when either is missing or ``b`` is zero."""
    if a is None or b in (None, 0) or (isinstance(a, float) and math.isnan(a)):
        return None
    return a / b


def get(data, *keys, default=None):
    """``data[k1][k2]...``; ``default`` when a level is missing or not a dict."""
    for key in keys:
        if not isinstance(data, dict) or key not in data:
            return default
        data = data[key]
    return data


def concurrency_levels(latency: dict):
    """The latency runs by model and the concurrency levels they measured."""
    runs = latency.get("runs") or {}
    return runs, sorted({int(c) for r in runs.values() for c in r if not c.startswith("_")})
