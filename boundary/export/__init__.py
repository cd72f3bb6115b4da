"""The graph, exported: DOT, GraphML, Mermaid, JSON, and an interactive HTML view.

Every format starts from the plain projection (`projection.project`): string ids,
scalar attributes, a stable schema (docs/graph.md), findings on the nodes they
concern, filtered by `ExportOptions`. `export_graph` is the one entry point;
`boundary graph` calls it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from boundary.export import dot, graphml, html, mermaid
from boundary.export import json as json_format
from boundary.export.projection import GROUPS, SCHEMA, ExportOptions, project

if TYPE_CHECKING:
    import networkx as nx

__all__ = [
    "EXTENSIONS",
    "FORMATS",
    "GROUPS",
    "SCHEMA",
    "ExportFormat",
    "ExportOptions",
    "export_graph",
    "project",
]

ExportFormat = Literal["dot", "graphml", "mermaid", "json", "html"]
FORMATS: tuple[ExportFormat, ...] = ("dot", "graphml", "mermaid", "json", "html")
EXTENSIONS = {"dot": "dot", "graphml": "graphml", "mermaid": "mmd", "json": "json", "html": "html"}


def export_graph(
    graph: nx.MultiDiGraph,
    format: ExportFormat = "json",
    options: ExportOptions | None = None,
    *,
    title: str = "boundary",
) -> str:
    """The graph in `format`, as text.

    >>> import boundary
    >>> result = boundary.analyze(["samples/sam/insecure/template.yaml"])
    >>> graph = boundary.build_graph(boundary.load(["samples/sam/insecure/template.yaml"]))
    >>> page = boundary.export_graph(graph, "html", boundary.ExportOptions(findings=result.findings))

    Raises `ValueError` for an unknown format or group, and
    `boundary.graph.paths.NodeNotFound` when `options.focus` names no single node.
    """
    if format not in FORMATS:
        raise ValueError(f"unknown graph format {format!r}; choose from {', '.join(FORMATS)}")
    plain = project(graph, options)
    if format == "dot":
        return dot.render(plain, title)
    if format == "graphml":
        return graphml.render(plain)
    if format == "mermaid":
        return mermaid.render(plain)
    if format == "html":
        return html.render(plain, title)
    return json_format.render(plain)
