"""bench/painel.py at a tiny size: it fills both stores and prints every figure."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stdout
from datetime import date, timedelta

from bench import painel
from bot.painel.indicadores import Indicadores


def test_bench_runs_at_a_tiny_size(tmp_path):
    saida = io.StringIO()
    with redirect_stdout(saida):
        codigo = painel.main(
            ["--work", str(tmp_path), "--requests", "300", "--events", "3000", "--indices"]
        )
    assert codigo == 0
    figuras = json.loads(saida.getvalue())
    assert figuras["exportacao"]["linhas"] > 0 and figuras["exportacao"]["bytes"] > 0
    assert figuras["fila"]["p95_ms"] > 0
    indicadores = figuras["indicadores"]
    assert indicadores["indices_criados"] == 2 and indicadores["pagina_s_mediana"] > 0
    assert len(figuras["indices_solicitacoes"]) == 5
    # the generated events are what the indicators read
    with Indicadores(
        f"sqlite:///{tmp_path / 'trackers.db'}", f"sqlite:///{tmp_path / 'requests.db'}"
    ) as ind:
        hoje = date(2026, 11, 30)
        resultado = ind.nao_entendidas(hoje - timedelta(days=89), hoje)
    assert resultado.nao_entendidas > 0
    assert all("@example.com" not in g.texto or "***@" in g.texto for g in resultado.grupos)
