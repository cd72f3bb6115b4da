"""The Checkov adapter without Checkov: ids, the per-file analysis, SAM origins, metadata.

These run in both CI environments; the tests that run the real `checkov` command
are in test_checkov_run.py and skip where Checkov is not installed.
"""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

import boundary
from boundary.integrations.checkov import analysis, check_id, checks_dir, clear_cache, locate, rule_id
from boundary.rules import registry

from ._checkov_helpers import ROOT, is_terraform, source_types, template_files, terraform_type

RULES = {m.id: m for m in registry()}


def test_ids_map_one_to_one() -> None:
    ids = [check_id(m) for m in RULES]
    assert len(set(ids)) == len(ids)
    for rule in RULES:
        assert re.fullmatch(r"CKV_BND_[0-9]{3}", check_id(rule))
        assert rule_id(check_id(rule)) == rule
    assert check_id("BND101") == "CKV_BND_101"
    assert rule_id("CKV_AWS_1") == "AWS1"  # the shape only; the adapter maps its own ids back
    assert rule_id("CKV2_AWS_1") is None and rule_id("BND101") is None


def test_checks_dir_is_a_folder_checkov_loads() -> None:
    folder = checks_dir()
    assert (folder / "__init__.py").is_file()
    modules = [p.name for p in folder.glob("*.py") if not p.name.startswith("__")]
    # Checkov executes each module under its file name: it must not shadow a real package.
    assert modules == ["ckv_boundary.py"]


SAM = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  BookingFunction:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      InlineCode: "def handler(e, c): pass"
      Policies:
        - AdministratorAccess
"""


def test_finding_on_a_generated_role_is_placed_on_the_sam_function(tmp_path: Path) -> None:
    template = tmp_path / "template.yaml"
    template.write_text(SAM)
    result = boundary.analyze([template])
    on_role = [f for f in result.findings if f.rule_id == "BND105"]
    assert [f.resource for f in on_role] == ["BookingFunctionRole"]
    placed = analysis(template).on("BND105", "BookingFunction")
    assert len(placed) == 1
    assert placed[0].line == on_role[0].location.line == 4  # the function the user wrote
    assert analysis(template).on("BND105", "BookingFunctionRole") == ()


def test_analysis_is_cached_by_path_and_content(tmp_path: Path) -> None:
    clear_cache()
    template = tmp_path / "template.yaml"
    template.write_text(SAM)
    first = analysis(template)
    assert analysis(str(template)) is first  # every check of the file shares one analysis
    template.write_text(SAM.replace("AdministratorAccess", "AWSLambdaBasicExecutionRole"))
    second = analysis(template)
    assert second is not first
    assert second.on("BND105", "BookingFunction") == ()


TF_ADMIN = """
resource "aws_iam_policy" "loose" {
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }]
  })
}
"""


def test_a_tf_file_stands_for_its_folder_configuration(tmp_path: Path) -> None:
    """Checkov's `terraform` framework asks per `.tf` file: the answer is the configuration
    of the file's folder (without the folders below it), and changes with any of its files."""
    clear_cache()
    (tmp_path / "main.tf").write_text(TF_ADMIN)
    (tmp_path / "variables.tf").write_text('variable "x" {\n  default = 1\n}\n')
    (tmp_path / "below").mkdir()
    (tmp_path / "below" / "other.tf").write_text(TF_ADMIN.replace("loose", "below"))
    first = analysis(tmp_path / "main.tf")
    assert analysis(tmp_path / "variables.tf") is first
    assert analysis(tmp_path) is first
    placed = first.on("BND105", "aws_iam_policy.loose")
    assert [p.line for p in placed] == [3]  # the policy attribute
    assert not [key for key in first.findings if key[1] == "aws_iam_policy.below"]
    (tmp_path / "variables.tf").write_text('variable "x" {\n  default = 2\n}\n')
    assert analysis(tmp_path / "main.tf") is not first


def test_a_file_boundary_cannot_load_has_errors_not_findings(tmp_path: Path) -> None:
    broken = tmp_path / "template.yaml"
    broken.write_text("Resources: [\n")
    result = analysis(broken)
    assert result.errors and not result.findings


def test_locate_finds_the_file_from_the_runner_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "app").mkdir()
    template = tmp_path / "app" / "template.yaml"
    template.write_text(SAM)
    monkeypatch.chdir(ROOT)

    def runner(root_folder: str) -> str | None:  # the parameter Checkov's Runner.run has
        return locate("/app/template.yaml")

    assert runner(str(tmp_path)) == str(template)
    assert locate("/app/template.yaml") is None  # neither the stack nor the working directory has it
    monkeypatch.chdir(tmp_path)
    assert locate("/app/template.yaml") == str(template)


def test_every_rule_names_the_types_it_reports_on() -> None:
    for meta in RULES.values():
        assert set(meta.resource_types) == {"cloudformation", "terraform"}, meta.id
        for types in meta.resource_types.values():
            assert len(set(types)) == len(types), meta.id
        # none only for a rule that needs input Checkov cannot give (access activity)
        empty = not any(meta.resource_types.values())
        assert empty == (meta.category.value == "unused-permission"), meta.id


@pytest.mark.parametrize("path", template_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_resource_types_metadata_covers_every_finding(path: Path) -> None:
    """Every finding's resource, as the user wrote it, has a type its rule's metadata lists:
    otherwise Checkov would never run that rule's check on it."""
    result = analysis(path)
    assert not result.errors, result.errors
    plan = is_terraform(path)
    types = {} if plan else source_types(path)
    for (rule, resource), _ in result.findings.items():
        framework = "terraform" if plan else "cloudformation"
        written = terraform_type(resource) if plan else types.get(resource, f"<no resource {resource}>")
        assert written in RULES[rule].resource_types[framework], f"{rule} reports on a {written}: {resource}"


@pytest.mark.parametrize("path", template_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_only_parameters_and_outputs_have_no_resource(path: Path) -> None:
    """What Checkov cannot show (it has resources only) is a template parameter or output."""
    result = analysis(path)
    for finding in result.unplaced:
        assert finding.resource.startswith("output.") or re.search(
            r"\b(parameter|output)\b", finding.message
        ), finding


def test_scan_never_imports_checkov_or_the_adapter() -> None:
    code = textwrap.dedent(
        """
        import sys
        from boundary.cli import main
        try:
            main(["scan", "samples/", "--no-progress", "--format", "json", "--output", "/dev/null"])
        except SystemExit:
            pass
        loaded = sorted(m for m in sys.modules if m.split(".")[0] == "checkov" or m.startswith("boundary.integrations"))
        assert "boundary.rules" in sys.modules, "the scan did not run"
        print(loaded)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_checkov_command_says_how_to_install_checkov_when_missing() -> None:
    code = "import sys; sys.modules['checkov'] = None\nfrom boundary.cli import main\nmain(['checkov', '-d', '.'])"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 2
    assert "pip install 'serverless-boundary[checkov]'" in done.stderr
    assert "Traceback" not in done.stderr


def test_checkov_dir_command_prints_the_folder() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "boundary", "checkov-dir"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert Path(done.stdout.strip()) == checks_dir()


def test_docs_id_table_is_the_rule_pack() -> None:
    text = (ROOT / "docs" / "checkov.md").read_text(encoding="utf-8")
    rows = re.findall(
        r"^\| \[(BND\d+)\]\(rules/\1\.md\) \| `?(CKV_BND_\d+|none)`? \| ([a-z-]+) \| ([A-Z]+) \|$", text, re.M
    )
    expected = [
        (m.id, check_id(m.id) if any(m.resource_types.values()) else "none", m.name, m.severity.value.upper())
        for m in RULES.values()
    ]
    assert rows == expected


def test_pre_commit_hook_runs_boundary_checkov_on_files() -> None:
    hooks = {
        h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    }
    hook = hooks["boundary-checkov"]
    assert hook["entry"] == "boundary checkov"
    assert hook["args"][-1] == "-f" and hook["pass_filenames"] is True  # the staged files follow -f
    assert hook["files"] == hooks["boundary"]["files"]


def test_a_bad_configuration_is_one_line_and_no_verdict(tmp_path: Path) -> None:
    (tmp_path / ".boundary.toml").write_text("no_such_key = 1\n")
    template = tmp_path / "template.yaml"
    template.write_text(SAM)
    result = analysis(template)
    assert not result.findings
    assert len(result.errors) == 1 and "\n" not in result.errors[0]
    assert ".boundary.toml" in result.errors[0]
