"""Issue 11, items 7 and 8: the library says what it could not read; documented inputs work."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import boundary
from boundary.report.baseline import read_baseline

ROOT = Path(__file__).resolve().parents[2]


def test_scan_raises_for_a_file_it_cannot_load(tmp_path: Path) -> None:
    broken = tmp_path / "template.yaml"
    broken.write_text("Resources:\n  Fn:\n    Type: [unclosed\n", encoding="utf-8")
    good = ROOT / "samples" / "sam" / "insecure" / "template.yaml"
    with pytest.raises(boundary.ScanError) as caught:
        boundary.scan([broken, good])
    (error,) = caught.value.errors
    assert error.file == str(broken) and error.line >= 1
    assert caught.value.findings, "the other file's findings are kept"
    assert str(broken) in str(caught.value)


def test_readme_documents_analyze_and_what_scan_returns() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "boundary.analyze(" in readme and "ScanError" in readme and "suppressed" in readme


def test_a_plain_list_of_fingerprints_is_a_baseline(tmp_path: Path) -> None:
    path = tmp_path / "baseline.json"
    path.write_text(json.dumps(["0123456789abcdef0123456789abcdef"]), encoding="utf-8")
    assert read_baseline(path) == frozenset({"0123456789abcdef0123456789abcdef"})
