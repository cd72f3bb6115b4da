from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from boundary.graph import INTERNET, EdgeKind, NodeKind
from boundary.graph.paths import SCOPING_CONDITION_KEYS
from boundary.graph.permissions import literal
from boundary.iam import condition_entries
from boundary.model import Statement
from boundary.rules import Rule, RuleContext, Severity, Violation

_PERMISSION_TYPES = {"AWS::Lambda::Permission"}
# Condition keys that tie a grant to one source, account or organization.
_SCOPING_KEYS = SCOPING_CONDITION_KEYS


class PublicInvokePermission(Rule):
    """
    ## What it does
    Finds Lambda permissions (`AWS::Lambda::Permission`,
    `aws_lambda_permission`) that let anyone (`Principal: "*"`) act on a
    function with no `SourceArn`, `SourceAccount` or `PrincipalOrgID`
    condition (high), and permissions for an AWS service principal
    (`s3.amazonaws.com`, `sns.amazonaws.com`, `apigateway.amazonaws.com`,
    ...) with neither `SourceArn` nor `SourceAccount` (medium: the confused
    deputy). For `s3.amazonaws.com` a `SourceArn` alone is not enough (low):
    bucket ARNs carry no account, so the name can belong to another account
    once the bucket is deleted.

    Functions outside the template are judged too: a permission whose
    `FunctionName` (`function_name`) is a literal name, an ARN or a parameter
    naming no function of the template is reported the same way, on the
    permission, naming the function as outside the template. Conditions are
    read from the permission itself (`SourceArn`, `SourceAccount`,
    `PrincipalOrgID`), wherever the function is.

    The permissions a function URL needs are not reported here: a statement
    conditioned on `lambda:FunctionUrlAuthType: NONE`, and the
    `InvokedViaFunctionUrl` statement that pairs with it, only open the URL,
    which `unauthenticated-endpoint` (BND109) reports.

    ## Why is this bad?
    `Principal: "*"` on `lambda:InvokeFunction` lets any AWS account call the
    function directly, skipping whatever API, authorizer or queue was meant to
    sit in front of it. A service principal without a source condition lets
    that service invoke the function on behalf of any customer: someone
    else's bucket, topic or API can trigger your code with events they choose.

    ## Example
    ```yaml
    NotifyPermission:
      Type: AWS::Lambda::Permission
      Properties:
        Action: lambda:InvokeFunction
        FunctionName: !Ref NotifyBooking
        Principal: "*"
    ```

    ## Use instead
    ```yaml
    NotifyPermission:
      Type: AWS::Lambda::Permission
      Properties:
        Action: lambda:InvokeFunction
        FunctionName: !Ref NotifyBooking
        Principal: sns.amazonaws.com
        SourceArn: !Ref BookingTopic
    ```

    ## References
    - AWS Well-Architected Serverless Lens, SEC2: "Use least-privileged policies"
    - https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html
    - https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html
    """

    def evaluate(self, ctx: RuleContext) -> Iterator[Violation]:
        seen: set[tuple[str, str, int]] = set()
        edges = [
            (u, v, d)
            for u, v, d in ctx.graph.edges(data=True)
            if d.get("kind") == EdgeKind.GRANTS
            and d.get("via") == "resource-policy"
            and d.get("effect") == "Allow"
        ]
        for principal, function, data in sorted(
            edges, key=lambda e: (e[0], e[1], str(e[2].get("policy")), e[2].get("statement_index", 0))
        ):
            policy = str(data.get("policy"))
            if policy not in ctx.graph or ctx.attrs(policy).get("aws_type") not in _PERMISSION_TYPES:
                continue
            index = int(data.get("statement_index", 0))
            if (policy, principal, index) in seen:
                continue
            seen.add((policy, principal, index))
            statement: Statement = data["statement"]
            keys = _condition_keys(statement.conditions)
            if "lambda:invokedviafunctionurl" in keys or _url_auth(statement.conditions) == "NONE":
                continue  # the function URL's own permission: BND109 reports an open URL
            actions = ", ".join(literal(statement.actions)) or "every action"
            target = ctx.label(function)
            if _bucket_without_account(ctx, principal, keys):
                yield Violation(
                    node=policy,
                    message=(
                        f"{ctx.label(policy)} lets s3.amazonaws.com call {actions} on {target} from a bucket ARN "
                        "with no SourceAccount: bucket ARNs carry no account, so a bucket of that name in another "
                        "account (after yours is deleted) can trigger it; expected SourceAccount as well"
                    ),
                    related=(function,),
                    key=f"s3-account#{index}",
                    severity=Severity.LOW,
                )
                continue
            if keys & _SCOPING_KEYS:
                continue
            if principal == INTERNET:
                yield Violation(
                    node=policy,
                    message=(
                        f"{ctx.label(policy)} lets anyone (*) call {actions} on {target} with no SourceArn, "
                        "SourceAccount or PrincipalOrgID condition; expected a specific principal, or a condition "
                        "naming the source"
                    ),
                    related=(function,),
                    key=f"*#{index}",
                )
            elif (
                ctx.attrs(principal).get("kind") == NodeKind.PRINCIPAL
                and ctx.attrs(principal).get("principal_type") == "Service"
            ):
                service = str(ctx.attrs(principal).get("label"))
                yield Violation(
                    node=policy,
                    message=(
                        f"{ctx.label(policy)} lets {service} call {actions} on {target} for any source: "
                        "no SourceArn or SourceAccount condition, so another account's resources can trigger it "
                        "(confused deputy); expected SourceArn (and SourceAccount) naming your own source"
                    ),
                    related=(function,),
                    key=f"{service}#{index}",
                    severity=Severity.MEDIUM,
                )


def _bucket_without_account(ctx: RuleContext, principal: str, keys: set[str]) -> bool:
    attrs = ctx.attrs(principal)
    return (
        attrs.get("principal_type") == "Service"
        and str(attrs.get("label")) == "s3.amazonaws.com"
        and "aws:sourcearn" in keys
        and not keys & {"aws:sourceaccount", "aws:sourceowner", "aws:principalorgid"}
    )


def _condition_keys(conditions: Mapping[str, Mapping[str, Any]]) -> set[str]:
    return {key.lower() for _, key, _ in condition_entries(conditions)}


def _url_auth(conditions: Mapping[str, Mapping[str, Any]]) -> str | None:
    for _, key, values in condition_entries(conditions):
        if key.lower() == "lambda:functionurlauthtype" and values:
            return "NONE" if any(str(v).upper() == "NONE" for v in values) else str(values[0])
    return None
