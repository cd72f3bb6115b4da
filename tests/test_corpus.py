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
    hcl = corpus_dir / "tf-hcl"
    configurations = {t.path for t in corpus_scan.templates if Path(t.path).is_dir()}
    if hcl.is_dir():
        # each Terraform pattern is one configuration (its local modules are read with it)
        patterns = {str(p) for p in hcl.iterdir() if p.is_dir()}
        read = configurations | {e.file for e in corpus_scan.errors}
        unread = [p for p in patterns if not any(r == p or r.startswith(p + "/") for r in read)]
        assert unread == []
    loaded = {t.path for t in corpus_scan.templates} - configurations
    # warnings (a duplicate key, kept with its last value) are on files that loaded
    failed = [
        e.file
        for e in corpus_scan.errors
        if e.is_error and not e.file.endswith(".tf") and e.file not in configurations
    ]
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


def test_terraform_sources_have_their_policy_documents_judged(corpus_dir: Path) -> None:
    """docs/accuracy.md: of the IAM policy documents the tf-hcl patterns write, at least
    95 % are read into statements from the sources alone (a first-deploy plan: ~30-40 %)."""
    import importlib.util

    hcl = corpus_dir / "tf-hcl"
    if not hcl.is_dir():
        pytest.skip("no tf-hcl in the corpus")
    script = Path(__file__).resolve().parents[1] / "scripts" / "tf_policy_coverage.py"
    spec = importlib.util.spec_from_file_location("tf_policy_coverage", script)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    judged, total, missed = module.coverage(boundary.load([hcl]))
    assert total >= 100
    assert judged >= 0.95 * total, missed
