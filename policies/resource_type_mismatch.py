from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from boundary.graph import EdgeKind, node_id, queries
from boundary.graph.permissions import (
    StatementView,
    action_applies,
    every_of_type,
    ref_instead_of_arn,
    written_policies,
)
from boundary.iam import PolicyIssue, evaluate, is_full_wildcard, validate_policy
from boundary.model import Format, Policy, PolicyDocument, PolicyKind, Resource, Statement, Symbolic, Template
from boundary.rules import Rule, RuleContext, Severity, Violation

_CHECKS = ("action-resource-mismatch", "undefined-reference")


# Terraform attributes that are not ARNs, by resource type: what each one is.
_NOT_ARN = {
    "aws_sqs_queue": {"id": "URL", "url": "URL", "name": "name"},
    "aws_dynamodb_table": {"id": "name", "name": "name"},
    "aws_s3_bucket": {"id": "name", "bucket": "name"},
    "aws_lambda_function": {"id": "name", "function_name": "name"},
    "aws_cloudwatch_log_group": {"id": "name", "name": "name"},
    "aws_kms_key": {"id": "key id", "key_id": "key id"},
    "aws_sns_topic": {"name": "name"},
    "aws_secretsmanager_secret": {"name": "name"},
    "aws_ssm_parameter": {"id": "name", "name": "name"},
    "aws_iam_role": {"id": "name", "name": "name", "unique_id": "unique id"},
    "aws_kinesis_stream": {"name": "name"},
    "aws_sfn_state_machine": {"name": "name"},
    "aws_cloudwatch_event_bus": {"id": "name", "name": "name"},
}


def _not_arn_attributes(value: str | Symbolic) -> list[tuple[str, str, str]]:
    """`(reference, address, what)` for each attribute a Terraform value is made of that
    is not an ARN (`${aws_sqs_queue.jobs.url}`: the queue's URL)."""
    if not isinstance(value, Symbolic):
        return []
    found = []
    for address, attribute in value.attributes:
        what = _NOT_ARN.get(address.split(".", 1)[0], {}).get(attribute)
        if what is not None:
            found.append((f"${{{address}.{attribute}}}", address, what))
    return found


def _known_resources(template: Template, values: tuple[str | Symbolic, ...]) -> tuple[str | Symbolic, ...]:
    """Resources with each symbolic value that stands for template resources only
    (Terraform's `aws_sns_topic.x.arn`, known after apply) replaced by every ARN those
    resources answer to, sub-resource patterns included: an action is then judged
    against all of them, so the substitution can only hide a mismatch, never invent one."""
    out: list[str | Symbolic] = []
    for value in values:
        if _not_arn_attributes(value):
            out.append(value)  # reported on its own: a name or URL where the ARN belongs
            continue
        if isinstance(value, Symbolic) and value.references and "undefined" not in value.reason.lower():
            owners = [template.resources.get(ref) for ref in value.references]
            if all(owner is not None and owner.arns for owner in owners):
                out.extend(arn for owner in owners if owner is not None for arn in owner.arns)
                continue
        out.append(value)
    return tuple(out)


def _judged_document(template: Template, document: PolicyDocument) -> PolicyDocument:
    statements: list[Statement] = []
    for statement in document.statements:
        resources = _known_resources(template, statement.resources)
        statements.append(
            statement if resources == statement.resources else replace(statement, resources=resources)
        )
    if all(new is old for new, old in zip(statements, document.statements, strict=True)):
        return document  # unchanged: the same object, whose checks invalid-policy shares
    return replace(document, statements=tuple(statements))


def _validated(
    ctx: RuleContext, document: PolicyDocument, policy: Policy, shared: bool
) -> tuple[PolicyIssue, ...]:
    """`validate_policy` of a document; of a template's own document (`shared`), once per
    scan for this rule and invalid-policy together (`ctx.memo`, keyed by the document
    object, which the model keeps alive for the whole scan)."""
    if not shared:
        return tuple(validate_policy(document, kind=policy.kind))
    return ctx.memo(
        ("validate-policy", id(document), policy.kind),
        lambda: tuple(validate_policy(document, kind=policy.kind)),
    )


def _grouped(issues: list[PolicyIssue]) -> list[list[PolicyIssue]]:
    """Mismatches of one statement together (one finding per statement, naming every
    action at fault); each undefined reference on its own."""
    groups: dict[tuple[object, ...], list[PolicyIssue]] = {}
    for issue in issues:
        if issue.check == "action-resource-mismatch":
            key: tuple[object, ...] = (issue.check, issue.statement_index)
        else:
            key = (issue.check, issue.statement_index, issue.message)
        groups.setdefault(key, []).append(issue)
    return list(groups.values())


def _summary(group: list[PolicyIssue]) -> str:
    if len(group) == 1:
        return group[0].message
    first = group[0]
    actions = [i.action for i in group if i.action is not None]
    names = ", ".join(f'"{a}"' for a in actions)
    listed = ", ".join(f'"{r}"' for r in first.found)
    where = f"the Resource names only {listed}" if first.found else "no listed resource fits them"
    return f"{first.statement}: {len(actions)} actions ({names}) act on none of the listed resources, but {where}"


_NAME_NOT_ARN = "name-instead-of-arn"


def _named_not_arn(template: Template, issue: PolicyIssue, owner: Resource) -> PolicyIssue:
    """An `invalid-arn` issue restated: the value is what `!Ref` gives (a name, a queue URL)."""
    what = "URL" if (issue.value or "").startswith("https://") else "name"
    prefix = issue.statement or issue.element or "Resource"
    if template.format is Format.TERRAFORM:
        arn = f"{owner.id}.arn"
    else:
        arn = f"!GetAtt {owner.id}.Arn"
    return replace(
        issue,
        check=_NAME_NOT_ARN,
        message=(
            f"{prefix}: {issue.element or 'Resource'} is the {what} of {owner.id} ({owner.type}), not its ARN, "
            f"so the statement matches nothing ({arn} gives the ARN)"
        ),
    )


def _granted_elsewhere(
    ctx: RuleContext, template: Template, policy_id: str, group: list[PolicyIssue]
) -> StatementView | None:
    """Another Allow statement of the same principals that grants every action of a mismatch
    group on a resource of a type it acts on: the mismatched statement then takes nothing
    away and gives nothing, and removing it is the fix. None when there is none."""
    actions = [i.action for i in group if i.check == "action-resource-mismatch" and i.action]
    index = group[0].statement_index
    if not actions or len(actions) != len(group):
        return None
    policy_node = node_id(template, policy_id)
    if policy_node not in ctx.graph:
        return None
    owners = sorted(
        {
            u
            for u, _, d in ctx.graph.in_edges(policy_node, data=True)
            if d.get("kind") == EdgeKind.ATTACHED_POLICY
        }
    )
    if not owners:
        return None
    found: StatementView | None = None
    for owner in owners:
        views = [
            v
            for v in ctx.statements_of(owner)
            if v.effect == "Allow" and not (v.policy_id == policy_id and v.index == index)
        ]
        first: StatementView | None = None
        for action in actions:
            fitting = [v for v in views if _grants_fitting(ctx, v, action)]
            if not fitting:
                return None
            first = first or fitting[0]
        found = found or first
    return found


def _grants_fitting(ctx: RuleContext, view: StatementView, action: str) -> bool:
    """Whether a statement allows `action` on a named resource of a type the action acts on.
    A grant on `*` or on every resource of a type does not count: the scoped statement that
    missed is then the one to fix (aimed at the right resource), and the wide one to remove."""
    if view.all_resources or not evaluate.action_matches(view.statement, action):
        return False
    arns = [r for r in view.resources if not is_full_wildcard(r) and not every_of_type(r)]
    for target, target_class in view.listed:
        if target_class == "specific":
            arns.extend(ctx.graph.nodes[target].get("arns") or ())
    return any(action_applies(action, arn) for arn in arns)


class ResourceTypeMismatch(Rule):
    """
    ## What it does
    Finds policy statements (identity, resource and trust policies) that pair
    an action only with resources it cannot act on, such as
    `dynamodb:UpdateItem` on an SNS topic ARN or `s3:GetObject` on a bucket
    ARN without `/*`, and statements that name an undefined parameter or
    pseudo parameter (`!Ref TableNme`, `${AWS::AcountId}`), and statements
    whose resource is what `!Ref` returns for a resource of the template
    instead of its ARN: a table's or bucket's name, a queue's URL
    (`Resource: !Ref JobsQueue`; in Terraform `aws_sqs_queue.jobs.url` or
    `aws_dynamodb_table.items.name`, even when known only after apply). Each action of a
    statement is judged on its own: it is reported only when it acts on
    resource types and no listed resource is of one of them. Statements on
    `*`, with NotResource or with a resource that cannot be resolved offline
    are not judged; actions that only accept `*` are never reported.

    When another Allow statement of the same role, user or group grants the
    same actions on a named resource they act on (not `*`, not every
    resource of a type), the mismatched statement gives
    nothing and takes nothing away: it is reported with **low** severity and
    names the statement that does the granting. Every written policy is
    judged, whatever it is attached to: a role of the template, a role,
    user or group outside the template (named by a literal or a parameter),
    or nothing yet.

    ## Why is this bad?
    IAM does not reject such a statement: it grants nothing, silently. The
    function fails at run time with AccessDenied, and the usual "fix" under
    pressure is `Resource: "*"`. A wrong resource also shows a wrong mental
    model of what the function touches, so the boundary the template seems to
    draw is not the one deployed.

    ## Example
    ```yaml
    Policies:
      - Statement:
          - Effect: Allow
            Action: dynamodb:UpdateItem
            Resource: !Ref BookingTopic   # an SNS topic ARN
    ```

    ## Use instead
    ```yaml
    Policies:
      - Statement:
          - Effect: Allow
            Action: dynamodb:UpdateItem
            Resource: !GetAtt BookingTable.Arn
    ```

    ## References
    - AWS Well-Architected Serverless Lens, SEC2: "Use least-privileged policies"
    - https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html
    - https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html
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
                kind_text = {PolicyKind.TRUST: "trust policy", PolicyKind.RESOURCE: "resource policy"}.get(
                    policy.kind, "policy"
                )
                issues = []
                judged = _judged_document(template, policy.document)
                for issue in _validated(ctx, judged, policy, judged is policy.document):
                    owner = ref_instead_of_arn(template, issue)
                    if owner is not None:
                        issues.append(_named_not_arn(template, issue, owner))
                    elif issue.check in _CHECKS:
                        issues.append(issue)
                for index, statement in enumerate(policy.document.statements):
                    for value in statement.resources:
                        for reference, address, what in _not_arn_attributes(value):
                            yield Violation(
                                node=subject,
                                message=(
                                    f"{kind_text} {policy.id}, Statement[{index}]: Resource {reference} is the "
                                    f"{what} of {address}, not its ARN, so the statement matches nothing "
                                    f"({address}.arn gives the ARN); expected the resource's ARN"
                                ),
                                related=related,
                                key=f"{policy.id}#{index}#{_NAME_NOT_ARN}#{reference}",
                                location=statement.location or policy.location,
                            )
                for group in _grouped(issues):
                    first = group[0]
                    severity = None
                    granted = _granted_elsewhere(ctx, template, policy.id, group)
                    if granted is not None:
                        # The grant works through another statement: this one is dead weight.
                        severity = Severity.LOW
                        expected = (
                            f"{granted.describe()} grants the same on a resource they act on, so this "
                            "statement adds nothing; expected it removed"
                        )
                    elif first.check == "action-resource-mismatch":
                        expected = "expected a resource of a type the action acts on"
                    elif first.check == _NAME_NOT_ARN:
                        expected = "expected the resource's ARN"
                    else:
                        expected = "expected a declared parameter, resource or pseudo parameter"
                    yield Violation(
                        node=subject,
                        message=f"{kind_text} {policy.id}, {_summary(group)}; {expected}",
                        related=related,
                        key=f"{policy.id}#{first.statement_index}#{first.check}#{first.element}"
                        + (
                            ""
                            if len(group) > 1 or first.check != "undefined-reference"
                            else f"#{first.message}"
                        ),
                        location=first.location or policy.location,
                        severity=severity,
                    )
