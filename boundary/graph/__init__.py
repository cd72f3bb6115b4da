"""Model to graph, and the queries rules ask of it. Schema: docs/graph.md."""

from __future__ import annotations

from boundary.graph import queries
from boundary.graph._build import INTERNET, EdgeKind, NodeKind, build_graph, location_of, node_id

__all__ = ["INTERNET", "EdgeKind", "NodeKind", "build_graph", "location_of", "node_id", "queries"]
