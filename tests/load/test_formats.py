"""One loader interface: each format recognises its content and loads it into a template."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from boundary.load.formats import (
    LOADERS,
    CloudFormationLoader,
    SamLoader,
    Source,
    TerraformPlanLoader,
    load_text,
)
from boundary.load.options import LoadOptions
from boundary.model import Format

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("sample", "loader"),
    [
        ("samples/sam/insecure/template.yaml", SamLoader),
        ("samples/terraform/insecure/plan.json", TerraformPlanLoader),
        ("tests/rules/fixtures/admin-access/cfn.yaml", CloudFormationLoader),
    ],
)
def test_exactly_the_first_loader_that_recognises_a_file_loads_it(sample: str, loader: type) -> None:
    source = Source(sample, (ROOT / sample).read_text(encoding="utf-8"), LoadOptions())
    recognising = [type(candidate) for candidate in LOADERS if candidate.recognises(source)]
    assert recognising[0] is loader
    template = recognising[0]().load(source)
    assert template.format is loader.format
    assert template.resources


def test_a_sam_template_is_also_a_cloudformation_template_but_sam_asks_first() -> None:
    text = "Transform: AWS::Serverless-2016-10-31\nResources:\n  Q:\n    Type: AWS::SQS::Queue\n"
    source = Source("t.yaml", text)
    assert SamLoader().recognises(source) and CloudFormationLoader().recognises(source)
    assert [type(loader) for loader in LOADERS].index(SamLoader) < [type(loader) for loader in LOADERS].index(
        CloudFormationLoader
    )
    template = load_text("t.yaml", text, LoadOptions(), named=True)
    assert template is not None and template.format is Format.SAM


def test_content_no_loader_recognises() -> None:
    assert load_text("notes.yaml", "title: not a template\n", LoadOptions(), named=False) is None
    with pytest.raises(Exception, match="no 'Resources'"):
        load_text("notes.yaml", "title: not a template\n", LoadOptions(), named=True)


def test_the_text_is_parsed_once() -> None:
    source = Source("t.yaml", "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n")
    assert source.document() is source.document()
    assert source.plan_json() is None  # not a JSON object that mentions format_version


def test_boundary_load_is_the_function_whatever_is_imported_after() -> None:
    """No callable-module trick: `boundary.load` is a plain function and its package a
    plain module, whichever loader modules are imported, in whatever order."""
    code = (
        "import sys, types\n"
        "import boundary.load.sam, boundary.load.terraform, boundary.load.cloudformation\n"
        "import boundary\n"
        "assert isinstance(boundary.load, types.FunctionType), boundary.load\n"
        "assert type(sys.modules['boundary.load']) is types.ModuleType\n"
        "assert boundary.load is sys.modules['boundary.load'].load\n"
        "model = boundary.load(['samples/sam/secure/template.yaml'])\n"
        "assert model.templates and not model.errors, model.errors\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
