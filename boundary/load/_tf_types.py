"""What the Terraform AWS resource types are to the security boundary.

Data, kept apart from the plan walking: the kind of each type, the attribute
that names it, and how its ARNs are spelled when the plan does not know them
yet (a resource to be created has no `arn` until apply).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from boundary.model import ResourceKind

__all__ = ["arns_for", "kind_of", "name_attribute"]

_K = ResourceKind

_KINDS: Mapping[str, ResourceKind] = {
    # compute
    "aws_lambda_function": _K.COMPUTE,
    "aws_sfn_state_machine": _K.COMPUTE,
    # identities and their policies
    "aws_iam_role": _K.ROLE,
    "aws_iam_user": _K.USER,
    "aws_iam_group": _K.GROUP,
    "aws_iam_policy": _K.POLICY,
    "aws_iam_role_policy": _K.POLICY,
    "aws_iam_user_policy": _K.POLICY,
    "aws_iam_group_policy": _K.POLICY,
    "aws_iam_policy_document": _K.POLICY,
    "aws_iam_access_key": _K.ACCESS_KEY,
    # data stores
    "aws_dynamodb_table": _K.DATA,
    "aws_sns_topic": _K.DATA,
    "aws_sqs_queue": _K.DATA,
    "aws_s3_bucket": _K.DATA,
    "aws_secretsmanager_secret": _K.DATA,
    "aws_ssm_parameter": _K.DATA,
    "aws_kms_key": _K.DATA,
    "aws_kinesis_stream": _K.DATA,
    "aws_kinesis_firehose_delivery_stream": _K.DATA,
    "aws_cloudwatch_log_group": _K.DATA,
    "aws_efs_file_system": _K.DATA,
    "aws_db_instance": _K.DATA,
    "aws_rds_cluster": _K.DATA,
    "aws_elasticache_cluster": _K.DATA,
    "aws_ecr_repository": _K.DATA,
    # APIs and their entry points
    "aws_api_gateway_rest_api": _K.API,
    "aws_apigatewayv2_api": _K.API,
    "aws_appsync_graphql_api": _K.API,
    "aws_api_gateway_method": _K.ENDPOINT,
    "aws_apigatewayv2_route": _K.ENDPOINT,
    "aws_lambda_function_url": _K.ENDPOINT,
    # resource policies
    "aws_lambda_permission": _K.PERMISSION,
    "aws_s3_bucket_policy": _K.PERMISSION,
    "aws_sns_topic_policy": _K.PERMISSION,
    "aws_sqs_queue_policy": _K.PERMISSION,
    "aws_secretsmanager_secret_policy": _K.PERMISSION,
    "aws_api_gateway_rest_api_policy": _K.PERMISSION,
    "aws_ecr_repository_policy": _K.PERMISSION,
    # event sources
    "aws_lambda_event_source_mapping": _K.EVENT_SOURCE,
    "aws_sns_topic_subscription": _K.EVENT_SOURCE,
    "aws_cloudwatch_event_rule": _K.EVENT_SOURCE,
    "aws_cloudwatch_event_target": _K.EVENT_SOURCE,
    "aws_s3_bucket_notification": _K.EVENT_SOURCE,
    "aws_scheduler_schedule": _K.EVENT_SOURCE,
    "aws_pipes_pipe": _K.EVENT_SOURCE,
}

_NAME_ATTRIBUTES: Mapping[str, str] = {
    "aws_lambda_function": "function_name",
    "aws_lambda_function_url": "function_name",
    "aws_lambda_permission": "statement_id",
    "aws_s3_bucket": "bucket",
    "aws_s3_bucket_policy": "bucket",
    "aws_s3_bucket_notification": "bucket",
    "aws_iam_access_key": "user",
    "aws_apigatewayv2_route": "route_key",
    "aws_api_gateway_method": "http_method",
    "aws_api_gateway_resource": "path_part",
    "aws_api_gateway_stage": "stage_name",
    "aws_kms_key": "description",
    "aws_iam_openid_connect_provider": "url",
}


def kind_of(resource_type: str) -> ResourceKind:
    """The boundary kind of a Terraform type; OTHER for anything not listed."""
    return _KINDS.get(resource_type, ResourceKind.OTHER)


def name_attribute(resource_type: str) -> str:
    """The attribute that holds the resource's own name (`name` unless listed)."""
    return _NAME_ATTRIBUTES.get(resource_type, "name")


_ArnMaker = Callable[[str, str, str, str, Mapping[str, Any]], tuple[str, ...]]


def _iam_path(values: Mapping[str, Any]) -> str:
    path = values.get("path")
    if not isinstance(path, str) or not path.startswith("/"):
        return "/"
    return path if path.endswith("/") else path + "/"


def _iam(kind: str) -> _ArnMaker:
    def make(
        partition: str, region: str, account: str, name: str, values: Mapping[str, Any]
    ) -> tuple[str, ...]:
        return (f"arn:{partition}:iam::{account}:{kind}{_iam_path(values)}{name}",)

    return make


def _regional(service: str, template: str) -> _ArnMaker:
    def make(
        partition: str, region: str, account: str, name: str, values: Mapping[str, Any]
    ) -> tuple[str, ...]:
        return (f"arn:{partition}:{service}:{region}:{account}:{template.format(name=name.lstrip('/'))}",)

    return make


def _bucket(
    partition: str, region: str, account: str, name: str, values: Mapping[str, Any]
) -> tuple[str, ...]:
    return (f"arn:{partition}:s3:::{name}",)


def _oidc_provider(
    partition: str, region: str, account: str, name: str, values: Mapping[str, Any]
) -> tuple[str, ...]:
    """The provider ARN names its issuer without the scheme: `oidc-provider/token.actions...`."""
    host = name.split("://", 1)[-1].rstrip("/")
    return (f"arn:{partition}:iam::{account}:oidc-provider/{host}",)


def _ssm(partition: str, region: str, account: str, name: str, values: Mapping[str, Any]) -> tuple[str, ...]:
    return (f"arn:{partition}:ssm:{region}:{account}:parameter/{name.lstrip('/')}",)


_ARN_MAKERS: Mapping[str, _ArnMaker] = {
    "aws_lambda_function": _regional("lambda", "function:{name}"),
    "aws_dynamodb_table": _regional("dynamodb", "table/{name}"),
    "aws_sns_topic": _regional("sns", "{name}"),
    "aws_sqs_queue": _regional("sqs", "{name}"),
    "aws_s3_bucket": _bucket,
    # Secrets Manager appends six random characters to the name.
    "aws_secretsmanager_secret": _regional("secretsmanager", "secret:{name}-??????"),
    "aws_ssm_parameter": _ssm,
    "aws_kinesis_stream": _regional("kinesis", "stream/{name}"),
    "aws_kinesis_firehose_delivery_stream": _regional("firehose", "deliverystream/{name}"),
    "aws_sfn_state_machine": _regional("states", "stateMachine:{name}"),
    "aws_cloudwatch_event_rule": _regional("events", "rule/{name}"),
    "aws_cloudwatch_log_group": _regional("logs", "log-group:{name}"),
    "aws_ecr_repository": _regional("ecr", "repository/{name}"),
    "aws_iam_role": _iam("role"),
    "aws_iam_user": _iam("user"),
    "aws_iam_group": _iam("group"),
    "aws_iam_policy": _iam("policy"),
    "aws_iam_openid_connect_provider": _oidc_provider,
    "aws_iam_saml_provider": lambda partition, region, account, name, values: (
        f"arn:{partition}:iam::{account}:saml-provider/{name}",
    ),
}

# The sub-resources an ARN also answers to, so that `table/Bookings/index/*` in a
# policy matches the table.
_SUFFIXES: Mapping[str, tuple[str, ...]] = {
    "aws_dynamodb_table": ("/index/*", "/stream/*"),
    "aws_s3_bucket": ("/*",),
    "aws_lambda_function": (":*",),
    "aws_kinesis_stream": ("/consumer/*",),
}

_API_TYPES = frozenset({"aws_api_gateway_rest_api", "aws_apigatewayv2_api"})


def arns_for(
    resource_type: str,
    values: Mapping[str, Any],
    *,
    name: object,
    partition: str,
    region: str,
    account: str,
) -> tuple[str, ...]:
    """The ARNs a resource answers to: its `arn` when known, else synthesised from its name.

    APIs answer to their `execute-api` ARNs (`{api_id}/*`) when the id is known.
    Nothing is guessed from unknown values: an unknown name gives no ARN.
    """
    arns: list[str] = []
    known = values.get("arn")
    if isinstance(known, str) and known.startswith("arn:"):
        arns.append(known)
    elif isinstance(name, str) and name and resource_type in _ARN_MAKERS:
        arns.extend(_ARN_MAKERS[resource_type](partition, region, account, name, values))
    if resource_type in _API_TYPES:
        api_id = values.get("id")
        if isinstance(api_id, str) and api_id:
            execution = values.get("execution_arn")
            base = (
                execution
                if isinstance(execution, str) and execution.startswith("arn:")
                else f"arn:{partition}:execute-api:{region}:{account}:{api_id}"
            )
            arns.append(f"{base}/*")
    if arns:
        arns.extend(arns[0] + suffix for suffix in _SUFFIXES.get(resource_type, ()))
    return tuple(dict.fromkeys(arns))
