"""Attack paths: who can reach what, through which endpoints, functions, roles and grants.

The questions a developer asks before deploy, answered on the graph:

- `paths_from(graph)`: from anyone on the internet (or any node), through open
  endpoints, the functions they invoke, the roles those run as and what the
  roles are granted, to every data resource (or one target);
- `blast_radius(graph, function)`: everything a function's roles can reach,
  with the actions;
- `who_can_reach(graph, resource)`: every node with a path to a resource.

A path follows `invokes`, `executes-as` and Allow `grants` edges. A grant on a
data resource counts only when some action it allows fits the resource's type
(a DynamoDB statement on `*` reaches tables, not topics), as `data_access`
decides; a grant on compute (`lambda:InvokeFunction`) lets the path go on.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from boundary.graph import permissions, queries
from boundary.graph._build import INTERNET, EdgeKind, NodeKind, every_resource_targets
from boundary.iam import catalog, condition_entries

if TYPE_CHECKING:
    import networkx as nx

__all__ = [
    "AccessPath",
    "SCOPING_CONDITION_KEYS",
    "NodeNotFound",
    "Step",
    "blast_radius",
    "compact_actions",
    "find_node",
    "open_to_anyone",
    "paths_from",
    "who_can_reach",
]

# Condition keys that tie a grant to one source, account, organization, network or
# address range: a grant to `*` with one of them is not a grant to anyone on the
# internet. The S3 access point keys delegate a bucket's access control to the access
# points of one account (or one access point), whose own policies decide.
SCOPING_CONDITION_KEYS = frozenset(
    {
        "aws:sourcearn",
        "aws:sourceaccount",
        "aws:sourceowner",
        "aws:sourceorgid",
        "aws:sourceorgpaths",
        "aws:principalorgid",
        "aws:principalorgpaths",
        "aws:principalaccount",
        "aws:principalarn",
        "aws:principalservicename",
        "aws:userid",
        "aws:sourcevpc",
        "aws:sourcevpce",
        "aws:sourceip",
        "lambda:eventsourcetoken",
        "s3:dataaccesspointaccount",
        "s3:dataaccesspointarn",
    }
)
_ALL_LEVELS = frozenset({"List", "Read", "Write", "Permissions management", "Tagging"})
_FOLLOW = (EdgeKind.INVOKES, EdgeKind.EXECUTES_AS, EdgeKind.GRANTS)


class NodeNotFound(LookupError):
    """A name given for a node matches none, or several (`candidates`)."""

    def __init__(self, name: str, candidates: Sequence[str] = ()) -> None:
        self.name = name
        self.candidates = tuple(candidates)
        if candidates:
            shown = ", ".join(self.candidates[:8]) + (", ..." if len(self.candidates) > 8 else "")
            message = f"{name!r} names {len(self.candidates)} nodes: {shown}; give the full node id"
        else:
            message = f"no resource named {name!r} in the graph"
        super().__init__(message)


@dataclass(frozen=True, slots=True)
class Step:
    """One edge of a path: its kind and, for a grant, the actions it allows on the target."""

    source: str
    target: str
    kind: str
    actions: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class AccessPath:
    """A path through the graph, from `nodes[0]` to `nodes[-1]`.

    `actions` are what the last grant allows on the target (empty when the path
    does not end in a grant) and `access` their IAM access levels (`Read`,
    `Write`, `Permissions management`...)."""

    nodes: tuple[str, ...]
    steps: tuple[Step, ...]
    actions: tuple[str, ...] = ()
    access: tuple[str, ...] = ()

    @property
    def source(self) -> str:
        return self.nodes[0]

    @property
    def target(self) -> str:
        return self.nodes[-1]

    @property
    def writes(self) -> bool:
        """Whether the path ends in write or delete access (IAM access level `Write`)."""
        return "Write" in self.access


def find_node(graph: nx.MultiDiGraph, name: str) -> str:
    """The node `name` stands for: a node id, `internet`, or a logical id, Terraform
    address, resource name or label that names exactly one node."""
    if name in graph:
        return name
    if name.lower() in ("internet", "anyone", "*"):
        if INTERNET in graph:
            return INTERNET
        raise NodeNotFound(name)
    matches: list[str] = sorted(
        str(node)
        for node, data in graph.nodes(data=True)
        if name in (data.get("resource"), data.get("address"), data.get("label"), data.get("name"))
        or str(node).endswith(f"::{name}")
    )
    if len(matches) > 1:
        # A SAM function and its generated resources share the logical id of what the user wrote.
        own = [
            m for m in matches if graph.nodes[m].get("resource") == name and not graph.nodes[m].get("origin")
        ]
        if len(own) == 1:
            return own[0]
    if len(matches) != 1:
        raise NodeNotFound(name, matches)
    return matches[0]


class _Reach:
    """The traversal view of the graph: which hops a path may take, with their actions."""

    def __init__(
        self,
        graph: nx.MultiDiGraph,
        statements: Callable[[str], Sequence[permissions.StatementView]] | None = None,
    ) -> None:
        self._statements = statements
        self.graph = graph
        self._access: dict[str, dict[str, permissions.DataAccess]] = {}
        self.next: dict[str, dict[str, tuple[str, tuple[str, ...]]]] = {}
        # A grant on `*` (`every_resource`) reaches each resource of its template; those
        # hops are added when a traversal first leaves the principal, not for every one.
        self._every: dict[str, list[dict[str, Any]]] = {}
        # The hops of a node are worked out (its data access included) when a traversal
        # first leaves it: a walk from the internet looks at the principals it reaches,
        # not at every role of a large template.
        self._pending: dict[str, list[tuple[str, str, dict[str, Any]]]] = {}
        for source, target, data in graph.edges(data=True):
            kind = data.get("kind")
            if kind not in _FOLLOW or data.get("effect", "Allow") != "Allow":
                continue
            if data.get("every_resource"):
                self._every.setdefault(source, []).append(data)
            self._pending.setdefault(source, []).append((target, str(kind), data))
        self._previous: dict[str, set[str]] | None = None

    def _add(self, source: str, target: str, kind: str, data: dict[str, Any]) -> None:
        hop = self._hop(source, target, kind, data)
        if hop is not None:
            self.next.setdefault(source, {}).setdefault(target, hop)

    def _expand(self, node: str) -> None:
        for target, kind, data in self._pending.pop(node, ()):
            self._add(node, target, kind, data)
        for data in self._every.pop(node, ()):
            for target in every_resource_targets(self.graph, node, data):
                self._add(node, target, EdgeKind.GRANTS, data)

    @property
    def previous(self) -> dict[str, set[str]]:
        """Each node's predecessors, every `*` grant expanded."""
        if self._previous is None:
            for node in [*self._pending, *self._every]:
                self._expand(node)
            self._previous = {}
            for source, targets in self.next.items():
                for target in targets:
                    self._previous.setdefault(target, set()).add(source)
        return self._previous

    def _hop(
        self, source: str, target: str, kind: str, data: dict[str, Any]
    ) -> tuple[str, tuple[str, ...]] | None:
        if kind == EdgeKind.INVOKES and source == INTERNET and not self._websocket_open(target):
            return None
        if kind != EdgeKind.GRANTS:
            return kind, ()
        if data.get("via") == "resource-policy" and source != INTERNET:
            return None  # a resource policy naming a service or account: not a hop we can follow
        if source == INTERNET and not open_to_anyone(data.get("conditions") or {}):
            return None
        attrs = self.graph.nodes[target]
        if attrs.get("kind") == NodeKind.DATA:
            found = self.data_access(source).get(target)
            return (kind, found.actions) if found is not None else None
        if attrs.get("kind") == NodeKind.COMPUTE:
            actions = tuple(str(a) for a in data.get("actions") or ())
            if any(
                a.lower().startswith(("lambda:invoke", "states:start", "lambda:*")) or a == "*"
                for a in actions
            ):
                return kind, actions
            return None
        return kind, tuple(str(a) for a in data.get("actions") or ())

    def _websocket_open(self, endpoint: str) -> bool:
        """API Gateway authorizes a WebSocket API on `$connect` only: its other routes are
        open to the internet only when `$connect` is (or the API has none)."""
        attrs = self.graph.nodes[endpoint]
        if attrs.get("protocol") != "websocket" or attrs.get("path") == "$connect":
            return True
        api = queries.api_of(self.graph, endpoint)
        routes = queries.api_endpoints(self.graph, api) if api is not None else ()
        connect = [r for r in routes if self.graph.nodes[r].get("path") == "$connect"]
        return all(self.graph.nodes[r].get("authorization") == "NONE" for r in connect)

    def data_access(self, principal: str) -> dict[str, permissions.DataAccess]:
        found = self._access.get(principal)
        if found is None:
            views = self._statements(principal) if self._statements is not None else None
            found = permissions.data_access(self.graph, principal, levels=_ALL_LEVELS, views=views)
            self._access[principal] = found
        return found

    def successors(self, node: str) -> list[str]:
        self._expand(node)
        return sorted(self.next.get(node, {}))

    def path(self, nodes: Sequence[str]) -> AccessPath:
        steps = tuple(Step(u, v, *self.next[u][v]) for u, v in zip(nodes, nodes[1:], strict=False))
        actions = steps[-1].actions if steps and steps[-1].kind == EdgeKind.GRANTS else ()
        levels = {catalog().access_level(a) for a in actions}
        return AccessPath(tuple(nodes), steps, actions, tuple(sorted(level for level in levels if level)))


def open_to_anyone(conditions: Mapping[str, Mapping[str, Any]]) -> bool:
    """Whether a grant to `*` stays open with these conditions: none ties it to a source,
    account or organization, and a function URL's permission is for AuthType NONE."""
    for _, key, values in condition_entries(conditions):
        name = key.lower()
        if name in SCOPING_CONDITION_KEYS:
            return False
        if name == "lambda:functionurlauthtype" and "NONE" not in {str(v).upper() for v in values}:
            return False
    return True


def _shortest(reach: _Reach, source: str, cutoff: int) -> dict[str, list[str]]:
    """Breadth-first, in sorted order, so the path chosen among equals is stable."""
    found = {source: [source]}
    queue = deque([source])
    while queue:
        node = queue.popleft()
        if len(found[node]) > cutoff:
            continue
        for following in reach.successors(node):
            if following not in found:
                found[following] = [*found[node], following]
                queue.append(following)
    return found


def paths_from(
    graph: nx.MultiDiGraph,
    source: str = INTERNET,
    *,
    to: str | None = None,
    cutoff: int = 10,
    statements: Callable[[str], Sequence[permissions.StatementView]] | None = None,
) -> list[AccessPath]:
    """Paths from `source` (anyone on the internet by default) to `to`, or to every data
    resource it reaches. From the internet, one shortest path per open entry point
    (endpoint or public permission) and target; from any other node, one per target.
    `statements` gives a principal's `permissions.statements_of` when the caller keeps
    them (a rule's `RuleContext.statements_of`)."""
    if source not in graph:
        return []
    reach = _Reach(graph, statements)
    entries = reach.successors(source) if source == INTERNET else [source]
    found: list[AccessPath] = []
    for entry in entries:
        lengths = _shortest(reach, entry, cutoff)
        for target in sorted(lengths):
            if target == entry and source != INTERNET:
                continue
            wanted = target == to if to is not None else graph.nodes[target].get("kind") == NodeKind.DATA
            if wanted:
                nodes = [source, *lengths[target]] if source == INTERNET else lengths[target]
                found.append(reach.path(nodes))
    return found


def blast_radius(graph: nx.MultiDiGraph, function: str) -> list[AccessPath]:
    """Everything `function`'s roles are granted: one path (function, role, target) per
    target, with the actions (for data resources, those that fit the resource's type)."""
    reach = _Reach(graph)
    found: list[AccessPath] = []
    for role in queries.roles_of(graph, function):
        access = reach.data_access(role)
        for target, grants in sorted(queries.reach(graph, role).items()):
            if target in access:
                actions = access[target].actions
            else:
                actions = tuple(sorted({str(a) for grant in grants for a in grant.get("actions") or ()}))
            levels = {catalog().access_level(a) for a in actions}
            found.append(
                AccessPath(
                    (function, role, target),
                    (
                        Step(function, role, EdgeKind.EXECUTES_AS),
                        Step(role, target, EdgeKind.GRANTS, actions),
                    ),
                    actions,
                    tuple(sorted(level for level in levels if level)),
                )
            )
    return found


def who_can_reach(graph: nx.MultiDiGraph, resource: str, *, cutoff: int = 10) -> list[AccessPath]:
    """Every node with a path to `resource`, each with its shortest path, nearest first."""
    if resource not in graph:
        return []
    reach = _Reach(graph)
    distance = {resource: [resource]}
    queue = deque([resource])
    while queue:
        node = queue.popleft()
        if len(distance[node]) > cutoff:
            continue
        for before in sorted(reach.previous.get(node, ())):
            if before not in distance:
                distance[before] = [before, *distance[node]]
                queue.append(before)
    del distance[resource]
    ordered = sorted(distance.items(), key=lambda item: (len(item[1]), item[0]))
    return [reach.path(nodes) for _, nodes in ordered]


def compact_actions(actions: Iterable[str], *, limit: int = 6) -> str:
    """`dynamodb:{GetItem,PutItem}`: actions grouped by service, each group cut at `limit`
    names (`+12 more`); `*` and `service:*` stay as written."""
    by_service: dict[str, list[str]] = {}
    for action in actions:
        service, colon, name = str(action).partition(":")
        if not colon:
            by_service.setdefault(str(action), [])
            continue
        names = by_service.setdefault(service, [])
        if name not in names:
            names.append(name)
    parts = []
    for service, names in sorted(by_service.items()):
        if not names:
            parts.append(service)
            continue
        names = sorted(names)
        if "*" in names:
            parts.append(f"{service}:*")
            continue
        shown = names[:limit] + ([f"+{len(names) - limit} more"] if len(names) > limit else [])
        parts.append(f"{service}:{shown[0]}" if len(shown) == 1 else f"{service}:{{{','.join(shown)}}}")
    return " ".join(parts)
