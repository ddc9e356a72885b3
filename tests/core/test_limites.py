"""bot.limites: sliding-window message limits, in-process and in a real Redis."""

from __future__ import annotations

import asyncio
import contextlib
import os
import uuid

import pytest

from bot.limites import Limitador, Regra, RegraInvalida, ler_regras

REDIS_URL = "redis://127.0.0.1:6379/15"


def test_rules_are_read_and_bad_ones_refused_in_portuguese():
    assert ler_regras("12/10, 60/60s") == (Regra(12, 10), Regra(60, 60))
    assert ler_regras("") == ()
    for ruim in ("abc", "0/10", "5/0", "5-10"):
        with pytest.raises(RegraInvalida, match="MENSAGENS/SEGUNDOS"):
            ler_regras(ruim)


def test_in_process_limit_refuses_the_excess_and_counts_keys_apart():
    async def principal():
        limite = Limitador("t", ler_regras("3/60"))
        esperas = [await limite.consumir("sessao-a") for _ in range(5)]
        assert esperas[:3] == [0.0, 0.0, 0.0]
        assert all(59 <= e <= 60 for e in esperas[3:])
        assert await limite.consumir("sessao-b") == 0.0  # another key: its own budget
        vazio = Limitador("t", ())
        assert all([await vazio.consumir("x") == 0.0 for _ in range(100)])

    asyncio.run(principal())


def test_a_refused_message_does_not_count_and_the_window_slides():
    async def principal():
        limite = Limitador("t", [Regra(2, 1)])
        assert [await limite.consumir("k") for _ in range(2)] == [0.0, 0.0]
        for _ in range(10):  # refused ones do not extend the wait
            assert 0 < await limite.consumir("k") <= 1
        await asyncio.sleep(1.05)
        assert await limite.consumir("k") == 0.0

    asyncio.run(principal())


def test_a_message_given_back_frees_its_slot():
    async def principal():
        limite = Limitador("t", ler_regras("2/60"))
        assert [await limite.consumir("k") for _ in range(2)] == [0.0, 0.0]
        assert await limite.consumir("k") > 0
        await limite.devolver("k")
        assert await limite.consumir("k") == 0.0
        assert await limite.consumir("k") > 0
        await limite.devolver("nunca-vista")  # nothing to give back: no error
        await Limitador("t", ()).devolver("k")

    asyncio.run(principal())


def test_counting_refused_attempts_keeps_a_persistent_sender_refused():
    async def principal():
        limite = Limitador("t", [Regra(3, 1)], contar_recusadas=True)
        assert [await limite.consumir("k") for _ in range(3)] == [0.0] * 3
        for _ in range(12):  # 1.2 s of one attempt per 0.1 s: the window never drains
            espera = await limite.consumir("k")
            assert 0 < espera <= 1
            await asyncio.sleep(0.1)
        assert await limite.consumir("outra") == 0.0
        await asyncio.sleep(1.05)  # quiet for a whole window
        assert await limite.consumir("k") == 0.0
        for _ in range(10_000):  # however many attempts, a key keeps only its latest
            await limite.consumir("k")
        assert len(limite._locais[limite._chave("k")]) == 4

    asyncio.run(principal())


def _redis_ou_pular():
    from redis import asyncio as redis_asyncio

    cliente = redis_asyncio.from_url(REDIS_URL, socket_timeout=1)

    async def ping():
        try:
            await cliente.ping()
            return True
        except Exception:
            return False

    if not asyncio.run(ping()):
        if os.environ.get("CI"):
            pytest.fail("Redis em 127.0.0.1:6379 é necessário no CI")
        pytest.skip("Redis em 127.0.0.1:6379 indisponível")


@contextlib.asynccontextmanager
async def _dois_gateways(prefixo: str):
    """Two Redis clients (two gateways); the test's keys deleted at the end."""
    from redis import asyncio as redis_asyncio

    a = redis_asyncio.from_url(REDIS_URL)
    b = redis_asyncio.from_url(REDIS_URL)
    try:
        yield a, b
    finally:
        async for k in a.scan_iter(f"{prefixo}:*"):
            await a.delete(k)
        await a.close()
        await b.close()


def test_two_gateways_share_one_limit_in_redis_and_keys_are_hashed():
    _redis_ou_pular()
    prefixo = f"teste-{uuid.uuid4().hex[:8]}"

    async def principal():
        async with _dois_gateways(prefixo) as (a, b):
            um = Limitador("web-sessao", ler_regras("4/60,100/600"), a, prefixo)
            outro = Limitador("web-sessao", ler_regras("4/60,100/600"), b, prefixo)
            esperas = []
            for i in range(8):  # alternating gateways, one session
                esperas.append(await (um if i % 2 else outro).consumir("sessao-segredo-123"))
            assert esperas[:4] == [0.0] * 4 and all(e > 50 for e in esperas[4:])
            chaves = [k.decode() async for k in a.scan_iter(f"{prefixo}:*")]
            assert chaves and not any("sessao-segredo-123" in k for k in chaves)
            cheios = [await a.zcard(k) for k in chaves]
            assert sorted(cheios) == [4, 4]  # refused messages were taken back
            await outro.devolver("sessao-segredo-123")  # a slot given back frees it
            assert await um.consumir("sessao-segredo-123") == 0.0
            assert await outro.consumir("sessao-segredo-123") > 50
            for k in chaves:
                assert 0 < await a.ttl(k) <= 601

    asyncio.run(principal())


def test_counting_refused_attempts_in_redis_shared_and_bounded():
    _redis_ou_pular()
    prefixo = f"teste-{uuid.uuid4().hex[:8]}"

    async def principal():
        async with _dois_gateways(prefixo) as (a, b):
            regras = ler_regras("3/1,5/60")
            um = Limitador("tentativas", regras, a, prefixo, contar_recusadas=True)
            outro = Limitador("tentativas", regras, b, prefixo, contar_recusadas=True)
            esperas = [await (um if i % 2 else outro).consumir("chat-42") for i in range(4)]
            assert esperas[:3] == [0.0] * 3 and 0 < esperas[3] <= 1
            await asyncio.sleep(1.05)  # 3/1 slid, but 4 attempts of 5/60 were counted
            assert await um.consumir("chat-42") == 0.0
            assert 50 < await outro.consumir("chat-42") <= 60  # the 6th attempt
            for _ in range(200):
                assert await um.consumir("chat-42") > 50
            chaves = [k.decode() async for k in a.scan_iter(f"{prefixo}:*")]
            assert chaves and not any("chat-42" in k for k in chaves)
            assert all([await a.zcard(k) <= 6 for k in chaves])  # the latest attempts only

    asyncio.run(principal())


def test_redis_down_serves_the_message_and_says_so(caplog):
    from redis import asyncio as redis_asyncio

    async def principal():
        morto = redis_asyncio.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2)
        limite = Limitador("web-sessao", ler_regras("1/60"), morto)
        assert [await limite.consumir("s") for _ in range(3)] == [0.0, 0.0, 0.0]
        await morto.close()

    asyncio.run(principal())
    assert "sem Redis" in caplog.text
