"""`posts list --json` writes its rows with a faster encoder than the json module's indented
one; the text must be exactly what `json.dumps(..., indent=2)` writes, whatever the values."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from crosspost.cli import runtime
from crosspost.cli.runtime import indented_json, print_json_rows

VALUES: list[Any] = [
    {},
    [],
    3,
    1.5,
    "x",
    None,
    [float("nan"), float("inf")],
    {"a": [], "b": {}, "c": None, "d": True, "e": False},
    {1: "x", False: 2, None: 3, 2.5: 4, "b": [1, 2.5, None, True]},
    {"a": {"b": {"c": [1, [2, [3]]]}}, "d": ""},
    [[], [{}], {"x": [{"y": "y"}]}],
    {"s": 'Bài số 1 "q" \\ \n\t\u2028 😀'},
    (1, (2,)),
    # strings that hold the encoder's own markers: the json module writes those instead
    {"a": "\x000", "b": [1]},
    {"a": ["\x000"], "b": ["\x001"]},
    [["\x001"], ["x"]],
    {
        "id": 1,
        "progress": {"summary": "1 of 2", "steps": [{"kind": "video", "number": 1}]},
        "remote_extra_ids": [],
        "audit": ["schedule", "cancel"],
    },
]


@pytest.mark.parametrize("value", VALUES, ids=repr)
@pytest.mark.parametrize("level", [0, 1, 3])
def test_the_text_is_json_dumps_indented(value: Any, level: int) -> None:
    want = json.dumps(value, ensure_ascii=False, indent=2).replace("\n", "\n" + "  " * level)
    assert indented_json(value, level) == want


@pytest.mark.parametrize("rows", [[], [{}], VALUES[7:]], ids=["none", "empty", "many"])
def test_a_streamed_list_is_the_text_of_the_whole_list(
    rows: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    out = io.StringIO()
    monkeypatch.setattr(runtime.sys, "stdout", out)
    print_json_rows(iter(rows))
    assert out.getvalue() == json.dumps(rows, ensure_ascii=False, indent=2) + "\n"


def test_a_value_json_cannot_write_is_refused_as_json_refuses_it() -> None:
    with pytest.raises(TypeError):
        indented_json({"a": object()})
