"""The operations of an OpenAPI body, with the authorization API Gateway enforces on each.

API Gateway reads authorization from the body: `security` requirements (per
operation, else global) naming schemes from `securityDefinitions` (OpenAPI 2)
or `components.securitySchemes` (OpenAPI 3), with the `x-amazon-apigateway-*`
extensions saying what each scheme is. SAM writes exactly these for `Auth`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from boundary.model import Symbolic

__all__ = ["OpenApiOperation", "operations", "scheme_authorization", "schemes_of", "security_authorization"]

_METHODS = {
    "get": "GET",
    "put": "PUT",
    "post": "POST",
    "delete": "DELETE",
    "options": "OPTIONS",
    "head": "HEAD",
    "patch": "PATCH",
    "x-amazon-apigateway-any-method": "ANY",
}

# Authorization types, weakest first: an operation callable several ways is as
# open as its weakest way.
_STRENGTH = ["NONE", "API_KEY", "CUSTOM", "JWT", "COGNITO_USER_POOLS", "AWS_IAM"]


@dataclass(frozen=True, slots=True)
class OpenApiOperation:
    path: str
    method: str
    raw_method: str
    authorization: str | Symbolic
    api_key_required: bool
    authorizer: str | None
    integrations: tuple[str, ...]


def scheme_authorization(scheme: Any) -> str:
    """What one security scheme means to API Gateway."""
    if not isinstance(scheme, Mapping):
        return "CUSTOM"
    authtype = str(scheme.get("x-amazon-apigateway-authtype", "")).lower()
    authorizer = scheme.get("x-amazon-apigateway-authorizer")
    if authtype == "awssigv4":
        return "AWS_IAM"
    if isinstance(authorizer, Mapping):
        kind = str(authorizer.get("type", "")).lower()
        if kind == "cognito_user_pools":
            return "COGNITO_USER_POOLS"
        if kind == "jwt":
            return "JWT"
        return "CUSTOM"
    if authtype == "cognito_user_pools":
        return "COGNITO_USER_POOLS"
    scheme_type = str(scheme.get("type", "")).lower()
    if scheme_type == "apikey" and str(scheme.get("name", "")).lower() == "x-api-key":
        return "API_KEY"
    if scheme_type in ("oauth2", "openidconnect"):
        return "JWT"
    return "CUSTOM"


def schemes_of(body: Mapping[str, Any]) -> Mapping[str, Any]:
    """The security schemes an OpenAPI 2 or 3 document declares, by name."""
    definitions = body.get("securityDefinitions")
    if isinstance(definitions, Mapping):
        return definitions
    components = body.get("components")
    if isinstance(components, Mapping) and isinstance(components.get("securitySchemes"), Mapping):
        schemes: Mapping[str, Any] = components["securitySchemes"]
        return schemes
    return {}


def security_authorization(security: Any, schemes: Mapping[str, Any]) -> tuple[str, bool, str | None]:
    """(authorization, api key required, authorizer name) for a security requirement list:
    the alternatives are OR'ed, so the weakest one is what a caller needs."""
    if not isinstance(security, list) or not security:
        return "NONE", False, None
    alternatives: list[tuple[str, bool, str | None]] = []
    for requirement in security:
        if not isinstance(requirement, Mapping) or not requirement:
            alternatives.append(("NONE", False, None))  # `{}`: anonymous access allowed
            continue
        kinds = {
            name: scheme_authorization(schemes[name]) if name in schemes else _implicit(name)
            for name in requirement
        }
        api_key = any(kind == "API_KEY" for kind in kinds.values())
        others = {name: kind for name, kind in kinds.items() if kind != "API_KEY"}
        if others:
            name, kind = max(others.items(), key=lambda item: _STRENGTH.index(item[1]))
            alternatives.append(
                (kind, api_key, name if kind in ("CUSTOM", "JWT", "COGNITO_USER_POOLS") else None)
            )
        else:
            alternatives.append(("NONE", api_key, None))
    return min(alternatives, key=lambda alt: (_STRENGTH.index(alt[0]), alt[1]))


def _implicit(name: str) -> str:
    # SAM and API Gateway accept these names without a declared scheme.
    return {"AWS_IAM": "AWS_IAM", "api_key": "API_KEY", "NONE": "NONE"}.get(name, "CUSTOM")


def operations(
    body: Mapping[str, Any],
    raw_body: Any,
    refs: Callable[[Any], Sequence[str]],
) -> Iterator[OpenApiOperation]:
    """Every operation in `body` (resolved), integration targets taken from `raw_body`."""
    paths = body.get("paths")
    if not isinstance(paths, Mapping):
        return
    raw_paths = raw_body.get("paths") if isinstance(raw_body, Mapping) else None
    schemes = schemes_of(body)
    global_security = body.get("security")
    for path, item in paths.items():
        if not isinstance(item, Mapping):
            continue
        raw_item = raw_paths.get(path) if isinstance(raw_paths, Mapping) else None
        for raw_method, operation in item.items():
            method = _METHODS.get(str(raw_method).lower())
            if method is None or not isinstance(operation, Mapping):
                continue
            security = operation.get("security", global_security)
            authorization, api_key, authorizer = security_authorization(security, schemes)
            raw_operation = raw_item.get(raw_method) if isinstance(raw_item, Mapping) else None
            integration = (
                raw_operation.get("x-amazon-apigateway-integration")
                if isinstance(raw_operation, Mapping)
                else None
            )
            targets = tuple(refs(integration.get("uri"))) if isinstance(integration, Mapping) else ()
            yield OpenApiOperation(
                path=str(path),
                method=method,
                raw_method=str(raw_method),
                authorization=authorization,
                api_key_required=api_key,
                authorizer=authorizer,
                integrations=targets,
            )
