"""The IAM evaluator: which actions a principal's statements allow, offline.

One evaluator for the whole of boundary: the rules (through
`boundary.graph.permissions`, which gathers a principal's statements from the
graph) and the activity audit ask it. It works on model `Statement`s only, so
it can be used, and is tested, without a graph.

IAM in short: a request is allowed when some Allow statement matches it and no
Deny statement does. Offline, boundary knows the action and the resource, not
the request context:

* `Action` and `NotAction` match actions case-insensitively with IAM wildcards
  (`s3:Get*`, `*`); `NotAction` matches every action it does not name.
* `Resource: "*"` and `NotResource` make a statement apply to every resource.
* Conditions are kept, not evaluated. An Allow under a condition still counts
  as granting (it grants whenever the condition holds, which a deployer cannot
  rule out). A Deny takes an action away only when it is unconditional and on
  every resource: a conditional or narrower Deny may not apply to a request,
  and a finding must not vanish on a maybe.
* A symbolic value (unresolved offline) is never matched: a statement whose
  actions are partly symbolic is never reported as wholly denied.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache

from boundary.iam.arn import is_full_wildcard, wildcard_match
from boundary.iam.catalog import catalog
from boundary.model import Statement, Symbolic

__all__ = [
    "action_matches",
    "allowed_actions",
    "allows",
    "blanket_denies",
    "denied",
    "expand_actions",
    "is_unconditional",
    "literal",
    "nullified",
    "on_every_resource",
    "resource_matches",
    "statement_actions",
]


def literal(values: Iterable[str | Symbolic] | None) -> tuple[str, ...]:
    """The values that are known strings; symbolic ones are left out."""
    return tuple(v for v in values or () if isinstance(v, str))


def action_matches(statement: Statement, action: str) -> bool:
    """Whether the statement's Action (or NotAction) covers `action`."""
    if statement.not_actions is not None:
        return not _matches_any(statement.not_actions, action)
    return _matches_any(statement.actions, action)


@lru_cache(maxsize=1024)
def _action_matcher(patterns: tuple[str | Symbolic, ...]) -> tuple[frozenset[str], tuple[str, ...]]:
    """A statement's action list as (literal names in lower case, wildcard patterns): a
    statement with thousands of actions answers a question with one set lookup and its
    wildcards, not thousands of matches."""
    names = literal(patterns)
    wild = tuple(dict.fromkeys(p for p in names if "*" in p or "?" in p or "${" in p))
    return frozenset(p.lower() for p in names if p not in wild), wild


def _matches_any(patterns: tuple[str | Symbolic, ...], action: str) -> bool:
    literals, wild = _action_matcher(patterns)
    if action.lower() in literals:
        return True
    return any(wildcard_match(p, action, case_sensitive=False) for p in wild)


def resource_matches(statement: Statement, arn: str) -> bool:
    """Whether the statement's Resource (or NotResource) covers the ARN (case-sensitive)."""
    if statement.not_resources is not None:
        return not any(wildcard_match(p, arn) for p in literal(statement.not_resources))
    return any(wildcard_match(p, arn) for p in literal(statement.resources))


def on_every_resource(statement: Statement) -> bool:
    """Whether the statement applies to every resource (`*`, or NotResource)."""
    if statement.not_resources is not None:
        return True
    return any(is_full_wildcard(r) for r in literal(statement.resources))


def is_unconditional(statement: Statement) -> bool:
    return not statement.conditions


def blanket_denies(statements: Iterable[Statement]) -> list[Statement]:
    """The Deny statements that take actions away for sure: unconditional, on every resource."""
    return [s for s in statements if str(s.effect) == "Deny" and is_unconditional(s) and on_every_resource(s)]


def denied(action: str, denies: Iterable[Statement]) -> bool:
    """Whether one of `denies` (see `blanket_denies`) covers `action`."""
    return any(action_matches(d, action) for d in denies)


def allowed_actions(
    statements: Sequence[Statement], candidates: Iterable[str], *, on_all_resources: bool = False
) -> dict[str, list[int]]:
    """Which candidate actions some Allow statement grants and no blanket Deny takes
    away, each with the indices (into `statements`) of the statements that grant it.

    This is the per-principal question: pass every statement that applies to one
    principal (`boundary.graph.permissions.statements_of` gathers them from the
    graph). With `on_all_resources`, only statements on every resource count.
    """
    denies = blanket_denies(statements)
    allows = [(i, s) for i, s in enumerate(statements) if str(s.effect) == "Allow"]
    granted: dict[str, list[int]] = {}
    for action in candidates:
        if denied(action, denies):
            continue
        for index, statement in allows:
            if on_all_resources and not on_every_resource(statement):
                continue
            if action_matches(statement, action):
                granted.setdefault(action, []).append(index)
    return granted


def nullified(statement: Statement, statements: Iterable[Statement]) -> bool:
    """Whether blanket Deny statements take away every action an Allow statement grants,
    so it grants nothing (an explicit Deny always wins)."""
    denies = blanket_denies(statements)
    if str(statement.effect) != "Allow" or not denies:
        return False
    cat = catalog()
    actions = literal(statement.actions)
    everything = statement.not_actions is not None or any(cat.expands_to_all(a) for a in actions)
    if everything:
        return any(
            d.not_actions is None and any(cat.expands_to_all(a) for a in literal(d.actions)) for d in denies
        )
    if len(actions) != len(statement.actions):
        return False  # a symbolic action may be anything
    expanded = list(expand_actions(actions))
    return bool(expanded) and all(denied(action, denies) for action in expanded)


def expand_actions(patterns: Iterable[str]) -> Iterator[str]:
    """The concrete actions of patterns, through the catalog; unknown names pass through."""
    cat = catalog()
    for pattern in patterns:
        expanded = cat.expand(pattern) if ("*" in pattern or "?" in pattern) else ()
        yield from expanded or (pattern,)


def allows(statements: Iterable[Statement], action: str, resource: str) -> bool:
    """Whether the statements allow `action` on the resource ARN `resource`: some Allow
    matches both (its conditions kept, not evaluated) and no unconditional Deny does."""
    statements = list(statements)
    for statement in statements:
        if (
            str(statement.effect) == "Deny"
            and is_unconditional(statement)
            and action_matches(statement, action)
            and resource_matches(statement, resource)
        ):
            return False
    return any(
        str(s.effect) == "Allow" and action_matches(s, action) and resource_matches(s, resource)
        for s in statements
    )


def statement_actions(statement: Statement) -> frozenset[str]:
    """The catalog actions a statement names (NotAction: all the others), canonical names.
    Symbolic entries are skipped: the result is what is known to be named."""
    cat = catalog()
    if statement.not_actions is not None:
        excluded = {name for p in literal(statement.not_actions) for name in cat.expand(p)}
        return frozenset(cat.expand("*")) - excluded
    return frozenset(name for p in literal(statement.actions) for name in cat.expand(p))
