from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import partial

from boundary.graph import node_id, queries
from boundary.graph.permissions import ref_instead_of_arn, written_policies
from boundary.iam import IssueSeverity, PolicyIssue, validate_policy
from boundary.model import Format, Policy, PolicyDocument, PolicyKind, Template
from boundary.rules import Rule, RuleContext, Severity, Violation

# Reported by other rules: resource-type-mismatch (BND108), privilege-escalation (BND106).
_ELSEWHERE = frozenset({"action-resource-mismatch", "undefined-reference", "pass-role-with-star-resource"})
_SEVERITY = {
    IssueSeverity.ERROR: Severity.MEDIUM,
    IssueSeverity.SECURITY_WARNING: Severity.MEDIUM,
    IssueSeverity.WARNING: Severity.LOW,
}
# Actions the catalog does not list but AWS itself writes: SAM's SQSPollerPolicy
# (the batch calls are authorised by their single-message actions) and the
# default SNS topic policy (`SNS:Receive`). The user cannot fix them, and they grant nothing.
_AWS_WRITTEN = frozenset({"sqs:changemessagevisibilitybatch", "sqs:deletemessagebatch", "sns:receive"})
_POLICY_VARIABLE = re.compile(r"\$\{aws:[^}]+\}", re.IGNORECASE)
_KIND_TEXT = {
    PolicyKind.TRUST: "trust policy",
    PolicyKind.RESOURCE: "resource policy",
    PolicyKind.IDENTITY: "policy",
}


def _uses_policy_variables(policy: Policy) -> bool:
    assert policy.document is not None
    return bool(_POLICY_VARIABLE.search(json.dumps(policy.document.raw, default=str)))


def _noise(template: Template, policy: Policy, issue: PolicyIssue) -> bool:
    """Issues that are true of the text but change nothing the deployed policy does."""
    if issue.check == "missing-version":
        # Without Version IAM reads 2008-10-17, which differs only in policy variables;
        # SAM writes its policy templates this way. Reported only when a variable is used.
        return not _uses_policy_variables(policy)
    if issue.check == "unknown-action":
        return issue.action is not None and issue.action.lower() in _AWS_WRITTEN
    if issue.check == "service-linked-role-with-star":
        # In an identity policy wildcard-resource (BND104) reports the statement (the action
        # acts on roles), and admin-access or wildcard-action too when a wildcard grants it:
        # naming the roles or the actions is the one fix, so the remark would be one more
        # finding for the same statement.
        return policy.kind is PolicyKind.IDENTITY
    if issue.check == "duplicate-sid":
        # Terraform's aws_iam_policy_document writes `"Sid": ""` for every unnamed statement.
        return template.format is Format.TERRAFORM and issue.value == ""
    return False


class InvalidPolicy(Rule):
    """
    ## What it does
    Validates every policy document in the templates (identity policies,
    resource policies such as bucket, topic and queue policies, and role
    trust policies) offline, in the spirit of IAM Access Analyzer's policy
    checks, and reports errors (unknown actions and services, malformed
    ARNs, a wrong Effect, a missing Principal or Resource, duplicate Sids,
    empty lists), security warnings (`iam:CreateServiceLinkedRole` on `*`,
    Allow with NotPrincipal) and warnings. Suggestions are not reported.
    Checks other rules own are left to them: wrong resource types and
    undefined parameters (resource-type-mismatch), `iam:PassRole` on `*`
    (privilege-escalation), and `iam:CreateServiceLinkedRole` on `*` in an
    identity policy (wildcard-resource reports that statement, and
    admin-access or wildcard-action too when a wildcard grants it: one
    statement, one fix, one finding). A missing Version is reported only when the
    policy uses policy variables, the one thing it changes.

    A trust statement whose condition tests a key its principal's request
    never carries is reported as `unmatchable-condition`: a web-identity
    request carries the provider's own `aud`, `sub`, `azp`, `amr` and
    `oaud` claims (and the provider-specific ones AWS lists, such as
    GitHub's `repository`), never another provider's keys or other
    claims; an AWS account or service calling `sts:AssumeRole` carries no
    web-identity or SAML key. Under `StringEquals`, `ForAnyValue:` or
    `Null: false` such a condition is false, so the statement lets that
    principal in never. Principals outside the template are judged by
    the same table; `Principal: "*"` (which may be a federated user) and
    values not resolved offline are not.

    ## Why is this bad?
    IAM accepts many broken policies without a word: a misspelt action, a
    made-up service prefix (`bedrock-runtime:InvokeModel`) or a bucket ARN
    with a region grants nothing, and the function fails at run time. The
    usual "fix" under pressure is a wildcard. A policy whose text says one
    thing and whose effect is another is a boundary nobody can review.

    ## Example
    ```yaml
    Policies:
      - Statement:
          - Effect: Allow
            Action: dynamodb:CreateItem   # no such action
            Resource: !GetAtt BookingTable.Arn
    ```

    ## Use instead
    ```yaml
    Policies:
      - Statement:
          - Effect: Allow
            Action: dynamodb:PutItem
            Resource: !GetAtt BookingTable.Arn
    ```

    ## References
    - AWS Well-Architected Serverless Lens, SEC2: "Use least-privileged policies"
    - https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html
    - https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
    """

    def evaluate(self, ctx: RuleContext) -> Iterator[Violation]:
        for template in ctx.model.templates:
            for policy in written_policies(template):
                assert policy.document is not None
                subject = queries.policy_subject(ctx.graph, template, policy)
                related = tuple(
                    node
                    for node in (node_id(template, owner) for owner in policy.attached_to)
                    if node != subject and node in ctx.graph
                )
                seen: set[str] = set()
                # shared with resource-type-mismatch: keyed by the model's own document object
                issues = ctx.memo(
                    ("validate-policy", id(policy.document), policy.kind),
                    partial(_validated, policy.document, policy.kind),
                )
                for issue in issues:
                    severity = _SEVERITY.get(issue.severity)
                    if severity is None or issue.check in _ELSEWHERE or issue.message in seen:
                        continue
                    if _noise(template, policy, issue) or ref_instead_of_arn(template, issue) is not None:
                        continue  # noise, or a name where an ARN belongs: resource-type-mismatch's
                    seen.add(issue.message)
                    if issue.check == "missing-version":
                        severity = Severity.MEDIUM
                    yield Violation(
                        node=subject,
                        message=f"{_KIND_TEXT[policy.kind]} {policy.id}, {issue.message} ({issue.check})",
                        related=related,
                        key=f"{policy.id}#{issue.check}#{issue.message}",
                        location=issue.location or policy.location,
                        severity=severity,
                    )


def _validated(document: PolicyDocument, kind: PolicyKind) -> tuple[PolicyIssue, ...]:
    return tuple(validate_policy(document, kind=kind))
