from __future__ import annotations

from collections.abc import Iterator

from boundary.graph import EdgeKind, NodeKind, queries
from boundary.iam import is_aws_managed_arn
from boundary.model import Location
from boundary.rules import Rule, RuleContext, Violation

_PRINCIPALS = (NodeKind.ROLE, NodeKind.USER, NodeKind.GROUP)


class UnknownManagedPolicy(Rule):
    """
    ## What it does
    Finds roles, users and groups with a managed policy attached by ARN whose
    content boundary does not know: an AWS managed policy missing from its
    catalog of managed policies, or a customer managed policy defined outside
    the scanned templates. The policy is reported as unknown, never as
    harmless: none of its grants were evaluated by the other rules.

    ## Why is this bad?
    A managed policy can grant anything, up to administrator access, and AWS
    changes its managed policies over time. When its content is unknown, the
    boundary drawn by the other rules has a hole of unknown size: a role may
    be far more powerful than its inline policies suggest.

    ## Example
    ```yaml
    ReportFunction:
      Type: AWS::Serverless::Function
      Properties:
        Policies:
          - arn:aws:iam::aws:policy/AWSSomeNewServiceFullAccess
    ```

    ## Use instead
    ```yaml
    ReportFunction:
      Type: AWS::Serverless::Function
      Properties:
        Policies:
          - DynamoDBReadPolicy:
              TableName: !Ref ReportTable
    ```

    ## References
    - AWS Well-Architected Serverless Lens, SEC2: "Use least-privileged policies"
    - https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-vs-inline.html
    """

    def evaluate(self, ctx: RuleContext) -> Iterator[Violation]:
        for principal in queries.nodes_of_kind(ctx.graph, *_PRINCIPALS):
            for _, policy, data in sorted(ctx.graph.out_edges(principal, data=True), key=lambda e: str(e[1])):
                if data.get("kind") != EdgeKind.ATTACHED_POLICY:
                    continue
                attrs = ctx.attrs(policy)
                arn = attrs.get("managed_arn")
                if attrs.get("known", True) or not isinstance(arn, str):
                    continue
                owner = (
                    "AWS managed policy"
                    if is_aws_managed_arn(arn)
                    else "managed policy defined outside the scanned files"
                )
                yield Violation(
                    node=principal,
                    message=(
                        f"{ctx.label(principal)} has the {owner} {arn} attached, whose content boundary does not know; "
                        "its grants were not evaluated (unknown, not harmless): expected a policy whose permissions can be checked"
                    ),
                    related=(policy,),
                    key=arn,
                    location=Location(
                        str(data.get("file") or ""),
                        int(data.get("line") or 0),
                        int(data.get("column") or 0),
                        data.get("address"),
                    )
                    if data.get("file")
                    else None,
                )
