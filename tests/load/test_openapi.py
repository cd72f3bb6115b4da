"""The authorization API Gateway enforces on each operation of an OpenAPI body."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from boundary.load._openapi import operations, scheme_authorization

_SCHEMES = {
    "sigv4": {
        "type": "apiKey",
        "name": "Authorization",
        "in": "header",
        "x-amazon-apigateway-authtype": "awsSigv4",
    },
    "pool": {
        "type": "apiKey",
        "name": "Authorization",
        "in": "header",
        "x-amazon-apigateway-authtype": "cognito_user_pools",
        "x-amazon-apigateway-authorizer": {"type": "cognito_user_pools", "providerARNs": ["arn"]},
    },
    "tokens": {
        "type": "apiKey",
        "name": "Authorization",
        "in": "header",
        "x-amazon-apigateway-authtype": "custom",
        "x-amazon-apigateway-authorizer": {"type": "token", "authorizerUri": "uri"},
    },
    "jwt": {"type": "oauth2", "x-amazon-apigateway-authorizer": {"type": "jwt"}},
    "key": {"type": "apiKey", "name": "x-api-key", "in": "header"},
}


@pytest.mark.parametrize(
    ("scheme", "expected"),
    [
        ("sigv4", "AWS_IAM"),
        ("pool", "COGNITO_USER_POOLS"),
        ("tokens", "CUSTOM"),
        ("jwt", "JWT"),
        ("key", "API_KEY"),
    ],
)
def test_scheme_authorization(scheme: str, expected: str) -> None:
    assert scheme_authorization(_SCHEMES[scheme]) == expected


def _no_refs(value: Any) -> Sequence[str]:
    del value
    return ()


@pytest.mark.parametrize(
    ("global_security", "operation_security", "expected"),
    [
        (None, None, ("NONE", False, None)),
        ([{"sigv4": []}], None, ("AWS_IAM", False, None)),
        ([{"sigv4": []}], [], ("NONE", False, None)),  # `security: []` opts the operation out
        (None, [{"pool": []}], ("COGNITO_USER_POOLS", False, "pool")),
        (None, [{"tokens": []}], ("CUSTOM", False, "tokens")),
        (None, [{"key": []}], ("NONE", True, None)),  # an API key is not an identity
        (None, [{"tokens": [], "key": []}], ("CUSTOM", True, "tokens")),
        (None, [{"sigv4": []}, {}], ("NONE", False, None)),  # `{}` lets anonymous callers in
        (None, [{"AWS_IAM": []}], ("AWS_IAM", False, None)),  # SAM's name, no scheme needed
    ],
    ids=[
        "none",
        "global-iam",
        "opt-out",
        "cognito",
        "lambda",
        "key-only",
        "lambda-and-key",
        "anonymous-alternative",
        "implicit-iam",
    ],
)
def test_operation_authorization(
    global_security: Any, operation_security: Any, expected: tuple[str, bool, str | None]
) -> None:
    operation: dict[str, Any] = {"responses": {}}
    if operation_security is not None:
        operation["security"] = operation_security
    body: dict[str, Any] = {
        "openapi": "3.0.1",
        "components": {"securitySchemes": _SCHEMES},
        "paths": {"/orders": {"get": operation}},
    }
    if global_security is not None:
        body["security"] = global_security
    (found,) = operations(body, body, _no_refs)
    assert (found.authorization, found.api_key_required, found.authorizer) == expected
    assert (found.method, found.path) == ("GET", "/orders")


def test_any_method_and_non_operations() -> None:
    body = {
        "swagger": "2.0",
        "paths": {
            "/{proxy+}": {
                "x-amazon-apigateway-any-method": {"security": [{"sigv4": []}]},
                "parameters": [{"name": "proxy", "in": "path"}],  # not an operation
            }
        },
        "securityDefinitions": _SCHEMES,
    }
    found = list(operations(body, body, _no_refs))
    assert [(o.method, o.raw_method, o.authorization) for o in found] == [
        ("ANY", "x-amazon-apigateway-any-method", "AWS_IAM")
    ]


def test_integration_targets_come_from_the_raw_body() -> None:
    raw = {"paths": {"/a": {"post": {"x-amazon-apigateway-integration": {"uri": {"Fn::Sub": "${Fn.Arn}"}}}}}}
    resolved = {"paths": {"/a": {"post": {"x-amazon-apigateway-integration": {"uri": "arn:resolved"}}}}}

    def refs(value: Any) -> Sequence[str]:
        return ("Fn",) if value == {"Fn::Sub": "${Fn.Arn}"} else ()

    (found,) = operations(resolved, raw, refs)
    assert found.integrations == ("Fn",)
