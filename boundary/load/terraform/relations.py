"""Relations of a plan: what executes as which role, what invokes what, what refers to
what, access keys of users and users in groups.

`Relations` collects each relation once, located at the instance that makes it;
the endpoints seam adds the relations of routes and integrations through it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from boundary.load._cfn_types import kind_of
from boundary.load.terraform._shapes import as_list, as_map, value_at
from boundary.load.terraform.index import PlanIndex
from boundary.load.terraform.instances import Instance
from boundary.load.terraform.references import expression_references, symbolic_references
from boundary.model import Relation, RelationKind, ResourceKind

__all__ = ["INVOCABLE", "Relations"]

# what an integration, subscription or event target may invoke
INVOCABLE = (
    "aws_lambda_function",
    "aws_lambda_alias",
    "aws_sfn_state_machine",
    "aws_sqs_queue",
    "aws_sns_topic",
    "aws_kinesis_stream",
    "aws_dynamodb_table",
    "aws_cloudwatch_event_bus",
    "aws_api_gateway_rest_api",
    "aws_apigatewayv2_api",
    "aws_s3_bucket",
)
_NAMED_IN_ENV = (ResourceKind.DATA, ResourceKind.COMPUTE)
_DATA_SOURCES = (
    "aws_sqs_queue",
    "aws_kinesis_stream",
    "aws_dynamodb_table",
    "aws_msk_cluster",
    "aws_mq_broker",
    "aws_docdb_cluster",
)


class Relations:
    """The relations of one plan, each once, in the order they are found."""

    def __init__(self, index: PlanIndex, *, values_from_sources: bool) -> None:
        """`values_from_sources`: the values were read from the `.tf` sources, so their
        `Symbolic`s name what they refer to, across module boundaries too."""
        self.index = index
        self._values_from_sources = values_from_sources
        self._found: dict[tuple[str, str, RelationKind], Relation] = {}

    @property
    def found(self) -> tuple[Relation, ...]:
        return tuple(self._found.values())

    def relate(
        self, source: str, target: str, kind: RelationKind, via: Instance, /, **attributes: Any
    ) -> None:
        """Relate two resources once, located at the instance that says so."""
        if source == target or (source, target, kind) in self._found:
            return
        self._found[(source, target, kind)] = Relation(
            source, target, kind, self.index.location(via), attributes
        )

    def collect(self) -> None:
        """The relations each instance makes: by type (`_HANDLERS`), and a compute resource's references."""
        for instance in list(self.index.instances.values()):
            handler = _HANDLERS.get(instance.type)
            if handler is not None:
                handler(self, instance)
            if kind_of(instance.type) is ResourceKind.COMPUTE:
                self._compute_references(instance)

    def _compute_references(self, instance: Instance) -> None:
        skip = {"role", "role_arn"}
        invoked = set()
        if instance.type == "aws_sfn_state_machine":
            invoked = set(self.index.targets(instance, ("definition",), INVOCABLE))
            for target in sorted(invoked):
                self.relate(instance.address, target, RelationKind.INVOKES, instance, attribute="definition")
        for attribute, expression in instance.expressions.items():
            if attribute in skip:
                continue
            for target in self.index.resolver.resolve_all(expression_references(expression), instance):
                if (
                    target not in invoked
                    and kind_of(self.index.instances[target].type) is not ResourceKind.POLICY
                ):
                    self.relate(
                        instance.address, target, RelationKind.REFERENCES, instance, attribute=attribute
                    )
        if self._values_from_sources:
            # values read from the sources name what they refer to, across module boundaries too
            for attribute, value in instance.values.items():
                if attribute in skip:
                    continue
                for target in symbolic_references(value):
                    if (
                        target in self.index.instances
                        and target != instance.address
                        and target not in invoked
                        and kind_of(self.index.instances[target].type) is not ResourceKind.POLICY
                    ):
                        self.relate(
                            instance.address, target, RelationKind.REFERENCES, instance, attribute=attribute
                        )
        variables = value_at(instance.values, ("environment", 0, "variables"))
        for key, value in as_map(variables).items():
            if isinstance(value, str) and value:
                for target in self.index.match_value(value, None):
                    if (
                        target != instance.address
                        and kind_of(self.index.instances[target].type) in _NAMED_IN_ENV
                    ):
                        self.relate(
                            instance.address,
                            target,
                            RelationKind.REFERENCES,
                            instance,
                            attribute="environment",
                            variable=key,
                        )

    def executes_as(self, instance: Instance, attribute: str) -> None:
        roles = self.index.targets(instance, (attribute,), ("aws_iam_role",))
        for role in roles:
            self.relate(instance.address, role, RelationKind.EXECUTES_AS, instance, attribute=attribute)
        value = instance.values.get(attribute)
        if not roles and isinstance(value, str) and value.startswith("arn:") and ":role/" in value:
            # A role outside the plan, named by ARN: the graph gives it an external node (or
            # the node of the outside role the plan attaches policies to by that name).
            self.relate(
                instance.address,
                value,
                RelationKind.EXECUTES_AS,
                instance,
                attribute=attribute,
                external=True,
            )


# ---------------------------------------------------------------- by type


def _event_source_mapping(relations: Relations, mapping: Instance) -> None:
    functions = relations.index.targets(
        mapping, ("function_name",), ("aws_lambda_function", "aws_lambda_alias")
    )
    sources = relations.index.targets(mapping, ("event_source_arn",), _DATA_SOURCES) or [mapping.address]
    for source in sources:
        for function in functions:
            relations.relate(source, function, RelationKind.INVOKES, mapping, mapping=mapping.address)


def _subscription(relations: Relations, subscription: Instance) -> None:
    protocol = subscription.values.get("protocol")
    if protocol not in ("lambda", "sqs", "firehose"):
        return
    topics = relations.index.targets(subscription, ("topic_arn",), ("aws_sns_topic",)) or [
        subscription.address
    ]
    targets = relations.index.targets(subscription, ("endpoint",), INVOCABLE)
    for topic in topics:
        for target in targets:
            relations.relate(
                topic, target, RelationKind.INVOKES, subscription, subscription=subscription.address
            )


def _event_target(relations: Relations, target: Instance) -> None:
    rules = relations.index.targets(target, ("rule",), ("aws_cloudwatch_event_rule",)) or [target.address]
    for rule in rules:
        for invoked in relations.index.targets(target, ("arn",), INVOCABLE):
            relations.relate(rule, invoked, RelationKind.INVOKES, target, event_target=target.address)
    relations.executes_as(target, "role_arn")


def _bucket_notification(relations: Relations, notification: Instance) -> None:
    buckets = relations.index.targets(notification, ("bucket",), ("aws_s3_bucket",)) or [notification.address]
    for block_name, attribute in (
        ("lambda_function", "lambda_function_arn"),
        ("queue", "queue_arn"),
        ("topic", "topic_arn"),
    ):
        for index, _block in enumerate(as_list(notification.values.get(block_name))):
            for target in relations.index.targets(notification, (block_name, index, attribute), INVOCABLE):
                for bucket in buckets:
                    relations.relate(
                        bucket, target, RelationKind.INVOKES, notification, notification=notification.address
                    )


def _permission_source(relations: Relations, permission: Instance) -> None:
    if permission.values.get("source_arn") in (None, ""):
        return
    functions = relations.index.targets(
        permission, ("function_name",), ("aws_lambda_function", "aws_lambda_alias")
    )
    sources = [
        s
        for s in relations.index.targets(permission, ("source_arn",))
        if kind_of(relations.index.instances[s].type)
        in (ResourceKind.API, ResourceKind.DATA, ResourceKind.EVENT_SOURCE)
    ]
    for source in sources:
        for function in functions:
            relations.relate(
                source, function, RelationKind.INVOKES, permission, permission=permission.address
            )


def _function(relations: Relations, function: Instance) -> None:
    relations.executes_as(function, "role")


def _state_machine(relations: Relations, machine: Instance) -> None:
    relations.executes_as(machine, "role_arn")


def _appsync_datasource(relations: Relations, source: Instance) -> None:
    relations.executes_as(source, "service_role_arn")
    for path in (
        ("lambda_config", 0, "function_arn"),
        ("http_config", 0, "endpoint"),
        ("dynamodb_config", 0, "table_name"),
    ):
        for target in relations.index.targets(source, path, INVOCABLE):
            relations.relate(source.address, target, RelationKind.INVOKES, source, attribute=path[0])


def _access_key(relations: Relations, key: Instance) -> None:
    for user in relations.index.targets(key, ("user",), ("aws_iam_user",)):
        relations.relate(key.address, user, RelationKind.KEY_OF, key)


def _user_groups(relations: Relations, membership: Instance) -> None:
    for user in relations.index.targets(membership, ("user",), ("aws_iam_user",)):
        for group in relations.index.targets(membership, ("groups",), ("aws_iam_group",)):
            relations.relate(user, group, RelationKind.MEMBER_OF, membership)


def _group_members(relations: Relations, membership: Instance) -> None:
    for group in relations.index.targets(membership, ("group",), ("aws_iam_group",)):
        for user in relations.index.targets(membership, ("users",), ("aws_iam_user",)):
            relations.relate(user, group, RelationKind.MEMBER_OF, membership)


def _authorizer(relations: Relations, authorizer: Instance) -> None:
    attribute = "authorizer_uri"
    for function in relations.index.targets(
        authorizer, (attribute,), ("aws_lambda_function", "aws_lambda_alias")
    ):
        relations.relate(authorizer.address, function, RelationKind.INVOKES, authorizer, attribute=attribute)


_HANDLERS: Mapping[str, Callable[[Relations, Instance], None]] = {
    "aws_lambda_function": _function,
    "aws_sfn_state_machine": _state_machine,
    "aws_lambda_event_source_mapping": _event_source_mapping,
    "aws_sns_topic_subscription": _subscription,
    "aws_cloudwatch_event_target": _event_target,
    "aws_s3_bucket_notification": _bucket_notification,
    "aws_lambda_permission": _permission_source,
    "aws_appsync_datasource": _appsync_datasource,
    "aws_iam_access_key": _access_key,
    "aws_iam_user_group_membership": _user_groups,
    "aws_iam_group_membership": _group_members,
    "aws_api_gateway_authorizer": _authorizer,
    "aws_apigatewayv2_authorizer": _authorizer,
}
