"""What a principal may do, read from its `grants` edges with the IAM catalog.

The graph has one `grants` edge per statement and resource target; rules that
judge statements (wildcards, admin access, escalation) want each statement
once, with its targets. This module gives them that view; "which of these actions can this
principal perform, Deny applied" is answered by the one IAM evaluator,
`boundary.iam.evaluate`, over the statements of the views.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING, Any

from boundary.graph import queries
from boundary.graph._build import every_resource_targets, location_of
from boundary.iam import PolicyIssue, catalog, condition_entries, evaluate
from boundary.iam.arn import Arn, TargetClass, is_full_wildcard
from boundary.iam.evaluate import expand_actions, literal
from boundary.model import Location, Policy, Resource, Statement, Template

if TYPE_CHECKING:
    import networkx as nx

__all__ = [
    "DATA_ACCESS_LEVELS",
    "DATA_SERVICES",
    "TELEMETRY_SERVICES",
    "DataAccess",
    "StatementView",
    "action_applies",
    "allowed_actions",
    "data_access",
    "every_of_type",
    "expand_actions",
    "identity_statements_of",
    "is_resource_policy",
    "is_denied",
    "literal",
    "ref_instead_of_arn",
    "statement_data_actions",
    "statements_of",
    "written_policies",
]


@dataclass(frozen=True)
class StatementView:
    """One statement of one policy that applies to a principal, with where it points."""

    principal: str
    policy_node: str
    policy_id: str
    managed_arn: str | None
    index: int
    statement: Statement
    location: Location
    listed: tuple[tuple[str, str], ...]  # (node, target class) of the grant edges as built
    via: str | None = None  # "resource-policy" for a resource policy's statement naming the principal
    # `*` grants (`every_resource`): (principal of the edge, edge attributes), expanded on demand
    every_resource: tuple[tuple[str, Any], ...] = field(default=(), compare=False, repr=False)
    graph: Any = field(default=None, compare=False, repr=False)

    @cached_property
    def targets(self) -> tuple[tuple[str, str], ...]:
        """(node, target class) of everything the statement points at, a `*` grant's
        template resources included, sorted."""
        if not self.every_resource:
            return self.listed
        found = set(self.listed)
        for owner, data in self.every_resource:
            found.update((node, "full-wildcard") for node in every_resource_targets(self.graph, owner, data))
        return tuple(sorted(found))

    def targets_of(self, services: Iterable[str]) -> tuple[tuple[str, str], ...]:
        """`targets`, with a `*` grant's resources only those whose ARN is of `services`:
        an index lookup instead of every resource of the template."""
        if not self.every_resource:
            return self.listed
        wanted = tuple(services)
        found = set(self.listed)
        for owner, data in self.every_resource:
            found.update(
                (node, "full-wildcard") for node in every_resource_targets(self.graph, owner, data, wanted)
            )
        return tuple(sorted(found))

    implicit: bool = False  # attached by the SAM transform itself, not named in the template
    # set when the principal is outside the template (a role the template attaches a policy to
    # by name, ARN or parameter): how messages say so
    outside: str = ""
    # what in the template runs as an outside principal (a function whose Role ARN names it)
    runners: tuple[str, ...] = ()
    # the node a finding about this statement belongs to: the principal, or, for a principal
    # outside the template, the policy resource the template wrote (`principal` when empty)
    finding_node: str = ""

    @property
    def subject(self) -> str:
        """The node a finding about this statement belongs to: the principal, or, for a
        principal outside the template, the policy resource the template wrote."""
        return self.finding_node or self.principal

    @property
    def effect(self) -> str:
        return str(self.statement.effect)

    @property
    def actions(self) -> tuple[str, ...]:
        return literal(self.statement.actions)

    @property
    def resources(self) -> tuple[str, ...]:
        return literal(self.statement.resources)

    @property
    def key(self) -> str:
        """Stable across runs and line shifts: the policy and the statement's index (or Sid)."""
        return f"{self.policy_id}#{self.statement.sid or self.index}"

    @property
    def aws_managed(self) -> bool:
        return self.managed_arn is not None and ":iam::aws:policy/" in self.managed_arn

    @property
    def all_resources(self) -> bool:
        """Whether the statement applies to every resource (`*`, or NotResource)."""
        return evaluate.on_every_resource(self.statement)

    def describe(self) -> str:
        """How messages name the statement, with its conditions: they may narrow the
        grant, and are kept but not evaluated."""
        name = f"statement {self.statement.sid!r}" if self.statement.sid else f"statement {self.index}"
        text = f"{name} of policy {self.policy_id}"
        keys = sorted(
            f"{operator} {key}" for operator, key, _ in condition_entries(self.statement.conditions)
        )
        if keys:
            text += f" (under condition {', '.join(keys)})"
        if self.statement.when:
            text += f" (when template condition {' and '.join(self.statement.when)})"
        if self.outside:
            text += f" ({self.outside})"
        return text


def statements_of(graph: nx.MultiDiGraph, principal: str) -> list[StatementView]:
    """Each statement that applies to `principal` (its own policies and its groups'), once."""
    views: dict[tuple[str, int], dict[str, Any]] = {}
    for owner, target, data in queries.grants_from(graph, principal, every_resource=False):
        key = (str(data.get("policy")), int(data.get("statement_index", -1)))
        entry = views.setdefault(key, {"data": data, "targets": [], "every": []})
        entry["targets"].append((target, str(data.get("target_class"))))
        if data.get("every_resource"):
            entry["every"].append((owner, data))
    out: list[StatementView] = []
    outside = bool(graph.nodes[principal].get("outside")) if principal in graph else False
    notes: dict[str, tuple[str, tuple[str, ...]]] = {}
    for (policy_node, index), entry in sorted(views.items()):
        if outside and policy_node not in notes:
            owners = queries.outside_owners(graph, principal, policy_node)
            notes[policy_node] = (
                queries.outside_note(graph, principal, policy_node),
                tuple(sorted({r for owner in owners for r in queries.executors(graph, owner)})),
            )
        note, runners = notes.get(policy_node, ("", ()))
        data = entry["data"]
        statement = data["statement"]
        if data.get("unattached"):
            # A written policy nothing attaches yet: the finding is on it, and says why.
            scope = "the plan" if graph.nodes[principal].get("format") == "terraform" else "the template"
            note = f"attached to nothing in {scope}"
        out.append(
            StatementView(
                principal=principal,
                policy_node=policy_node,
                policy_id=str(data.get("policy_id")),
                managed_arn=data.get("managed_arn"),
                index=index,
                statement=statement,
                location=location_of(data),
                listed=tuple(sorted(set(entry["targets"]))),
                via=data.get("via"),
                every_resource=tuple(entry["every"]),
                graph=graph if entry["every"] else None,
                implicit=bool(data.get("implicit")),
                outside=note,
                runners=runners,
                finding_node=policy_node
                if outside and policy_node in graph and graph.nodes[policy_node].get("resource")
                else "",
            )
        )
    return out


def allowed_actions(
    views: Iterable[StatementView], candidates: Iterable[str], *, on_all_resources: bool = False
) -> dict[str, list[StatementView]]:
    """Which candidate actions some Allow statement grants and no unconditional Deny on
    every resource takes away; each with the statements that grant it.

    With `on_all_resources`, only statements whose Resource is `*` (or NotResource) count.
    Pass `statements_of(graph, principal)` to ask for one principal
    (`boundary.iam.evaluate.allowed_actions` decides).
    """
    views = list(views)
    granted = evaluate.allowed_actions(
        [v.statement for v in views], candidates, on_all_resources=on_all_resources
    )
    return {action: [views[i] for i in indices] for action, indices in granted.items()}


def is_denied(view: StatementView, views: Iterable[StatementView]) -> bool:
    """Whether unconditional Deny statements on every resource take away every action an
    Allow statement grants, so the Allow grants nothing (an explicit Deny always wins)."""
    return evaluate.nullified(view.statement, [v.statement for v in views])


_SEGMENTS = re.compile(r"[/:]")
# Pure functions of their strings and the catalog: memoised, and bounded so a long-lived
# process (an editor, a Checkov run over many repositories) does not grow without end.
_MEMO_SIZE = 65536


@lru_cache(maxsize=_MEMO_SIZE)
def every_of_type(pattern: str) -> bool:
    """Whether an ARN pattern names every resource of its type: every name part is a bare
    wildcard, the rest are the literal words of the service's ARN formats (`table/*`,
    `table/*/index/*`, `function:*`, an SQS `*`, S3 `*/*`), so it reaches the tables,
    functions or buckets of other workloads as `*` would. `*` itself is not one (see
    `is_full_wildcard`); name prefixes (`table/orders-*`) and placeholders are not."""
    arn = Arn.parse(pattern)
    found = False
    if arn is not None and not is_full_wildcard(pattern) and "${" not in pattern:
        if arn.service and not Arn.is_variable(arn.service):
            segments = _SEGMENTS.split(arn.resource)
            words = {
                word.lower()
                for _, arn_format in catalog().resource_types_matching(pattern)
                for word in _SEGMENTS.split(arn_format.split(":", 5)[-1])
                if word and "${" not in word
            }
            found = any(set(part) == {"*"} for part in segments) and all(
                set(part) == {"*"} or part.lower() in words for part in segments
            )
    return found


# Lambda permissions become resource policies the loaders write, not the user: their
# Resource is whatever FunctionName said (a name, an alias), never a statement to fix.
_SYNTHETIC_POLICY_TYPE = "AWS::Lambda::Permission"


def written_policies(template: Template) -> Iterator[Policy]:
    """The policies of a template whose document is known and was written as a policy
    (or expanded by SAM): identity, resource and trust policies, without the ones
    loaders derive from Lambda permissions and without AWS managed policies."""
    for policy in template.policies:
        if policy.document is None:
            continue
        owner = template.resources.get(policy.id)
        if owner is not None and owner.aws_type == _SYNTHETIC_POLICY_TYPE:
            continue
        yield policy


def ref_instead_of_arn(template: Template, issue: PolicyIssue) -> Resource | None:
    """The template resource whose `!Ref` value an `invalid-arn` issue's resource is:
    its name (`!Ref OrdersTable`) or, for a queue, its URL (`!Ref JobsQueue`), written
    where its ARN belongs. None for other issues and other values.

    Such a statement is not malformed so much as aimed at the wrong thing: it is a
    resource-type mismatch (the resource-type-mismatch rule reports it, invalid-policy
    leaves it out)."""
    if issue.check != "invalid-arn" or issue.value is None:
        return None
    value = issue.value
    name = value.rsplit("/", 1)[-1] if value.startswith("https://") else value
    for resource in template.resources.values():
        if resource.arns and isinstance(resource.name, str) and resource.name == name:
            return resource
    return None


# --- data access: which data a principal can reach, and with which actions -----------

#: Services whose actions write telemetry (logs, traces, metrics) rather than touch data.
TELEMETRY_SERVICES = frozenset({"cloudwatch", "logs", "xray"})

#: Services whose resources hold or move application data. KMS is left out on purpose:
#: a key protects data held elsewhere, and `kms:Decrypt` follows from the data service
#: it serves (an encrypted queue, a table, the function's own environment).
DATA_SERVICES = frozenset(
    {
        "aoss",
        "appsync",
        "athena",
        "cassandra",
        "dax",
        "dsql",
        "dynamodb",
        "elasticache",
        "elasticfilesystem",
        "es",
        "events",
        "firehose",
        "glue",
        "kafka-cluster",
        "kinesis",
        "memorydb",
        "neptune-db",
        "qldb",
        "rds-data",
        "rds-db",
        "redshift-data",
        "s3",
        "s3-object-lambda",
        "s3express",
        "s3tables",
        "secretsmanager",
        "sns",
        "sqs",
        "ssm",
        "timestream",
    }
)

#: Access levels that read, change or hand out data; List and Tagging do not.
DATA_ACCESS_LEVELS = frozenset({"Read", "Write", "Permissions management"})


@dataclass(frozen=True)
class DataAccess:
    """What one principal may do to one target node, through its Allow statements."""

    target: str
    target_classes: tuple[str, ...]
    actions: tuple[str, ...]
    views: tuple[StatementView, ...]


def is_resource_policy(graph: nx.MultiDiGraph, view: StatementView) -> bool:
    """Whether the statement comes from a resource policy (a bucket or queue policy naming
    the principal) rather than from an identity policy attached to it."""
    return view.via == "resource-policy"


def identity_statements_of(
    graph: nx.MultiDiGraph, principal: str, views: Sequence[StatementView] | None = None
) -> list[StatementView]:
    """`statements_of`, without the statements of resource policies that name the principal;
    `views` are `statements_of(graph, principal)` when the caller has them already."""
    if views is None:
        views = statements_of(graph, principal)
    return [view for view in views if not is_resource_policy(graph, view)]


@lru_cache(maxsize=1024)
def _service_data_actions(service: str, levels: frozenset[str]) -> tuple[str, ...]:
    return catalog().actions_at_levels(service, levels)


def statement_data_actions(
    view: StatementView,
    services: frozenset[str] = DATA_SERVICES,
    levels: frozenset[str] = DATA_ACCESS_LEVELS,
) -> tuple[str, ...]:
    """The concrete actions of `services` at `levels` that a statement names, sorted.

    `*`, `service:*` and NotAction are answered per data service, never by expanding
    every service in the catalog.
    """
    cat = catalog()
    statement = view.statement
    found: set[str] = set()
    if statement.not_actions is not None or any(cat.expands_to_all(p) for p in view.actions):
        for service in sorted(services):
            found.update(
                a for a in _service_data_actions(service, levels) if evaluate.action_matches(statement, a)
            )
        return tuple(sorted(found))
    for pattern in view.actions:
        service, colon, _ = pattern.partition(":")
        if not colon:
            continue
        for prefix in cat.matching_services(service):
            if prefix not in services:
                continue
            if pattern.lower() == f"{prefix}:*" or service != prefix and _glob_all(pattern):
                found.update(_service_data_actions(prefix, levels))
            else:
                found.update(
                    a
                    for a in cat.expand(f"{prefix}:{pattern.partition(':')[2]}")
                    if cat.access_level(a) in levels
                )
    return tuple(sorted(found))


def _glob_all(pattern: str) -> bool:
    return pattern.partition(":")[2] in ("*", "**")


@lru_cache(maxsize=_MEMO_SIZE)
def action_applies(action: str, arn: str) -> bool:
    """Whether `action` can act on a resource named by `arn` (a pattern may name several
    types); undecidable cases (a placeholder service part) count as applying."""
    matches = catalog().arn_matches_type(action, arn)
    return matches is None or matches


def data_access(
    graph: nx.MultiDiGraph,
    principal: str,
    *,
    services: frozenset[str] = DATA_SERVICES,
    levels: frozenset[str] = DATA_ACCESS_LEVELS,
    classes: frozenset[str] | None = None,
    every_resource: bool = True,
    views: Sequence[StatementView] | None = None,
) -> dict[str, DataAccess]:
    """Each node a principal's Allow statements reach with data actions that fit the
    node's resource type, after unconditional Deny statements on every resource.

    A DynamoDB statement on `*` reaches the template's tables, not its topics; a
    telemetry or List action reaches nothing here. AWS managed policies count
    wherever their content is known. With `classes`, only targets matched with
    one of those target classes (`specific`, `partial-wildcard`, ...) count.

    A grant on `*` reaches its `*` node (every action of the grant fits it) and each
    resource of its template whose service it names; with `every_resource=False`, only
    the `*` node: a caller that needs the actions and services reached, not the
    resources a `*` reaches one by one, saves listing them (R roles with `*` in a
    template of T tables are R times T targets).

    `views` are `statements_of(graph, principal)` when the caller has them already
    (a rule's `RuleContext.statements_of`).
    """
    if views is None:
        views = statements_of(graph, principal)
    denies = evaluate.blanket_denies(v.statement for v in views)
    reached: dict[str, dict[str, Any]] = {}
    for view in views:
        if view.effect != "Allow":
            continue
        actions = [
            a for a in statement_data_actions(view, services, levels) if not evaluate.denied(a, denies)
        ]
        if not actions:
            continue
        by_service: dict[str, list[str]] = {}
        for action in actions:
            by_service.setdefault(action.partition(":")[0], []).append(action)
        # A `*` grant's resources are all of class full-wildcard: when that class is not
        # wanted, they are not listed at all (a role can reach every table of a large template).
        listed_only = not every_resource or (
            classes is not None and TargetClass.FULL_WILDCARD.value not in classes
        )
        for target, target_class in view.listed if listed_only else view.targets_of(by_service):
            if classes is not None and target_class not in classes:
                continue
            data = graph.nodes[target] if target in graph else {}
            arns = tuple(data.get("arns") or ())
            if not arns:
                continue
            fitting = [
                action
                for service, group in by_service.items()
                if any(_arn_service_fits(arn, service) for arn in arns)
                for action in group
                if any(action_applies(action, arn) for arn in arns)
            ]
            if not fitting:
                continue
            entry = reached.setdefault(target, {"classes": set(), "actions": set(), "views": []})
            entry["classes"].add(target_class)
            entry["actions"].update(fitting)
            if view not in entry["views"]:
                entry["views"].append(view)
    return {
        target: DataAccess(
            target=target,
            target_classes=tuple(sorted(entry["classes"])),
            actions=tuple(sorted(entry["actions"])),
            views=tuple(entry["views"]),
        )
        for target, entry in sorted(reached.items())
    }


def _arn_service_fits(arn: str, service: str) -> bool:
    """A cheap first test before the catalog: the ARN's service part can be `service`."""
    if arn.strip() and set(arn) == {"*"}:
        return True
    parsed = Arn.parse(arn)
    if parsed is None:
        return False
    return Arn.is_variable(parsed.service) or parsed.service.lower() == service
