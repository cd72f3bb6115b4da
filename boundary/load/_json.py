"""Strict JSON for plans and standalone policies: duplicate keys located, big integers kept.

Every JSON loader treats the two the same way:

- A duplicate key in an object keeps its last value (what `json.loads`, Terraform
  and IAM do) and gives a located warning, never a silent choice.
- An integer too long for `int()` (over 4,300 digits, Python's guard against
  quadratic conversion) stays a value: its decimal text, unconverted.

The fast path is the C parser; only a document that has a duplicate key is read
again, by the pure-Python scanner, to find the lines of its duplicates.
"""

from __future__ import annotations

import json
import sys
from json.decoder import JSONObject, scanstring  # type: ignore[attr-defined]
from json.scanner import py_make_scanner  # type: ignore[attr-defined]
from typing import Any

from boundary.load._errors import warning
from boundary.model import LoadError

__all__ = ["MAX_INT_DIGITS", "loads"]

# Python's own limit on int() from text (sys.get_int_max_str_digits); 0 means none.
MAX_INT_DIGITS = getattr(sys, "get_int_max_str_digits", lambda: 4300)() or 4300
_WHITESPACE = " \t\r\n"


def parse_int(text: str) -> int | str:
    """An integer, or, past `MAX_INT_DIGITS` digits, its text unchanged."""
    if len(text) - text.startswith("-") > MAX_INT_DIGITS:
        return text
    return int(text)


def loads(text: str, file: str) -> tuple[Any, tuple[LoadError, ...]]:
    """The document, and a located warning for each duplicate key (the last value is kept).

    Raises what `json.loads` raises (`json.JSONDecodeError`, `RecursionError`).
    """
    duplicated = False

    def pairs_hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        nonlocal duplicated
        result = dict(pairs)
        if len(result) != len(pairs):
            duplicated = True
        return result

    data = json.loads(text, object_pairs_hook=pairs_hook, parse_int=parse_int)
    if not duplicated:
        return data, ()
    return data, _locate_duplicates(text, file)


def _locate_duplicates(text: str, file: str) -> tuple[LoadError, ...]:
    found: list[LoadError] = []
    decoder = json.JSONDecoder(object_pairs_hook=list, parse_int=parse_int)

    def parse_object(
        s_and_end: tuple[str, int],
        strict: bool,
        scan_once: Any,
        object_hook: Any,
        pairs_hook: Any,
        memo: Any = None,
    ) -> tuple[dict[str, Any], int]:
        source, end = s_and_end
        pairs, new_end = JSONObject(s_and_end, strict, scan_once, None, list, memo)
        if len({key for key, _ in pairs}) != len(pairs):
            first: dict[str, int] = {}
            for key, position in _keys(source, end - 1, new_end):
                if key in first:
                    line, column = _line_column(source, position)
                    found.append(
                        warning(
                            file,
                            line,
                            column,
                            f"duplicate key {json.dumps(key)} (first at line "
                            f"{_line_column(source, first[key])[0]}): the last value is used, "
                            "as JSON readers do; remove one of them",
                        )
                    )
                first.setdefault(key, position)
        return dict(pairs), new_end

    decoder.parse_object = parse_object  # type: ignore[attr-defined]
    decoder.scan_once = py_make_scanner(decoder)  # type: ignore[attr-defined]
    decoder.decode(text)
    return tuple(found)


def _keys(text: str, start: int, end: int) -> list[tuple[str, int]]:
    """The keys of the object `text[start:end]` (a valid one) with their offsets, in order."""
    keys: list[tuple[str, int]] = []
    depth = 0
    index = start + 1
    while index < end:
        char = text[index]
        if char == '"':
            value, after = scanstring(text, index + 1)
            if depth == 0:
                probe = after
                while text[probe] in _WHITESPACE:
                    probe += 1
                if text[probe] == ":":
                    keys.append((value, index))
            index = after
            continue
        if char in "{[":
            depth += 1
        elif char in "}]":
            depth -= 1
        index += 1
    return keys


def _line_column(text: str, offset: int) -> tuple[int, int]:
    return text.count("\n", 0, offset) + 1, offset - text.rfind("\n", 0, offset)
