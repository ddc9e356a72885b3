"""bench.perfil_turno: py-spy raw stacks read and put in the right step of a turn."""

from __future__ import annotations

import pytest

from bench.perfil_turno import STEPS, attribute, classify, parse_frame, parse_raw, per_turn

SITE = "/work/main/.venv/lib/python3.10/site-packages"


def frame(function: str, path: str, line: int = 10) -> str:
    return f"{function} ({SITE}/{path}:{line})"


# the frames every turn's stack starts with: Sanic, our REST channel, the agent
OUTER = [
    frame("serve", "sanic/server/runners.py"),
    frame("receive", "bot/rasa/rest.py"),
    frame("handle_message", "rasa/core/agent.py"),
    frame("handle_message", "rasa/core/processor.py"),
]


def test_parse_frame_splits_function_and_file():
    assert parse_frame("retrieve (/x/rasa/core/tracker_store.py:1201)") == (
        "retrieve",
        "/x/rasa/core/tracker_store.py",
    )
    assert parse_frame("<module> (<string>:8)") == ("<module>", "<string>")


def test_parse_raw_reads_stacks_and_counts_and_skips_junk():
    lines = ["a (f.py:1);b (g.py:2) 7\n", "\n", "no count here", "c (h py.py:3) 2"]
    assert parse_raw(lines) == [(["a (f.py:1)", "b (g.py:2)"], 7), (["c (h py.py:3)"], 2)]


@pytest.mark.parametrize(
    ("inner", "step"),
    [
        (
            [
                frame("log_message", "rasa/core/processor.py"),
                frame("_handle_message_with_tracker", "rasa/core/processor.py"),
                frame("parse_message", "rasa/core/processor.py"),
                frame("_parse_message_with_graph", "rasa/core/processor.py"),
                frame("process", "bot/rasa/components.py"),
            ],
            "nlu",
        ),
        (
            [
                frame("log_message", "rasa/core/processor.py"),
                frame("fetch_tracker_and_update_session", "rasa/core/processor.py"),
                frame("get_tracker", "rasa/core/processor.py"),
                frame("get_or_create_tracker", "rasa/core/tracker_store.py"),
                frame("retrieve", "rasa/core/tracker_store.py"),
                frame("from_dict", "rasa/shared/core/events.py"),
            ],
            "tracker_read",
        ),
        (
            [
                frame("save_tracker", "rasa/core/processor.py"),
                frame("save", "rasa/core/tracker_store.py"),
                frame("commit", "sqlalchemy/orm/session.py"),
            ],
            "tracker_write",
        ),
        (
            [
                frame("_run_prediction_loop", "rasa/core/processor.py"),
                frame("predict_next_with_tracker_if_should", "rasa/core/processor.py"),
                frame("_predict_next_with_tracker", "rasa/core/processor.py"),
                frame("run", "rasa/engine/runner/dask.py"),
            ],
            "policies",
        ),
        (
            [
                frame("_run_prediction_loop", "rasa/core/processor.py"),
                frame("_run_action", "rasa/core/processor.py"),
                frame("run", "rasa/core/actions/action.py"),
                frame("request", "rasa/utils/endpoints.py"),
                frame("_request", "aiohttp/client.py"),
            ],
            "actions",
        ),
        (
            [
                frame("_run_action", "rasa/core/processor.py"),
                frame("copy", "rasa/shared/core/trackers.py"),
            ],
            "actions",
        ),
        ([frame("_has_session_expired", "rasa/core/processor.py")], "other"),
    ],
)
def test_a_stack_goes_to_the_step_of_its_innermost_named_frame(inner, step):
    assert classify(OUTER + inner)[0] == step


def test_a_tracker_read_inside_the_session_check_is_not_the_processor_rest():
    # _update_tracker_session reads and restarts the session: tracker read,
    # even though the processor's other methods count as "other"
    stack = [*OUTER, frame("_update_tracker_session", "rasa/core/processor.py")]
    assert classify(stack) == ("tracker_read", "rasa/core/processor.py:_update_tracker_session")


def test_channel_frames_outside_the_processor_are_the_channel():
    stack = [frame("serve", "sanic/server/runners.py"), frame("send", "sanic/response.py")]
    assert classify(stack) == ("channel", "sanic/response.py:send")
    assert (
        classify([frame("receive", "bot/rasa/rest.py"), frame("dumps", "json/__init__.py")])[0]
        == "channel"
    )


def test_an_unknown_stack_is_other_named_by_its_innermost_frame():
    assert classify(
        [frame("run_forever", "asyncio/base_events.py"), frame("select", "x/s.py")]
    ) == (
        "other",
        "x/s.py:select",
    )
    assert classify([]) == ("other", "?")


def test_attribute_counts_samples_per_step_and_the_deciding_frames():
    save = [*OUTER, frame("save", "rasa/core/tracker_store.py")]
    parse = [*OUTER, frame("_parse_message_with_graph", "rasa/core/processor.py")]
    found = attribute([(save, 3), (parse, 5), (save, 2)])
    assert found["samples"] == 10
    assert found["by_step"]["tracker_write"] == 5
    assert found["by_step"]["nlu"] == 5
    assert found["by_step"]["channel"] == 0
    assert found["top_frames"]["tracker_write"] == {"rasa/core/tracker_store.py:save": 5}
    assert "channel" not in found["top_frames"]
    assert found["top_leaves"]["nlu"] == {"rasa/core/processor.py:_parse_message_with_graph": 5}


def test_per_turn_applies_the_sample_shares_to_the_cpu_time():
    samples = dict.fromkeys(STEPS, 0) | {"nlu": 30, "tracker_write": 10}
    figures = per_turn(samples, cpu_s=2.0, turns=100)  # 20 ms of CPU a turn
    assert figures["nlu"] == {"share": 0.75, "ms_per_turn": 15.0}
    assert figures["tracker_write"] == {"share": 0.25, "ms_per_turn": 5.0}
    assert figures["other"] == {"share": 0.0, "ms_per_turn": 0.0}
    assert sum(f["ms_per_turn"] for f in figures.values()) == pytest.approx(20.0)


def test_our_cached_tracker_store_counts_as_tracker_read_and_write():
    cache = "bot/rasa/tracker_cache.py"
    assert classify([frame("retrieve", cache), frame("_read", cache)])[0] == "tracker_read"
    assert classify([frame("save", cache), frame("_row", cache)])[0] == "tracker_write"


def test_our_patches_count_where_rasas_code_they_replace_would():
    patches = "bot/rasa/patches.py"
    processor = "rasa/core/processor.py"
    write = [
        frame("save_tracker", processor),
        frame("_save", patches),
        frame("event_columns", patches),
    ]
    assert classify(write)[0] == "tracker_write"
    read = [
        frame("get_tracker", processor),
        frame("_retrieve", patches),
        frame("_events_of", patches),
    ]
    assert classify(read)[0] == "tracker_read"
    nlu = [
        frame("parse_message", processor),
        frame("process", "rasa/nlu/classifiers/diet_classifier.py"),
        frame("__call__", patches),
    ]
    assert classify(nlu)[0] == "nlu"
    stacking = [frame("parse_message", processor), frame("_combine_sparse_features", patches)]
    assert classify(stacking)[0] == "nlu"
    check = [frame("_run_action", processor), frame("_validate_action_result", patches)]
    assert classify(check)[0] == "actions"
