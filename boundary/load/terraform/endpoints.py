"""Endpoints of a plan: REST methods, HTTP and WebSocket routes, function URLs, APIs
defined by an OpenAPI body, HTTP API quick-create routes and GraphQL APIs, each with
its authorization and what it invokes.

The routes and integrations relate APIs to what they invoke through the plan's
`Relations`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from boundary.load._openapi import schemes_of, security_authorization
from boundary.load.terraform._shapes import UNKNOWN_TEXT, as_list, as_map, json_object
from boundary.load.terraform.index import PlanIndex
from boundary.load.terraform.instances import Instance
from boundary.load.terraform.relations import INVOCABLE, Relations
from boundary.model import Endpoint, EndpointProtocol, RelationKind, Symbolic

__all__ = ["collect_endpoints"]

# what a REST resource's `parent_id` names
_REST_PARENTS = ("aws_api_gateway_resource", "aws_api_gateway_rest_api")
_HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "x-amazon-apigateway-any-method")


def collect_endpoints(index: PlanIndex, relations: Relations) -> list[Endpoint]:
    """The plan's endpoints; what their integrations invoke is related through `relations`."""
    return _Endpoints(index, relations).collect()


class _Endpoints:
    def __init__(self, index: PlanIndex, relations: Relations) -> None:
        self.index = index
        self.relations = relations
        self.endpoints: list[Endpoint] = []

    def collect(self) -> list[Endpoint]:
        integrations = self._rest_integrations()
        for method in self.index.of_type("aws_api_gateway_method"):
            self._rest_method(method, integrations)
        for route in self.index.of_type("aws_apigatewayv2_route"):
            self._http_route(route)
        for url in self.index.of_type("aws_lambda_function_url"):
            functions = self.index.targets(
                url, ("function_name",), ("aws_lambda_function", "aws_lambda_alias")
            )
            auth = url.values.get("authorization_type")
            self.endpoints.append(
                Endpoint(
                    id=url.address,
                    protocol=EndpointProtocol.FUNCTION_URL,
                    api=None,
                    method="ANY",
                    path="/",
                    authorization=auth if isinstance(auth, (str, Symbolic)) else "NONE",
                    resource=url.address,
                    location=self.index.location(url),
                    integrations=tuple(functions),
                )
            )
            for function in functions:
                self.relations.relate(url.address, function, RelationKind.INVOKES, url)
        for api in self.index.of_type("aws_api_gateway_rest_api", "aws_apigatewayv2_api"):
            self._openapi(api)
            if api.type == "aws_apigatewayv2_api":
                self._quick_create(api)
        for api in self.index.of_type("aws_appsync_graphql_api"):
            self._graphql(api)
        return self.endpoints

    def _rest_path(self, resource: str, depth: int = 0) -> str | None:
        instance = self.index.instances.get(resource)
        if instance is None or depth > 64:
            return None
        if instance.type == "aws_api_gateway_rest_api":
            return "/"
        known = instance.values.get("path")
        if isinstance(known, str) and known.startswith("/"):
            return known
        part = instance.values.get("path_part")
        parents = self.index.targets(instance, ("parent_id",), _REST_PARENTS)
        if not isinstance(part, str) or len(parents) != 1:
            return None
        parent = self._rest_path(parents[0], depth + 1)
        return None if parent is None else parent.rstrip("/") + "/" + part

    def _rest_key(self, instance: Instance) -> tuple[str, str, str] | None:
        apis = self.index.targets(instance, ("rest_api_id",), ("aws_api_gateway_rest_api",))
        where = self.index.targets(instance, ("resource_id",), _REST_PARENTS)
        method = instance.values.get("http_method")
        if len(apis) != 1 or len(where) != 1 or not isinstance(method, str):
            return None
        return apis[0], where[0], method.upper()

    def _rest_integrations(self) -> dict[str, list[str]]:
        """Method address -> what its integrations invoke."""
        by_key = {}
        for candidate in self.index.of_type("aws_api_gateway_method"):
            key = self._rest_key(candidate)
            if key is not None:
                by_key[key] = candidate.address
        out: dict[str, list[str]] = {}
        for integration in self.index.of_type("aws_api_gateway_integration"):
            methods = self.index.targets(integration, ("http_method",), ("aws_api_gateway_method",))
            if not methods:
                key = self._rest_key(integration)
                methods = [by_key[key]] if key in by_key else []
            targets = self.index.targets(integration, ("uri",), INVOCABLE)
            for method in methods:
                out.setdefault(method, []).extend(targets)
                for target in targets:
                    self.relations.relate(
                        method, target, RelationKind.INVOKES, integration, integration=integration.address
                    )
        return out

    def _rest_method(self, method: Instance, integrations: Mapping[str, list[str]]) -> None:
        values = method.values
        apis = self.index.targets(method, ("rest_api_id",), ("aws_api_gateway_rest_api",))
        resources = self.index.targets(method, ("resource_id",), _REST_PARENTS)
        path = self._rest_path(resources[0]) if len(resources) == 1 else None
        authorizers = self.index.targets(method, ("authorizer_id",), ("aws_api_gateway_authorizer",))
        auth = values.get("authorization")
        http_method = values.get("http_method")
        self.endpoints.append(
            Endpoint(
                id=method.address,
                protocol=EndpointProtocol.REST,
                api=apis[0] if apis else None,
                method=http_method.upper() if isinstance(http_method, str) else UNKNOWN_TEXT,
                path=path or UNKNOWN_TEXT,
                authorization=_authorization(auth),
                resource=method.address,
                location=self.index.location(method),
                api_key_required=values.get("api_key_required") is True,
                authorizer=authorizers[0] if authorizers else None,
                integrations=tuple(sorted(set(integrations.get(method.address, ())))),
            )
        )
        if apis:
            self.relations.relate(apis[0], method.address, RelationKind.ROUTES, method)

    def _http_route(self, route: Instance) -> None:
        values = route.values
        apis = self.index.targets(route, ("api_id",), ("aws_apigatewayv2_api",))
        protocol = EndpointProtocol.HTTP
        if apis and self.index.instances[apis[0]].values.get("protocol_type") == "WEBSOCKET":
            protocol = EndpointProtocol.WEBSOCKET
        key = values.get("route_key")
        method, path = "ANY", UNKNOWN_TEXT
        if isinstance(key, str):
            method, _, rest = key.partition(" ")
            method, path = (method.upper(), rest) if rest else ("ANY", key)
        integrations = self.index.targets(route, ("target",), ("aws_apigatewayv2_integration",))
        invoked: list[str] = []
        for integration in integrations:
            invoked.extend(
                self.index.targets(self.index.instances[integration], ("integration_uri",), INVOCABLE)
            )
        for target in invoked:
            self.relations.relate(route.address, target, RelationKind.INVOKES, route)
        authorizers = self.index.targets(route, ("authorizer_id",), ("aws_apigatewayv2_authorizer",))
        auth = values.get("authorization_type")
        self.endpoints.append(
            Endpoint(
                id=route.address,
                protocol=protocol,
                api=apis[0] if apis else None,
                method=method,
                path=path,
                authorization=_authorization(auth),
                resource=route.address,
                location=self.index.location(route),
                api_key_required=values.get("api_key_required") is True,
                authorizer=authorizers[0] if authorizers else None,
                integrations=tuple(sorted(set(invoked))),
            )
        )
        if apis:
            self.relations.relate(apis[0], route.address, RelationKind.ROUTES, route)

    def _quick_create(self, api: Instance) -> None:
        """`target` on an HTTP API creates a `$default` route with no authorizer."""
        if api.values.get("target") in (None, ""):
            return
        functions = self.index.targets(api, ("target",), INVOCABLE)
        self.endpoints.append(
            Endpoint(
                id=f"{api.address}#$default",
                protocol=EndpointProtocol.HTTP,
                api=api.address,
                method="ANY",
                path="$default",
                authorization="NONE",
                resource=api.address,
                location=self.index.location(api),
                integrations=tuple(functions),
            )
        )
        for function in functions:
            self.relations.relate(api.address, function, RelationKind.INVOKES, api)

    def _openapi(self, api: Instance) -> None:
        body = api.values.get("body")
        if not isinstance(body, str) or not body.strip():
            return
        document = json_object(body)
        if document is None:
            import yaml  # a body in YAML: rare, and PyYAML is not otherwise needed for a plan

            try:
                document = yaml.safe_load(body)
            except (yaml.YAMLError, RecursionError, ValueError):
                return
        if not isinstance(document, Mapping):
            return
        http = api.type == "aws_apigatewayv2_api"
        protocol = EndpointProtocol.HTTP if http else EndpointProtocol.REST
        if http and api.values.get("protocol_type") == "WEBSOCKET":
            protocol = EndpointProtocol.WEBSOCKET
        schemes = schemes_of(document)
        top_security = document.get("security")
        for path, operations in as_map(document.get("paths")).items():
            for verb, operation in as_map(operations).items():
                if verb not in _HTTP_METHODS or not isinstance(operation, Mapping):
                    continue
                method = "ANY" if verb == "x-amazon-apigateway-any-method" else verb.upper()
                security = operation.get("security", top_security)
                authorization, api_key, _ = security_authorization(security, schemes)
                integration = as_map(operation.get("x-amazon-apigateway-integration"))
                uri = integration.get("uri")
                targets = self.index.match_value(uri, INVOCABLE) if isinstance(uri, str) else []
                endpoint_id = f"{api.address}#{method} {path}"
                self.endpoints.append(
                    Endpoint(
                        id=endpoint_id,
                        protocol=protocol,
                        api=api.address,
                        method=method,
                        path=str(path),
                        authorization=authorization,
                        resource=api.address,
                        location=self.index.location(api),
                        api_key_required=api_key,
                        integrations=tuple(targets),
                    )
                )
                for target in targets:
                    self.relations.relate(
                        api.address, target, RelationKind.INVOKES, api, path=str(path), method=method
                    )

    def _graphql(self, api: Instance) -> None:
        """One endpoint per authorization mode, the default one and each additional
        provider: a caller may use any of them. Modes are spelled as AppSync does
        (`API_KEY`, `AWS_IAM`, ...), as the CloudFormation loader spells them."""
        sources = [
            d.address
            for d in self.index.of_type("aws_appsync_datasource")
            if api.address in self.index.targets(d, ("api_id",), ("aws_appsync_graphql_api",))
        ]
        modes: list[Any] = [api.values.get("authentication_type")]
        for block in as_list(api.values.get("additional_authentication_provider")):
            if isinstance(block, Mapping):
                modes.append(block.get("authentication_type"))
        for index, mode in enumerate(modes):
            authorization: str | Symbolic = (
                mode.upper()
                if isinstance(mode, str) and mode
                else mode
                if isinstance(mode, Symbolic)
                else "NONE"
            )
            if index and authorization == modes[0]:
                continue
            self.endpoints.append(
                Endpoint(
                    id=api.address if index == 0 else f"{api.address} {authorization}",
                    protocol=EndpointProtocol.GRAPHQL,
                    api=api.address,
                    method="POST",
                    path="/graphql",
                    authorization=authorization,
                    resource=api.address,
                    location=self.index.location(api),
                    api_key_required=authorization == "API_KEY",
                    integrations=tuple(sorted(sources)),
                )
            )


def _authorization(value: Any) -> str | Symbolic:
    """A method's or route's authorization as API Gateway spells it; NONE when unset."""
    if isinstance(value, str):
        return value.upper()
    return value if isinstance(value, Symbolic) else "NONE"
