"""Policy documents as the templates write them, normalised into `PolicyDocument`."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from boundary.model import Location, PolicyDocument, Statement, Symbolic

__all__ = ["NESTED_LIST", "condition_entries", "normalize_policy", "normalize_statement"]

_Values = tuple["str | Symbolic", ...]

# The reason of a value that is a list inside the list of an element: IAM refuses it.
NESTED_LIST = "a nested list, not a string"


def _short(value: Any, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _as_values(value: Any) -> _Values:
    """A single value or a list of them, as a tuple; anything else becomes symbolic text."""
    if value is None:
        return ()
    items = value if isinstance(value, (list, tuple)) else [value]
    out: list[str | Symbolic] = []
    for item in items:
        if isinstance(item, (str, Symbolic)):
            out.append(item)
        elif isinstance(item, (int, float, bool)):
            out.append(str(item))
        elif isinstance(item, (list, tuple)):
            out.append(Symbolic(text=_short(item), reason=NESTED_LIST))
        else:
            out.append(Symbolic(text=_short(item), reason="not a string"))
    return tuple(out)


def _principals(value: Any) -> Mapping[str, _Values] | None:
    if value is None:
        return None
    if value == "*" or (isinstance(value, Symbolic)):
        return {"*": ("*",)} if value == "*" else {"AWS": (value,)}
    if isinstance(value, Mapping):
        return {str(kind): _as_values(v) for kind, v in value.items()}
    return {"AWS": _as_values(value)}


def normalize_statement(
    raw: Any, location: Location | None = None, elements: Mapping[str, Location] | None = None
) -> Statement:
    """One statement; tolerant of anything, since validation reports what is wrong.
    `elements` are where its elements are written, when the loader knows."""
    if not isinstance(raw, Mapping):
        return Statement(
            effect=Symbolic(text=repr(raw), reason="statement is not an object"), location=location
        )
    effect = raw.get("Effect")
    conditions = raw.get("Condition")
    return Statement(
        effect=effect if isinstance(effect, (str, Symbolic)) else Symbolic(repr(effect), reason="no Effect"),
        actions=_as_values(raw.get("Action")),
        not_actions=_as_values(raw["NotAction"]) if "NotAction" in raw else None,
        resources=_as_values(raw.get("Resource")),
        not_resources=_as_values(raw["NotResource"]) if "NotResource" in raw else None,
        principals=_principals(raw.get("Principal")),
        not_principals=_principals(raw.get("NotPrincipal")),
        conditions=dict(conditions) if isinstance(conditions, Mapping) else {},
        sid=str(raw["Sid"]) if isinstance(raw.get("Sid"), str) else None,
        location=location,
        elements=dict(elements or {}),
    )


def normalize_policy(
    raw: Any,
    location: Location | None = None,
    statement_locations: Sequence[Location | None] = (),
    statement_elements: Sequence[Mapping[str, Location]] = (),
) -> PolicyDocument:
    """Normalise a policy document (a mapping with `Version` and `Statement`).

    `statement_locations[i]` is the location of the i-th statement when the
    loader knows it; otherwise the statement takes the document's location.
    `statement_elements[i]`, where the i-th statement's elements are written.
    """
    if not isinstance(raw, Mapping):
        return PolicyDocument(statements=(), raw=raw, location=location)
    body = raw.get("Statement")
    items = body if isinstance(body, list) else ([] if body is None else [body])
    statements = []
    for index, item in enumerate(items):
        where = statement_locations[index] if index < len(statement_locations) else None
        elements = statement_elements[index] if index < len(statement_elements) else None
        statements.append(normalize_statement(item, where or location, elements))
    version = raw.get("Version")
    return PolicyDocument(
        statements=tuple(statements),
        version=version if isinstance(version, (str, Symbolic)) else None,
        raw=raw,
        location=location,
    )


def condition_entries(conditions: Mapping[str, Any]) -> Iterator[tuple[str, str, tuple[Any, ...]]]:
    """`(operator, key, values)` for every key a Condition block tests, values always a
    tuple (IAM takes one value or a list); blocks that are not mappings are passed over."""
    for operator, block in conditions.items():
        if not isinstance(block, Mapping):
            continue
        for key, values in block.items():
            items = tuple(values) if isinstance(values, (list, tuple)) else (values,)
            yield str(operator), str(key), items
