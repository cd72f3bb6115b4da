"""The trust model (docs/security.md): a scanned tree's configuration never runs code on its own.

Every test builds a repository whose configuration names a folder of rules; the
rule module, when imported, writes a marker file. The marker is the proof:
without `--allow-config-rules` (or `allow_config_rules=True`) it must not
exist afterwards; with it, it must.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

import boundary
from boundary.cli import app
from boundary.config import load_config
from boundary.rules import RuleError, UntrustedRulesWarning, rule_classes

TEMPLATE = textwrap.dedent(
    """\
    AWSTemplateFormatVersion: "2010-09-09"
    Resources:
      AppRole:
        Type: AWS::IAM::Role
        Properties:
          AssumeRolePolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Principal: {Service: lambda.amazonaws.com}
                Action: sts:AssumeRole
    """
)

RULE = '''
from pathlib import Path

from boundary.graph import queries
from boundary.rules import Rule, Violation

Path({marker!r}).write_text("imported")


class AnyRole(Rule):
    """
    ## What it does
    Reports every role.

    ## Why is this bad?
    It proves the rule ran.

    ## Example
    ```yaml
    A: {{Type: AWS::IAM::Role}}
    ```

    ## Use instead
    Nothing.

    ## References
    - https://example.com
    """

    def evaluate(self, ctx):
        for role in queries.nodes_of_kind(ctx.graph, "role"):
            yield Violation(node=role, message=f"role {{ctx.label(role)}} exists; expected none")
'''

META = """
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


def _rules(folder: Path, marker: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "any_role.py").write_text(RULE.format(marker=str(marker)), encoding="utf-8")
    (folder / "any_role.toml").write_text(META, encoding="utf-8")
    return folder


def _repo(
    tmp_path: Path, policies: str = "./rules", style: str = "dot", make_rules: bool = True
) -> tuple[Path, Path]:
    """A repository (with `.git`) whose configuration names `policies`; returns (repo, marker)."""
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "template.yaml").write_text(TEMPLATE, encoding="utf-8")
    marker = tmp_path / "imported.marker"
    if make_rules:
        _rules(repo / "rules", marker)
    if style == "dot":
        (repo / ".boundary.toml").write_text(f"policies = [{policies!r}]\n", encoding="utf-8")
    else:
        (repo / "pyproject.toml").write_text(
            f"[project]\nname = 'x'\n\n[tool.boundary]\npolicies = [{policies!r}]\n", encoding="utf-8"
        )
    return repo, marker


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


# -- the library -------------------------------------------------------------------------------


@pytest.mark.parametrize("style", ["dot", "pyproject"])
def test_library_does_not_import_config_rules_unless_the_caller_opts_in(tmp_path: Path, style: str) -> None:
    repo, marker = _repo(tmp_path, style=style)
    config = load_config(start=repo)
    assert config.policies  # the configuration does name them
    before = set(sys.modules)
    with pytest.warns(UntrustedRulesWarning, match=r"not loading rule folder\(s\) .*rules"):
        result = boundary.analyze([repo / "template.yaml"], config=config)
    assert not marker.exists()
    assert not {m for m in set(sys.modules) - before if m.startswith("boundary_user_rules")}
    assert "ACME001" not in {f.rule_id for f in result.findings}
    with pytest.warns(UntrustedRulesWarning):
        assert "ACME001" not in {f.rule_id for f in boundary.scan([repo / "template.yaml"], config)}
    assert not marker.exists()
    # rule_classes, the registry behind `boundary rules`, is safe by default as well
    assert "ACME001" not in {cls.meta.id for cls in rule_classes(config)}
    assert not marker.exists()

    allowed = boundary.analyze([repo / "template.yaml"], config=config, allow_config_rules=True)
    assert marker.exists()
    assert [(f.rule_id, f.resource) for f in allowed.findings if f.rule_id == "ACME001"] == [
        ("ACME001", "AppRole")
    ]


def test_library_loads_folders_the_caller_names(tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    rules = _rules(tmp_path / "mine", marker)
    template = tmp_path / "template.yaml"
    template.write_text(TEMPLATE, encoding="utf-8")
    findings = boundary.scan([template], rule_folders=[rules])
    assert marker.exists() and "ACME001" in {f.rule_id for f in findings}


def test_a_configuration_naming_its_own_rules_is_not_an_error_when_they_are_withheld(tmp_path: Path) -> None:
    """`select = ["ACME001"]` names a rule of the withheld folder: the scan warns and goes on."""
    repo, marker = _repo(tmp_path)
    (repo / ".boundary.toml").write_text(
        'policies = ["./rules"]\nignore = ["ACME001", "BND116"]\n[thresholds.any-role]\nlimit = 1\n',
        encoding="utf-8",
    )
    with pytest.warns(UntrustedRulesWarning):
        boundary.analyze([repo / "template.yaml"], config=load_config(start=repo))
    assert not marker.exists()


# -- the command line ---------------------------------------------------------------------------


@pytest.mark.parametrize("style", ["dot", "pyproject"])
def test_scan_without_the_flag_says_once_what_it_did_not_load(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, style: str
) -> None:
    repo, marker = _repo(tmp_path, style=style)
    monkeypatch.chdir(repo)
    result = runner.invoke(app, ["scan", "template.yaml", "--format", "json"])
    assert not marker.exists()
    assert result.exit_code in (0, 1), result.output
    notes = [line for line in result.stderr.splitlines() if "rule folder" in line]
    assert len(notes) == 1
    assert notes[0].startswith("warning: not loading rule folder(s) ")
    assert str(repo / "rules") in notes[0] and "--allow-config-rules" in notes[0]
    assert "ACME001" not in result.stdout


@pytest.mark.parametrize(
    "args",
    [["--allow-config-rules"], ["--rules", "rules"], ["--isolated", "--rules", "rules"]],
    ids=["allow", "explicit", "isolated-explicit"],
)
def test_scan_loads_rules_the_command_line_allows(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    repo, marker = _repo(tmp_path)
    if args[0] == "--rules":
        (repo / ".boundary.toml").unlink()
    monkeypatch.chdir(repo)
    result = runner.invoke(app, ["scan", "template.yaml", "--format", "json", *args])
    assert marker.exists()
    assert "ACME001" in result.stdout
    assert "not loading" not in result.stderr


def test_isolated_ignores_every_configuration_file(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo, marker = _repo(tmp_path)
    (repo / ".boundary.toml").write_text('policies = ["./rules"]\nsurprise = 1\n', encoding="utf-8")
    monkeypatch.chdir(repo)
    broken = runner.invoke(app, ["scan", "template.yaml"])
    assert broken.exit_code == 2 and "surprise" in broken.stderr  # the configuration is read...
    result = runner.invoke(app, ["scan", "template.yaml", "--isolated", "--allow-config-rules"])
    assert result.exit_code in (0, 1), result.output  # ...and with --isolated it is not
    assert "surprise" not in result.stderr and "not loading" not in result.stderr
    assert not marker.exists()
    both = runner.invoke(app, ["scan", "template.yaml", "--isolated", "--config", ".boundary.toml"])
    assert both.exit_code == 2 and "--isolated" in both.stderr


def _outside(tmp_path: Path, marker: Path) -> Path:
    return _rules(tmp_path / "elsewhere" / "lib", marker)


@pytest.mark.parametrize("how", ["dotdot", "absolute", "symlinked-folder", "symlinked-file"])
def test_config_rule_folders_must_stay_inside_the_repository(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    """`policies = ["../../usr/lib/python3.11"]` and symlinks out are refused, even when allowed."""
    marker = tmp_path / "imported.marker"
    outside = _outside(tmp_path, marker)
    policies = {"dotdot": "../elsewhere/lib", "absolute": str(outside)}.get(how, "./rules")
    repo, _ = _repo(tmp_path, policies=policies, make_rules=False)
    if how == "symlinked-folder":
        (repo / "rules").symlink_to(outside, target_is_directory=True)
    elif how == "symlinked-file":
        (repo / "rules").mkdir()
        (repo / "rules" / "any_role.py").symlink_to(outside / "any_role.py")
        (repo / "rules" / "any_role.toml").write_text(META, encoding="utf-8")
    monkeypatch.chdir(repo)
    result = runner.invoke(app, ["scan", "template.yaml", "--allow-config-rules"])
    assert result.exit_code == 2, result.output
    (line,) = result.stderr.splitlines()
    assert line.startswith("error: ") and "outside the repository root" in line
    assert not marker.exists()
    with pytest.raises(RuleError, match="outside the repository root"):
        rule_classes(load_config(start=repo), allow_config_rules=True)
    assert not marker.exists()


def test_rules_and_explain_list_user_rules_only_when_allowed(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo, marker = _repo(tmp_path)
    monkeypatch.chdir(repo)
    listed = runner.invoke(app, ["rules", "--format", "json"])
    assert listed.exit_code == 0 and "ACME001" not in listed.stdout and "not loading" in listed.stderr
    unknown = runner.invoke(app, ["explain", "ACME001"])
    assert unknown.exit_code == 2 and "unknown rule" in unknown.stderr
    assert not marker.exists()
    listed = runner.invoke(app, ["rules", "--format", "json", "--allow-config-rules"])
    assert listed.exit_code == 0 and '"ACME001"' in listed.stdout
    explained = runner.invoke(app, ["explain", "any-role", "--rules", "rules"])
    assert explained.exit_code == 0 and "Reports every role" in explained.stdout


def test_the_installed_command_imports_nothing_from_the_scanned_tree(tmp_path: Path) -> None:
    """The real entry point, run from inside a hostile repository."""
    repo, marker = _repo(tmp_path)
    beside = Path(sys.executable).parent / "boundary"
    command = [str(beside)] if beside.exists() else [sys.executable, "-m", "boundary"]
    env = {k: v for k, v in os.environ.items() if k != "BOUNDARY_DEBUG"}
    done = subprocess.run(
        [*command, "scan", "--no-progress"], cwd=repo, capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode in (0, 1), done.stderr
    assert not marker.exists()
    assert done.stderr.count("not loading rule folder") == 1
