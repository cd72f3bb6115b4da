"""Snapshots of the findings for every sample and every rule fixture, as sorted JSON.

As cfn-lint's snapshot results do: each input file's findings (rule, resource,
line, message and the rest), all rules together. Samples are in
`tests/snapshots/<path under samples/, joined by __>.json`, rule fixtures in
`tests/snapshots/rules/<rule>/<file>.json`, the other loader fixtures in
`tests/snapshots/fixtures/<file>.json`.

They change only on request: `python scripts/update_golden.py` (or
`pytest tests/test_snapshots.py --update-snapshots`). Review the diff before
committing it, and name every changed finding in the commit message.
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
RULE_FIXTURES = ROOT / "tests" / "rules" / "fixtures"
LOADER_FIXTURES = ROOT / "tests" / "fixtures"
_SUFFIXES = (".yaml", ".yml", ".json")
FILES = sorted(
    p
    for folder in (SAMPLES, RULE_FIXTURES, LOADER_FIXTURES)
    for p in folder.rglob("*")
    if p.is_file() and p.suffix in _SUFFIXES and not {"src", "activity"} & set(p.relative_to(folder).parts)
)
# Inputs that are broken on purpose: their load errors are what the loader tests check.
_BROKEN = {LOADER_FIXTURES / "terraform" / "invalid_json.json"}
FILES = [p for p in FILES if p not in _BROKEN]


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
    if path.is_relative_to(RULE_FIXTURES):
        return str(Path("rules", path.relative_to(RULE_FIXTURES))) + ".json"
    if path.is_relative_to(LOADER_FIXTURES):
        return str(Path("fixtures", path.relative_to(LOADER_FIXTURES))) + ".json"
    return "__".join(path.relative_to(SAMPLES).parts) + ".json"


def _id(path: Path) -> str:
    return str(path.relative_to(SAMPLES if path.is_relative_to(SAMPLES) else ROOT / "tests"))


def test_every_rule_fixture_has_a_snapshot() -> None:
    fixtures = {p for p in FILES if p.is_relative_to(RULE_FIXTURES)}
    assert len(fixtures) >= 3 * len(list(RULE_FIXTURES.iterdir()))


def test_no_stale_snapshots() -> None:
    expected = {SNAPSHOTS / _name(p) for p in FILES}
    stale = sorted(str(p.relative_to(ROOT)) for p in SNAPSHOTS.rglob("*.json") if p not in expected)
    assert not stale, f"snapshots without an input (delete them): {stale}"


@pytest.mark.parametrize("path", FILES, ids=[_id(p) for p in FILES])
def test_findings_match_snapshot(path: Path, update_snapshots: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    # Scanned by relative path from the root, as a user would: nothing may depend on
    # where the checkout lives.
    monkeypatch.chdir(ROOT)
    findings = _snapshot(path)
    text = json.dumps(findings, indent=2, sort_keys=True) + "\n"
    target = SNAPSHOTS / _name(path)
    if update_snapshots:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        return
    assert target.is_file(), f"no snapshot for {path.name}: run pytest {__file__} --update-snapshots"
    assert text == target.read_text(encoding="utf-8"), (
        f"findings for {path} changed; review and --update-snapshots"
    )


@pytest.mark.parametrize(
    "path",
    [p for p in FILES if p.is_relative_to(SAMPLES) and "secure" in p.parts],
    ids=lambda p: str(p.relative_to(SAMPLES)),
)
def test_secure_samples_have_no_finding_of_medium_or_above(path: Path) -> None:
    serious = [
        f for f in boundary.scan([path]) if f.severity.rank >= Severity.MEDIUM.rank and not f.suppressed
    ]
    assert not serious, [f"{f.rule_id} {f.resource}: {f.message}" for f in serious]
