"""Parallel edges drawn once: one line per (source, target, kind), its labels joined."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["merged_edges"]


def merged_edges(plain: nx.MultiDiGraph) -> list[tuple[str, str, str, str]]:
    """`(source, target, kind, label)` in the projection's order, parallel edges merged."""
    merged: dict[tuple[str, str, str], list[str]] = {}
    for u, v, data in plain.edges(data=True):
        labels = merged.setdefault((u, v, str(data.get("kind"))), [])
        label = str(data.get("label") or "")
        if label and label not in labels:
            labels.append(label)
    return [
        (u, v, kind, " ".join(labels) if labels != [kind] else kind)
        for (u, v, kind), labels in merged.items()
    ]
