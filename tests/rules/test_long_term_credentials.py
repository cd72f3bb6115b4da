"""The credential detector of long-term-credentials (BND111), case by case, and the seeded samples."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from boundary.policies import long_term_credentials
from boundary.policies.long_term_credentials import find_keys, mask
from hypothesis import given, settings
from hypothesis import strategies as st

import boundary

ROOT = Path(__file__).resolve().parents[2]
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE"}, {"key-id"}),
        ({"AWS_SECRET_ACCESS_KEY": SECRET}, {"secret"}),
        ([{"Name": "SecretAccessKey", "Value": SECRET}], {"secret"}),
        ({"UserData": f"export aws_secret_access_key={SECRET}"}, {"secret"}),
        ({"TOKEN": "ASIAY34FZKBOKMUTVV7A"}, {"key-id"}),
        ({"BUNDLE_SHA1": "3f786850e387550fdab836ed7e6dc881de23001b"}, set()),
        ({"DIGEST": "Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFy"}, set()),
        ({"DB": "{{resolve:secretsmanager:prod/db:SecretString:password}}"}, set()),
        ({"SECRET_KEY": "arn:aws:secretsmanager:us-east-1:123456789012:secret:x-AbCdEf"}, set()),
        ({"secret_key": "x" * 40}, set()),
        ({"ID": "XAKIAIOSFODNN7EXAMPLE"}, set()),
        # a SHA-1 is 40 characters too, but hex: never a base64 secret key
        ({"SECRET_KEY_SHA1": "3f786850e387550fdab836ed7e6dc881de23001b"}, set()),
        ({"AWS_SECRET": "3F786850E387550FDAB836ED7E6DC881DE23001B"}, set()),
        # without a key id in the template, a plain "secret" name is not an AWS key's
        ({"PartnerSecret": SECRET}, set()),
    ],
)
def test_find_keys(value: Any, expected: set[str]) -> None:
    assert {kind for _, kind, _ in find_keys(value)} == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"PartnerSecret": SECRET}, {"secret"}),
        ({"PartnerSecret": "3f786850e387550fdab836ed7e6dc881de23001b"}, set()),
        ({"PartnerToken": SECRET}, set()),
    ],
)
def test_find_keys_paired_with_a_key_id(value: Any, expected: set[str]) -> None:
    assert {kind for _, kind, _ in find_keys(value, paired=True)} == expected


# Pieces of strings around the prefilter's edges: key ids, a secret, names and separators.
_PIECES = st.sampled_from(
    [
        "AKIAIOSFODNN7EXAMPLE",
        "ASIAY34FZKBOKMUTVV7A",
        "akiaiosfodnn7example",
        SECRET,
        SECRET[:39],
        "x",
        "secret_key",
        "AWS_SECRET",
        "SecretAccessKey",
        "=",
        ": ",
        "\n",
        " ",
        "/",
        "'",
    ]
)
_TEXT = st.lists(_PIECES, max_size=4).map("".join)
_VALUES = st.recursive(
    _TEXT,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(["Name", "Value", "SECRET_KEY", "PartnerSecret", "Env", "key"]), inner, max_size=3
        )
    ),
    max_leaves=8,
)


@settings(max_examples=300, deadline=None)
@given(value=_VALUES, paired=st.booleans())
def test_the_prefilter_never_hides_a_key(value: Any, paired: bool) -> None:
    """`find_keys` looks at a value only when its strings could hold a key (one search of
    them joined); what it finds is what a walk of every string finds."""
    found = list(find_keys(value, paired=paired))
    with mock.patch.object(long_term_credentials, "_worth_a_look", lambda _value: True):
        assert found == list(find_keys(value, paired=paired))


_TEXT_SECTIONS = """\
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  PartnerKeyId:
    Type: String
    NoEcho: true
    Default: AKIAZ7QK4MXB2PLW5RT1
  PartnerSecret:
    Type: String
    NoEcho: true
    Default: {secret}
Mappings:
  Partners:
    acme:
      KeyId: AKIAZ7QK4MXB2PLW5RT2
Resources:
  Queue:
    Type: AWS::SQS::Queue
Outputs:
  # an example in a comment is not read: AKIAZ7QK4MXB2PLW5RT9
  PartnerKeyOut:
    Value: AKIAZ7QK4MXB2PLW5RT3
  SameKeyAgain:
    Value: AKIAZ7QK4MXB2PLW5RT1
"""


def test_keys_outside_resources_are_found_once(tmp_path: Path) -> None:
    template = tmp_path / "template.yaml"
    template.write_text(_TEXT_SECTIONS.format(secret=SECRET))
    found = [f for f in boundary.analyze([template]).findings if f.rule_name == "long-term-credentials"]
    lines = template.read_text().splitlines()
    assert sorted(f.resource for f in found) == sorted(
        ["Partners", "PartnerKeyId", "PartnerKeyOut", "PartnerSecret"]
    )
    for finding in found:
        assert finding.location is not None
        assert "AKIA" in lines[finding.location.line - 1] or SECRET in lines[finding.location.line - 1]
        assert SECRET not in finding.message


def test_terraform_output_with_a_key_is_found() -> None:
    plan = ROOT / "tests/rules/fixtures/long-term-credentials/tfplan.json"
    found = [f for f in boundary.analyze([plan]).findings if f.rule_name == "long-term-credentials"]
    assert "output.partner_key_id" in {f.resource for f in found}


def test_mask_never_shows_the_secret() -> None:
    shown = mask(SECRET)
    assert SECRET not in shown and len(shown) < 10


@pytest.mark.parametrize(
    ("sample", "rule", "resource", "needle"),
    [
        (
            "samples/sam/insecure/template.yaml",
            "long-term-credentials",
            "CancelBooking",
            "AWS_SECRET_ACCESS_KEY",
        ),
        ("samples/sam/insecure/template.yaml", "long-term-credentials", "CancelBooking", "AWS_ACCESS_KEY_ID"),
        (
            "samples/sam/insecure/template.yaml",
            "resource-type-mismatch",
            "ConfirmBookingPolicy",
            "!Ref BookingTopic",
        ),
    ],
)
def test_seeded_sample_problem_is_found_on_its_line(
    sample: str, rule: str, resource: str, needle: str
) -> None:
    result = boundary.analyze([ROOT / sample])
    lines = (ROOT / sample).read_text().splitlines()
    hits = [f for f in result.findings if f.rule_name == rule and f.resource == resource]
    assert any(needle in lines[f.location.line - 1] for f in hits), hits
    assert all(SECRET not in f.message for f in result.findings)


@pytest.mark.parametrize("sample", ["samples/sam/secure/template.yaml", "samples/terraform/secure/plan.json"])
def test_secure_samples_have_no_finding_of_these_rules(sample: str) -> None:
    mine = {
        "privilege-escalation",
        "resource-type-mismatch",
        "long-term-credentials",
        "broad-trust-policy",
        "invalid-policy",
    }
    result = boundary.analyze([ROOT / sample])
    assert [f for f in result.findings if f.rule_name in mine and f.severity.rank >= 2] == []


@pytest.mark.parametrize(
    "value",
    [
        "!GetAtt Key.SecretAccessKey",
        "\n      Fn::GetAtt:\n        - Key\n        - SecretAccessKey",
        '!Sub "${Key.SecretAccessKey}"',
    ],
    ids=["short", "block", "sub"],
)
def test_exported_secret_is_located_through_the_model(tmp_path: Path, value: str) -> None:
    """The Outputs line comes from the model's Outputs and `Template.locate`, not a text search."""
    template = tmp_path / "template.yaml"
    template.write_text(
        "Resources:\n  User:\n    Type: AWS::IAM::User\n  Key:\n    Type: AWS::IAM::AccessKey\n"
        "    Properties:\n      UserName: !Ref User\nOutputs:\n  Secret:\n"
        f"    Value: {value}\n"
    )
    lines = template.read_text().splitlines()
    expected = next(i for i, line in enumerate(lines, 1) if "SecretAccessKey" in line)
    (finding,) = [f for f in boundary.scan([template]) if f.rule_id == "BND111" and "Outputs" in f.message]
    assert f"stack Outputs (line {expected})" in finding.message


GLOBALS_KEYS = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: python3.12
    Handler: app.handler
    CodeUri: src/
    Environment:
      Variables:
        AWS_ACCESS_KEY_ID: AKIAIOSFODNN7EXAMPLE
Resources:
  Reader:
    Type: AWS::Serverless::Function
  Writer:
    Type: AWS::Serverless::Function
    Properties:
      Environment:
        Variables:
          AWS_ACCESS_KEY_ID: AKIAI44QH8DHBEXAMPLE
"""


def test_a_key_in_sam_globals_is_reported_where_it_is_written(tmp_path: Path) -> None:
    """SAM merges `Globals.Function` into every function: the key is on each function,
    and its line is the one in `Globals`, where it is fixed (not the function's first line)."""
    path = tmp_path / "template.yaml"
    path.write_text(GLOBALS_KEYS, encoding="utf-8")
    found = {
        (f.resource, f.location.line, f.location.column)
        for f in boundary.analyze([path]).findings
        if f.rule_name == "long-term-credentials"
    }
    assert found == {("Reader", 10, 28), ("Writer", 19, 30)}
