from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

from boundary.graph import queries
from boundary.graph.permissions import StatementView, allowed_actions, every_of_type
from boundary.iam import catalog, condition_entries, wildcard_match
from boundary.rules import Rule, RuleContext, Severity, Violation

if TYPE_CHECKING:
    import networkx as nx


# Published escalation paths (Rhino Security Labs' list and its successors):
# each needs all of its actions. `iam:PassRole` hands a more privileged role to
# a service the principal controls.
_COMBINATIONS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    (
        "passrole-lambda-create",
        ("iam:PassRole", "lambda:CreateFunction"),
        "create a function that runs as any passable role",
    ),
    (
        "passrole-lambda-update",
        ("iam:PassRole", "lambda:UpdateFunctionConfiguration"),
        "switch a function to any passable role",
    ),
    (
        "lambda-update-code",
        ("lambda:UpdateFunctionCode",),
        "replace the code of functions that run as other roles",
    ),
    ("passrole-ec2", ("iam:PassRole", "ec2:RunInstances"), "start an instance with any passable role"),
    (
        "passrole-cloudformation",
        ("iam:PassRole", "cloudformation:CreateStack"),
        "deploy a stack as any passable role",
    ),
    (
        "passrole-glue",
        ("iam:PassRole", "glue:CreateDevEndpoint"),
        "open a Glue endpoint with any passable role",
    ),
    (
        "passrole-datapipeline",
        ("iam:PassRole", "datapipeline:CreatePipeline"),
        "run a pipeline as any passable role",
    ),
    (
        "passrole-sagemaker",
        ("iam:PassRole", "sagemaker:CreateNotebookInstance"),
        "open a notebook with any passable role",
    ),
    ("passrole-codebuild", ("iam:PassRole", "codebuild:CreateProject"), "run a build as any passable role"),
    ("passrole-ecs", ("iam:PassRole", "ecs:RunTask"), "run a task as any passable role"),
    (
        "passrole-states",
        ("iam:PassRole", "states:CreateStateMachine"),
        "create a state machine that runs as any passable role",
    ),
    ("update-assume-role", ("iam:UpdateAssumeRolePolicy", "sts:AssumeRole"), "let itself assume any role"),
)


# IAM writes that escalate: every permissions-management action, and the Write
# actions that mint credentials or group memberships. Other IAM writes (PassRole,
# judged on its own below; CreateServiceLinkedRole; MFA and password self-service)
# do not raise the caller's own privileges.
_ESCALATING_WRITES = (
    "iam:CreateAccessKey",
    "iam:CreateLoginProfile",
    "iam:UpdateLoginProfile",
    "iam:AddUserToGroup",
)
_WIDE = ("full-wildcard", "partial-wildcard")


def _passed_to(view: StatementView) -> set[str] | None:
    """The services an `iam:PassedToService` condition allows, None without one."""
    for operator, key, values in condition_entries(view.statement.conditions):
        if (
            operator.split(":")[-1].lower() in ("stringequals", "stringlike")
            and key.lower() == "iam:passedtoservice"
        ):
            return {str(v).lower() for v in values}
    return None


def _can_pass_any(view: StatementView, service: str) -> bool:
    """Whether the statement lets the principal pass roles it does not name (a wildcard
    or NotResource) to `service`: a PassRole scoped to named roles, or to another
    service, opens no path."""
    if not (view.all_resources or any(cls in _WIDE for _, cls in view.targets)):
        return False
    services = _passed_to(view)
    return services is None or any(wildcard_match(s, service) for s in services)


def _updates_other_code(graph: nx.MultiDiGraph, view: StatementView) -> bool:
    """lambda:UpdateFunctionCode escalates only on functions that run as another role."""
    if view.every_resource:
        return True  # a `*` grant: its `arn::*` target is not a specific function
    for target, cls in view.targets:
        if cls != "specific":
            return True
        if view.principal not in queries.roles_of(graph, target):
            return True
    return False


_SERVICE_OF = {
    "lambda": "lambda.amazonaws.com",
    "ec2": "ec2.amazonaws.com",
    "cloudformation": "cloudformation.amazonaws.com",
    "glue": "glue.amazonaws.com",
    "datapipeline": "datapipeline.amazonaws.com",
    "sagemaker": "sagemaker.amazonaws.com",
    "codebuild": "codebuild.amazonaws.com",
    "ecs": "ecs-tasks.amazonaws.com",
    "states": "states.amazonaws.com",
}


def _lines(granted: Mapping[str, list[StatementView]], actions: tuple[str, ...]) -> str:
    return "; ".join(
        f"{a}{_pass_scope(granted[a][0]) if a == 'iam:PassRole' else ''} by {granted[a][0].describe()}"
        for a in actions
    )


def _pass_scope(view: StatementView) -> str:
    """Which roles a PassRole statement may pass, so `role/*` and `role/${Stack}-*` read
    differently: every role of the account, or the roles whose names match a pattern."""
    if view.all_resources:
        return " on every role of the account (Resource '*')"
    wide = [r for r in view.resources if "*" in r or "?" in r]
    every = [r for r in wide if every_of_type(r)]
    if every:
        return f" on every role of the account ({', '.join(every)})"
    if wide:
        return f" on the roles matching {', '.join(wide)} (a name pattern, not every role)"
    return ""


class PrivilegeEscalation(Rule):
    """
    ## What it does
    Finds principals that can raise their own privileges: `iam:PassRole` or
    `sts:AssumeRole` on every resource, IAM write or permissions-management
    actions (`iam:PutRolePolicy`, `iam:AttachRolePolicy`,
    `iam:CreatePolicyVersion`, `iam:CreateAccessKey`, ...),
    `lambda:CreateFunction` or `lambda:UpdateFunctionConfiguration` together
    with `iam:PassRole`, `lambda:UpdateFunctionCode`, and the other published
    combinations (PassRole with EC2, CloudFormation, Glue, Data Pipeline,
    SageMaker, CodeBuild, ECS or Step Functions). An explicit unconditional
    Deny on every resource takes an action away. A PassRole scoped to named
    roles, or whose `iam:PassedToService` names another service, opens no
    combined path; `lambda:UpdateFunctionCode` counts only on functions that
    run as another role. `iam:PassRole` on every resource is reported even
    with `iam:PassedToService`: any role, an administrator's included, can
    still be handed to that service. The escalation messages say which roles
    a PassRole may pass: every role of the account (`*`, `role/*`) or the
    roles matching a name pattern (`role/${AWS::StackName}-*`), so the two
    do not read the same. A deploy role (trusted by CloudFormation,
    CodeBuild or CodePipeline) is told to take a permissions boundary and a
    PassRole on the exact roles with `iam:PassedToService`, not to drop the
    IAM rights a deployment needs.

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
    A function that can write IAM policies, or hand a role to a new function,
    can give itself any permission in the account. Its own policy then no
    longer bounds what it can do: the security boundary is gone.

    ## Example
    ```yaml
    Policies:
      - Statement:
          - Effect: Allow
            Action: [iam:PassRole, lambda:CreateFunction]
            Resource: "*"
    ```

    ## Use instead
    Deploy functions and roles from the pipeline, not from application code.
    When a function must pass a role, name that role and the service it is
    passed to:
    ```yaml
    Policies:
      - Statement:
          - Effect: Allow
            Action: iam:PassRole
            Resource: !GetAtt WorkerRole.Arn
            Condition:
              StringEquals:
                iam:PassedToService: lambda.amazonaws.com
    ```

    ## References
    - AWS Well-Architected Serverless Lens, SEC2: "Use least-privileged policies"
    - https://rhinosecuritylabs.com/aws/aws-privilege-escalation-methods-mitigation/
    - https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html
    """

    def evaluate(self, ctx: RuleContext) -> Iterator[Violation]:
        cat = catalog()
        iam_writes = cat.actions_at_level("iam", "Permissions management")
        iam_writes += _ESCALATING_WRITES
        candidates = {a for _, actions, _ in _COMBINATIONS for a in actions}
        for principal in ctx.judged_identities():
            views = [v for v in ctx.statements_of(principal) if not v.aws_managed]
            if not views:
                continue
            label = ctx.label(principal)
            deploy = queries.deploy_advice(ctx.graph, principal)
            on_all = allowed_actions(views, ["iam:PassRole", "sts:AssumeRole"], on_all_resources=True)
            for action, key in (("iam:PassRole", "passrole-star"), ("sts:AssumeRole", "assumerole-star")):
                if action in on_all:
                    view = on_all[action][0]
                    yield Violation(
                        node=view.subject,
                        related=view.runners,
                        message=(
                            f"{label} may {action} on every resource ({view.describe()}); "
                            f"{deploy or 'expected the ARNs of the specific roles it needs'}"
                        ),
                        key=key,
                        location=view.location,
                        severity=Severity.HIGH,
                        statements=tuple(v.key for v in on_all[action]),
                    )
            writes = allowed_actions(views, iam_writes)
            if writes:
                names = sorted(writes)
                shown = ", ".join(names[:5]) + (f", ... ({len(names)} in all)" if len(names) > 5 else "")
                first = writes[names[0]][0]
                yield Violation(
                    node=first.subject,
                    related=first.runners,
                    message=(
                        f"{label} may change IAM: {shown} ({first.describe()}); "
                        f"{deploy or 'expected no IAM write or permissions-management action in a workload role'}"
                    ),
                    key="iam-write",
                    location=first.location,
                    statements=tuple(sorted({v.key for found in writes.values() for v in found})),
                    severity=Severity.CRITICAL,
                )
            granted = allowed_actions(views, sorted(candidates))
            for key, actions, meaning in _COMBINATIONS:
                service = actions[-1].partition(":")[0]
                usable = {
                    a: [
                        v
                        for v in granted.get(a, [])
                        if (a != "iam:PassRole" or _can_pass_any(v, _SERVICE_OF.get(service, service)))
                        and (a != "lambda:UpdateFunctionCode" or _updates_other_code(ctx.graph, v))
                    ]
                    for a in actions
                }
                if all(usable[a] for a in actions):
                    last = usable[actions[-1]][0]
                    yield Violation(
                        node=last.subject,
                        related=last.runners,
                        message=(
                            f"{label} may {meaning}: {_lines(usable, actions)}; "
                            f"{deploy or 'expected no escalation path from a workload role'}"
                        ),
                        key=key,
                        location=last.location,
                        statements=tuple(sorted({v.key for a in actions for v in usable[a]})),
                    )
