"""The engine: locations, suppressions, configuration, fingerprints, user rules."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

import boundary
from boundary.config import ConfigError, load_config, parse_config
from boundary.rules import Rule, RuleError, Severity, load_rules_from, rule_classes

ROOT = Path(__file__).resolve().parents[2]

SHARED = textwrap.dedent(
    """\
    AWSTemplateFormatVersion: "2010-09-09"
    Resources:
      SharedRole:
        Type: AWS::IAM::Role
        {metadata}
        Properties:
          AssumeRolePolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Principal: {{Service: lambda.amazonaws.com}}
                Action: sts:AssumeRole
      FunctionA:
        Type: AWS::Lambda::Function
        Properties:
          Runtime: python3.12
          Handler: index.handler
          Code: {{ZipFile: "def handler(e, c): pass"}}
          Role: !GetAtt SharedRole.Arn
      FunctionB:
        Type: AWS::Lambda::Function
        Properties:
          Runtime: python3.12
          Handler: index.handler
          Code: {{ZipFile: "def handler(e, c): pass"}}
          Role: !GetAtt SharedRole.Arn
    """
)


def _template(tmp_path: Path, metadata: str = "", prefix: str = "") -> Path:
    path = tmp_path / "template.yaml"
    path.write_text(prefix + SHARED.format(metadata=metadata))
    return path


def _shared(findings: list[boundary.Finding]) -> list[boundary.Finding]:
    return [f for f in findings if f.rule_id == "BND101"]


def test_finding_is_located_and_says_expected_versus_actual(tmp_path: Path) -> None:
    (finding,) = _shared(boundary.scan([_template(tmp_path)]))
    assert finding.resource == "SharedRole"
    assert finding.location.line == 3 and finding.location.file.endswith("template.yaml")
    assert "2 compute resources" in finding.message and "expected at most 1" in finding.message
    assert finding.related == ("FunctionA", "FunctionB")
    assert not finding.suppressed


@pytest.mark.parametrize(
    ("metadata", "source", "reason"),
    [
        (
            'Metadata: {boundary: {skip: [{id: BND101, reason: "one deployment unit"}]}}',
            "metadata",
            "one deployment unit",
        ),
        (
            "Metadata: {boundary: {skip: [{id: shared-execution-role, reason: by name}]}}",
            "metadata",
            "by name",
        ),
        (
            'Metadata: {checkov: {skip: [{id: BND101, comment: "from checkov"}]}}',
            "checkov-metadata",
            "from checkov",
        ),
    ],
)
def test_metadata_suppressions_keep_the_finding_marked(
    tmp_path: Path, metadata: str, source: str, reason: str
) -> None:
    (finding,) = _shared(boundary.scan([_template(tmp_path, metadata)]))
    assert finding.suppression is not None
    assert (finding.suppression.source, finding.suppression.reason) == (source, reason)


@pytest.mark.parametrize(
    "metadata",
    [
        "Metadata: {boundary: {skip: [{id: BND999}]}}",
        "Metadata: {boundary: {skip: [BND999]}}",
        "Metadata: {boundary: {skip: true}}",
        "Metadata: {boundary: {skip: [{rule: BND101}]}}",
    ],
)
def test_other_or_malformed_skips_do_not_suppress(tmp_path: Path, metadata: str) -> None:
    (finding,) = _shared(boundary.scan([_template(tmp_path, metadata)]))
    assert not finding.suppressed


def test_config_suppression_by_resource(tmp_path: Path) -> None:
    config = parse_config({"suppress": [{"rule": "BND101", "resource": "Shared*", "reason": "accepted"}]})
    (finding,) = _shared(boundary.scan([_template(tmp_path)], config))
    assert finding.suppression is not None and finding.suppression.source == "config"


def test_severity_override_and_rule_selection(tmp_path: Path) -> None:
    template = _template(tmp_path)
    (finding,) = _shared(
        boundary.scan([template], parse_config({"severity": {"shared-execution-role": "low"}}))
    )
    assert finding.severity is Severity.LOW
    assert not _shared(boundary.scan([template], parse_config({"ignore": ["BND101"]})))
    only = boundary.scan([template], parse_config({"select": ["shared-execution-role"]}))
    assert {f.rule_id for f in only} == {"BND101"}


def test_thresholds_come_from_config(tmp_path: Path) -> None:
    config = parse_config({"thresholds": {"shared-execution-role": {"max-compute-per-role": 2}}})
    assert not _shared(boundary.scan([_template(tmp_path)], config))


def test_fingerprint_survives_lines_moving(tmp_path: Path) -> None:
    first = _shared(boundary.scan([_template(tmp_path)]))[0]
    moved = _shared(boundary.scan([_template(tmp_path, prefix="# a comment\n\n\n")]))[0]
    assert moved.location.line == first.location.line + 3
    assert moved.fingerprint == first.fingerprint


def test_scan_is_deterministic(samples_dir: Path) -> None:
    assert boundary.analyze([samples_dir]).findings == boundary.analyze([samples_dir]).findings


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"selct": ["BND101"]}, "unknown key(s) selct"),
        ({"severity": {"BND101": "urgent"}}, "expected one of critical"),
        ({"suppress": [{"rule": "BND101", "resource": "X"}]}, "needs a non-empty 'reason'"),
        (
            {"suppress": [{"rule": "BND101", "resource": "X", "reason": "r", "why": "w"}]},
            "unknown key(s) why",
        ),
        ({"ignore": "BND101"}, "'ignore' must be a list of strings"),
    ],
)
def test_bad_configuration_is_an_error(data: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_config(data)


def test_config_is_found_in_pyproject_or_dot_file(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.boundary]\nignore = ["BND104"]\n')
    nested = tmp_path / "a" / "b"
    nested.mkdir(parents=True)
    assert load_config(start=nested).ignore == ("BND104",)
    (tmp_path / "a" / ".boundary.toml").write_text('select = ["BND101"]\n')
    assert load_config(start=nested).select == ("BND101",)
    (tmp_path / "a" / ".boundary.toml").write_text("nope = 1\n")
    with pytest.raises(ConfigError, match="unknown key"):
        load_config(start=nested)


USER_RULE = '''
from boundary.graph import queries
from boundary.rules import Rule, Violation


class TooManyRoles(Rule):
    """
    ## What it does
    Counts roles.

    ## Why is this bad?
    Example rule.

    ## Example
    ```yaml
    A: {Type: AWS::IAM::Role}
    ```

    ## Use instead
    Fewer.

    ## References
    - https://example.com
    """

    def evaluate(self, ctx):
        for role in queries.nodes_of_kind(ctx.graph, "role"):
            yield Violation(node=role, message=f"role {ctx.label(role)} exists; expected none")
'''

USER_META = """
id = "ACME001"
name = "any-role"
title = "Any role"
severity = "low"
category = "over-grant"
decision = "warn"
description = "Reports every role."
remediation = "None."
practice = "example"
references = ["https://example.com"]
"""


def test_user_rules_load_like_the_pack(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "any_role.py").write_text(USER_RULE)
    (rules / "any_role.toml").write_text(USER_META)
    (loaded,) = load_rules_from(rules)
    assert loaded.meta.id == "ACME001" and loaded.meta.docs["What it does"] == "Counts roles."
    config = parse_config({"select": ["ACME001"]})
    findings = boundary.scan([_template(tmp_path)], config, rule_folders=[rules])
    assert [(f.rule_id, f.resource) for f in findings] == [("ACME001", "SharedRole")]


def test_user_rule_without_metadata_or_with_a_taken_id_is_an_error(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "any_role.py").write_text(USER_RULE)
    with pytest.raises(RuleError, match="metadata any_role.toml is missing"):
        load_rules_from(rules)
    (rules / "any_role.toml").write_text(USER_META.replace("ACME001", "BND101"))
    with pytest.raises(RuleError, match="BND101 is already defined"):
        rule_classes(rule_folders=[rules])


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"select": ["BND999"]}, "'select' names unknown rule(s) BND999"),
        ({"ignore": ["shared-execution-roles"]}, "'ignore' names unknown rule(s) shared-execution-roles"),
        ({"severity": {"BND1O1": "low"}}, "'severity' names unknown rule(s) BND1O1"),
        (
            {"thresholds": {"shared-execution-role": {"max-functions": 2}}},
            "unknown threshold(s) max-functions",
        ),
        (
            {"suppress": [{"rule": "BND000", "resource": "X", "reason": "r"}]},
            "'suppress' names unknown rule(s) BND000",
        ),
    ],
)
def test_configuration_naming_what_does_not_exist_is_an_error(
    tmp_path: Path, data: dict[str, object], message: str
) -> None:
    """A typo must not turn a rule off, or leave a threshold at its default, silently."""
    with pytest.raises(ConfigError, match=re.escape(message)):
        boundary.scan([_template(tmp_path)], parse_config(data))


@pytest.mark.parametrize("spelling", ["relative", "dotted", "absolute"])
def test_config_suppression_file_glob_matches_however_the_file_was_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spelling: str
) -> None:
    folder = tmp_path / "stacks"
    folder.mkdir()
    _template(folder)
    monkeypatch.chdir(tmp_path)
    path = {"relative": "stacks/template.yaml", "dotted": "./stacks/template.yaml"}.get(
        spelling, str(folder / "template.yaml")
    )
    config = parse_config(
        {"suppress": [{"rule": "BND101", "resource": "SharedRole", "file": "stacks/*", "reason": "accepted"}]}
    )
    (finding,) = _shared(boundary.scan([path], config))
    assert finding.suppressed


def test_user_rules_are_read_afresh_by_each_load(tmp_path: Path) -> None:
    """No module-level cache: a long-lived process sees a rule as it is now."""
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "any_role.py").write_text(USER_RULE)
    (rules / "any_role.toml").write_text(USER_META)
    (first,) = load_rules_from(rules)
    (rules / "any_role.toml").write_text(USER_META.replace('title = "Any role"', 'title = "Every role"'))
    (changed,) = load_rules_from(rules)
    assert first.meta.title == "Any role" and changed.meta.title == "Every role"


def test_a_scan_loads_the_user_rules_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`boundary scan` checks the configuration with the rules it then runs: one load."""
    from typer.testing import CliRunner

    from boundary.cli import app
    from boundary.rules import _engine

    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "any_role.py").write_text(USER_RULE)
    (rules / "any_role.toml").write_text(USER_META)
    loads: list[Path] = []
    original = _engine._load_rule_module

    def counting(path: Path) -> tuple[type[Rule], ...]:
        loads.append(path)
        return original(path)

    monkeypatch.setattr(_engine, "_load_rule_module", counting)
    monkeypatch.chdir(tmp_path)
    template = ROOT / "samples" / "sam" / "insecure" / "template.yaml"
    result = CliRunner().invoke(app, ["scan", str(template), "-q", "--no-progress", "--rules", str(rules)])
    assert result.exit_code == 1, result.output
    assert "ACME001" in result.output  # the user rule ran
    assert loads == [rules / "any_role.py"]
