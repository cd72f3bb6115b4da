"""Questions the rules ask of the graph, each a short, named query.

Rules compose these instead of walking edges themselves, so the meaning of an
edge kind lives in one place.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from boundary.graph._build import INTERNET, EdgeKind, NodeKind, every_resource_targets, node_id
from boundary.iam import condition_entries, normalize_policy
from boundary.model import Model, Policy, Resource, Symbolic, Template

if TYPE_CHECKING:
    import networkx as nx

__all__ = [
    "PrivateApi",
    "api_endpoints",
    "api_of",
    "coupling_keys",
    "deploy_advice",
    "deploy_services",
    "edges_of_kind",
    "endpoints",
    "execution_roles",
    "executors",
    "glue",
    "grants_from",
    "internet_paths",
    "invokers",
    "judged_identities",
    "mock_only",
    "nodes_of_kind",
    "outside_note",
    "outside_owners",
    "policy_subject",
    "private_api",
    "reach",
    "referenced_by",
    "resource_of",
    "roles_of",
    "runs_as_note",
    "service_callers",
    "strings_in",
    "templates_by_path",
    "wiring_of",
]

Edge = tuple[str, str, dict[str, Any]]


def nodes_of_kind(graph: nx.MultiDiGraph, *kinds: str) -> Iterator[str]:
    """Nodes whose `kind` is one of `kinds`, in a stable order."""
    wanted = set(kinds)
    yield from sorted(node for node, kind in graph.nodes(data="kind") if kind in wanted)


def judged_identities(graph: nx.MultiDiGraph) -> Iterator[str]:
    """Roles, users and groups, and the written policies that nothing attaches: every
    holder of identity-policy statements whose grants the rules judge, in a stable order."""
    wanted = {NodeKind.ROLE, NodeKind.USER, NodeKind.GROUP}
    candidates = {
        node: kind for node, kind in graph.nodes(data="kind") if kind in wanted or kind == NodeKind.POLICY
    }
    for node in sorted(candidates):
        if candidates[node] in wanted or next(_out(graph, node, EdgeKind.GRANTS), None) is not None:
            yield node


def edges_of_kind(graph: nx.MultiDiGraph, kind: str) -> Iterator[Edge]:
    """`(source, target, attrs)` for every edge of `kind`, in a stable order."""
    found = [(u, v, data) for u, v, data in graph.edges(data=True) if data.get("kind") == kind]
    found.sort(
        key=lambda edge: (edge[0], edge[1], edge[2].get("statement_index", -1), str(edge[2].get("pattern")))
    )
    return iter(found)


def _out(graph: nx.MultiDiGraph, node: str, kind: str) -> Iterator[Edge]:
    # `graph.succ` in the order `out_edges` gives, without building a view per call: the
    # rules ask this of every principal of every file
    for target, keyed in graph.succ[node].items():
        for data in keyed.values():
            if data.get("kind") == kind:
                yield node, target, data


def _in(graph: nx.MultiDiGraph, node: str, kind: str) -> Iterator[Edge]:
    for source, keyed in graph.pred[node].items():
        for data in keyed.values():
            if data.get("kind") == kind:
                yield source, node, data


# The queries that read a node's in-edges, and so see every template with an edge into a
# node that templates share (an ARN outside them, an AWS managed policy), and the edges they
# read there: `executors` and `execution_roles` (executes-as), `invokers` (invokes),
# `outside_owners` (attached-policy, from principals outside the template). Every other
# in-edge read (`api_of`, `referenced_by`, a rule's) starts from a node of one template.
# tests/test_architecture.py keeps this list and the code that reads in-edges in step.
_READ_ACROSS = (EdgeKind.EXECUTES_AS, EdgeKind.INVOKES)


def coupling_keys(graph: nx.MultiDiGraph, template: Template) -> frozenset[str]:
    """What ties `template` to other templates in a scan's graph, read from a graph of
    `template` alone: the shared nodes (not the template's own, not the internet) that a
    query reads across templates and that the template has an edge into, and the other
    files its locations point into (two plans read with the same `.tf` sources report at
    the same lines). Templates with no key in common give, together, the findings each
    gives alone (`boundary.rules.evaluate_grouped`)."""
    own = f"{template.path}::"
    keys = {f"file::{path}" for path in template.sources if path != template.path}
    for source, target, data in graph.edges(data=True):
        if target.startswith(own) or target == INTERNET:
            continue
        kind = data.get("kind")
        if kind in _READ_ACROSS or (kind == EdgeKind.ATTACHED_POLICY and graph.nodes[source].get("outside")):
            keys.add(f"node::{target}")
    return frozenset(keys)


def roles_of(graph: nx.MultiDiGraph, compute: str) -> tuple[str, ...]:
    """The roles a compute resource executes as."""
    return tuple(sorted({target for _, target, _ in _out(graph, compute, EdgeKind.EXECUTES_AS)}))


def executors(graph: nx.MultiDiGraph, role: str) -> tuple[str, ...]:
    """Everything that executes as `role` (functions, state machines, data sources, rules)."""
    return tuple(sorted({source for source, _, _ in _in(graph, role, EdgeKind.EXECUTES_AS)}))


def execution_roles(graph: nx.MultiDiGraph) -> dict[str, tuple[str, ...]]:
    """Each role that some compute resource executes as, with those compute resources."""
    roles: dict[str, set[str]] = {}
    for source, target, _ in edges_of_kind(graph, EdgeKind.EXECUTES_AS):
        if graph.nodes[source].get("kind") == NodeKind.COMPUTE:
            roles.setdefault(target, set()).add(source)
    return {role: tuple(sorted(users)) for role, users in sorted(roles.items())}


def grants_from(
    graph: nx.MultiDiGraph, principal: str, *, include_groups: bool = True, every_resource: bool = True
) -> list[Edge]:
    """The grant edges of a principal: its own and, for a user, its groups'.

    A `*` grant is one edge to `arn::*` marked `every_resource`; it is listed
    again once per template resource it reaches, unless `every_resource` is
    False (then `permissions.statements_of` expands it lazily, by service).
    """
    expand = _with_every_resource if every_resource else _as_listed
    edges = expand(graph, principal, _out(graph, principal, EdgeKind.GRANTS))
    if include_groups:
        for _, group, _ in _out(graph, principal, EdgeKind.MEMBER_OF):
            edges.extend(expand(graph, group, _out(graph, group, EdgeKind.GRANTS)))
    edges.sort(key=lambda edge: (edge[1], edge[2].get("policy_id") or "", edge[2].get("statement_index", -1)))
    return edges


def _with_every_resource(graph: nx.MultiDiGraph, principal: str, edges: Iterable[Edge]) -> list[Edge]:
    """Grant edges with each `every_resource` grant (`*`) also listed once per resource
    of the template it reaches, sharing the grant's attributes (docs/graph.md)."""
    out: list[Edge] = []
    for edge in edges:
        out.append(edge)
        data = edge[2]
        if data.get("every_resource"):
            out.extend((principal, target, data) for target in every_resource_targets(graph, principal, data))
    return out


def _as_listed(graph: nx.MultiDiGraph, principal: str, edges: Iterable[Edge]) -> list[Edge]:
    return list(edges)


def reach(graph: nx.MultiDiGraph, principal: str) -> dict[str, list[dict[str, Any]]]:
    """Every node a principal's Allow statements reach, with the grants that reach it."""
    reached: dict[str, list[dict[str, Any]]] = {}
    for _, target, data in grants_from(graph, principal):
        if data.get("effect") == "Allow":
            reached.setdefault(target, []).append(data)
    return reached


# Services that deploy: a role they assume creates stacks, pipelines or builds, so it needs
# wide rights by design, and the fix is a cap, not a shorter list of actions.
DEPLOY_SERVICES = ("cloudformation.amazonaws.com", "codebuild.amazonaws.com", "codepipeline.amazonaws.com")


def deploy_services(graph: nx.MultiDiGraph, role: str) -> tuple[str, ...]:
    """The deploy services (CloudFormation, CodeBuild, CodePipeline) a role's trust policy
    lets assume it, sorted; () for a workload role."""
    found = set()
    for _, target, _ in _out(graph, role, EdgeKind.ASSUMABLE_BY):
        attrs = graph.nodes[target]
        label = str(attrs.get("label") or "")
        if attrs.get("principal_type") == "Service" and label.lower() in DEPLOY_SERVICES:
            found.add(label.lower())
    return tuple(sorted(found))


def deploy_advice(graph: nx.MultiDiGraph, role: str) -> str:
    """What to expect of a deploy role instead of workload advice; "" for other principals."""
    services = deploy_services(graph, role)
    if not services:
        return ""
    return (
        f"a deploy role (trusted by {' and '.join(services)}) needs wide rights by design: expected a "
        "permissions boundary that caps what it, and every role it creates, may do, and iam:PassRole "
        "only on the exact roles it hands over, with iam:PassedToService"
    )


def outside_note(graph: nx.MultiDiGraph, principal: str, policy: str | None = None) -> str:
    """How a message says that a principal is outside the template, and what of the
    template runs as it; "" for principals the template declares. With `policy` (its node),
    every outside principal that policy is attached to is named, so the note reads the same
    whichever of them a finding was found through."""
    data = graph.nodes[principal] if principal in graph else {}
    word = data.get("outside")
    if not word:
        return ""
    scope = data.get("outside_of") or "the template"
    owners = outside_owners(graph, principal, policy)
    names = " and ".join(
        f"{graph.nodes[o].get('outside')} {graph.nodes[o].get('outside_name')}" for o in owners
    )
    return f"attached to {names}, outside {scope}{runs_as_note(graph, *owners)}"


def outside_owners(graph: nx.MultiDiGraph, principal: str, policy: str | None = None) -> list[str]:
    """`principal` and the other principals outside the template that `policy` (its node)
    is attached to, sorted."""
    owners = {principal}
    if policy is not None and policy in graph:
        owners |= {
            source
            for source, _, edge in graph.in_edges(policy, data=True)
            if edge.get("kind") == EdgeKind.ATTACHED_POLICY and graph.nodes[source].get("outside")
        }
    return sorted(owners)


def runs_as_note(graph: nx.MultiDiGraph, *principals: str) -> str:
    """`; FareSync runs as it` for principals that compute resources execute as, else ""."""
    runners = sorted({r for principal in principals for r in executors(graph, principal)})
    if not runners:
        return ""
    names = ", ".join(str(graph.nodes[r].get("resource") or r) for r in runners)
    return f"; {names} {'runs' if len(runners) == 1 else 'run'} as it"


def invokers(graph: nx.MultiDiGraph, node: str) -> tuple[str, ...]:
    """What invokes `node`: event sources, endpoints, APIs, state machines, the internet."""
    return tuple(sorted({source for source, _, _ in _in(graph, node, EdgeKind.INVOKES)}))


def referenced_by(graph: nx.MultiDiGraph, compute: str) -> frozenset[str]:
    """What a compute resource knows about: resources named in its properties and
    environment, its event sources, and the resources of the endpoints that invoke it."""
    known = {target for _, target, _ in _out(graph, compute, EdgeKind.REFERENCES)}
    known.update(source for source, _, _ in _in(graph, compute, EdgeKind.INVOKES))
    known.update(target for _, target, _ in _out(graph, compute, EdgeKind.INVOKES))
    return frozenset(known)


def endpoints(graph: nx.MultiDiGraph) -> Iterator[str]:
    """Every endpoint node (methods, routes, operations, function URLs, GraphQL modes)."""
    for node in sorted(graph.nodes):
        if graph.nodes[node].get("endpoint"):
            yield node


def internet_paths(graph: nx.MultiDiGraph, *, cutoff: int = 8) -> list[list[str]]:
    """Paths from anyone on the internet through open endpoints and public permissions,
    into compute, its role, and the data that role may touch: for each open entry
    point and each data node it leads to, one shortest path."""
    import networkx as nx

    if INTERNET not in graph:
        return []
    follow = {EdgeKind.INVOKES, EdgeKind.EXECUTES_AS, EdgeKind.GRANTS}
    view = nx.DiGraph()
    view.add_nodes_from(graph.nodes)
    every: dict[str, list[dict[str, Any]]] = {}
    for u, v, data in graph.edges(data=True):
        if data.get("kind") in follow and data.get("effect", "Allow") == "Allow":
            view.add_edge(u, v)
            if data.get("every_resource"):
                every.setdefault(u, []).append(data)
    # `*` grants reach every resource of their template: add those edges for the
    # principals the internet reaches, until no more are reached.
    expanded: set[str] = set()
    while True:
        reached = nx.descendants(view, INTERNET) & (set(every) - expanded)
        if not reached:
            break
        for principal in reached:
            for data in every[principal]:
                view.add_edges_from(
                    (principal, target) for target in every_resource_targets(graph, principal, data)
                )
        expanded |= reached
    targets = {n for n, data in graph.nodes(data=True) if data.get("kind") in (NodeKind.DATA, NodeKind.ARN)}
    paths: list[list[str]] = []
    for entry in sorted(view.successors(INTERNET)):
        lengths = nx.single_source_shortest_path(view, entry, cutoff=cutoff - 1)
        for target in sorted(t for t in lengths if t in targets):
            paths.append([INTERNET, *lengths[target]])
    return paths


def policy_subject(graph: nx.MultiDiGraph, template: Template, policy: Policy) -> str:
    """The node a finding about `policy` belongs to: the policy resource when the
    template declares one (`AWS::IAM::Policy`, `aws_iam_role_policy`, a bucket
    policy), else the resource it is written inside (a role's inline or trust
    policy, an S3 bucket's `policy` attribute), else the policy's own node."""
    own = node_id(template, policy.id)
    if policy.id in template.resources:
        return own
    for owner in policy.attached_to:
        node = node_id(template, owner)
        if node in graph:
            return node
    if policy.managed_arn is not None and f"policy::{policy.managed_arn}" in graph:
        return f"policy::{policy.managed_arn}"
    return own


def resource_of(model: Model, graph: nx.MultiDiGraph, node: str) -> Resource | None:
    """The model resource behind a graph node (its properties), or None for other nodes."""
    data = graph.nodes[node] if node in graph else {}
    template_path, resource_id = data.get("template"), data.get("resource")
    for template in model.templates:
        if template.path == template_path:
            return template.resources.get(str(resource_id))
    return None


def api_endpoints(graph: nx.MultiDiGraph, api: str) -> tuple[str, ...]:
    """The endpoints (methods, routes, operations) an API routes to."""
    return tuple(
        sorted({t for _, t, _ in _out(graph, api, EdgeKind.ROUTES) if graph.nodes[t].get("endpoint")})
    )


def api_of(graph: nx.MultiDiGraph, endpoint: str) -> str | None:
    """The API an endpoint belongs to, if the template declares it."""
    for source, _, _ in sorted(_in(graph, endpoint, EdgeKind.ROUTES), key=lambda edge: edge[0]):
        if graph.nodes[source].get("kind") == NodeKind.API:
            return source
    return None


@dataclass(frozen=True, slots=True)
class PrivateApi:
    """A PRIVATE REST API: reachable only through interface VPC endpoints, and only as
    far as its resource policy lets in.

    `policy` says where that policy is written (`the Policy of OrdersApi`), None when
    the template gives none; `vpc_keys` the `aws:SourceVpc`/`aws:SourceVpce` keys every
    way in is tied to (empty when some Allow is not), `vpc_values` their values.
    """

    api: str
    policy: str | None
    vpc_keys: tuple[str, ...] = ()
    vpc_values: tuple[str, ...] = ()

    @property
    def vpc_restricted(self) -> bool:
        return bool(self.vpc_keys)

    def describe(self) -> str:
        """`a PRIVATE API whose resource policy (the Policy of X) admits only aws:SourceVpce vpce-1`."""
        if not self.vpc_restricted:
            where = (
                f"; its resource policy, {self.policy}, does not tie callers to a VPC" if self.policy else ""
            )
            return f"a PRIVATE API (reachable through VPC endpoints only{where})"
        values = ", ".join(self.vpc_values) if self.vpc_values else "the values it names"
        return (
            f"a PRIVATE API whose resource policy ({self.policy}) admits only requests from "
            f"{' or '.join(self.vpc_keys)} {values}"
        )


_VPC_KEYS = {"aws:sourcevpc": "aws:SourceVpc", "aws:sourcevpce": "aws:SourceVpce"}


def private_api(model: Model, graph: nx.MultiDiGraph, api: str) -> PrivateApi | None:
    """The API as a `PrivateApi` when its endpoint type is PRIVATE, else None.

    The resource policy is read from the API itself (`Policy`, Terraform `policy`, the
    OpenAPI body's `x-amazon-apigateway-policy`, which SAM writes for `Auth.ResourcePolicy`)
    or from a Terraform `aws_api_gateway_rest_api_policy` naming it. It ties every caller
    to a VPC when each Allow statement tests `aws:SourceVpc`/`aws:SourceVpce` with a
    matching operator, or a Deny refuses requests whose key differs (`StringNotEquals`).
    """
    resource = resource_of(model, graph, api)
    if resource is None or not _is_private(resource.properties):
        return None
    documents: list[tuple[str, Any]] = []
    label = str(graph.nodes[api].get("label") or graph.nodes[api].get("resource") or api)
    props = resource.properties
    for key in ("Policy", "policy"):
        value = props.get(key)
        if (isinstance(value, str) and value.strip()) or isinstance(value, Mapping):
            documents.append((f"the {key} of {label}", value))
    body = props.get("Body")
    if isinstance(body, Mapping) and body.get("x-amazon-apigateway-policy") is not None:
        documents.append(
            (f"x-amazon-apigateway-policy in the body of {label}", body["x-amazon-apigateway-policy"])
        )
    template = next((t for t in model.templates if t.path == graph.nodes[api].get("template")), None)
    if template is not None:
        for other in template.resources.values():
            value = other.properties.get("policy")
            if other.type == "aws_api_gateway_rest_api_policy" and resource.id in other.references:
                if isinstance(value, (str, Mapping)):
                    documents.append((other.id, value))
    if not documents:
        return PrivateApi(api, None)
    where, raw = documents[0]
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            return PrivateApi(api, where)
    keys, values = _vpc_restriction(raw)
    return PrivateApi(api, where, keys, values)


def _vpc_restriction(raw: Any) -> tuple[tuple[str, ...], tuple[str, ...]]:
    document = normalize_policy(raw)
    allows_tied: list[bool] = []
    keys: set[str] = set()
    values: list[str] = []
    denied = False
    for statement in document.statements:
        for operator, key, found in condition_entries(statement.conditions):
            name = _VPC_KEYS.get(key.lower())
            op = operator.lower()
            if name is None or op.endswith("ifexists"):
                continue
            negated = "not" in op.split(":")[-1]
            if (statement.effect == "Deny") == negated:
                keys.add(name)
                values.extend(str(v) for v in found if str(v) not in values)
                if statement.effect == "Deny":
                    denied = True
        if statement.effect == "Allow":
            tied = any(
                _VPC_KEYS.get(key.lower())
                and "not" not in operator.lower().split(":")[-1]
                and not operator.lower().endswith("ifexists")
                for operator, key, _ in condition_entries(statement.conditions)
            )
            allows_tied.append(tied)
    if denied or (allows_tied and all(allows_tied)):
        return tuple(sorted(keys)), tuple(values)
    return (), ()


def _is_private(props: Mapping[str, Any]) -> bool:
    """Whether a REST API's endpoint type is PRIVATE (CloudFormation, SAM, OpenAPI, Terraform)."""
    types: list[Any] = []
    config = props.get("EndpointConfiguration")
    if isinstance(config, Mapping):
        found = config.get("Types", config.get("Type"))
        types.extend(found if isinstance(found, list) else [found])
    blocks = props.get("endpoint_configuration")
    for block in [blocks] if isinstance(blocks, Mapping) else blocks if isinstance(blocks, list) else []:
        if isinstance(block, Mapping):
            found = block.get("types")
            types.extend(found if isinstance(found, list) else [found])
    parameters = props.get("Parameters")
    if isinstance(parameters, Mapping):
        types.append(parameters.get("endpointConfigurationTypes"))
    body = props.get("Body")
    if isinstance(body, Mapping):
        extension = body.get("x-amazon-apigateway-endpoint-configuration")
        if isinstance(extension, Mapping) and extension.get("vpcEndpointIds"):
            types.append("PRIVATE")
    return any(isinstance(t, str) and t.upper() == "PRIVATE" for t in types)


def mock_only(model: Model, graph: nx.MultiDiGraph, endpoint: str) -> bool:
    """Whether an endpoint answers from a MOCK integration: nothing behind it is called.

    Read from the REST method's `Integration.Type` (Terraform: the
    `aws_api_gateway_integration` naming the method) or the WebSocket/HTTP route's target
    integration's `IntegrationType`; an endpoint that invokes something is never mock-only.
    """
    if any(True for _ in _out(graph, endpoint, EdgeKind.INVOKES)):
        return False
    resource = resource_of(model, graph, endpoint)
    if resource is None:
        return False
    template = next((t for t in model.templates if t.path == graph.nodes[endpoint].get("template")), None)
    integration = resource.properties.get("Integration")
    types: list[Any] = []
    if isinstance(integration, Mapping):
        types.append(integration.get("Type"))
    if template is not None:
        for other in template.resources.values():
            if other.id == resource.id:
                continue
            if other.type == "aws_api_gateway_integration" and resource.id in other.references:
                types.append(other.properties.get("type"))
            if other.type in ("AWS::ApiGatewayV2::Integration", "aws_apigatewayv2_integration") and (
                other.id in resource.references
            ):
                types.append(
                    other.properties.get("IntegrationType", other.properties.get("integration_type"))
                )
    return bool(types) and all(isinstance(t, str) and t.upper() == "MOCK" for t in types)


_API_GATEWAY_TYPES = {"AWS::ApiGateway::RestApi", "AWS::ApiGatewayV2::Api"}
_API_INVOKE_TASK = re.compile(r"arn:[^\s\"']*:states:::apigateway:invoke")
# The WebSocket connection-management API (`POST /@connections/{id}`, execute-api:ManageConnections):
# always IAM-authorized, and none of the API's routes.
_CONNECTIONS_PATH = "@connections"


def _api_invoke_paths(value: Any, found: list[str], depth: int = 0) -> None:
    """The `Path` (or `Path.$`) of every `apigateway:invoke` task in a state machine's
    properties (`Definition`, or a `DefinitionString` that parses as JSON); "" where a
    task names no path."""
    if depth > 40:
        return
    if isinstance(value, Mapping):
        resource = value.get("Resource")
        parameters = value.get("Parameters") or value.get("Arguments")
        if (
            isinstance(resource, str)
            and _API_INVOKE_TASK.search(resource)
            and isinstance(parameters, Mapping)
        ):
            path = parameters.get("Path", parameters.get("Path.$", ""))
            found.append(str(path))
            return
        for item in value.values():
            _api_invoke_paths(item, found, depth + 1)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _api_invoke_paths(item, found, depth + 1)
    elif isinstance(value, (str, Symbolic)):
        text = str(value).strip()
        if text.startswith("{") and "apigateway:invoke" in text:
            try:
                _api_invoke_paths(json.loads(text), found, depth + 1)
            except ValueError:
                return


def _calls_routes(resource: Resource) -> bool:
    """Whether a state machine calls an API's routes: it has an `apigateway:invoke` task
    that is not a call to the connection-management API (`/@connections/{id}`)."""
    paths: list[str] = []
    _api_invoke_paths(resource.properties, paths)
    if paths:
        return any(_CONNECTIONS_PATH not in path for path in paths)
    # A definition not read as tasks (a DefinitionString joined from pieces): any mention.
    return any(_API_INVOKE_TASK.search(text) for text in strings_in(resource.properties, symbolic=True))


def service_callers(graph: nx.MultiDiGraph, model: Model) -> dict[str, tuple[str, ...]]:
    """Each API Gateway API that another component of the stack calls, with those callers.

    A caller is what `invokes` the API itself (an AppSync HTTP data source, an
    EventBridge rule or schedule target), or a state machine that names the API
    and has an `apigateway:invoke` task other than a post to the WebSocket
    connection-management API (`/@connections/{id}`, which is IAM-authorized and
    none of the API's routes). Endpoints and `principal::*` (clients on the
    internet) are not callers.
    """
    found: dict[str, set[str]] = {}
    for source, target, data in graph.edges(data=True):
        kind = data.get("kind")
        if (
            kind not in (EdgeKind.INVOKES, EdgeKind.REFERENCES)
            or graph.nodes[target].get("aws_type") not in _API_GATEWAY_TYPES
        ):
            continue
        attrs = graph.nodes[source]
        if attrs.get("endpoint") or attrs.get("kind") in (
            NodeKind.PRINCIPAL,
            NodeKind.API,
            NodeKind.ENDPOINT,
        ):
            continue
        if attrs.get("aws_type") == "AWS::StepFunctions::StateMachine":
            resource = resource_of(model, graph, source)
            if resource is None or not _calls_routes(resource):
                continue
        elif kind != EdgeKind.INVOKES:
            continue
        found.setdefault(target, set()).add(source)
    return {api: tuple(sorted(callers)) for api, callers in sorted(found.items())}


_SCALARS = frozenset({type(None), bool, int, float})


def strings_in(value: Any, *, symbolic: bool = False) -> Iterator[str]:
    """Every string in a property value (mappings' values, lists' items, at any depth), in
    no particular order; with `symbolic`, the text of symbolic values too (a state
    machine's definition is a mapping, a JSON string or a `Fn::Sub` of one)."""
    stack = [value]
    while stack:
        item = stack.pop()
        kind = type(item)  # the loaders' own types first: no abstract-class check for them
        if kind is str:
            yield item
        elif kind is dict or kind is list or kind is tuple:
            stack.extend(item.values() if kind is dict else item)
        elif kind in _SCALARS:
            continue
        elif isinstance(item, str):
            yield item
        elif isinstance(item, Symbolic):
            if symbolic:
                yield item.text
        elif isinstance(item, Mapping):
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)


def templates_by_path(model: Model) -> dict[str, Template]:
    """The model's templates by path (rules that ask per function keep it in their
    per-scan `RuleContext.memo`)."""
    return {template.path: template for template in model.templates}


def wiring_of(
    graph: nx.MultiDiGraph,
    model: Model,
    compute: str,
    templates: Mapping[str, Template] | None = None,
    glue_of: Callable[[Template], Mapping[str, Sequence[str]]] | None = None,
) -> frozenset[str]:
    """The template resources that run or serve a compute resource rather than being
    what its code works on: what invokes it (a queue, stream or topic it is
    subscribed to), its dead-letter target, and whatever the template's glue
    resources that name it (event source mappings, asynchronous invoke
    configurations with their destinations, permissions, subscriptions) point at,
    and what invokes its aliases and versions.

    Lambda uses the function's own role to poll its event sources and to deliver
    to its on-failure destinations, so those grants belong to running the function.
    """
    wired = set(invokers(graph, compute))
    for _, target, data in _out(graph, compute, EdgeKind.REFERENCES):
        if "dead" in str(data.get("property") or data.get("attribute") or "").lower():
            wired.add(target)
    data = graph.nodes[compute] if compute in graph else {}
    template_path, local = data.get("template"), data.get("resource")
    by_path = templates if templates is not None else templates_by_path(model)
    template = by_path.get(str(template_path))
    if template is not None and isinstance(local, str):
        naming = glue(template) if glue_of is None else glue_of(template)
        for resource_id in naming.get(local, ()):
            resource = template.resources[resource_id]
            wired.update(node_id(template, ref) for ref in resource.references if ref != local)
            # An alias or version of the function is invoked in its place.
            wired.update(invokers(graph, node_id(template, resource.id)))
    wired.discard(compute)
    return frozenset(node for node in wired if node in graph)


_GLUE_KINDS = ("event-source", "other", "permission")


def glue(template: Template) -> dict[str, tuple[str, ...]]:
    """For each resource id, the template's glue resources (event source mappings,
    asynchronous invoke configurations, permissions, subscriptions) that reference it,
    in template order: `wiring_of` looks them up instead of walking the template
    once per function (pass `glue_of` to build this once per template)."""
    naming: dict[str, list[str]] = {}
    for resource in template.resources.values():
        if resource.kind.value in _GLUE_KINDS:
            for ref in dict.fromkeys(resource.references):
                naming.setdefault(ref, []).append(resource.id)
    return {ref: tuple(ids) for ref, ids in naming.items()}
