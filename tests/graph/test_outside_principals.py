"""Principals and functions outside the template: the nodes the graph gives them and how
statements attached to them are reported (issue 15, items 1 and 2)."""

from __future__ import annotations

from pathlib import Path

import boundary
from boundary.graph import EdgeKind, build_graph, queries
from boundary.graph._build import outside_principal_id
from boundary.graph.permissions import statements_of

TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  TeamRole:
    Type: String
Resources:
  ReportGrant:
    Type: AWS::IAM::Policy
    Properties:
      PolicyName: report
      Roles: [report-runner, !Ref TeamRole]
      PolicyDocument:
        Statement:
          - { Effect: Allow, Action: "sqs:SendMessage", Resource: "*" }
  Report:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Code: { ZipFile: "x" }
      Role: !Sub arn:${AWS::Partition}:iam::${AWS::AccountId}:role/service/report-runner
  Other:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Code: { ZipFile: "x" }
      Role: arn:aws:iam::123456789012:role/someone-else
  OpenOutside:
    Type: AWS::Lambda::Permission
    Properties:
      Action: lambda:InvokeFunction
      FunctionName: billing-export
      Principal: "*"
"""


def _load(tmp_path: Path) -> tuple[boundary.Model, object]:
    path = tmp_path / "outside.yaml"
    path.write_text(TEMPLATE)
    model = boundary.load([path])
    assert not model.errors, model.errors
    return model, path


def test_loader_records_the_outside_principals(tmp_path: Path) -> None:
    model, _ = _load(tmp_path)
    policy = next(p for p in model.templates[0].policies if p.id == "ReportGrant")
    assert policy.attached_to == ()
    assert [(p.kind.value, p.name) for p in policy.outside_principals] == [
        ("role", "report-runner"),
        ("role", "!Ref TeamRole"),
    ]
    assert policy.outside_principals[0].location.line == 10


def test_function_runs_as_the_outside_role_the_template_grants(tmp_path: Path) -> None:
    model, _ = _load(tmp_path)
    template = model.templates[0]
    graph = build_graph(model)
    runner = outside_principal_id(template, "role", "report-runner")
    param = outside_principal_id(template, "role", "${TeamRole}")
    assert queries.roles_of(graph, f"{template.path}::Report") == (runner,)
    # a role no policy of the template names stays an external ARN
    assert queries.roles_of(graph, f"{template.path}::Other") == (
        "arn::arn:aws:iam::123456789012:role/someone-else",
    )
    views = statements_of(graph, runner)
    assert [v.policy_id for v in views] == ["ReportGrant"]
    assert views[0].subject == f"{template.path}::ReportGrant"
    assert views[0].runners == (f"{template.path}::Report",)
    assert (
        "(attached to role ${TeamRole} and role report-runner, outside the template; Report runs as it)"
        in (views[0].describe())
    )
    assert [v.policy_id for v in statements_of(graph, param)] == ["ReportGrant"]


def test_permission_on_an_outside_function_grants_its_node(tmp_path: Path) -> None:
    model, _ = _load(tmp_path)
    template = model.templates[0]
    graph = build_graph(model)
    target = outside_principal_id(template, "function", "billing-export")
    grants = [d for _, v, d in graph.out_edges(boundary.graph.INTERNET, data=True) if v == target]
    assert grants and all(d["kind"] == EdgeKind.GRANTS for d in grants)
    assert graph.nodes[target]["arn"] == "arn:aws:lambda:us-east-1:123456789012:function:billing-export"


def test_findings_are_on_the_policy_and_name_principal_and_function(tmp_path: Path) -> None:
    _, path = _load(tmp_path)
    result = boundary.analyze([path])
    wide = [f for f in result.findings if f.rule_id == "BND104" and f.resource == "ReportGrant"]
    assert wide, [f.message for f in result.findings]
    assert any("report-runner" in f.message and "Report runs as it" in f.message for f in wide)
    assert any("Report" in f.related for f in wide)
    public = [f for f in result.findings if f.rule_id == "BND110"]
    assert [f.resource for f in public] == ["OpenOutside"]
    assert "billing-export (function outside the template)" in public[0].message


def test_paths_name_the_outside_role_not_its_policy(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from boundary.cli import app

    _, path = _load(tmp_path)
    result = CliRunner().invoke(app, ["paths", str(path), "--blast-radius", "Report"])
    assert result.exit_code == 0, result.output
    assert "Report -> report-runner (role outside the template) ->" in result.output
