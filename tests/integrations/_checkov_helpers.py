"""Shared by the Checkov adapter tests: which files, and what their users wrote."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

import boundary

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "rules" / "fixtures"
SAMPLES = ROOT / "samples"


def template_files() -> list[Path]:
    """Every sample and rule fixture boundary scans as a template or plan (a folder walk
    passes over what is not one, such as exported access activity)."""
    result = boundary.analyze([FIXTURES, SAMPLES])
    assert not result.errors, [str(e) for e in result.errors]
    return sorted(Path(t.path).resolve() for t in result.templates)


class _AnyTag(yaml.SafeLoader):
    """Reads CloudFormation YAML (`!Ref`, `!GetAtt`...) for its resource types only."""


_AnyTag.add_multi_constructor("!", lambda loader, suffix, node: None)


def source_types(path: Path) -> dict[str, str]:
    """Logical id -> the type the user wrote (SAM types included), straight from the file."""
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=_AnyTag)  # noqa: S506 - SafeLoader subclass
    resources = data.get("Resources") if isinstance(data, dict) else None
    return {k: str(v.get("Type")) for k, v in (resources or {}).items() if isinstance(v, dict)}


def is_terraform(path: Path) -> bool:
    """A plan, or a folder of `.tf` files (a configuration scanned without a plan): both
    name resources by address."""
    return path.is_dir() or is_plan(path)


def is_plan(path: Path) -> bool:
    if path.suffix != ".json":
        return False
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except ValueError:
        return False
    return isinstance(data, dict) and "format_version" in data and "Resources" not in data


def terraform_type(address: str) -> str:
    """`module.a.aws_iam_role.x["k"]` -> `aws_iam_role`; `provider.aws.west` -> `provider.aws`."""
    parts = re.sub(r"\[[^\]]*\]", "", address).split(".")
    if parts[0] == "provider":
        return ".".join(parts[:2])
    while parts and parts[0] == "module":
        parts = parts[2:]
    return parts[-2] if parts[0] == "data" else parts[0]


def resource_blocks(path: Path) -> list[tuple[int, str]]:
    """(first line, logical id) of each resource the file's YAML text writes, in order: the
    keys one level under the top-level `Resources:`, read from the text (not from boundary)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    blocks: list[tuple[int, str]] = []
    inside, indent = False, None
    for number, text in enumerate(lines, start=1):
        if not text.strip() or text.lstrip().startswith("#"):
            continue
        if not text[0].isspace():
            inside = text.split("#", 1)[0].strip() == "Resources:"
            continue
        if not inside:
            continue
        width = len(text) - len(text.lstrip())
        indent = width if indent is None else indent
        match = re.match(r"\s*([A-Za-z0-9]+):\s*(#.*)?$", text)
        if width == indent and match:
            blocks.append((number, match.group(1)))
    return blocks


def resource_at(path: Path, line: int) -> tuple[str, str] | None:
    """(logical id, type as written) of the resource whose block in the file holds `line`."""
    before = [name for start, name in resource_blocks(path) if start <= line]
    if not before:
        return None
    return before[-1], source_types(path).get(before[-1], "")
