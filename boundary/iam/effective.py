"""What a set of policies grants, offline.

IAM evaluation in short: a request is allowed when some Allow statement matches
it and no Deny statement does. Offline we know the action and the resource but
not the request context, so conditions are kept with each grant (named, for
messages) and not evaluated, with one exception whose meaning is certain:

* `aws:SecureTransport` under `Bool`: a caller can always use TLS (the SDKs
  always do). So an Allow conditioned on `aws:SecureTransport = true` grants for
  sure, and a Deny conditioned on `aws:SecureTransport = false` never stops a
  caller who uses TLS.

Every other condition makes the statement uncertain: a conditional Allow may
grant (`allows` answers None), and a conditional Deny may or may not remove an
Allow (None again, never False). Symbolic values are uncertain the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from boundary.iam import _glob
from boundary.iam.catalog import Catalog, catalog
from boundary.iam.document import condition_entries
from boundary.model import PolicyDocument, Statement, Symbolic

__all__ = ["Grant", "allows", "certain_conditions", "effective_grants", "expanded_actions"]

_Values = tuple["str | Symbolic", ...]


@dataclass(frozen=True, slots=True)
class Grant:
    """The view of one statement that evaluation needs.

    `effective_grants` returns Allow grants; each carries the Deny statements of
    the same policy set in `denied_by`, so `allows` can apply them. `effect` is
    "Deny" only on the grants inside `denied_by`.
    """

    actions: _Values
    not_actions: _Values | None
    resources: _Values
    not_resources: _Values | None
    conditions: Mapping[str, Mapping[str, Any]]
    statement: Statement
    policy_id: str
    effect: str = "Allow"
    denied_by: tuple[Grant, ...] = field(default=(), repr=False)

    @property
    def condition_keys(self) -> tuple[str, ...]:
        """The condition keys, as `Operator:key`, sorted: what messages name."""
        return tuple(sorted(f"{operator}:{key}" for operator, key, _ in condition_entries(self.conditions)))

    @property
    def is_conditional(self) -> bool:
        """Whether some condition leaves the grant uncertain (certain keys ignored)."""
        return _uncertain_conditions(self.conditions, self.effect)


def _truthy(value: Any, expected: str) -> bool:
    values = value if isinstance(value, (list, tuple)) else [value]
    return bool(values) and all(isinstance(v, (str, bool)) and str(v).lower() == expected for v in values)


def certain_conditions(conditions: Mapping[str, Mapping[str, Any]], effect: str) -> frozenset[str]:
    """The `Operator:key` entries whose outcome is certain offline (see the module docs)."""
    certain = set()
    expected = "true" if effect == "Allow" else "false"
    for operator, block in conditions.items():
        if operator != "Bool" or not isinstance(block, Mapping):
            continue
        for key, value in block.items():
            if key.lower() == "aws:securetransport" and _truthy(value, expected):
                certain.add(f"{operator}:{key}")
    return frozenset(certain)


def _uncertain_conditions(conditions: Mapping[str, Mapping[str, Any]], effect: str) -> bool:
    certain = certain_conditions(conditions, effect)
    for operator, block in conditions.items():
        if not isinstance(block, Mapping):
            return True
        if any(f"{operator}:{key}" not in certain for key in block):
            return True
    return False


def _grant(statement: Statement, policy_id: str, effect: str) -> Grant:
    return Grant(
        actions=statement.actions,
        not_actions=statement.not_actions,
        resources=statement.resources,
        not_resources=statement.not_resources,
        conditions=statement.conditions,
        statement=statement,
        policy_id=policy_id,
        effect=effect,
    )


def effective_grants(policies: Iterable[tuple[str, PolicyDocument]]) -> tuple[Grant, ...]:
    """The Allow grants of the policies, in order, each carrying all the Deny grants.

    A statement whose Effect is symbolic is neither: it is left out, and the
    caller that needs certainty should look at `PolicyDocument.statements`.
    """
    allowed: list[Grant] = []
    denied: list[Grant] = []
    for policy_id, document in policies:
        for statement in document.statements:
            if statement.effect == "Allow":
                allowed.append(_grant(statement, policy_id, "Allow"))
            elif statement.effect == "Deny":
                denied.append(_grant(statement, policy_id, "Deny"))
    denies = tuple(denied)
    return tuple(
        Grant(
            g.actions,
            g.not_actions,
            g.resources,
            g.not_resources,
            g.conditions,
            g.statement,
            g.policy_id,
            "Allow",
            denies,
        )
        for g in allowed
    )


def _any_matches(patterns: _Values, value: str, case_sensitive: bool) -> bool | None:
    """True if a literal pattern matches, None if only a symbolic one might, else False."""
    unknown = False
    for pattern in patterns:
        if isinstance(pattern, Symbolic):
            unknown = True
        elif _glob.match(pattern, value, case_sensitive=case_sensitive):
            return True
    return None if unknown else False


def _element_matches(
    positive: _Values, negative: _Values | None, value: str, case_sensitive: bool
) -> bool | None:
    if negative is not None:
        excluded = _any_matches(negative, value, case_sensitive)
        return None if excluded is None else not excluded
    return _any_matches(positive, value, case_sensitive)


def _and(*values: bool | None) -> bool | None:
    if any(value is False for value in values):
        return False
    return None if any(value is None for value in values) else True


def _statement_matches(grant: Grant, action: str, resource_arn: str) -> bool | None:
    """Whether the statement applies to the request: True, False, or None (cannot tell)."""
    return _and(
        _element_matches(grant.actions, grant.not_actions, action, case_sensitive=False),
        _element_matches(grant.resources, grant.not_resources, resource_arn, case_sensitive=True),
        _conditions_hold(grant),
    )


def _conditions_hold(grant: Grant) -> bool | None:
    """Whether the conditions hold for a well-behaved caller (one that uses TLS)."""
    if grant.is_conditional:
        return None
    # Only certain keys are left; on a Deny they describe requests such a caller never makes.
    return not (grant.effect == "Deny" and grant.conditions)


def allows(grants: Iterable[Grant], action: str, resource_arn: str) -> bool | None:
    """Whether the grants allow `action` on `resource_arn`: True, False, or None (unknown).

    Explicit Deny wins over Allow; a Deny that only may apply (conditional or
    symbolic) makes a sure Allow unknown rather than False.
    """
    grants = tuple(grants)
    allow_grants = [g for g in grants if g.effect == "Allow"]
    deny_grants = {id(d): d for g in grants for d in ((g,) if g.effect == "Deny" else g.denied_by)}
    denied: bool | None = False
    for deny in deny_grants.values():
        verdict = _statement_matches(deny, action, resource_arn)
        if verdict is True:
            return False
        if verdict is None:
            denied = None
    allowed: bool | None = False
    for grant in allow_grants:
        verdict = _statement_matches(grant, action, resource_arn)
        if verdict is True:
            allowed = True
            break
        if verdict is None:
            allowed = None
    if allowed is False:
        return False
    if allowed is True and denied is False:
        return True
    return None


def expanded_actions(grant: Grant, *, using: Catalog | None = None) -> frozenset[str]:
    """The catalog actions the grant names (NotAction: all the others), canonical names.

    Computed on demand: NotAction and `*` read every service of the catalog.
    Symbolic entries are skipped, so the result is what is known to be named.
    """
    cat = using or catalog()
    if grant.not_actions is not None:
        everything = frozenset(cat.expand("*"))
        excluded = {name for p in grant.not_actions if isinstance(p, str) for name in cat.expand(p)}
        return everything - excluded
    names: set[str] = set()
    for pattern in grant.actions:
        if isinstance(pattern, str):
            names.update(cat.expand(pattern))
    return frozenset(names)
