"""Issue 11, item 5: messages that do not mislead."""

from __future__ import annotations

import textwrap
from pathlib import Path

from typer.testing import CliRunner

import boundary
from boundary.cli import app

ROOT = Path(__file__).resolve().parents[2]


def test_related_never_repeats_the_resource() -> None:
    result = boundary.analyze([ROOT / "samples"])
    assert result.findings
    assert [f for f in result.findings if f.resource in f.related] == []


def test_a_named_file_that_is_no_template_says_so(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("# Title\n\nSome text: with a colon: and another.\n- a list\n", encoding="utf-8")
    (error,) = boundary.analyze([readme]).errors
    assert error.message.startswith("not a SAM template, CloudFormation template or Terraform plan")


def test_sam_types_without_the_transform_are_refused_where_written(tmp_path: Path) -> None:
    path = tmp_path / "template.yaml"
    path.write_text(
        textwrap.dedent(
            """\
            AWSTemplateFormatVersion: "2010-09-09"
            Resources:
              Fn:
                Type: AWS::Serverless::Function
                Properties: {Runtime: python3.12, Handler: index.handler, InlineCode: x}
            """
        ),
        encoding="utf-8",
    )
    result = boundary.analyze([path])
    (error,) = result.errors
    assert error.is_error and (error.line, error.column) == (4, 5)
    assert "AWS::Serverless::Function" in error.message and "Transform" in error.message
    assert CliRunner().invoke(app, ["scan", "--no-progress", str(path)]).exit_code == 2
