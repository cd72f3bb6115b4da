"""Mermaid flowcharts (GitHub and most Markdown viewers render them): one shape per group,
findings as a red outline with the rule ids."""

from __future__ import annotations

from typing import TYPE_CHECKING

from boundary.export._merge import merged_edges
from boundary.export._style import GROUP_STYLE, SEVERITY_COLOR

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["escape", "render"]

_SHAPES = {
    "internet": ("((", "))"),
    "endpoint": (">", "]"),
    "api": ("[[", "]]"),
    "function": ("([", "])"),
    "role": ("{{", "}}"),
    "policy": ("[/", "/]"),
    "data": ("[(", ")]"),
    "principal": ("(", ")"),
    "external": ("[", "]"),
    "other": ("[", "]"),
}
_ENTITIES = {"#": "#35;", '"': "#quot;", "<": "#lt;", ">": "#gt;", "&": "#amp;", "`": "#96;", "|": "#124;"}


def escape(text: str) -> str:
    """Text safe inside a quoted Mermaid label: quotes, markup and `|` as entity codes,
    line breaks as spaces, so a template cannot close the label or inject HTML."""
    out = "".join(_ENTITIES.get(char, char) for char in text)
    return " ".join(out.splitlines())


def render(plain: nx.MultiDiGraph) -> str:
    ids = {node: f"n{index}" for index, node in enumerate(plain.nodes)}
    lines = ["flowchart LR"]
    for group, style in GROUP_STYLE.items():
        lines.append(f"  classDef g_{group} fill:{style.fill},stroke:{style.line},color:#222")
    for severity, color in SEVERITY_COLOR.items():
        lines.append(f"  classDef finding_{severity} stroke:{color},stroke-width:3px")
    for node, data in plain.nodes(data=True):
        group = str(data.get("group", "other"))
        opening, closing = _SHAPES[group]
        label = escape(str(data.get("label") or node))
        if data.get("finding_count"):
            label += f"<br/>⚠ {escape(str(data.get('rules', '')))}"
        lines.append(f'  {ids[node]}{opening}"{label}"{closing}')
        # one `class` statement per class: a comma there separates node ids, not classes
        lines.append(f"  class {ids[node]} g_{group}")
        if data.get("finding_count"):
            lines.append(f"  class {ids[node]} finding_{data.get('severity')}")
    for u, v, kind, label in merged_edges(plain):
        arrow = "-.->" if kind in ("attached-policy", "assumable-by", "references", "routes") else "-->"
        text = label if label != kind else kind
        lines.append(f'  {ids[u]} {arrow}|"{escape(text)}"| {ids[v]}')
    return "\n".join(lines) + "\n"
