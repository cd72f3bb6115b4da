"""JSON: the plain projection as `{"schema", "nodes": [...], "edges": [...]}`, sorted, stable."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["document", "render"]


def document(plain: nx.MultiDiGraph) -> dict[str, Any]:
    """The projection as one JSON-ready value (the HTML view embeds it too)."""
    return {
        "schema": plain.graph.get("schema"),
        "nodes": [{"id": node, **data} for node, data in plain.nodes(data=True)],
        "edges": [
            {"id": key, "source": u, "target": v, **data}
            for u, v, key, data in plain.edges(keys=True, data=True)
        ],
    }


def render(plain: nx.MultiDiGraph) -> str:
    return json.dumps(document(plain), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
