from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from boundary.graph.permissions import (
    TELEMETRY_SERVICES,
    StatementView,
    every_of_type,
    expand_actions,
    is_denied,
    statement_data_actions,
)
from boundary.iam import access_breadth, catalog
from boundary.iam.arn import Arn
from boundary.rules import Rule, RuleContext, Severity, Violation

# Granted on `*` by AWS's own execution policies because the resources do not exist
# before the action runs: a VPC function's network interfaces, metric data points.
_CONVENTIONAL = frozenset(
    {
        "cloudwatch:putmetricdata",
        "ec2:createnetworkinterface",
        "ec2:deletenetworkinterface",
        "ec2:detachnetworkinterface",  # SAM's VPCAccessPolicy template grants it with the others
        "ec2:assignprivateipaddresses",
        "ec2:unassignprivateipaddresses",
    }
)
# What SAM attaches on its own for an event source: the user cannot narrow it in the template.
_IMPLICIT = (
    " (SAM attaches this policy for the function's event source and the template does not name it: "
    "reported as info, so it does not fail a scan at the default --fail-on; to narrow it, give the "
    "function a Role of your own granting these actions on the source's ARN)"
)
_TYPE_WIDE_LEVELS = frozenset({"Read", "Write", "Permissions management", "Tagging"})
# What AWSLambdaBasicExecutionRole grants on `*`: writing the function's own logs.
_LOG_DELIVERY = frozenset(
    {"logs:createloggroup", "logs:createlogstream", "logs:putlogevents", "logs:describelogstreams"}
)


@lru_cache(maxsize=4096)
def _scoped(pattern: str) -> tuple[str, ...]:
    """The actions of `pattern` that name a resource type, so that `Resource: "*"` widens
    them, AWS's conventional ones left out; kept, as every policy of every file asks again."""
    cat = catalog()
    return tuple(
        a
        for a in expand_actions((pattern,))
        if cat.has_action(a) and not cat.only_wildcard_resource(a) and a.lower() not in _CONVENTIONAL
    )


def _metadata_read(action: str) -> bool:
    """Listing and describing resources (`ec2:Describe*`) reveals names, not data."""
    level = catalog().access_level(action)
    short = action.partition(":")[2]
    return level == "List" or (level == "Read" and short.startswith(("Describe", "List")))


class WildcardResource(Rule):
    """
    ## What it does
    Finds Allow statements in identity policies that grant actions supporting
    resource-level permissions on every resource: `Resource: "*"`, an ARN
    whose service and resource are wildcards, or `NotResource`; and those
    granted on every resource of one type in the account, such as
    `table/*` (a SAM `DynamoDBCrudPolicy` with `TableName: "*"`),
    `function:*` or S3's `arn:aws:s3:::*`. Name prefixes (`table/orders-*`)
    and AWS-published resources (Bedrock foundation models) are not findings. Actions that
    only accept `*` (such as `xray:PutTraceSegments` or
    `s3:ListAllMyBuckets`) are not findings, nor are the actions AWS's own
    execution policies grant on `*` because their resources do not exist yet
    (`ec2:CreateNetworkInterface` for a VPC function, `cloudwatch:PutMetricData`).
    Statements that only deliver logs (`logs:CreateLogStream`,
    `logs:PutLogEvents`) or only list and describe are reported with low
    severity. Resource policies are not judged here. AWS managed policies are:
    administrator and `*FullAccess` ones by the admin-access rule, the others
    here at medium severity (`AWSLambdaExecute` reads and writes every bucket,
    `AmazonS3ReadOnlyAccess` reads them all), the Lambda event-source
    execution roles (`AWSLambdaSQSQueueExecutionRole`, ...) at low severity, and
    the logging, tracing and VPC networking ones not at all.

    Principals outside the template are judged too: a policy resource
    (`AWS::IAM::Policy`, `ManagedPolicy`, `RolePolicy`; Terraform
    `aws_iam_role_policy`, `aws_iam_policy` with an attachment) that names a
    role, user or group the template does not declare, by a literal name, an
    ARN or a parameter (`Roles: [!Ref RoleName]`). The finding is on the
    policy resource and names the principal; a function of
    the template whose `Role` is the ARN of that role runs with the policy,
    and the finding names it as well. A written policy that nothing attaches
    (an `AWS::IAM::ManagedPolicy` with no `Roles`, `Users` or `Groups` that
    no `ManagedPolicyArns` names; a Terraform `aws_iam_policy` with no
    attachment) is judged as it stands, since whoever it is attached to later
    gets it: the finding is on the policy and says it is attached to nothing.

    Grants SAM adds on its own are reported with **info** severity, so they
    never fail a scan at the default `--fail-on low`: for an `SQS`,
    `DynamoDB`, `Kinesis` or `MSK` event SAM attaches
    `AWSLambdaSQSQueueExecutionRole`, `AWSLambdaDynamoDBExecutionRole`,
    `AWSLambdaKinesisExecutionRole` or `AWSLambdaMSKExecutionRole` to the
    role it generates, and the template has no way to narrow them short of
    a `Role` of its own. The same policy named in the function's `Policies`,
    or attached to a role the template writes, is the user's choice and keeps
    the low severity. `--fail-on info` fails on them too.

    ## Why is this bad?
    `dynamodb:UpdateItem` on `*` lets the function change every table in the
    account and region, not just the one it was written for. A compromised or
    buggy function can then reach data that belongs to other workloads.

    ## Example
    ```yaml
    Policies:
      - Statement:
          - Effect: Allow
            Action: dynamodb:UpdateItem
            Resource: "*"
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
    - https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege
    - https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html
    """

    def evaluate(self, ctx: RuleContext) -> Iterator[Violation]:
        cat = catalog()
        for principal in ctx.judged_identities():
            views = ctx.identity_statements_of(principal)
            for view in views:
                if view.effect != "Allow" or is_denied(view, views):
                    continue
                if view.aws_managed and (view.managed_arn is None or access_breadth(view.managed_arn)):
                    continue  # administrator and full-access policies are admin-access findings
                if not view.all_resources:
                    yield from _type_wide(principal, view)
                    continue
                if view.statement.not_actions is not None or any(cat.expands_to_all(a) for a in view.actions):
                    scoped = ["(all actions)"]
                else:
                    scoped = sorted({a for pattern in view.actions for a in _scoped(pattern)})
                if not scoped:
                    continue
                severity = None
                telemetry = all(a.partition(":")[0].lower() in TELEMETRY_SERVICES for a in scoped)
                if all(a.lower() in _LOG_DELIVERY for a in scoped) or all(_metadata_read(a) for a in scoped):
                    if view.aws_managed:
                        continue  # AWSLambdaBasicExecutionRole and the like: how Lambda logs
                    # log delivery and listing names: worth a look, not a build failure
                    severity = Severity.LOW
                elif view.aws_managed:
                    if telemetry:
                        continue  # AWS's logging and tracing policies
                    severity = _managed_severity(view.managed_arn or "")
                where = "NotResource" if view.statement.not_resources is not None else "Resource '*'"
                shown = ", ".join(scoped[:5]) + (f", ... ({len(scoped)} in all)" if len(scoped) > 5 else "")
                message = (
                    f"{view.describe()} grants {shown} on {where}; "
                    "expected the ARNs of the resources the workload uses"
                )
                if view.implicit:
                    severity, message = Severity.INFO, f"{message}{_IMPLICIT}"
                yield Violation(
                    node=view.subject,
                    related=view.runners,
                    message=message,
                    key=view.key,
                    location=view.location,
                    statements=(view.key,),
                    severity=severity,
                )


# Services whose type-wide patterns are conventional (log groups, traces, metrics) or judged
# by another rule (execute-api: unscoped-service-invoke).
_TYPE_WIDE_EXEMPT = frozenset({*TELEMETRY_SERVICES, "execute-api"})
# Resources AWS publishes to every account (foundation models): naming them all reaches no one's data.
_AWS_OWNED = re.compile(r"^(foundation-model|inference-profile)/", re.IGNORECASE)


def _type_wide(principal: str, view: StatementView) -> Iterator[Violation]:
    """Patterns naming every resource of a type (`table/*`, `function:*`, S3 `*`): as wide as
    `*` for the actions that act on that type. One finding per statement."""
    cat = catalog()
    if view.statement.not_actions is not None:
        return
    patterns: list[str] = []
    scoped: set[str] = set()
    for pattern in view.resources:
        arn = Arn.parse(pattern)
        if arn is None or arn.service.lower() in _TYPE_WIDE_EXEMPT or not every_of_type(pattern):
            continue
        if _AWS_OWNED.search(arn.resource):
            continue
        found = {
            a
            for a in statement_data_actions(view, frozenset({arn.service.lower()}), _TYPE_WIDE_LEVELS)
            if not cat.only_wildcard_resource(a)
            and a.lower() not in _CONVENTIONAL
            and not _metadata_read(a)
            and cat.arn_matches_type(a, pattern) is True
        }
        if found:
            patterns.append(pattern)
            scoped |= found
    if not scoped:
        return
    actions = sorted(scoped)
    shown = ", ".join(actions[:5]) + (f", ... ({len(actions)} in all)" if len(actions) > 5 else "")
    yield Violation(
        node=view.subject,
        related=view.runners,
        message=(
            f"{view.describe()} grants {shown} on {', '.join(patterns)}: every resource of the type "
            "in the account, as wide as '*' for these actions; expected the ARNs of the resources "
            "the workload uses"
        ),
        key=f"{view.key}#type-wide",
        location=view.location,
        statements=(view.key,),
        severity=Severity.INFO
        if view.implicit
        else _managed_severity(view.managed_arn or "")
        if view.aws_managed
        else None,
    )


def _managed_severity(arn: str) -> Severity:
    """An AWS managed policy is chosen by name, so a smaller policy is the fix, not an edit:
    medium. The Lambda execution-role policies for event sources (SQS, DynamoDB, Kinesis,
    MSK) are what AWS documents for event source mappings, though they reach every queue or
    stream: low."""
    name = arn.rsplit("/", 1)[-1]
    if name.startswith("AWSLambda") and name.endswith("ExecutionRole"):
        return Severity.LOW
    return Severity.MEDIUM
