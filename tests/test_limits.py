"""Denial of service from small inputs (issue 16, S2) and the per-file limits.

Each hostile input is rebuilt by a generator (tests/hostile.py). The guards are
checked by counting the work they bound, or by the limit's error, so that a
test fails when its guard is removed; the whole inputs also run in a child
process with a memory cap and a generous timeout. Speed itself is measured in
docs/security.md, not asserted here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hostile import (
    many_actions,
    merge_bomb,
    star_roles,
    sub_bomb,
    terraform_cycle,
    wide_yaml,
    wildcard_actions,
)

import boundary
from boundary.config import ConfigError, parse_config
from boundary.load import SourceError, _intrinsics, terraform
from boundary.load._yaml import parse_document
from boundary.load.terraform.references import Resolver as PlanResolver
from boundary.model import Limits
from boundary.scanner import ScanResult

ROOT = Path(__file__).resolve().parents[1]

GOOD = """\
Resources:
  AdminRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - {Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}
      Policies:
        - PolicyName: everything
          PolicyDocument:
            Statement:
              - {Effect: Allow, Action: '*', Resource: '*'}
"""


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _only_error(result: ScanResult, path: Path) -> Any:
    errors = [e for e in result.errors if e.file == str(path)]
    assert len(errors) == 1, result.errors
    return errors[0]


def _scan_bounded(
    *args: str, seconds: float = 120, megabytes: int = 1500
) -> subprocess.CompletedProcess[str]:
    """`boundary scan ARGS` in a child with an address-space cap: a removed guard fails
    here by running out of memory or time instead of taking the machine with it."""
    code = (
        "import resource, sys\n"
        f"resource.setrlimit(resource.RLIMIT_AS, ({megabytes} << 20, {megabytes} << 20))\n"
        "from boundary.cli import main\n"
        "main(sys.argv[1:])\n"
    )
    env = {**os.environ, "NO_COLOR": "1", "CI": "1"}
    return subprocess.run(
        [sys.executable, "-c", code, "scan", "--no-progress", *args],
        capture_output=True,
        text=True,
        timeout=seconds,
        env=env,
        check=False,
    )


# ------------------------------------------------------------------ 1. YAML merge keys


def test_merge_keys_are_counted_before_they_are_expanded() -> None:
    # 30 levels double to 2**30 keys; counted while merging, the limit stops them early
    with pytest.raises(SourceError) as caught:
        parse_document(merge_bomb(30), "t.yaml", Limits(max_nodes=5_000))
    assert "too many elements" in caught.value.message
    assert caught.value.line >= 1


def test_merge_keys_within_the_limit_still_merge() -> None:
    document = parse_document(merge_bomb(5), "t.yaml")
    assert set(document.data["m4"]) == {f"k{i}" for i in range(5)}


@pytest.mark.slow
def test_merge_bomb_scan_is_one_located_error(tmp_path: Path) -> None:
    bomb = _write(tmp_path, "bomb.yaml", merge_bomb(30))
    good = _write(tmp_path, "good.yaml", GOOD)
    run = _scan_bounded(str(bomb), str(good), "--format", "json")
    assert run.returncode == 2, run.stderr
    (line,) = [x for x in run.stderr.splitlines() if x.startswith(str(bomb))]
    assert "too many elements" in line and f"{bomb}:4:" in line
    assert json.loads(run.stdout)["findings"], "the good file beside it must still be scanned"


# ------------------------------------------------------------------ 2. nested Fn::Sub


def test_nested_sub_is_walked_once_per_level(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = 0
    references = _intrinsics.Resolver.references

    def counting(self: _intrinsics.Resolver, value: Any) -> frozenset[str]:
        nonlocal calls
        calls += 1
        return references(self, value)

    monkeypatch.setattr(_intrinsics.Resolver, "references", counting)
    data = json.loads(sub_bomb(16))
    resolver = _intrinsics.Resolver(data, file="t.json")
    properties = data["Resources"]["T"]["Properties"]
    assert resolver.resolve(properties) == {"TopicName": "x"}
    assert resolver.references(properties) == frozenset()
    assert calls <= 16 + 1, f"{calls} walks for 16 levels: the variables are walked more than once"


def test_resolution_is_bounded_in_total_work(tmp_path: Path) -> None:
    bomb = _write(tmp_path, "sub.json", sub_bomb(26))
    result = boundary.analyze([bomb], limits=Limits(max_work=20))
    error = _only_error(result, bomb)
    assert "too much work" in error.message and "--limit max-work" in error.message


@pytest.mark.slow
def test_sub_bomb_scans_clean(tmp_path: Path) -> None:
    # The documented result: it loads, the topic's name resolves to "x", no finding.
    bomb = _write(tmp_path, "sub.json", sub_bomb(26))
    run = _scan_bounded(str(bomb), "--format", "json")
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["findings"] == []


# ------------------------------------------------------------------ 3. Terraform reference cycles


@pytest.mark.parametrize("fan_out", [3, 4])
def test_terraform_references_are_memoised(monkeypatch: pytest.MonkeyPatch, fan_out: int) -> None:
    calls = 0
    once = PlanResolver._resolve_once

    def counting(self: Any, *args: Any) -> list[str]:
        nonlocal calls
        calls += 1
        return once(self, *args)

    monkeypatch.setattr(PlanResolver, "_resolve_once", counting)
    template = terraform.load_plan_text(terraform_cycle(fan_out), file="plan.json")
    assert "module.m.aws_iam_role.r" in template.resources
    assert calls <= 10 * fan_out * fan_out, f"{calls} resolutions for fan-out {fan_out}"


def test_terraform_cycle_over_the_work_limit_is_an_error(tmp_path: Path) -> None:
    plan = _write(tmp_path, "plan.json", terraform_cycle(4))
    error = _only_error(boundary.analyze([plan], limits=Limits(max_work=5)), plan)
    assert "too much work" in error.message


@pytest.mark.slow
@pytest.mark.parametrize("fan_out", [3, 4])
def test_terraform_cycle_scans_clean(tmp_path: Path, fan_out: int) -> None:
    plan = _write(tmp_path, "plan.json", terraform_cycle(fan_out))
    run = _scan_bounded(str(plan), "--format", "json")
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["findings"] == []


# ------------------------------------------------------------------ 4. size


def test_wildcard_action_expansion_matches_few_names(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib

    from boundary.iam import _glob

    catalog = importlib.import_module("boundary.iam.catalog")
    cat = catalog.Catalog()
    every = cat.expand("*:GetObject")  # index every service once
    assert "s3:GetObject" in every
    calls = 0
    match = _glob.match

    def counting(pattern: str, value: str, *, case_sensitive: bool = True) -> bool:
        nonlocal calls
        calls += 1
        return match(pattern, value, case_sensitive=case_sensitive)

    monkeypatch.setattr(catalog._glob, "match", counting)
    found = cat.expand("*:GetObjectT*")
    assert "s3:GetObjectTagging" in found
    assert calls < 200, f"{calls} glob matches for one `*:` pattern: every action was matched"
    assert cat.expand("*:GetObjectT*") is found  # memoised per pattern


def test_a_statement_with_many_actions_answers_by_lookup(monkeypatch: pytest.MonkeyPatch) -> None:
    from boundary.iam import evaluate
    from boundary.model import Statement

    actions = tuple(f"s3:GetObject{i}" for i in range(5_000)) + ("dynamodb:Get*",)
    statement = Statement(effect="Allow", actions=actions, resources=("*",))
    calls = 0
    match = evaluate.wildcard_match

    def counting(pattern: str, value: str, *, case_sensitive: bool = True) -> bool:
        nonlocal calls
        calls += 1
        return match(pattern, value, case_sensitive=case_sensitive)

    monkeypatch.setattr(evaluate, "wildcard_match", counting)
    for i in range(0, 5_000, 50):
        assert evaluate.action_matches(statement, f"S3:getobject{i}")
    assert evaluate.action_matches(statement, "dynamodb:GetItem")
    assert not evaluate.action_matches(statement, "s3:PutObject")
    assert calls <= 102, f"{calls} matches: every action of the statement was matched per question"


def test_too_many_actions_is_one_error(tmp_path: Path) -> None:
    big = _write(tmp_path, "big.json", many_actions(100_000))
    good = _write(tmp_path, "good.yaml", GOOD)
    result = boundary.analyze([big, good])
    error = _only_error(result, big)
    assert "too many actions (more than 10000)" in error.message and error.column > 1
    assert any(Path(f.location.file).name == "good.yaml" for f in result.findings)


def test_star_grants_are_one_edge_per_statement(tmp_path: Path) -> None:
    plan = _write(tmp_path, "plan.json", star_roles(60))
    graph = boundary.build_graph(boundary.load([plan]))
    grants = [(u, v) for u, v, k in graph.edges(data="kind") if k == "grants"]
    assert len(grants) <= 2 * 60, f"{len(grants)} grant edges for 60 roles with `*` on `*`"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "make", "code"),
    [
        ("star-roles.json", star_roles, 1),
        ("wildcard-actions.json", wildcard_actions, 1),
        ("many-actions.json", many_actions, 2),
    ],
)
def test_size_inputs_finish(tmp_path: Path, name: str, make: Any, code: int) -> None:
    path = _write(tmp_path, name, make())
    run = _scan_bounded(str(path), "--format", "json", "--quiet")
    assert run.returncode == code, run.stderr[-2000:]


def test_a_wide_yaml_stops_at_the_node_limit_while_parsing(tmp_path: Path) -> None:
    path = _write(tmp_path, "wide.yaml", wide_yaml(1))  # about 60,000 list items
    error = _only_error(boundary.analyze([path], limits=Limits(max_nodes=1_000)), path)
    assert "too many elements (more than 1000" in error.message
    assert 900 <= error.line <= 1_100, error  # where the count ran out, not the end of the file


@pytest.mark.slow
def test_a_50_megabyte_yaml_is_refused_by_size_and_by_nodes(tmp_path: Path) -> None:
    path = _write(tmp_path, "wide.yaml", wide_yaml(50))
    run = _scan_bounded(str(path), megabytes=800)
    assert run.returncode == 2 and "file too large" in run.stderr, run.stderr
    run = _scan_bounded(str(path), "--limit", "max-file-size=100000000", megabytes=800)
    assert run.returncode == 2 and "too many elements" in run.stderr, run.stderr


# ------------------------------------------------------------------ the limits themselves


@pytest.mark.parametrize(
    ("limits", "text", "fragment"),
    [
        (Limits(max_file_size=100), GOOD, "file too large (more than 100 bytes)"),
        (Limits(max_depth=3), GOOD, "nesting too deep (more than 3 levels)"),
        (Limits(max_nodes=10), GOOD, "too many elements (more than 10,"),
        (
            Limits(max_resources=1),
            GOOD + GOOD.replace("Resources:\n  AdminRole", "  Admin2"),
            "too many resources",
        ),
        (
            Limits(max_statements=1),
            GOOD.replace(
                "- {Effect: Allow, Action: '*', Resource: '*'}",
                "- {Effect: Allow, Action: '*', Resource: '*'}\n              - {Effect: Deny, Action: 'x:y', Resource: '*'}",
            ),
            "too many statements (more than 1)",
        ),
        (Limits(max_actions=1), GOOD.replace("Action: '*'", "Action: ['s3:*', 'sns:*']"), "too many actions"),
    ],
)
def test_each_limit_is_one_located_error_and_the_rest_is_scanned(
    tmp_path: Path, limits: Limits, text: str, fragment: str
) -> None:
    folder = tmp_path / "bad"
    folder.mkdir()
    bad = _write(folder, "template.yaml", text)
    other = tmp_path / "other"
    other.mkdir()
    good = _write(other, "template.yaml", GOOD)
    # the good file is within every limit but the one under test is tiny: give it the defaults
    bad_result = boundary.analyze([bad], limits=limits)
    error = _only_error(bad_result, bad)
    assert fragment in error.message, error
    assert "--limit max-" in error.message
    assert error.line >= 1
    assert "\n" not in error.message
    both = boundary.analyze([bad, good], limits=limits)
    assert _only_error(both, bad)
    del good


def test_limit_on_the_command_line_exits_2_and_scans_the_rest(tmp_path: Path) -> None:
    big = _write(
        tmp_path, "big.yaml", GOOD.replace("Resources:", "Description: " + "x" * 5_000 + "\nResources:")
    )
    good = _write(tmp_path, "good.yaml", GOOD)
    run = _scan_bounded(str(big), str(good), "--limit", "max-file-size=2000", "--format", "json")
    assert run.returncode == 2
    (line,) = [x for x in run.stderr.splitlines() if "error:" in x]
    assert line.startswith(f"{big}:1:1: error: file too large (more than 2000 bytes)")
    assert json.loads(run.stdout)["findings"]


def test_unknown_limit_on_the_command_line_is_a_usage_error() -> None:
    run = _scan_bounded("--limit", "max-things=3", str(ROOT / "samples"))
    assert run.returncode == 2 and "max-things=3" in run.stderr


def test_configuration_can_lower_limits_but_not_raise_them() -> None:
    assert parse_config({"limits": {"max-nodes": 10}}).limits.max_nodes == 10
    with pytest.raises(ConfigError, match="can only lower limits"):
        parse_config({"limits": {"max-nodes": 10_000_000}})
    with pytest.raises(ConfigError, match="unknown limit"):
        parse_config({"limits": {"max-things": 1}})
    with pytest.raises(ConfigError, match="at least 1"):
        parse_config({"limits": {"max-depth": 0}})


def test_configured_limits_apply_to_a_scan(tmp_path: Path) -> None:
    (tmp_path / ".boundary.toml").write_text("[limits]\nmax-resources = 1\n", encoding="utf-8")
    _write(tmp_path, "template.yaml", GOOD + GOOD.replace("Resources:\n  AdminRole", "  Admin2"))
    run = subprocess.run(
        [sys.executable, "-m", "boundary", "scan", "--no-progress", "template.yaml"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
        check=False,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert run.returncode == 2 and "too many resources (more than 1)" in run.stderr, run.stderr
