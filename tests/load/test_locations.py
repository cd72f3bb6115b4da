"""Locations the loaders keep in the model, so later stages never search the source text."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import boundary
from boundary.model import Location

_ROLE = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: { Service: lambda.amazonaws.com }
            Action: sts:AssumeRole
      Policies:
        - PolicyName: written
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: s3:GetObject
                Resource: "*"
        - PolicyName: as-text
          PolicyDocument: !Sub '{
              "Statement": [
                {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*"},
                {"Effect": "Allow",
                 "Action": "sns:Publish",
                 "Resource": "*"}
              ]}'
"""


def _policy(path: Path, name: str) -> boundary.model.Policy:
    (template,) = boundary.load([path]).templates
    return next(p for p in template.policies if p.name == name)


def test_statement_elements_are_located(tmp_path: Path) -> None:
    path = tmp_path / "template.yaml"
    path.write_text(_ROLE)
    (statement,) = _policy(path, "written").document.statements  # type: ignore[union-attr]
    assert statement.elements["Resource"] == Location(str(path), 17, 17)
    assert statement.elements["Action"] == Location(str(path), 16, 17)
    assert statement.location == Location(str(path), 15, 17)


def test_elements_of_a_policy_written_as_json_text_are_located(tmp_path: Path) -> None:
    path = tmp_path / "template.yaml"
    path.write_text(_ROLE)
    first, second = _policy(path, "as-text").document.statements  # type: ignore[union-attr]
    assert (first.elements["Resource"].line, second.elements["Resource"].line) == (21, 24)
    assert second.elements["Action"] == Location(str(path), 23, 18)


def test_a_validation_issue_points_at_the_element_at_fault(tmp_path: Path) -> None:
    path = tmp_path / "template.yaml"
    path.write_text(_ROLE.replace("Action: s3:GetObject", "Action: s3:GetObjekt"))
    issues = boundary.validate_policy(_policy(path, "written").document, kind="identity")  # type: ignore[arg-type]
    (issue,) = [i for i in issues if i.element == "Action"]
    assert issue.location == Location(str(path), 16, 17)


def test_a_plan_locates_key_paths_and_survives_pickling(tmp_path: Path) -> None:
    plan = {
        "format_version": "1.2",
        "variables": {"region": {"value": "eu-west-1"}},
        "planned_values": {"outputs": {"url": {"sensitive": False, "value": "https://x"}}, "root_module": {}},
        "resource_changes": [],
    }
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan, indent=2))
    (template,) = boundary.load([path]).templates
    lines = path.read_text().splitlines()
    assert template.outputs == {"url": {"sensitive": False, "value": "https://x"}}
    assert template.locate is not None
    line, column = template.locate(("variables", "region", "value"))
    assert lines[line - 1][column - 1 :].startswith('"value": "eu-west-1"')
    again = pickle.loads(pickle.dumps(template))
    assert again.locate is not None
    assert again.locate(("planned_values", "outputs", "url")) == template.locate(
        ("planned_values", "outputs", "url")
    )
    assert template.locate(("variables", "missing")) == template.locate(("variables",))


def test_plan_locator_places_every_address_key_where_it_is_written() -> None:
    """Each resource is placed at its `"address"` key in `resource_changes` (else its
    first), whatever the order the addresses are asked in."""
    from boundary.load.terraform.locations import PlanLocator

    plan = {
        "format_version": "1.2",
        "planned_values": {
            "root_module": {"resources": [{"address": f"aws_sqs_queue.q{i}"} for i in range(5)]}
        },
        "resource_changes": [{"address": f"aws_sqs_queue.q{i}", "change": {}} for i in (3, 1, 4, 0, 2)]
        + [{"address": 'aws_s3_bucket.b["a\\"b"]'}],
    }
    text = json.dumps(plan, indent=2).replace(
        '"aws_sqs_queue.q4", "change"', '"aws_sqs_queue.q4",   "change"'
    )
    locator = PlanLocator("plan.json", text)
    changes = text.index('"resource_changes"')

    def expected(address: str) -> tuple[int, int]:
        key = f'"address": {json.dumps(address)}'
        at = text.find(key, changes)
        line_start = text.rfind("\n", 0, at) + 1
        return text.count("\n", 0, at) + 1, at - line_start + 1

    for address in ['aws_s3_bucket.b["a\\"b"]', *(f"aws_sqs_queue.q{i}" for i in (2, 0, 4, 1, 3))]:
        found = locator.locate(address)
        assert (found.line, found.column) == expected(address), address
    assert locator.locate("aws_sqs_queue.missing").line == 0
