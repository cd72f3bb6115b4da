"""Recognising and decoding a plan, and the loader that runs the seams over it.

The seams, each given what it needs rather than the loader: `instances` (what
the plan will deploy), `references` (configuration expressions to instance
addresses, unknown values to `Symbolic`s), `index` (what an attribute
designates), `policies`, `relations` and `endpoints`; `locations` says where
each resource is written.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import yaml

from boundary.load._cfn_types import canonical_type, kind_of
from boundary.load._errors import SourceError
from boundary.load._yaml import JsonLocator
from boundary.load.options import LoadOptions
from boundary.load.terraform._shapes import (
    UNKNOWN_TEXT,
    as_list,
    as_map,
    as_text,
    json_object,
)
from boundary.load.terraform.index import PlanIndex, provider_region
from boundary.load.terraform.instances import Instance, collect_instances
from boundary.load.terraform.locations import RESOURCE_CHANGES_KEY, Locations
from boundary.load.terraform.policies import collect_policies
from boundary.load.terraform.references import Resolver
from boundary.load.terraform.relations import INVOCABLE, Relations
from boundary.load.terraform.sources import ConfigurationSources
from boundary.model import (
    Endpoint,
    EndpointProtocol,
    Format,
    Location,
    Policy,
    RelationKind,
    Resource,
    ResourceKind,
    Symbolic,
    Template,
)

__all__ = [
    "UNKNOWN_TEXT",
    "ConfigurationSources",
    "decode_plan",
    "is_plan",
    "load_plan",
    "load_plan_text",
    "looks_like_plan",
    "shape_error",
]

_PLAN_PARTS = ("planned_values", "resource_changes", "configuration")
_HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "x-amazon-apigateway-any-method")


# ---------------------------------------------------------------- public API


def is_plan(data: Any) -> bool:
    """True for the JSON of `terraform show -json <planfile>`.

    A plan has a string `format_version` and at least one of the plan parts in
    its expected JSON shape; CloudFormation (`Resources`) and state files
    (`values` without a plan part) are not plans.
    """
    if not isinstance(data, Mapping) or not isinstance(data.get("format_version"), str):
        return False
    if "Resources" in data or "AWSTemplateFormatVersion" in data:
        return False
    return (
        isinstance(data.get("planned_values"), Mapping)
        or isinstance(data.get("resource_changes"), list)
        or isinstance(data.get("configuration"), Mapping)
    )


def decode_plan(text: str, *, file: str) -> Any:
    """Parse plan text as JSON; a syntax error is a `SourceError` at the decoder's position."""
    try:
        return json.loads(text.removeprefix("\ufeff"))
    except json.JSONDecodeError as exc:
        raise SourceError(file, exc.lineno, exc.colno, f"invalid JSON: {exc.msg}") from None
    except RecursionError:
        raise SourceError(file, 0, 0, "invalid JSON: nested too deeply") from None


def load_plan_text(text: str, *, file: str, options: LoadOptions | None = None) -> Template:
    """Decode and load a plan; JSON that is not a plan is a `SourceError` here."""
    data = decode_plan(text, file=file)
    if not is_plan(data):
        raise SourceError(file, 1, 1, "not a Terraform plan (expected the output of `terraform show -json`)")
    return load_plan(data, file=file, text=text, options=options)


def looks_like_plan(data: Any) -> bool:
    """A JSON object that claims to be a plan (a `format_version` string and a plan part),
    whatever the shape of its parts: such a file is a plan with errors, not some other JSON."""
    return (
        isinstance(data, Mapping)
        and isinstance(data.get("format_version"), str)
        and "Resources" not in data
        and any(part in data for part in _PLAN_PARTS)
    )


def shape_error(data: Mapping[str, Any]) -> str | None:
    """What is wrong with the top-level shape of a plan, or None.

    Parts of the wrong type, and resource changes that are not objects with an
    address, make the plan unreadable as a whole: loading what is left would be
    a silent pass over resources that were planned.
    """
    expected = {
        "planned_values": (Mapping, "an object"),
        "resource_changes": (list, "a list"),
        "configuration": (Mapping, "an object"),
    }
    for part, (kind, name) in expected.items():
        if part in data and data[part] is not None and not isinstance(data[part], kind):
            return f"Terraform plan: '{part}' is not {name}"
    for index, change in enumerate(as_list(data.get("resource_changes"))):
        if not isinstance(change, Mapping) or not as_text(change.get("address")):
            return f"Terraform plan: resource_changes[{index}] is not a resource change with an address"
    return None


def load_plan(
    data: Mapping[str, Any],
    *,
    file: str,
    text: str,
    options: LoadOptions | None = None,
    sources: ConfigurationSources | None = None,
) -> Template:
    """Load a decoded plan. Malformed parts are skipped; only `SourceError` is raised.

    `options.account` is the account of every generated ARN; `options.region` is
    the region where the plan's provider configuration names none. With `sources`
    (the `.tf` configuration the plan came from), resources are located at their
    blocks in the `.tf` files, and policies the plan holds as unknown are rebuilt
    from the configuration."""
    problem = shape_error(data)
    if problem is not None:
        match = RESOURCE_CHANGES_KEY.search(text) if "resource_changes" in problem else None
        line = text.count("\n", 0, match.start()) + 1 if match else 1
        raise SourceError(file, line, 1, problem)
    try:
        return _PlanLoader(data, file, text, options or LoadOptions(), sources).load()
    except SourceError:
        raise
    except RecursionError:
        raise SourceError(file, 0, 0, "Terraform plan is nested too deeply") from None
    except Exception as exc:  # noqa: BLE001 - the contract: bad input never escapes as a traceback
        raise SourceError(file, 0, 0, f"cannot read Terraform plan: {type(exc).__name__}: {exc}") from None


class _PlanLoader:
    def __init__(
        self,
        data: Mapping[str, Any],
        file: str,
        text: str,
        options: LoadOptions,
        sources: ConfigurationSources | None = None,
    ) -> None:
        self.data = data
        self.sources = sources
        self.file = file
        self.text = text
        self.locations = Locations(file, text, sources)
        self.configuration = as_map(data.get("configuration"))
        plan = collect_instances(data)
        self.index = PlanIndex(
            plan,
            Resolver(plan),
            self.locations,
            configuration=self.configuration,
            region=provider_region(self.configuration, "aws") or options.region,
            account=options.account,
            partition=options.partition,
        )
        self.resources: dict[str, Resource] = {}
        self.policies: list[Policy] = []
        self.endpoints: list[Endpoint] = []

    # ------------------------------------------------------------ top level

    def load(self) -> Template:
        index = self.index
        for instance in index.instances.values():
            self.resources[instance.address] = self._resource(instance)
        self.policies = collect_policies(index, self.sources)
        self.relations = Relations(index, values_from_sources=self.sources is not None)
        self.relations.collect()
        self._endpoints()
        self._providers()
        variables = {str(k): as_map(v).get("value") for k, v in as_map(self.data.get("variables")).items()}
        sources = self.sources
        lines = tuple(self.text.splitlines())
        return Template(
            path=self.file,
            format=Format.TERRAFORM,
            resources=self.resources,
            policies=tuple(self.policies),
            relations=self.relations.found,
            endpoints=tuple(self.endpoints),
            parameters=variables,
            region=index.region,
            account=index.account,
            partition=index.partition,
            source_lines=lines,
            sources=dict(sources.files) if sources is not None else {},
            written=sources.written(self.resources) if sources is not None else {},
            notes=tuple(sources.notes) if sources is not None else (),
            outputs=dict(as_map(as_map(self.data.get("planned_values")).get("outputs"))),
            locate=JsonLocator(self.file, lines),
        )

    def _providers(self) -> None:
        """Provider blocks that hold literal credentials become `provider.<name>` resources
        (their keys are judged like any other): from the `.tf` sources when given, else
        from the plan's `configuration.provider_config`."""
        found: list[tuple[str, dict[str, Any], Location]] = []
        if self.sources is not None:
            found = list(self.sources.providers())
        else:
            for key, provider in as_map(self.configuration.get("provider_config")).items():
                expressions = as_map(as_map(provider).get("expressions"))
                literal = {
                    name: as_map(expressions.get(name)).get("constant_value")
                    for name in ("access_key", "secret_key", "token")
                    if as_text(as_map(expressions.get(name)).get("constant_value"))
                }
                if literal:
                    address = f"provider.{key}"
                    found.append((address, literal, self.locations.provider_key(f'"{key}"', address)))
        for address, literal, location in found:
            if address in self.resources:
                continue
            self.resources[address] = Resource(
                id=address,
                type="provider",
                kind=ResourceKind.OTHER,
                location=location,
                properties=literal,
                metadata={"mode": "provider"},
            )

    def _resource(self, instance: Instance) -> Resource:
        metadata: dict[str, Any] = {"mode": instance.mode}
        if instance.module:
            metadata["module"] = instance.module
        if instance.index is not None:
            metadata["index"] = instance.index
        if instance.actions:
            metadata["actions"] = list(instance.actions)
        return Resource(
            id=instance.address,
            type=instance.type,
            aws_type=canonical_type(instance.type),
            kind=kind_of(instance.type),
            location=self.index.location(instance),
            properties=instance.values,
            arns=self.index.arns(instance),
            name=self.index.name(instance),
            metadata=metadata,
            references=instance.references,
        )

    # ------------------------------------------------------------ endpoints

    def _endpoints(self) -> None:
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
                authorization=auth.upper()
                if isinstance(auth, str)
                else auth
                if isinstance(auth, Symbolic)
                else "NONE",
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
                authorization=auth.upper()
                if isinstance(auth, str)
                else auth
                if isinstance(auth, Symbolic)
                else "NONE",
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
        schemes = dict(as_map(document.get("securityDefinitions")))
        schemes.update(as_map(as_map(document.get("components")).get("securitySchemes")))
        top_security = document.get("security")
        for path, operations in as_map(document.get("paths")).items():
            for verb, operation in as_map(operations).items():
                if verb not in _HTTP_METHODS or not isinstance(operation, Mapping):
                    continue
                method = "ANY" if verb == "x-amazon-apigateway-any-method" else verb.upper()
                security = operation.get("security", top_security)
                authorization, api_key = _openapi_authorization(security, schemes)
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


# ---------------------------------------------------------------- tables and pure helpers

_REST_PARENTS = ("aws_api_gateway_resource", "aws_api_gateway_rest_api")


def _openapi_authorization(security: Any, schemes: Mapping[str, Any]) -> tuple[str, bool]:
    """(authorization, api key required) for an OpenAPI `security` requirement list."""
    if not isinstance(security, list) or not security:
        return "NONE", False
    results: list[tuple[str, bool]] = []
    for requirement in security:
        if not isinstance(requirement, Mapping) or not requirement:
            return "NONE", False  # an empty requirement makes authentication optional
        authorization, api_key = "NONE", False
        for name in requirement:
            scheme = as_map(schemes.get(name))
            kind = _scheme_authorization(scheme)
            if kind == "API_KEY":
                api_key = True
            elif kind != "NONE":
                authorization = kind
        results.append((authorization, api_key))
    return results[0]


def _scheme_authorization(scheme: Mapping[str, Any]) -> str:
    authtype = str(scheme.get("x-amazon-apigateway-authtype", "")).lower()
    authorizer = as_map(scheme.get("x-amazon-apigateway-authorizer"))
    authorizer_type = str(authorizer.get("type", "")).lower()
    if authtype == "awssigv4":
        return "AWS_IAM"
    if authtype == "cognito_user_pools" or authorizer_type == "cognito_user_pools":
        return "COGNITO_USER_POOLS"
    if authorizer_type == "jwt":
        return "JWT"
    if authorizer_type in ("token", "request") or authtype == "custom":
        return "CUSTOM"
    if scheme.get("type") in ("oauth2", "openIdConnect"):
        return "JWT"
    if scheme.get("type") == "apiKey":
        return "API_KEY"
    return "NONE"
