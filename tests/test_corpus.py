"""The real third-party corpus: every file loads or yields one located error; nothing crashes."""

from __future__ import annotations

from pathlib import Path

import pytest

import boundary

pytestmark = pytest.mark.corpus


@pytest.fixture(scope="module")
def corpus_scan(corpus_dir: Path) -> boundary.ScanResult:
    return boundary.analyze([corpus_dir])


def test_every_file_loads_or_has_one_located_error(
    corpus_dir: Path, corpus_scan: boundary.ScanResult
) -> None:
    # tf-hcl/ holds Terraform sources; the JSON beside them (state machines, trust documents
    # read by file()) is data, not templates, and a folder walk passes it over.
    files = {
        str(p)
        for p in corpus_dir.rglob("*")
        if p.suffix in (".yaml", ".yml", ".json") and p.is_file() and "tf-hcl" not in p.parts
    }
    loaded = {t.path for t in corpus_scan.templates}
    # warnings (a duplicate key, kept with its last value) are on files that loaded
    failed = [e.file for e in corpus_scan.errors if e.is_error]
    assert len(failed) == len(set(failed)), "a file has more than one error line"
    assert not loaded & set(failed)
    assert files == loaded | set(failed)
    assert len(loaded) > 0.9 * len(files)
    for error in corpus_scan.errors:
        text = str(error)
        assert "\n" not in text and "Traceback" not in text
        assert error.line >= 1, text
        assert "internal error" not in error.message, text


def test_findings_are_located(corpus_scan: boundary.ScanResult) -> None:
    assert corpus_scan.findings
    for finding in corpus_scan.findings:
        assert finding.location.file and finding.location.line >= 1, finding
        assert finding.resource and finding.message
