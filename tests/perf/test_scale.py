"""A guard against work that grows faster than the input, without a clock.

`benchmarks/bench_scale.py` times the cost per resource at 1,000 and 10,000 resources
(issue 12: within 1.5x); it is not run in CI, and a quadratic step (a rule that walks
every resource for every function) was once found only there. Here the work of a whole
scan (load, graph, rules) is counted in Python function calls, which do not depend on
the machine or its load, for a synthetic input and for one four times larger: the calls
per resource must not grow by more than half. A step that is quadratic in the resources
it reads multiplies them by about four. Three shapes: one SAM template, one Terraform
plan, a folder of templates (docs/performance.md, "Scale").
"""

from __future__ import annotations

import cProfile
import importlib.util
import json
import pstats
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import boundary

ROOT = Path(__file__).resolve().parents[2]
GROWTH = 1.5  # the bound of issue 12 on the cost per resource


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_templates", ROOT / "benchmarks" / "gen_templates.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _growth(small: Path, large: Path) -> float:
    """How much the calls per resource grow from `small` to `large`. The larger input is
    scanned once first: what a scan does once per process (imports, catalog entries,
    cached answers) is then done, and only the work that depends on the input is counted."""
    boundary.analyze([large])
    return _calls_per_resource(large) / _calls_per_resource(small)


def _calls_per_resource(path: Path) -> float:
    """Python function calls of a scan of `path` (one process, no cache), per resource."""
    profile = cProfile.Profile()
    result = profile.runcall(boundary.analyze, [path])
    assert not result.errors, [str(e) for e in result.errors]
    assert result.findings  # the rules had something to do
    resources = sum(len(t.resources) for t in result.templates)
    return pstats.Stats(profile).total_calls / resources  # type: ignore[attr-defined]


def _plan(units: int) -> dict[str, Any]:
    """A `terraform show -json` plan of `units` workloads: per unit a table, a queue, a
    function with its own role, an inline policy naming the table and the queue, and a
    policy attachment; every seventh function shares the role of the one before, every
    fifth policy grants `dynamodb:*` on `*`."""
    resources: list[dict[str, Any]] = []

    def add(kind: str, name: str, values: dict[str, Any]) -> None:
        resources.append(
            {"address": f"{kind}.{name}", "mode": "managed", "type": kind, "name": name, "values": values}
        )

    account = "123456789012"
    for index in range(units):
        table = f"arn:aws:dynamodb:us-east-1:{account}:table/orders-{index}"
        queue = f"arn:aws:sqs:us-east-1:{account}:jobs-{index}"
        role = index - 1 if index % 7 == 6 else index
        add("aws_dynamodb_table", f"t{index}", {"name": f"orders-{index}", "arn": table})
        add("aws_sqs_queue", f"q{index}", {"name": f"jobs-{index}", "arn": queue})
        add(
            "aws_iam_role",
            f"r{index}",
            {
                "name": f"role-{index}",
                "arn": f"arn:aws:iam::{account}:role/role-{index}",
                "assume_role_policy": json.dumps(
                    {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Principal": {"Service": "lambda.amazonaws.com"},
                                "Action": "sts:AssumeRole",
                            }
                        ],
                    }
                ),
            },
        )
        statements = [
            {"Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:PutItem"], "Resource": table},
            {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": queue},
        ]
        if index % 5 == 4:
            statements.append({"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"})
        add(
            "aws_iam_role_policy",
            f"p{index}",
            {
                "name": f"policy-{index}",
                "role": f"role-{index}",
                "policy": json.dumps({"Version": "2012-10-17", "Statement": statements}),
            },
        )
        add(
            "aws_iam_role_policy_attachment",
            f"a{index}",
            {
                "role": f"role-{index}",
                "policy_arn": "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
            },
        )
        add(
            "aws_lambda_function",
            f"f{index}",
            {
                "function_name": f"fn-{index}",
                "arn": f"arn:aws:lambda:us-east-1:{account}:function:fn-{index}",
                "role": f"arn:aws:iam::{account}:role/role-{role}",
                "environment": [{"variables": {"TABLE": f"orders-{index}", "QUEUE": queue}}],
            },
        )
    return {
        "format_version": "1.2",
        "terraform_version": "1.9.0",
        "planned_values": {"root_module": {"resources": resources}},
        "configuration": {"root_module": {}},
    }


@pytest.mark.parametrize("units", [(12, 48)])
def test_sam_scan_work_grows_linearly(tmp_path: Path, units: tuple[int, int]) -> None:
    generator = _generator()
    small, large = (tmp_path / "small.yaml", tmp_path / "large.yaml")
    small.write_text(generator.template(units[0]), encoding="utf-8")
    large.write_text(generator.template(units[1]), encoding="utf-8")
    ratio = _growth(small, large)
    assert ratio <= GROWTH, f"calls per resource grew {ratio:.2f}x for 4x the resources"


@pytest.mark.parametrize("units", [(25, 100)])
def test_plan_scan_work_grows_linearly(tmp_path: Path, units: tuple[int, int]) -> None:
    small, large = (tmp_path / "small" / "plan.json", tmp_path / "large" / "plan.json")
    for path, count in ((small, units[0]), (large, units[1])):
        path.parent.mkdir()
        path.write_text(json.dumps(_plan(count)), encoding="utf-8")
    ratio = _growth(small, large)
    assert ratio <= GROWTH, f"calls per resource grew {ratio:.2f}x for 4x the resources"


@pytest.mark.parametrize("templates", [(8, 32)])
def test_folder_scan_work_grows_linearly(tmp_path: Path, templates: tuple[int, int]) -> None:
    """Many templates in one folder: what ties files together (an ARN one names and
    another declares) must not compare every file with every other."""
    generator = _generator()
    small, large = (tmp_path / "small", tmp_path / "large")
    generator.write(small, resources=27, templates=templates[0])
    generator.write(large, resources=27, templates=templates[1])
    ratio = _growth(small, large)
    assert ratio <= GROWTH, f"calls per resource grew {ratio:.2f}x for 4x the templates"
