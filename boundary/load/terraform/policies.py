"""Policies of a plan: identity, trust and resource policies, and what they attach to.

Documents are read where the plan knows them (JSON strings), from the
`aws_iam_policy_document` data sources they refer to (rendered as the provider
will: source documents, own statements, overrides), or rebuilt from the `.tf`
sources when the plan holds them as unknown. A policy that names a role, user
or group the plan does not declare (`role = "existing-role"`) records it as an
outside principal.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from boundary.iam.document import normalize_policy
from boundary.iam.managed import managed_policy
from boundary.load.terraform._shapes import (
    UNKNOWN_REASON,
    UNKNOWN_TEXT,
    as_list,
    as_text,
    json_object,
    value_at,
)
from boundary.load.terraform.index import PlanIndex
from boundary.load.terraform.instances import Instance
from boundary.load.terraform.sources import ConfigurationSources
from boundary.model import (
    Location,
    OutsidePrincipal,
    Policy,
    PolicyDocument,
    PolicyKind,
    ResourceKind,
    Symbolic,
)

__all__ = ["collect_policies"]


def collect_policies(index: PlanIndex, sources: ConfigurationSources | None) -> list[Policy]:
    """The plan's policies; with `sources`, unknown documents are rebuilt from the `.tf` files
    and statements located at their blocks."""
    return _Policies(index, sources).collect()


class _Policies:
    def __init__(self, index: PlanIndex, sources: ConfigurationSources | None) -> None:
        self.index = index
        self.sources = sources
        self.policies: list[Policy] = []
        self._documents: dict[str, PolicyDocument | None] = {}  # data source address -> document
        # customer policy address -> the principals attachments name
        self._customer_attachments: dict[str, list[str]] = {}

    # ------------------------------------------------------------ documents

    def document(self, instance: Instance, path: Sequence[str | int]) -> PolicyDocument | None:
        """The policy at `path`: parsed when known, else the policy document data source it refers to."""
        value = value_at(instance.values, path)
        location = self.index.location(instance, path)
        if isinstance(value, str):
            parsed = json_object(value)
            if isinstance(parsed, Mapping) and self.sources is not None:
                # `policy = data.aws_iam_policy_document.x.json`, rendered by the plan: read
                # as that data source's document, its statements at their `statement`
                # blocks, as when the plan does not know it yet
                refs = self.index.resolver.references_at(instance, path)
                written = self._policy_data_source(refs, rendering=parsed)
                if written is not None:
                    return written
            return normalize_policy(parsed if isinstance(parsed, Mapping) else value, location)
        if isinstance(value, Mapping):
            return normalize_policy(value, location)
        refs = (
            value.references
            if isinstance(value, Symbolic)
            else self.index.resolver.references_at(instance, path)
        )
        found = self._policy_data_source(refs)
        if found is not None or self.sources is None:
            return found
        # unknown in the plan: rebuilt from the configuration, unknown parts kept symbolic
        rebuilt = self.sources.document(instance.address, path, self.index.addresses)
        if isinstance(rebuilt, Mapping):
            return normalize_policy(rebuilt, location)
        if isinstance(rebuilt, Symbolic):
            return self._policy_data_source(rebuilt.references)
        return None

    def _policy_data_source(
        self, refs: Iterable[str], rendering: Mapping[str, Any] | None = None
    ) -> PolicyDocument | None:
        """The document of the first policy document data source among `refs`; with
        `rendering`, of the first whose JSON is that policy."""
        for address in refs:
            source = self.index.instances.get(address)
            if source is None or source.type != "aws_iam_policy_document":
                continue
            if rendering is None or json_object(source.values.get("json")) == rendering:
                return self.data_document(source)
        return None

    def data_document(self, source: Instance) -> PolicyDocument | None:
        if source.address in self._documents:
            return self._documents[source.address]
        self._documents[source.address] = None  # a cycle reads as unknown
        location = self.index.location(source)
        blocks = self.sources.block_lines(source.address, "statement") if self.sources is not None else []
        parsed = json_object(source.values.get("json"))
        if isinstance(parsed, Mapping):
            statements = parsed.get("Statement")
            count = len(statements) if isinstance(statements, list) else 1
            document: PolicyDocument | None = normalize_policy(parsed, location, _placed(blocks, count))
        else:
            # `json` is unknown when any input is: render it the way the provider will,
            # source documents first, then this one's statements, then the overrides.
            merged: list[Any] = []
            for raw_source in self._merged_documents(source, "source_policy_documents"):
                _merge_statements(merged, raw_source)
            own = [
                self._known_principals(_statement_from_block(b))
                for b in as_list(source.values.get("statement"))
            ]
            _merge_statements(merged, [s for s in own if s])
            for raw_override in self._merged_documents(source, "override_policy_documents"):
                _merge_statements(merged, raw_override)
            raw: dict[str, Any] = {"Version": as_text(source.values.get("version")) or "2012-10-17"}
            raw["Statement"] = merged
            plain = not as_list(source.values.get("source_policy_documents")) and not as_list(
                source.values.get("override_policy_documents")
            )
            where = _placed(blocks, len(merged)) if plain else []
            document = normalize_policy(raw, location, where)
        self._documents[source.address] = document
        return document

    def _merged_documents(self, source: Instance, attribute: str) -> Iterator[list[Any]]:
        """The statements of each document listed in `source_policy_documents`/`override_policy_documents`."""
        for index, item in enumerate(as_list(source.values.get(attribute))):
            parsed = json_object(item)
            if isinstance(parsed, Mapping):
                statements = parsed.get("Statement")
                yield as_list(statements) if isinstance(statements, list) else [statements]
                continue
            refs = (
                item.references
                if isinstance(item, Symbolic)
                else self.index.resolver.references_at(source, (attribute, index))
            )
            for address in refs:
                other = self.index.instances.get(address)
                document = (
                    self.data_document(other) if other and other.type == "aws_iam_policy_document" else None
                )
                if document is not None and isinstance(document.raw, Mapping):
                    statements = document.raw.get("Statement")
                    yield as_list(statements) if isinstance(statements, list) else [statements]

    def _known_principals(self, statement: dict[str, Any]) -> dict[str, Any]:
        """Unknown principals that name one IAM identity or identity provider whose ARN is
        known offline (`aws_iam_openid_connect_provider.github.arn`) become that ARN, so a
        federated trust still says which provider it trusts."""
        principals = statement.get("Principal")
        if not isinstance(principals, Mapping):
            return statement
        resolved: dict[str, Any] = {}
        for kind, values in principals.items():
            items = values if isinstance(values, list) else [values]
            resolved[kind] = [self._identity_arn(v) if isinstance(v, Symbolic) else v for v in items]
        return {**statement, "Principal": resolved}

    def _identity_arn(self, value: Symbolic) -> str | Symbolic:
        if len(value.references) != 1:
            return value
        instance = self.index.instances.get(value.references[0])
        if instance is None or instance.type not in _IDENTITY_TYPES:
            return value
        arns = self.index.arns(instance)
        return arns[0] if arns else value

    # ------------------------------------------------------------ policies

    def _policy(
        self,
        instance: Instance,
        kind: PolicyKind,
        document: PolicyDocument | None,
        attached_to: Iterable[str],
        *,
        policy_id: str | None = None,
        name: Any = None,
        managed_arn: str | None = None,
        outside: Iterable[OutsidePrincipal] = (),
    ) -> None:
        self.policies.append(
            Policy(
                id=policy_id or instance.address,
                kind=kind,
                document=document,
                attached_to=tuple(dict.fromkeys(attached_to)),
                location=self.index.location(instance),
                name=name if isinstance(name, str) else None,
                managed_arn=managed_arn,
                outside_principals=tuple({(p.kind, p.name): p for p in outside}.values()),
            )
        )

    def _outside(self, instance: Instance, key: str, kind: ResourceKind) -> list[OutsidePrincipal]:
        """The roles, users or groups an attribute names by a literal name or ARN that the plan
        does not declare (`role = "existing-role"`)."""
        value = instance.values.get(key)
        items = value if isinstance(value, list) else [value]
        found = []
        for item in items:
            if not isinstance(item, str) or not item or self.index.match_value(item, None):
                continue
            found.append(OutsidePrincipal(kind, item, self.index.location(instance)))
        return found

    def collect(self) -> list[Policy]:
        """Every policy of the plan, in the order of the instances that make them."""
        principal_types = {
            "role": ("aws_iam_role",),
            "user": ("aws_iam_user",),
            "group": ("aws_iam_group",),
        }
        customer = self._customer_attachments
        # (managed ARN, the instance attaching it) -> principals: an AWS managed policy is one
        # node of the graph, and each attachment keeps its own location, as in CloudFormation
        managed: dict[tuple[str, str], tuple[list[str], Instance]] = {}
        outside: dict[str | tuple[str, str], list[OutsidePrincipal]] = {}  # policy address or managed key

        def attach(instance: Instance, principals: list[str], others: list[OutsidePrincipal]) -> None:
            if not principals and not others:
                return
            policies = self.index.targets(instance, ("policy_arn",), ("aws_iam_policy",))
            for policy in policies:
                customer.setdefault(policy, []).extend(principals)
                outside.setdefault(policy, []).extend(others)
            arn = instance.values.get("policy_arn")
            if not policies and isinstance(arn, str) and arn.startswith("arn:"):
                managed.setdefault((arn, instance.address), ([], instance))[0].extend(principals)
                outside.setdefault((arn, instance.address), []).extend(others)

        for instance in self.index.instances.values():
            t, values = instance.type, instance.values
            if t == "aws_iam_role":
                self._role_policies(instance, managed)
            elif t in ("aws_iam_role_policy", "aws_iam_user_policy", "aws_iam_group_policy"):
                owner = t.split("_")[2]
                targets = self.index.targets(instance, (owner,), principal_types[owner])
                self._policy(
                    instance,
                    PolicyKind.IDENTITY,
                    self.document(instance, ("policy",)),
                    targets,
                    name=values.get("name"),
                    outside=() if targets else self._outside(instance, owner, _PRINCIPAL_KINDS[owner]),
                )
            elif t in (
                "aws_iam_role_policy_attachment",
                "aws_iam_user_policy_attachment",
                "aws_iam_group_policy_attachment",
            ):
                owner = t.split("_")[2]
                targets = self.index.targets(instance, (owner,), principal_types[owner])
                others = [] if targets else self._outside(instance, owner, _PRINCIPAL_KINDS[owner])
                attach(instance, targets, others)
            elif t == "aws_iam_policy_attachment":
                principals = []
                others = []
                for owner, key in (("role", "roles"), ("user", "users"), ("group", "groups")):
                    principals.extend(self.index.targets(instance, (key,), principal_types[owner]))
                    others.extend(self._outside(instance, key, _PRINCIPAL_KINDS[owner]))
                attach(instance, principals, others)
            elif t == "aws_lambda_permission":
                self._lambda_permission(instance)
            elif t in _RESOURCE_POLICY_TYPES:
                target_attr, target_types = _RESOURCE_POLICY_TYPES[t]
                targets = self.index.targets(instance, (target_attr,), target_types)
                self._policy(instance, PolicyKind.RESOURCE, self.document(instance, ("policy",)), targets)
            elif t in _INLINE_RESOURCE_POLICY and _sets_policy(instance):
                self._policy(
                    instance,
                    PolicyKind.RESOURCE,
                    self.document(instance, ("policy",)),
                    [instance.address],
                    policy_id=f"{instance.address}/policy",
                )

        for instance in self.index.of_type("aws_iam_policy"):
            arn = instance.values.get("arn")
            name = instance.values.get("name")
            if instance.mode == "data" and not isinstance(arn, str) and isinstance(name, str):
                # `data "aws_iam_policy" { name = "AWSLambdaBasicExecutionRole" }` reads an
                # AWS managed policy by name: known offline when the catalog has it
                found = managed_policy(name, self.index.partition)
                arn = found.arn if found is not None else arn
            self._policy(
                instance,
                PolicyKind.IDENTITY,
                self.document(instance, ("policy",)),
                sorted(set(customer.get(instance.address, ()))),
                name=instance.values.get("name"),
                managed_arn=arn if isinstance(arn, str) else None,
                outside=outside.get(instance.address, ()),
            )
        for place in sorted(managed):
            arn = place[0]
            principals, attachment = managed[place]
            self._policy(
                attachment,
                PolicyKind.IDENTITY,
                None,
                sorted(set(principals)),
                policy_id=arn,
                name=arn.rsplit("/", 1)[-1],
                managed_arn=arn,
                outside=outside.get(place, ()),
            )
        return self.policies

    def _role_policies(
        self, role: Instance, managed: dict[tuple[str, str], tuple[list[str], Instance]]
    ) -> None:
        values = role.values
        if "assume_role_policy" in values:
            self._policy(
                role,
                PolicyKind.TRUST,
                self.document(role, ("assume_role_policy",)),
                [role.address],
                policy_id=f"{role.address}/assume_role_policy",
                name="assume_role_policy",
            )
        for index, block in enumerate(as_list(values.get("inline_policy"))):
            if not isinstance(block, Mapping) or block.get("policy") in (None, ""):
                continue
            name = block.get("name")
            label = name if isinstance(name, str) and name else f"inline_policy[{index}]"
            self._policy(
                role,
                PolicyKind.IDENTITY,
                self.document(role, ("inline_policy", index, "policy")),
                [role.address],
                policy_id=f"{role.address}/{label}",
                name=label,
            )
        arns = values.get("managed_policy_arns")
        for arn in arns if isinstance(arns, list) else []:
            if not isinstance(arn, str):
                continue
            customer = self.index.match_value(arn, ("aws_iam_policy",))
            if not customer:
                managed.setdefault((arn, role.address), ([], role))[0].append(role.address)
        # customer policies named by reference in managed_policy_arns attach like attachments do
        for policy in self.index.targets(role, ("managed_policy_arns",), ("aws_iam_policy",)):
            self._customer_attachments.setdefault(policy, []).append(role.address)

    def _lambda_permission(self, instance: Instance) -> None:
        values = instance.values
        functions = self.index.targets(
            instance, ("function_name",), ("aws_lambda_function", "aws_lambda_alias")
        )
        resources: list[str | Symbolic] = []
        for address in functions:
            arns = self.index.arns(self.index.instances[address])
            resources.append(arns[0] if arns else Symbolic(UNKNOWN_TEXT, (address,), UNKNOWN_REASON))
        if not resources:
            name = values.get("function_name")
            if isinstance(name, (str, Symbolic)):
                resources.append(name)
        statement: dict[str, Any] = {
            "Effect": "Allow",
            "Action": values.get("action") or "lambda:InvokeFunction",
        }
        sid = values.get("statement_id")
        if isinstance(sid, str) and sid:
            statement["Sid"] = sid
        statement["Principal"] = _principal(values.get("principal"))
        statement["Resource"] = resources[0] if len(resources) == 1 else resources
        conditions: dict[str, dict[str, Any]] = {}
        for key, operator, condition_key in (
            ("source_arn", "ArnLike", "AWS:SourceArn"),
            ("source_account", "StringEquals", "AWS:SourceAccount"),
            ("principal_org_id", "StringEquals", "aws:PrincipalOrgID"),
            ("function_url_auth_type", "StringEquals", "lambda:FunctionUrlAuthType"),
            ("event_source_token", "StringEquals", "lambda:EventSourceToken"),
        ):
            value = values.get(key)
            if isinstance(value, (str, Symbolic)) and value != "":
                conditions.setdefault(operator, {})[condition_key] = value
        if conditions:
            statement["Condition"] = conditions
        raw = {"Version": "2012-10-17", "Statement": [statement]}
        document = normalize_policy(raw, self.index.location(instance))
        self.policies.append(
            Policy(
                id=instance.address,
                kind=PolicyKind.RESOURCE,
                document=document,
                attached_to=tuple(functions),
                location=self.index.location(instance),
                name=sid if isinstance(sid, str) else None,
            )
        )


# ---------------------------------------------------------------- tables and pure helpers

_IDENTITY_TYPES = frozenset(
    {"aws_iam_openid_connect_provider", "aws_iam_saml_provider", "aws_iam_role", "aws_iam_user"}
)
# type -> (attribute naming the protected resource, its possible types)
_RESOURCE_POLICY_TYPES: Mapping[str, tuple[str, tuple[str, ...]]] = {
    "aws_s3_bucket_policy": ("bucket", ("aws_s3_bucket",)),
    "aws_sns_topic_policy": ("arn", ("aws_sns_topic",)),
    "aws_sqs_queue_policy": ("queue_url", ("aws_sqs_queue",)),
    "aws_secretsmanager_secret_policy": ("secret_arn", ("aws_secretsmanager_secret",)),
    "aws_api_gateway_rest_api_policy": ("rest_api_id", ("aws_api_gateway_rest_api",)),
    "aws_ecr_repository_policy": ("repository", ("aws_ecr_repository",)),
}
# types whose own `policy` attribute is a resource policy
_INLINE_RESOURCE_POLICY = frozenset(
    {
        "aws_s3_bucket",
        "aws_sns_topic",
        "aws_sqs_queue",
        "aws_kms_key",
        "aws_api_gateway_rest_api",
        "aws_ecr_repository",
    }
)


_PRINCIPAL_KINDS = {"role": ResourceKind.ROLE, "user": ResourceKind.USER, "group": ResourceKind.GROUP}


def _sets_policy(instance: Instance) -> bool:
    """A `policy` the configuration sets (a computed, unknown one is not a policy)."""
    value = instance.values.get("policy")
    return (isinstance(value, str) and value != "") or "policy" in instance.expressions


def _principal(value: Any) -> Any:
    if isinstance(value, Symbolic):
        return {"AWS": value}
    if not isinstance(value, str) or value == "*":
        return "*"
    if value.endswith((".amazonaws.com", ".amazonaws.com.cn")):
        return {"Service": value}
    return {"AWS": value}


def _values_of(block: Mapping[str, Any], key: str) -> Any:
    value = block.get(key)
    if isinstance(value, Symbolic):
        return value
    if isinstance(value, list) and value:
        return value
    if isinstance(value, str) and value:
        return value
    return None


def _placed(blocks: Sequence[Location | None], count: int) -> list[Location | None]:
    """The block of each of a document's `count` statements, from `block_lines`. A None
    there is a `dynamic` block whose number of statements is known only at plan time
    (the plan may count them, the sources alone cannot): the statements before the first
    one are placed from the start, those after the last one from the end, and those
    between are left to the document's location (None)."""
    if None not in blocks:
        return list(blocks)
    first = blocks.index(None)
    last = len(blocks) - 1 - list(reversed(blocks)).index(None)
    head, tail = list(blocks[:first]), list(blocks[last + 1 :])
    if len(head) + len(tail) > count:
        return head[:count]
    return [*head, *([None] * (count - len(head) - len(tail))), *tail]


def _statement_from_block(block: Any) -> dict[str, Any]:
    """A `statement` block of `aws_iam_policy_document`, as the JSON statement it renders."""
    if not isinstance(block, Mapping):
        return {}
    statement: dict[str, Any] = {}
    sid = block.get("sid")
    if isinstance(sid, (str, Symbolic)) and sid != "":
        statement["Sid"] = sid
    effect = block.get("effect")
    statement["Effect"] = effect if isinstance(effect, (str, Symbolic)) and effect != "" else "Allow"
    for source, target in (
        ("actions", "Action"),
        ("not_actions", "NotAction"),
        ("resources", "Resource"),
        ("not_resources", "NotResource"),
    ):
        value = _values_of(block, source)
        if value is not None:
            statement[target] = value
    for source, target in (("principals", "Principal"), ("not_principals", "NotPrincipal")):
        principals = _block_principals(block.get(source))
        if principals is not None:
            statement[target] = principals
    conditions: dict[str, dict[str, Any]] = {}
    for condition in as_list(block.get("condition")):
        if not isinstance(condition, Mapping):
            continue
        test, variable = condition.get("test"), condition.get("variable")
        if isinstance(test, str) and isinstance(variable, str):
            conditions.setdefault(test, {})[variable] = condition.get("values")
    if conditions:
        statement["Condition"] = conditions
    return statement


def _merge_statements(merged: list[Any], statements: Iterable[Any]) -> None:
    """Merge like `aws_iam_policy_document`: a statement replaces the earlier one with its
    (non-empty) Sid; statements without a Sid, or with a new one, are appended."""
    for statement in statements:
        sid = statement.get("Sid") if isinstance(statement, Mapping) else None
        if isinstance(sid, str) and sid:
            for index, earlier in enumerate(merged):
                if isinstance(earlier, Mapping) and earlier.get("Sid") == sid:
                    merged[index] = statement
                    break
            else:
                merged.append(statement)
        else:
            merged.append(statement)


def _block_principals(blocks: Any) -> Any:
    if isinstance(blocks, Symbolic):
        return blocks
    out: dict[str, list[Any]] = {}
    for block in as_list(blocks):
        if not isinstance(block, Mapping):
            continue
        kind = block.get("type")
        identifiers = block.get("identifiers")
        items = (
            identifiers if isinstance(identifiers, list) else [identifiers] if identifiers is not None else []
        )
        if kind == "*" and all(i == "*" for i in items):
            return "*"
        if isinstance(kind, str):
            out.setdefault(kind, []).extend(items)
    return out or None
