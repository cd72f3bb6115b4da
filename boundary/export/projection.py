"""The plain projection of the graph that every exporter starts from.

`build_graph` nodes and edges carry Python values (tuples of ARNs, `Statement`
objects, mappings of conditions); GraphML, JSON, DOT and the HTML view need
string ids and scalar attributes. `project` gives a new `networkx.MultiDiGraph`
holding only those, with a stable schema (docs/graph.md, "Export"):

- every node has `kind`, `label`, `group` (what exporters style it as) and
  `finding_count`; every edge has `kind`, `label` and a string key `e0`, `e1`...;
- optional attributes are left out rather than set to None, and one attribute
  always has one type, so the projection round-trips through GraphML;
- lists become strings (ARNs and actions space-separated), statements and
  findings JSON text.

Filters (`focus`/`depth`, `only_findings`, `hide`) keep a large template readable.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from boundary.graph import INTERNET, EdgeKind, NodeKind
from boundary.graph.paths import compact_actions, find_node
from boundary.model import Statement, Symbolic
from boundary.rules import Finding

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["GROUPS", "SCHEMA", "ExportOptions", "project", "statement_json"]

SCHEMA = "boundary-graph/1"

# What exporters style a node as, from its kind; `internet` is `principal::*`.
GROUPS = (
    "internet",
    "endpoint",
    "api",
    "function",
    "role",
    "policy",
    "data",
    "principal",
    "external",
    "other",
)
_SPECIAL_LABELS = {INTERNET: "the internet", "arn::*": "any resource (*)"}
_GROUP_OF_KIND = {
    NodeKind.ENDPOINT: "endpoint",
    NodeKind.API: "api",
    NodeKind.COMPUTE: "function",
    NodeKind.ROLE: "role",
    NodeKind.USER: "role",
    NodeKind.GROUP: "role",
    NodeKind.POLICY: "policy",
    NodeKind.DATA: "data",
    NodeKind.PRINCIPAL: "principal",
    NodeKind.ARN: "external",
    NodeKind.UNRESOLVED: "external",
}

# node attribute -> its type in the projection (anything else is dropped)
NODE_ATTRIBUTES: dict[str, type] = {
    "kind": str,
    "label": str,
    "group": str,
    "type": str,
    "resource": str,
    "template": str,
    "format": str,
    "file": str,
    "line": int,
    "column": int,
    "address": str,
    "name": str,
    "origin": str,
    "arns": str,
    "arn": str,
    "protocol": str,
    "method": str,
    "path": str,
    "authorization": str,
    "api_key_required": bool,
    "authorizer": str,
    "api": str,
    "defined_by": str,
    "principal_type": str,
    "target_class": str,
    "managed_arn": str,
    "policy_kind": str,
    "known": bool,
    "reason": str,
    "finding_count": int,
    "severity": str,
    "rules": str,
    "findings": str,
}
EDGE_ATTRIBUTES: dict[str, type] = {
    "kind": str,
    "label": str,
    "effect": str,
    "actions": str,
    "not_actions": str,
    "policy": str,
    "policy_id": str,
    "managed_arn": str,
    "statement_index": int,
    "sid": str,
    "statement": str,
    "conditions": str,
    "target_class": str,
    "pattern": str,
    "reason": str,
    "via": str,
    "property": str,
    "attribute": str,
    "variable": str,
    "mapping": str,
    "subscription": str,
    "event_target": str,
    "notification": str,
    "permission": str,
    "integration": str,
    "method": str,
    "path": str,
    "file": str,
    "line": int,
    "column": int,
    "address": str,
}


@dataclass(frozen=True, slots=True)
class ExportOptions:
    """What to keep. `focus` is a node (id, logical id or address) with everything
    within `depth` steps of it, either direction; `only_findings` keeps the nodes
    findings concern and their neighbours within `depth`; `hide` drops groups."""

    findings: Sequence[Finding] = ()
    focus: str | None = None
    depth: int | None = None
    only_findings: bool = False
    hide: Collection[str] = field(default_factory=tuple)


def project(graph: nx.MultiDiGraph, options: ExportOptions | None = None) -> nx.MultiDiGraph:
    """The plain projection of `graph`, with findings on the nodes they concern, filtered."""
    import networkx as nx

    options = options or ExportOptions()
    unknown = sorted(set(options.hide) - set(GROUPS))
    if unknown:
        raise ValueError(f"unknown group(s) {', '.join(unknown)}; choose from {', '.join(GROUPS)}")
    by_node = _findings_by_node(graph, options.findings)
    keep = _kept(graph, options, by_node)
    plain = nx.MultiDiGraph(schema=SCHEMA)
    for node in sorted(keep):
        plain.add_node(str(node), **_node_attributes(node, graph.nodes[node], by_node.get(node, [])))
    edges = sorted(
        ((u, v, data) for u, v, data in graph.edges(data=True) if u in keep and v in keep),
        key=lambda e: (
            str(e[0]),
            str(e[1]),
            str(e[2].get("kind")),
            e[2].get("statement_index", -1),
            str(e[2].get("pattern")),
            str(e[2].get("policy_id")),
        ),
    )
    for index, (u, v, data) in enumerate(edges):
        plain.add_edge(str(u), str(v), key=f"e{index}", **_edge_attributes(data))
    return plain


def _kept(graph: nx.MultiDiGraph, options: ExportOptions, by_node: Mapping[str, list[Finding]]) -> set[str]:
    import networkx as nx

    keep: set[str] = set(graph.nodes)
    undirected = graph.to_undirected(as_view=True)
    if options.focus is not None:
        center = find_node(graph, options.focus)
        depth = 2 if options.depth is None else options.depth
        keep = set(nx.single_source_shortest_path_length(undirected, center, cutoff=depth))
    if options.only_findings:
        depth = 1 if options.depth is None else options.depth
        near: set[str] = set()
        for node in by_node:
            near.update(nx.single_source_shortest_path_length(undirected, node, cutoff=depth))
        keep &= near
    if options.hide:
        hidden = set(options.hide)
        keep = {n for n in keep if _group(n, graph.nodes[n]) not in hidden}
    return keep


def _group(node: str, data: Mapping[str, Any]) -> str:
    if node == INTERNET:
        return "internet"
    if data.get("endpoint"):
        return "endpoint"
    return _GROUP_OF_KIND.get(str(data.get("kind")), "other")


def _node_attributes(node: str, data: Mapping[str, Any], findings: Sequence[Finding]) -> dict[str, Any]:
    values = dict(data)
    values["group"] = _group(node, data)
    values["label"] = _SPECIAL_LABELS.get(node) or str(data.get("label") or node)
    if isinstance(data.get("arns"), (tuple, list, frozenset, set)):
        values["arns"] = " ".join(sorted(str(a) for a in data["arns"]))
    values["finding_count"] = len(findings)
    if findings:
        worst = max(findings, key=lambda f: f.severity.rank)
        values["severity"] = str(worst.severity)
        values["rules"] = " ".join(sorted({rule for f in findings for rule in f.rule_ids}))
        values["findings"] = json.dumps(
            [
                {"rule": f.rule_id, "name": f.rule_name, "severity": str(f.severity), "message": f.message}
                for f in findings
            ],
            sort_keys=True,
        )
    return _typed(values, NODE_ATTRIBUTES)


def _edge_attributes(data: Mapping[str, Any]) -> dict[str, Any]:
    values = dict(data)
    kind = str(data.get("kind"))
    for name in ("actions", "not_actions"):
        if data.get(name) is not None:
            values[name] = " ".join(str(a) for a in data[name])
    statement = data.get("statement")
    if isinstance(statement, Statement):
        values["statement"] = json.dumps(statement_json(statement), sort_keys=True)
    else:
        values.pop("statement", None)
    if data.get("conditions"):
        values["conditions"] = json.dumps(_jsonable(data["conditions"]), sort_keys=True)
    else:
        values.pop("conditions", None)
    values["label"] = _edge_label(kind, data)
    return _typed(values, EDGE_ATTRIBUTES)


def _edge_label(kind: str, data: Mapping[str, Any]) -> str:
    if kind in (EdgeKind.GRANTS, EdgeKind.ASSUMABLE_BY):
        actions = [str(a) for a in data.get("actions") or ()]
        summary = compact_actions(actions, limit=4) if actions else ""
        if data.get("not_actions"):
            summary = "NotAction " + compact_actions([str(a) for a in data["not_actions"]], limit=4)
        if data.get("effect") == "Deny":
            summary = "Deny " + summary
        return summary or kind
    return kind


def _typed(values: Mapping[str, Any], schema: Mapping[str, type]) -> dict[str, Any]:
    """Only the schema's attributes, each of its type; absent and None values left out."""
    out: dict[str, Any] = {}
    for name, kind in schema.items():
        value = values.get(name)
        if value is None or value == "":
            continue
        if kind is bool:
            out[name] = bool(value)
        elif kind is int:
            if isinstance(value, bool) or not isinstance(value, int):
                continue
            out[name] = value
        else:
            out[name] = str(value)
    return out


def statement_json(statement: Statement) -> dict[str, Any]:
    """A statement as IAM JSON (`Effect`, `Action`, `Resource`...), symbolic values as text."""
    out: dict[str, Any] = {}
    if statement.sid:
        out["Sid"] = statement.sid
    out["Effect"] = str(statement.effect)
    pairs: list[tuple[str, Any]] = [
        ("Principal", statement.principals),
        ("NotPrincipal", statement.not_principals),
        ("Action", statement.actions if statement.not_actions is None else None),
        ("NotAction", statement.not_actions),
        ("Resource", statement.resources if statement.not_resources is None else None),
        ("NotResource", statement.not_resources),
        ("Condition", statement.conditions or None),
    ]
    for key, value in pairs:
        if value is not None and value != ():
            out[key] = _jsonable(value)
    return out


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [_jsonable(v) for v in value]
        return items if not isinstance(value, (set, frozenset)) else sorted(items, key=str)
    if isinstance(value, Symbolic):
        return value.text
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def _findings_by_node(graph: nx.MultiDiGraph, findings: Iterable[Finding]) -> dict[str, list[Finding]]:
    """The node each finding concerns: `<template>::<resource>` when it exists, else the
    node of that template with that logical id or address, else one with that label."""
    index: dict[tuple[str, str], list[str]] = {}
    labels: dict[str, list[str]] = {}
    for node, data in graph.nodes(data=True):
        for name in (data.get("resource"), data.get("address")):
            if name:
                index.setdefault((str(data.get("template") or data.get("file")), str(name)), []).append(node)
        labels.setdefault(str(data.get("label") or node), []).append(node)
    found: dict[str, list[Finding]] = {}
    for finding in findings:
        if finding.suppressed:
            continue
        own = f"{finding.location.file}::{finding.resource}"
        if own in graph:
            nodes = [own]
        else:
            nodes = sorted(index.get((finding.location.file, finding.resource), ()))
            nodes = nodes or sorted(labels.get(finding.resource, ()))
            # SAM: the resource the user wrote, not what it generated
            written = [n for n in nodes if not graph.nodes[n].get("origin")]
            nodes = (written or nodes)[:1]
        for node in nodes:
            found.setdefault(node, []).append(finding)
    for node in found:
        found[node].sort(key=lambda f: (-f.severity.rank, f.rule_id, f.key))
    return found
