"""docs/graph.md's Mermaid pictures of the samples are what the tool draws today."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_graph_docs", ROOT / "scripts" / "gen_graph_docs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_sample_pictures_are_current() -> None:
    current = (ROOT / "docs" / "graph.md").read_text(encoding="utf-8")
    assert _generator().render(current) == current, (
        "docs/graph.md is stale: run python scripts/gen_graph_docs.py"
    )


def test_pictures_show_the_difference() -> None:
    text = (ROOT / "docs" / "graph.md").read_text(encoding="utf-8")
    insecure = text.split("<!-- mermaid:insecure -->", 1)[1].split("<!-- /mermaid:insecure -->", 1)[0]
    secure = text.split("<!-- mermaid:secure -->", 1)[1].split("<!-- /mermaid:secure -->", 1)[0]
    assert "BND117" in insecure and "POST /bookings" in insecure
    assert "⚠" not in secure  # no findings on the secure sample
    internet = re.search(r'(n\d+)\(\("the internet"\)\)', secure)
    assert internet is None or f" {internet.group(1)} -" not in secure  # no edge leaves the internet


def test_readme_shows_the_screenshot() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "docs/images/graph-insecure.png" in readme
    png = ROOT / "docs" / "images" / "graph-insecure.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size < 400_000
