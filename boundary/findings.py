"""What a rule reports: severities, the public category vocabulary, decisions,
suppressions and findings.

The contract between the rules and everything that consumes their results
(reports, the CLI, the Checkov extension, library users). Public and stable:
import from here, from `boundary.rules` or from `boundary`. Light on purpose
(no networkx, no rule machinery), so the CLI can offer these enums as choices
without slowing start-up.
"""

from __future__ import annotations

import enum
import hashlib
import os
from dataclasses import dataclass, field

from boundary.model import Location

__all__ = ["Category", "Decision", "Finding", "Severity", "Suppression", "portable_path"]


def portable_path(file: str) -> str:
    """The file as fingerprints name it: relative to the working directory when inside
    it, with forward slashes, so a baseline made in one checkout holds in another."""
    if not file:
        return file
    try:
        relative = os.path.relpath(file)
    except ValueError:  # another drive on Windows
        relative = file
    chosen = file if relative.startswith("..") else relative
    return chosen.replace(os.sep, "/")


class Severity(str, enum.Enum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        """Higher is worse: critical is 4, info is 0."""
        return _SEVERITY_RANK[self]

    def __str__(self) -> str:
        return self.value


_SEVERITY_RANK = {
    Severity.INFO: 0,
    Severity.LOW: 1,
    Severity.MEDIUM: 2,
    Severity.HIGH: 3,
    Severity.CRITICAL: 4,
}


class Category(str, enum.Enum):
    """The stable public vocabulary of the JSON `category` field (docs/output.md)."""

    SHARED_ROLE = "shared-role"
    MULTI_PURPOSE_FUNCTION = "multi-purpose-function"
    WILDCARD_ACTION = "wildcard-action"
    WILDCARD_RESOURCE = "wildcard-resource"
    ADMIN_ACCESS = "admin-access"
    PRIVILEGE_ESCALATION = "privilege-escalation"
    OVER_GRANT = "over-grant"
    RESOURCE_TYPE_MISMATCH = "resource-type-mismatch"
    UNAUTHENTICATED_ENDPOINT = "unauthenticated-endpoint"
    PUBLIC_INVOKE_PERMISSION = "public-invoke-permission"
    LONG_TERM_CREDENTIALS = "long-term-credentials"
    BROAD_TRUST = "broad-trust"
    POLICY_INVALID = "policy-invalid"
    UNUSED_PERMISSION = "unused-permission"
    ATTACK_PATH = "attack-path"

    def __str__(self) -> str:
        return self.value


class Decision(str, enum.Enum):
    """OPA-style: `deny` fails the build at its severity, `warn` only informs."""

    DENY = "deny"
    WARN = "warn"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, slots=True)
class Suppression:
    """Why a finding is not held against the build, and where that was said."""

    reason: str
    source: str  # "metadata", "checkov-metadata", "config", "baseline"


@dataclass(frozen=True, slots=True)
class Finding:
    """One violation of one rule at one place.

    `resource` is the primary resource (logical id or Terraform address),
    `related` the other resources involved. `location` points at the source
    line the user wrote (for SAM-generated resources, the SAM resource).
    `key` distinguishes several findings of one rule on one resource (a
    statement index, a route) and takes part in the fingerprint; line numbers
    never do, so fingerprints survive edits that move lines.
    """

    rule_id: str
    rule_name: str
    category: Category
    severity: Severity
    decision: Decision
    message: str
    resource: str
    location: Location
    related: tuple[str, ...] = ()
    key: str = ""
    suppression: Suppression | None = None
    fingerprint: str = field(default="")
    # Other findings on the same policy statement and of the same family (a grant too
    # wide), less severe than this one: one thing to fix, one finding. Each keeps its
    # rule id and fingerprint, so it can still be queried, suppressed and baselined.
    merged: tuple[Finding, ...] = ()

    def __post_init__(self) -> None:
        if not self.fingerprint:
            object.__setattr__(self, "fingerprint", self.compute_fingerprint())

    def compute_fingerprint(self) -> str:
        parts = (self.rule_id, portable_path(self.location.file), self.resource, self.key)
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]

    @property
    def suppressed(self) -> bool:
        return self.suppression is not None

    @property
    def rule_ids(self) -> tuple[str, ...]:
        """This finding's rule id, then those of the findings merged into it."""
        return (self.rule_id, *dict.fromkeys(f.rule_id for f in self.merged if f.rule_id != self.rule_id))

    @property
    def fingerprints(self) -> tuple[str, ...]:
        """This finding's fingerprint, then those of the findings merged into it."""
        return (self.fingerprint, *(f.fingerprint for f in self.merged))

    def sort_key(self) -> tuple[str, int, int, str, str, str]:
        loc = self.location
        return (loc.file, loc.line, loc.column, self.rule_id, self.resource, self.key)
