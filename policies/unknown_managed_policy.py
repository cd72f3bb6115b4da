from __future__ import annotations

from collections.abc import Iterator

from boundary.graph import EdgeKind, NodeKind, location_of, queries
from boundary.iam import access_breadth, is_aws_managed_arn
from boundary.rules import Rule, RuleContext, Violation

_PRINCIPALS = (NodeKind.ROLE, NodeKind.USER, NodeKind.GROUP)


class UnknownManagedPolicy(Rule):
    """
    ## What it does
    Finds roles, users and groups with a managed policy attached by ARN whose
    content boundary does not know: an AWS managed policy missing from its
    catalog of managed policies, or a customer managed policy defined outside
    the scanned templates. Also finds attached policies whose document cannot
    be read offline: in a Terraform plan, a `jsonencode()` policy that mentions
    a value known only after apply (a new table's ARN) is planned as one
    unknown string. The policy is reported as unknown, never as harmless: none
    of its grants were evaluated by the other rules. The CodeDeploy role SAM
    generates for `DeploymentPreference` is left out: SAM attaches
    `AWSCodeDeployRoleForLambda` to it itself, and no code runs as it. AWS
    managed policies whose name says what they grant (`AdministratorAccess`,
    `PowerUserAccess`, any `*FullAccess`) are left to admin-access (BND105),
    which reports them by that name: their content adds nothing to the fix.

    A policy the template attaches to a role, user or group it does not
    declare (a literal name, an ARN, a parameter) is judged the same way; the
    finding is then on the policy resource.

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
            if _sam_deployment_role(ctx, principal):
                continue
            for _, policy, data in sorted(ctx.graph.out_edges(principal, data=True), key=lambda e: str(e[1])):
                if data.get("kind") != EdgeKind.ATTACHED_POLICY:
                    continue
                attrs = ctx.attrs(policy)
                arn = attrs.get("managed_arn")
                if attrs.get("known", True):
                    continue
                if isinstance(arn, str) and is_aws_managed_arn(arn) and access_breadth(arn):
                    continue  # admin-access judges it by its name (administrator, *FullAccess)
                if isinstance(arn, str):
                    owner = (
                        "AWS managed policy"
                        if is_aws_managed_arn(arn)
                        else "managed policy defined outside the scanned files"
                    )
                    message = (
                        f"{ctx.label(principal)} has the {owner} {arn} attached, whose content boundary does not know; "
                        "its grants were not evaluated (unknown, not harmless): expected a policy whose permissions can be checked"
                    )
                else:
                    why = (
                        "it is known only after apply (built from a value the plan does not know yet, such as a new resource's ARN)"
                        if attrs.get("format") == "terraform"
                        else "it could not be resolved offline"
                    )
                    remedy = (
                        "; expected a data.aws_iam_policy_document, whose statements the plan keeps"
                        if attrs.get("format") == "terraform"
                        else "; expected a policy whose permissions can be checked"
                    )
                    message = (
                        f"{ctx.label(principal)} has policy {ctx.label(policy)} attached, whose document boundary "
                        f"cannot read: {why}; its grants were not evaluated (unknown, not harmless){remedy}"
                    )
                outside = bool(ctx.attrs(principal).get("outside"))
                yield Violation(
                    # a principal outside the template: the finding belongs to the policy written here
                    node=policy if outside and ctx.attrs(policy).get("resource") else principal,
                    message=message,
                    related=(policy,),
                    key=arn if isinstance(arn, str) else f"unknown#{attrs.get('resource') or policy}",
                    location=location_of(data) if data.get("file") else None,
                )


def _sam_deployment_role(ctx: RuleContext, principal: str) -> bool:
    """The CodeDeploy role SAM generates for `DeploymentPreference`: the template never
    writes it, SAM attaches AWSCodeDeployRoleForLambda itself, and no code runs as it."""
    if not ctx.attrs(principal).get("origin"):
        return False
    trusted = [
        target
        for _, target, data in ctx.graph.out_edges(principal, data=True)
        if data.get("kind") == EdgeKind.ASSUMABLE_BY
    ]
    return bool(trusted) and all(t == "principal::Service::codedeploy.amazonaws.com" for t in trusted)
