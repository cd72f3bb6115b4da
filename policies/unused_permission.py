from __future__ import annotations

from collections.abc import Iterator

from boundary.graph.usage import UNRECORDED, RoleUsage, role_usage
from boundary.model import Activity
from boundary.rules import Rule, RuleContext, Violation


def _period(activity: Activity) -> str:
    since, until = activity.since, activity.until
    if since and until:
        return f"between {since} and {until}"
    if since:
        return f"since {since}"
    if until:
        return f"before {until}"
    times = [a.first_seen for a in activity.accesses] + [a.last_seen for a in activity.accesses]
    if times:
        return f"between {min(times)} and {max(times)} (the activity given)"
    return "in the activity given"


def _few(names: tuple[str, ...] | list[str], limit: int = 12) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


class UnusedPermission(Rule):
    """
    ## What it does
    Compares what each role in the template is granted with what exported access
    activity shows it used: CloudTrail logs (S3-delivered files or
    `aws cloudtrail lookup-events` output), IAM access advisor reports, or the CSV
    of the aggregation query in docs/audit.md. Reports each statement that grants
    actions never used in the audited period, on that statement, and each role that
    was not used at all. Failed calls (AccessDenied and other errors) are not use.
    Calls CloudTrail does not record (`logs:PutLogEvents`, X-Ray, `execute-api:Invoke`)
    are never reported. The rule runs only when activity is given
    (`boundary audit TEMPLATE --activity PATH`).

    ## Why is this bad?
    A permission the workload never uses is pure risk: if the function is
    compromised, the attacker gets it too. The Serverless Lens asks teams to audit
    permissions regularly and cut them to what the workload does; doing it against
    the template keeps the fix in code.

    ## Example
    ```yaml
    ReserveBooking:
      Type: AWS::Serverless::Function
      Properties:
        Policies:
          - DynamoDBWritePolicy:      # PutItem, UpdateItem, BatchWriteItem
              TableName: !Ref BookingTable
    # CloudTrail shows only dynamodb:PutItem in 30 days
    ```

    ## Use instead
    ```yaml
    ReserveBooking:
      Type: AWS::Serverless::Function
      Properties:
        Policies:
          - Statement:
              - Effect: Allow
                Action: dynamodb:PutItem
                Resource: !GetAtt BookingTable.Arn
    ```

    ## References
    - AWS Well-Architected Serverless Lens, SEC2: "Audit permissions regularly"
    - https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_last-accessed.html
    - https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-policy-generation.html
    """

    def evaluate(self, ctx: RuleContext) -> Iterator[Violation]:
        activity = ctx.model.activity
        if activity is None:
            return
        period = _period(activity)
        for usage in role_usage(ctx.graph, ctx.model, activity):
            if not usage.granted:
                continue
            if usage.never_used:
                yield _never_used(ctx, usage, period)
                continue
            yield from _unused_statements(ctx, usage, period)


def _never_used(ctx: RuleContext, usage: RoleUsage, period: str) -> Violation:
    label = ctx.label(usage.node)
    return Violation(
        node=usage.node,
        key="never-used",
        message=(
            f"{label} was not used {period}: no successful call and no AssumeRole matched it, "
            f"yet it grants {len(usage.granted)} action(s) ({_few(list(usage.granted), 6)}); "
            "expected every role to be used. Remove it, or if it is deployed under a name boundary "
            "cannot match, name it with --role-map"
        ),
    )


def _unused_statements(ctx: RuleContext, usage: RoleUsage, period: str) -> Iterator[Violation]:
    label = ctx.label(usage.node)
    used = sorted(usage.used)
    for statement in usage.statements:
        if not statement.unused:
            continue
        kept = [a for a in statement.granted if a not in statement.unused and a not in UNRECORDED]
        message = (
            f"{label}: {statement.view.describe()} grants {len(statement.unused)} action(s) never used "
            f"{period}: {_few(list(statement.unused))}; "
        )
        if kept:
            message += f"of its grants only {_few(kept)} were used. "
        else:
            message += "none of its grants were used. "
        message += (
            f"Expected only used actions ({len(used)} used by the role, last on "
            f"{usage.last_used}); remove the others (`boundary generate-policy` writes the policy)"
        )
        if usage.unused_services:
            message += f"; services never called: {', '.join(usage.unused_services)}"
        yield Violation(
            node=usage.node,
            key=statement.view.key,
            location=statement.view.location,
            message=message,
        )
