from __future__ import annotations

from collections.abc import Iterator

from boundary.graph import EdgeKind, location_of, queries
from boundary.graph.permissions import is_denied
from boundary.iam import access_breadth, catalog, wildcard_match
from boundary.rules import Rule, RuleContext, Severity, Violation

_BREADTH_TEXT = {
    "admin": "administrator access",
    "power-user": (
        "power-user access: every action of every service except IAM, Organizations and account "
        "management, on every resource (not administrator: it cannot change IAM or pass roles)"
    ),
    "full": "full-service access",
}


class AdminAccess(Rule):
    """
    ## What it does
    Finds principals that hold administrator or full-service access: an Allow
    of `*` (or NotAction) on every resource, `iam:*` on every resource, or an
    attached AWS managed policy such as `AdministratorAccess`,
    `PowerUserAccess`, `IAMFullAccess` or a `*FullAccess` policy
    (`AmazonDynamoDBFullAccess`, `AmazonS3FullAccess`, ...).
    `AdministratorAccess` and `*` on `*` are critical; `PowerUserAccess` on
    its own is high and called power-user access, not administrator: it
    grants every service but IAM, Organizations and Account, so it cannot
    change IAM or pass roles (with an IAM grant beside it, that grant is its
    own finding here or under privilege-escalation). An Allow with
    `NotAction` on every resource grants every action but the listed ones:
    administrator (critical) while it leaves IAM permissions management in
    (`NotAction: s3:DeleteBucket`), power-user access (high) when it leaves
    none (`NotAction: iam:*`); the finding names what it leaves out. A deploy role (trusted
    by CloudFormation, CodeBuild or CodePipeline) needs wide rights by
    design; its findings say what fits it, a permissions boundary that caps
    it and the roles it creates, and `iam:PassRole` only on the exact roles
    with `iam:PassedToService`, instead of workload advice.

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
    An execution role with administrator access turns any code-injection bug
    in the function into control of the whole account. Full-access managed
    policies grant every action of a service on every resource, including
    deleting tables and buckets that belong to other workloads, and they grow
    whenever AWS adds actions.

    ## Example
    ```yaml
    ConfirmBooking:
      Type: AWS::Serverless::Function
      Properties:
        Policies:
          - AmazonDynamoDBFullAccess
    ```

    ## Use instead
    ```yaml
    ConfirmBooking:
      Type: AWS::Serverless::Function
      Properties:
        Policies:
          - DynamoDBWritePolicy:
              TableName: !Ref BookingTable
    ```

    ## References
    - AWS Well-Architected Serverless Lens, SEC2: "Use least-privileged policies"
    - https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_job-functions.html
    - https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege
    """

    def evaluate(self, ctx: RuleContext) -> Iterator[Violation]:
        cat = catalog()
        for principal in ctx.judged_identities():
            for _, policy, data in ctx.graph.out_edges(principal, data=True):
                if data.get("kind") != EdgeKind.ATTACHED_POLICY:
                    continue
                arn = ctx.graph.nodes[policy].get("managed_arn")
                if not arn or ":iam::aws:policy/" not in arn:
                    continue
                name = arn.rsplit("/", 1)[-1]
                breadth = access_breadth(name)
                if breadth is not None:
                    admin = breadth == "admin"
                    outside = bool(ctx.attrs(principal).get("outside"))
                    runs_as = queries.runs_as_note(ctx.graph, principal) if outside else ""
                    expected = (
                        queries.deploy_advice(ctx.graph, principal)
                        or "expected a policy scoped to the actions and resources the workload uses"
                    )
                    what = _BREADTH_TEXT[breadth]
                    yield Violation(
                        node=principal,
                        related=queries.executors(ctx.graph, principal) if outside else (),
                        message=(
                            f"{ctx.label(principal)} has the AWS managed policy {name} attached: "
                            f"{what}{runs_as}; {expected}"
                        ),
                        key=f"managed#{name}",
                        location=location_of(data),
                        severity=Severity.CRITICAL if admin else Severity.HIGH,  # power users: high
                    )
            expected = (
                queries.deploy_advice(ctx.graph, principal)
                or "expected the specific actions and resources the workload uses"
            )
            views = ctx.statements_of(principal)
            for view in views:
                if (
                    view.effect != "Allow"
                    or view.aws_managed
                    or not view.all_resources
                    or is_denied(view, views)
                ):
                    continue
                if view.statement.principals is not None:
                    continue  # a resource policy naming this principal: `*` there means that one resource
                not_actions = view.statement.not_actions
                if not_actions is not None:
                    # every action but the listed ones: administrator while IAM permissions
                    # management is left in, power-user access when it is all excluded
                    # an unresolved pattern (a parameter) excludes nothing that can be named
                    known = tuple(a for a in not_actions if isinstance(a, str))
                    kept = _iam_management_kept(known)
                    texts = [a if isinstance(a, str) else a.text for a in not_actions]
                    except_ = ", ".join(sorted(texts)) or "nothing"
                    what = f"every action except {except_}"
                    if kept:
                        breadth = f"administrator access (IAM permissions management is left in: {kept})"
                    else:
                        breadth = "power-user access (not administrator: no IAM permissions management)"
                    yield Violation(
                        node=view.subject,
                        related=view.runners,
                        message=f"{view.describe()} allows {what} on every resource: {breadth}; {expected}",
                        key=view.key,
                        location=view.location,
                        statements=(view.key,),
                        severity=Severity.CRITICAL if kept else Severity.HIGH,
                    )
                    continue
                everything = any(cat.expands_to_all(a) for a in view.actions)
                iam_all = any(a.lower() == "iam:*" for a in view.actions)
                if everything or iam_all:
                    what = "every action" if everything else "every IAM action (iam:*)"
                    yield Violation(
                        node=view.subject,
                        related=view.runners,
                        message=(
                            f"{view.describe()} allows {what} on every resource: administrator access; "
                            f"{expected}"
                        ),
                        key=view.key,
                        location=view.location,
                        statements=(view.key,),
                        severity=Severity.CRITICAL,
                    )


def _iam_management_kept(not_actions: tuple[str, ...]) -> str:
    """The IAM permissions-management actions a NotAction statement leaves allowed, shortened
    for a message ("" when it excludes them all)."""
    cat = catalog()
    kept = [
        action
        for action in cat.actions_at_level("iam", "Permissions management")
        if not any(wildcard_match(p, action, case_sensitive=False) for p in not_actions)
    ]
    if len(kept) <= 3:
        return ", ".join(kept)
    return f"{', '.join(kept[:3])}, ... ({len(kept)} in all)"
