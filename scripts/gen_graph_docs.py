"""Regenerate the Mermaid pictures of the samples in docs/graph.md: `python scripts/gen_graph_docs.py`.

Each picture sits between `<!-- mermaid:NAME -->` and `<!-- /mermaid:NAME -->` and is
what `boundary graph SAMPLE --format mermaid --hide other,principal,policy` prints;
tests/export/test_graph_docs.py fails when one is stale. `--check` exits 1 instead
of writing.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import boundary
from boundary.export import ExportOptions, export_graph

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "graph.md"
HIDE = ("other", "principal", "policy")
PICTURES = {
    "insecure": "samples/sam/insecure/template.yaml",
    "secure": "samples/sam/secure/template.yaml",
}


def picture(sample: str) -> str:
    """The Mermaid flowchart of one sample, findings outlined, as the CLI prints it."""
    previous = os.getcwd()
    os.chdir(ROOT)
    try:
        graph = boundary.build_graph(boundary.load([sample]))
        findings = boundary.analyze([sample]).findings
        return export_graph(graph, "mermaid", ExportOptions(findings=findings, hide=HIDE))
    finally:
        os.chdir(previous)


def render(text: str) -> str:
    """`text` with every picture block replaced by the current picture."""
    for name, sample in PICTURES.items():
        pattern = re.compile(
            rf"(<!-- mermaid:{name} -->\n)```mermaid\n.*?```\n(<!-- /mermaid:{name} -->)", re.S
        )
        if not pattern.search(text):
            raise SystemExit(f"{DOC}: no <!-- mermaid:{name} --> block")
        block = f"```mermaid\n{picture(sample)}```\n"
        text = pattern.sub(lambda m, block=block: m.group(1) + block + m.group(2), text)
    return text


def main() -> int:
    current = DOC.read_text(encoding="utf-8")
    expected = render(current)
    if "--check" in sys.argv[1:]:
        if expected != current:
            print(f"{DOC} is stale: run python scripts/gen_graph_docs.py")
            return 1
        return 0
    DOC.write_text(expected, encoding="utf-8")
    print(f"wrote {DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
