"""Offline resolution of intrinsic functions: what is known, what stays symbolic and why."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from boundary.load import _cfn_types
from boundary.load._intrinsics import Resolver
from boundary.load._yaml import parse_document
from boundary.model import Symbolic

TEMPLATE_YAML = """\
Parameters:
  Env: {Type: String, Default: dev}
  Count: {Type: Number, Default: 3}
  Subnets: {Type: CommaDelimitedList, Default: "subnet-a, subnet-b"}
  Zones: {Type: "List<AWS::EC2::AvailabilityZone::Name>", Default: "z1,z2"}
  FromSsm: {Type: "AWS::SSM::Parameter::Value<String>", Default: /shop/key}
  Required: {Type: String}
Mappings:
  Regions:
    us-east-1: {Ami: ami-111, Sizes: [small, large]}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  IsDev: !Not [!Condition IsProd]
  CountIsThree: !Equals [!Ref Count, 3]
  Both: !And [!Condition IsDev, !Condition CountIsThree]
  Either: !Or [!Condition IsProd, !Equals [!Ref Required, x]]
  EitherTrue: !Or [!Condition IsDev, !Equals [!Ref Required, x]]
  Undecided: !Equals [!Ref Required, x]
  Loop: !Condition Loop
Resources:
  BookingTable:
    Type: AWS::DynamoDB::Table
  NamedTable:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: !Sub "${AWS::StackName}-orders-${Env}"
  Topic:
    Type: AWS::SNS::Topic
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: !Ref Required
  Bucket:
    Type: AWS::S3::Bucket
  Role:
    Type: AWS::IAM::Role
  Custom:
    Type: Custom::Thing
  A:
    Type: AWS::SNS::Topic
    Properties:
      TopicName: !GetAtt B.TopicName
  B:
    Type: AWS::SNS::Topic
    Properties:
      TopicName: !GetAtt A.TopicName
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Role: !GetAtt Role.Arn
"""

DATA = parse_document(TEMPLATE_YAML, "t.yaml").data
PSEUDO_ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/boundary-stack-BookingTable"


def resolver(**options: Any) -> Resolver:
    return Resolver(DATA, file="t.yaml", **options)


def resolve_yaml(value: str, **options: Any) -> Any:
    """Resolve a value written in YAML (short forms welcome) against the test template."""
    return resolver(**options).resolve(parse_document(f"V: {value}\n", "v.yaml").data["V"])


RESOLVED = [
    # pseudo parameters
    ("!Ref AWS::Region", "us-east-1"),
    ("!Ref AWS::AccountId", "123456789012"),
    ("!Ref AWS::Partition", "aws"),
    ("!Ref AWS::StackName", "boundary-stack"),
    ("!Ref AWS::URLSuffix", "amazonaws.com"),
    # parameters: defaults, numbers as text, lists
    ("!Ref Env", "dev"),
    ("!Ref Count", "3"),
    ("!Ref Subnets", ["subnet-a", "subnet-b"]),
    ("!Ref Zones", ["z1", "z2"]),
    # resources
    ("!Ref BookingTable", "boundary-stack-BookingTable"),
    ("!Ref NamedTable", "boundary-stack-orders-dev"),
    ("!GetAtt NamedTable.Arn", "arn:aws:dynamodb:us-east-1:123456789012:table/boundary-stack-orders-dev"),
    ("!GetAtt [BookingTable, Arn]", PSEUDO_ARN),
    ("{'Fn::GetAtt': 'BookingTable.Arn'}", PSEUDO_ARN),
    ("!GetAtt [BookingTable, !Sub Arn]", PSEUDO_ARN),
    ("!Ref Topic", "arn:aws:sns:us-east-1:123456789012:boundary-stack-Topic"),
    ("!GetAtt Topic.TopicName", "boundary-stack-Topic"),
    ("!Ref Bucket", "boundary-stack-bucket"),
    # Sub
    (
        "!Sub 'arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${BookingTable}'",
        PSEUDO_ARN,
    ),
    ("!Sub '${BookingTable.Arn}/index/*'", PSEUDO_ARN + "/index/*"),
    ("!Sub '${!Literal}-${Env}'", "${Literal}-dev"),
    ("!Sub '${ Env }'", "dev"),
    ("!Sub 'no variables'", "no variables"),
    ("!Sub ['${Name}-${Env}', {Name: !GetAtt Topic.TopicName}]", "boundary-stack-Topic-dev"),
    ("!Sub ['${Env}', {Env: overridden}]", "overridden"),
    ("!Sub ['${N}', {N: 5}]", "5"),
    ("!Sub '${Count}'", "3"),
    # Join, Select, Split
    ("!Join ['', [a, !Ref Env, 1, true]]", "adev1true"),
    ("!Join [',', !Ref Subnets]", "subnet-a,subnet-b"),
    ("!Join ['-', [a, !Ref AWS::NoValue, b]]", "a-b"),
    ("!Select [1, !Ref Subnets]", "subnet-b"),
    ("!Select ['0', [x, y]]", "x"),
    ("!Select [0, !Split ['/', 'a/b/c']]", "a"),
    ("!Split [',', !Join [',', [a, b]]]", ["a", "b"]),
    # conditions
    ("!If [IsProd, prod-value, dev-value]", "dev-value"),
    ("!If [IsDev, !Ref Env, other]", "dev"),
    ("!If [Both, yes-both, no]", "yes-both"),
    ("!If [EitherTrue, t, f]", "t"),
    ("!If [Undecided, same, same]", "same"),
    ("{a: !If [IsProd, x, !Ref AWS::NoValue], b: 1}", {"b": 1}),
    ("[1, !If [IsProd, x, !Ref AWS::NoValue], 2]", [1, 2]),
    ("!Equals [a, a]", True),
    # mappings
    ("!FindInMap [Regions, !Ref AWS::Region, Ami]", "ami-111"),
    ("!FindInMap [Regions, !Ref AWS::Region, Sizes]", ["small", "large"]),
    ("!FindInMap [Regions, eu-west-1, Ami, {DefaultValue: ami-000}]", "ami-000"),
    ("!FindInMap [Regions, us-east-1, Ami, {DefaultValue: ami-000}]", "ami-111"),
    # the rest
    ("!Base64 {'Fn::Sub': 'echo ${Env}'}", "echo dev"),
    ("!GetAZs ''", ["us-east-1a", "us-east-1b", "us-east-1c"]),
    ("!GetAZs eu-west-1", ["eu-west-1a", "eu-west-1b", "eu-west-1c"]),
    ("!Select [0, !GetAZs {Ref: AWS::Region}]", "us-east-1a"),
    ("!Cidr ['10.0.0.0/16', 2, 8]", ["10.0.0.0/24", "10.0.1.0/24"]),
    ("!Cidr ['10.0.0.0/24', '3', '6']", ["10.0.0.0/26", "10.0.0.64/26", "10.0.0.128/26"]),
    ("!Length [a, b, c]", 3),
    ("{'Fn::Length': !Ref Subnets}", 2),
    ("!ToJsonString {k: !Ref Env, n: [1]}", '{"k":"dev","n":[1]}'),
    # plain data passes through
    (
        "{Version: 2012-10-17, Statement: [{Effect: Allow}]}",
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow"}]},
    ),
    ("{Ref: X, Other: 1}", {"Ref": "X", "Other": 1}),  # two keys: not a function call
    ("{Condition: {StringEquals: {a: b}}}", {"Condition": {"StringEquals": {"a": "b"}}}),
]


@pytest.mark.parametrize(("value", "expected"), RESOLVED)
def test_resolves(value: str, expected: Any) -> None:
    assert resolve_yaml(value) == expected


def test_dynamodb_sub_arn_is_one_of_the_table_arns() -> None:
    arn = resolve_yaml(
        "!Sub arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${BookingTable}"
    )
    info = _cfn_types.type_info("AWS::DynamoDB::Table")
    table_arns = _cfn_types.resource_arns(
        "BookingTable",
        {},
        info,
        partition="aws",
        region="us-east-1",
        account="123456789012",
        stack_name="boundary-stack",
    )
    assert table_arns.count(arn) == 1


@pytest.mark.parametrize(
    ("options", "value", "expected"),
    [
        ({"parameters": {"Env": "prod"}}, "!Ref Env", "prod"),
        ({"parameters": {"Env": "prod"}}, "!If [IsProd, p, d]", "p"),
        ({"parameters": {"Required": "given"}}, "!Ref Required", "given"),
        (
            {"parameters": {"Required": "given"}},
            "!Ref Queue",
            "https://sqs.us-east-1.amazonaws.com/123456789012/given",
        ),
        ({"parameters": {"Subnets": "s1,s2,s3"}}, "!Ref Subnets", ["s1", "s2", "s3"]),
        (
            {"region": "eu-west-1", "account": "111122223333"},
            "!Sub '${AWS::Region}:${AWS::AccountId}'",
            "eu-west-1:111122223333",
        ),
        ({"partition": "aws-cn"}, "!Ref AWS::URLSuffix", "amazonaws.com.cn"),
        ({"stack_name": "prod-stack"}, "!Ref BookingTable", "prod-stack-BookingTable"),
    ],
)
def test_overrides_win_over_defaults(options: dict[str, Any], value: str, expected: Any) -> None:
    assert resolve_yaml(value, **options) == expected


def test_stack_id_is_deterministic_and_in_the_account() -> None:
    first = resolve_yaml("!Ref AWS::StackId")
    assert first == resolve_yaml("!Ref AWS::StackId")
    assert first.startswith("arn:aws:cloudformation:us-east-1:123456789012:stack/boundary-stack/")


# value, Symbolic text, references, words in the reason
SYMBOLIC = [
    ("!Ref TableNme", "!Ref TableNme", (), "undefined parameter TableNme"),
    ("!Ref Required", "!Ref Required", (), "parameter Required has no default value"),
    ("!Ref FromSsm", "!Ref FromSsm", (), "SSM parameter '/shop/key'"),
    ("!Ref AWS::NotificationARNs", "!Ref AWS::NotificationARNs", (), "deploy time"),
    ("!Ref Queue", "!Ref Queue", ("Queue",), "parameter Required has no default value"),
    (
        "!GetAtt BookingTable.Foo",
        "${BookingTable.Foo}",
        ("BookingTable",),
        "unknown attribute Foo of AWS::DynamoDB::Table",
    ),
    ("!GetAtt Missing.Arn", "${Missing.Arn}", (), "undefined resource Missing"),
    ("!Ref Custom", "!Ref Custom", ("Custom",), "Ref of Custom::Thing is not known offline"),
    ("!GetAtt Custom.Value", "${Custom.Value}", ("Custom",), "unknown attribute Value of Custom::Thing"),
    ("!ImportValue shared-vpc", "!ImportValue shared-vpc", (), "imported from another stack"),
    (
        "!ImportValue {'Fn::Sub': '${Env}-${BookingTable}'}",
        "!ImportValue dev-boundary-stack-BookingTable",
        ("BookingTable",),
        "imported from another stack",
    ),
    ("!Transform {Name: AWS::Include}", None, (), "macro AWS::Include runs at deploy time"),
    (
        "!Sub '${BookingTable}/${TableNme}/${!Lit}'",
        "boundary-stack-BookingTable/${TableNme}/${Lit}",
        ("BookingTable",),
        "undefined parameter TableNme",
    ),
    (
        "!Sub '${BookingTable.Nope}-${Env}'",
        "${BookingTable.Nope}-dev",
        ("BookingTable",),
        "unknown attribute Nope",
    ),
    (
        "!Join ['-', [!Ref Env, !Ref Required]]",
        "dev-!Ref Required",
        (),
        "parameter Required has no default value",
    ),
    (
        "!If [Undecided, !Ref BookingTable, !GetAtt Topic.TopicName]",
        "!If [Undecided, boundary-stack-BookingTable, boundary-stack-Topic]",
        ("BookingTable", "Topic"),
        "parameter Required has no default value",
    ),
    ("!If [Either, a, b]", None, (), "parameter Required has no default value"),
    ("!If [NoSuchCondition, a, b]", None, (), "undefined condition NoSuchCondition"),
    ("!If [Loop, a, b]", None, (), "refers to itself"),
    ("!Select [5, [a]]", None, (), "out of range"),
    ("!Select [0, !Ref Required]", None, (), "parameter Required has no default value"),
    ("!FindInMap [Regions, eu-west-1, Ami]", None, (), "no key eu-west-1 in mapping Regions"),
    ("!FindInMap [Nowhere, a, b]", None, (), "undefined mapping Nowhere"),
    (
        "!ToJsonString {a: !Ref Required}",
        '{"a":"!Ref Required"}',
        (),
        "parameter Required has no default value",
    ),
    ("!GetAtt A.TopicName", "${A.TopicName}", ("A", "B"), "circular reference"),
    ("{'Fn::Nope': 1}", None, (), "unknown intrinsic function Fn::Nope"),
]


@pytest.mark.parametrize(("value", "text", "references", "words"), SYMBOLIC)
def test_unresolvable_values_stay_symbolic(
    value: str, text: str | None, references: tuple[str, ...], words: str
) -> None:
    result = resolve_yaml(value)
    assert isinstance(result, Symbolic), result
    if text is not None:
        assert result.text == text
    assert result.references == references
    assert words in result.reason


# Malformed calls: a Symbolic naming the problem, never an exception.
MALFORMED = [
    {"Ref": ["a"]},
    {"Ref": None},
    {"Fn::GetAtt": ["OnlyOne"]},
    {"Fn::GetAtt": [1, 2]},
    {"Fn::GetAtt": "NoDot"},
    {"Fn::Sub": 5},
    {"Fn::Sub": ["a", "b", "c"]},
    {"Fn::Sub": ["${x}", "not a mapping"]},
    {"Fn::Sub": ["${x}", {"x": [1, 2]}]},
    {"Fn::Join": "a"},
    {"Fn::Join": [1, ["a"]]},
    {"Fn::Join": ["", [{"a": 1}]]},
    {"Fn::Join": ["", "notalist"]},
    {"Fn::Select": ["x", ["a"]]},
    {"Fn::Select": [0, "notalist"]},
    {"Fn::Select": [True, ["a"]]},
    {"Fn::Split": ["", "abc"]},
    {"Fn::Split": [",", ["a"]]},
    {"Fn::If": ["OnlyTwo", "a"]},
    {"Fn::If": [["x"], "a", "b"]},
    {"Fn::FindInMap": ["a"]},
    {"Fn::FindInMap": ["Regions", "us-east-1", "Ami", "not-default"]},
    {"Fn::FindInMap": [["x"], "a", "b"]},
    {"Fn::Base64": {"a": 1}},
    {"Fn::GetAZs": ["x"]},
    {"Fn::Cidr": ["not-an-ip", 1, 8]},
    {"Fn::Cidr": ["10.0.0.0/24", 300, 8]},
    {"Fn::Cidr": ["10.0.0.0/24", 2, 99]},
    {"Fn::Cidr": ["10.0.0.0/24", 2, 10]},
    {"Fn::Cidr": ["10.0.0.0/30", 8, 1]},
    {"Fn::Cidr": "x"},
    {"Fn::Length": "abc"},
    {"Fn::Equals": ["a"]},
    {"Fn::Not": [{"Condition": "Undecided"}]},
    {"Fn::ForEach::Things": ["x", ["a"], {}]},
]


@pytest.mark.parametrize("value", MALFORMED, ids=[str(v)[:40] for v in MALFORMED])
def test_malformed_calls_are_symbolic_with_a_reason(value: Any) -> None:
    result = resolver().resolve(value)
    assert isinstance(result, Symbolic), result
    assert result.reason
    assert result.text


def test_no_value_at_the_top_is_none() -> None:
    assert resolver().resolve({"Ref": "AWS::NoValue"}) is None


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("IsProd", False),
        ("IsDev", True),
        ("CountIsThree", True),
        ("Both", True),
        ("Either", None),
        ("EitherTrue", True),
        ("Undecided", None),
        ("Loop", None),
        ("Missing", None),
    ],
)
def test_conditions(name: str, expected: bool | None) -> None:
    assert resolver().condition(name) is expected


def test_a_parameter_override_decides_a_condition() -> None:
    assert resolver(parameters={"Required": "x"}).condition("Either") is True
    assert resolver(parameters={"Required": "y"}).condition("Either") is False


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"Ref": "BookingTable"}, {"BookingTable"}),
        ({"Ref": "Env"}, set()),
        ({"Ref": "AWS::Region"}, set()),
        ({"Fn::GetAtt": ["Role", "Arn"]}, {"Role"}),
        ({"Fn::GetAtt": "Role.Arn"}, {"Role"}),
        (
            {"Fn::Sub": "${BookingTable.Arn}/${Topic}/${Env}/${!Queue}/${AWS::Region}"},
            {"BookingTable", "Topic"},
        ),
        ({"Fn::Sub": ["${Topic}-${x}", {"x": {"Ref": "Bucket"}}]}, {"Topic", "Bucket"}),
        ({"Fn::Sub": ["${Topic}", {"Topic": "shadowed"}]}, set()),
        (
            {"Fn::Join": ["", [{"Ref": "Queue"}, {"Fn::If": ["IsProd", {"Ref": "Bucket"}, "x"]}]]},
            {"Queue", "Bucket"},
        ),
        ({"Ref": "NotThere"}, set()),
        ({"Statement": [{"Resource": {"Fn::GetAtt": ["Fn", "Arn"]}}]}, {"Fn"}),
        ("plain", set()),
        ([{"Ref": "A"}, {"Ref": "B"}], {"A", "B"}),
    ],
)
def test_references(value: Any, expected: set[str]) -> None:
    assert resolver().references(value) == frozenset(expected)


def test_resource_values_are_memoised(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    original = _cfn_types.get_att

    def counting(logical_id: str, *args: Any, **kwargs: Any) -> Any:
        calls.append(logical_id)
        return original(logical_id, *args, **kwargs)

    monkeypatch.setattr(_cfn_types, "get_att", counting)
    subject = resolver()
    values = [subject.resolve({"Fn::GetAtt": ["BookingTable", "Arn"]}) for _ in range(5)]
    assert values == [PSEUDO_ARN] * 5
    assert calls == ["BookingTable"]


def test_large_template_resolves_quickly() -> None:
    resources: dict[str, Any] = {
        f"Table{i}": {
            "Type": "AWS::DynamoDB::Table",
            "Properties": {"TableName": {"Fn::Sub": "${AWS::StackName}-" + str(i)}},
        }
        for i in range(500)
    }
    resources["Fn"] = {
        "Type": "AWS::Lambda::Function",
        "Properties": {
            "Environment": {"Variables": {f"T{i}": {"Fn::GetAtt": [f"Table{i}", "Arn"]} for i in range(500)}}
        },
    }
    subject = Resolver({"Resources": resources}, file="big.yaml")
    variables = subject.resolve(resources["Fn"]["Properties"])["Environment"]["Variables"]
    assert variables["T499"] == "arn:aws:dynamodb:us-east-1:123456789012:table/boundary-stack-499"
    assert subject.references(resources["Fn"]["Properties"]) == frozenset(f"Table{i}" for i in range(500))


def test_input_is_not_mutated() -> None:
    value = {
        "a": [{"Ref": "AWS::NoValue"}, {"Fn::If": ["IsProd", 1, {"Ref": "AWS::NoValue"}]}],
        "b": {"Ref": "AWS::NoValue"},
    }
    before = repr(value)
    assert resolver().resolve(value) == {"a": []}
    assert repr(value) == before


def test_deep_nesting_never_raises() -> None:
    value: Any = "x"
    for _ in range(5000):
        value = {"Fn::Base64": value}
    assert isinstance(resolver().resolve(value), (str, Symbolic))
    nested: Any = "x"
    for _ in range(5000):
        nested = [nested]
    assert isinstance(resolver().resolve(nested), (list, Symbolic))
    assert resolver().references(nested) == frozenset()


# --- properties --------------------------------------------------------------------------------------

_INTRINSIC_KEYS = ("Ref", "Condition")
_keys = st.text(max_size=8).filter(lambda key: key not in _INTRINSIC_KEYS and not key.startswith("Fn::"))
_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12)
_plain = st.recursive(
    _scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(_keys, children, max_size=4),
    max_leaves=30,
)


@settings(max_examples=200, deadline=None)
@given(_plain)
def test_values_without_intrinsics_resolve_to_themselves(value: Any) -> None:
    assert resolver().resolve(value) == value


_names = st.sampled_from(
    [
        "BookingTable",
        "Topic",
        "Env",
        "Subnets",
        "Required",
        "Custom",
        "A",
        "Nope",
        "AWS::Region",
        "AWS::NoValue",
        "IsProd",
        "Undecided",
        "Regions",
        "",
    ]
)
_function_keys = st.sampled_from(
    ["Ref", "Condition", "Fn::GetAtt", "Fn::Sub", "Fn::Join", "Fn::Select", "Fn::Split", "Fn::If", "Fn::Equals", "Fn::And",
     "Fn::Or", "Fn::Not", "Fn::FindInMap", "Fn::ImportValue", "Fn::Base64", "Fn::Cidr", "Fn::GetAZs", "Fn::Transform",
     "Fn::Length", "Fn::ToJsonString", "Fn::Unknown"]
)  # fmt: skip
_leaf = (
    _names
    | _scalars
    | st.sampled_from(["${Env}", "${BookingTable.Arn}", "${!x}", "${", "10.0.0.0/16", "${Nope.Arn}-${A}"])
)
_any = st.recursive(
    _leaf,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(_keys, children, max_size=3)
        | st.builds(lambda key, arg: {key: arg}, _function_keys, children)
    ),
    max_leaves=25,
)


@settings(max_examples=400, deadline=None)
@given(_any)
def test_resolve_never_raises(value: Any) -> None:
    subject = resolver()
    result = subject.resolve(value)
    assert subject.resolve(value) == result or _has_nan(result)  # deterministic
    subject.references(value)


def _has_nan(value: Any) -> bool:
    if isinstance(value, float):
        return math.isnan(value)
    if isinstance(value, dict):
        return any(_has_nan(item) for item in value.values())
    if isinstance(value, list):
        return any(_has_nan(item) for item in value)
    return False
