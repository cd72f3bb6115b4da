"""Values with unknown parts: `Partial` templates, `Encoded` jsonencode() structures
and `Symbolic` leaves; `settle` makes them what the model holds, `as_document` a policy."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from boundary.load.terraform._shapes import UNKNOWN_TEXT
from boundary.model import Symbolic

__all__ = [
    "Encoded",
    "Partial",
    "as_document",
    "attributes_in",
    "is_known",
    "references_in",
    "settle",
    "unknown",
]


@dataclass(frozen=True, slots=True)
class Partial:
    """A string template with unknown parts: `"${aws_s3_bucket.b.arn}/*"`, a heredoc."""

    parts: tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class Encoded:
    """`jsonencode(value)` of a value with unknown parts: the value, kept as structure."""

    value: Any


def _unknowns(value: Any) -> Iterator[Symbolic]:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, Symbolic):
            yield item
        elif isinstance(item, Partial):
            stack.extend(item.parts)
        elif isinstance(item, Encoded):
            stack.append(item.value)
        elif isinstance(item, Mapping):
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)


def is_known(value: Any) -> bool:
    return next(_unknowns(value), None) is None


def references_in(*values: Any) -> tuple[str, ...]:
    out: list[str] = []
    for value in values:
        for symbolic in _unknowns(value):
            out.extend(symbolic.references)
    return tuple(dict.fromkeys(out))


def attributes_in(*values: Any) -> tuple[tuple[str, str], ...]:
    out: list[tuple[str, str]] = []
    for value in values:
        for symbolic in _unknowns(value):
            out.extend(symbolic.attributes)
    return tuple(dict.fromkeys(out))


def unknown(*values: Any, text: str = UNKNOWN_TEXT, reason: str = "unknown at plan time") -> Symbolic:
    """An unknown made from `values`: it mentions every resource (and resource attribute)
    they mention."""
    return Symbolic(text, references_in(*values), reason, attributes_in(*values))


def _part_text(part: Any) -> str:
    if isinstance(part, str):
        return part
    if isinstance(part, Symbolic) and part.text.startswith("${"):
        return part.text
    if isinstance(part, Symbolic):
        return "${" + part.text + "}"
    return "${" + UNKNOWN_TEXT + "}"


def settle(value: Any) -> Any:
    """Plain JSON-like values with `Symbolic` leaves: what the model holds."""
    if isinstance(value, Partial):
        text = "".join(_part_text(p) for p in value.parts)
        return Symbolic(text, references_in(value), "unknown at plan time", attributes_in(value))
    if isinstance(value, Encoded):
        return unknown(value)
    if isinstance(value, Mapping):
        return {str(k): settle(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [settle(v) for v in value]
    return value


# private-use characters mark where an unknown part sits in a template's JSON text
_PLACEHOLDER = re.compile("\ue000(\\d+)\ue001")


def as_document(value: Any) -> Any:
    """A policy document from an attribute value: JSON text, `jsonencode` structure, or a
    template (heredoc) whose unknown parts become symbolic values in the parsed JSON."""
    if isinstance(value, Encoded):
        return settle(value.value)
    if isinstance(value, Mapping):
        return settle(value)
    if isinstance(value, str):
        try:
            parsed = json.loads(value)
        except (ValueError, RecursionError):
            return None
        return parsed if isinstance(parsed, Mapping) else None
    if not isinstance(value, Partial):
        return None
    holes: list[Any] = []
    text = ""
    quotes = 0  # unescaped double quotes so far: odd inside a JSON string
    for part in value.parts:
        if isinstance(part, str):
            text += part
            quotes += len(re.findall(r'(?<!\\)"', part))
        else:
            # `"Resource": ${jsonencode(var.arns)}` sits outside a string: quote the hole
            hole = f"\ue000{len(holes)}\ue001"
            text += hole if quotes % 2 else f'"{hole}"'
            holes.append(part)
    try:
        parsed = json.loads(text)
    except (ValueError, RecursionError):
        return None

    def fill(item: Any) -> Any:
        if isinstance(item, Mapping):
            return {fill(k) if isinstance(k, str) else k: fill(v) for k, v in item.items()}
        if isinstance(item, list):
            return [fill(v) for v in item]
        if not isinstance(item, str) or "\ue000" not in item:
            return item
        pieces = _PLACEHOLDER.split(item)
        parts: list[Any] = []
        for index, piece in enumerate(pieces):
            if index % 2:
                parts.append(holes[int(piece)])
            elif piece:
                parts.append(piece)
        if len(parts) == 1 and not isinstance(parts[0], str):
            return settle(parts[0])
        return settle(Partial(tuple(parts)))

    filled = fill(parsed)
    return filled if isinstance(filled, Mapping) else None
