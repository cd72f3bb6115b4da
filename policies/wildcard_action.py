from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

from boundary.graph import queries
from boundary.graph.permissions import is_denied
from boundary.iam import catalog
from boundary.rules import Rule, RuleContext, Severity, Violation

_RISKY_LEVELS = ("Permissions management", "Write")


@lru_cache(maxsize=4096)
def _risky(pattern: str) -> tuple[str, ...]:
    """The actions of `pattern` that write or manage permissions, most dangerous first
    (permissions management, then write; by name within a level); kept, as every policy
    of every file asks again."""
    cat = catalog()
    return tuple(
        sorted(
            (a for a in cat.expand(pattern) if cat.access_level(a) in _RISKY_LEVELS),
            key=lambda a: (_RISKY_LEVELS.index(str(cat.access_level(a))), a),
        )
    )


class WildcardAction(Rule):
    """
    ## What it does
    Finds Allow statements in identity policies whose actions are wildcards:
    `*`, `service:*`, `NotAction`, or a prefix such as `dynamodb:Update*` or
    `s3:Put*` that expands to write or permissions-management actions.
    Read-only prefixes (`s3:Get*`, `dynamodb:Describe*`) are not reported, nor
    is a prefix that matches exactly the one action it spells
    (`sqs:SendMessage*`). Resource policies (a bucket policy naming a role)
    are not identity policies and are not judged here; AWS managed policies
    are judged by the admin-access rule instead. The message lists the
    expanded actions most dangerous first: permissions management, then write.
    A deploy role (one that CloudFormation, CodeBuild or CodePipeline may
    assume) is told what fits a deploy role, a permissions boundary and a
    PassRole scoped to the exact roles with `iam:PassedToService`, rather
    than to list the workload's actions.

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

    ## Why is this bad?
    A wildcard grants every action that matches it today and every action AWS
    adds tomorrow. A function that needs `dynamodb:UpdateItem` but holds
    `dynamodb:*` can also delete the table, change its backups and export it.
    Least privilege means listing the actions the function calls.

    ## Example
    ```yaml
    Policies:
      - Statement:
          - Effect: Allow
            Action: dynamodb:*
            Resource: !GetAtt BookingTable.Arn
    ```

    ## Use instead
    ```yaml
    Policies:
      - Statement:
          - Effect: Allow
            Action: dynamodb:UpdateItem
            Resource: !GetAtt BookingTable.Arn
    ```
    Or a SAM policy template that fits, such as `DynamoDBWritePolicy`.

    ## References
    - AWS Well-Architected Serverless Lens, SEC2: "Use least-privileged policies"
    - https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege
    - https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/serverless-policy-templates.html
    """

    def evaluate(self, ctx: RuleContext) -> Iterator[Violation]:
        cat = catalog()
        for principal in ctx.judged_identities():
            expected = (
                queries.deploy_advice(ctx.graph, principal)
                or "expected the specific actions the workload calls"
            )
            views = ctx.identity_statements_of(principal)
            for view in views:
                if view.effect != "Allow" or view.aws_managed or is_denied(view, views):
                    continue
                if view.statement.not_actions is not None:
                    excluded = ", ".join(str(a) for a in view.statement.not_actions)
                    yield Violation(
                        node=view.subject,
                        related=view.runners,
                        message=(
                            f"{view.describe()} allows every action except {excluded} (NotAction with Allow); "
                            f"{expected}"
                        ),
                        key=f"{view.key}#NotAction",
                        location=view.location,
                        statements=(view.key,),
                        severity=Severity.HIGH,
                    )
                    continue
                for pattern in view.actions:
                    if "*" not in pattern and "?" not in pattern:
                        continue
                    if cat.expands_to_all(pattern):
                        yield Violation(
                            node=view.subject,
                            related=view.runners,
                            message=(
                                f"{view.describe()} allows action {pattern!r}: every action of every service; "
                                f"{expected}"
                            ),
                            key=f"{view.key}#{pattern}",
                            location=view.location,
                            statements=(view.key,),
                            severity=Severity.CRITICAL,
                        )
                        continue
                    expanded = cat.expand(pattern)
                    risky = _risky(pattern)
                    if not risky or _names_one_action(pattern, expanded):
                        continue
                    short = pattern.partition(":")[2]
                    whole_service = short.strip("*") == ""
                    shown = ", ".join(risky[:4]) + (", ..." if len(risky) > 4 else "")
                    yield Violation(
                        node=view.subject,
                        related=view.runners,
                        message=(
                            f"{view.describe()} allows action {pattern!r}: {len(expanded)} actions, "
                            f"{len(risky)} of them write or permissions management ({shown}); "
                            f"{expected}"
                        ),
                        key=f"{view.key}#{pattern}",
                        location=view.location,
                        statements=(view.key,),
                        severity=Severity.HIGH if whole_service else Severity.MEDIUM,
                    )


def _names_one_action(pattern: str, expanded: tuple[str, ...]) -> bool:
    """`sqs:SendMessage*` matches `sqs:SendMessage` alone today: the wildcard only
    spells the one action the workload calls (SendMessageBatch is authorised by it)."""
    return len(expanded) == 1 and expanded[0].lower() == pattern.rstrip("*?").lower()
