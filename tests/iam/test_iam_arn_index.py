"""`ArnIndex.classify` looks only at candidate ARNs; it must answer as a walk of every ARN does."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from boundary.iam.arn import Arn, ArnIndex, TargetClass, _matches_known, classify, is_full_wildcard


def _walk(pattern: str, known: list[str]) -> tuple[TargetClass, tuple[str, ...]]:
    """The definition: every known ARN tested, in input order."""
    unique = tuple(dict.fromkeys(known))
    if is_full_wildcard(pattern):
        return TargetClass.FULL_WILDCARD, unique
    matched = tuple(arn for arn in unique if _matches_known(pattern, arn))
    if Arn.is_variable(pattern):
        return TargetClass.PARTIAL_WILDCARD, matched
    return (TargetClass.SPECIFIC if matched else TargetClass.EXTERNAL), matched


KNOWN = [
    "arn:aws:dynamodb:us-east-1:123456789012:table/Orders",
    "arn:aws:dynamodb:us-east-1:123456789012:table/Orders/index/*",
    "arn:aws:dynamodb:us-east-1:123456789012:table/Orders2",
    "arn:aws:dynamodb:us-east-1:123456789012:table/Orders2/stream/*",
    "arn:aws:s3:::bucket",
    "arn:aws:s3:::bucket/*",
    "arn:aws:sqs:us-east-1:123456789012:Jobs",
    "arn:aws:execute-api:us-east-1:123456789012:api1/*",
    "arn:${AWS::Partition}:sns:us-east-1:123456789012:Topic",
    "arn:aws:lambda:us-east-1:123456789012:function:fn?",
    "arn:aws:s3:::bucket",  # a duplicate: listed once
]

PATTERNS = [
    "*",
    "arn:aws:*:*:*:*",
    "arn:aws:dynamodb:us-east-1:123456789012:table/Orders",
    "arn:aws:dynamodb:us-east-1:123456789012:table/Orders/index/ByDate",
    "arn:aws:dynamodb:us-east-1:123456789012:table/Orders*",
    "arn:aws:dynamodb:*:*:table/*",
    "arn:aws:dynamodb:us-east-1:123456789012:table/Orders2/stream/2024",
    "arn:aws:s3:::bucket/key.txt",
    "arn:aws:s3:::bucket/*",
    "arn:aws:s3:::b*",
    "arn:aws:s3:::other",
    "arn:aws:execute-api:us-east-1:123456789012:api1/*/GET/orders",
    "arn:aws:sns:us-east-1:123456789012:Topic",
    "arn:aws:sns:*:123456789012:Topic",
    "arn:aws:lambda:us-east-1:123456789012:function:fn1",
    "arn:aws:lambda:us-east-1:123456789012:function:${Name}",
    "arn:aws:sqs:us-east-1:123456789012:Jobs",
    "arn:aws:sqs:us-east-1:123456789012:Job?",
]


def test_index_answers_as_the_walk_on_typical_arns() -> None:
    index = ArnIndex(KNOWN)
    for pattern in PATTERNS:
        assert index.classify(pattern) == _walk(pattern, KNOWN), pattern
        assert classify(pattern, KNOWN) == _walk(pattern, KNOWN), pattern


def test_index_finds_a_known_pattern_naming_a_literal_arn() -> None:
    target_class, matched = ArnIndex(KNOWN).classify(
        "arn:aws:dynamodb:us-east-1:123456789012:table/Orders/index/ByDate"
    )
    assert target_class is TargetClass.SPECIFIC
    assert matched == ("arn:aws:dynamodb:us-east-1:123456789012:table/Orders/index/*",)


# Short strings over an alphabet rich in wildcards, placeholders and separators, so that
# prefixes, `?`, `*`, `${...}` and the escapes `${*}` meet in every combination.
_PIECES = st.sampled_from(["a", "b", "/", ":", "*", "?", "${x}", "${*}", "$", "ab", "a/"])
_TEXT = st.lists(_PIECES, max_size=6).map("".join)
_ARN = st.one_of(_TEXT, _TEXT.map(lambda rest: f"arn:aws:s3:::{rest}"))


@settings(max_examples=300, deadline=None)
@given(known=st.lists(_ARN, max_size=8), patterns=st.lists(_ARN, min_size=1, max_size=6))
def test_index_answers_as_the_walk_on_any_strings(known: list[str], patterns: list[str]) -> None:
    index = ArnIndex(known)
    for pattern in patterns:
        assert index.classify(pattern) == _walk(pattern, known)
