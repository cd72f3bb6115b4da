"""Granted against used: what each template role was granted, and what access activity
shows it used (`Model.activity`).

A role in the template is matched to the principals of the activity by the name it is
deployed as: its explicit name (`RoleName`, Terraform `name`), a Terraform `name_prefix`
followed by Terraform's unique suffix, or the name CloudFormation generates,
`{stack}-{LogicalId}-{SUFFIX}` (the logical id cut short when the name would pass 64
characters), in any stack or only in `Activity.stacks`. `Activity.role_map` names the
rest (`ReserveBookingRole=airline-reserve`, or a full ARN).

Granted actions are the catalog actions the role's Allow statements name, less those
an unconditional Deny on every resource takes away. An action counts as used when
some successful call maps to it; an access advisor line naming only a service counts
for every action of that service. `UNRECORDED` actions are never reported unused:
CloudTrail does not record their calls, so no log can show them used.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from boundary.graph import permissions, queries
from boundary.iam import catalog
from boundary.model import Access, Activity, Format, Model, Resource, Symbolic

if TYPE_CHECKING:
    import networkx as nx

__all__ = [
    "UNRECORDED",
    "RoleUsage",
    "StatementUsage",
    "deployed_as",
    "role_name_of",
    "role_usage",
]

# Calls CloudTrail does not log, so activity can never show them used.
UNRECORDED = frozenset(
    {
        "logs:PutLogEvents",
        "xray:PutTraceSegments",
        "xray:PutTelemetryRecords",
        "xray:GetSamplingRules",
        "xray:GetSamplingTargets",
        "xray:GetSamplingStatisticSummaries",
        "execute-api:Invoke",
        "execute-api:ManageConnections",
    }
)

# Calls that show a role was taken on (by AWS for a function, or by anyone), naming it.
_ASSUME = frozenset({"sts:AssumeRole", "sts:AssumeRoleWithWebIdentity", "sts:AssumeRoleWithSAML"})
_GENERATED = re.compile(r"^(?P<stack>.+)-(?P<logical>[A-Za-z0-9]+)-(?P<suffix>[A-Za-z0-9]{12,13})$")
_TF_SUFFIX = re.compile(r"^[0-9a-f]{20,32}$")


def role_name_of(principal: str) -> str | None:
    """`arn:aws:iam::1:role/path/name` (or an assumed-role ARN) -> `name`; None otherwise."""
    if ":role/" in principal:
        return principal.rsplit("/", 1)[-1]
    if ":assumed-role/" in principal:
        parts = principal.split(":assumed-role/", 1)[1].split("/")
        return parts[0] if parts else None
    return None


def _explicit_name(resource: Resource, template_format: Format) -> str | None:
    if template_format is Format.TERRAFORM:
        value = resource.properties.get("name")
        return value if isinstance(value, str) and value else None
    name = resource.name
    if isinstance(name, str) and not name.lower().endswith(f"-{resource.id.lower()}"):
        return name
    return None


def deployed_as(resource: Resource, name: str, template_format: Format, stacks: Sequence[str] = ()) -> bool:
    """Whether a deployed resource called `name` is this template resource (see the module docs)."""
    explicit = _explicit_name(resource, template_format)
    if explicit is not None:
        return name == explicit
    if template_format is Format.TERRAFORM:
        prefix = resource.properties.get("name_prefix")
        return (
            isinstance(prefix, str)
            and bool(prefix)
            and name.startswith(prefix)
            and bool(_TF_SUFFIX.match(name[len(prefix) :]))
        )
    if isinstance(resource.name, Symbolic):
        return False
    match = _GENERATED.match(name)
    if match is None:
        return False
    if stacks and match.group("stack") not in stacks:
        return False
    logical, wanted = match.group("logical"), resource.id
    if logical.lower() == wanted.lower():
        return True
    # CloudFormation cuts the logical id short to keep the name within 64 characters.
    return len(name) >= 60 and wanted.lower().startswith(logical.lower())


@dataclass(frozen=True)
class StatementUsage:
    """One Allow statement of a role: the actions it grants, and those never used."""

    view: permissions.StatementView
    granted: tuple[str, ...]
    unused: tuple[str, ...]


@dataclass(frozen=True)
class RoleUsage:
    """A template role against its activity in the period.

    `principals` are the deployed role ARNs matched to it; `used` maps each used
    action to the last time it was seen; `assumed` is the last time AWS (or anyone)
    assumed the role. `unused_services` are services granted with no call at all.
    """

    node: str
    resource: Resource
    principals: tuple[str, ...]
    granted: tuple[str, ...]
    used: Mapping[str, str]
    services_used: tuple[str, ...]
    unused: tuple[str, ...]
    unrecorded: tuple[str, ...]
    unused_services: tuple[str, ...]
    last_used: str | None
    assumed: str | None
    statements: tuple[StatementUsage, ...]
    accesses: tuple[Access, ...]

    @property
    def never_used(self) -> bool:
        return not self.used and not self.services_used and self.assumed is None


def _granted_by(view: permissions.StatementView) -> tuple[str, ...]:
    cat = catalog()
    if view.statement.not_actions is not None:
        everything = set(cat.expand("*"))
        excluded = {a for p in permissions.literal(view.statement.not_actions) for a in cat.expand(p)}
        return tuple(sorted(everything - excluded))
    names: set[str] = set()
    for pattern in view.actions:
        info = cat.action(pattern) if "*" not in pattern and "?" not in pattern else None
        names.update((info.name,) if info else cat.expand(pattern))
    return tuple(sorted(names))


def _matches_principal(
    resource: Resource, template_format: Format, principal: str, activity: Activity
) -> bool:
    name = role_name_of(principal)
    if name is None:
        return False
    mapped = activity.role_map.get(resource.id)
    if mapped is not None:
        return principal == mapped or name == mapped or name == role_name_of(mapped)
    return deployed_as(resource, name, template_format, activity.stacks)


def role_usage(graph: nx.MultiDiGraph, model: Model, activity: Activity | None = None) -> list[RoleUsage]:
    """Every template role, granted against used (empty without activity)."""
    activity = activity or model.activity
    if activity is None:
        return []
    formats = {t.path: t.format for t in model.templates}
    by_principal: dict[str, list[Access]] = {}
    assumed: dict[str, str] = {}
    for access in activity.accesses:
        by_principal.setdefault(access.principal, []).append(access)
        if (
            access.action in _ASSUME
            and access.resource
            and assumed.get(access.resource, "") < access.last_seen
        ):
            assumed[access.resource] = access.last_seen
    out = []
    for node in queries.nodes_of_kind(graph, "role"):
        resource = queries.resource_of(model, graph, node)
        if resource is None:
            continue
        template_format = formats.get(str(graph.nodes[node].get("template")), Format.CLOUDFORMATION)
        principals = tuple(
            sorted(p for p in by_principal if _matches_principal(resource, template_format, p, activity))
        )
        principals_assumed = sorted(
            {
                arn
                for arn in assumed
                if role_name_of(arn) and _matches_principal(resource, template_format, arn, activity)
            }
        )
        out.append(
            _usage(
                graph,
                node,
                resource,
                principals,
                [a for p in principals for a in by_principal[p]],
                max((assumed[a] for a in principals_assumed), default=None),
            )
        )
    return out


def _usage(
    graph: nx.MultiDiGraph,
    node: str,
    resource: Resource,
    principals: tuple[str, ...],
    accesses: Iterable[Access],
    assumed: str | None,
) -> RoleUsage:
    accesses = tuple(accesses)
    used: dict[str, str] = {}
    services: set[str] = set()
    for access in accesses:
        if access.action:
            if used.get(access.action, "") < access.last_seen:
                used[access.action] = access.last_seen
        elif not access.name:  # access advisor, service level
            services.add(access.service)
    # A service-level line (access advisor) vouches for the service's actions only where
    # nothing finer is known about that service.
    services -= {a.partition(":")[0].lower() for a in used}
    used_lower = {a.lower() for a in used}
    views = permissions.identity_statements_of(graph, node)
    allows = [v for v in views if v.effect == "Allow" and not permissions.is_denied(v, views)]
    statements = []
    granted: set[str] = set()
    for view in allows:
        actions = _granted_by(view)
        allowed = permissions.allowed_actions(views, actions)
        actions = tuple(a for a in actions if a in allowed)
        granted.update(actions)
        unused = tuple(
            a
            for a in actions
            if a.lower() not in used_lower
            and a not in UNRECORDED
            and a.partition(":")[0].lower() not in services
        )
        statements.append(StatementUsage(view=view, granted=actions, unused=unused))
    unused_all = sorted({a for s in statements for a in s.unused})
    called = {a.partition(":")[0].lower() for a in used} | services
    granted_services = {a.partition(":")[0].lower() for a in granted if a not in UNRECORDED}
    return RoleUsage(
        node=node,
        resource=resource,
        principals=principals,
        granted=tuple(sorted(granted)),
        used=dict(sorted(used.items())),
        services_used=tuple(sorted(services)),
        unused=tuple(unused_all),
        unrecorded=tuple(sorted(a for a in granted if a in UNRECORDED)),
        unused_services=tuple(sorted(granted_services - called)),
        last_used=max((a.last_seen for a in accesses), default=None),
        assumed=assumed,
        statements=tuple(statements),
        accesses=accesses,
    )
