"""Validation over every policy document in the real SAM/CloudFormation corpus.

The documents are read straight from the templates (intrinsics become
`Symbolic`, `!Sub` strings keep their `${...}`), without the loaders, so this
tests boundary.iam alone: it must never raise, and what it reports must be
well-formed and free of the false alarms the corpus once showed (YAML dates as
Version, `arn:aws:logs:*`, `execute-api:/*`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from boundary.iam import CHECKS, validate_policy
from boundary.model import Symbolic

pytestmark = pytest.mark.corpus


class _TemplateLoader(yaml.SafeLoader):
    pass


def _intrinsic(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if suffix == "Sub":
            return value
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return Symbolic(f"!{suffix} {value!r}", reason="intrinsic function")


_TemplateLoader.add_multi_constructor("!", _intrinsic)


def _resolve(value: Any) -> Any:
    if isinstance(value, dict):
        if len(value) == 1:
            (key,) = value
            if key == "Fn::Sub" and isinstance(value[key], str):
                return value[key]
            if key.startswith("Fn::") or key == "Ref":
                return Symbolic(json.dumps(value, default=str), reason="intrinsic function")
        return {k: _resolve(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve(v) for v in value]
    return value


def _policies(value: Any, path: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(value, dict):
        body = value.get("Statement")
        if isinstance(body, (list, dict)) and all(
            isinstance(s, dict) and ("Action" in s or "NotAction" in s)
            for s in (body if isinstance(body, list) else [body])
        ):
            yield path, value
        for key, item in value.items():
            yield from _policies(item, f"{path}/{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _policies(item, f"{path}[{index}]")


def test_corpus_policies_validate_cleanly(corpus_dir: Path) -> None:
    templates = sorted((corpus_dir / "sam" / "serverless-patterns").glob("*"))
    seen = 0
    for template in templates:
        if template.suffix not in (".yaml", ".yml", ".json"):
            continue
        try:
            text = template.read_text(encoding="utf-8")
            data = json.loads(text) if template.suffix == ".json" else yaml.load(text, Loader=_TemplateLoader)
        except (ValueError, yaml.YAMLError):
            continue  # not this module's input to judge
        for path, document in _policies(_resolve(data)):
            seen += 1
            kind = "trust" if "AssumeRolePolicyDocument" in path else "identity"
            if kind == "identity" and any(
                "Principal" in s for s in document.get("Statement", []) if isinstance(s, dict)
            ):
                kind = "resource"
            for issue in validate_policy(document, kind=kind):
                where = f"{template.name} {path}: {issue.message}"
                assert issue.check in CHECKS, where
                assert issue.severity is CHECKS[issue.check].severity, where
                if issue.statement_index is not None:
                    assert issue.message.startswith(f"Statement[{issue.statement_index}]"), where
                assert issue.check not in ("invalid-version", "invalid-arn", "invalid-json"), where
    assert seen > 100, "the corpus should hold hundreds of policies"
