from __future__ import annotations

from collections.abc import Iterator, Mapping

from boundary.graph import queries
from boundary.graph.permissions import StatementView, allowed_actions
from boundary.iam import is_full_wildcard, wildcard_match
from boundary.model import Symbolic
from boundary.rules import Rule, RuleContext, Severity, Violation

_INVOKE = "execute-api:Invoke"


class UnscopedServiceInvoke(Rule):
    """
    ## What it does
    For each API that another component of the stack calls (an AppSync HTTP
    data source, a state machine's `apigateway:invoke` task, an EventBridge
    rule; see `service-endpoint-without-iam-auth`), checks the role that
    component runs as: its `execute-api:Invoke` grants must name that API's
    execute-api ARN (`arn:...:execute-api:<region>:<account>:<api-id>/...`).
    It reports a grant on `*`, on a wildcard wider than the API (`...:*`,
    `...:Loyalty*`), or on another API of the stack that none of the role's
    users calls; and, at low severity, a role with no grant on an API whose
    endpoints use `AWS_IAM` (those calls are denied).

    A resource the scanner cannot resolve offline (a parameter, a value known
    only after apply that names no resource of the stack) is not guessed.

    ## Why is this bad?
    With `AWS_IAM` authorization an API lets in exactly the roles allowed
    `execute-api:Invoke` on it. A caller role allowed to invoke `*` can call
    every API in the account, and in every account whose API policies trust
    it: one compromised resolver or state machine reaches admin APIs, other
    teams' services and internal endpoints that rely on IAM for protection.

    ## Example
    ```yaml
    AppSyncLoyaltyRole:
      Type: AWS::IAM::Role
      Properties:
        Policies:
          - PolicyName: InvokeLoyaltyApi
            PolicyDocument:
              Statement:
                - Effect: Allow
                  Action: execute-api:Invoke
                  Resource: "*"
    ```

    ## Use instead
    ```yaml
                - Effect: Allow
                  Action: execute-api:Invoke
                  Resource: !Sub arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${LoyaltyApi}/*/GET/loyalty/*
    ```

    ## References
    - AWS Well-Architected Serverless Lens, SEC2: "Use IAM roles for component-to-component authorization"
    - https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-control-access-using-iam-policies-to-invoke-api.html
    - https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege
    """

    def evaluate(self, ctx: RuleContext) -> Iterator[Violation]:
        called: dict[str, set[str]] = {}  # role -> APIs its users call
        users: dict[str, set[str]] = {}  # role -> callers running as it
        for api, callers in queries.service_callers(ctx.graph, ctx.model).items():
            for caller in callers:
                for role in queries.roles_of(ctx.graph, caller):
                    called.setdefault(role, set()).add(api)
                    users.setdefault(role, set()).add(caller)
        for role in sorted(called):
            apis = sorted(called[role])
            via = ", ".join(ctx.label(c) for c in sorted(users[role]))
            expected = " or ".join(_expected(ctx, api) for api in apis)
            invoking = [
                v for v in ctx.statements_of(role) if v.effect == "Allow" and allowed_actions([v], [_INVOKE])
            ]
            covered: set[str] = set()
            for view in invoking:
                for pattern, problem in _judge(ctx, view, apis, role, covered):
                    yield Violation(
                        node=role,
                        message=(
                            f"{ctx.label(role)}, the role {via} calls {', '.join(ctx.label(a) for a in apis)} with, "
                            f"may execute-api:Invoke on {pattern} ({problem}) by {view.describe()}; "
                            f"expected only {expected}"
                        ),
                        related=tuple(apis),
                        key=f"{view.key}#{pattern}",
                        location=view.location if view.location.file else None,
                    )
            if _has_unknown_policy(ctx, role):
                continue  # a policy whose content is unknown offline may hold the grant
            for api in apis:
                if api in covered or not _uses_iam(ctx, api):
                    continue
                yield Violation(
                    node=role,
                    message=(
                        f"{ctx.label(role)}, the role {via} calls {ctx.label(api)} with, has no execute-api:Invoke "
                        f"grant on it, so its AWS_IAM-signed calls are denied; expected execute-api:Invoke on "
                        f"{_expected(ctx, api)}"
                    ),
                    related=(api,),
                    key=f"missing#{ctx.label(api)}",
                    severity=Severity.LOW,
                )


def _api_arn(ctx: RuleContext, api: str) -> str | None:
    for arn in ctx.attrs(api).get("arns") or ():
        if isinstance(arn, str) and ":execute-api:" in arn and "/" not in arn.split(":", 5)[-1]:
            return arn
    return None


def _expected(ctx: RuleContext, api: str) -> str:
    arn = _api_arn(ctx, api)
    return f"{arn}/..." if arn else f"the execute-api ARN of {ctx.label(api)}"


def _has_unknown_policy(ctx: RuleContext, role: str) -> bool:
    return any(
        data.get("kind") == "attached-policy" and ctx.attrs(policy).get("known") is False
        for _, policy, data in ctx.graph.out_edges(role, data=True)
    )


def _uses_iam(ctx: RuleContext, api: str) -> bool:
    return any(ctx.attrs(e).get("authorization") == "AWS_IAM" for e in queries.api_endpoints(ctx.graph, api))


def _within(pattern: str, api_arn: str) -> bool:
    """Whether an ARN pattern stays inside one API: its resource starts with the API id."""
    parts = pattern.split(":", 5)
    api_id = api_arn.split(":", 5)[-1]
    if len(parts) != 6 or parts[2] != "execute-api":
        return False
    return parts[5] == api_id or parts[5].startswith(api_id + "/")


def _judge(
    ctx: RuleContext, view: StatementView, apis: list[str], role: str, covered: set[str]
) -> Iterator[tuple[str, str]]:
    """(pattern, what is wrong with it) for each resource of an Invoke grant that reaches beyond the APIs."""
    if view.statement.not_resources is not None:
        covered.update(apis)
        yield "NotResource", "every API but the listed ones"
        return
    local = {ctx.label(api): api for api in apis}
    for resource in view.statement.resources:
        if isinstance(resource, Symbolic):
            covered.update(local[r] for r in resource.references if r in local)
            continue
        if is_full_wildcard(resource):
            covered.update(apis)
            yield resource, "every API in every account"
            continue
        inside = False
        for api in apis:
            arn = _api_arn(ctx, api)
            if arn is None:
                continue
            if _within(resource, arn):
                covered.add(api)
                inside = True
            elif wildcard_match(resource, f"{arn}/stage/GET/path"):
                covered.add(api)
                inside = True
                yield resource, f"a wildcard wider than {ctx.label(api)}"
                break
        if inside:
            continue
        other = _other_local_api(ctx, view, resource, set(apis), role)
        if other is not None:
            yield resource, f"{ctx.label(other)}, which no user of the role calls"


def _other_local_api(
    ctx: RuleContext, view: StatementView, resource: str, apis: set[str], role: str
) -> str | None:
    """An API of the stack the pattern names that the role's users neither call nor reference."""
    for target, _ in view.targets:
        attrs: Mapping[str, object] = ctx.attrs(target)
        if attrs.get("kind") != "api" or target in apis or not _named_by(ctx, target, resource):
            continue
        users = queries.executors(ctx.graph, role)
        if any(target in queries.referenced_by(ctx.graph, user) for user in users):
            continue
        return target
    return None


def _named_by(ctx: RuleContext, api: str, resource: str) -> bool:
    arn = _api_arn(ctx, api)
    return arn is not None and (_within(resource, arn) or wildcard_match(resource, f"{arn}/stage/GET/path"))
