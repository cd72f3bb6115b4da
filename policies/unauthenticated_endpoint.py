from __future__ import annotations

from collections.abc import Iterator

from boundary.graph import NodeKind, queries
from boundary.rules import Rule, RuleContext, Severity, Violation

_EXPECTED = {
    "rest": "AWS_IAM, a Cognito/JWT authorizer or a Lambda authorizer",
    "http": "AWS_IAM, a JWT authorizer or a Lambda authorizer",
    "websocket": "AWS_IAM or a Lambda authorizer on $connect",
    "function-url": "AuthType AWS_IAM (with CloudFront origin access control for public sites)",
}
_WEBSOCKET_API_TYPES = {"AWS::ApiGatewayV2::Api"}


class UnauthenticatedEndpoint(Rule):
    """
    ## What it does
    Finds entry points that anyone on the internet can call without proving
    who they are: REST API methods and HTTP API routes whose authorization is
    `NONE` (as `AWS::ApiGateway::Method`, `AWS::ApiGatewayV2::Route`, an
    OpenAPI body, SAM `Api`/`HttpApi` events or their Terraform resources),
    the `$connect` route of a WebSocket API (the only route API Gateway
    authorizes, so a WebSocket API without `$connect` is reported too), and
    Lambda function URLs with `AuthType: NONE`.

    CORS preflight `OPTIONS` methods are never reported: browsers send them
    without credentials, so they cannot be authorized. Severity depends on
    what is left to stop a caller:

    - `high`: no authorization at all on a public (edge or regional) API or URL;
    - `medium`: the method requires only an API key (`ApiKeyRequired`): a key
      identifies a client application, not a caller, and ships inside it;
    - `low`: a PRIVATE REST API (reachable only through VPC endpoints, and its
      resource policy) without authorization, a method whose MOCK integration
      answers by itself (no function, no data behind it), and AppSync GraphQL
      APIs using the `API_KEY` mode;
    - `info`: a PRIVATE REST API whose resource policy admits only requests
      from given VPCs or VPC endpoints (`aws:SourceVpc`/`aws:SourceVpce` on
      every Allow, or a Deny on any other value): the finding says so and
      names the policy (`Policy`, the OpenAPI `x-amazon-apigateway-policy`
      SAM writes for `Auth.ResourcePolicy`, Terraform's `policy` or
      `aws_api_gateway_rest_api_policy`). Callers inside that network are
      still not identified.

    Only APIs, methods and functions of the template are judged: an API
    outside it, or a resource policy that is not in the template, is not
    looked up (a PRIVATE API whose policy lives elsewhere is `low`).

    Symbolic authorization types (a parameter or condition decides) are not
    guessed and not reported.

    ## Why is this bad?
    An unauthenticated endpoint hands the function behind it, and everything
    its role may touch, to anyone who finds the URL: scrapers, credential
    stuffers, and the bill for every invocation. Requests carry no identity,
    so the function cannot authorize per user and logs cannot say who did what.

    ## Example
    ```yaml
    GetLoyalty:
      Type: AWS::Serverless::Function
      Properties:
        Events:
          GetApi:
            Type: Api
            Properties:
              RestApiId: !Ref LoyaltyApi
              Path: /loyalty/{customerId}
              Method: get
    LoyaltyApi:
      Type: AWS::Serverless::Api
      Properties:
        StageName: prod   # no Auth: the method's authorization is NONE
    ```

    ## Use instead
    ```yaml
    LoyaltyApi:
      Type: AWS::Serverless::Api
      Properties:
        StageName: prod
        Auth:
          DefaultAuthorizer: AWS_IAM   # or a Cognito, JWT or Lambda authorizer
    ```
    For a function URL, use `AuthType: AWS_IAM` (behind CloudFront with origin
    access control when browsers call it).

    ## References
    - AWS Well-Architected Serverless Lens, SEC1: "Use an authentication and an authorization mechanism"
    - https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-control-access-to-api.html
    - https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html
    """

    def evaluate(self, ctx: RuleContext) -> Iterator[Violation]:
        for node in queries.endpoints(ctx.graph):
            violation = self._endpoint(ctx, node)
            if violation is not None:
                yield violation
        yield from self._websocket_without_connect(ctx)

    def _endpoint(self, ctx: RuleContext, node: str) -> Violation | None:
        attrs = ctx.attrs(node)
        protocol = str(attrs.get("protocol"))
        method = str(attrs.get("method") or "ANY").upper()
        path = str(attrs.get("path") or "/")
        authorization = str(attrs.get("authorization"))
        api = queries.api_of(ctx.graph, node)
        api_name = ctx.label(api) if api is not None else str(attrs.get("api") or "")
        if method == "OPTIONS":
            return None
        if protocol == "graphql":
            if authorization != "API_KEY":
                return None
            return Violation(
                node=node,
                message=(
                    f"GraphQL API {api_name} accepts the API_KEY authorization mode: callers hold a shared key, "
                    "not an identity; expected AWS_IAM, Cognito user pools, OIDC or a Lambda authorizer"
                ),
                related=(api,) if api else (),
                key="graphql#API_KEY",
                severity=Severity.LOW,
            )
        if authorization != "NONE":
            return None
        if protocol == "websocket" and path != "$connect":
            return None  # API Gateway authorizes WebSocket connections on $connect only
        api_key = bool(attrs.get("api_key_required"))
        private = queries.private_api(ctx.model, ctx.graph, api) if api is not None else None
        if protocol == "function-url":
            functions = [
                ctx.label(t) for _, t, d in ctx.graph.out_edges(node, data=True) if d.get("kind") == "invokes"
            ]
            subject = f"function URL {ctx.label(node)}" + (
                f" of {', '.join(sorted(set(functions)))}" if functions else ""
            )
            what = "has no authorization (AuthType NONE)"
        else:
            if protocol == "websocket":
                subject = f"the $connect route of WebSocket API {api_name}"
            else:
                subject = f"{method} {path} on {api_name}" if api_name else f"{method} {path}"
            what = "has no authorization (NONE)"
        severity: Severity | None = None
        if api_key:
            what = "requires only an API key (authorization NONE, ApiKeyRequired)"
            severity = Severity.MEDIUM
        if private is not None:
            # Not the internet: whoever reaches the API's VPC endpoints, as its policy allows.
            what += f" on {private.describe()}"
            severity = Severity.INFO if private.vpc_restricted else Severity.LOW
        if queries.mock_only(ctx.model, ctx.graph, node):
            what += ", though its MOCK integration answers without calling any backend (no data behind it)"
            severity = Severity.LOW if severity is None or severity.rank > Severity.LOW.rank else severity
        return Violation(
            node=node,
            message=f"{subject} {what}; expected {_EXPECTED.get(protocol, _EXPECTED['rest'])}",
            related=(api,) if api else (),
            key=f"{protocol}#{method} {path}",
            severity=severity,
        )

    def _websocket_without_connect(self, ctx: RuleContext) -> Iterator[Violation]:
        for api in queries.nodes_of_kind(ctx.graph, NodeKind.API):
            if ctx.attrs(api).get("aws_type") not in _WEBSOCKET_API_TYPES:
                continue
            routes = queries.api_endpoints(ctx.graph, api)
            websocket = [r for r in routes if ctx.attrs(r).get("protocol") == "websocket"]
            if websocket and not any(ctx.attrs(r).get("path") == "$connect" for r in websocket):
                yield Violation(
                    node=api,
                    message=(
                        f"WebSocket API {ctx.label(api)} has no $connect route, so connections are accepted "
                        "without authorization; expected a $connect route with AWS_IAM or a Lambda authorizer"
                    ),
                    related=tuple(websocket),
                    key="websocket#no-$connect",
                )
