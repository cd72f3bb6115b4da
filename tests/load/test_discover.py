"""Which files a scan of a folder looks at."""

from __future__ import annotations

from pathlib import Path

import boundary
from boundary.load import discover

TEMPLATE = 'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  T: {Type: AWS::SNS::Topic}\n'


def _tree(root: Path) -> None:
    for relative in (
        "app/template.yaml",
        "app/.aws-sam/build/template.yaml",  # SAM build output: a copy of the source
        ".github/workflows/ci.yml",
        "node_modules/pkg/template.yaml",
        "cdk.out/Stack.template.json",
        "env/pyvenv.cfg",
        "env/lib/template.yaml",  # a virtual environment, whatever its name
        "infra/plan.json",
        "infra/notes.txt",
    ):
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(TEMPLATE if path.suffix in (".yaml", ".yml", ".json") else "", encoding="utf-8")


def test_walking_skips_tool_state_dependencies_and_environments(tmp_path: Path) -> None:
    _tree(tmp_path)
    found = {Path(file).relative_to(tmp_path).as_posix() for file, named in discover([tmp_path])}
    assert found == {"app/template.yaml", "infra/plan.json"}


def test_a_named_hidden_folder_is_scanned(tmp_path: Path) -> None:
    _tree(tmp_path)
    found = {Path(file).name for file, _ in discover([tmp_path / "app" / ".aws-sam"])}
    assert found == {"template.yaml"}


def test_exclude_globs(tmp_path: Path) -> None:
    _tree(tmp_path)
    found = {
        Path(file).relative_to(tmp_path).as_posix() for file, _ in discover([tmp_path], exclude=["infra/*"])
    }
    assert found == {"app/template.yaml"}


def test_walked_files_that_are_not_templates_are_skipped_silently(tmp_path: Path) -> None:
    (tmp_path / "compose.yaml").write_text("services:\n  web: {image: nginx}\n", encoding="utf-8")
    (tmp_path / "package.json").write_text('{"name": "x"}', encoding="utf-8")
    (tmp_path / "template.yaml").write_text(TEMPLATE, encoding="utf-8")
    result = boundary.analyze([tmp_path])
    assert result.errors == ()
    assert [Path(t.path).name for t in result.templates] == ["template.yaml"]
    named = boundary.analyze([tmp_path / "compose.yaml"])
    assert len(named.errors) == 1 and "not a SAM template" in named.errors[0].message
