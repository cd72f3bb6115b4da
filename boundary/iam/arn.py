"""ARNs as policies write them: parsing, IAM wildcard matching, and what a pattern targets.

Resource elements in templates are often half-resolved
(`arn:${AWS::Partition}:s3:::${Bucket}/*`), so parsing splits only on the colons
outside `${...}` and never fails on symbolic parts; matching treats every
`${...}` as a wildcard because its value is only known at deploy or request time.
"""

from __future__ import annotations

import enum
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from boundary.iam import _glob

__all__ = ["Arn", "ArnIndex", "TargetClass", "classify", "is_full_wildcard", "wildcard_match"]


def wildcard_match(pattern: str, value: str, *, case_sensitive: bool = True) -> bool:
    """IAM matching of `value` against `pattern` (`*`, `?`, policy variables as `*`).

    Linear-time piecewise matching, never a backtracking regex: patterns come
    from scanned, untrusted templates. Actions compare case-insensitively in
    IAM (`case_sensitive=False`), resource ARNs case-sensitively.
    """
    return _glob.match(pattern, value, case_sensitive=case_sensitive)


def _split_outside_placeholders(text: str, limit: int) -> list[str]:
    """Split on ':' except inside `${...}`, at most `limit` times."""
    parts: list[str] = []
    depth, start, i = 0, 0, 0
    while i < len(text):
        if text.startswith("${", i):
            depth += 1
            i += 2
            continue
        char = text[i]
        if char == "}" and depth:
            depth -= 1
        elif char == ":" and not depth and len(parts) < limit:
            parts.append(text[start:i])
            start = i + 1
        i += 1
    parts.append(text[start:])
    return parts


@dataclass(frozen=True, slots=True)
class Arn:
    """A parsed ARN; any part may be a wildcard or a `${...}` placeholder."""

    partition: str
    service: str
    region: str
    account: str
    resource: str

    @classmethod
    def parse(cls, text: str) -> Arn | None:
        """The ARN, or None when `text` does not have the six colon-separated parts."""
        parts = text.split(":", 5) if "${" not in text else _split_outside_placeholders(text, 5)
        if len(parts) != 6 or parts[0] != "arn":
            return None
        return cls(parts[1], parts[2], parts[3], parts[4], parts[5])

    def __str__(self) -> str:
        return f"arn:{self.partition}:{self.service}:{self.region}:{self.account}:{self.resource}"

    @staticmethod
    def is_variable(part: str) -> bool:
        """Whether the part is not a literal: it has a wildcard or a `${...}` placeholder."""
        return "${" in part or _glob.has_wildcard(part)

    @property
    def resource_type_prefix(self) -> str:
        """The resource part up to its first '/' or ':' (`table`, `function`, a bucket name)."""
        for index, char in enumerate(self.resource):
            if char in "/:":
                return self.resource[:index]
        return self.resource


def _only_stars(part: str) -> bool:
    return bool(part) and set(part) == {"*"}


def is_full_wildcard(pattern: str) -> bool:
    """`*`, or an ARN whose service and resource are bare wildcards (`arn:aws:*:*:*:*`)."""
    if _only_stars(pattern):
        return True
    arn = Arn.parse(pattern)
    return arn is not None and _only_stars(arn.service) and _only_stars(arn.resource)


class TargetClass(str, enum.Enum):
    """What a Resource pattern points at, relative to the resources of one template."""

    SPECIFIC = "specific"  # a literal ARN of one (or more) known template resources
    EXTERNAL = "external"  # a literal ARN of nothing in the template
    PARTIAL_WILDCARD = "partial-wildcard"  # a pattern scoped to a service, account or name prefix
    FULL_WILDCARD = "full-wildcard"  # everything: `*`, `arn:aws:*:*:*:*`

    def __str__(self) -> str:
        return self.value


def _matches_known(pattern: str, known: str) -> bool:
    """A known ARN may itself be a pattern (`table/T/index/*`, `api-id/*`): match in both
    directions, and when both are patterns, ask whether they can name a common ARN
    (`api-id/*/GET/loyalty/*` names methods of the API `api-id/*`)."""
    if wildcard_match(pattern, known):
        return True
    if not Arn.is_variable(pattern):
        return wildcard_match(known, pattern)
    return Arn.is_variable(known) and _glob.globs_intersect(_glob.tokenize(pattern), _glob.tokenize(known))


def classify(pattern: str, known_arns: Iterable[str]) -> tuple[TargetClass, tuple[str, ...]]:
    """Classify a Resource pattern and return the known ARNs it matches, in input order.

    Classifying many patterns against the same ARNs: build one `ArnIndex` and ask it.
    """
    return ArnIndex(known_arns).classify(pattern)


_WILD_CHARS = ("*", "?", "$")


def _raw_prefix(text: str) -> str:
    """The text before its first `*`, `?` or `$`: every string a pattern matches (and the
    pattern's own text) starts with it, whatever the wildcards and placeholders after."""
    end = len(text)
    for char in _WILD_CHARS:
        at = text.find(char, 0, end)
        if at != -1:
            end = at
    return text[:end]


class ArnIndex:
    """Known ARNs (some of them patterns), indexed by their literal prefix.

    Two ARNs (or patterns) can only match or intersect when the literal prefix of one
    starts with that of the other, so `classify` tests those candidates only:
    the exact ARN, the patterns whose prefix is a prefix of the pattern's, and, for a
    pattern, the ARNs whose prefix extends its own (a sorted range). A template of N
    resources and S statements costs about S log N plus the matches, not S times N.
    """

    def __init__(self, known_arns: Iterable[str]) -> None:
        self.known = tuple(dict.fromkeys(known_arns))
        self._position = {arn: index for index, arn in enumerate(self.known)}
        literal: list[str] = []
        self._variable: dict[str, list[str]] = {}
        for arn in self.known:
            prefix = _raw_prefix(arn)
            if len(prefix) == len(arn):
                literal.append(arn)
            else:
                self._variable.setdefault(prefix, []).append(arn)
        self._literal = frozenset(literal)
        self._literal_sorted = sorted(literal)
        self._variable_sorted = sorted(self._variable)

    def _candidates(self, pattern: str) -> Iterator[str]:
        prefix = _raw_prefix(pattern)
        if len(prefix) == len(pattern):  # literal: itself, or a known pattern naming it
            if pattern in self._literal:
                yield pattern
        else:
            yield from _starting_with(self._literal_sorted, prefix)
            for key in _starting_with(self._variable_sorted, prefix):
                if key != prefix:  # its own prefix is looked up below
                    yield from self._variable[key]
        for end in range(len(prefix) + 1):
            found = self._variable.get(prefix[:end])
            if found:
                yield from found

    def classify(self, pattern: str) -> tuple[TargetClass, tuple[str, ...]]:
        """Classify a Resource pattern and return the known ARNs it matches, in input order."""
        if is_full_wildcard(pattern):
            return TargetClass.FULL_WILDCARD, self.known
        matched = tuple(
            sorted(
                {arn for arn in self._candidates(pattern) if _matches_known(pattern, arn)},
                key=self._position.__getitem__,
            )
        )
        if Arn.is_variable(pattern):
            return TargetClass.PARTIAL_WILDCARD, matched
        return (TargetClass.SPECIFIC if matched else TargetClass.EXTERNAL), matched


def _starting_with(keys: list[str], prefix: str) -> Iterator[str]:
    """The sorted `keys` that start with `prefix`."""
    index = bisect_left(keys, prefix)
    while index < len(keys) and keys[index].startswith(prefix):
        yield keys[index]
        index += 1
