"""A 500-row planilha checked as the action server checks it, and the hostile files.

``measure`` times ``planilha_chat.conferir`` (read the upload, check every row
with the form's validators against the real catalogues, look up the open
requests, write the planilha with its Erros column) on a 500-row
"Cadastro de Usuários" with 50 errors, ``runs`` times, and reports p50/p95
and the RSS of this process (which does exactly what the action server's
action does, in-process) before and at the peak; then the time each hostile
file of ``tests/solicitacoes/test_leitura.py`` takes to be refused.

Usage: python -m bench.planilha [--runs 20]   (prints JSON; run from the repo root)
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import resource
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

from bench.common import ROOT, percentile, rss_mb

TARGET_P95_S = 2.0


def _servicos(var: Path) -> Any:
    from bot import settings
    from bot.solicitacoes.servicos import Servicos

    return Servicos(settings.load({"SEI_PROJECT_ROOT": str(ROOT), "SEI_VAR_DIR": str(var)}))


def _hostis() -> dict[str, bytes]:
    """The hostile files, built in memory."""
    import openpyxl

    sys.path.insert(0, str(ROOT / "tests" / "solicitacoes"))
    sys.path.insert(0, str(ROOT / "tests"))
    import test_leitura as t  # the suite's own builders

    def xlsx(linhas: list[list[Any]]) -> bytes:
        wb = openpyxl.Workbook()
        for linha in linhas:
            wb.active.append(linha)
        buffer = io.BytesIO()
        wb.save(buffer)
        return buffer.getvalue()

    base = xlsx([t.CABECALHO])
    rng = random.Random(7)
    entrada = zipfile.ZipFile(io.BytesIO(base))
    partes = {i.filename: entrada.read(i) for i in entrada.infolist()}
    return {
        "zip_bomb_60MB": t._trocar(base, "xl/media/vazio.bin", b"\x00" * (60 * 1024 * 1024)),
        "billion_laughs": t._trocar(base, "xl/worksheets/sheet1.xml", t.BILLION_LAUGHS),
        "10000_colunas": xlsx([[f"c{i}" for i in range(10_000)]]),
        "lixo_binario": rng.randbytes(200_000),
        "celula_1MB": xlsx([t.CABECALHO, ["x" * 1_000_000]]),
        "501_linhas": xlsx([t.CABECALHO] + [t.LINHA] * 501),
        "mais_de_5MB": b"PK\x03\x04" + rng.randbytes(5 * 1024 * 1024),
        "macros": t._zip({**partes, "xl/vbaProject.bin": b"\x00" * 100}),
    }


def measure(runs: int = 20) -> dict[str, Any]:
    """p50/p95 of checking a 500-row planilha, RSS, and the hostile files' refusal times."""
    sys.path.insert(0, str(ROOT / "tests"))
    from planilhas_geradas import planilha_com_erros

    from bot.solicitacoes import leitura, planilha_chat
    from bot.solicitacoes.recebidas import PlanilhaRecebidaStore

    payloads = {"registrar": "/r", "corrigir": "/c", "cancelar": "/x"}
    with tempfile.TemporaryDirectory() as pasta:
        servicos = _servicos(Path(pasta) / "var")
        dados, quebradas, _ = planilha_com_erros(
            "cadastro_usuario", 500, 50, seed=1, servicos=servicos, pasta=Path(pasta)
        )
        store = PlanilhaRecebidaStore.junto_dos_anexos(servicos.settings.anexos_dir)
        planilha_chat.conferir(servicos, store.salvar(dados, "bench"), "bench", payloads)  # warm
        rss_antes = rss_mb(os.getpid())
        tempos = []
        for _ in range(runs):
            ref = store.salvar(dados, "bench")
            inicio = time.perf_counter()
            planilha_chat.conferir(servicos, ref, "bench", payloads)
            tempos.append(time.perf_counter() - inicio)
        pico = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        hostis = {}
        for nome, arquivo in _hostis().items():
            inicio = time.perf_counter()
            try:
                leitura.ler_planilha(arquivo)
                codigo = "aceito"
            except leitura.PlanilhaRecusada as erro:
                codigo = erro.codigo
            hostis[nome] = {"codigo": codigo, "s": round(time.perf_counter() - inicio, 3)}
        servicos.store.fechar()
    p95 = percentile(tempos, 95)
    return {
        "linhas": 500,
        "erros_injetados": len(quebradas),
        "runs": runs,
        "p50_s": round(percentile(tempos, 50), 3),
        "p95_s": round(p95, 3),
        "max_s": round(max(tempos), 3),
        "meta_p95_s": TARGET_P95_S,
        "meta_atingida": p95 <= TARGET_P95_S,
        "rss_mb_antes": round(rss_antes, 1),
        "rss_mb_pico": round(pico, 1),
        "hostis": hostis,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args(argv)
    print(json.dumps(measure(args.runs), ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
