"""Reading plan JSON that may have any shape: the wrong type reads as empty or absent."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["UNKNOWN_REASON", "UNKNOWN_TEXT", "as_list", "as_map", "as_text", "json_object", "value_at"]

UNKNOWN_TEXT = "(known after apply)"
UNKNOWN_REASON = "unknown at plan time"


def as_map(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def as_text(value: Any) -> str | None:
    """A non-empty string, else None."""
    return value if isinstance(value, str) and value else None


def value_at(values: Any, path: Sequence[str | int]) -> Any:
    """The value at a path of keys and list indexes, or None."""
    node = values
    for step in path:
        if isinstance(step, str) and isinstance(node, Mapping):
            node = node.get(step)
        elif isinstance(step, int) and isinstance(node, list) and 0 <= step < len(node):
            node = node[step]
        else:
            return None
    return node


def json_object(value: Any) -> Any:
    """A string's JSON value (policies are JSON strings in a plan), or None."""
    if not isinstance(value, str):
        return None
    try:
        return json.loads(value)
    except (ValueError, RecursionError):
        return None
