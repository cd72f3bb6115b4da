"""The pipeline runs one way: a stage imports only from the stages before it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# stage -> the boundary packages it may import (itself included)
ALLOWED = {
    "model": {"model"},
    "findings": {"model", "findings"},
    "iam": {"model", "iam"},
    "load": {"model", "iam", "load"},
    "graph": {"model", "iam", "graph"},
    "config": {"rules", "config"},
    "rules": {"model", "findings", "iam", "graph", "rules", "policies", "config"},
    "policies": {"model", "findings", "iam", "graph", "rules", "policies"},
    "scanner": {"model", "findings", "load", "graph", "rules", "config", "scanner"},
    "report": {"model", "findings", "rules", "config", "scanner", "report", "iam"},
    # the Checkov adapter: boundary's public API (`import boundary`, `boundary.rules`,
    # `boundary.findings`, `boundary.config`) only
    "integrations": {"findings", "rules", "config", "integrations"},
    "export": {"model", "findings", "graph", "rules", "export"},
    # granted against used, and policies from activity: the whole pipeline with activity
    "audit": {"model", "findings", "iam", "load", "graph", "rules", "config", "audit"},
}
# what no stage but the command line may import: the integrations sit on top of the core
CORE = {stage for stage in ALLOWED if stage != "integrations"}


def _stage(path: Path) -> str:
    relative = path.relative_to(ROOT)
    if relative.parts[0] == "policies":
        return "policies"
    name = relative.parts[1]
    return name[:-3] if name.endswith(".py") else name


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[0] == "boundary" and len(parts) > 1:
                found.add(parts[1])
    return found


SOURCES = sorted(
    p for p in [*(ROOT / "boundary").rglob("*.py"), *(ROOT / "policies").glob("*.py")] if _stage(p) in ALLOWED
)


@pytest.mark.parametrize("path", SOURCES, ids=[str(p.relative_to(ROOT)) for p in SOURCES])
def test_stage_imports_only_earlier_stages(path: Path) -> None:
    stage = _stage(path)
    wrong = _imports(path) - ALLOWED[stage]
    assert not wrong, f"{path.relative_to(ROOT)} ({stage}) imports {sorted(wrong)}"


def _private_imports(path: Path) -> set[str]:
    """Modules imported from `boundary` whose path has an `_underscore` part."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return {n for n in names if n.startswith("boundary.") and any(p.startswith("_") for p in n.split("."))}


INTEGRATIONS = sorted((ROOT / "boundary" / "integrations").rglob("*.py"))


@pytest.mark.parametrize("path", INTEGRATIONS, ids=[str(p.relative_to(ROOT)) for p in INTEGRATIONS])
def test_integrations_use_the_public_api_only(path: Path) -> None:
    private = {n for n in _private_imports(path) if not n.startswith("boundary.integrations.")}
    assert not private, f"{path.relative_to(ROOT)} imports private modules {sorted(private)}"


def test_nothing_in_the_core_imports_the_integrations() -> None:
    core = [p for p in SOURCES if _stage(p) in CORE]
    assert core
    offenders = [str(p.relative_to(ROOT)) for p in core if "integrations" in _imports(p)]
    assert not offenders


def test_model_is_pure() -> None:
    """model.py has no I/O and no networkx."""
    tree = ast.parse((ROOT / "boundary" / "model.py").read_text(encoding="utf-8"))
    modules = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    modules |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert modules <= {"__future__", "enum", "collections.abc", "dataclasses", "typing"}, modules
    calls = {
        node.func.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    }
    assert "open" not in calls
