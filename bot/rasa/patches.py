"""Speed fixes applied to Rasa inside our Rasa server process (``bot.ops.processos``).

1. Action-server responses. Rasa 3.6 checks every action-server response
with ``jsonschema.validate``, which re-validates the (constant) response
schema against the JSON Schema meta-schema on every call: ~50 ms of CPU per
custom action on our machine, two thirds of the Rasa server's CPU under load
(py-spy, bench). The patch checks the schema once and validates each response
with the same validator class, the same schema and the same error message.
Measured in ``bench/NOTAS.md`` (docs/BENCHMARKS.md): Rasa CPU per message
143 -> 53 ms, 2.6x the throughput. A valid response is then accepted by each
event's own ``oneOf`` branch (``_ResponseCheck``: 0.53 -> 0.09 ms).

2. Loading the DIET classifier. ``RasaModel.load`` compiles the model with an
optimizer and runs one training step (forward, backward, Adam update) only to
create the variables, then overwrites them with the saved weights, then
traces the prediction graph through AutoGraph. The patch creates the
variables by that first prediction instead, the saved weights restored into
them as they are created (TensorFlow's deferred checkpoint restoration), and
traces the prediction step without AutoGraph (DIET's prediction has no
tensor-dependent Python control flow; a tracing error would fall back to
Rasa's own load). It then asserts that every variable of the model was
restored from the checkpoint. Same predictions, to the last digit, on the
3,174 messages of the training and held-out sets; measured in
``bench/NOTAS.md``: model load 12.5 -> 7.2 s of CPU, peak RSS 800 -> 693 MB.
Each prediction then runs the traced graph's one concrete function with the
input tensors (``_FlatCall``), without ``tf.function``'s per-call input
canonicalisation (~1.3 ms per message, two thirds of DIET's prediction).

3. Imports. JAX, matplotlib and the SDKs of Rasa's built-in input channels
are kept out of the server until something uses them
(``bot.rasa.lazy_imports``).

4. Tracker reads and writes. ``SQLTrackerStore.save`` counts the events already stored
through an ORM query and adds one ORM object per new event: ~1.3 ms of CPU of
a ~3.5 ms save in a microbenchmark (bench/NOTAS.md). The patch counts with
one Core statement (the same condition: the rows of the latest session) and
writes the new rows with one Core INSERT (the same columns and values,
``event_columns``), in the same transaction; SQLite and PostgreSQL alike.
Reading a tracker selects only the events' ``data`` column, with Core, not
whole ORM rows (~1 ms less per read of a 20-90-event conversation). Each
event read then finds its class by its type name in a table
(``Event.resolve_by_type``): Rasa walks every Event subclass, with
``inspect.isabstract`` on each, for every event of every read. A name the
table lacks goes to Rasa's own walk, and the table is rebuilt after it.

5. Feature stacking. Rasa puts the sparse features of a message's
featurizers side by side with ``scipy.sparse.hstack``, ~0.3 ms a call for a
matrix of one row; ``bot.rasa.sparse.hstack_coo`` builds the same matrix.

6. The action server's HTTP connection. Rasa opens a new aiohttp session,
and with it a new TCP connection, for every action call
(``EndpointConfig.request`` in ``async with self.session()``). The patched
``session()`` gives each endpoint one kept session whose connections are
reused. Its idle connections close after ``KEEPALIVE_S``, less than the
action server's own keep-alive (Sanic: 5 s), so a reused connection is never
one the server is closing; a request is never sent twice. The sessions close
with Rasa's own resources when the server stops (``close_resources``).

7. Garbage-collector pauses. The loaded model leaves ~440,000 objects
that live as long as the server, and each full (generation 2) collection
walks them all: 209-276 ms a pause while serving 20 msg/s, on a
2-core AMD EPYC (bench/NOTAS.md), every message in flight waiting on it.
Once the agent is loaded (``load_agent_on_start``), one collection and then
``gc.freeze()`` move what is left to the permanent generation, which the
collector no longer walks: the same full collections took 1.5-3 ms. Objects
created afterwards (conversations, caches) are collected as before.

8. Graph runs. Each message's NLU and each predicted action run a Rasa graph
through ``dask.get`` (``DaskGraphRunner.run``), which rebuilds the minimal
schema and the dask graph, orders its tasks and substitutes their inputs on
every run: ~8 % of the Rasa server's CPU per turn, more than the policies'
own work in it (bench/NOTAS.md). The patch plans each set of targets once
(the same minimal schema, its nodes in dependency order) and calls the same
``GraphNode`` objects in that order with the same arguments dask gives them:
an earlier node's ``(name, output)``, or the bare name of an input that was
not given; Rasa's input-name check and its ``GraphRunError`` stay.

9. SQLite connections of the tracker store. SQLAlchemy 1.4 gives a SQLite
file a ``NullPool``: every read and every write of a tracker opened a new
connection and SQLite parsed the schema again. The tracker store's engine
keeps its SQLite connections in a ``QueuePool`` (SQLAlchemy 2.0's default for
files; its connections may move between threads, each used by one at a
time). The file is switched to WAL, as the request store's is
(``ativar_wal``): with SQLite's default ``synchronous=FULL`` each commit is
still on disk before it returns, with one fsync of the log instead of the
rollback journal's two and its deletion (a save 1.7 -> 1.1 ms of wall time,
the Rasa server's event loop blocked for it). PostgreSQL keeps Rasa's own
pool settings.

10. The JSON of action calls. Each call sends the whole tracker and domain
(40-50 KB in our conversations): ``json.dumps`` ~0.37 ms, ``orjson`` ~0.04 ms.
The kept session (item 6) serialises with ``orjson`` (the same JSON, without
the spaces, non-ASCII as UTF-8), and with ``json.dumps`` whatever ``orjson``
refuses (non-string keys, integers beyond 64 bits).
"""

from __future__ import annotations

import gc
import logging
from typing import Any

logger = logging.getLogger(__name__)

_validators: dict[str, Any] = {}


def _validate_action_result(self: Any, result: dict[str, Any]) -> bool:
    """``RemoteAction._validate_action_result`` with its validator built once and a
    valid response accepted by ``_ResponseCheck.quick``."""
    from jsonschema import ValidationError
    from rasa.shared.constants import DOCS_BASE_URL

    check = _validators.get("action_response")
    if check is None:
        check = _validators.setdefault(
            "action_response", _ResponseCheck(self.action_response_format_spec())
        )
    if check.quick(result):
        return True
    try:
        check.full.validate(result)
        return True
    except ValidationError as e:
        e.message += (
            ". Failed to validate Action server response from API, "
            "make sure your response from the Action endpoint is valid. "
            f"For more information about the format visit {DOCS_BASE_URL}/custom-actions"
        )
        raise e


class _ResponseCheck:
    """Rasa's action-response schema checked once, and a quicker test of the same schema.

    Each event of a response must match exactly one of the schema's ~23 ``oneOf``
    branches, and jsonschema tries them all (~0.5 ms a response). Every branch fixes
    ``event`` to a constant of its own, so an event matches exactly one branch if and
    only if it matches the branch of its own ``event``: ``quick`` checks the rest of
    the schema, then each event against that branch alone (~0.1 ms). Whatever
    ``quick`` does not accept goes to the full validator, which decides and words
    the error as Rasa's does; a schema of another shape is left to it alone.
    """

    def __init__(self, schema: dict[str, Any]) -> None:
        from jsonschema.validators import validator_for

        cls = validator_for(schema)
        cls.check_schema(schema)
        self.full = cls(schema)
        self._rest: Any = None
        self._branches: dict[str, Any] = {}
        items = schema.get("properties", {}).get("events", {}).get("items", {})
        branches = items.get("oneOf", []) if isinstance(items, dict) else []
        consts = [b.get("properties", {}).get("event", {}).get("const") for b in branches]
        if (
            not branches
            or "event" not in items.get("required", [])
            or not all(isinstance(c, str) for c in consts)
            or len(set(consts)) != len(consts)
        ):
            return
        base = {k: v for k, v in items.items() if k != "oneOf"}
        events = {**schema["properties"]["events"], "items": base}
        self._rest = cls({**schema, "properties": {**schema["properties"], "events": events}})
        self._branches = {
            c: cls({"allOf": [base, b]}) for c, b in zip(consts, branches, strict=True)
        }

    def quick(self, result: Any) -> bool:
        """True only for a response the full validator accepts (False: ask it)."""
        if self._rest is None or not self._rest.is_valid(result):
            return False
        for event in result.get("events") or []:
            name = event.get("event") if isinstance(event, dict) else None
            branch = self._branches.get(name) if isinstance(name, str) else None
            if branch is None or not branch.is_valid(event):
                return False
        return True


_originals: dict[str, Any] = {}  # Rasa's own functions, kept by install()


def _load_model(
    cls: Any,
    model_file_name: str,
    model_data_example: Any,
    predict_data_example: Any = None,
    finetune_mode: bool = False,
    *args: Any,
    **kwargs: Any,
) -> Any:
    """``RasaModel.load`` without the training step, for DIET models served as is."""
    from rasa.nlu.classifiers.diet_classifier import DIET

    own = (model_file_name, model_data_example, predict_data_example, finetune_mode, *args)
    eager = kwargs.get("config", {}).get("run_eagerly")
    if finetune_mode or eager or predict_data_example is None or not issubclass(cls, DIET):
        return _originals["load"](cls, *own, **kwargs)
    try:
        return _load_by_prediction(cls, model_file_name, predict_data_example, *args, **kwargs)
    except Exception:  # any doubt: Rasa's own, slower, load
        logger.warning("carga rápida do DIET falhou; usando a do Rasa", exc_info=True)
        return _originals["load"](cls, *own, **kwargs)


def _load_by_prediction(
    cls: Any, model_file_name: str, predict_data_example: Any, *args: Any, **kwargs: Any
) -> Any:
    import tensorflow as tf
    from rasa.utils import train_utils

    model = cls(*args, **kwargs)
    restored = model.load_weights(model_file_name)  # deferred: as variables are created
    generator, _ = train_utils.create_data_generators(
        model_data=predict_data_example, batch_sizes=1, epochs=1, shuffle=False
    )
    batch_in = next(iter(generator))[0]
    signature = model._dynamic_signature(batch_in)
    traced = tf.function(model.predict_step, input_signature=signature, autograph=False)
    model._tf_predict_step = traced
    model.run_inference(predict_data_example)  # creates, restores, traces
    restored.assert_existing_objects_matched()  # no variable left as initialised
    restored.expect_partial()  # the optimizer's slots are not needed to predict
    model._tf_predict_step = _FlatCall(traced, signature[0])
    return model


class _FlatCall:
    """The traced prediction step, called with its input tensors directly.

    A ``tf.function`` with an input signature still canonicalises its inputs and
    looks its concrete function up on every call: ~1.3 of DIET's ~2 ms per
    message, against ~0.5 ms running the graph. This converts each array to the
    signature's dtype and runs the one concrete function; a batch that does not
    fit the signature (rank, last dimension) goes through the ``tf.function``.
    """

    def __init__(self, traced: Any, specs: list[Any]) -> None:
        self._traced = traced
        self._concrete = traced.get_concrete_function()
        self._specs = [(s.dtype, s.shape.rank, s.shape[-1]) for s in specs]

    def __call__(self, batch_in: Any) -> Any:
        import tensorflow as tf

        specs = self._specs
        if len(batch_in) != len(specs) or any(
            x.ndim != rank or (last is not None and x.shape[-1] != last)
            for x, (_, rank, last) in zip(batch_in, specs, strict=True)
        ):
            return self._traced(batch_in)
        tensors = [
            tf.convert_to_tensor(x, dtype=dtype)
            for x, (dtype, _, _) in zip(batch_in, specs, strict=True)
        ]
        return self._concrete._call_flat(tensors, self._concrete.captured_inputs)


def event_columns(sender_id: str, event: Any) -> dict[str, Any]:
    """The ``events`` row of one event, exactly as ``SQLTrackerStore.save`` writes it."""
    import json

    from rasa.shared.nlu.constants import INTENT_NAME_KEY

    data = event.as_dict()
    return {
        "sender_id": sender_id,
        "type_name": event.type_name,
        "timestamp": data.get("timestamp"),
        "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
        "action_name": data.get("name"),
        "data": json.dumps(data),
    }


def _events_of(self: Any, sender_id: str, all_sessions: bool = False) -> Any:
    """The condition of ``SQLTrackerStore._event_query`` as a Core expression: the rows of
    the conversation, of its latest session only unless ``all_sessions``."""
    import sqlalchemy as sa
    from rasa.shared.core.events import SessionStarted

    event = self.SQLEvent
    if all_sessions:
        return event.sender_id == sender_id
    start = (
        sa.select(sa.func.max(event.timestamp))
        .where(event.sender_id == sender_id, event.type_name == SessionStarted.type_name)
        .scalar_subquery()
    )
    return sa.and_(event.sender_id == sender_id, sa.or_(event.timestamp >= start, start.is_(None)))


def _additional_events(self: Any, session: Any, tracker: Any) -> Any:
    """``SQLTrackerStore._additional_events`` with the count in one Core statement."""
    import itertools

    import sqlalchemy as sa

    stored = session.execute(
        sa.select(sa.func.count())
        .select_from(self.SQLEvent.__table__)
        .where(_events_of(self, tracker.sender_id))
    ).scalar_one()
    return itertools.islice(tracker.events, stored, len(tracker.events))


async def _retrieve(self: Any, sender_id: str, fetch_events_from_all_sessions: bool) -> Any:
    """``SQLTrackerStore._retrieve`` reading only the ``data`` column, with Core."""
    import json

    import sqlalchemy as sa
    from rasa.shared.core.trackers import DialogueStateTracker

    event = self.SQLEvent
    query = (
        sa.select(event.data)
        .where(_events_of(self, sender_id, fetch_events_from_all_sessions))
        .order_by(event.id)
    )
    with self.session_scope() as session:
        events = [json.loads(data) for (data,) in session.execute(query)]
    if self.domain and events:
        return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
    return None


async def _save(self: Any, tracker: Any) -> None:
    """``SQLTrackerStore.save`` with the new rows in one Core INSERT."""
    import sqlalchemy as sa

    await self.stream_events(tracker)
    with self.session_scope() as session:
        rows = [
            event_columns(tracker.sender_id, event)
            for event in self._additional_events(session, tracker)
        ]
        if rows:
            session.execute(sa.insert(self.SQLEvent.__table__), rows)
        session.commit()
    logger.debug("Tracker stored to database (%d new events)", len(rows))


def _combine_sparse_features(self: Any, additional_features: Any) -> None:
    """``Features._combine_sparse_features`` through ``hstack_coo`` for COO features."""
    import scipy.sparse

    from bot.rasa.sparse import hstack_coo

    mine, theirs = self.features, additional_features.features
    if not (
        scipy.sparse.isspmatrix_coo(mine)
        and scipy.sparse.isspmatrix_coo(theirs)
        and mine.shape[0] == theirs.shape[0]
    ):
        from rasa.shared.nlu.training_data.features import Features

        rasas = _originals.get("_combine_sparse_features", Features._combine_sparse_features)
        rasas(self, additional_features)
        return
    self.features = hstack_coo([mine, theirs])
    self._cached_fingerprint = None


_event_classes: dict[str, Any] = {}  # type name -> Event subclass


def _resolve_event_type(type_name: str, default: Any = None) -> Any:
    """``Event.resolve_by_type`` from a table of Rasa's own walk."""
    cls = _event_classes.get(type_name)
    if cls is not None:
        return cls
    rasas = _originals["resolve_by_type"].__func__
    found = rasas(type_name, default)  # unknown names: Rasa's answer, or its error
    import rasa.shared.utils.common
    from rasa.shared.core.events import Event

    table: dict[str, Any] = {}
    for sub in rasa.shared.utils.common.all_subclasses(Event):
        table.setdefault(sub.type_name, sub)  # Rasa returns the first of a name
    _event_classes.clear()
    _event_classes.update(table)
    return found


KEEPALIVE_S = 2.0  # under Sanic's KEEP_ALIVE_TIMEOUT (5 s) on the action server


class _KeptSession:
    """``async with`` over an open aiohttp session that leaves it open."""

    def __init__(self, session: Any) -> None:
        self._session = session

    async def __aenter__(self) -> Any:
        return self._session

    async def __aexit__(self, *exc_info: object) -> None:
        return None


def _kept_session(self: Any) -> Any:
    """``EndpointConfig.session``: one open session per endpoint and event loop."""
    import asyncio

    import aiohttp

    loop = asyncio.get_running_loop()
    kept, its_loop = self.__dict__.get("_kept_session", (None, None))
    if kept is None or kept.closed or its_loop is not loop:
        from rasa.core.constants import DEFAULT_REQUEST_TIMEOUT

        auth = self.basic_auth  # the headers, auth and timeout of Rasa's session()
        kept = aiohttp.ClientSession(
            json_serialize=json_dumps,
            headers=self.headers,
            auth=aiohttp.BasicAuth(auth["username"], auth["password"]) if auth else None,
            timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
            connector=aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE_S),
        )
        self.__dict__["_kept_session"] = (kept, loop)
        _kept_sessions.append(kept)
    return _KeptSession(kept)


_kept_sessions: list[Any] = []


def json_dumps(obj: Any) -> str:
    """``json.dumps(obj)``'s JSON through ``orjson``; Rasa's ``json.dumps`` for what it refuses."""
    import orjson

    try:
        return orjson.dumps(obj).decode()
    except TypeError:  # orjson's JSONEncodeError: a non-str key, a big int, an unknown type
        import json

        return json.dumps(obj)


async def _close_resources(app: Any, loop: Any) -> None:
    """``rasa.core.run.close_resources``, then the kept sessions closed."""
    await _originals["close_resources"](app, loop)
    while _kept_sessions:
        await _kept_sessions.pop().close()


async def _load_agent_on_start(*args: Any, **kwargs: Any) -> Any:
    """``rasa.core.run.load_agent_on_start``, then what it loaded frozen out of
    the garbage collector's full collections (item 7 above)."""
    agent = await _originals["load_agent_on_start"](*args, **kwargs)
    gc.collect()
    gc.freeze()
    return agent


def _run_graph(
    self: Any, inputs: dict[str, Any] | None = None, targets: list[str] | None = None
) -> dict[str, Any]:
    """``DaskGraphRunner.run`` without dask: the plan of the targets, run in order."""
    from rasa.engine.exceptions import GraphRunError

    run_targets = targets if targets else self._graph_schema.target_names
    plans = self.__dict__.setdefault("_sei_plans", {})
    plan = plans.get(tuple(run_targets))
    if plan is None:
        plan = plans.setdefault(tuple(run_targets), _plan(self, run_targets))
    values: dict[str, Any] = {}
    if inputs:
        names = {name for name, _, _ in plan}
        for input_name, input_value in inputs.items():
            if isinstance(input_value, str) and (input_value in names or input_value in values):
                raise GraphRunError(
                    f"Input value '{input_value}' clashes with a node name. Make sure "
                    f"that none of the input names passed to the `run` method are the "
                    f"same as node names in the graph schema."
                )
            values[input_name] = (input_name, input_value)
    try:
        for name, node, needs in plan:
            if name not in values:  # an input of the same name replaces the node, as in dask
                values[name] = node(*[values.get(need, need) for need in needs])
        return dict(values[target] for target in run_targets)
    except RuntimeError as e:
        raise GraphRunError("Error running runner.") from e


def _plan(runner: Any, targets: list[str]) -> list[tuple[str, Any, tuple[str, ...]]]:
    """(name, node, names it needs) of the targets' minimal schema, dependencies first."""
    schema = runner._graph_schema.minimal_graph_schema(targets)
    nodes = runner._instantiated_nodes
    order: list[tuple[str, Any, tuple[str, ...]]] = []
    state: dict[str, bool] = {}  # False: being visited, True: planned

    def visit(name: str) -> None:
        if state.get(name) or name not in schema.nodes:
            return
        if name in state:
            raise ValueError(f"ciclo no grafo do Rasa em {name!r}")
        state[name] = False
        needs = tuple(schema.nodes[name].needs.values())
        for need in needs:
            visit(need)
        state[name] = True
        order.append((name, nodes[name], needs))

    for name in schema.nodes:
        visit(name)
    return order


def _tracker_engine_kwargs(url: Any) -> dict[str, Any]:
    """``rasa.core.tracker_store.create_engine_kwargs`` with a pool for SQLite files."""
    import sqlalchemy as sa

    kwargs: dict[str, Any] = _originals["create_engine_kwargs"](url)
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        connect_args = {**kwargs.get("connect_args", {}), "check_same_thread": False}
        kwargs = {**kwargs, "poolclass": sa.pool.QueuePool, "connect_args": connect_args}
    return kwargs


def _init_tracker_store(self: Any, *args: Any, **kwargs: Any) -> None:
    """``SQLTrackerStore.__init__``, then a SQLite file switched to WAL (item 9)."""
    _originals["__init__"](self, *args, **kwargs)
    url = self.engine.url
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        from bot.solicitacoes.store import ativar_wal

        with self.engine.connect() as conn:
            cursor = conn.connection.cursor()
            try:
                ativar_wal(cursor)
            finally:
                cursor.close()


def method_patches() -> list[tuple[Any, str, Any]]:
    """(class or module, attribute, our function) of everything ``install`` replaces."""
    import rasa.core.run
    import rasa.core.tracker_store
    from rasa.core.actions.action import RemoteAction
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.engine.runner.dask import DaskGraphRunner
    from rasa.shared.core.events import Event
    from rasa.shared.nlu.training_data.features import Features
    from rasa.utils.endpoints import EndpointConfig

    return [
        (RemoteAction, "_validate_action_result", _validate_action_result),
        (SQLTrackerStore, "__init__", _init_tracker_store),
        (SQLTrackerStore, "save", _save),
        (SQLTrackerStore, "_additional_events", _additional_events),
        (SQLTrackerStore, "_retrieve", _retrieve),
        (Features, "_combine_sparse_features", _combine_sparse_features),
        (Event, "resolve_by_type", staticmethod(_resolve_event_type)),
        (EndpointConfig, "session", _kept_session),
        (rasa.core.run, "close_resources", _close_resources),
        (rasa.core.run, "load_agent_on_start", _load_agent_on_start),
        (DaskGraphRunner, "run", _run_graph),
        (rasa.core.tracker_store, "create_engine_kwargs", _tracker_engine_kwargs),
    ]


def install() -> None:
    """Apply the patches (idempotent); imports Rasa's action, tracker store and TensorFlow
    modules."""
    from bot.rasa import lazy_imports

    lazy_imports.install()  # before Rasa's modules below import them
    from rasa.utils.tensorflow.models import RasaModel

    for cls, name, patched in method_patches():
        _originals.setdefault(name, cls.__dict__[name])  # Rasa's, kept once
        setattr(cls, name, patched)
    _originals.setdefault("load", RasaModel.__dict__["load"].__func__)
    RasaModel.load = classmethod(_load_model)
