"""Regenerate the golden models and finding snapshots: `python scripts/update_golden.py`.

Rewrites `tests/load/golden/` (the model each sample and fixture loads to) and
`tests/snapshots/` (the findings on each) from the current code. Run it only on
purpose, when a change is meant to change what boundary loads or reports; review
the diff (`git diff --stat tests/load/golden tests/snapshots`) and name every
changed finding in the commit message. Extra arguments go to pytest (`-k sam`).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TESTS = ("tests/load/test_golden.py", "tests/test_snapshots.py")

if __name__ == "__main__":
    if len(sys.argv) == 1:
        # Start clean, so the golden files of inputs that are gone go with them.
        for folder in (ROOT / "tests" / "load" / "golden", ROOT / "tests" / "snapshots"):
            for old in folder.rglob("*.json"):
                old.unlink()
    sys.exit(pytest.main(["-q", "--update-snapshots", *[str(ROOT / t) for t in TESTS], *sys.argv[1:]]))
