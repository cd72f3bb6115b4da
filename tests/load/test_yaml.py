"""The template parser: short forms to long forms, scalars as CloudFormation reads them, marks, errors."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from boundary.load import _yaml
from boundary.load._errors import SourceError
from boundary.load._intrinsics import Resolver
from boundary.load._yaml import SHORT_FORMS, Document, parse_document
from boundary.model import Limits


def value_of(yaml_value: str) -> Any:
    """Parse `V: <yaml_value>` and return what V holds."""
    return parse_document(f"V: {yaml_value}\n", "t.yaml").data["V"]


def error_of(text: str) -> SourceError:
    with pytest.raises(SourceError) as caught:
        parse_document(text, "t.yaml")
    assert caught.value.file == "t.yaml"
    assert "\n" not in caught.value.message
    return caught.value


# Short form, the long form CloudFormation means by it.
SHORT_AND_LONG = [
    ("!Ref Table", {"Ref": "Table"}),
    ("!Condition IsProd", {"Condition": "IsProd"}),
    ("!GetAtt Table.Arn", {"Fn::GetAtt": ["Table", "Arn"]}),
    ("!GetAtt [Table, Arn]", {"Fn::GetAtt": ["Table", "Arn"]}),
    ("!GetAtt Stack.Outputs.Name", {"Fn::GetAtt": ["Stack", "Outputs.Name"]}),
    ("!Sub 'arn:${AWS::Partition}:s3:::${Bucket}/*'", {"Fn::Sub": "arn:${AWS::Partition}:s3:::${Bucket}/*"}),
    ("!Sub ['${A}-x', {A: !Ref B}]", {"Fn::Sub": ["${A}-x", {"A": {"Ref": "B"}}]}),
    ("!Join ['-', [a, !Ref B]]", {"Fn::Join": ["-", ["a", {"Ref": "B"}]]}),
    ("!Select [0, !GetAZs '']", {"Fn::Select": [0, {"Fn::GetAZs": ""}]}),
    ("!Split [',', 'a,b']", {"Fn::Split": [",", "a,b"]}),
    ("!If [IsProd, a, !Ref AWS::NoValue]", {"Fn::If": ["IsProd", "a", {"Ref": "AWS::NoValue"}]}),
    ("!Equals [!Ref Env, prod]", {"Fn::Equals": [{"Ref": "Env"}, "prod"]}),
    ("!And [!Condition A, !Condition B]", {"Fn::And": [{"Condition": "A"}, {"Condition": "B"}]}),
    ("!Or [!Condition A, !Condition B]", {"Fn::Or": [{"Condition": "A"}, {"Condition": "B"}]}),
    ("!Not [!Condition A]", {"Fn::Not": [{"Condition": "A"}]}),
    ("!FindInMap [M, !Ref AWS::Region, Ami]", {"Fn::FindInMap": ["M", {"Ref": "AWS::Region"}, "Ami"]}),
    ("!ImportValue shared-vpc", {"Fn::ImportValue": "shared-vpc"}),
    ("!ImportValue {'Fn::Sub': '${Env}-vpc'}", {"Fn::ImportValue": {"Fn::Sub": "${Env}-vpc"}}),
    ("!Base64 echo hi", {"Fn::Base64": "echo hi"}),
    ("!Cidr ['10.0.0.0/16', 4, 8]", {"Fn::Cidr": ["10.0.0.0/16", 4, 8]}),
    ("!GetAZs ''", {"Fn::GetAZs": ""}),
    ("!GetAZs", {"Fn::GetAZs": ""}),
    ("!GetAZs {Ref: AWS::Region}", {"Fn::GetAZs": {"Ref": "AWS::Region"}}),
    (
        "!Transform {Name: AWS::Include, Parameters: {Location: s3://b/k}}",
        {"Fn::Transform": {"Name": "AWS::Include", "Parameters": {"Location": "s3://b/k"}}},
    ),
    ("!Length [a, b]", {"Fn::Length": ["a", "b"]}),
    ("!ToJsonString {a: b}", {"Fn::ToJsonString": {"a": "b"}}),
    ("!Ref 123", {"Ref": "123"}),  # operands of tags are text, as written
]


@pytest.mark.parametrize(("short", "long"), SHORT_AND_LONG)
def test_short_form_becomes_long_form(short: str, long: dict[str, Any]) -> None:
    assert value_of(short) == long


@pytest.mark.parametrize(("short", "long"), SHORT_AND_LONG)
def test_long_form_written_out_reads_the_same(short: str, long: dict[str, Any]) -> None:
    assert value_of(json.dumps(long)) == long
    assert parse_document(json.dumps({"V": long}), "t.json").data["V"] == long


def test_every_short_form_is_tested() -> None:
    tested = {short.split()[0].removeprefix("!") for short, _ in SHORT_AND_LONG}
    assert tested == set(SHORT_FORMS)


def test_block_sub_and_nested_tags() -> None:
    text = (
        "Resources:\n"
        "  Fn:\n"
        "    Properties:\n"
        "      Policy: !Sub\n"
        "        - 'arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${T}'\n"
        "        - T: !Select\n"
        "            - 1\n"
        "            - !Split ['/', !GetAtt Table.Arn]\n"
    )
    policy = parse_document(text, "t.yaml").data["Resources"]["Fn"]["Properties"]["Policy"]
    assert policy == {
        "Fn::Sub": [
            "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${T}",
            {"T": {"Fn::Select": [1, {"Fn::Split": ["/", {"Fn::GetAtt": ["Table", "Arn"]}]}]}},
        ]
    }


# YAML text, what CloudFormation makes of it (documented in boundary.load._yaml).
SCALARS = [
    ("2012-10-17", "2012-10-17"),  # the classic: a policy Version is text, not a date
    ("2001-12-14t21:59:43.10-05:00", "2001-12-14t21:59:43.10-05:00"),
    ("!!timestamp 2012-10-17", "2012-10-17"),
    ("'2012-10-17'", "2012-10-17"),
    ("true", True),
    ("yes", True),  # YAML 1.1
    ("Off", False),
    ("'yes'", "yes"),
    ("10", 10),
    ("0x1f", 31),
    ("'10'", "10"),
    ("!!str 10", "10"),
    ("1.5", 1.5),
    ("~", None),
    ("", None),
    ("null", None),
    ("''", ""),
    ("arn:aws:s3:::b/*", "arn:aws:s3:::b/*"),
    ("'*'", "*"),
]


@pytest.mark.parametrize(("text", "expected"), SCALARS)
def test_scalars_read_as_cloudformation_reads_them(text: str, expected: Any) -> None:
    value = value_of(text)
    assert value == expected
    assert type(value) is type(expected)


@pytest.mark.parametrize(
    ("key", "expected"), [("200", "200"), ("'200'", "200"), ("true", "true"), ("2012-10-17", "2012-10-17")]
)
def test_keys_are_strings(key: str, expected: str) -> None:
    assert parse_document(f"{key}: v\n", "t.yaml").data == {expected: "v"}


def test_data_is_plain_json_like() -> None:
    document = parse_document("A:\n  B: [1, !Ref X, {C: 2012-10-17}]\n", "t.yaml")
    plain = {"A": {"B": [1, {"Ref": "X"}, {"C": "2012-10-17"}]}}
    assert document.data == plain
    assert json.loads(json.dumps(document.data)) == plain
    assert copy.deepcopy(document.data) == plain


@pytest.mark.parametrize(
    ("text", "line", "column", "first"),
    [
        ("Resources:\n  A: 1\n  B: 2\n  A: 3\n", 4, 3, 2),
        ("a:\n  b: 1\n  b: !Ref X\n", 3, 3, 2),
        ("a: {b: 1, b: 2}\n", 1, 11, 1),
        ('{\n  "a": 1,\n  "b": {"c": 1},\n  "a": 2\n}\n', 4, 3, 2),
        ('{"a": {"c": 1,\n "c": 2}}', 2, 2, 1),
    ],
)
def test_duplicate_keys_are_located_at_the_duplicate(text: str, line: int, column: int, first: int) -> None:
    """A duplicate is a warning, not an error: CloudFormation deploys the last value."""
    (warning,) = _yaml.parse_document(text, "t.yaml").warnings
    assert (warning.line, warning.column) == (line, column)
    assert f"(first at line {first})" in warning.message
    assert "duplicate key" in warning.message and not warning.is_error


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ("a: !!python/object:os.system x\n", 1, 4),
        ("a:\n  b: !!python/object/apply:os.system ['echo pwned']\n", 2, 6),
        ("a: !!python/name:os.system ''\n", 1, 4),
        ("a: !!binary aGk=\n", 1, 4),
        ("a: !!set {x: null}\n", 1, 4),
        ("a: !!omap [x: 1]\n", 1, 4),
        ("a: !Foo x\n", 1, 4),
        ("a: !Fn::Sub x\n", 1, 4),
        ("a: !!int abc\n", 1, 4),
        ("? [a]\n: 1\n", 1, 3),
        ("!Ref a: 1\n", 1, 1),
    ],
)
def test_unsupported_tags_and_keys_are_located_errors(text: str, line: int, column: int) -> None:
    error = error_of(text)
    assert (error.line, error.column) == (line, column)


def test_python_objects_are_never_built(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    text = f"a: !!python/object/apply:os.system ['touch {marker}']\n"
    with pytest.raises(SourceError):
        parse_document(text, "t.yaml")
    assert not marker.exists()


@pytest.mark.parametrize(
    ("text", "line", "column", "words"),
    [
        ("a:\n\t- b\n", 2, 1, "tab"),
        ("a: [1, 2\n", 2, 1, "flow sequence"),
        ("a:\n  b: 1\n c: 2\n", 3, 2, "invalid YAML"),
        ("a: 1\n---\nb: 2\n", 2, 1, "single document"),
        ("a: 'unterminated\n", 2, 1, "quoted scalar"),
        ("a: *nowhere\n", 1, 4, "alias"),
        ("a: b: c\n", 1, 5, "mapping values"),
        ("a: \x07\n", 1, 4, "invalid YAML"),
    ],
)
def test_malformed_yaml_is_a_located_one_line_error(text: str, line: int, column: int, words: str) -> None:
    error = error_of(text)
    assert (error.line, error.column) == (line, column)
    assert words in error.message


@pytest.mark.parametrize(
    ("text", "line", "column", "words"),
    [
        ('{\n  "a": 1\n  "b": 2\n}\n', 3, 3, "expecting ','"),
        ('{"a": @}', 1, 7, "expecting a value"),
        ('{"a": "x\x01"}', 1, 9, "Invalid control character"),
        ('{"a": [1, 2}', 1, 12, "expecting ','"),
        ('{"a": 1} x', 1, 10, "extra data"),
        ('{"a": ', 1, 7, "end of file"),
    ],
)
def test_malformed_json_is_a_located_one_line_error(text: str, line: int, column: int, words: str) -> None:
    error = error_of(text)
    assert (error.line, error.column) == (line, column)
    assert error.message.startswith("invalid JSON")
    assert words in error.message


def test_json_that_is_valid_yaml_flow_is_read_as_yaml() -> None:
    # CloudFormation falls back from JSON to YAML; a trailing comma is fine in YAML flow style.
    assert parse_document('{"a": [1, 2,],}', "t.json").data == {"a": [1, 2]}
    assert parse_document('{"a": tru}', "t.json").data == {"a": "tru"}
    assert parse_document("{a: !Ref B}", "t.yaml").data == {"a": {"Ref": "B"}}


def test_json_keeps_json_types() -> None:
    text = '\ufeff{"V": "2012-10-17", "N": 1.5e3, "I": -2, "B": [true, false, null], "E": "\\/\\u00e9"}'
    assert parse_document(text, "t.json").data == {
        "V": "2012-10-17",
        "N": 1500.0,
        "I": -2,
        "B": [True, False, None],
        "E": "/\u00e9",
    }


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "empty"),
        ("   \n\n", "empty"),
        ("# only a comment\n", "empty"),
        ("- a\n- b\n", "list"),
        ("just text\n", "string"),
        ("[1]", "list"),
    ],
)
def test_not_a_template(text: str, words: str) -> None:
    error = error_of(text)
    assert error.line == 1
    assert error.message.startswith("not a CloudFormation template")
    assert words in error.message


YAML_TEMPLATE = """\
Resources:
  Table:
    Type: AWS::DynamoDB::Table
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Environment:
        Variables:
          TABLE: !Ref Table
          ARN: !GetAtt Table.Arn
      Layers:
        - a
        -   b
"""

JSON_TEMPLATE = """\
{
  "Resources": {
    "Table": {"Type": "AWS::DynamoDB::Table"},
    "Fn": {
      "Type": "AWS::Lambda::Function",
      "Properties": {
        "Layers": ["a",
                   "b"]
      }
    }
  }
}
"""


@pytest.mark.parametrize(
    ("text", "path", "expected"),
    [
        (YAML_TEMPLATE, (), (1, 1)),
        (YAML_TEMPLATE, ("Resources",), (1, 1)),
        (YAML_TEMPLATE, ("Resources", "Fn"), (4, 3)),
        (YAML_TEMPLATE, ("Resources", "Fn", "Properties", "Environment", "Variables", "TABLE"), (9, 11)),
        (
            YAML_TEMPLATE,
            ("Resources", "Fn", "Properties", "Environment", "Variables", "TABLE", "Ref"),
            (9, 18),
        ),
        (
            YAML_TEMPLATE,
            ("Resources", "Fn", "Properties", "Environment", "Variables", "ARN", "Fn::GetAtt", 1),
            (10, 16),
        ),
        (YAML_TEMPLATE, ("Resources", "Fn", "Properties", "Layers", 1), (13, 13)),
        (YAML_TEMPLATE, ("Resources", "Fn", "Properties", "Layers", 7), (11, 7)),  # no such item: the list
        (YAML_TEMPLATE, ("Resources", "Fn", "Properties", "Missing", "Deeper"), (6, 5)),
        (YAML_TEMPLATE, ("Nothing",), (1, 1)),
        (JSON_TEMPLATE, ("Resources", "Fn"), (4, 5)),
        (JSON_TEMPLATE, ("Resources", "Fn", "Properties", "Layers", 1), (8, 20)),
        (JSON_TEMPLATE, ("Resources", "Table", "Type"), (3, 15)),
    ],
)
def test_locate(text: str, path: tuple[str | int, ...], expected: tuple[int, int]) -> None:
    document = parse_document(text, "t")
    assert document.locate(path) == expected
    assert document.locate(list(path)) == expected


def test_locate_never_raises_on_odd_paths() -> None:
    document = parse_document(YAML_TEMPLATE, "t.yaml")
    assert document.locate([["unhashable"]]) == (1, 1)  # type: ignore[list-item]
    assert document.locate(("Resources", None, 3)) == (1, 1)  # type: ignore[arg-type]
    assert Document(data={}, file="x").locate(("a",)) == (0, 0)


def test_document_keeps_lines_and_file() -> None:
    document = parse_document(YAML_TEMPLATE, "dir/t.yaml")
    assert document.file == "dir/t.yaml"
    assert document.lines[3] == "  Fn:"
    assert len(document.lines) == YAML_TEMPLATE.count("\n")


def test_merge_keys_and_aliases() -> None:
    text = "base: &b {x: 1, y: 2}\nuse:\n  <<: *b\n  y: 3\nlist: &l [1]\nagain: *l\n"
    data = parse_document(text, "t.yaml").data
    assert data["use"] == {"x": 1, "y": 3}
    assert data["again"] == [1]
    data["again"].append(2)
    assert data["list"] == [1]  # aliases are copies: mutating one occurrence does not change another


@pytest.mark.parametrize("text", ["a: &x [*x]\n", "a: &x {b: *x}\n", "a: &x {<<: *x}\n"])
def test_recursive_aliases_are_errors(text: str) -> None:
    error = error_of(text)
    assert error.line == 1
    assert "recursive alias" in error.message


def test_alias_expansion_is_bounded() -> None:
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    levels += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 6)]
    with pytest.raises(SourceError) as caught:
        parse_document("\n".join(levels) + "\n", "t.yaml", Limits(max_nodes=500))
    assert "too many elements" in caught.value.message


def test_the_libyaml_loader_is_used_when_present() -> None:
    if getattr(yaml, "__with_libyaml__", False):
        assert issubclass(_yaml._BaseLoader, yaml.CSafeLoader)
    else:
        assert issubclass(_yaml._BaseLoader, yaml.SafeLoader)


_SCALARS = [
    *(chr(c) + "x" for c in range(33, 127)),
    *(chr(c) for c in range(33, 127)),
    "yes",
    "No",
    "ON",
    "off",
    "true",
    "False",
    "~",
    "null",
    "Null",
    "NULL",
    "",
    " x",
    "1",
    "-1",
    "+1",
    "0x1F",
    "0o17",
    "0b101",
    "1_000",
    "1.5",
    "-.5",
    ".inf",
    "-.Inf",
    ".nan",
    "1e3",
    "2024-01-31",
    "2024-01-31T10:00:00Z",
    "<<",
    "=",
    "AWS::Serverless::Function",
    "éa",
    "Ünicode",
]


@pytest.mark.parametrize("quoted", [False, True])
def test_scalars_are_resolved_as_pyyaml_resolves_them(quoted: bool) -> None:
    """The loader tags a plain scalar that no implicit resolver could match as a string
    without asking PyYAML's resolver; every scalar reads as PyYAML's safe loader reads it."""
    for scalar in _SCALARS:
        text = f"k: {json.dumps(scalar) if quoted else scalar}\n"
        try:
            expected = yaml.load(text, Loader=_yaml._SafeLoader)
        except yaml.YAMLError:
            continue  # not a plain scalar YAML takes (`&x`, `*x`, `%x`, ...)
        loader = _yaml._BaseLoader(text)
        try:
            assert loader.get_single_data() == expected, scalar
        finally:
            loader.dispose()


@pytest.mark.corpus
def test_corpus_parses_or_fails_located_and_resolves(corpus_dir: Path) -> None:
    files = sorted(
        path
        for path in (corpus_dir / "sam" / "serverless-patterns").iterdir()
        if path.suffix in (".yaml", ".yml", ".json")
    )
    assert files
    parsed = 0
    for path in files:
        text = path.read_text(encoding="utf-8-sig")
        try:
            document = parse_document(text, str(path))
        except SourceError as error:
            assert error.line >= 1, f"{path}: {error}"
            assert error.file == str(path)
            continue
        parsed += 1
        json.dumps(document.data)
        resolver = Resolver(document.data, file=str(path))
        resources = document.data.get("Resources")
        for definition in (resources or {}).values() if isinstance(resources, dict) else ():
            if isinstance(definition, dict):
                resolver.resolve(definition.get("Properties"))
                resolver.references(definition.get("Properties"))
    assert parsed > len(files) // 2  # a parser that rejects everything must fail here
