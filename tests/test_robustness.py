"""Hostile and broken input: one located error line and exit code 2, never a traceback.

The rule of the project: bad input gives one clear, located error line and exit
code 2, and the scan goes on with the other files; never a traceback, never a
silent pass, never a network call, never executing what is scanned. Each table
row below is an attack; the hypothesis tests throw random intrinsic functions
and random plan shapes at the loaders.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import boundary
from boundary.model import Format, ResourceKind, Symbolic
from boundary.scanner import ScanResult

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"

# Python's own exception names in a message mean a loader crashed and the crash was
# wrapped, which is a bug: the user should read what is wrong with the file.
CRASH = re.compile(r"\b(Traceback|internal error|[A-Z][a-zA-Z]*(Error|Exception)\b:)")
# `file:line:col: error: ...`; the position is left out where none is known (a missing file)
ERROR_LINE = re.compile(r"^(?P<file>.+?)(:(?P<line>\d+)(:(?P<column>\d+))?)?: error: \S.*$")

# A role with an admin inline policy: findings whatever the rule configuration.
GOOD = """\
AWSTemplateFormatVersion: '2010-09-09'
Resources:
  AdminRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Effect: Allow
            Principal: {Service: lambda.amazonaws.com}
            Action: sts:AssumeRole
      Policies:
        - PolicyName: everything
          PolicyDocument:
            Version: '2012-10-17'
            Statement:
              - Effect: Allow
                Action: '*'
                Resource: '*'
"""

DEPTH = 10_000


def _bomb(levels: int = 9) -> str:
    """The YAML "billion laughs": nine aliases of nine aliases of ... expand to 9**levels."""
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, levels):
        lines.append(f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * 9) + "]")
    return (
        "\n".join(lines)
        + f"\nResources:\n  Boom:\n    Type: AWS::SNS::Topic\n    Properties:\n      Tags: *a{levels - 1}\n"
    )


def _resource(props: str, rtype: str = "AWS::Lambda::Function") -> str:
    return f"Resources:\n  Thing:\n    Type: {rtype}\n    Properties:\n{props}"


# (id, file name, content, a fragment of the expected message, line known?)
BAD_INPUTS: list[tuple[str, str, str | bytes, str, bool]] = [
    ("empty", "t.yaml", "", "empty", True),
    ("whitespace-only", "t.yaml", "   \n\n    \n", "empty", True),
    ("comment-only", "t.yaml", "# nothing here\n", "empty", True),
    ("lone-scalar", "t.yaml", "hello\n", "top level is a string", True),
    ("lone-number-json", "t.json", "5", "top level is a int", True),
    ("yaml-list-top-level", "t.yaml", "- Resources\n- Type\n", "top level is a list", True),
    ("json-list-top-level", "t.json", '[{"Resources": {}}]', "top level is a list", True),
    ("binary-junk", "t.yaml", bytes(range(256)) * 8, "not UTF-8", True),
    ("utf16-bom", "t.yaml", GOOD.encode("utf-16"), "UTF-16", True),
    ("utf16le-no-bom", "t.yaml", GOOD.encode("utf-16-le"), "invalid YAML", True),
    ("invalid-utf8-in-comment", "t.yaml", GOOD.encode() + b"# caf\xe9\n", "not UTF-8", True),
    ("nul-byte", "t.yaml", GOOD + "\x00\n", "invalid YAML", True),
    ("truncated-json", "t.json", '{"Resources": {"A": {"Type": ', "invalid JSON", True),
    ("deep-json-object", "t.json", '{"Resources":' + '{"a":' * DEPTH + "1" + "}" * DEPTH + "}", "nest", True),
    ("deep-json-list", "t.json", '{"Resources":' + "[" * DEPTH + "]" * DEPTH + "}", "nest", True),
    ("deep-yaml-flow", "t.yaml", "Resources: " + "[" * DEPTH + "]" * DEPTH + "\n", "nesting", True),
    (
        "deep-yaml-block",
        "t.yaml",
        "Resources:\n" + "".join(" " * (i + 1) + f"k{i}:\n" for i in range(2_000)),
        "nesting",
        True,
    ),
    (
        "deep-properties-json",
        "t.json",
        '{"Resources":{"R":{"Type":"AWS::IAM::Role","Properties":{"Policies":'
        + "[" * DEPTH
        + "]" * DEPTH
        + "}}}}",
        "nest",
        True,
    ),
    ("billion-laughs", "t.yaml", _bomb(), "too many elements", True),
    ("recursive-alias", "t.yaml", "Resources: &r\n  Loop: *r\n", "recursive alias", True),
    ("recursive-merge", "t.yaml", "Resources: &r\n  <<: *r\n", "recursive alias", True),
    (
        "python-object-apply",
        "t.yaml",
        "Resources: !!python/object/apply:os.system ['echo owned']\n",
        "unsupported tag",
        True,
    ),
    ("python-name", "t.yaml", "Resources:\n  A: !!python/name:os.system\n", "unsupported tag", True),
    ("unknown-local-tag", "t.yaml", _resource("      Role: !Evil x\n"), "unknown tag !Evil", True),
    (
        "resources-list",
        "t.yaml",
        "Resources:\n  - Type: AWS::SNS::Topic\n",
        "'Resources' is not a mapping",
        True,
    ),
    (
        "resources-null",
        "t.yaml",
        "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n",
        "'Resources' is empty",
        True,
    ),
    ("resource-scalar", "t.yaml", "Resources:\n  A: hello\n", "is not a mapping", True),
    ("resource-without-type", "t.yaml", "Resources:\n  A:\n    Properties: {}\n", "no 'Type'", True),
    ("type-number", "t.yaml", "Resources:\n  A:\n    Type: 5\n", "no 'Type'", True),
    ("type-list", "t.yaml", "Resources:\n  A:\n    Type: [AWS::SNS::Topic]\n", "no 'Type'", True),
    # regression: an AttributeError ("'str' object has no attribute 'get'") wrapped as an internal error
    (
        "properties-string",
        "t.yaml",
        _resource("      hello\n").replace("Properties:\n      ", "Properties: "),
        "'Properties' is not a mapping",
        True,
    ),
    (
        "properties-list",
        "t.yaml",
        _resource("      - 1\n", "AWS::IAM::Role"),
        "'Properties' is not a mapping",
        True,
    ),
    (
        "sam-properties-string",
        "t.yaml",
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties: nope\n",
        "SAM transform failed",
        True,
    ),
    (
        "json-neither-template-nor-plan",
        "t.json",
        '{"name": "left-pad", "version": "1.3.0"}',
        "not a SAM template",
        True,
    ),
    (
        "plan-changes-not-a-list",
        "t.json",
        '{"format_version": "1.2", "resource_changes": "x"}',
        "Terraform plan: 'resource_changes' is not a list",
        True,
    ),
]


def _write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def _assert_clean_errors(result: ScanResult) -> None:
    """Every error is one line, located where a line can be known, and not a wrapped crash."""
    for error in result.errors:
        assert "\n" not in error.message and error.message.strip(), error
        assert not CRASH.search(error.message), error
        assert error.line >= 0 and error.column >= 0, error


def _findings_in(result: ScanResult, path: Path) -> list[Any]:
    return [f for f in result.findings if Path(f.location.file).resolve() == path.resolve()]


def _run_cli(*args: str | Path, cwd: Path = ROOT, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("BOUNDARY_DEBUG", None)
    return subprocess.run(
        [sys.executable, "-m", "boundary", "scan", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=timeout,
        check=False,
    )


def _error_lines(stderr: str) -> list[re.Match[str]]:
    return [m for m in map(ERROR_LINE.match, stderr.splitlines()) if m]


# --------------------------------------------------------------------------- the table


@pytest.mark.parametrize(
    ("name", "content", "fragment", "line_known"),
    [
        pytest.param(name, content, fragment, known, id=case)
        for case, name, content, fragment, known in BAD_INPUTS
    ],
)
def test_bad_input_is_one_located_error(
    tmp_path: Path, name: str, content: str | bytes, fragment: str, line_known: bool
) -> None:
    bad = _write(tmp_path, name, content)
    good = _write(tmp_path, "good.yaml", GOOD)
    result = boundary.analyze([bad, good])
    errors = [e for e in result.errors if e.file == str(bad)]
    assert len(errors) == 1, result.errors
    (error,) = errors
    _assert_clean_errors(result)
    assert fragment in error.message, error
    if line_known:
        assert error.line >= 1, error
    assert str(bad) not in {t.path for t in result.templates}
    assert _findings_in(result, good), "the good file given alongside lost its findings"


def test_invalid_utf8_error_points_at_the_line(tmp_path: Path) -> None:
    bad = _write(tmp_path, "t.yaml", GOOD.encode() + b"# caf\xe9\n")
    (error,) = boundary.analyze([bad]).errors
    assert (error.line, error.column) == (GOOD.count("\n") + 1, len("# caf") + 1)


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(GOOD.encode() + b"# caf\xe9\n", id="latin1-byte"),
        pytest.param(GOOD.encode("utf-16"), id="utf16"),
    ],
)
def test_walked_template_that_is_not_utf8_is_reported_not_skipped(tmp_path: Path, content: bytes) -> None:
    # regression: a walked file that failed to decode was skipped silently, so the scan passed
    _write(tmp_path / "infra", "template.yaml", content)
    _write(tmp_path / "infra", "binary.json", bytes(range(128, 256)))  # no template marker: skipped
    result = boundary.analyze([tmp_path / "infra"])
    assert [Path(e.file).name for e in result.errors] == ["template.yaml"]
    _assert_clean_errors(result)


# ----------------------------------------------------------- loads, unknown parts marked


def test_unknown_types_load_as_other(tmp_path: Path) -> None:
    text = (
        "Resources:\n"
        "  Hook:\n    Type: Custom::Thing\n    Properties:\n      ServiceToken: arn:aws:lambda:us-east-1:1:function:f\n"
        "  Future:\n    Type: AWS::Foo::Bar\n    Properties:\n      Anything: [1, 2]\n"
    )
    result = boundary.analyze([_write(tmp_path, "t.yaml", text)])
    assert result.errors == ()
    (template,) = result.templates
    assert {r.id: r.kind for r in template.resources.values()} == {
        "Hook": ResourceKind.OTHER,
        "Future": ResourceKind.OTHER,
    }


def test_unknown_serverless_type_loads_as_other(tmp_path: Path) -> None:
    text = (
        "Transform: AWS::Serverless-2016-10-31\n"
        "Resources:\n  Foo:\n    Type: AWS::Serverless::Foo\n    Properties: {Bar: 1}\n"
        + GOOD.split("Resources:\n", 1)[1]
    )
    result = boundary.analyze([_write(tmp_path, "t.yaml", text)])
    assert result.errors == ()
    (template,) = result.templates
    assert template.format is Format.SAM
    assert template.resources["Foo"].kind is ResourceKind.OTHER
    assert result.findings, "the known resources of the file must still be judged"


@pytest.mark.parametrize(
    ("value", "function"),
    [
        ("!Ref [a, b]", "Ref"),
        ("!Ref {a: b}", "Ref"),
        ("!GetAtt [A, B, C, D]", "Fn::GetAtt"),
        ("!GetAtt []", "Fn::GetAtt"),
        ("!Sub [1, 2, 3]", "Fn::Sub"),
        ("!Join x", "Fn::Join"),
        ("!Join [',']", "Fn::Join"),
        ("!Select [x, [a]]", "Fn::Select"),
        ("!Select [9, [a]]", "Fn::Select"),
        ("!Split [',']", "Fn::Split"),
        ("!If [NoSuchCondition]", "Fn::If"),
        ("!FindInMap [M]", "Fn::FindInMap"),
        ("!Cidr [x, y, z]", "Fn::Cidr"),
        ("!Base64 [a, b]", "Fn::Base64"),
        ("{'Fn::Nope': 1}", "Fn::Nope"),
    ],
)
def test_intrinsic_with_wrong_arity_is_symbolic(tmp_path: Path, value: str, function: str) -> None:
    text = _resource(f"      Role: {value}\n      Handler: index.handler\n")
    result = boundary.analyze([_write(tmp_path, "t.yaml", text)])
    assert result.errors == ()
    (template,) = result.templates
    role = template.resources["Thing"].properties["Role"]
    assert isinstance(role, Symbolic) and role.reason, role
    assert function.removeprefix("Fn::") in role.text


def test_sam_depends_on_a_nested_list_loads(tmp_path: Path) -> None:
    # regression: the SAM origin tracing put DependsOn items in a set: "unhashable type: 'list'"
    text = (
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  Topic:\n    Type: AWS::SNS::Topic\n"
        "  Fn:\n    Type: AWS::Serverless::Function\n    DependsOn: [[Topic]]\n    Properties:\n"
        "      InlineCode: x\n      Handler: index.handler\n      Runtime: python3.12\n"
    )
    result = boundary.analyze([_write(tmp_path, "t.yaml", text)])
    assert result.errors == ()
    assert {"Topic", "Fn"} <= set(result.templates[0].resources)


def test_plan_with_junk_resource_changes_is_an_error_not_a_silent_pass(tmp_path: Path) -> None:
    plan = {"format_version": "1.2", "resource_changes": [1, "x", None, {"address": 5}]}
    result = boundary.analyze([_write(tmp_path, "plan.json", json.dumps(plan))])
    (error,) = result.errors
    assert "resource_changes[0] is not a resource change" in error.message and error.line == 1


def test_plan_with_null_and_odd_parts_loads(tmp_path: Path) -> None:
    plan = {
        "format_version": "1.2",
        "values": None,
        "planned_values": {"root_module": {"resources": "x", "child_modules": 5}},
        "resource_changes": [
            {
                "address": "aws_iam_role.r",
                "mode": "managed",
                "type": "aws_iam_role",
                "name": "r",
                "change": {"actions": ["create"], "after": None, "after_unknown": None},
            },
        ],
    }
    result = boundary.analyze([_write(tmp_path, "plan.json", json.dumps(plan))])
    assert result.errors == ()
    (template,) = result.templates
    assert template.format is Format.TERRAFORM
    assert "aws_iam_role.r" in template.resources


def test_plan_with_a_giant_after_unknown_tree_loads(tmp_path: Path) -> None:
    wide = {f"k{i}": {f"j{j}": [True, {"x": True}] for j in range(20)} for i in range(5_000)}
    plan = {
        "format_version": "1.2",
        "resource_changes": [
            {
                "address": "aws_iam_role.r",
                "mode": "managed",
                "type": "aws_iam_role",
                "name": "r",
                "change": {"actions": ["create"], "after": {"name": "r"}, "after_unknown": wide},
            }
        ],
    }
    result = boundary.analyze([_write(tmp_path, "plan.json", json.dumps(plan))])
    assert result.errors == ()
    assert "aws_iam_role.r" in result.templates[0].resources


@pytest.mark.parametrize("suffix", ["yaml", "json"])
def test_a_huge_single_line_loads(tmp_path: Path, suffix: str) -> None:
    name = "x" * 5_000_000
    if suffix == "json":
        text = json.dumps(
            {"Resources": {"T": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": name}}}}
        )
    else:
        text = f"Resources:\n  T:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: {name}\n"
    result = boundary.analyze([_write(tmp_path, f"t.{suffix}", text)])
    assert result.errors == ()
    assert result.templates[0].resources["T"].properties["TopicName"] == name


# ---------------------------------------------------------------- hypothesis: intrinsics

_FUNCTIONS = [
    "Ref", "Condition", "Fn::GetAtt", "Fn::Sub", "Fn::Join", "Fn::Select", "Fn::Split", "Fn::If",
    "Fn::Equals", "Fn::And", "Fn::Or", "Fn::Not", "Fn::FindInMap", "Fn::ImportValue", "Fn::Base64",
    "Fn::Cidr", "Fn::GetAZs", "Fn::Transform", "Fn::Length", "Fn::ToJsonString", "Fn::Unknown",
]  # fmt: skip
_KEYS = [
    "Role", "Policies", "PolicyDocument", "PolicyName", "AssumeRolePolicyDocument", "ManagedPolicyArns",
    "Statement", "Effect", "Action", "Resource", "Principal", "Roles", "Users", "Groups", "FunctionName",
    "SourceArn", "Events", "Environment", "Variables", "Handler", "Runtime", "CodeUri", "DefinitionBody",
    "Body", "AuthorizationType", "AuthType", "Auth", "Targets", "Arn", "TopicArn", "Endpoint", "Topics",
    "Queues", "Bucket", "PolicyDocument", "Definition", "DefinitionString", "RoleArn", "ServiceRoleArn",
    "ApiId", "RouteKey", "Target", "RestApiId", "ResourceId", "HttpMethod", "Integration", "Uri", "Type",
    "Properties", "Source", "Destination", "Permissions", "FunctionUrlConfig", "Path", "Method",
]  # fmt: skip
_LEAVES = st.one_of(
    st.sampled_from(
        [
            "A",
            "B",
            "P",
            "C",
            "A.Arn",
            "${A}",
            "${A.Arn}",
            "${P}",
            "${AWS::Region}",
            "AWS::NoValue",
            "AWS::AccountId",
            "*",
            "s3:*",
            "Allow",
            "Deny",
            "lambda.amazonaws.com",
            "NONE",
            "AWS_IAM",
            "arn:aws:iam::*:role/x",
            "",
        ]
    ),  # fmt: skip
    st.none(),
    st.booleans(),
    st.integers(-2, 5),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=6),
)


def _nest(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.sampled_from(_KEYS), children, max_size=4),
        st.builds(lambda key, arg: {key: arg}, st.sampled_from(_FUNCTIONS), children),
    )


_VALUES = st.recursive(_LEAVES, _nest, max_leaves=25)
_CFN_TYPES = [
    "AWS::IAM::Role", "AWS::IAM::User", "AWS::IAM::Group", "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy",
    "AWS::IAM::AccessKey", "AWS::S3::BucketPolicy", "AWS::SNS::TopicPolicy", "AWS::SQS::QueuePolicy",
    "AWS::Lambda::Permission", "AWS::Lambda::Function", "AWS::StepFunctions::StateMachine",
    "AWS::Lambda::EventSourceMapping", "AWS::SNS::Subscription", "AWS::Events::Rule", "AWS::S3::Bucket",
    "AWS::AppSync::DataSource", "AWS::ApiGateway::Method", "AWS::ApiGateway::RestApi",
    "AWS::ApiGatewayV2::Api", "AWS::ApiGatewayV2::Route", "AWS::Lambda::Url", "Custom::X", "AWS::Foo::Bar",
]  # fmt: skip
_SAM_TYPES = [
    "AWS::Serverless::Function", "AWS::Serverless::Api", "AWS::Serverless::HttpApi",
    "AWS::Serverless::StateMachine", "AWS::Serverless::SimpleTable", "AWS::Serverless::Connector",
    "AWS::Serverless::Foo", "AWS::IAM::Role",
]  # fmt: skip


def _template(types: list[str], sam: bool) -> st.SearchStrategy[dict[str, Any]]:
    resource = st.fixed_dictionaries(
        {
            "Type": st.sampled_from(types),
            "Properties": st.dictionaries(st.sampled_from(_KEYS), _VALUES, max_size=6),
        },
        optional={"DependsOn": _VALUES, "Condition": st.sampled_from(["C", "Nope"]), "Metadata": _VALUES},
    )
    parts: dict[str, st.SearchStrategy[Any]] = {
        "Parameters": st.just({"P": {"Type": "String", "Default": "p"}}),
        "Conditions": st.just({"C": {"Fn::Equals": ["a", {"Ref": "P"}]}}),
        "Resources": st.fixed_dictionaries({"A": resource}, optional={"B": resource}),
    }
    if sam:
        parts["Transform"] = st.just("AWS::Serverless-2016-10-31")
    return st.fixed_dictionaries(
        parts, optional={"Mappings": _VALUES, "Globals": _VALUES, "Outputs": _VALUES}
    )


def _analyze_data(data: Any, name: str) -> ScanResult:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_text(json.dumps(data), encoding="utf-8")
        result = boundary.analyze([path])
    _assert_clean_errors(result)
    for error in result.errors:
        assert error.line >= 1, error  # the file parsed: every problem has a place
    return result


_FUZZ = settings(max_examples=60, deadline=None, database=None, suppress_health_check=list(HealthCheck))


@_FUZZ
@given(_template(_CFN_TYPES, sam=False))
def test_random_intrinsics_in_cloudformation(data: dict[str, Any]) -> None:
    result = _analyze_data(data, "template.json")
    assert result.templates or result.errors


@_FUZZ
@given(_template(_SAM_TYPES, sam=True))
def test_random_intrinsics_in_sam(data: dict[str, Any]) -> None:
    # regression: `DependsOn: [[A]]` crashed the SAM origin tracing with "unhashable type: 'list'"
    result = _analyze_data(data, "template.json")
    assert result.templates or result.errors


_TF_TYPES = [
    "aws_iam_role", "aws_iam_policy", "aws_iam_role_policy", "aws_iam_role_policy_attachment",
    "aws_iam_user", "aws_iam_access_key", "aws_iam_policy_document", "aws_lambda_function",
    "aws_lambda_permission", "aws_lambda_function_url", "aws_api_gateway_method", "aws_apigatewayv2_route",
    "aws_s3_bucket_policy", "aws_sqs_queue_policy", "aws_sns_topic_subscription", "aws_foo_bar",
]  # fmt: skip
_TF_KEYS = [
    "name", "arn", "policy", "assume_role_policy", "inline_policy", "managed_policy_arns", "role", "roles",
    "policy_arn", "function_name", "principal", "source_arn", "authorization", "authorization_type",
    "route_key", "api_key_required", "statement", "actions", "resources", "effect", "json", "body", "user",
]  # fmt: skip
_TF_LEAVES = st.one_of(
    _LEAVES,
    st.sampled_from(
        [
            '{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}',
            '{"Statement":5}',
            "{",
            "aws_iam_role.r",
            "module.m.aws_iam_role.r",
            "arn:aws:lambda:us-east-1:123456789012:function:f",
        ]
    ),  # fmt: skip
)
_TF_VALUES = st.recursive(
    _TF_LEAVES,
    lambda c: st.one_of(st.lists(c, max_size=4), st.dictionaries(st.sampled_from(_TF_KEYS), c, max_size=5)),
    max_leaves=25,
)
_TF_RESOURCE = st.fixed_dictionaries(
    {
        "type": st.sampled_from(_TF_TYPES),
        "address": st.sampled_from(["aws_iam_role.r", "aws_lambda_function.f", "x"]),
    },
    optional={
        "mode": st.sampled_from(["managed", "data", 5]),
        "name": st.sampled_from(["r", "f", ""]),
        "values": st.one_of(_TF_VALUES, st.dictionaries(st.sampled_from(_TF_KEYS), _TF_VALUES, max_size=6)),
    },
)
_TF_CHANGE = st.fixed_dictionaries(
    {
        "type": st.sampled_from(_TF_TYPES),
        "address": st.sampled_from(["aws_iam_role.r", "aws_lambda_function.f"]),
    },
    optional={
        "mode": st.sampled_from(["managed", "data"]),
        "name": st.sampled_from(["r", "f"]),
        "change": st.fixed_dictionaries(
            {},
            optional={
                "actions": st.one_of(st.just(["create"]), st.just(["delete"]), _TF_VALUES),
                "after": st.one_of(
                    _TF_VALUES, st.dictionaries(st.sampled_from(_TF_KEYS), _TF_VALUES, max_size=6)
                ),
                "after_unknown": _TF_VALUES,
            },
        ),
    },
)
_PLANS = st.fixed_dictionaries(
    {
        "format_version": st.just("1.2"),
        "resource_changes": st.lists(st.one_of(_TF_CHANGE, _TF_VALUES), max_size=5),
    },
    optional={
        "planned_values": st.fixed_dictionaries(
            {},
            optional={
                "root_module": st.one_of(
                    _TF_VALUES, st.fixed_dictionaries({"resources": st.lists(_TF_RESOURCE, max_size=4)})
                )
            },
        ),
        "configuration": _TF_VALUES,
        "prior_state": _TF_VALUES,
        "variables": _TF_VALUES,
    },
)


@_FUZZ
@given(_PLANS)
def test_random_terraform_plans(data: dict[str, Any]) -> None:
    result = _analyze_data(data, "plan.json")
    assert [t.format for t in result.templates] == [Format.TERRAFORM] or result.errors


# ---------------------------------------------------------------------- the file system


def _tree(tmp_path: Path) -> Path:
    """A folder with one good template beside every kind of unreadable path."""
    root = tmp_path / "repo"
    _write(root, "good.yaml", GOOD)
    (root / "folder.yaml").mkdir()  # a directory with a template's name
    (root / "dangling.yaml").symlink_to(root / "nowhere.yaml")
    (root / "loop.yaml").symlink_to(root / "loop.yaml")
    (root / "sub").mkdir()
    (root / "sub" / "up").symlink_to(root, target_is_directory=True)  # a symlink loop while walking
    os.mkfifo(root / "pipe.yaml")  # reading it would block forever
    return root


def test_walking_unreadable_paths(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    done = _run_cli(root, "--format", "json", timeout=120)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    errors = {Path(m["file"]).name: m for m in _error_lines(done.stderr)}
    assert set(errors) == {"dangling.yaml", "loop.yaml", "pipe.yaml"}, done.stderr
    report = json.loads(done.stdout)
    assert any(Path(f["file"]).name == "good.yaml" for f in report["findings"]), done.stdout[:500]


@pytest.mark.parametrize("name", ["dangling.yaml", "loop.yaml", "pipe.yaml", "folder.yaml", "missing.yaml"])
def test_named_unreadable_path(tmp_path: Path, name: str) -> None:
    root = _tree(tmp_path)
    done = _run_cli(root / name, root / "good.yaml", "--format", "json", timeout=120)
    assert "Traceback" not in done.stderr
    report = json.loads(done.stdout)
    assert any(Path(f["file"]).name == "good.yaml" for f in report["findings"])
    if name == "folder.yaml":  # an empty folder: nothing to scan, nothing wrong
        assert done.returncode == 1, done.stderr
    else:
        assert done.returncode == 2, done.stderr
        assert [Path(m["file"]).name for m in _error_lines(done.stderr)] == [name], done.stderr


def test_cli_reports_every_bad_file_once_and_the_good_ones(tmp_path: Path) -> None:
    paths = [_write(tmp_path / case, name, content) for case, name, content, _, _ in BAD_INPUTS]
    good = _write(tmp_path, "good.yaml", GOOD)
    done = _run_cli(*paths, good, "--format", "json", timeout=300)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
    lines = _error_lines(done.stderr)
    assert sorted(m["file"] for m in lines) == sorted(map(str, paths)), done.stderr
    assert all(int(m["line"] or 0) >= 1 for m in lines), done.stderr
    report = json.loads(done.stdout)
    assert {Path(f["file"]).name for f in report["findings"]} == {"good.yaml"}


def test_two_thousand_small_templates(tmp_path: Path) -> None:
    folder = tmp_path / "many"
    folder.mkdir()
    for index in range(2_000):
        (folder / f"t{index:04}.yaml").write_text(GOOD, encoding="utf-8")
    result = boundary.analyze([folder])
    assert result.errors == ()
    assert len(result.templates) == 2_000
    assert {f.location.file for f in result.findings} == {t.path for t in result.templates}


# ------------------------------------------------------------- no network, no execution


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    attempts: list[str] = []

    def refuse(*args: Any, **kwargs: Any) -> Any:
        attempts.append(repr(args)[:200])
        raise OSError("network access during a scan")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    yield attempts


def test_samples_scan_without_network(no_network: list[str]) -> None:
    result = boundary.analyze([SAMPLES])
    assert no_network == []
    assert result.errors == ()
    assert result.findings


@pytest.mark.corpus
def test_corpus_files_scan_without_network(no_network: list[str], corpus_dir: Path) -> None:
    sam = sorted((corpus_dir / "sam").rglob("*.yaml"))[:25]
    plans = sorted((corpus_dir / "tfplan").glob("*.json"))[:10]
    result = boundary.analyze([*sam, *plans])
    assert no_network == []
    assert result.templates
    _assert_clean_errors(result)


def test_nothing_scanned_is_executed(tmp_path: Path) -> None:
    marker = tmp_path / "executed"
    script = f"#!/bin/sh\ntouch {marker}\n"
    app = tmp_path / "app"
    for name in ("run.sh", "Makefile", "openapi.sh", "include.sh"):
        _write(app, name, script if name != "Makefile" else f"build-Fn:\n\ttouch {marker}\n")
        (app / name).chmod(0o755)
    _write(app / "src", "index.py", f"open({str(marker)!r}, 'w')\n")
    template = f"""\
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Metadata:
      BuildMethod: makefile
    Properties:
      CodeUri: ./run.sh
      Handler: index.handler
      Runtime: python3.12
      Policies: AdministratorAccess
  Src:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: index.handler
      Runtime: python3.12
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      DefinitionUri: ./openapi.sh
  Included:
    Type: AWS::SNS::Topic
    Properties:
      Fn::Transform:
        Name: AWS::Include
        Parameters:
          Location: ./include.sh
  Evil:
    Type: AWS::SNS::Topic
    Properties:
      TopicName: $(touch {marker})
"""
    path = _write(app, "template.yaml", template)
    plan = {
        "format_version": "1.2",
        "configuration": {
            "root_module": {
                "resources": [
                    {
                        "address": "null_resource.x",
                        "type": "null_resource",
                        "provisioners": [
                            {
                                "type": "local-exec",
                                "expressions": {"command": {"constant_value": f"touch {marker}"}},
                            }
                        ],
                    }
                ]
            }
        },
        "resource_changes": [],
    }
    plan_path = _write(app, "plan.json", json.dumps(plan))
    result = boundary.analyze([path, plan_path])
    _assert_clean_errors(result)
    done = _run_cli(path, plan_path, "--format", "json", cwd=app)
    assert "Traceback" not in done.stderr
    assert not marker.exists(), "a scan executed something it read"
    assert result.templates


@pytest.mark.parametrize("target", ["/dev/zero", "outside"])
def test_definition_uri_never_leaves_the_template_folder(tmp_path: Path, target: str) -> None:
    outside = _write(tmp_path, "outside.yaml", "openapi: 3.0.1\npaths: {}\n")
    app = tmp_path / "app"
    app.mkdir()
    (app / "api.yaml").symlink_to(outside if target == "outside" else target)
    os.mkfifo(app / "fifo.yaml")
    template = (
        "Transform: AWS::Serverless-2016-10-31\nResources:\n"
        "  Api:\n    Type: AWS::Serverless::Api\n    Properties:\n      StageName: p\n      DefinitionUri: api.yaml\n"
        "  Fifo:\n    Type: AWS::Serverless::HttpApi\n    Properties:\n      DefinitionUri: ./fifo.yaml\n"
        "  Up:\n    Type: AWS::Serverless::Api\n    Properties:\n      StageName: p\n      DefinitionUri: ../outside.yaml\n"
    )
    path = _write(app, "template.yaml", template)
    done = _run_cli(path, "--format", "json", timeout=120)  # in a subprocess: a hang must not hang the suite
    assert done.returncode in (0, 1), done.stderr
    assert "Traceback" not in done.stderr
