"""IAM semantics, offline: the action catalog, ARN matching, managed policies,
the one IAM evaluator (`boundary.iam.evaluate`) and policy validation.

Importing this package reads no data: the catalog loads one service's JSON the
first time that service is asked about, managed policies on first lookup.
"""

from __future__ import annotations

from boundary.iam.arn import Arn, TargetClass, classify, is_full_wildcard, wildcard_match
from boundary.iam.catalog import ACCESS_LEVELS, ActionInfo, Catalog, ResourceTypeRef, catalog
from boundary.iam.document import condition_entries, normalize_policy, normalize_statement
from boundary.iam.managed import (
    ManagedPolicy,
    access_breadth,
    is_aws_managed_arn,
    managed_policy,
    managed_policy_names,
)
from boundary.iam.trust import DeadCondition, admits_cognito_guests, dead_conditions, web_identity_provider
from boundary.iam.validate import CHECKS, CheckInfo, IssueSeverity, PolicyIssue, validate_policy

__all__ = [
    "ACCESS_LEVELS",
    "CHECKS",
    "ActionInfo",
    "Arn",
    "Catalog",
    "CheckInfo",
    "IssueSeverity",
    "DeadCondition",
    "ManagedPolicy",
    "PolicyIssue",
    "ResourceTypeRef",
    "TargetClass",
    "access_breadth",
    "admits_cognito_guests",
    "catalog",
    "classify",
    "condition_entries",
    "dead_conditions",
    "is_aws_managed_arn",
    "is_full_wildcard",
    "managed_policy",
    "managed_policy_names",
    "normalize_policy",
    "normalize_statement",
    "validate_policy",
    "web_identity_provider",
    "wildcard_match",
]
