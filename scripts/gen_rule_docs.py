"""Regenerate docs/rules/ from the rules' docstrings and metadata: `python scripts/gen_rule_docs.py`."""

from __future__ import annotations

import sys
from pathlib import Path

from boundary.rules import registry, render_index, render_rule

DOCS = Path(__file__).resolve().parents[1] / "docs" / "rules"


def expected_pages() -> dict[Path, str]:
    metas = registry()
    pages = {DOCS / f"{meta.id}.md": render_rule(meta) for meta in metas}
    pages[DOCS / "README.md"] = render_index(metas)
    return pages


def main() -> int:
    DOCS.mkdir(parents=True, exist_ok=True)
    pages = expected_pages()
    for stale in DOCS.glob("*.md"):
        if stale not in pages:
            stale.unlink()
    for path, text in pages.items():
        path.write_text(text, encoding="utf-8")
    print(f"wrote {len(pages)} pages to {DOCS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
