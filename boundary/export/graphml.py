"""GraphML: the plain projection, readable by `networkx.read_graphml`, Gephi, yEd and
Cytoscape desktop.

Written with the standard library's ElementTree rather than `networkx.write_graphml`:
networkx 2.6 (Checkov's pin) cannot write GraphML next to NumPy 2 (it touches
`numpy.float_`, which NumPy 2 removed). Every key is declared with the type the
projection's schema gives it, so types survive the round trip.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from xml.etree import ElementTree

from boundary.export.projection import EDGE_ATTRIBUTES, NODE_ATTRIBUTES

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["render"]

_NS = "http://graphml.graphdrawing.org/xmlns"
_TYPES = {str: "string", int: "int", bool: "boolean", float: "double"}


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def render(plain: nx.MultiDiGraph) -> str:
    root = ElementTree.Element("graphml", {"xmlns": _NS})
    ids: dict[tuple[str, str], str] = {}
    ElementTree.SubElement(
        root, "key", {"id": "g_schema", "for": "graph", "attr.name": "schema", "attr.type": "string"}
    )
    for scope, schema in (("node", NODE_ATTRIBUTES), ("edge", EDGE_ATTRIBUTES)):
        used = {name for *_, data in _items(plain, scope) for name in data}
        for name, kind in schema.items():
            if name in used:
                key = f"{scope[0]}_{name}"
                ids[(scope, name)] = key
                ElementTree.SubElement(
                    root, "key", {"id": key, "for": scope, "attr.name": name, "attr.type": _TYPES[kind]}
                )
    graph = ElementTree.SubElement(root, "graph", {"id": "boundary", "edgedefault": "directed"})
    if plain.graph.get("schema"):
        ElementTree.SubElement(graph, "data", {"key": "g_schema"}).text = str(plain.graph["schema"])
    for node, data in plain.nodes(data=True):
        element = ElementTree.SubElement(graph, "node", {"id": node})
        for name, value in data.items():
            ElementTree.SubElement(element, "data", {"key": ids[("node", name)]}).text = _text(value)
    for u, v, key, data in plain.edges(keys=True, data=True):
        element = ElementTree.SubElement(graph, "edge", {"id": str(key), "source": u, "target": v})
        for name, value in data.items():
            ElementTree.SubElement(element, "data", {"key": ids[("edge", name)]}).text = _text(value)
    ElementTree.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ElementTree.tostring(root, encoding="unicode") + "\n"


def _items(plain: nx.MultiDiGraph, scope: str) -> list[tuple[object, dict[str, object]]]:
    if scope == "node":
        return list(plain.nodes(data=True))
    return [(key, data) for _, _, key, data in plain.edges(keys=True, data=True)]
