"""Snapshots of the findings for every file in samples/, as sorted JSON.

They change only on request: `pytest tests/test_snapshots.py --update-snapshots`.
Review the diff before committing it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import boundary
from boundary.rules import Severity

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
SNAPSHOTS = Path(__file__).parent / "snapshots"
FILES = sorted(
    p
    for p in SAMPLES.rglob("*")
    if p.is_file() and p.suffix in (".yaml", ".yml", ".json") and "src" not in p.parts
)


def _snapshot(path: Path) -> list[dict[str, object]]:
    result = boundary.analyze([path.relative_to(ROOT)])
    assert not result.errors, [str(e) for e in result.errors]
    return [
        {
            "rule": f.rule_id,
            "name": f.rule_name,
            "category": f.category.value,
            "severity": f.severity.value,
            "resource": f.resource,
            "line": f.location.line,
            "column": f.location.column,
            "message": f.message,
            "related": list(f.related),
            "fingerprint": f.fingerprint,
            "suppressed": f.suppressed,
        }
        for f in result.findings
    ]


def _name(path: Path) -> str:
    return "__".join(path.relative_to(SAMPLES).parts) + ".json"


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(SAMPLES)) for p in FILES])
def test_findings_match_snapshot(path: Path, update_snapshots: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    # Scanned by relative path from the root, as a user would: nothing may depend on
    # where the checkout lives.
    monkeypatch.chdir(ROOT)
    findings = _snapshot(path)
    text = json.dumps(findings, indent=2, sort_keys=True) + "\n"
    target = SNAPSHOTS / _name(path)
    if update_snapshots:
        SNAPSHOTS.mkdir(exist_ok=True)
        target.write_text(text, encoding="utf-8")
        return
    assert target.is_file(), f"no snapshot for {path.name}: run pytest {__file__} --update-snapshots"
    assert text == target.read_text(encoding="utf-8"), (
        f"findings for {path} changed; review and --update-snapshots"
    )


@pytest.mark.parametrize(
    "path", [p for p in FILES if "secure" in p.parts], ids=lambda p: str(p.relative_to(SAMPLES))
)
def test_secure_samples_have_no_finding_of_medium_or_above(path: Path) -> None:
    serious = [
        f for f in boundary.scan([path]) if f.severity.rank >= Severity.MEDIUM.rank and not f.suppressed
    ]
    assert not serious, [f"{f.rule_id} {f.resource}: {f.message}" for f in serious]
