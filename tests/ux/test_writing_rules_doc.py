"""Issue 11, item 6: the documented way to write a user rule works as written."""

from __future__ import annotations

import re
from pathlib import Path

import boundary

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "writing-rules.md"


def test_the_documented_rule_loads_and_reports(tmp_path: Path) -> None:
    text = DOC.read_text(encoding="utf-8")
    (python,) = re.findall(r"````python\n(.*?)````", text, re.DOTALL)
    (toml,) = re.findall(r"```toml\n(.*?)```", text, re.DOTALL)
    folder = tmp_path / "team-rules"
    folder.mkdir()
    (folder / "function_without_reserved_concurrency.py").write_text(python, encoding="utf-8")
    (folder / "function_without_reserved_concurrency.toml").write_text(toml, encoding="utf-8")
    result = boundary.analyze(
        [ROOT / "samples" / "sam" / "insecure" / "template.yaml"], rule_folders=[folder]
    )
    assert not [e for e in result.errors if e.is_error]
    found = [f for f in result.findings if f.rule_id == "ACME001"]
    assert found and all("ReservedConcurrentExecutions" in f.message for f in found)


def test_the_readme_links_the_rule_guide() -> None:
    assert "docs/writing-rules.md" in (ROOT / "README.md").read_text(encoding="utf-8")
