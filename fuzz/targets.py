"""Fuzz targets, one per loader: bytes in, no uncaught exception and no wrapped crash out.

A target writes the input to a scratch file (the loaders read files, as a scan
does) and runs the whole scan over it: loader, graph and rules. Bad input must
come back as located errors; an exception, or an error that wraps one
("internal error"), is a bug. `fuzz/run.py` drives the targets.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_SCRATCH = Path(tempfile.mkdtemp(prefix="boundary-fuzz-"))
# What a crash wrapped as an error reads like (tests/test_robustness.py holds the same rule).
CRASH = re.compile(r"\b(Traceback|internal error|[A-Z][a-zA-Z]*(Error|Exception)\b:)")


class FuzzFailure(AssertionError):
    """The input broke the contract: an uncaught exception, or a crash wrapped as an error."""


def _scan(data: bytes, name: str) -> None:
    import boundary

    path = _SCRATCH / name
    path.write_bytes(data)
    result = boundary.analyze([path])
    for error in list(result.errors) + [w for t in result.templates for w in getattr(t, "warnings", ())]:
        if "\n" in error.message or CRASH.search(error.message):
            raise FuzzFailure(f"{name}: {error}")


def _policy(data: bytes) -> None:
    from boundary.iam import validate_policy
    from boundary.load import SourceError, load_policy

    path = _SCRATCH / "policy.json"
    path.write_bytes(data)
    try:
        document = load_policy(path)
    except SourceError as error:
        if CRASH.search(error.message):
            raise FuzzFailure(f"policy: {error.message}") from None
        return
    validate_policy(document)


@dataclass(frozen=True)
class Target:
    name: str
    run: Callable[[bytes], None]
    seeds: Callable[[], Iterator[bytes]]


def _files(*patterns: str) -> Callable[[], Iterator[bytes]]:
    def found() -> Iterator[bytes]:
        for pattern in patterns:
            for path in sorted(p for p in ROOT.glob(pattern) if p.is_file()):
                yield path.read_bytes()

    return found


def _as_json(pattern: str) -> Iterator[bytes]:
    """The YAML fixtures in their JSON form (short-form tags as CloudFormation reads them)."""
    import json

    from boundary.load._yaml import parse_document

    for path in sorted(ROOT.glob(pattern)):
        yield json.dumps(parse_document(path.read_text(encoding="utf-8"), str(path)).data, indent=1).encode()


def _policies() -> Iterator[bytes]:
    """Policy documents: written here, and each inline policy of the fixture templates."""
    yield b'{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}'
    yield b'{"Version": "2012-10-17", "Statement": {"Effect": "Deny", "NotAction": ["iam:*"], "NotResource": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}}'
    yield b'{"Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]}'
    import json

    for path in sorted(ROOT.glob("tests/rules/fixtures/**/tfplan.json")):
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r'"policy": "((?:[^"\\]|\\.)*)"', text):
            try:
                yield json.loads(f'"{match.group(1)}"').encode()
            except ValueError:
                continue


TARGETS: dict[str, Target] = {
    target.name: target
    for target in (
        Target(
            "cloudformation-yaml",
            lambda data: _scan(data, "template.yaml"),
            _files("tests/rules/fixtures/**/cfn*.yaml"),
        ),
        Target(
            "cloudformation-json",
            lambda data: _scan(data, "template.json"),
            lambda: _as_json("tests/rules/fixtures/**/cfn*.yaml"),
        ),
        Target(
            "sam",
            lambda data: _scan(data, "template.yaml"),
            _files("samples/sam/**/*.yaml", "tests/rules/fixtures/**/sam*.yaml"),
        ),
        Target(
            "terraform-plan",
            lambda data: _scan(data, "plan.json"),
            _files(
                "samples/terraform/**/*.json",
                "tests/fixtures/terraform/*.json",
                "tests/rules/fixtures/**/tfplan*.json",
            ),
        ),
        Target("policy", _policy, _policies),
    )
}

# hostile input (tests/hostile.py) -> the target whose seed corpus holds it
HOSTILE_SEEDS = {
    "merge-bomb": "cloudformation-yaml",
    "sub-bomb": "cloudformation-json",
    "terraform-cycle-3": "terraform-plan",
    "terraform-cycle-4": "terraform-plan",
    "star-roles": "terraform-plan",
    "many-actions": "cloudformation-json",
    "wildcard-actions": "cloudformation-json",
}


def scratch_cleanup() -> None:
    for child in _SCRATCH.iterdir():
        child.unlink()
    os.rmdir(_SCRATCH)
