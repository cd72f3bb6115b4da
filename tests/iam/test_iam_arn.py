"""ARN parsing, IAM wildcard matching and target classification."""

from __future__ import annotations

import fnmatch
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from boundary.iam import Arn, TargetClass, classify, wildcard_match
from boundary.iam.arn import is_full_wildcard


@pytest.mark.parametrize(
    ("pattern", "value", "case_sensitive", "expected"),
    [
        ("*", "", True, True),
        ("*", "anything:at/all", True, True),
        ("s3:Get*", "s3:GetObject", True, True),
        ("s3:Get*", "s3:PutObject", True, False),
        ("s3:get*", "s3:GetObject", True, False),
        ("s3:get*", "s3:GetObject", False, True),
        ("s3:?etObject", "s3:GetObject", True, True),
        ("s3:?etObject", "s3:etObject", True, False),
        ("a*b*c", "abc", True, True),
        ("a*b*c", "aXbYc", True, True),
        ("a*b*c", "aXbYcZ", True, False),
        ("a*a", "a", True, False),
        ("*ab", "aab", True, True),
        ("a?*?b", "axyb", True, True),
        ("a?*?b", "axb", True, False),
        ("arn:aws:s3:::bucket/${aws:username}/*", "arn:aws:s3:::bucket/alice/notes.txt", True, True),
        ("arn:aws:s3:::bucket/${aws:username}", "arn:aws:s3:::bucket/", True, True),
        ("literal${*}", "literal*", True, True),
        ("literal${*}", "literalX", True, False),
        ("what${?}", "what?", True, True),
        ("cost${$}", "cost$", True, True),
        ("", "", True, True),
        ("", "x", True, False),
    ],
)
def test_wildcard_match(pattern: str, value: str, case_sensitive: bool, expected: bool) -> None:
    assert wildcard_match(pattern, value, case_sensitive=case_sensitive) is expected


_ALPHABET = "ab:/-"


@settings(max_examples=400, deadline=None)
@given(
    pattern=st.text(alphabet=_ALPHABET + "*?", max_size=12),
    value=st.text(alphabet=_ALPHABET, max_size=16),
)
def test_wildcard_match_agrees_with_fnmatch(pattern: str, value: str) -> None:
    assert wildcard_match(pattern, value) is fnmatch.fnmatchcase(value, pattern)


@settings(max_examples=200, deadline=None)
@given(
    pattern=st.text(alphabet="aB*?", max_size=10),
    value=st.text(alphabet="abAB", max_size=12),
)
def test_case_insensitive_match_is_match_on_lowered_text(pattern: str, value: str) -> None:
    expected = fnmatch.fnmatchcase(value.lower(), pattern.lower())
    assert wildcard_match(pattern, value, case_sensitive=False) is expected


@pytest.mark.parametrize(
    ("pattern", "value"),
    [
        ("a*" * 200 + "b", "a" * 20_000),
        ("*a?" * 150 + "c", "ab" * 10_000),
        ("*" + "a" * 500 + "b*", "a" * 20_000),
    ],
)
def test_pathological_patterns_finish_fast(pattern: str, value: str) -> None:
    started = time.perf_counter()
    assert wildcard_match(pattern, value) is False
    assert time.perf_counter() - started < 1.0


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("arn:aws:s3:::bucket/key", ("aws", "s3", "", "", "bucket/key")),
        (
            "arn:aws:lambda:us-east-1:123456789012:function:Fn:prod",
            ("aws", "lambda", "us-east-1", "123456789012", "function:Fn:prod"),
        ),
        (
            "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${Table}",
            ("${AWS::Partition}", "dynamodb", "${AWS::Region}", "${AWS::AccountId}", "table/${Table}"),
        ),
        ("arn:aws:*:*:*:*", ("aws", "*", "*", "*", "*")),
    ],
)
def test_arn_parse(text: str, parts: tuple[str, ...]) -> None:
    arn = Arn.parse(text)
    assert arn is not None
    assert (arn.partition, arn.service, arn.region, arn.account, arn.resource) == parts
    assert str(arn) == text


@pytest.mark.parametrize("text", ["*", "bucket", "arn:aws:s3", "urn:aws:s3:::b", "arn:aws:s3:::"[:-1]])
def test_arn_parse_rejects_non_arns(text: str) -> None:
    assert Arn.parse(text) is None


KNOWN = (
    "arn:aws:dynamodb:us-east-1:123456789012:table/Bookings",
    "arn:aws:dynamodb:us-east-1:123456789012:table/Bookings/index/*",
    "arn:aws:sns:us-east-1:123456789012:BookingTopic",
    "arn:aws:s3:::uploads",
)


@pytest.mark.parametrize(
    ("pattern", "expected_class", "expected_matches"),
    [
        ("*", TargetClass.FULL_WILDCARD, KNOWN),
        ("arn:aws:*:*:*:*", TargetClass.FULL_WILDCARD, KNOWN),
        ("arn:*:*:*:*:*", TargetClass.FULL_WILDCARD, KNOWN),
        (KNOWN[0], TargetClass.SPECIFIC, (KNOWN[0],)),
        (
            "arn:aws:dynamodb:us-east-1:123456789012:table/Bookings/index/ByDate",
            TargetClass.SPECIFIC,
            (KNOWN[1],),
        ),
        ("arn:aws:sns:us-east-1:999999999999:OtherTopic", TargetClass.EXTERNAL, ()),
        ("arn:aws:dynamodb:us-east-1:123456789012:table/*", TargetClass.PARTIAL_WILDCARD, KNOWN[:2]),
        ("arn:aws:s3:::*", TargetClass.PARTIAL_WILDCARD, (KNOWN[3],)),
        ("arn:aws:sqs:*:*:*", TargetClass.PARTIAL_WILDCARD, ()),
        ("arn:aws:s3:::uploads/${aws:username}", TargetClass.PARTIAL_WILDCARD, ()),
    ],
)
def test_classify(pattern: str, expected_class: TargetClass, expected_matches: tuple[str, ...]) -> None:
    assert classify(pattern, KNOWN) == (expected_class, expected_matches)


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [("*", True), ("**", True), ("arn:aws:*:*:*:*", True), ("arn:aws:s3:::*", False), ("s3:*", False)],
)
def test_is_full_wildcard(pattern: str, expected: bool) -> None:
    assert is_full_wildcard(pattern) is expected
