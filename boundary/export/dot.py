"""Graphviz DOT: nodes shaped and coloured by group, findings as a red border and the rule ids,
laid out left to right (internet, endpoints, functions, roles, data). Render with `dot -Tsvg`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from boundary.export._merge import merged_edges
from boundary.export._style import GROUP_STYLE, SEVERITY_COLOR

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["quote", "render"]


def quote(text: str) -> str:
    """A DOT quoted string: backslashes and quotes escaped, line breaks as `\\n`, so
    nothing in a template can end the string or inject attributes."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    escaped = escaped.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")
    return f'"{escaped}"'


def render(plain: nx.MultiDiGraph, title: str = "boundary") -> str:
    ids = {node: f"n{index}" for index, node in enumerate(plain.nodes)}
    lines = [
        f"digraph {quote(title)} {{",
        "  rankdir=LR;",
        '  graph [fontname="Helvetica", nodesep=0.3, ranksep=0.8];',
        '  node [fontname="Helvetica", fontsize=11, style="filled"];',
        '  edge [fontname="Helvetica", fontsize=9, color="#636363"];',
    ]
    for node, data in plain.nodes(data=True):
        style = GROUP_STYLE[str(data.get("group", "other"))]
        label = str(data.get("label") or node)
        kind_line = str(data.get("type") or data.get("kind") or "")
        if kind_line and kind_line != label:
            label += f"\n{kind_line}"
        attrs = [
            f"label={quote(label)}",
            f"shape={style.dot_shape}",
            f"fillcolor={quote(style.fill)}",
            f"color={quote(style.line)}",
            f"tooltip={quote(node)}",
        ]
        if data.get("finding_count"):
            attrs += [
                f"xlabel={quote(str(data.get('rules', '')))}",
                f"color={quote(SEVERITY_COLOR.get(str(data.get('severity')), '#d7301f'))}",
                "penwidth=3",
            ]
        lines.append(f"  {ids[node]} [{', '.join(attrs)}];")
    for u, v, kind, label in merged_edges(plain):
        attrs = [f"label={quote(label)}" if label != kind else f"label={quote(kind)}"]
        if kind in ("attached-policy", "assumable-by", "references", "routes"):
            attrs.append('style="dashed"')
        lines.append(f"  {ids[u]} -> {ids[v]} [{', '.join(attrs)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"
