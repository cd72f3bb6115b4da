from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from boundary.graph import EdgeKind, NodeKind, node_id, paths, permissions, queries
from boundary.iam import admits_cognito_guests, catalog, condition_entries, evaluate
from boundary.model import PolicyKind, ResourceKind, Statement, Symbolic, Template
from boundary.rules import Rule, RuleContext, Severity, Violation


class InternetReachableDataWrite(Rule):
    """
    ## What it does
    Follows every path from anyone on the internet into the application: an
    endpoint without authorization (REST method, HTTP route, function URL) or
    a public invoke permission, the function it invokes, the role that
    function runs as, and what the role is granted. Reports each function that
    such a path reaches and whose role may write to or delete from a data
    resource of the template (a table, bucket, queue, topic, stream, secret),
    naming the whole path and the write actions.

    Only actions that fit the resource's type count (`dynamodb:*` on `*`
    writes tables, not queues), and read-only access is not reported here.
    Paths that pass through another data resource (a topic that triggers a
    second function) are shown by `boundary paths`, not reported.

    The shortest such path has no function in it: a resource policy (a bucket,
    queue, topic or secret policy) that lets anyone (`Principal: "*"` or
    `{"AWS": "*"}`) write to the resource itself. It is reported on the
    resource, at the statement, unless a condition ties the statement to a
    source, an account, an organization, a VPC or VPC endpoint, an address
    range (`aws:SourceIp`) or the account's S3 access points
    (`s3:DataAccessPointAccount`), or a Deny to anyone outside those covers
    the action. Public read (a website bucket's `s3:GetObject`) is not a
    write and is not reported.

    A Cognito identity pool that allows unauthenticated identities
    (`AllowUnauthenticatedIdentities`, `allow_unauthenticated_identities`)
    gives anyone credentials for its `unauthenticated` role: each data
    resource that role may write to is reported on the role, when its trust
    lets unauthenticated identities in (no `cognito-identity.amazonaws.com:amr`
    test, or one that matches `unauthenticated`). A plan that holds the
    pool's `roles` map as unknown names its roles but not which is which: a
    role counts there only when its trust names unauthenticated identities.

    An open endpoint of a PRIVATE REST API is reached through VPC endpoints
    only: the finding names the API and says who can reach it instead of
    "anyone on the internet", at `medium`, or `low` when its resource policy
    admits only given VPCs or VPC endpoints (the policy is named). A method
    whose MOCK integration answers by itself invokes nothing, so it starts no
    path. Functions, roles and data outside the template are not followed.

    ## Why is this bad?
    Each link may look acceptable on its own: a public sign-up route, a
    function that stores what it receives, a role that may write a table. Put
    together they let an anonymous caller change or destroy stored data, and
    the only thing standing in the way is the function's own input checks.
    This is the path an attacker looks for first.

    ## Example
    ```yaml
    ReserveBooking:
      Type: AWS::Serverless::Function
      Properties:
        Policies:
          - DynamoDBCrudPolicy:        # write and delete on the table
              TableName: !Ref BookingTable
        Events:
          CreateBooking:
            Type: HttpApi              # no authorizer: anyone can call it
            Properties:
              Path: /bookings
              Method: POST
    ```

    ## Use instead
    Require authorization on the endpoint, and give the function only the
    write actions it needs:
    ```yaml
    ReserveBooking:
      Type: AWS::Serverless::Function
      Properties:
        Policies:
          - DynamoDBWritePolicy:
              TableName: !Ref BookingTable
        Events:
          CreateBooking:
            Type: HttpApi
            Properties:
              Path: /bookings
              Method: POST
              ApiId: !Ref BookingApi   # with a JWT or Lambda authorizer as default
    ```

    For a resource policy, name who may write, or tie `*` to your network:
    ```yaml
    ReceiptsPolicy:
      Type: AWS::S3::BucketPolicy
      Properties:
        Bucket: !Ref ReceiptsBucket
        PolicyDocument:
          Statement:
            - Effect: Allow
              Principal: { AWS: !GetAtt UploaderRole.Arn }
              Action: s3:PutObject
              Resource: !Sub ${ReceiptsBucket.Arn}/*
    ```

    ## References
    - AWS Well-Architected Serverless Lens, SEC1 and SEC2
    - https://docs.aws.amazon.com/wellarchitected/latest/serverless-applications-lens/identity-and-access-management.html
    - https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-control-access-to-api.html

    ## Cost
    One breadth-first walk from each open entry point (an endpoint without
    authorization, a public permission), through the functions and roles it
    reaches; a node's hops, and a role's data access, are worked out once, when
    a walk first leaves it. Linear in what the entry points reach, with two
    exceptions, both the size of what is found: E entry points that all reach
    the same N nodes cost E times N, and a role reached from the internet that
    is granted a data action on `*` reaches every resource of that service in
    its template (R such roles over T resources: R times T).
    """

    def evaluate(self, ctx: RuleContext) -> Iterator[Violation]:
        yield from _guest_writes(ctx)
        reported: set[tuple[str, str]] = set()
        # Paths through an endpoint first, so a function both behind an open endpoint
        # and publicly invokable is named with its endpoint.
        found = sorted(
            paths.paths_from(ctx.graph, statements=ctx.statements_of),
            key=lambda p: (not _through_endpoint(ctx, p), p.nodes),
        )
        for path in found:
            if not path.writes:
                continue
            if len(path.nodes) == 2:  # the internet straight to the data: its resource policy
                yield from _public_policy(ctx, path)
                continue
            if not _direct(ctx, path):
                continue
            compute = next(n for n in path.nodes if ctx.attrs(n).get("kind") == NodeKind.COMPUTE)
            if (compute, path.target) in reported:
                continue
            reported.add((compute, path.target))
            writes = [a for a in path.actions if catalog().access_level(a) == "Write"]
            private = _private_api(ctx, path)
            who, severity = "anyone on the internet", None
            if private is not None:
                # A PRIVATE API is reached through VPC endpoints only, as far as its policy lets in.
                who = f"anyone who reaches {ctx.label(private.api)}, {private.describe()},"
                severity = Severity.LOW if private.vpc_restricted else Severity.MEDIUM
            yield Violation(
                node=compute,
                message=(
                    f"{who} can write to {ctx.label(path.target)}: {_describe(ctx, path)}, "
                    f"which may {paths.compact_actions(writes)} on it; "
                    "expected no write or delete access on data behind a caller without authorization"
                ),
                related=path.nodes[1:],
                key=ctx.label(path.target),
                severity=severity,
            )


_WRITE_LEVELS = frozenset({"Write", "Permissions management"})


def _public_policy(ctx: RuleContext, path: paths.AccessPath) -> Iterator[Violation]:
    """Each statement of a resource policy that lets anyone (`Principal: "*"`) write to
    the data resource at the end of `path`, with no condition on who calls or from where."""
    cat = catalog()
    target = path.target
    views = [
        view
        for view in ctx.statements_of(path.source)
        if view.via == "resource-policy" and any(node == target for node, _ in view.listed)
    ]
    # `Deny` to anyone unless from a VPC endpoint, an organization, an address range...:
    # what such a statement covers is open only to those.
    fences = [v.statement for v in views if v.effect == "Deny" and _fences(v.statement)]
    for view in views:
        if view.effect != "Allow" or not paths.open_to_anyone(view.statement.conditions):
            continue
        writes = [
            action
            for action in path.actions
            if cat.access_level(action) in _WRITE_LEVELS
            and evaluate.action_matches(view.statement, action)
            and not any(evaluate.action_matches(fence, action) for fence in fences)
        ]
        if writes:
            yield Violation(
                node=target,
                related=(view.policy_node,) if view.policy_node in ctx.graph else (),
                message=(
                    f"anyone on the internet can write to {ctx.label(target)}: {view.describe()} allows "
                    f'{paths.compact_actions(writes)} to Principal "*" with no condition on who calls or from '
                    "where; expected the principals that need it, or a condition such as aws:SourceVpce, "
                    "aws:PrincipalOrgID or aws:SourceArn"
                ),
                key=view.key,
                location=view.location,
                statements=(view.key,),
            )


_IDENTITY_POOLS = frozenset({"AWS::Cognito::IdentityPool", "aws_cognito_identity_pool"})
_POOL_ROLES = frozenset(
    {"AWS::Cognito::IdentityPoolRoleAttachment", "aws_cognito_identity_pool_roles_attachment"}
)


def _guest_writes(ctx: RuleContext) -> Iterator[Violation]:
    """A Cognito identity pool that allows unauthenticated identities hands anyone on the
    internet credentials for its guest role: each data resource that role may write to."""
    cat = catalog()
    for template in ctx.model.templates:
        resources = template.resources
        pools = {
            r.id for r in resources.values() if r.type in _IDENTITY_POOLS and _allows_guests(r.properties)
        }
        if not pools:
            continue
        for attachment in sorted(
            (r for r in resources.values() if r.type in _POOL_ROLES), key=lambda r: r.id
        ):
            pool = next((p for p in sorted(pools) if p in attachment.references), None)
            roles = attachment.properties.get("Roles", attachment.properties.get("roles"))
            # A plan holds the whole `roles` map as unknown when one of its roles is new:
            # a role it names is the guest role only if its trust asks for guests by name.
            explicit = isinstance(roles, Symbolic)
            guest = (
                roles if explicit else roles.get("unauthenticated") if isinstance(roles, Mapping) else None
            )
            if pool is None or guest is None:
                continue
            for role in _roles_named(template, guest):
                node = node_id(template, role)
                if node not in ctx.graph or not _trusts_guests(template, role, explicit=explicit):
                    continue
                access = permissions.data_access(ctx.graph, node, views=ctx.statements_of(node))
                for target, found in sorted(access.items()):
                    writes = [a for a in found.actions if cat.access_level(a) in _WRITE_LEVELS]
                    if not writes or ctx.attrs(target).get("kind") != NodeKind.DATA:
                        continue
                    pool_node = node_id(template, pool)
                    yield Violation(
                        node=node,
                        related=tuple(n for n in (pool_node, target) if n in ctx.graph),
                        message=(
                            f"anyone on the internet can write to {ctx.label(target)}: identity pool "
                            f"{ctx.label(pool_node) if pool_node in ctx.graph else pool} gives unauthenticated "
                            f"(guest) identities credentials for {ctx.label(node)}, which may "
                            f"{paths.compact_actions(writes)} on it; expected no write or delete access for "
                            "guests: turn off unauthenticated identities, or give the guest role only what "
                            "anonymous users need to read"
                        ),
                        key=f"guest#{pool}#{ctx.label(target)}",
                    )


def _allows_guests(properties: Mapping[str, Any]) -> bool:
    value = properties.get(
        "AllowUnauthenticatedIdentities", properties.get("allow_unauthenticated_identities")
    )
    return value is True or (isinstance(value, str) and value.lower() == "true")


def _roles_named(template: Template, value: Any) -> list[str]:
    """The roles of the template a role attachment's value names: by ARN, or by the
    references of a value known only after apply."""
    roles = [r for r in template.resources.values() if r.kind is ResourceKind.ROLE]
    if isinstance(value, Symbolic):
        return sorted(r.id for r in roles if r.id in value.references)
    if isinstance(value, str):
        return sorted(r.id for r in roles if value in r.arns or value == r.id)
    return []


def _trusts_guests(template: Template, role: str, *, explicit: bool = False) -> bool:
    """Whether the role's trust policy lets unauthenticated Cognito identities in
    (`boundary.iam.admits_cognito_guests`)."""
    return any(
        admits_cognito_guests(statement, explicit=explicit)
        for policy in template.policies
        if policy.kind is PolicyKind.TRUST and role in policy.attached_to and policy.document is not None
        for statement in policy.document.statements
    )


def _fences(statement: Statement) -> bool:
    """Whether a Deny statement to anyone denies every caller but those of a source, an
    account, an organization or an address range (a negated test of such a key, not
    `...IfExists`): what it covers is then not open to anyone."""
    for operator, key, _ in condition_entries(statement.conditions):
        op = operator.split(":")[-1].lower()
        name = key.lower()
        if "not" in op and not op.endswith("ifexists") and name in paths.SCOPING_CONDITION_KEYS:
            return True
    return False


def _private_api(ctx: RuleContext, path: paths.AccessPath) -> queries.PrivateApi | None:
    """The PRIVATE API whose endpoint the path enters by, if it does."""
    if not _through_endpoint(ctx, path):
        return None
    api = queries.api_of(ctx.graph, path.nodes[1])
    return queries.private_api(ctx.model, ctx.graph, api) if api is not None else None


def _through_endpoint(ctx: RuleContext, path: paths.AccessPath) -> bool:
    return bool(ctx.attrs(path.nodes[1]).get("endpoint"))


def _direct(ctx: RuleContext, path: paths.AccessPath) -> bool:
    """Internet, an open entry point, one function, its role, the data: no data resource
    or second function in between."""
    middle = [ctx.attrs(n).get("kind") for n in path.nodes[1:-1]]
    return NodeKind.DATA not in middle and middle.count(NodeKind.COMPUTE) == 1


def _describe(ctx: RuleContext, path: paths.AccessPath) -> str:
    names = []
    for step in path.steps:
        attrs = ctx.attrs(step.target)
        if attrs.get("endpoint"):
            api = attrs.get("api")
            route = f"{attrs.get('method') or 'ANY'} {attrs.get('path') or '/'}"
            if attrs.get("protocol") == "function-url":
                names.append(f"function URL {ctx.label(step.target)} (AuthType NONE)")
            elif attrs.get("protocol") == "websocket":
                names.append(
                    f"WebSocket route {attrs.get('path')}{f' on {api}' if api else ''} (no authorization)"
                )
            else:
                names.append(f"{route}{f' on {api}' if api else ''} (no authorization)")
        elif step.source == path.source and step.kind == EdgeKind.GRANTS:
            names.append(f"public permission to invoke {ctx.label(step.target)}")
        elif step.target != path.target:
            names.append(ctx.label(step.target))
    return " -> ".join(names)
