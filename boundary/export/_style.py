"""How exporters draw each node group and each finding severity: one table for all."""

from __future__ import annotations

__all__ = ["GROUP_STYLE", "SEVERITY_COLOR", "GroupStyle"]

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class GroupStyle:
    title: str  # how a legend names the group
    fill: str
    line: str
    dot_shape: str
    cytoscape_shape: str


GROUP_STYLE: dict[str, GroupStyle] = {
    "internet": GroupStyle("the internet", "#fde0dd", "#c51b8a", "doublecircle", "star"),
    "endpoint": GroupStyle("endpoint or route", "#fee6ce", "#e6550d", "cds", "tag"),
    "api": GroupStyle("API", "#fdd0a2", "#a63603", "component", "round-rectangle"),
    "function": GroupStyle("function", "#deebf7", "#3182bd", "box", "round-rectangle"),
    "role": GroupStyle("role, user or group", "#efedf5", "#756bb1", "hexagon", "hexagon"),
    "policy": GroupStyle("policy", "#f2f0f7", "#9e9ac8", "note", "rectangle"),
    "data": GroupStyle("data resource", "#e5f5e0", "#31a354", "cylinder", "barrel"),
    "principal": GroupStyle("external principal", "#f0f0f0", "#636363", "ellipse", "ellipse"),
    "external": GroupStyle("outside the template", "#f7f7f7", "#969696", "box", "rectangle"),
    "other": GroupStyle("other resource", "#ffffff", "#bdbdbd", "box", "rectangle"),
}

SEVERITY_COLOR = {
    "critical": "#99000d",
    "high": "#d7301f",
    "medium": "#fc8d59",
    "low": "#e6b800",
    "info": "#969696",
}
