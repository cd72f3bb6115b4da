"""Model to `networkx.MultiDiGraph`: the resource-permission graph (schema in docs/graph.md).

Nodes carry meaning only (kind, type, location, ARNs); styling belongs to the
exporters. Every edge has a `kind` attribute; two nodes may be joined by many
edges of one kind (one `grants` edge per statement and resource pattern).
Works on networkx 2.6 and 3.x: only the long-stable MultiDiGraph API is used.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from boundary.iam.arn import ArnIndex, TargetClass, is_full_wildcard
from boundary.iam.managed import managed_policy
from boundary.model import (
    Endpoint,
    Format,
    Location,
    Model,
    OutsidePrincipal,
    Policy,
    PolicyDocument,
    PolicyKind,
    Resource,
    ResourceKind,
    Statement,
    Symbolic,
    Template,
)

if TYPE_CHECKING:
    import networkx as nx

__all__ = [
    "INTERNET",
    "EdgeKind",
    "NodeKind",
    "build_graph",
    "every_resource_targets",
    "node_id",
    "outside_principal_id",
]


class NodeKind:
    """Node kinds (the `kind` attribute). Template resources use `ResourceKind` values."""

    COMPUTE = ResourceKind.COMPUTE.value
    ROLE = ResourceKind.ROLE.value
    USER = ResourceKind.USER.value
    GROUP = ResourceKind.GROUP.value
    POLICY = ResourceKind.POLICY.value
    DATA = ResourceKind.DATA.value
    API = ResourceKind.API.value
    ENDPOINT = ResourceKind.ENDPOINT.value
    PRINCIPAL = "external-principal"  # service principal, another account, `*`, the internet
    ARN = "external-arn"  # an ARN or ARN pattern outside the template, or `*`
    UNRESOLVED = "unresolved"  # a resource the policy names symbolically, e.g. an undefined parameter


class EdgeKind:
    EXECUTES_AS = "executes-as"
    ATTACHED_POLICY = "attached-policy"
    GRANTS = "grants"
    ASSUMABLE_BY = "assumable-by"
    INVOKES = "invokes"
    REFERENCES = "references"
    ROUTES = "routes"
    MEMBER_OF = "member-of"
    KEY_OF = "key-of"


INTERNET = "principal::*"
# Graph attributes (`graph.graph`) behind `every_resource` grants: each template's
# resource nodes by the service of their ARNs, and the template of each principal.
_ARNS_OF = "boundary.arns_of_template"
_TEMPLATE_OF = "boundary.template_of_principal"

_PRINCIPAL_KINDS = {ResourceKind.ROLE, ResourceKind.USER, ResourceKind.GROUP}


def node_id(template: Template | str, local_id: str) -> str:
    """The graph node of a template element: unique across all scanned files."""
    path = template if isinstance(template, str) else template.path
    return f"{path}::{local_id}"


def outside_principal_id(template: Template | str, kind: str, name: str) -> str:
    """The node of a role, user or group a policy of the template is attached to that the
    template does not declare (`kind` "role", "user" or "group"; `name` as written, an ARN
    reduced to its name), or, with `kind` "function", a function a Lambda permission of the
    template names."""
    path = template if isinstance(template, str) else template.path
    return f"{path}::outside::{kind}/{name}"


def _principal_node(kind: str, value: str) -> str:
    if value == "*":
        return INTERNET
    return f"principal::{kind}::{value}"


def _location_attrs(location: Location) -> dict[str, Any]:
    return {
        "file": location.file,
        "line": location.line,
        "column": location.column,
        "address": location.address,
    }


def location_of(attrs: Mapping[str, Any]) -> Location:
    """The source location a node's or an edge's attributes carry (`file`, `line`,
    `column`, `address`; what the graph keeps of a `Location`)."""
    return Location(
        file=str(attrs.get("file") or ""),
        line=int(attrs.get("line") or 0),
        column=int(attrs.get("column") or 0),
        address=attrs.get("address"),
    )


def build_graph(model: Model) -> nx.MultiDiGraph:
    """Build one resource-permission graph from every template in `model`."""
    import networkx as nx

    graph = nx.MultiDiGraph()
    graph.add_node(INTERNET, kind=NodeKind.PRINCIPAL, principal_type="*", label="anyone (*)")
    for template in model.templates:
        _add_template(graph, template)
    return graph


def _add_template(graph: nx.MultiDiGraph, template: Template) -> None:
    for resource in template.resources.values():
        graph.add_node(node_id(template, resource.id), **_resource_attrs(template, resource))
    for endpoint in template.endpoints:
        _add_endpoint(graph, template, endpoint)
    outside_roles = _add_outside_principals(graph, template)
    for relation in template.relations:
        source = node_id(template, relation.source)
        outside = (
            outside_roles.get(_role_name(relation.target))
            if relation.attributes.get("external") and relation.kind.value == EdgeKind.EXECUTES_AS
            else None
        )
        if outside is not None:
            # `Role: arn:...:role/app-role` while the template attaches policies to app-role
            # by name: the function runs with those policies.
            target = outside
        elif relation.attributes.get("external"):
            target = f"arn::{relation.target}"
            if target not in graph:
                graph.add_node(
                    target,
                    kind=NodeKind.ARN,
                    arn=relation.target,
                    label=relation.target,
                    target_class="external",
                )
        else:
            target = node_id(template, relation.target)
        if source not in graph or target not in graph:
            continue
        attrs = {k: v for k, v in relation.attributes.items() if k != "external"}
        if relation.location is not None:
            attrs.update(_location_attrs(relation.location))
        graph.add_edge(source, target, kind=relation.kind.value, **attrs)
    index = _TemplateIndex.of(template)
    by_service: dict[str, set[str]] = {}
    for arn, resource_id in index.ids.items():
        by_service.setdefault(_arn_service(arn), set()).add(node_id(template, resource_id))
    graph.graph.setdefault(_ARNS_OF, {})[template.path] = {
        service: tuple(sorted(nodes)) for service, nodes in by_service.items()
    }
    for policy in template.policies:
        _add_policy(graph, template, policy, index)


_OUTSIDE_KINDS = {ResourceKind.ROLE: "role", ResourceKind.USER: "user", ResourceKind.GROUP: "group"}


# How the resolver shows a parameter without a value inside a value it could not finish
_REF_TEXT = re.compile(r"!Ref ([A-Za-z0-9:]+)")


def _role_name(text: str) -> str:
    """The name of the role a function's `Role` ARN names (`arn:aws:iam::1:role/path/app-role`
    -> `app-role`); a parameter without a value reads `${RoleName}` however it was written."""
    text = _REF_TEXT.sub(r"${\1}", text)
    return text.rsplit("/", 1)[-1] if text.startswith("arn:") and ":role/" in text else text


def _principal_name(text: str) -> str:
    """A role's, user's or group's name from its name or ARN (`arn:...:user/ops/bob` -> `bob`)."""
    text = _REF_TEXT.sub(r"${\1}", text)
    return text.rsplit("/", 1)[-1] if text.startswith("arn:") else text


def _add_outside_principals(graph: nx.MultiDiGraph, template: Template) -> dict[str, str]:
    """A node for each role, user or group outside the template that an identity policy of
    the template is attached to; returns the outside roles' nodes by role name."""
    roles: dict[str, str] = {}
    for policy in template.policies:
        if policy.kind is not PolicyKind.IDENTITY:
            continue
        for principal in policy.outside_principals:
            word = _OUTSIDE_KINDS.get(principal.kind)
            if word is None:
                continue
            name = _principal_name(principal.name)
            node = outside_principal_id(template, word, name)
            _outside_node(graph, template, node, word, name, policy, principal)
            if word == "role":
                roles.setdefault(name, node)
    return roles


def _outside_node(
    graph: nx.MultiDiGraph,
    template: Template,
    node: str,
    word: str,
    name: str,
    policy: Policy,
    principal: OutsidePrincipal,
) -> None:
    """Findings about an outside principal belong to the policy the template wrote: the node
    takes the first attaching policy's resource and the place that names the principal
    (`StatementView.subject` names the exact policy for findings about one statement)."""
    if node in graph:
        graph.nodes[node]["policies"].append(policy.id)
        return
    scope = "the plan" if template.format is Format.TERRAFORM else "the template"
    resource = policy.id
    if policy.id not in template.resources:
        # an AWS managed policy attached by a Terraform attachment resource: that resource
        resource = principal.location.address or policy.id
    graph.add_node(
        node,
        kind=principal.kind.value,
        type=f"{word} outside {scope}",
        aws_type="",
        resource=resource,
        template=template.path,
        format=template.format.value,
        label=f"{name} ({word} outside {scope})",
        outside=word,
        outside_name=name,
        outside_of=scope,
        policies=[policy.id],
        arns=(f"arn:{template.partition}:iam::{template.account}:{word}/{name}",),
        name=name,
        origin=None,
        **_location_attrs(principal.location),
    )


def _resource_attrs(template: Template, resource: Resource) -> dict[str, Any]:
    attrs: dict[str, Any] = {
        "kind": resource.kind.value,
        "type": resource.type,
        "aws_type": resource.aws_type,
        "resource": resource.id,
        "template": template.path,
        "format": template.format.value,
        "label": resource.id,
        "arns": resource.arns,
        "name": resource.name if isinstance(resource.name, str) else None,
        "origin": resource.origin,
    }
    attrs.update(_location_attrs(resource.location))
    return attrs


def _add_endpoint(graph: nx.MultiDiGraph, template: Template, endpoint: Endpoint) -> None:
    node = node_id(template, endpoint.id)
    attrs: dict[str, Any] = {
        "endpoint": True,
        "protocol": endpoint.protocol.value,
        "method": endpoint.method,
        "path": endpoint.path,
        "authorization": str(endpoint.authorization),
        "api_key_required": endpoint.api_key_required,
        "authorizer": endpoint.authorizer,
        "api": endpoint.api,
        "defined_by": endpoint.resource,
    }
    if node in graph:
        graph.nodes[node].update(attrs)
    else:
        graph.add_node(
            node,
            kind=NodeKind.ENDPOINT,
            type="OpenAPI operation",
            resource=endpoint.resource,
            template=template.path,
            format=template.format.value,
            label=f"{endpoint.method} {endpoint.path}",
            arns=(),
            origin=endpoint.origin,
            **_location_attrs(endpoint.location),
            **attrs,
        )
        if endpoint.api is not None:
            api = node_id(template, endpoint.api)
            if api in graph:
                graph.add_edge(api, node, kind=EdgeKind.ROUTES, **_location_attrs(endpoint.location))
        for target in endpoint.integrations:
            target_node = node_id(template, target)
            if target_node in graph:
                graph.add_edge(node, target_node, kind=EdgeKind.INVOKES, **_location_attrs(endpoint.location))
    if endpoint.authorization == "NONE":
        graph.add_edge(INTERNET, node, kind=EdgeKind.INVOKES, **_location_attrs(endpoint.location))


@dataclass(frozen=True, slots=True)
class _TemplateIndex:
    """A template's ARNs, built once per template so that matching a statement's
    resources (or a trust policy's principals) is a lookup, not a walk of the template."""

    ids: Mapping[str, str]  # every ARN a template resource answers to -> its resource id
    arns: ArnIndex  # the same ARNs, for `classify`
    principals: Mapping[str, str]  # the ARNs of the template's roles, users, groups -> id

    @classmethod
    def of(cls, template: Template) -> _TemplateIndex:
        ids: dict[str, str] = {}
        principals: dict[str, str] = {}
        for resource in template.resources.values():
            for arn in resource.arns:
                ids.setdefault(arn, resource.id)
                if resource.kind in _PRINCIPAL_KINDS:
                    principals.setdefault(arn, resource.id)
        return cls(ids, ArnIndex(ids), principals)


def _policy_node(graph: nx.MultiDiGraph, template: Template, policy: Policy) -> str:
    if policy.managed_arn is not None and policy.id == policy.managed_arn:
        node = f"policy::{policy.managed_arn}"
        if node not in graph:
            graph.add_node(
                node,
                kind=NodeKind.POLICY,
                type="AWS managed policy" if ":aws:policy/" in policy.managed_arn else "managed policy",
                label=policy.name or policy.managed_arn,
                managed_arn=policy.managed_arn,
                known=_document(policy) is not None,
                policy_kind=policy.kind.value,
            )
        return node
    node = node_id(template, policy.id)
    if node not in graph:
        graph.add_node(
            node,
            kind=NodeKind.POLICY,
            type="inline policy",
            resource=policy.id,
            template=template.path,
            format=template.format.value,
            label=policy.name or policy.id,
            arns=(),
            origin=policy.origin,
            **_location_attrs(policy.location),
        )
    graph.nodes[node].update(policy_kind=policy.kind.value, known=_document(policy) is not None)
    return node


def _document(policy: Policy) -> PolicyDocument | None:
    if policy.document is not None:
        return policy.document
    if policy.managed_arn is not None:
        managed = managed_policy(policy.managed_arn)
        if managed is not None:
            return managed.document
    return None


def _add_policy(graph: nx.MultiDiGraph, template: Template, policy: Policy, index: _TemplateIndex) -> None:
    document = _document(policy)
    if policy.kind is PolicyKind.TRUST:
        for owner in policy.attached_to:
            if document is not None:
                _add_trust(graph, template, node_id(template, owner), policy, document, index)
        return
    if policy.kind is PolicyKind.RESOURCE:
        if document is not None:
            _add_resource_policy(graph, template, policy, document, index)
        return
    policy_node = _policy_node(graph, template, policy)
    owners = [node_id(template, owner) for owner in policy.attached_to]
    for principal in policy.outside_principals:
        kind = _OUTSIDE_KINDS.get(principal.kind)
        if kind is not None:
            name = _principal_name(principal.name)
            owners.append(outside_principal_id(template, kind, name))
    if document is not None and policy.managed_arn != policy.id and not any(o in graph for o in owners):
        # A written policy that nothing attaches (yet), in the template or outside it, is
        # still judged: its statements are grants of the policy node itself, so the rules
        # find wildcards and escalation on it.
        for number, statement in enumerate(document.statements):
            for target, attrs in _statement_targets(graph, template, statement, index):
                graph.add_edge(
                    policy_node,
                    target,
                    **_grant_attrs(policy_node, policy, number, statement),
                    **attrs,
                    unattached=True,
                )
        return
    for owner_node in owners:
        if owner_node not in graph:
            continue
        graph.graph.setdefault(_TEMPLATE_OF, {})[owner_node] = template.path
        graph.add_edge(
            owner_node,
            policy_node,
            kind=EdgeKind.ATTACHED_POLICY,
            policy=policy.id,
            **_location_attrs(policy.location),
        )
        if document is None:
            continue
        for number, statement in enumerate(document.statements):
            for target, attrs in _statement_targets(graph, template, statement, index):
                graph.add_edge(
                    owner_node,
                    target,
                    **_grant_attrs(policy_node, policy, number, statement),
                    **attrs,
                )


def _grant_attrs(policy_node: str, policy: Policy, index: int, statement: Statement) -> dict[str, Any]:
    location = statement.location or policy.location
    return {
        "kind": EdgeKind.GRANTS,
        "effect": str(statement.effect),
        "actions": statement.actions,
        "not_actions": statement.not_actions,
        "conditions": dict(statement.conditions),
        "policy": policy_node,
        "policy_id": policy.id,
        "managed_arn": policy.managed_arn,
        "implicit": policy.implicit,
        "statement_index": index,
        "sid": statement.sid,
        "statement": statement,
        **_location_attrs(location),
    }


def _statement_targets(
    graph: nx.MultiDiGraph, template: Template, statement: Statement, index: _TemplateIndex
) -> Iterable[tuple[str, dict[str, Any]]]:
    """The nodes a statement's resources point at, each with how it was matched."""
    if statement.not_resources is not None:
        # NotResource grants everything but the listed resources: as wide as `*`.
        yield (
            _arn_node(graph, "*", TargetClass.FULL_WILDCARD),
            {
                "target_class": TargetClass.FULL_WILDCARD.value,
                "pattern": "NotResource",
            },
        )
        return
    resources = statement.resources or (("*",) if statement.principals is not None else ())
    for pattern in resources:
        if isinstance(pattern, Symbolic):
            local = [r for r in pattern.references if r in template.resources]
            if local:
                for resource_id in local:
                    yield (
                        node_id(template, resource_id),
                        {"target_class": TargetClass.SPECIFIC.value, "pattern": pattern.text},
                    )
            else:
                node = f"unresolved::{pattern.text}"
                if node not in graph:
                    graph.add_node(
                        node, kind=NodeKind.UNRESOLVED, label=pattern.text, reason=pattern.reason, arns=()
                    )
                yield node, {"target_class": "unresolved", "pattern": pattern.text, "reason": pattern.reason}
            continue
        if is_full_wildcard(pattern):
            # `*` reaches every resource of the template of the services the actions
            # belong to: one edge to `arn::*` marked `every_resource`, which
            # `queries.grants_from` lists as one edge per such resource. An edge per
            # resource made N roles with `*` on `*` cost N^2 edges.
            yield (
                _arn_node(graph, pattern, TargetClass.FULL_WILDCARD),
                {"target_class": TargetClass.FULL_WILDCARD.value, "pattern": pattern, "every_resource": True},
            )
            continue
        target_class, matched = index.arns.classify(pattern)
        seen: set[str] = set()
        for arn in matched:
            resource_id = index.ids[arn]
            if resource_id not in seen:
                seen.add(resource_id)
                yield node_id(template, resource_id), {"target_class": target_class.value, "pattern": pattern}
        if not matched or (
            target_class is TargetClass.PARTIAL_WILDCARD and not _within(pattern, template, seen)
        ):
            yield (
                _arn_node(graph, pattern, target_class),
                {"target_class": target_class.value, "pattern": pattern},
            )


def every_resource_targets(
    graph: nx.MultiDiGraph,
    principal: str,
    data: Mapping[str, Any],
    services: Iterable[str] | None = None,
) -> tuple[str, ...]:
    """The resources an `every_resource` grant of `principal` reaches: each resource of
    the principal's template with an ARN of a service the statement's actions name
    (every one when the actions may be any service), sorted. With `services`, only
    the resources of those services (an index lookup, not a walk of the template)."""
    template = graph.graph.get(_TEMPLATE_OF, {}).get(principal)
    if template is None:
        return ()
    by_service: Mapping[str, tuple[str, ...]] = graph.graph[_ARNS_OF][template]
    granted = _action_services(data["statement"])
    wanted = set(by_service) if granted is None else granted & set(by_service)
    if services is not None:
        wanted &= set(services)
    if len(wanted) == 1:
        return by_service[next(iter(wanted))]
    return tuple(sorted({node for service in wanted for node in by_service[service]}))


def _action_services(statement: Statement) -> frozenset[str] | None:
    """The service prefixes a statement's actions name; None when it may be any service."""
    if statement.not_actions is not None:
        return None
    services: set[str] = set()
    for action in statement.actions:
        if not isinstance(action, str):
            return None
        service = action.partition(":")[0].lower()
        if "*" in service or "?" in service:
            return None
        services.add(service)
    return frozenset(services)


def _arn_service(arn: str) -> str:
    parts = arn.split(":", 3)
    return parts[2].lower() if len(parts) > 2 else ""


def _within(pattern: str, template: Template, resource_ids: Iterable[str]) -> bool:
    """Whether a wildcard pattern only names sub-resources of the matched resources
    (`table/Bookings/index/*`), so it reaches nothing outside the template."""
    for resource_id in resource_ids:
        arns = template.resources[resource_id].arns
        if arns and pattern.startswith((arns[0] + "/", arns[0] + ":")):
            return True
    return False


def _arn_node(graph: nx.MultiDiGraph, pattern: str, target_class: TargetClass) -> str:
    node = f"arn::{pattern}"
    if node not in graph:
        graph.add_node(
            node,
            kind=NodeKind.ARN,
            arn=pattern,
            label=pattern,
            target_class=target_class.value,
            arns=(pattern,),
        )
    return node


def _add_trust(
    graph: nx.MultiDiGraph,
    template: Template,
    role_node: str,
    policy: Policy,
    document: PolicyDocument,
    index: _TemplateIndex,
) -> None:
    for number, statement in enumerate(document.statements):
        if str(statement.effect) != "Allow" or not statement.principals:
            continue
        for principal_type, values in statement.principals.items():
            for value in values:
                node = _external_principal(graph, template, principal_type, value, index)
                graph.add_edge(
                    role_node,
                    node,
                    kind=EdgeKind.ASSUMABLE_BY,
                    actions=statement.actions,
                    conditions=dict(statement.conditions),
                    policy_id=policy.id,
                    statement_index=number,
                    statement=statement,
                    **_location_attrs(statement.location or policy.location),
                )


def _external_principal(
    graph: nx.MultiDiGraph,
    template: Template,
    principal_type: str,
    value: str | Symbolic,
    index: _TemplateIndex,
) -> str:
    if isinstance(value, Symbolic):
        local = [r for r in value.references if r in template.resources]
        if local:
            return node_id(template, local[0])
        text = value.text
    else:
        text = value
    if text in index.principals:
        return node_id(template, index.principals[text])
    node = _principal_node(principal_type, text)
    if node not in graph:
        graph.add_node(node, kind=NodeKind.PRINCIPAL, principal_type=principal_type, label=text, arns=())
    return node


_LAMBDA_PERMISSION = "AWS::Lambda::Permission"


def _outside_functions(
    graph: nx.MultiDiGraph, template: Template, policy: Policy, statement: Statement
) -> list[str]:
    """The functions a Lambda permission of the template names that the template does not
    declare (`FunctionName: legacy-export`, an ARN, a parameter): one node each, so the
    permission is judged like one on a function of the template."""
    resource = template.resources.get(policy.id)
    if resource is None or resource.aws_type != _LAMBDA_PERMISSION:
        return []
    scope = "the plan" if template.format is Format.TERRAFORM else "the template"
    nodes = []
    for value in statement.resources:
        text = _REF_TEXT.sub(r"${\1}", value.text if isinstance(value, Symbolic) else value)
        if not text:
            continue
        arn = (
            text
            if text.startswith("arn:")
            else f"arn:{template.partition}:lambda:{template.region}:{template.account}:function:{text}"
        )
        node = outside_principal_id(template, "function", text)
        if node not in graph:
            graph.add_node(
                node,
                kind=NodeKind.ARN,
                type=f"function outside {scope}",
                arn=arn,
                arns=(arn,),
                label=f"{text} (function outside {scope})",
                template=template.path,
                format=template.format.value,
                target_class="external",
                outside="function",
                outside_name=text,
                outside_of=scope,
            )
        nodes.append(node)
    return nodes


def _add_resource_policy(
    graph: nx.MultiDiGraph,
    template: Template,
    policy: Policy,
    document: PolicyDocument,
    index: _TemplateIndex,
) -> None:
    """A resource policy lets its principals act on the resource: `grants` from the principal."""
    policy_node = _policy_node(graph, template, policy)
    for number, statement in enumerate(document.statements):
        if not statement.principals:
            continue
        targets = [
            node_id(template, owner) for owner in policy.attached_to if node_id(template, owner) in graph
        ] or _outside_functions(graph, template, policy, statement)
        for principal_type, values in statement.principals.items():
            for value in values:
                principal = _external_principal(graph, template, principal_type, value, index)
                for target in targets:
                    graph.add_edge(
                        principal,
                        target,
                        via="resource-policy",
                        target_class=TargetClass.SPECIFIC.value,
                        pattern=None,
                        **_grant_attrs(policy_node, policy, number, statement),
                    )
