from __future__ import annotations

from collections.abc import Iterator

from boundary.graph import queries
from boundary.rules import Rule, RuleContext, Severity, Violation

_TOKEN_AUTH = {"COGNITO_USER_POOLS", "JWT", "CUSTOM"}
_NO_CALLER_IDENTITY = {"NONE", "API_KEY"}


class ServiceEndpointWithoutIamAuth(Rule):
    """
    ## What it does
    Finds API Gateway endpoints that another component of the same stack
    calls, service to service, without `AWS_IAM` authorization. Callers are
    an AppSync HTTP data source whose endpoint is the API, a Step Functions
    state machine with an `arn:aws:states:::apigateway:invoke` task naming
    the API, and an EventBridge rule or schedule targeting it. Each endpoint
    of such an API is reported with its callers named: `high` when it has no
    authorization or only an API key, `low` when it uses a Cognito, JWT or
    Lambda authorizer (the caller then needs a long-lived token or forwards
    its own caller's).

    CORS preflight `OPTIONS` methods and WebSocket routes other than
    `$connect` are skipped. EventBridge API destinations are not callers
    here: they cannot sign requests with SigV4. Nor is a function that has
    the API's URL in its environment: such an API usually serves outside
    clients too, and the function may call it with an end user's token.
    Nor is a state machine whose only `apigateway:invoke` tasks post to
    `/@connections/{id}`: that is the WebSocket connection-management API
    (`execute-api:ManageConnections`, always IAM-authorized), not a route,
    so it says nothing about `$connect`.

    Only callers and APIs declared in the template are judged: an API
    outside it (named by id or URL) and callers outside it (another
    stack's functions, clients) are not known, and nothing is looked up.
    A definition that cannot be read offline (a Terraform
    `jsonencode()` over values known only after apply) names no API, so
    its state machine is no caller.

    ## Why is this bad?
    An API that exists for one AWS component should let that component in and
    nobody else. With `AWS_IAM` the caller signs every request with its own
    role, and only roles allowed `execute-api:Invoke` on the API get through:
    no shared secret to leak or rotate. Left open, the same endpoint serves
    anyone who finds it, bypassing the GraphQL layer's authorization.

    ## Example
    ```yaml
    LoyaltyDataSource:
      Type: AWS::AppSync::DataSource
      Properties:
        Type: HTTP
        ServiceRoleArn: !GetAtt AppSyncLoyaltyRole.Arn
        HttpConfig:
          Endpoint: !Sub https://${LoyaltyApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}
    LoyaltyApi:
      Type: AWS::Serverless::Api
      Properties:
        StageName: prod   # no Auth: AppSync's calls, and anyone's, are unauthenticated
    ```

    ## Use instead
    ```yaml
    LoyaltyDataSource:
      Type: AWS::AppSync::DataSource
      Properties:
        Type: HTTP
        ServiceRoleArn: !GetAtt AppSyncLoyaltyRole.Arn
        HttpConfig:
          Endpoint: !Sub https://${LoyaltyApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}
          AuthorizationConfig:
            AuthorizationType: AWS_IAM
            AwsIamConfig:
              SigningRegion: !Ref AWS::Region
              SigningServiceName: execute-api
    LoyaltyApi:
      Type: AWS::Serverless::Api
      Properties:
        StageName: prod
        Auth:
          DefaultAuthorizer: AWS_IAM
    ```

    ## References
    - AWS Well-Architected Serverless Lens, SEC2: "Use IAM roles for component-to-component authorization"
    - https://docs.aws.amazon.com/appsync/latest/devguide/tutorial-http-resolvers.html
    - https://docs.aws.amazon.com/step-functions/latest/dg/connect-api-gateway.html
    """

    def evaluate(self, ctx: RuleContext) -> Iterator[Violation]:
        for api, callers in queries.service_callers(ctx.graph, ctx.model).items():
            named = ", ".join(f"{ctx.label(c)} ({ctx.attrs(c).get('type')})" for c in callers)
            for endpoint in queries.api_endpoints(ctx.graph, api):
                attrs = ctx.attrs(endpoint)
                protocol = str(attrs.get("protocol"))
                method = str(attrs.get("method") or "ANY").upper()
                path = str(attrs.get("path") or "/")
                authorization = str(attrs.get("authorization"))
                if protocol == "graphql" or method == "OPTIONS":
                    continue
                if protocol == "websocket" and path != "$connect":
                    continue
                if attrs.get("api_key_required") and authorization == "NONE":
                    authorization = "API_KEY"
                if authorization in _NO_CALLER_IDENTITY:
                    severity = None
                elif authorization in _TOKEN_AUTH:
                    severity = Severity.LOW
                else:
                    continue  # AWS_IAM, or symbolic: not guessed
                yield Violation(
                    node=endpoint,
                    message=(
                        f"{method} {path} on {ctx.label(api)} is called by {named} but its authorization is "
                        f"{authorization}; expected AWS_IAM, with only the caller's role allowed execute-api:Invoke"
                    ),
                    related=(api, *callers),
                    key=f"{method} {path}",
                    severity=severity,
                )
