"""bot.rasa.tracker_cache: the cached store answers and writes exactly what Rasa's
SQLTrackerStore would, writes through to SQLite, and never brings back what
another process (``sei-nts privacy purge``) deleted. Real SQLite files, Rasa's
own tracker store as the reference; no model, no server."""

import asyncio
import sqlite3
from datetime import datetime, timedelta, timezone

import pytest
import yaml
from conftest import PORT_BASE, ROOT, rest_say, start_launcher
from eventos import session_start, turn
from geradores import gerar_cpf
from processes import stop

from bot import settings
from bot.ops import launcher
from bot.ops.privacidade import purgar_trackers
from bot.rasa.tracker_cache import CachedSQLTrackerStore


@pytest.fixture(scope="module")
def domain():
    from rasa.shared.core.domain import Domain

    return Domain.load(ROOT / "domain.yml")


@pytest.fixture()
def db(tmp_path):
    return tmp_path / "trackers.db"


@pytest.fixture()
def store(domain, db):
    return cached(domain, db)


def run(coro):
    return asyncio.run(coro)


def plain(domain, db):
    from rasa.core.tracker_store import SQLTrackerStore

    return SQLTrackerStore(domain, dialect="sqlite", db=str(db))


def cached(domain, db, **kwargs):
    return CachedSQLTrackerStore(domain, dialect="sqlite", db=str(db), **kwargs)


async def converse(store, sender, turns=1, new=False):
    """What Rasa's processor does for ``turns`` messages: get (or create) the
    tracker, append the turn's events, save; the last tracker."""
    tracker = None
    for _ in range(turns):
        tracker = await store.get_or_create_tracker(sender, append_action_listen=False)
        if not tracker.events or new:
            tracker.update_with_events(session_start(), None)
            new = False
        tracker.update_with_events(turn(), None)
        await store.save(tracker)
    return tracker


def rows(db, sender):
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT type_name, timestamp, action_name, intent_name, data FROM events "
            "WHERE sender_id = ? ORDER BY id",
            (sender,),
        ).fetchall()


async def same_as_fresh_read(store, domain, db, sender):
    """The cached store's tracker equals a new SQLTrackerStore's read of the file."""
    ours = await store.retrieve(sender)
    fresh = await plain(domain, db).retrieve(sender)
    if fresh is None:
        return ours is None
    same_events = [e.as_dict() for e in ours.events] == [e.as_dict() for e in fresh.events]
    return same_events and ours.current_state() == fresh.current_state()


# ----- what it answers --------------------------------------------------------------------------
def test_hits_return_what_a_fresh_sql_read_returns(domain, db, store):
    async def cenario():
        await converse(store, "a", turns=5)
        await converse(store, "b", turns=3)
        assert await same_as_fresh_read(store, domain, db, "a")
        assert await same_as_fresh_read(store, domain, db, "b")

    run(cenario())
    assert store.hits >= 5  # the turns after the second came from memory


def test_writes_exactly_the_rows_rasa_writes_session_restarts_included(domain, tmp_path):
    """Same calls on Rasa's store and ours (two files): same rows, same reads, every step,
    through a new session, a turn dropped before its save and a tracker rebuilt by hand."""
    from rasa.shared.core.events import BotUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    dbs = {"rasa": tmp_path / "rasa.db", "nosso": tmp_path / "nosso.db"}
    stores = {"rasa": plain(domain, dbs["rasa"]), "nosso": cached(domain, dbs["nosso"])}

    async def step(events=(), new_session=False, save=True, rebuild=False):
        start = session_start()
        for store in stores.values():
            tracker = await store.get_or_create_tracker("s", append_action_listen=False)
            if rebuild:  # the HTTP API replacing the events: one old reply changed
                old = list(tracker.events)
                old[-3] = BotUttered("resposta reescrita", timestamp=old[-3].timestamp)
                tracker = DialogueStateTracker.from_events("s", old, domain.slots)
            if not tracker.events or new_session:
                tracker.update_with_events(start, None, override_timestamp=False)
            tracker.update_with_events(list(events), None, override_timestamp=False)
            if save:
                await store.save(tracker)
        assert rows(dbs["rasa"], "s") == rows(dbs["nosso"], "s")
        for key, store in stores.items():
            assert await same_as_fresh_read(store, domain, dbs[key], "s"), key

    async def cenario():
        # the same event objects go to both trackers: same timestamps in both files
        for _ in range(3):
            await step(turn())
        await step(turn(), save=False)  # a turn that failed before its save
        await step(turn())
        await step(turn(), new_session=True)  # the session expired
        await step(turn())
        await step(turn())
        await step(turn(), rebuild=True)
        await step(turn())

    run(cenario())
    assert stores["nosso"].hits >= 4


def test_a_tracker_changed_without_saving_does_not_change_the_cache(domain, db, store):
    async def cenario():
        await converse(store, "c", turns=3)
        handed = await store.retrieve("c")
        n = len(handed.events)
        handed.update_with_events(turn("outra coisa", "affirm"), None)  # never saved
        again = await store.retrieve("c")
        assert len(again.events) == n and again is not handed
        assert again.get_slot("rascunho") != handed.get_slot("rascunho")
        assert await same_as_fresh_read(store, domain, db, "c")

    run(cenario())


# ----- write-through, crash --------------------------------------------------------------------
def test_every_save_is_in_the_file_for_another_store_and_after_a_crash(domain, db, store):
    """Write-through: a second store on the same file sees each turn at once, and a new
    cached store (Rasa restarted after a kill: the old one never closed) has everything."""
    other = plain(domain, db)

    async def cenario():
        for n in range(1, 5):
            tracker = await converse(store, "d", turns=1)
            seen = await other.retrieve("d")
            assert list(seen.events) == list(tracker.events)[-len(seen.events) :]
            assert seen.get_slot("rascunho") == tracker.get_slot("rascunho")
            assert sum(r[0] == "user" for r in rows(db, "d")) == n
        reborn = cached(domain, db)
        assert list((await reborn.retrieve("d")).events) == list((await other.retrieve("d")).events)

    run(cenario())


def test_a_failed_write_leaves_the_database_as_it_was_and_the_cache_not_ahead(domain, db, store):
    async def cenario():
        await converse(store, "e", turns=3)
        before = rows(db, "e")
        with sqlite3.connect(db) as conn:  # a real failure of the database on insert
            conn.execute(
                "CREATE TRIGGER falha BEFORE INSERT ON events BEGIN SELECT RAISE(ABORT, 'x'); END"
            )
        with pytest.raises(Exception, match="x"):
            await converse(store, "e", turns=1)
        with sqlite3.connect(db) as conn:
            conn.execute("DROP TRIGGER falha")
        assert rows(db, "e") == before
        assert await same_as_fresh_read(store, domain, db, "e")
        await converse(store, "e", turns=1)
        assert await same_as_fresh_read(store, domain, db, "e")

    run(cenario())


# ----- purge from another process ---------------------------------------------------------------
def test_a_conversation_purged_by_another_process_is_not_brought_back(domain, db, store):
    async def cenario():
        await converse(store, "velha", turns=4)
        await converse(store, "nova", turns=2)
        assert (await store.retrieve("velha")) is not None  # in memory now
        corte = datetime.now(timezone.utc) + timedelta(days=1)
        purgar_trackers(f"sqlite:///{db}", corte)  # what `sei-nts privacy purge` runs
        assert rows(db, "velha") == [] and rows(db, "nova") == []
        assert await store.retrieve("velha") is None
        assert await store.retrieve("nova") is None
        # the user writes again: a new conversation, the old events stay deleted
        tracker = await converse(store, "velha", turns=1)
        assert sum(e.type_name == "user" for e in tracker.events) == 1
        assert sum(r[0] == "user" for r in rows(db, "velha")) == 1
        assert await same_as_fresh_read(store, domain, db, "velha")

    run(cenario())


def test_any_other_change_of_the_rows_is_read_from_the_database(domain, db, store):
    """Rows deleted or added behind the store's back (another connection): the next
    read is SQLite's, not memory's."""

    async def cenario():
        await converse(store, "f", turns=3)
        await store.retrieve("f")
        with sqlite3.connect(db) as conn:
            conn.execute("DELETE FROM events WHERE id = (SELECT max(id) FROM events)")
        assert await same_as_fresh_read(store, domain, db, "f")
        await plain(domain, db).save(await converse(cached(domain, db), "f", turns=1))
        assert await same_as_fresh_read(store, domain, db, "f")

    run(cenario())


@pytest.mark.e2e
def test_purge_while_rasa_runs_with_the_cache_ends_the_conversation(tmp_path, rng):
    """The launcher with SEI_TRACKER_CACHE=1: a form half filled, `privacy purge` from
    this (another) process, and the next answer starts afresh instead of resuming."""
    portas = dict(rasa=PORT_BASE + 15, acoes=PORT_BASE + 35, web=PORT_BASE + 45)
    proc, _ = start_launcher(
        tmp_path, portas["rasa"], portas["acoes"], web_port=portas["web"], SEI_TRACKER_CACHE="1"
    )

    def say(texto):
        return "\n".join(r.get("text") or "" for r in rest_say(portas["rasa"], "purgada", texto))

    try:
        endpoints = yaml.safe_load((tmp_path / "run" / "endpoints.yml").read_text())
        assert endpoints["tracker_store"]["type"] == launcher.CACHED_TRACKER_STORE
        assert "sigla da sua unidade" in say("quero abrir uma solicitação de cadastro")
        assert "nome completo" in say("GETIN")
        assert "CPF de Joana" in say("Joana Teste Ramos")  # this turn's tracker came from memory
        db = tmp_path / "trackers.db"
        corte = datetime.now(timezone.utc) + timedelta(days=1)
        assert purgar_trackers(f"sqlite:///{db}", corte)[0] == 1
        assert "e-mail pessoal" not in say(gerar_cpf(rng, mascarado=True))
        textos = " ".join(r[4] for r in rows(db, "purgada"))
        assert "GETIN" not in textos and "Joana" not in textos
    finally:
        stop(proc)


# ----- bounds, configuration --------------------------------------------------------------------
def test_the_cache_is_bounded_and_evicted_conversations_still_read_right(domain, db):
    store = cached(domain, db, cache_size=2)

    async def cenario():
        for _ in range(3):
            for sender in ("g1", "g2", "g3"):
                await converse(store, sender, turns=1)
        assert len(store._cache) == 2
        for sender in ("g1", "g2", "g3"):
            assert await same_as_fresh_read(store, domain, db, sender)

    run(cenario())


def test_only_sqlite(domain, tmp_path):
    with pytest.raises(ValueError, match="SQLite"):
        CachedSQLTrackerStore(domain, dialect="postgresql", host="127.0.0.1", db="x")


def _cfg(tmp_path, **env):
    return settings.load({"SEI_PROJECT_ROOT": str(ROOT), "SEI_VAR_DIR": str(tmp_path), **env})


def test_the_launcher_uses_it_only_in_the_development_profile_when_asked(domain, tmp_path):
    from rasa.core.tracker_store import create_tracker_store
    from rasa.utils.endpoints import read_endpoint_config

    def tracker_store(**env):
        out = launcher.render_endpoints(_cfg(tmp_path, **env), tmp_path / "e.yml")
        return out, yaml.safe_load(out.read_text())["tracker_store"]

    out, ligado = tracker_store(SEI_TRACKER_CACHE="1")
    assert ligado == {
        "type": launcher.CACHED_TRACKER_STORE,
        "dialect": "sqlite",
        "db": str(tmp_path / "trackers.db"),
    }
    # Rasa loads that path as this class (an unknown path would fall back to memory)
    store = create_tracker_store(read_endpoint_config(str(out), "tracker_store"), domain)
    assert type(store) is CachedSQLTrackerStore
    assert tracker_store(SEI_TRACKER_CACHE="0")[1]["type"] == "SQL"
    _, producao = tracker_store(SEI_TRACKER_CACHE="1", SEI_PERFIL="producao")
    assert producao["type"] == "SQL" and producao["dialect"] == "postgresql"
