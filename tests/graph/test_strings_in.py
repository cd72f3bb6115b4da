"""`queries.strings_in`: every string of a property value, whatever types hold it."""

from __future__ import annotations

from collections import OrderedDict
from types import MappingProxyType

from boundary.graph import queries
from boundary.model import Symbolic


class _Text(str):
    """A string subclass, as a loader might produce (YAML tags, enums)."""


def test_every_string_at_any_depth_through_any_container() -> None:
    value = {
        "a": "one",
        "b": ["two", ("three", {"c": "four"})],
        "d": MappingProxyType({"e": "five", "f": OrderedDict(g="six")}),
        "h": _Text("seven"),
        "i": [None, True, 3, 2.5, b"bytes", Symbolic("${Table.Arn}", ("Table",))],
    }
    assert sorted(queries.strings_in(value)) == sorted(
        ["one", "two", "three", "four", "five", "six", "seven"]
    )


def test_symbolic_text_only_when_asked() -> None:
    value = [Symbolic("${Queue.Arn}"), "plain"]
    assert sorted(queries.strings_in(value)) == ["plain"]
    assert sorted(queries.strings_in(value, symbolic=True)) == ["${Queue.Arn}", "plain"]


def test_a_scalar_alone() -> None:
    assert list(queries.strings_in("solo")) == ["solo"]
    assert list(queries.strings_in(None)) == []
    assert list(queries.strings_in(7)) == []
