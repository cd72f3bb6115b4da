"""Scan the read-only corpus and print the findings per category and rule, for docs/accuracy.md.

python scripts/corpus_report.py [CORPUS_DIR] [--list RULE]
"""

from __future__ import annotations

import collections
import sys
import time
from pathlib import Path

import boundary


def main(argv: list[str]) -> int:
    corpus = (
        Path(argv[0])
        if argv and not argv[0].startswith("--")
        else Path(__file__).resolve().parents[2] / "shared" / "corpus"
    )
    listed = argv[argv.index("--list") + 1] if "--list" in argv else None
    started = time.perf_counter()
    result = boundary.analyze([corpus])
    elapsed = time.perf_counter() - started
    print(
        f"{len(result.files)} files, {len(result.templates)} loaded, {len(result.errors)} errors, {elapsed:.1f} s"
    )
    by_category = collections.Counter(f.category.value for f in result.findings)
    by_rule = collections.Counter(f"{f.rule_id} {f.rule_name}" for f in result.findings)
    print("\n| category | findings |\n|---|---|")
    for category, count in sorted(by_category.items()):
        print(f"| `{category}` | {count} |")
    print("\n| rule | findings |\n|---|---|")
    for rule, count in sorted(by_rule.items()):
        print(f"| {rule} | {count} |")
    if listed:
        for f in result.findings:
            if listed in (f.rule_id, f.rule_name):
                print(f"{f.location}: {f.severity.value}: {f.resource}: {f.message}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
