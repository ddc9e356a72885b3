"""Rasa's SQL tracker store on SQLite with each conversation's tracker kept in
process memory (single Rasa replica: the development profile).

Every ``save`` writes to SQLite first and updates the cache only after the
commit; a failed write drops the entry, so the cache is never ahead of the
database. Every cache hit is checked against the database with one indexed
query (number and largest id of the conversation's ``events`` rows): a
conversation that another process changed (``sei-nts privacy purge`` deletes
its rows, a restore rewrites them) is read again from SQLite, so a purged
conversation never comes back from memory. The cache holds each tracker
pickled (Rasa mutates the tracker it gets: every hit unpickles a copy of its
own; pickling is ~8x cheaper than ``copy.deepcopy`` and ~15x cheaper than
deserialising the events, bench/NOTAS.md; only bytes this process pickled
are ever unpickled), and exactly what a fresh ``SQLTrackerStore.retrieve``
would return: entries whose next read would differ (a new session started,
events the caller replaced) are dropped.

Configured as ``tracker_store: {type: bot.rasa.tracker_cache.CachedSQLTrackerStore,
dialect: sqlite, db: ...}`` (Rasa loads custom stores by module path); the
launcher writes that when ``SEI_TRACKER_CACHE`` is on.
"""

from __future__ import annotations

import itertools
import json
import logging
import pickle
import weakref
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from cachetools import LRUCache
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker

from bot.rasa.patches import event_columns

logger = logging.getLogger(__name__)

DEFAULT_CACHE_SIZE = 500
# (number of rows, largest id) of one conversation's events: what a hit is checked against
Stamp = tuple[int, int | None]


@dataclass
class _Entry:
    """What the database held for one conversation when it was cached."""

    stamp: Stamp
    session_start: float | None  # timestamp of its latest SessionStarted row (None: none)
    pickled: bytes  # the tracker of the latest session: each hit unpickles its own copy
    length: int  # its number of events
    # the tracker last handed out or saved, and its last event then: a save of any
    # other tracker (or of one whose events were replaced) did not grow from this entry
    lineage: weakref.ref[DialogueStateTracker] | None = None
    lineage_last: Event | None = None


class CachedSQLTrackerStore(SQLTrackerStore):
    """``SQLTrackerStore`` (SQLite only) with an LRU cache of trackers, written through."""

    def __init__(self, *args: Any, cache_size: int = DEFAULT_CACHE_SIZE, **kwargs: Any) -> None:
        dialect = kwargs.get("dialect", args[1] if len(args) > 1 else "sqlite")
        if dialect != "sqlite":
            raise ValueError(
                "CachedSQLTrackerStore só serve ao SQLite com uma réplica do Rasa "
                f"(dialect {dialect!r}): use type SQL"
            )
        super().__init__(*args, **kwargs)
        self._cache: LRUCache[str, _Entry] = LRUCache(maxsize=max(1, int(cache_size)))
        self.hits = 0
        self.misses = 0

    # ------------------------------------------------------------------ reading
    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        """The latest session's tracker: a copy of the cached one while the database
        still holds what was cached, else read (and cached) like ``SQLTrackerStore``."""
        entry = self._cache.get(sender_id)
        if entry is not None:
            with self.session_scope() as session:
                current = self._stamp(session, sender_id)
            if current == entry.stamp:
                self.hits += 1
                logger.debug("Tracker cache hit (%d hits, %d misses)", self.hits, self.misses)
                tracker: DialogueStateTracker = pickle.loads(entry.pickled)
                _set_lineage(entry, tracker)
                return tracker
            self._cache.pop(sender_id, None)
        self.misses += 1
        return self._read(sender_id)

    def _read(self, sender_id: str) -> DialogueStateTracker | None:
        """Rasa's read of the latest session, with the stamp in the same transaction."""
        with self.session_scope() as session:
            _begin(session, "BEGIN")  # one snapshot for the stamp and the rows
            stamp = self._stamp(session, sender_id)
            rows = self._event_query(session, sender_id, fetch_events_from_all_sessions=False)
            events = [json.loads(row.data) for row in rows.all()]
        if not (self.domain and events):
            return None
        tracker = DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
        starts = [e.timestamp for e in tracker.events if isinstance(e, SessionStarted)]
        self._cache[sender_id] = _entry(stamp, max(starts, default=None), tracker)
        return tracker

    def _stamp(self, session: Any, sender_id: str) -> Stamp:
        """Number of rows and largest id of the conversation (the ``sender_id`` index)."""
        event = self.SQLEvent
        count, last = session.execute(
            sa.select(sa.func.count(event.id), sa.func.max(event.id)).where(
                event.sender_id == sender_id
            )
        ).one()
        return int(count), last

    # ------------------------------------------------------------------ writing
    async def save(self, tracker: DialogueStateTracker) -> None:
        """Write the new events (as ``SQLTrackerStore.save``), then cache the tracker."""
        sender_id = tracker.sender_id
        entry = self._cache.pop(sender_id, None)  # back only after a commit
        await self.stream_events(tracker)  # (with an event broker: reads the database)
        self._cache.pop(sender_id, None)
        with self.session_scope() as session:
            _begin(session, "BEGIN IMMEDIATE")  # the write lock first: no purge in between
            before = self._stamp(session, sender_id)
            if entry is None or entry.stamp != before or not _descends(tracker, entry):
                entry = None
                stored = self._event_query(
                    session, sender_id, fetch_events_from_all_sessions=False
                ).count()
            else:  # the database holds the cached tracker, and nothing else, for this session
                stored = entry.length
            new_events = list(itertools.islice(tracker.events, stored, None))
            rows = [self._row(sender_id, event) for event in new_events]
            session.add_all(rows)
            session.flush()  # the rows get their ids, still inside the write lock
            after = (before[0] + len(rows), rows[-1].id if rows else before[1])
            session.commit()
        logger.debug("Tracker stored to database (%d new events)", len(new_events))
        if entry is not None and _same_session(new_events, entry.session_start):
            self._cache[sender_id] = _entry(after, entry.session_start, tracker)

    def _row(self, sender_id: str, event: Event) -> Any:
        """The ``events`` row of one event, exactly as ``SQLTrackerStore.save`` writes it."""
        return self.SQLEvent(**event_columns(sender_id, event))


def _begin(session: Any, statement: str) -> None:
    """Open the SQLite transaction now (pysqlite would defer it to the first write)."""
    session.connection().exec_driver_sql(statement)


def _entry(stamp: Stamp, session_start: float | None, tracker: DialogueStateTracker) -> _Entry:
    """The entry of ``tracker`` (pickled now: later changes to it do not reach the
    cache), with ``tracker`` as its lineage."""
    pickled = pickle.dumps(tracker, protocol=pickle.HIGHEST_PROTOCOL)
    entry = _Entry(stamp, session_start, pickled, len(tracker.events))
    _set_lineage(entry, tracker)
    return entry


def _set_lineage(entry: _Entry, tracker: DialogueStateTracker) -> None:
    entry.lineage = weakref.ref(tracker)
    entry.lineage_last = tracker.events[-1] if tracker.events else None


def _descends(tracker: DialogueStateTracker, entry: _Entry) -> bool:
    """True when ``tracker`` is the entry's tracker plus new events: the copy handed
    out (or the tracker last saved), its old events still in place (Rasa appends)."""
    n = entry.length
    same = entry.lineage is not None and entry.lineage() is tracker
    return (
        same
        and len(tracker.events) >= n
        and (n == 0 or tracker.events[n - 1] is entry.lineage_last)
    )


def _same_session(new_events: list[Event], session_start: float | None) -> bool:
    """True when a fresh read would still return the whole cached tracker: no new
    session started and no new event is older than the session's start."""
    for event in new_events:
        if isinstance(event, SessionStarted):
            return False
        if session_start is not None and (event.timestamp or 0) < session_start:
            return False
    return True
