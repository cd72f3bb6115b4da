"""The whole rule pack: ids, names, docs, metadata and fixtures, checked for every rule.

Fixtures live in `tests/rules/fixtures/<rule-name>/`, one or more SAM,
CloudFormation or Terraform plan files. Resources named `Invalid*`
(Terraform: `invalid_*`) must be reported by the rule, resources named
`Valid*` / `valid_*` must not; other resources are scaffolding.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest

import boundary
from boundary.rules import DOC_SECTIONS, Category, builtin_rules, registry, render_index, render_rule

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).parent / "fixtures"
RULES = registry()


def _fixture_files(rule_name: str) -> list[Path]:
    folder = FIXTURES / rule_name
    return sorted(p for p in folder.glob("*") if p.suffix in (".yaml", ".yml", ".json"))


def _local_name(resource: str) -> str:
    """`InvalidRole` -> itself; `module.x.aws_iam_role.invalid_a["k"]` -> `invalid_a`."""
    name = re.sub(r"\[[^\]]*\]$", "", resource)
    return name.rsplit(".", 1)[-1] if "." in name and not name.startswith("arn:") else name


def _marked(name: str, prefix: str) -> bool:
    return name.lower().startswith(prefix)


def test_ids_and_names_are_unique_and_well_formed() -> None:
    ids = [m.id for m in RULES]
    names = [m.name for m in RULES]
    assert len(set(ids)) == len(ids)
    assert len(set(names)) == len(names)
    for meta in RULES:
        assert re.fullmatch(r"BND[1-9][0-9]{2}", meta.id), meta.id
        assert re.fullmatch(r"[a-z]+(-[a-z0-9]+)+", meta.name), meta.name


def test_table_lists_every_rule_module() -> None:
    """Every rule file in policies/ is registered in the one table, and nothing else is."""
    modules = {p.stem for p in (ROOT / "policies").glob("*.py") if not p.name.startswith("_")}
    registered = {cls.__module__.rsplit(".", 1)[-1] for cls in builtin_rules()}
    assert registered == modules


@pytest.mark.parametrize("meta", RULES, ids=[m.id for m in RULES])
def test_rule_has_complete_docs(meta: boundary.rules.RuleMeta) -> None:
    for section in DOC_SECTIONS:
        assert meta.docs.get(section, "").strip(), f"{meta.id} lacks the section {section!r}"
    assert "```" in meta.docs["Example"], f"{meta.id}'s Example has no template snippet"
    assert meta.title and meta.description and meta.remediation and meta.practice
    assert meta.references and all(r.startswith("https://") for r in meta.references)


@pytest.mark.parametrize("meta", RULES, ids=[m.id for m in RULES])
def test_rule_has_positive_and_negative_fixtures(meta: boundary.rules.RuleMeta) -> None:
    files = _fixture_files(meta.name)
    assert files, f"{meta.id} has no fixtures in tests/rules/fixtures/{meta.name}/"
    text = "\n".join(p.read_text() for p in files)
    assert re.search(r"\bInvalid|\binvalid_", text), f"{meta.id} has no Invalid* fixture resource"
    assert re.search(r"\bValid|\bvalid_", text), f"{meta.id} has no Valid* fixture resource"


def _cases() -> list[tuple[str, Path]]:
    return [(meta.name, path) for meta in RULES for path in _fixture_files(meta.name)]


@pytest.mark.parametrize(("rule_name", "fixture"), _cases(), ids=[f"{r}/{p.name}" for r, p in _cases()])
def test_fixture(rule_name: str, fixture: Path) -> None:
    # A rule that reads access activity finds it in the fixture folder's activity/.
    activity = fixture.parent / "activity"
    if activity.is_dir():
        from boundary.load.activity import load_activity

        result = boundary.analyze([fixture], activity=load_activity([activity]))
    else:
        result = boundary.analyze([fixture])
    assert not result.errors, [str(e) for e in result.errors]
    template = result.templates[0]
    # What the user wrote: resources SAM generated count as the resource they came from.
    declared = {_local_name(r.id) for r in template.resources.values() if not r.origin}
    declared |= {r.origin for r in template.resources.values() if r.origin}
    # a finding merged into another on the same statement still counts as its rule's
    flagged = {
        _local_name(f.resource)
        for f in result.findings
        if rule_name in {f.rule_name, *(m.rule_name for m in f.merged)} and not f.suppressed
    }
    invalid = {n for n in declared if _marked(n, "invalid")}
    valid = {n for n in declared if _marked(n, "valid")}
    assert invalid, f"{fixture} declares no Invalid* resource"
    flagged_origins = flagged | {
        r.origin for r in template.resources.values() if r.origin and _local_name(r.id) in flagged
    }
    missed = sorted(n for n in invalid if n not in flagged_origins)
    assert not missed, f"{rule_name} did not report {missed} in {fixture.name}"
    wrong = sorted(n for n in flagged if _marked(n, "valid"))
    assert not wrong, f"{rule_name} reported Valid resources {wrong} in {fixture.name}"
    assert valid or not invalid  # the file has both kinds or the pack test above flags it
    for finding in result.findings:
        if finding.rule_name == rule_name:
            assert finding.location.file and finding.location.line >= 1, finding
            assert finding.resource, finding


def test_generated_docs_are_current() -> None:
    spec = importlib.util.spec_from_file_location("gen_rule_docs", ROOT / "scripts" / "gen_rule_docs.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["gen_rule_docs"] = module
    spec.loader.exec_module(module)
    for path, text in module.expected_pages().items():
        assert path.is_file(), f"{path} is missing: run python scripts/gen_rule_docs.py"
        assert path.read_text(encoding="utf-8") == text, (
            f"{path} is stale: run python scripts/gen_rule_docs.py"
        )
    assert render_index(RULES).count("| [BND") == len(RULES)
    assert all(render_rule(m).startswith("<!--") for m in RULES)


def test_categories_cover_the_vocabulary_used() -> None:
    assert {m.category for m in RULES} <= set(Category)
