"""Every Terraform fixture of the rule pack in three forms: the plan alone, the plan with
the `.tf` sources it came from, and the sources alone (no plan).

The findings agree (same rule, resource and statement key) except where one form knows
more than another; each such difference is listed below with the reason, and asserted,
so a difference that appears or disappears fails here."""

from __future__ import annotations

from pathlib import Path

import pytest

import boundary

FIXTURES = Path(__file__).parent / "fixtures"
RULES = sorted(p.name for p in FIXTURES.iterdir() if (p / "tf").is_dir() and (p / "tfplan.json").is_file())

Key = tuple[str, str, str]

# (rule fixture) -> findings only the plan alone has: the plan holds these documents as
# unknown, the sources say what they are (and there is no unknown left to report).
ONLY_WITHOUT_SOURCES: dict[str, set[tuple[str, str]]] = {
    "unknown-managed-policy": {("unknown-managed-policy", "aws_iam_role.invalid_opaque_inline")},
}
# (rule fixture) -> findings only a plan gives (sources alone do not know the values).
ONLY_WITH_PLAN: dict[str, set[tuple[str, str]]] = {}


def _keys(result: boundary.ScanResult) -> set[Key]:
    return {(f.rule_name, f.resource, f.key) for f in result.findings}


def _pairs(keys: set[Key]) -> set[tuple[str, str]]:
    return {(rule, resource) for rule, resource, _ in keys}


@pytest.fixture(scope="module", params=RULES)
def forms(request: pytest.FixtureRequest) -> tuple[str, dict[str, boundary.ScanResult]]:
    folder = FIXTURES / request.param
    return request.param, {
        "plan": boundary.analyze([folder / "tfplan.json"]),
        "plan+sources": boundary.analyze([folder / "tfplan.json"], tf_dir=folder / "tf"),
        "sources": boundary.analyze([folder / "tf"]),
    }


def test_all_three_forms_load(forms: tuple[str, dict[str, boundary.ScanResult]]) -> None:
    name, results = forms
    for form, result in results.items():
        assert not result.errors, (name, form, [str(e) for e in result.errors])
        assert len(result.templates) == 1, (name, form)
    assert not results["plan"].templates[0].sources
    assert results["plan+sources"].templates[0].sources
    assert results["sources"].templates[0].notes[0].startswith("scanned Terraform sources without a plan")


def test_findings_agree_except_where_the_plan_knows_more(
    forms: tuple[str, dict[str, boundary.ScanResult]],
) -> None:
    name, results = forms
    plan, both, sources = (_keys(results[f]) for f in ("plan", "plan+sources", "sources"))
    assert _pairs(plan - both) == ONLY_WITHOUT_SOURCES.get(name, set()), name
    assert both - plan == set(), name  # sources only add where the plan had an unknown
    assert _pairs(both - sources) == ONLY_WITH_PLAN.get(name, set()), name
    assert sources - both == set(), name


def test_with_sources_every_finding_is_at_a_tf_line(
    forms: tuple[str, dict[str, boundary.ScanResult]],
) -> None:
    name, results = forms
    for form in ("plan+sources", "sources"):
        for finding in results[form].findings:
            assert finding.location.file.endswith(".tf"), (name, form, finding.location)
            assert finding.location.line >= 1, (name, form, finding)
    for finding in results["plan"].findings:
        assert finding.location.file.endswith("tfplan.json"), (name, finding.location)


def test_sources_alone_report_the_invalid_resources_the_plan_reports(
    forms: tuple[str, dict[str, boundary.ScanResult]],
) -> None:
    """The rule's own Invalid*/Valid* contract holds on the sources alone."""
    name, results = forms
    own = {f.resource for f in results["sources"].findings if f.rule_name == name}
    plan_own = {f.resource for f in results["plan"].findings if f.rule_name == name}
    lost = {r for rule, r in ONLY_WITHOUT_SOURCES.get(name, set()) if rule == name}
    assert own == plan_own - lost, name
    assert not [r for r in own if r.rsplit(".", 1)[-1].startswith("valid_")], name


def test_with_sources_the_plan_and_the_sources_alone_place_a_finding_alike(
    forms: tuple[str, dict[str, boundary.ScanResult]],
) -> None:
    """A finding both forms give is at the same line of the same `.tf` file: a policy the
    plan renders from a policy document data source is read at that data source's
    statement blocks, as the sources alone read it."""
    name, results = forms
    placed = {
        form: {
            (f.rule_name, f.resource, f.key): (f.location.file, f.location.line)
            for f in results[form].findings
        }
        for form in ("plan+sources", "sources")
    }
    shared = placed["plan+sources"].keys() & placed["sources"].keys()
    assert shared or not any(placed.values()), name  # unused-permission's need an activity log
    moved = {key for key in shared if placed["plan+sources"][key] != placed["sources"][key]}
    assert not moved, (name, sorted(moved))


def test_a_managed_policy_attached_twice_is_located_at_each_attachment() -> None:
    """AdministratorAccess is attached by two resources of the admin-access fixture; the
    finding on each principal is at its own attachment, not at the first of the two."""
    folder = FIXTURES / "admin-access"
    source = (folder / "tf" / "main.tf").read_text().splitlines()
    expected = {
        "aws_iam_role.invalid_admin": "aws_iam_role_policy_attachment.admin",
        "aws_iam_role_policy_attachment.invalid_outside_admin": (
            "aws_iam_role_policy_attachment.invalid_outside_admin"
        ),
    }
    for form in ("plan", "sources"):
        path = folder / ("tfplan.json" if form == "plan" else "tf")
        found = {
            f.resource: f.location
            for f in boundary.analyze([path]).findings
            if f.rule_name == "admin-access" and "AdministratorAccess attached" in f.message
        }
        assert set(found) == set(expected), form
        for resource, attachment in expected.items():
            location = found[resource]
            if form == "plan":
                assert location.address == attachment, (resource, location)
            else:
                kind, name = attachment.split(".")
                assert source[location.line - 1] == f'resource "{kind}" "{name}" {{', (resource, location)
