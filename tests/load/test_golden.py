"""Golden models: every sample and fixture, loaded, serialised to JSON and checked in.

`tests/load/golden/<path of the input>.json` holds what `boundary.load` makes of
each input file: every resource, policy, relation, endpoint, unresolved value and
load error, with sorted keys and paths relative to the repository. The source
lines are left out (they are the input itself).

They are the safety net for changing the loaders: a golden file changes only on
purpose, with `python scripts/update_golden.py` (or
`pytest tests/load/test_golden.py --update-snapshots`), and its diff is reviewed
and named in the commit message.
"""

from __future__ import annotations

import dataclasses
import enum
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

import boundary
from boundary.model import Location, Symbolic

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).parent / "golden"
_SUFFIXES = (".yaml", ".yml", ".json", ".template")
# Every input the suite loads from disk: the samples and the fixture folders. Sources
# beside them (Lambda code, the Terraform sources plans were made from) are not inputs,
# nor is access activity (`activity/`: CloudTrail logs, which `boundary audit` reads).
_INPUT_DIRS = ("samples", "tests/rules/fixtures", "tests/fixtures")
INPUTS = sorted(
    p.relative_to(ROOT)
    for folder in _INPUT_DIRS
    for p in (ROOT / folder).rglob("*")
    if p.is_file() and p.suffix in _SUFFIXES and not {"src", "activity"} & set(p.relative_to(ROOT).parts)
)
# Fields that say nothing the input does not: the raw lines are the file itself.
_SKIPPED_FIELDS = frozenset({"source_lines", "locate"})


def _location(location: Location) -> str:
    return str(location)


def to_jsonable(value: Any) -> Any:
    """A model value as compact, deterministic JSON data.

    Dataclass fields equal to their default are left out; a `Location` is its
    `file:line:column (address)` text; a `Symbolic` is `{"$symbolic": text, ...}`
    so it never reads as a plain string.
    """
    if isinstance(value, Location):
        return _location(value)
    if isinstance(value, Symbolic):
        out: dict[str, Any] = {"$symbolic": value.text}
        if value.references:
            out["references"] = list(value.references)
        if value.reason:
            out["reason"] = value.reason
        if value.attributes:
            out["attributes"] = [list(pair) for pair in value.attributes]
        return out
    if isinstance(value, enum.Enum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        result: dict[str, Any] = {}
        for f in dataclasses.fields(value):
            if f.name in _SKIPPED_FIELDS:
                continue
            item = getattr(value, f.name)
            if f.name == "aws_type" and item == getattr(value, "type", None):
                continue  # the canonical type is shown where it differs from the native one
            if f.default is not dataclasses.MISSING and item == f.default:
                continue
            if f.default_factory is not dataclasses.MISSING and item == f.default_factory():
                continue
            result[f.name] = to_jsonable(item)
        return result
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return {"$repr": repr(value)}  # pragma: no cover - a model value the serialiser does not know


def golden_text(path: Path) -> str:
    """What the golden file for one input (relative to the repository root) holds."""
    model = boundary.load([path])
    data = {"templates": to_jsonable(model.templates), "errors": to_jsonable(model.errors)}
    return json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def golden_path(path: Path) -> Path:
    return GOLDEN / (str(path.as_posix()) + ".json")


def test_there_are_inputs() -> None:
    assert len(INPUTS) > 40
    assert Path("samples/sam/insecure/template.yaml") in INPUTS


@pytest.mark.parametrize("path", INPUTS, ids=[p.as_posix() for p in INPUTS])
def test_loaded_model_matches_golden(
    path: Path, update_snapshots: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)  # paths in the model are relative, as a user in the checkout sees them
    text = golden_text(path)
    target = golden_path(path)
    if update_snapshots:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        return
    assert target.is_file(), f"no golden model for {path}: run python scripts/update_golden.py"
    assert text == target.read_text(encoding="utf-8"), (
        f"the model loaded from {path} changed; review, then python scripts/update_golden.py"
    )


def test_no_stale_golden_files() -> None:
    """A golden file whose input is gone is a test that checks nothing."""
    expected = {golden_path(p) for p in INPUTS}
    stale = sorted(str(p.relative_to(ROOT)) for p in GOLDEN.rglob("*.json") if p not in expected)
    assert not stale, f"golden files without an input (delete them): {stale}"
