"""The open-loop client of ``bench.openloop``: the seeded Poisson schedule, the
ladder and capacity rules, and latency counted from the scheduled send time
(against a tiny local aiohttp stand-in for Rasa's REST channel, not Rasa)."""

import asyncio
import statistics
import time

import pytest
from servidor_local import servir

from bench import openloop


def _step(rate, ok):
    return {"rate_msg_s": rate, "ok": ok}


def test_schedule_is_seeded_increasing_and_at_the_asked_rate():
    a = openloop.schedule(20, 4000, seed=5)
    assert a == openloop.schedule(20, 4000, seed=5)
    assert a != openloop.schedule(20, 4000, seed=6)
    gaps = [y - x for x, y in zip([0.0, *a], a, strict=False)]
    assert all(g > 0 for g in gaps)
    assert len(a) / a[-1] == pytest.approx(20, rel=0.05)
    # exponential gaps: the standard deviation equals the mean (a fixed beat would be 0)
    assert statistics.pstdev(gaps) == pytest.approx(statistics.fmean(gaps), rel=0.1)


def test_a_conversation_sticks_to_one_replica_and_senders_spread_over_both():
    urls = ["http://r1", "http://r2"]
    chosen = [openloop.replica(urls, f"aberta-x-{i}") for i in range(200)]
    assert chosen == [openloop.replica(urls, f"aberta-x-{i}") for i in range(200)]
    assert 60 < chosen.count("http://r1") < 140


def test_ladder_climbs_until_the_first_failure_then_bisects():
    ladder = (5, 10, 20, 40, 60)
    assert openloop.next_rate([], ladder) == 5
    done = [(5, True), (10, True), (20, True)]
    assert openloop.next_rate(done, ladder) == 40
    done.append((40, False))
    assert openloop.next_rate(done, ladder) == 30
    done.append((30, True))
    assert openloop.next_rate(done, ladder) == 35
    done.append((35, False))
    assert openloop.next_rate(done, ladder, refine=2) is None  # two bisections done
    assert openloop.next_rate([(5, True)] * 3, ladder, max_steps=3) is None
    assert openloop.next_rate([(r, True) for r in ladder], ladder) is None  # top reached


def test_capacity_is_the_highest_passing_rate_below_every_failure():
    steps = [_step(5, True), _step(10, True), _step(20, True), _step(40, False), _step(30, True)]
    assert openloop.capacity(steps) == 30
    assert openloop.capacity([*steps, _step(35, False)]) == 30
    # a pass above a failure (noise) does not raise the capacity
    assert openloop.capacity([_step(5, True), _step(10, False), _step(20, True)]) == 5
    assert openloop.capacity([_step(5, False), _step(3, False)]) is None
    assert openloop.capacity([_step(5, True), _step(10, True)]) == 10


def test_a_step_fails_on_p99_over_the_limit_or_on_any_failure():
    assert openloop.passed(499, 0, 100)
    assert not openloop.passed(501, 0, 100)
    assert not openloop.passed(10, 1, 100)
    assert not openloop.passed(float("nan"), 0, 0)


async def _with_stub(handler, coro_factory):
    """Serve ``handler`` on 127.0.0.1 (a free port) while ``coro_factory(url)`` runs."""
    return await servir("/webhooks/rest/webhook", handler, coro_factory)


def _one_at_a_time(delay_s):
    """A stand-in handler answering one message at a time, ``delay_s`` each."""
    from aiohttp import web

    lock = asyncio.Lock()

    async def handler(request):
        body = await request.json()
        async with lock:
            await asyncio.sleep(delay_s)
        return web.json_response([{"recipient_id": body["sender"], "text": "ok"}])

    return handler


def test_latency_runs_from_the_scheduled_send_even_when_the_client_is_late():
    """The stand-in blocks the whole event loop (client included) for 0.5 s on the
    first message: the messages due meanwhile go out late, and their latency
    counts that wait, not just the fast reply that follows."""
    from aiohttp import web

    calls = []

    async def handler(request):
        body = await request.json()
        calls.append(body["sender"])
        if len(calls) == 1:
            time.sleep(0.5)  # blocks the loop: the client cannot send meanwhile
        return web.json_response([{"recipient_id": body["sender"], "text": "ok"}])

    rate, n, seed = 40, 30, 3
    res = asyncio.run(_with_stub(handler, lambda url: openloop.run_step([url], rate, n, seed=seed)))
    assert res.answered == n and res.failures == 0 and len(calls) == n
    offsets = openloop.schedule(rate, n, seed)
    assert sorted(s for s, _ in res.records) == pytest.approx(offsets, abs=1e-6)
    blocked_until = offsets[0] + 0.5  # the first message's send, then the block
    waited = [(s, lat) for s, lat in res.records if offsets[0] < s < blocked_until - 0.1]
    assert waited, "some messages must have been due during the block"
    for sched, lat in waited:
        assert lat >= blocked_until - sched - 0.05
    assert max(res.lateness) >= 0.3  # the client saw its own lateness
    assert res.summary()["latency_ms"]["max"] >= 450


def test_a_slow_server_queues_arrivals_instead_of_slowing_them_down():
    """One reply at a time, 0.1 s each, at 30 msg/s: open loop keeps sending on
    schedule, so the queue (and the latency from the schedule) grows."""
    handler = _one_at_a_time(0.1)

    rate, n = 30, 20
    res = asyncio.run(_with_stub(handler, lambda url: openloop.run_step([url], rate, n, seed=9)))
    assert res.answered == n
    assert max(res.lateness) < 0.05  # sends stayed on schedule
    assert res.max_in_flight >= 5
    # the last reply comes ~n × 0.1 s after the start, whatever the schedule
    assert res.last_reply_s >= n * 0.1 - 0.02
    assert res.summary()["latency_ms"]["max"] >= 1000 * (n * 0.1 - res.span_s) - 50
    assert not res.summary()["ok"]  # p99 well over 500 ms


def test_replies_missing_after_the_drain_are_timeouts():
    from aiohttp import web

    async def handler(request):
        await asyncio.sleep(5)
        return web.json_response([])

    res = asyncio.run(
        _with_stub(handler, lambda url: openloop.run_step([url], 50, 5, seed=1, drain_s=0.3))
    )
    assert res.timeouts == 5 and res.answered == 0
    assert not res.summary()["ok"]


def test_step_size_is_bounded_in_time_and_count():
    assert openloop.step_messages(20, duration_s=15, minimum=100) == 300
    assert openloop.step_messages(5, duration_s=15, minimum=100) == 100  # 20 s: the minimum
    assert openloop.step_messages(1, duration_s=15, minimum=100) == 30  # capped at 30 s
    assert openloop.step_messages(5, duration_s=0, minimum=15) == 15


def _summary(rate, p99, ok, failures=0):
    return {
        "rate_msg_s": rate,
        "messages": 100,
        "errors": failures,
        "timeouts": 0,
        "empty_replies": 0,
        "latency_ms": {"p50": p99 / 2, "p95": p99 * 0.9, "p99": p99, "max": p99 * 1.1},
        "offered_msg_s": rate,
        "achieved_msg_s": rate,
        "lateness_ms": {"max": 1.0},
        "ok": ok,
    }


def _section(dev_a, dev_b, prod_a):
    def cfg(steps):
        return {"replicas": 1, "steps": steps, "capacity_msg_s": openloop.capacity(steps)}

    return {
        "method": openloop.method(),
        "profiles": {
            "desenvolvimento": {"configs": {"ours": cfg(dev_a), "default": cfg(dev_b)}},
            "producao": {"configs": {"ours": cfg(prod_a)}},
        },
    }


def test_open_loop_targets_compare_capacities_and_read_p99_at_20():
    from bench import tables, targets

    dev_a = [_summary(5, 60, True), _summary(20, 120, True), _summary(40, 900, False)]
    dev_b = [_summary(5, 90, True), _summary(10, 300, True), _summary(20, 800, False)]
    prod_a = [_summary(20, 100, True), _summary(40, 300, True), _summary(60, 700, False)]
    rows = targets.assess_openloop(_section(dev_a, dev_b, prod_a))
    assert [ok for _name, _measured, ok in rows] == [True, True, True]  # 20 ≥ 2×10, 40 ≥ 3×10
    assert "20 vs 10 msg/s" in rows[0][1] and "120 ms" in rows[1][1]
    prod_a[1] = _summary(40, 600, False)  # production now only reaches 20 = 2 × (b)
    dev_a[1] = _summary(20, 160, True)  # p99 at 20 msg/s over 150 ms
    rows = targets.assess_openloop(_section(dev_a, dev_b, prod_a))
    assert [ok for *_rest, ok in rows] == [True, False, False]
    # (b) passing no step: any capacity of (a) is more than twice it; (a) stopping below 20 fails
    stopped = [_summary(5, 60, True), _summary(10, 700, False)]
    rows = targets.assess_openloop(_section(stopped, [_summary(5, 900, False)], prod_a))
    assert [ok for *_rest, ok in rows] == [True, False, True]
    assert "parou em 10 msg/s" in rows[1][1]
    assert [ok for *_rest, ok in targets.assess_openloop({})] == [None, None, None]
    text = tables.openloop_md(_section(dev_a, dev_b, prod_a))
    assert "| desenvolvimento (SQLite, 1 Rasa) | nosso (a) | **20 msg/s** |" in text


def test_sure_fail_count_slow_replies_always_put_p99_over():
    from bench.common import percentile

    for n in (1, 2, 20, 100, 101, 300, 1000):
        k = openloop.sure_fail_count(n)
        assert k <= 0.01 * n + 2
        # however fast or slow the others are
        assert percentile([0.0] * (n - k) + [0.5001] * k, 99) > 0.5
        if n >= 100:  # and one fewer may not (at step sizes, the count is tight)
            assert percentile([0.1] * (n - k + 1) + [0.9] * (k - 1), 99) <= 0.5


def test_a_surely_failed_step_stops_early_with_the_same_verdict():
    handler = _one_at_a_time(0.1)

    async def both(url):
        started = time.perf_counter()
        res = await openloop.run_step([url], 50, 200, seed=2, stop_early=True)
        return res, time.perf_counter() - started

    res, took = asyncio.run(_with_stub(handler, both))
    summary = res.summary()
    assert summary["stopped_early"] and not summary["ok"]
    assert res.sent < 200 and took < 3  # the whole step would take 20 s of replies
    assert res.timeouts == 0 and res.errors == 0  # what was awaited is dropped, not an error


_BURNING_SERVER = """
import sys, time
from aiohttp import web

async def handler(request):
    body = await request.json()
    end = time.process_time() + 0.005  # 5 ms of CPU per message
    while time.process_time() < end:
        pass
    return web.json_response([{"recipient_id": body["sender"], "text": "ok"}])

app = web.Application()
app.router.add_post("/webhooks/rest/webhook", handler)
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None)
"""


def test_each_step_keeps_the_cpu_per_message_of_every_process_and_the_busy_cores():
    """A stand-in server in its own process burning 5 ms of CPU per message: the
    ladder's step reads it back per answered message from /proc, with the client's
    own CPU and the machine's busy cores."""
    import os
    import socket
    import subprocess
    import sys

    from bench.common import cpu_seconds
    from bench.servers import port_free

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-c", _BURNING_SERVER, str(port)])
    try:
        deadline = time.monotonic() + 20
        while port_free(port):
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        url = f"http://127.0.0.1:{port}/webhooks/rest/webhook"
        out = openloop.ladder(
            {"x": [url]},
            rates=[20],
            max_steps=1,
            duration_s=2,
            min_messages=40,
            cpu=lambda name: {"rasa": cpu_seconds(proc.pid)},
        )
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    (step,) = out["x"]["steps"]
    assert step["answered"] == 40 and step["ok"]
    per = step["cpu_ms_per_msg"]
    assert 4.0 <= per["rasa"] <= 12.0  # the 5 ms burnt, plus aiohttp's own work
    assert per["cliente"] > 0
    assert step["cpu_ms_per_msg_total"] == pytest.approx(sum(per.values()), abs=0.02)
    # the machine was busy at least with the server's burn, never more than all its cores
    assert 0.05 <= step["machine_busy_cores"] <= os.cpu_count() + 0.1


def test_step_cpu_divides_by_answered_messages_and_the_report_shows_it():
    from bench import tables, targets

    keys = ("rasa", "rasa-2", "acoes", "postgres", "cliente")
    before = (10.0, 100.0, dict(zip(keys, (1.0, 2.0, 0.5, 3.0, 4.0), strict=True)))
    after = (12.0, 102.5, dict(zip(keys, (1.3, 2.2, 0.6, 3.1, 4.05), strict=True)))
    got = openloop.step_cpu(before, after, 100)
    assert got["cpu_ms_per_msg"] == {
        "rasa": 3.0,
        "rasa-2": 2.0,
        "acoes": 1.0,
        "postgres": 1.0,
        "cliente": 0.5,
    }
    assert got["cpu_ms_per_msg_total"] == 7.5 and got["machine_busy_cores"] == 1.25
    assert openloop.step_cpu(before, after, 0)["cpu_ms_per_msg_total"] is None

    dev_a = [_summary(5, 60, True), _summary(20, 120, True), _summary(40, 900, False)]
    dev_b = [_summary(5, 90, True), _summary(10, 300, True), _summary(20, 800, False)]
    prod_a = [_summary(20, 100, True), {**_summary(40, 300, True), **got}, _summary(60, 700, False)]
    text = tables.openloop_md(_section(dev_a, dev_b, prod_a))
    # both replicas summed as Rasa; Redis not measured: a dash
    assert "| 5,0 / 1,0 / 1,0 / — / 0,5 = 7,5 ms | 1,25 |" in text
    assert "| — | — | sim |" in text  # steps without readings (older results)
    production = targets.assess_openloop(_section(dev_a, dev_b, prod_a))[2][1]
    assert "na capacidade: 7,5 ms de CPU por mensagem somando os processos" in production
    assert "1,25 núcleos ocupados" in production


def test_cpu_by_name_and_machine_busy_read_a_real_busy_process():
    import subprocess
    import sys
    from pathlib import Path

    from bench.common import cpu_by_name, cpu_seconds, machine_busy_s

    busy0 = machine_busy_s()
    burn = "import time\nend = time.process_time() + 0.4\nwhile time.process_time() < end: pass\n"
    proc = subprocess.Popen([sys.executable, "-c", burn + "time.sleep(5)"])
    try:
        time.sleep(1.5)
        name = Path(f"/proc/{proc.pid}/comm").read_text().strip()
        own = cpu_seconds(proc.pid)
        assert own >= 0.35
        assert cpu_by_name([name, "no-such-process"])[name] >= own
        assert cpu_by_name(["no-such-process"]) == {"no-such-process": 0.0}
        assert machine_busy_s() - busy0 >= 0.35
    finally:
        proc.kill()
        proc.wait()
