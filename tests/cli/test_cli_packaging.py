"""The pre-commit hook definition and docs/output.md stay in step with the code."""

from __future__ import annotations

import json
import re
from importlib import resources
from typing import Any

import pytest
import yaml

from boundary.rules._finding import Category

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
