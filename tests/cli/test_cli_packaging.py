"""The pre-commit hook definition and docs/output.md stay in step with the code."""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from boundary.cli import app
from boundary.findings import Category

from .conftest import ROOT


@pytest.fixture(scope="module")
def hook() -> dict[str, Any]:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    (only,) = [h for h in hooks if h["id"] == "boundary"]
    return dict(only)


def test_hook_runs_the_scan_on_json_and_yaml(hook: dict[str, Any]) -> None:
    assert hook["entry"] == "boundary scan"
    assert hook["pass_filenames"] is True
    assert sorted(hook["types_or"]) == ["json", "yaml"]
    assert hook["language"] == "python"


@pytest.mark.parametrize(
    ("path", "picked"),
    [
        ("template.yaml", True),
        ("sam/app/template.yml", True),
        ("infra/api.template.json", True),
        ("cfn/stack.yaml", True),
        ("plan.json", True),
        ("tf/tfplan.json", True),
        (".pre-commit-config.yaml", False),
        ("package.json", False),
        (".github/workflows/ci.yml", False),
        ("tsconfig.json", False),
    ],
)
def test_hook_picks_template_like_files(hook: dict[str, Any], path: str, picked: bool) -> None:
    assert bool(re.search(hook["files"], path)) is picked


@pytest.fixture(scope="module")
def terraform_hook() -> dict[str, Any]:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    (only,) = [h for h in hooks if h["id"] == "boundary-terraform"]
    return dict(only)


@pytest.mark.parametrize(
    ("path", "picked"),
    [
        ("main.tf", True),
        ("infra/modules/api/lambda.tf", True),
        ("terraform.tfvars", False),
        ("infra/main.tf.json", False),  # JSON configuration syntax: not read by boundary
        ("tfplan.json", False),  # the plan hook's
        ("notes/tf.md", False),
    ],
)
def test_terraform_hook_picks_tf_files(terraform_hook: dict[str, Any], path: str, picked: bool) -> None:
    assert terraform_hook["entry"] == "boundary scan" and terraform_hook["pass_filenames"] is True
    assert bool(re.search(terraform_hook["files"], path)) is picked


def test_terraform_hook_scans_each_folder_of_the_staged_files_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pre-commit names every staged `.tf` file: the scan reads the folder that holds them
    once, as a configuration, and finds what a scan of the folder finds."""
    folder = tmp_path / "infra"
    folder.mkdir()
    fixture = ROOT / "tests" / "rules" / "fixtures" / "admin-access" / "tf" / "main.tf"
    (folder / "main.tf").write_text(fixture.read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "variables.tf").write_text('variable "unused" {\n  default = "x"\n}\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    by_files = CliRunner().invoke(
        app, ["scan", "--no-progress", "--no-cache", "-f", "json", "infra/main.tf", "infra/variables.tf"]
    )
    by_folder = CliRunner().invoke(app, ["scan", "--no-progress", "--no-cache", "-f", "json", "infra"])
    assert by_files.exit_code == by_folder.exit_code == 1, by_files.output
    files, whole = json.loads(by_files.stdout), json.loads(by_folder.stdout)
    assert files["summary"]["files"] == 1
    assert files["findings"] and files["findings"] == whole["findings"]


def _output_doc() -> str:
    return (ROOT / "docs" / "output.md").read_text(encoding="utf-8")


def test_output_doc_explains_every_category() -> None:
    section = _output_doc().split("### Categories", 1)[1].split("\n## ", 1)[0]
    documented = re.findall(r"^\| `([a-z-]+)` \|", section, flags=re.MULTILINE)
    assert documented == [c.value for c in Category]


def test_output_doc_explains_every_json_finding_field() -> None:
    schema = json.loads(
        resources.files("boundary").joinpath("schemas/findings.schema.json").read_text("utf-8")
    )
    fields = set(schema["$defs"]["finding"]["properties"])
    section = _output_doc().split("### Finding fields", 1)[1].split("\n### ", 1)[0]
    documented = set(
        re.findall(r"`([a-z_]+)`", " ".join(re.findall(r"^\| ([^|]+) \|", section, re.MULTILINE)))
    )
    assert fields - documented == set()


# ------------------------------------------------ the distribution name (issue 11, item 1)

DISTRIBUTION = "serverless-boundary"


def _pyproject() -> dict[str, Any]:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib
    return dict(tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8")))


def test_distribution_is_not_the_pypi_boundary_project() -> None:
    project = _pyproject()["project"]
    assert project["name"] == DISTRIBUTION
    # the dev extra pulls the test extra of this project, not of PyPI's `boundary`
    own = [r for r in project["optional-dependencies"]["dev"] if "[" in r]
    assert own == [f"{DISTRIBUTION}[test]"]


def test_both_console_scripts_run_the_same_cli() -> None:
    scripts = _pyproject()["project"]["scripts"]
    assert scripts == {"boundary": "boundary.cli:main", DISTRIBUTION: "boundary.cli:main"}


def test_installed_metadata_carries_the_distribution_name() -> None:
    from importlib import metadata

    dist = metadata.distribution(DISTRIBUTION)
    assert {ep.name for ep in dist.entry_points if ep.group == "console_scripts"} >= {
        "boundary",
        DISTRIBUTION,
    }
    assert (dist.read_text("top_level.txt") or "boundary").split()[0] == "boundary"


def _markdown_files() -> list[Any]:
    skip = {".venv", ".git", "node_modules", ".ci-venv", ".ci-venv-nx3"}
    return [p for p in ROOT.rglob("*.md") if not skip & set(p.relative_to(ROOT).parts)]


@pytest.mark.parametrize("path", _markdown_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_docs_install_the_right_distribution(path: Any) -> None:
    text = path.read_text(encoding="utf-8")
    for target in re.findall(r"pip install (?:-\S+ )*['\"]?([^\s'\"]+)", text):
        name = re.split(r"[\[<>=~!]", target, maxsplit=1)[0]
        if name in {".", "-e"} or name.startswith((".", "/", "-")):
            continue  # a local checkout
        assert name != "boundary", f"{path.name}: `pip install {target}` installs an unrelated project"


def test_readme_says_how_to_run_beside_hashicorp_boundary() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"pip install {DISTRIBUTION}" in readme
    assert "python -m boundary" in readme
    assert f"{DISTRIBUTION} scan" in readme


def test_second_script_names_itself_in_usage() -> None:
    import subprocess
    import sys
    from pathlib import Path

    script = Path(sys.executable).parent / DISTRIBUTION
    assert script.exists(), "the install did not create the serverless-boundary console script"
    done = subprocess.run([str(script), "--help"], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert f"Usage: {DISTRIBUTION} " in done.stdout


def test_every_package_is_in_the_wheel() -> None:
    """The pyproject lists packages by hand: a new subpackage left out would import from a
    checkout and be missing from the installed wheel."""
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib

    root = ROOT
    listed = set(
        tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"]
    )
    found = {
        ".".join(("boundary", *init.parent.relative_to(root / "boundary").parts)).rstrip(".")
        for init in (root / "boundary").rglob("__init__.py")
    }
    found |= {"boundary.policies"} if (root / "policies" / "__init__.py").exists() else set()
    assert found - listed == set()
