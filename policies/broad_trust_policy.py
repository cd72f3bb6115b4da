from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from boundary.graph import queries
from boundary.graph.permissions import literal, written_policies
from boundary.iam import condition_entries, dead_conditions, wildcard_match
from boundary.model import PolicyKind, Statement, Symbolic, Template
from boundary.rules import Rule, RuleContext, Severity, Violation

_ASSUME = ("sts:AssumeRole", "sts:AssumeRoleWithWebIdentity", "sts:AssumeRoleWithSAML")
# Condition keys that pin who may assume the role, whatever the principal says.
_WHO = frozenset(
    {
        "aws:principalorgid",
        "aws:principalorgpaths",
        "aws:principalaccount",
        "aws:principalarn",
        "aws:userid",
        "aws:sourceaccount",
        "aws:sourcearn",
        "aws:sourceorgid",
        "aws:sourceorgpaths",
        "aws:principalservicename",
    }
)
# Set only when a service calls on behalf of a resource, never for an IAM role or user.
_SOURCE = frozenset({"aws:sourceaccount", "aws:sourcearn", "aws:sourceorgid", "aws:sourceorgpaths"})
# Keys whose value names an account (alone or in an ARN): a wildcard there pins nobody.
_ACCOUNT_KEYS = frozenset({"aws:principalaccount", "aws:sourceaccount", "aws:principalarn", "aws:sourcearn"})
# For another account, sts:ExternalId (the confused-deputy guard) also restricts.
_CROSS_ACCOUNT = _WHO | {"sts:externalid"}
_ACCOUNT_ARN = re.compile(r"^arn:aws[a-z-]*:(?:iam|sts)::(\d{12}|\*):")
_WEB_PROVIDERS = {
    "cognito-identity.amazonaws.com": ("aud",),
    "accounts.google.com": ("aud",),
    "graph.facebook.com": ("app_id",),
    "www.amazon.com": ("app_id",),
}


# GitHub claims that, like `sub`, name the repository (`owner/repo`, the workflow file).
_GITHUB_REPOSITORY_CLAIMS = frozenset(
    f"token.actions.githubusercontent.com:{claim}" for claim in ("repository", "job_workflow_ref")
)


def _pins(key: str, value: object) -> bool:
    """Whether one condition value narrows who may assume the role. A wildcard where the
    account goes (`arn:aws:iam::*:role/deployer`: anyone can create that role) or the
    GitHub owner goes (`repo:*`: every repository on GitHub) narrows nothing."""
    if isinstance(value, Symbolic):
        return True
    if not isinstance(value, str) or value.strip("*") == "":
        return False
    if key in _ACCOUNT_KEYS:
        account = value.split(":")[4] if value.lower().startswith("arn:") and value.count(":") >= 5 else value
        return not any(c in account for c in "*?")
    if key == "token.actions.githubusercontent.com:sub":
        owner = value[5:] if value.startswith("repo:") else value
        return owner[:1] not in ("*", "?", "")
    if key in _GITHUB_REPOSITORY_CLAIMS:
        return value[:1] not in ("*", "?", "")  # owner/repo..., the owner first
    return True


def _restricting_keys(conditions: Mapping[str, Mapping[str, Any]], *, negated: bool) -> set[str]:
    """Condition keys tested with a matching (or, for Deny, a negated) operator whose
    every value pins someone (values are alternatives: one broad value opens the door).
    `...IfExists` does not restrict: a missing key passes."""
    keys: set[str] = set()
    for operator, key, values in condition_entries(conditions):
        op = operator.split(":")[-1].lower()
        if op.endswith("ifexists"):
            continue
        matching = ("not" in op) if negated else ("not" not in op and op != "null")
        name = key.lower()
        if matching and values and all(_pins(name, v) for v in values):
            keys.add(name)
    return keys


def _assumes(statement: Statement) -> bool:
    if statement.not_actions is not None:
        return not any(
            wildcard_match(p, a, case_sensitive=False)
            for p in literal(statement.not_actions)
            for a in _ASSUME
        )
    actions = statement.actions
    if not actions or any(isinstance(a, Symbolic) for a in actions):
        return True
    return any(wildcard_match(p, a, case_sensitive=False) for p in literal(actions) for a in _ASSUME)


def _account_of(value: str) -> str | None:
    if re.fullmatch(r"\d{12}", value):
        return value
    match = _ACCOUNT_ARN.match(value)
    return match.group(1) if match else None


class BroadTrustPolicy(Rule):
    """
    ## What it does
    Finds roles whose trust policy lets too many principals assume them:
    `Principal: "*"` or `{"AWS": "*"}` (critical) unless a condition pins
    the caller (`aws:PrincipalOrgID`, `aws:PrincipalAccount`,
    `aws:PrincipalArn`, `aws:SourceAccount`, `aws:SourceArn`); Allow with
    `NotPrincipal` (critical); another AWS account (its id, its root, or a
    role or user in it) without `sts:ExternalId` or one of those conditions
    (high); and web-identity federation without an audience: Cognito
    identity pools without `cognito-identity.amazonaws.com:aud`, an OIDC
    provider without its `:aud` or `:sub` condition (GitHub Actions and EKS
    service accounts without `:sub`, whose audience is the same for every
    repository or pod; EKS is high: the token comes from one cluster)
    (critical). A condition value with a wildcard where the account or the
    GitHub owner goes (`arn:aws:iam::*:role/deployer`, `repo:*`) pins
    nobody. `{"AWS": "*"}` restricted only by `aws:SourceAccount` or
    `aws:SourceArn`, keys AWS never sets for a role or user calling
    AssumeRole, is reported at low severity: the condition shows intent it
    does not express. Service
    principals, principals in the template's own account, and values that
    cannot be resolved offline are not reported. A Deny statement that
    refuses callers outside an organization or account restricts the Allow.

    Principals outside the template (another account, a role named by ARN,
    a web-identity provider) are judged from what the trust policy says
    about them; nothing outside the template is looked up. A condition
    that tests a key the principal's request never carries (another
    provider's claim such as `accounts.google.com:aud` on a Cognito trust,
    a claim AWS does not pass on such as an EKS `:clusterID`, any
    web-identity key on an AWS account) makes the statement let that
    principal in never: that is a broken policy, reported by
    invalid-policy (`unmatchable-condition`), not broad trust, and this
    rule passes it over. Under a negated or `IfExists` operator such a
    key restricts nothing.

    ## Why is this bad?
    The trust policy is the door of a role. Whoever can assume the role holds
    every permission its policies grant, so a role trusted by anyone, by a
    whole foreign account, or by every identity of a web provider has no
    boundary at all. An account without an external id is open to the
    confused-deputy problem; a Cognito trust without `aud` accepts tokens of
    any identity pool in any account.

    ## Example
    ```yaml
    PartnerRole:
      Type: AWS::IAM::Role
      Properties:
        AssumeRolePolicyDocument:
          Version: "2012-10-17"
          Statement:
            - Effect: Allow
              Principal:
                AWS: arn:aws:iam::444455556666:root
              Action: sts:AssumeRole
    ```

    ## Use instead
    ```yaml
          Statement:
            - Effect: Allow
              Principal:
                AWS: arn:aws:iam::444455556666:role/BookingSync
              Action: sts:AssumeRole
              Condition:
                StringEquals:
                  sts:ExternalId: !Ref PartnerExternalId
    ```

    ## References
    - AWS Well-Architected Serverless Lens, SEC1: "Control access to the workload's identities"
    - https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html
    - https://docs.aws.amazon.com/cognito/latest/developerguide/role-trust-and-permissions.html
    """

    def evaluate(self, ctx: RuleContext) -> Iterator[Violation]:
        for template in ctx.model.templates:
            for policy in written_policies(template):
                if policy.kind is not PolicyKind.TRUST or policy.document is None:
                    continue
                role = queries.policy_subject(ctx.graph, template, policy)
                statements = policy.document.statements
                denied_outside: set[str] = set()
                for statement in statements:
                    if statement.effect == "Deny" and _assumes(statement):
                        denied_outside |= _restricting_keys(statement.conditions, negated=True)
                for index, statement in enumerate(statements):
                    if statement.effect != "Allow" or not _assumes(statement):
                        continue
                    restricted = _restricting_keys(statement.conditions, negated=False) | denied_outside
                    # A principal whose request never carries a key the condition needs is let in
                    # by nobody: a broken policy (invalid-policy reports it), not a broad one.
                    dead = {(d.principal_type, d.principal) for d in dead_conditions(statement)}
                    for key, message, severity in self._problems(template, statement, restricted, dead):
                        yield Violation(
                            node=role,
                            message=f"{ctx.label(role)} {message}",
                            key=f"{policy.id}#{statement.sid or index}#{key}",
                            location=statement.location or policy.location,
                            severity=severity,
                        )

    def _problems(
        self,
        template: Template,
        statement: Statement,
        restricted: set[str],
        dead: set[tuple[str, str]],
    ) -> Iterator[tuple[str, str, Severity]]:
        if statement.not_principals is not None:
            if not restricted & _WHO:
                yield (
                    "NotPrincipal",
                    (
                        "may be assumed by every principal not listed in NotPrincipal (Allow with NotPrincipal); "
                        "expected the principals that need it, named in Principal"
                    ),
                    Severity.CRITICAL,
                )
            return
        for principal_type, values in (statement.principals or {}).items():
            for value in values:
                if isinstance(value, Symbolic) or (principal_type, value) in dead:
                    continue
                if principal_type == "*" or (principal_type == "AWS" and value == "*"):
                    if principal_type == "AWS" and restricted & _WHO and not (restricted & _WHO) - _SOURCE:
                        yield (
                            "*source",
                            (
                                'is trusted by every AWS principal ({"AWS": "*"}) restricted only by '
                                f"{', '.join(sorted(restricted & _SOURCE))}, which AWS sets only when a "
                                "service acts for a resource, never for a role or user calling AssumeRole; "
                                "expected aws:PrincipalAccount, aws:PrincipalOrgID or the callers' ARNs"
                            ),
                            Severity.LOW,
                        )
                    elif not restricted & _WHO:
                        yield (
                            "*",
                            (
                                'may be assumed by anyone (Principal "*") with no condition that pins the '
                                "caller's account, organization or ARN; "
                                "expected a service principal or the ARNs of the roles that need it"
                            ),
                            Severity.CRITICAL,
                        )
                elif principal_type == "AWS":
                    account = _account_of(value)
                    if account is None or account == template.account:
                        continue
                    if not restricted & _CROSS_ACCOUNT:
                        whom = "any account" if account == "*" else f"account {account}"
                        yield (
                            value,
                            (
                                f"may be assumed from {whom} ({value}) without sts:ExternalId or an "
                                "organization condition; expected a confused-deputy guard on cross-account trust"
                            ),
                            Severity.CRITICAL if account == "*" else Severity.HIGH,
                        )
                elif principal_type == "Federated":
                    problem = self._web_identity(value, restricted)
                    if problem:
                        # An EKS token comes from a pod of one cluster; the others from anyone.
                        severity = (
                            Severity.HIGH
                            if ":oidc-provider/oidc.eks." in value.lower()
                            else Severity.CRITICAL
                        )
                        yield value, problem, severity

    @staticmethod
    def _web_identity(provider: str, restricted: set[str]) -> str | None:
        lowered = provider.lower()
        if ":saml-provider/" in lowered:
            return None
        shown = provider.split(":oidc-provider/", 1)[1] if ":oidc-provider/" in lowered else provider
        host = shown.lower()
        if ":oidc-provider/" not in lowered and host not in _WEB_PROVIDERS:
            return None
        # GitHub's and EKS's audience is the same for every repository or service
        # account (sts.amazonaws.com): only the subject says who.
        if host == "token.actions.githubusercontent.com":
            needed: tuple[str, ...] = ("sub", "repository", "job_workflow_ref")
        elif host.startswith("oidc.eks."):
            needed = ("sub",)
        else:
            needed = _WEB_PROVIDERS.get(host, ("aud", "sub", "oaud", "azp"))
        if any(key == f"{host}:{claim}" for key in restricted for claim in needed):
            return None
        claims = f"{shown}:{needed[0]}" + (f" (or :{', :'.join(needed[1:])})" if len(needed) > 1 else "")
        return (
            f"may be assumed with a token of any {shown} identity (Federated {provider}) without a "
            f"{claims} condition that names who (no wildcard for the account, owner or repository); "
            "expected the trust to name the audience or subject it is for"
        )
