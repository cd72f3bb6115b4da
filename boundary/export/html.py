"""One self-contained HTML file: cytoscape.js and its dagre layout inlined (vendored from
their npm packages by scripts/vendor_js.sh, licences in boundary/export/assets/), the
graph as JSON data, a search box and a side panel. It works offline and makes no request:
its Content-Security-Policy forbids any.

Template text reaches the page only as JSON inside a `<script type="application/json">`
with `<`, `>` and `&` escaped, and the script shows it with `textContent`; the title is
HTML-escaped. A resource named `</script><script>alert(1)` stays text.
"""

from __future__ import annotations

import html
import json
import string
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from boundary.export import json as json_format
from boundary.export._style import GROUP_STYLE, SEVERITY_COLOR

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["ASSETS", "render", "script_json", "vendored_versions"]

ASSETS = "boundary.export.assets"


@cache
def _asset(name: str) -> str:
    return resources.files(ASSETS).joinpath(name).read_text(encoding="utf-8")


def vendored_versions() -> dict[str, str]:
    """The versions of the vendored JavaScript (scripts/vendor_js.sh writes them)."""
    versions: dict[str, str] = json.loads(_asset("versions.json"))
    return versions


def script_json(value: Any) -> str:
    """JSON that cannot end the `<script>` element it is in, nor open a comment in it."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(char, escaped)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def render(plain: nx.MultiDiGraph, title: str = "boundary") -> str:
    style = {
        "groups": {
            name: {"title": s.title, "fill": s.fill, "line": s.line, "shape": s.cytoscape_shape}
            for name, s in GROUP_STYLE.items()
        },
        "severities": SEVERITY_COLOR,
    }
    versions = vendored_versions()
    page = string.Template(_asset("view.html")).substitute(
        title=html.escape(title),
        css=_asset("view.css"),
        data=script_json(json_format.document(plain)),
        style=script_json(style),
        cytoscape_version=html.escape(versions.get("cytoscape", "")),
        dagre_version=html.escape(versions.get("cytoscape-dagre", "")),
        cytoscape=_asset("cytoscape.min.js"),
        dagre=_asset("cytoscape-dagre.min.js"),
        app=_asset("view.js"),
    )
    return page
