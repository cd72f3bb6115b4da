"""What a scan imports: a start-up cost paid by every run, so a dependency that starts
importing something heavy shows here, not only in the benchmark's figures."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PLAN = ROOT / "tests" / "rules" / "fixtures" / "admin-access" / "tfplan.json"

_SCAN = """
import json, sys
from boundary.cli import main
try:
    main(["scan", sys.argv[1], "--no-cache", "--format", "json", "--output", sys.argv[2]])
except SystemExit as end:
    code = end.code
print(json.dumps({"code": code, "loaded": sorted({m.split(".")[0] for m in sys.modules})}))
"""


def test_a_plan_scan_imports_neither_pydantic_nor_the_sam_translator(tmp_path: Path) -> None:
    """A plan needs no SAM expansion, no YAML (its locations are read with the JSON
    marking parser, and only when a rule asks for one) and, in a scan this small, no
    process pool; and the CLI no validation library: typer 0.29 validates every option
    through pydantic (pyproject keeps typer below it)."""
    out = tmp_path / "findings.json"
    done = subprocess.run(
        [sys.executable, "-c", _SCAN, str(PLAN), str(out)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    result = json.loads(done.stdout.splitlines()[-1])
    assert result["code"] == 1, done.stderr  # the fixture's findings were reported
    assert json.loads(out.read_text(encoding="utf-8"))["findings"]
    assert "networkx" in result["loaded"]  # the scan ran as far as the graph
    assert not {"pydantic", "pydantic_core", "samtranslator"} & set(result["loaded"])
    assert not {"yaml", "multiprocessing", "concurrent"} & set(result["loaded"])
