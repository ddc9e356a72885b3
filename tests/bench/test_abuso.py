"""bench/abuso.py's pure parts: the schedules, the session ids and the reading of results."""

from __future__ import annotations

import itertools
import math

from bench import abuso
from bot.channels.web.handlers import SESSAO_RE


def test_normal_plan_is_the_same_each_time_and_has_no_form_turns():
    plano = abuso.plano_normais(12, usuarios=4, taxa=1.0, semente=3)
    assert plano == abuso.plano_normais(12, usuarios=4, taxa=1.0, semente=3)
    assert len(plano) == 4 * 12
    assert {e.tipo for e in plano} <= {"faq", "fallback"}
    assert not any(e.texto.startswith("\x00") for e in plano)  # no button turns
    for u in range(4):
        tempos = [e.em_s for e in plano if e.cliente == u]
        assert all(math.isclose(b - a, 1.0) for a, b in itertools.pairwise(tempos))
    # users are spread over the second, not all at once
    assert len({round(e.em_s % 1, 3) for e in plano}) == 4


def test_abuser_plan_is_one_session_at_its_rate():
    plano = abuso.plano_abusador(2, taxa=50)
    assert len(plano) == 100
    assert {(e.cliente, e.conversa) for e in plano} == {(-1, 0)}
    assert math.isclose(plano[1].em_s - plano[0].em_s, 0.02)


def test_session_ids_are_valid_for_the_gateway_and_distinct_per_run():
    plano = abuso.plano_normais(30, usuarios=10) + abuso.plano_abusador(1)
    for rodada in ("sem_abuso", "com_abuso"):
        assert all(SESSAO_RE.match(abuso.sessao(rodada, e)) for e in plano)
    e = plano[0]
    assert abuso.sessao("sem_abuso", e) != abuso.sessao("com_abuso", e)
    assert abuso.endereco(1, -1) != abuso.endereco(1, 0) != abuso.endereco(2, 0)


def _normais(p99: float, enviadas: int = 400, recusadas: int = 0, p50: float = 100.0) -> dict:
    return {
        "enviadas": enviadas,
        "respondidas": enviadas - recusadas,
        "vazias": 0,
        "recusadas_429": recusadas,
        "erros": 0,
        "latencia_ms": {"n": enviadas, "p50": p50, "p95": 200.0, "p99": p99, "max": p99},
    }


def _dados(p99_com: float, recusadas_normais: int = 0, sem_retry: int = 0) -> dict:
    abusador = {
        "enviadas": 2000,
        "respondidas": 12,
        "vazias": 0,
        "recusadas_429": 1988,
        "recusas_com_retry_after": 1988 - sem_retry,
        "recusas_com_aguarde": 1988,
        "retry_after_s": {"min": 1, "max": 60},
        "erros": 0,
        "latencia_ms": {"p50": 300.0},
        "latencia_recusa_ms": {"p50": 3.0},
    }
    return {
        "config": {"normais": 10, "taxa_normal_msg_s": 1.0, "taxa_abuso_msg_s": 50.0},
        "rodadas": {
            "sem_abuso": {"normais": _normais(400.0), "cpu_s": {"rasa": 10.0}},
            "com_abuso": {
                "normais": _normais(p99_com, recusadas=recusadas_normais),
                "abusador": abusador,
                "cpu_s": {"rasa": 12.0},
            },
        },
    }


def test_targets_met_when_p99_within_ratio_and_nothing_lost():
    linhas = abuso.metas(_dados(560.0))
    assert [ok for _, _, ok in linhas] == [True, True, True]
    assert "1,40 ×" in linhas[0][1]


def test_targets_fail_on_slow_p99_throttled_normals_or_refusal_without_retry_after():
    assert abuso.metas(_dados(640.0))[0][2] is False
    assert abuso.metas(_dados(400.0, recusadas_normais=3))[1][2] is False
    assert abuso.metas(_dados(400.0, sem_retry=1))[2][2] is False


def test_targets_not_measured_without_data():
    assert [ok for _, _, ok in abuso.metas({})] == [None, None, None]


def test_table_has_both_runs_the_ratio_and_the_abuser_line():
    texto = "\n".join(abuso.tabela(_dados(560.0)))
    assert "| sem abusador | 400 |" in texto and "| com abusador | 400 |" in texto
    assert "1,40 ×" in texto  # p99 ratio
    assert "1.988 recusadas com 429" in texto
    assert abuso.tabela({"error": "boom"}) == ["Não medido: boom."]


def test_a_saturated_baseline_is_said_in_the_table_and_the_target_row():
    dados = _dados(560.0)
    assert "saturado" not in abuso.metas(dados)[0][1]
    dados["rodadas"]["sem_abuso"]["normais"] = _normais(400.0, p50=2500.0)
    assert "já saturado" in abuso.metas(dados)[0][1]
    assert "já não acompanhou" in "\n".join(abuso.tabela(dados))


def test_the_same_address_run_is_shown_apart_from_the_targets():
    dados = _dados(560.0)
    dados["rodadas"]["mesmo_endereco"] = {"normais": _normais(900.0, recusadas=350)}
    texto = "\n".join(abuso.tabela(dados))
    assert "| com abusador, todos no endereço dele | 400 | 50 |" in texto
    assert "350 das 400 mensagens normais recusadas com 429" in texto
    assert [ok for _, _, ok in abuso.metas(dados)] == [True, True, True]
