"""Issue 9: merged findings under every check id, the ids `boundary checkov` refuses, and
rule links that lead somewhere true. Without Checkov (both CI environments)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

import boundary
from boundary.cli import app
from boundary.integrations.checkov import CheckovArgumentError, analysis, check_arguments, clear_cache
from boundary.rules import DOCS_URL_ENV, docs_url, registry, shipped_page

ROOT = Path(__file__).resolve().parents[2]

ONE_STATEMENT = textwrap.dedent(
    """\
    AWSTemplateFormatVersion: "2010-09-09"
    Resources:
      EverythingRole:
        Type: AWS::IAM::Role
        Properties:
          AssumeRolePolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Principal: {Service: lambda.amazonaws.com}
                Action: sts:AssumeRole
          Policies:
            - PolicyName: All
              PolicyDocument:
                Version: "2012-10-17"
                Statement:
                  - Effect: Allow
                    Action: "*"
                    Resource: "*"
    """
)


def test_a_merged_finding_is_placed_under_every_rule_id(tmp_path: Path) -> None:
    template = tmp_path / "template.yaml"
    template.write_text(ONE_STATEMENT, encoding="utf-8")
    clear_cache()
    (lead,) = [f for f in boundary.analyze([template]).findings if f.merged]
    assert lead.rule_id == "BND105" and {"BND103", "BND104"} <= set(lead.rule_ids)
    placed = analysis(template)
    for rule in lead.rule_ids:
        (first, *_) = placed.on(rule, "EverythingRole")
        assert first.rule_id == rule and first.line == lead.location.line


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["-d", ".", "--check", "CKV_BND_118"], "BND118 unused-permission has no Checkov check"),
        (["-d", ".", "--check", "BND103"], "use CKV_BND_103"),
        (["-d", ".", "--skip-check", "CKV_AWS_1,CKV_BND_199"], "--skip-check CKV_BND_199: no boundary check"),
        (["-d", ".", "--soft-fail-on=CKV_BND_10"], "--soft-fail-on CKV_BND_10: no boundary check"),
        (["-d", ".", "-c", "ckv_bnd_200"], "-c ckv_bnd_200: no boundary check"),
    ],
)
def test_boundary_checkov_refuses_ids_that_select_nothing(args: list[str], fragment: str) -> None:
    with pytest.raises(CheckovArgumentError, match=fragment):
        check_arguments(args)
    result = CliRunner().invoke(app, ["checkov", *args])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: boundary checkov: ") and fragment in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["-d", ".", "--check", "CKV_BND_*"],
        ["-d", ".", "--check", "HIGH", "--skip-check", "CKV_BND_104,CKV_AWS_18"],
        ["-d", ".", "--check=CKV_BND_101,CKV2_AWS_5"],
        ["-d", "BND103"],  # a folder of that name: not an id option
    ],
)
def test_ids_checkov_knows_pass(args: list[str]) -> None:
    check_arguments(args)


# ------------------------------------------------------------------------ links


def test_rule_links_lead_to_the_rule_page_shipped_with_boundary(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(DOCS_URL_ENV, raising=False)
    for meta in registry():
        url = docs_url(meta.id)
        page = shipped_page(meta.id)
        assert page is not None and url == "file://localhost" + page.as_uri().removeprefix("file://")
        assert f"\n# {meta.id} {meta.name}\n" in page.read_text(encoding="utf-8")
    assert docs_url("ACME001") == ""  # a user rule has no page: no link rather than a dead one


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ("https://docs.example.com/boundary/rules", "https://docs.example.com/boundary/rules/BND101.md"),
        ("https://docs.example.com/rules/", "https://docs.example.com/rules/BND101.md"),
        ("https://wiki.example.com/sec/{id}.html", "https://wiki.example.com/sec/BND101.html"),
        ("", ""),
    ],
)
def test_rule_links_follow_the_configured_base(
    monkeypatch: pytest.MonkeyPatch, setting: str, expected: str
) -> None:
    monkeypatch.setenv(DOCS_URL_ENV, setting)
    assert docs_url("BND101") == expected


def test_no_placeholder_home_is_left_in_the_package() -> None:
    sources = [
        *(ROOT / "boundary").rglob("*.py"),
        *(ROOT / "policies").rglob("*.py"),
        *(ROOT / "docs").rglob("*.md"),
        ROOT / "README.md",
        ROOT / ".pre-commit-hooks.yaml",
    ]
    assert [p for p in sources if "boundary-dev/" in p.read_text(encoding="utf-8")] == []


def test_the_wheel_ships_the_rule_pages() -> None:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib

    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    assert "boundary.docs" in setuptools["packages"]
    assert setuptools["package-dir"]["boundary.docs"] == "docs"
    assert setuptools["package-data"]["boundary.docs"] == ["rules/*.md"]


def test_an_open_route_of_the_implicit_api_is_placed_on_the_function_declaring_it() -> None:
    """SAM's implicit API holds the routes of every function with an HttpApi event, and its
    `origin` names one of them: each route's finding belongs to the function that wrote it."""
    path = ROOT / "tests" / "rules" / "fixtures" / "internet-reachable-data-write" / "sam.yaml"
    clear_cache()
    open_routes = {
        f.location.line for f in boundary.analyze([path]).findings if f.resource == "ServerlessHttpApi"
    }
    assert open_routes == {34, 59}  # POST /fares in InvalidOpenRouteWriter, GET in ValidOpenRouteReader
    placed = analysis(path)
    assert [p.line for p in placed.on("BND109", "InvalidOpenRouteWriter")] == [34]
    assert [p.line for p in placed.on("BND109", "ValidOpenRouteReader")] == [59]
