"""bot.rasa.patches' tracker reads and writes (Core SELECT, count and INSERT): the same
rows, the same reads and the same transaction as Rasa's ``SQLTrackerStore``, on real
SQLite and PostgreSQL; Rasa's own code is the reference."""

import asyncio

import pytest
import sqlalchemy as sa
from conftest import ROOT
from eventos import session_start, turn

from bot.rasa import patches

STORE_METHODS = ("save", "_additional_events", "_retrieve")


@pytest.fixture(scope="module")
def domain():
    from rasa.shared.core.domain import Domain

    return Domain.load(ROOT / "domain.yml")


def _classes():
    """Rasa's store as Rasa ships it, and with the patch (neither changes the class
    the rest of the process uses)."""
    from rasa.core.tracker_store import SQLTrackerStore

    own = {
        name: patches._originals.get(name, SQLTrackerStore.__dict__[name]) for name in STORE_METHODS
    }
    rasa = type("RasaSQLTrackerStore", (SQLTrackerStore,), own)
    ours = type(
        "PatchedSQLTrackerStore",
        (SQLTrackerStore,),
        {
            "save": patches._save,
            "_additional_events": patches._additional_events,
            "_retrieve": patches._retrieve,
        },
    )
    return rasa, ours


@pytest.fixture(params=["sqlite", "postgresql"])
def stores(request, domain, tmp_path):
    """(Rasa's, ours) on one database of the dialect, and an engine to read it."""
    rasa, ours = _classes()
    if request.param == "sqlite":
        kwargs = {"dialect": "sqlite", "db": str(tmp_path / "trackers.db")}
        url = f"sqlite:///{tmp_path / 'trackers.db'}"
    else:
        url = request.getfixturevalue("pg_url")
        parts = sa.engine.make_url(url)
        kwargs = {
            "dialect": "postgresql",
            "host": parts.host,
            "port": parts.port,
            "db": parts.database,
            "username": parts.username,
        }
    engine = sa.create_engine(url, future=True)
    yield rasa(domain, **kwargs), ours(domain, **kwargs), engine
    engine.dispose()


def _rows(engine, sender):
    with engine.connect() as conn:
        return conn.execute(
            sa.text(
                "SELECT type_name, timestamp, action_name, intent_name, data FROM events "
                "WHERE sender_id = :s ORDER BY id"
            ),
            {"s": sender},
        ).all()


def test_the_same_rows_and_reads_as_rasa_every_step(stores):
    """The same events, turn by turn, through Rasa's store (conversation "r") and the
    patched one ("p"): identical rows and reads after every step, through new
    sessions, a turn lost before its save, and a turn without new events."""
    rasa, ours, engine = stores

    async def step(events, new_session=False, save=True):
        trackers = []
        for store, sender in ((rasa, "r"), (ours, "p")):
            tracker = await store.get_or_create_tracker(sender, append_action_listen=False)
            if not tracker.events or new_session:
                tracker.update_with_events(starts, None, override_timestamp=False)
            tracker.update_with_events(list(events), None, override_timestamp=False)
            if save:
                await store.save(tracker)
            trackers.append(tracker)
        assert _rows(engine, "r") == _rows(engine, "p")
        read = [await store.retrieve(s) for store, s in ((rasa, "r"), (ours, "p"))]
        assert [e.as_dict() for e in read[0].events] == [e.as_dict() for e in read[1].events]
        states = [{**t.current_state(), "sender_id": None} for t in read]
        assert states[0] == states[1]
        full = [await store.retrieve_full_tracker(s) for store, s in ((rasa, "r"), (ours, "p"))]
        assert [e.as_dict() for e in full[0].events] == [e.as_dict() for e in full[1].events]
        assert len(full[1].events) >= len(read[1].events)

    async def scenario():
        nonlocal starts
        assert await rasa.retrieve("nada") is None and await ours.retrieve("nada") is None
        for _ in range(3):
            await step(turn())
        await step(turn(), save=False)  # lost before its save: next save writes both
        await step(turn())
        await step([])  # nothing new: nothing written
        starts = session_start()
        await step(turn(), new_session=True)  # the session expired
        for _ in range(2):
            await step(turn(intent="affirm"))
        starts = session_start()
        await step(turn(), new_session=True)

    starts = session_start()
    asyncio.run(scenario())
    assert sum(r[0] == "session_started" for r in _rows(engine, "p")) == 3
    assert len(_rows(engine, "p")) == 3 * 3 + 8 * 6


def test_a_failed_insert_writes_nothing(stores):
    """One transaction: an event that cannot be written leaves none of the turn's rows."""
    _, ours, engine = stores

    class Broken:
        type_name = "bot"

        def as_dict(self):
            return {"event": "bot", "timestamp": object()}  # not JSON

    async def scenario():
        tracker = await ours.get_or_create_tracker("x", append_action_listen=False)
        tracker.update_with_events(session_start() + turn(), None)
        await ours.save(tracker)
        before = _rows(engine, "x")
        tracker.update_with_events(turn(), None)
        tracker.events.append(Broken())
        with pytest.raises(TypeError):
            await ours.save(tracker)
        assert _rows(engine, "x") == before

    asyncio.run(scenario())


def test_install_patches_rasas_class_and_the_cached_store_writes_the_same_columns(domain):
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.events import UserUttered
    from rasa.shared.nlu.training_data.features import Features
    from rasa.utils.tensorflow.models import RasaModel

    saved = [(cls, name, cls.__dict__[name]) for cls, name, _ in patches.method_patches()]
    load = RasaModel.__dict__["load"]
    try:
        patches.install()
        assert SQLTrackerStore.save is patches._save
        assert SQLTrackerStore._additional_events is patches._additional_events
        assert SQLTrackerStore._retrieve is patches._retrieve
        assert Features._combine_sparse_features is patches._combine_sparse_features
    finally:
        for cls, name, original in saved:
            setattr(cls, name, original)
        RasaModel.load = load
    event = UserUttered(
        "oi", {"name": "greet", "confidence": 1.0}, parse_data={"intent": {"name": "greet"}}
    )
    columns = patches.event_columns("s", event)
    assert columns["intent_name"] == "greet" and columns["type_name"] == "user"
    assert columns["action_name"] is None and columns["timestamp"] == event.timestamp
