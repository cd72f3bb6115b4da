"""The CloudFormation resource types that matter to serverless security boundaries.

For each type: what it is to the boundary (`ResourceKind`), the IAM service
prefix policies use to address it, which property names it, what `Ref` and
`Fn::GetAtt` return, and the ARNs it answers to (sub-resources included, so
that `table/Bookings/index/*` in a policy reaches the table).

Formats are `str.format`-like templates with these placeholders:

* `{partition}`, `{region}`, `{account}`, `{url_suffix}`, `{stack_name}`, `{logical_id}`;
* `{name}`: the physical name (see `physical_name`), `{id}`: the placeholder
  id of types whose `Ref` is a generated id, `{arn}`: the rendered `arn`
  format, `{path}`: the IAM `Path` property (default `/`), `{uid}`: a
  deterministic 16-character id for unique ids such as `RoleId`;
* `{function_arn}`: the function a Lambda alias, version, URL or permission
  points at, as an ARN, whether the template names it by name or by ARN;
* `{Property}` or `{Property=default}` (capitalised): the resolved string
  value of that property of the resource.

A value that depends on something unknown (a symbolic name, a missing
property) is a `Symbolic`, never a guess. Generated names, ids and suffixes are
deterministic placeholders, because offline we cannot know what CloudFormation
will pick:

* names: `{stack_name}-{logical_id}` (CloudFormation appends a random suffix;
  we do not), lowercased where the service demands (S3, ECR, RDS), with
  `.fifo` for FIFO queues and topics;
* ids of API, user pool, key, file system...: the logical id itself (user
  pool `{region}_{logical_id}`, identity pool `{region}:{logical_id}`), so
  that reports stay readable;
* the random six characters after a Secrets Manager secret's name: `RANDOM`
  (`Ref` and the ARN agree); a Lambda version's number: `1`; a DynamoDB
  stream label: `1970-01-01T00:00:00.000`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from boundary.load._limits import LimitExceeded
from boundary.model import ResourceKind, Symbolic

__all__ = [
    "TERRAFORM_ALIASES",
    "TERRAFORM_ONLY",
    "TYPES",
    "TypeInfo",
    "arns_for",
    "canonical_type",
    "get_att",
    "kind_of",
    "name_attribute",
    "physical_name",
    "ref_value",
    "resource_arns",
    "terraform_info",
    "type_info",
]


@dataclass(frozen=True, slots=True)
class TypeInfo:
    """How one CloudFormation type names itself and what it answers to.

    `ref` is what `Ref` returns: "name", "arn", "id" or "url". `deploy_time`
    lists attributes that exist but are only known once deployed (secrets,
    generated endpoints): they resolve to a `Symbolic` that says so.
    """

    kind: ResourceKind
    service: str
    name_property: str | None
    ref: str
    arn: str | None
    attributes: Mapping[str, str] = field(default_factory=dict)
    sub_arns: tuple[str, ...] = ()
    url: str | None = None
    id_format: str = "{logical_id}"
    lowercase_name: bool = False
    deploy_time: frozenset[str] = frozenset()
    # what Ref returns when it is not the name, id, url or ARN above (a function URL's Ref is its function)
    ref_format: str | None = None
    # the Terraform AWS provider's names for this type (its aliases); the attribute that
    # holds the resource's name there; and whether `arn` (with the `{arn}` sub-ARNs) can be
    # spelled from that name when a plan does not know the ARN yet (a resource to create)
    terraform: tuple[str, ...] = ()
    terraform_name: str = "name"
    terraform_arn: bool = False


def _t(
    kind: ResourceKind,
    service: str,
    name_property: str | None,
    ref: str,
    arn: str | None,
    attributes: Mapping[str, str] | None = None,
    sub_arns: tuple[str, ...] = (),
    **extra: Any,
) -> TypeInfo:
    return TypeInfo(
        kind, service, name_property, ref, arn, MappingProxyType(dict(attributes or {})), sub_arns, **extra
    )


_K = ResourceKind
_ARN = "arn:{partition}"
_REGIONAL = "{region}:{account}"
_FN = _ARN + ":lambda:" + _REGIONAL + ":function:{name}"


def _execute_api(management: str) -> dict[str, Any]:
    """REST, HTTP and WebSocket APIs: invoked as `execute-api`, managed as `apigateway`."""
    return {
        "arn": _ARN + ":execute-api:" + _REGIONAL + ":{id}",
        "sub_arns": (
            "{arn}/*",
            _ARN + ":apigateway:{region}::/" + management + "/{id}",
            _ARN + ":apigateway:{region}::/" + management + "/{id}/*",
        ),
    }


_REST_API = _execute_api("restapis")
_HTTP_API = _execute_api("apis")
_SEARCH_DOMAIN = _t(
    _K.DATA,
    "es",
    "DomainName",
    "name",
    _ARN + ":es:" + _REGIONAL + ":domain/{name}",
    {"Arn": "{arn}", "DomainArn": "{arn}", "DomainEndpoint": "search-{name}-{id}.{region}.es.{url_suffix}"},
    ("{arn}/*",),
    lowercase_name=True,
)
_MSK = _t(
    _K.DATA,
    "kafka",
    "ClusterName",
    "arn",
    _ARN + ":kafka:" + _REGIONAL + ":cluster/{name}/{uid}",
    {"Arn": "{arn}"},
    (
        _ARN + ":kafka:" + _REGIONAL + ":topic/{name}/*",
        _ARN + ":kafka:" + _REGIONAL + ":group/{name}/*",
        _ARN + ":kafka:" + _REGIONAL + ":transactional-id/{name}/*",
    ),
)

TYPES: Mapping[str, TypeInfo] = MappingProxyType(
    {
        # --- Lambda
        "AWS::Lambda::Function": _t(
            _K.COMPUTE,
            "lambda",
            "FunctionName",
            "name",
            _FN,
            {"Arn": "{arn}"},
            ("{arn}:*",),
            terraform=("aws_lambda_function",),
            terraform_name="function_name",
            terraform_arn=True,
        ),
        "AWS::Lambda::Permission": _t(
            _K.PERMISSION,
            "lambda",
            None,
            "id",
            None,
            terraform=("aws_lambda_permission",),
            terraform_name="statement_id",
        ),
        "AWS::Lambda::EventSourceMapping": _t(
            _K.EVENT_SOURCE,
            "lambda",
            None,
            "id",
            _ARN + ":lambda:" + _REGIONAL + ":event-source-mapping:{id}",
            {"Id": "{id}", "EventSourceMappingArn": "{arn}"},
            terraform=("aws_lambda_event_source_mapping",),
        ),
        "AWS::Lambda::Url": _t(
            _K.ENDPOINT,
            "lambda",
            None,
            "arn",
            None,
            {"FunctionArn": "{function_arn}", "FunctionUrl": "https://{id}.lambda-url.{region}.on.aws/"},
            id_format="{uid_lower}",
            ref_format="{function_arn}",
            terraform=("aws_lambda_function_url",),
            terraform_name="function_name",
        ),
        "AWS::Lambda::Alias": _t(
            _K.OTHER, "lambda", "Name", "arn", "{function_arn}:{name}", {"AliasArn": "{arn}"}
        ),
        "AWS::Lambda::Version": _t(
            _K.OTHER,
            "lambda",
            None,
            "arn",
            "{function_arn}:1",
            {"Version": "1", "FunctionArn": "{function_arn}"},
        ),
        "AWS::Lambda::LayerVersion": _t(
            _K.OTHER,
            "lambda",
            "LayerName",
            "arn",
            _ARN + ":lambda:" + _REGIONAL + ":layer:{name}:1",
            {"LayerVersionArn": "{arn}"},
        ),
        "AWS::Lambda::LayerVersionPermission": _t(_K.PERMISSION, "lambda", None, "id", None),
        "AWS::Lambda::EventInvokeConfig": _t(_K.OTHER, "lambda", None, "id", None),
        # --- DynamoDB
        "AWS::DynamoDB::Table": _t(
            _K.DATA,
            "dynamodb",
            "TableName",
            "name",
            _ARN + ":dynamodb:" + _REGIONAL + ":table/{name}",
            {"Arn": "{arn}", "StreamArn": "{arn}/stream/1970-01-01T00:00:00.000"},
            ("{arn}/index/*", "{arn}/stream/*", "{arn}/backup/*", "{arn}/export/*"),
            terraform=("aws_dynamodb_table",),
            terraform_arn=True,
        ),
        "AWS::DynamoDB::GlobalTable": _t(
            _K.DATA,
            "dynamodb",
            "TableName",
            "name",
            _ARN + ":dynamodb:" + _REGIONAL + ":table/{name}",
            {"Arn": "{arn}", "StreamArn": "{arn}/stream/1970-01-01T00:00:00.000", "TableId": "{uid_lower}"},
            ("{arn}/index/*", "{arn}/stream/*", "{arn}/backup/*", "{arn}/export/*"),
        ),
        # --- SNS
        "AWS::SNS::Topic": _t(
            _K.DATA,
            "sns",
            "TopicName",
            "arn",
            _ARN + ":sns:" + _REGIONAL + ":{name}",
            {"TopicArn": "{arn}", "TopicName": "{name}"},
            terraform=("aws_sns_topic",),
            terraform_arn=True,
        ),
        "AWS::SNS::Subscription": _t(
            _K.EVENT_SOURCE,
            "sns",
            None,
            "arn",
            "{TopicArn}:{uid_lower}",
            {"Arn": "{arn}"},
            terraform=("aws_sns_topic_subscription",),
        ),
        "AWS::SNS::TopicPolicy": _t(
            _K.PERMISSION, "sns", None, "id", None, terraform=("aws_sns_topic_policy",)
        ),
        "AWS::SNS::TopicInlinePolicy": _t(_K.PERMISSION, "sns", None, "id", None),
        # --- SQS
        "AWS::SQS::Queue": _t(
            _K.DATA,
            "sqs",
            "QueueName",
            "url",
            _ARN + ":sqs:" + _REGIONAL + ":{name}",
            {"Arn": "{arn}", "QueueName": "{name}", "QueueUrl": "{url}"},
            url="https://sqs.{region}.{url_suffix}/{account}/{name}",
            terraform=("aws_sqs_queue",),
            terraform_arn=True,
        ),
        "AWS::SQS::QueuePolicy": _t(
            _K.PERMISSION, "sqs", None, "id", None, terraform=("aws_sqs_queue_policy",)
        ),
        "AWS::SQS::QueueInlinePolicy": _t(_K.PERMISSION, "sqs", None, "id", None),
        # --- S3
        "AWS::S3::Bucket": _t(
            _K.DATA,
            "s3",
            "BucketName",
            "name",
            _ARN + ":s3:::{name}",
            {
                "Arn": "{arn}",
                "DomainName": "{name}.s3.{url_suffix}",
                "RegionalDomainName": "{name}.s3.{region}.{url_suffix}",
                "DualStackDomainName": "{name}.s3.dualstack.{region}.{url_suffix}",
                "WebsiteURL": "http://{name}.s3-website-{region}.{url_suffix}",
            },
            ("{arn}/*",),
            lowercase_name=True,
            terraform=("aws_s3_bucket",),
            terraform_name="bucket",
            terraform_arn=True,
        ),
        "AWS::S3::BucketPolicy": _t(
            _K.PERMISSION,
            "s3",
            None,
            "id",
            None,
            terraform=("aws_s3_bucket_policy",),
            terraform_name="bucket",
        ),
        "AWS::S3::AccessPoint": _t(
            _K.DATA,
            "s3",
            "Name",
            "name",
            _ARN + ":s3:" + _REGIONAL + ":accesspoint/{name}",
            {"Arn": "{arn}", "Name": "{name}"},
            ("{arn}/object/*",),
            lowercase_name=True,
        ),
        # --- Secrets, parameters, keys
        "AWS::SecretsManager::Secret": _t(
            _K.DATA,
            "secretsmanager",
            "Name",
            "arn",
            _ARN + ":secretsmanager:" + _REGIONAL + ":secret:{name}-RANDOM",
            {"Id": "{arn}"},
            terraform=("aws_secretsmanager_secret",),
            terraform_arn=True,
        ),
        "AWS::SecretsManager::ResourcePolicy": _t(
            _K.PERMISSION, "secretsmanager", None, "id", None, terraform=("aws_secretsmanager_secret_policy",)
        ),
        "AWS::SecretsManager::SecretTargetAttachment": _t(_K.OTHER, "secretsmanager", None, "id", None),
        "AWS::SecretsManager::RotationSchedule": _t(_K.OTHER, "secretsmanager", None, "id", None),
        "AWS::SSM::Parameter": _t(
            _K.DATA,
            "ssm",
            "Name",
            "name",
            _ARN + ":ssm:" + _REGIONAL + ":parameter{slash_name}",
            {"Type": "{Type}", "Value": "{Value}"},
            terraform=("aws_ssm_parameter",),
            terraform_arn=True,
        ),
        "AWS::KMS::Key": _t(
            _K.DATA,
            "kms",
            None,
            "id",
            _ARN + ":kms:" + _REGIONAL + ":key/{id}",
            {"Arn": "{arn}", "KeyId": "{id}"},
            terraform=("aws_kms_key",),
            terraform_name="description",
        ),
        "AWS::KMS::Alias": _t(
            _K.OTHER,
            "kms",
            "AliasName",
            "name",
            _ARN + ":kms:" + _REGIONAL + ":{name}",
            terraform=("aws_kms_alias",),
        ),
        # --- Streams
        "AWS::Kinesis::Stream": _t(
            _K.DATA,
            "kinesis",
            "Name",
            "name",
            _ARN + ":kinesis:" + _REGIONAL + ":stream/{name}",
            {"Arn": "{arn}"},
            ("{arn}/consumer/*",),
            terraform=("aws_kinesis_stream",),
            terraform_arn=True,
        ),
        "AWS::Kinesis::StreamConsumer": _t(
            _K.OTHER,
            "kinesis",
            "ConsumerName",
            "arn",
            "{StreamARN}/consumer/{name}:0",
            {"ConsumerARN": "{arn}", "ConsumerName": "{name}", "StreamARN": "{StreamARN}"},
        ),
        "AWS::KinesisFirehose::DeliveryStream": _t(
            _K.DATA,
            "firehose",
            "DeliveryStreamName",
            "name",
            _ARN + ":firehose:" + _REGIONAL + ":deliverystream/{name}",
            {"Arn": "{arn}"},
            terraform=("aws_kinesis_firehose_delivery_stream",),
            terraform_arn=True,
        ),
        "AWS::MSK::Cluster": _MSK,
        "AWS::MSK::ServerlessCluster": _MSK,
        # --- Orchestration and events
        "AWS::StepFunctions::StateMachine": _t(
            _K.COMPUTE,
            "states",
            "StateMachineName",
            "arn",
            _ARN + ":states:" + _REGIONAL + ":stateMachine:{name}",
            {"Arn": "{arn}", "Name": "{name}", "StateMachineRevisionId": "{arn}"},
            (
                "{arn}:*",
                _ARN + ":states:" + _REGIONAL + ":execution:{name}:*",
                _ARN + ":states:" + _REGIONAL + ":express:{name}:*",
            ),
            terraform=("aws_sfn_state_machine",),
            terraform_arn=True,
        ),
        "AWS::StepFunctions::Activity": _t(
            _K.OTHER,
            "states",
            "Name",
            "arn",
            _ARN + ":states:" + _REGIONAL + ":activity:{name}",
            {"Name": "{name}"},
        ),
        "AWS::Events::EventBus": _t(
            _K.DATA,
            "events",
            "Name",
            "name",
            _ARN + ":events:" + _REGIONAL + ":event-bus/{name}",
            {"Arn": "{arn}", "Name": "{name}"},
        ),
        "AWS::Events::Rule": _t(
            _K.EVENT_SOURCE,
            "events",
            "Name",
            "name",
            _ARN + ":events:" + _REGIONAL + ":rule/{name}",
            {"Arn": "{arn}"},
            terraform=("aws_cloudwatch_event_rule",),
            terraform_arn=True,
        ),
        "AWS::Events::EventBusPolicy": _t(_K.PERMISSION, "events", None, "id", None),
        "AWS::Events::Connection": _t(
            _K.OTHER,
            "events",
            "Name",
            "name",
            _ARN + ":events:" + _REGIONAL + ":connection/{name}/{uid_lower}",
            {"Arn": "{arn}"},
            deploy_time=frozenset({"SecretArn"}),
        ),
        "AWS::Events::ApiDestination": _t(
            _K.OTHER,
            "events",
            "Name",
            "name",
            _ARN + ":events:" + _REGIONAL + ":api-destination/{name}/{uid_lower}",
            {"Arn": "{arn}"},
        ),
        "AWS::Scheduler::Schedule": _t(
            _K.EVENT_SOURCE,
            "scheduler",
            "Name",
            "name",
            _ARN + ":scheduler:" + _REGIONAL + ":schedule/{GroupName=default}/{name}",
            {"Arn": "{arn}"},
            terraform=("aws_scheduler_schedule",),
        ),
        "AWS::Scheduler::ScheduleGroup": _t(
            _K.OTHER,
            "scheduler",
            "Name",
            "name",
            _ARN + ":scheduler:" + _REGIONAL + ":schedule-group/{name}",
            {"Arn": "{arn}"},
        ),
        "AWS::Pipes::Pipe": _t(
            _K.EVENT_SOURCE,
            "pipes",
            "Name",
            "name",
            _ARN + ":pipes:" + _REGIONAL + ":pipe/{name}",
            {"Arn": "{arn}"},
            terraform=("aws_pipes_pipe",),
        ),
        "AWS::Logs::LogGroup": _t(
            _K.DATA,
            "logs",
            "LogGroupName",
            "name",
            _ARN + ":logs:" + _REGIONAL + ":log-group:{name}",
            {"Arn": "{arn}:*"},
            ("{arn}:*", "{arn}:log-stream:*"),
            terraform=("aws_cloudwatch_log_group",),
            terraform_arn=True,
        ),
        "AWS::CloudWatch::Alarm": _t(
            _K.OTHER,
            "cloudwatch",
            "AlarmName",
            "name",
            _ARN + ":cloudwatch:" + _REGIONAL + ":alarm:{name}",
            {"Arn": "{arn}"},
        ),
        # --- IAM
        "AWS::IAM::Role": _t(
            _K.ROLE,
            "iam",
            "RoleName",
            "name",
            _ARN + ":iam::{account}:role{path}{name}",
            {"Arn": "{arn}", "RoleId": "AROA{uid}"},
            terraform=("aws_iam_role",),
            terraform_arn=True,
        ),
        "AWS::IAM::Policy": _t(_K.POLICY, "iam", "PolicyName", "id", None, id_format="{name}"),
        "AWS::IAM::RolePolicy": _t(_K.POLICY, "iam", "PolicyName", "id", None, id_format="{name}"),
        "AWS::IAM::UserPolicy": _t(_K.POLICY, "iam", "PolicyName", "id", None, id_format="{name}"),
        "AWS::IAM::GroupPolicy": _t(_K.POLICY, "iam", "PolicyName", "id", None, id_format="{name}"),
        "AWS::IAM::ManagedPolicy": _t(
            _K.POLICY,
            "iam",
            "ManagedPolicyName",
            "arn",
            _ARN + ":iam::{account}:policy{path}{name}",
            {"PolicyArn": "{arn}", "PolicyId": "ANPA{uid}"},
            terraform=("aws_iam_policy",),
            terraform_arn=True,
        ),
        "AWS::IAM::User": _t(
            _K.USER,
            "iam",
            "UserName",
            "name",
            _ARN + ":iam::{account}:user{path}{name}",
            {"Arn": "{arn}"},
            terraform=("aws_iam_user",),
            terraform_arn=True,
        ),
        "AWS::IAM::Group": _t(
            _K.GROUP,
            "iam",
            "GroupName",
            "name",
            _ARN + ":iam::{account}:group{path}{name}",
            {"Arn": "{arn}"},
            terraform=("aws_iam_group",),
            terraform_arn=True,
        ),
        "AWS::IAM::OIDCProvider": _t(
            _K.OTHER,
            "iam",
            "Url",
            "arn",
            _ARN + ":iam::{account}:oidc-provider/{host}",
            terraform=("aws_iam_openid_connect_provider",),
            terraform_name="url",
            terraform_arn=True,
        ),
        "AWS::IAM::SAMLProvider": _t(
            _K.OTHER,
            "iam",
            "Name",
            "arn",
            _ARN + ":iam::{account}:saml-provider/{name}",
            terraform=("aws_iam_saml_provider",),
            terraform_arn=True,
        ),
        "AWS::IAM::AccessKey": _t(
            _K.ACCESS_KEY,
            "iam",
            None,
            "id",
            None,
            id_format="AKIA{uid}",
            deploy_time=frozenset({"SecretAccessKey"}),
            terraform=("aws_iam_access_key",),
            terraform_name="user",
        ),
        "AWS::IAM::InstanceProfile": _t(
            _K.OTHER,
            "iam",
            "InstanceProfileName",
            "name",
            _ARN + ":iam::{account}:instance-profile{path}{name}",
            {"Arn": "{arn}"},
        ),
        "AWS::IAM::UserToGroupAddition": _t(_K.OTHER, "iam", None, "id", None),
        # --- API Gateway (REST)
        "AWS::ApiGateway::RestApi": _t(
            _K.API,
            "execute-api",
            "Name",
            "id",
            _REST_API["arn"],
            {"RestApiId": "{id}", "RootResourceId": "{uid_lower}"},
            _REST_API["sub_arns"],
            terraform=("aws_api_gateway_rest_api",),
        ),
        "AWS::ApiGateway::Method": _t(
            _K.ENDPOINT,
            "execute-api",
            None,
            "id",
            None,
            terraform=("aws_api_gateway_method",),
            terraform_name="http_method",
        ),
        "AWS::ApiGateway::Resource": _t(
            _K.OTHER,
            "apigateway",
            None,
            "id",
            None,
            {"ResourceId": "{id}"},
            terraform=("aws_api_gateway_resource",),
            terraform_name="path_part",
        ),
        "AWS::ApiGateway::Stage": _t(
            _K.OTHER,
            "apigateway",
            "StageName",
            "name",
            None,
            terraform=("aws_api_gateway_stage",),
            terraform_name="stage_name",
        ),
        "AWS::ApiGateway::Deployment": _t(_K.OTHER, "apigateway", None, "id", None, {"DeploymentId": "{id}"}),
        "AWS::ApiGateway::Authorizer": _t(_K.OTHER, "apigateway", None, "id", None, {"AuthorizerId": "{id}"}),
        "AWS::ApiGateway::ApiKey": _t(_K.OTHER, "apigateway", "Name", "id", None, {"APIKeyId": "{id}"}),
        "AWS::ApiGateway::UsagePlan": _t(_K.OTHER, "apigateway", "UsagePlanName", "id", None, {"Id": "{id}"}),
        "AWS::ApiGateway::UsagePlanKey": _t(_K.OTHER, "apigateway", None, "id", None),
        "AWS::ApiGateway::RequestValidator": _t(_K.OTHER, "apigateway", None, "id", None),
        "AWS::ApiGateway::GatewayResponse": _t(_K.OTHER, "apigateway", None, "id", None),
        "AWS::ApiGateway::Model": _t(_K.OTHER, "apigateway", "Name", "name", None),
        "AWS::ApiGateway::DomainName": _t(_K.OTHER, "apigateway", "DomainName", "name", None),
        "AWS::ApiGateway::BasePathMapping": _t(_K.OTHER, "apigateway", None, "id", None),
        "AWS::ApiGateway::Account": _t(_K.OTHER, "apigateway", None, "id", None),
        # --- API Gateway v2 (HTTP and WebSocket)
        "AWS::ApiGatewayV2::Api": _t(
            _K.API,
            "execute-api",
            "Name",
            "id",
            _HTTP_API["arn"],
            {"ApiId": "{id}", "ApiEndpoint": "https://{id}.execute-api.{region}.{url_suffix}"},
            _HTTP_API["sub_arns"],
            terraform=("aws_apigatewayv2_api",),
        ),
        "AWS::ApiGatewayV2::Route": _t(
            _K.ENDPOINT,
            "execute-api",
            None,
            "id",
            None,
            {"RouteId": "{id}"},
            terraform=("aws_apigatewayv2_route",),
            terraform_name="route_key",
        ),
        "AWS::ApiGatewayV2::Integration": _t(
            _K.OTHER, "apigateway", None, "id", None, {"IntegrationId": "{id}"}
        ),
        "AWS::ApiGatewayV2::Stage": _t(_K.OTHER, "apigateway", "StageName", "name", None),
        "AWS::ApiGatewayV2::Deployment": _t(
            _K.OTHER, "apigateway", None, "id", None, {"DeploymentId": "{id}"}
        ),
        "AWS::ApiGatewayV2::Authorizer": _t(
            _K.OTHER, "apigateway", None, "id", None, {"AuthorizerId": "{id}"}
        ),
        "AWS::ApiGatewayV2::DomainName": _t(_K.OTHER, "apigateway", "DomainName", "name", None),
        "AWS::ApiGatewayV2::ApiMapping": _t(_K.OTHER, "apigateway", None, "id", None),
        # --- AppSync
        "AWS::AppSync::GraphQLApi": _t(
            _K.API,
            "appsync",
            "Name",
            "arn",
            _ARN + ":appsync:" + _REGIONAL + ":apis/{id}",
            {
                "ApiId": "{id}",
                "Arn": "{arn}",
                "GraphQLUrl": "https://{id}.appsync-api.{region}.{url_suffix}/graphql",
                "GraphQLDns": "{id}.appsync-api.{region}.{url_suffix}",
                "RealtimeUrl": "wss://{id}.appsync-realtime-api.{region}.{url_suffix}/graphql",
            },
            ("{arn}/*",),
            terraform=("aws_appsync_graphql_api",),
        ),
        "AWS::AppSync::Api": _t(
            _K.API,
            "appsync",
            "Name",
            "arn",
            _ARN + ":appsync:" + _REGIONAL + ":apis/{id}",
            {"ApiId": "{id}", "ApiArn": "{arn}"},
            ("{arn}/*",),
        ),
        "AWS::AppSync::DataSource": _t(
            _K.OTHER,
            "appsync",
            "Name",
            "arn",
            _ARN + ":appsync:" + _REGIONAL + ":apis/{ApiId}/datasources/{name}",
            {"DataSourceArn": "{arn}", "Name": "{name}"},
            terraform=("aws_appsync_datasource",),
        ),
        "AWS::AppSync::Resolver": _t(
            _K.OTHER,
            "appsync",
            None,
            "arn",
            _ARN + ":appsync:" + _REGIONAL + ":apis/{ApiId}/types/{TypeName}/resolvers/{FieldName}",
            {"ResolverArn": "{arn}", "TypeName": "{TypeName}", "FieldName": "{FieldName}"},
        ),
        "AWS::AppSync::FunctionConfiguration": _t(
            _K.OTHER,
            "appsync",
            "Name",
            "arn",
            _ARN + ":appsync:" + _REGIONAL + ":apis/{ApiId}/functions/{uid_lower}",
            {"FunctionArn": "{arn}", "FunctionId": "{uid_lower}", "Name": "{name}"},
        ),
        "AWS::AppSync::ApiKey": _t(
            _K.OTHER,
            "appsync",
            None,
            "arn",
            _ARN + ":appsync:" + _REGIONAL + ":apis/{ApiId}/apikeys/{uid_lower}",
            {"Arn": "{arn}"},
            deploy_time=frozenset({"ApiKey"}),
        ),
        # --- Cognito
        "AWS::Cognito::UserPool": _t(
            _K.OTHER,
            "cognito-idp",
            "UserPoolName",
            "id",
            _ARN + ":cognito-idp:" + _REGIONAL + ":userpool/{id}",
            {
                "Arn": "{arn}",
                "UserPoolId": "{id}",
                "ProviderName": "cognito-idp.{region}.{url_suffix}/{id}",
                "ProviderURL": "https://cognito-idp.{region}.{url_suffix}/{id}",
            },
            id_format="{region}_{logical_id}",
        ),
        "AWS::Cognito::UserPoolClient": _t(
            _K.OTHER,
            "cognito-idp",
            "ClientName",
            "id",
            None,
            {"ClientId": "{id}", "Name": "{name}"},
            id_format="{uid_lower}",
            deploy_time=frozenset({"ClientSecret"}),
        ),
        "AWS::Cognito::IdentityPool": _t(
            _K.OTHER,
            "cognito-identity",
            "IdentityPoolName",
            "id",
            _ARN + ":cognito-identity:" + _REGIONAL + ":identitypool/{id}",
            {"Name": "{name}", "Id": "{id}"},
            id_format="{region}:{logical_id}",
        ),
        "AWS::Cognito::IdentityPoolRoleAttachment": _t(_K.OTHER, "cognito-identity", None, "id", None),
        # --- Containers and file systems
        "AWS::ElastiCache::CacheCluster": _t(
            _K.DATA,
            "elasticache",
            "ClusterName",
            "name",
            _ARN + ":elasticache:" + _REGIONAL + ":cluster:{name}",
            lowercase_name=True,
            terraform=("aws_elasticache_cluster",),
        ),
        "AWS::ECR::Repository": _t(
            _K.DATA,
            "ecr",
            "RepositoryName",
            "name",
            _ARN + ":ecr:" + _REGIONAL + ":repository/{name}",
            {"Arn": "{arn}", "RepositoryUri": "{account}.dkr.ecr.{region}.{url_suffix}/{name}"},
            lowercase_name=True,
            terraform=("aws_ecr_repository",),
            terraform_arn=True,
        ),
        "AWS::EFS::FileSystem": _t(
            _K.DATA,
            "elasticfilesystem",
            None,
            "id",
            _ARN + ":elasticfilesystem:" + _REGIONAL + ":file-system/{id}",
            {"Arn": "{arn}", "FileSystemId": "{id}"},
            terraform=("aws_efs_file_system",),
        ),
        "AWS::EFS::AccessPoint": _t(
            _K.DATA,
            "elasticfilesystem",
            None,
            "id",
            _ARN + ":elasticfilesystem:" + _REGIONAL + ":access-point/{id}",
            {"Arn": "{arn}", "AccessPointId": "{id}"},
        ),
        # --- Search and databases
        "AWS::OpenSearchService::Domain": _SEARCH_DOMAIN,
        "AWS::Elasticsearch::Domain": _SEARCH_DOMAIN,
        "AWS::OpenSearchServerless::Collection": _t(
            _K.DATA,
            "aoss",
            "Name",
            "id",
            _ARN + ":aoss:" + _REGIONAL + ":collection/{id}",
            {"Arn": "{arn}", "Id": "{id}", "CollectionEndpoint": "https://{id}.{region}.aoss.{url_suffix}"},
            id_format="{uid_lower}",
        ),
        "AWS::RDS::DBCluster": _t(
            _K.DATA,
            "rds",
            "DBClusterIdentifier",
            "name",
            _ARN + ":rds:" + _REGIONAL + ":cluster:{name}",
            {
                "DBClusterArn": "{arn}",
                "DBClusterResourceId": "cluster-{uid}",
                "Endpoint.Address": "{name}.cluster-{uid_lower}.{region}.rds.{url_suffix}",
                "ReadEndpoint.Address": "{name}.cluster-ro-{uid_lower}.{region}.rds.{url_suffix}",
            },
            (_ARN + ":rds-db:" + _REGIONAL + ":dbuser:cluster-{uid}/*",),
            lowercase_name=True,
            terraform=("aws_rds_cluster",),
        ),
        "AWS::RDS::DBInstance": _t(
            _K.DATA,
            "rds",
            "DBInstanceIdentifier",
            "name",
            _ARN + ":rds:" + _REGIONAL + ":db:{name}",
            {
                "DBInstanceArn": "{arn}",
                "DbiResourceId": "db-{uid}",
                "Endpoint.Address": "{name}.{uid_lower}.{region}.rds.{url_suffix}",
            },
            (_ARN + ":rds-db:" + _REGIONAL + ":dbuser:db-{uid}/*",),
            lowercase_name=True,
            terraform=("aws_db_instance",),
        ),
        "AWS::RDS::DBProxy": _t(
            _K.DATA,
            "rds",
            "DBProxyName",
            "name",
            _ARN + ":rds:" + _REGIONAL + ":db-proxy:prx-{uid_lower}",
            {"DBProxyArn": "{arn}", "Endpoint": "{name}.proxy-{uid_lower}.{region}.rds.{url_suffix}"},
            (_ARN + ":rds-db:" + _REGIONAL + ":dbuser:prx-{uid_lower}/*",),
            lowercase_name=True,
        ),
        "AWS::Timestream::Database": _t(
            _K.DATA,
            "timestream",
            "DatabaseName",
            "name",
            _ARN + ":timestream:" + _REGIONAL + ":database/{name}",
            {"Arn": "{arn}"},
            ("{arn}/table/*",),
        ),
        "AWS::Timestream::Table": _t(
            _K.DATA,
            "timestream",
            "TableName",
            "name",
            _ARN + ":timestream:" + _REGIONAL + ":database/{DatabaseName}/table/{name}",
            {"Arn": "{arn}", "Name": "{name}"},
        ),
        # --- Glue
        "AWS::Glue::Database": _t(
            _K.DATA,
            "glue",
            "DatabaseInput.Name",
            "name",
            _ARN + ":glue:" + _REGIONAL + ":database/{name}",
            sub_arns=(_ARN + ":glue:" + _REGIONAL + ":table/{name}/*",),
            lowercase_name=True,
        ),
        "AWS::Glue::Table": _t(
            _K.DATA,
            "glue",
            "TableInput.Name",
            "name",
            _ARN + ":glue:" + _REGIONAL + ":table/{DatabaseName}/{name}",
            lowercase_name=True,
        ),
        "AWS::Glue::Job": _t(_K.COMPUTE, "glue", "Name", "name", _ARN + ":glue:" + _REGIONAL + ":job/{name}"),
        "AWS::Glue::Crawler": _t(
            _K.OTHER, "glue", "Name", "name", _ARN + ":glue:" + _REGIONAL + ":crawler/{name}"
        ),
    }
)

# Terraform AWS provider types with no CloudFormation twin (the policy, target or
# notification is a property of its resource there): keyed by the Terraform name, which
# stays their canonical type. `type_info`, for CloudFormation templates, never sees them.
TERRAFORM_ONLY: Mapping[str, TypeInfo] = MappingProxyType(
    {
        t: _t(kind, service, None, "id", None, terraform=(t,), terraform_name=name)
        for t, kind, service, name in (
            ("aws_iam_role_policy", _K.POLICY, "iam", "name"),
            ("aws_iam_user_policy", _K.POLICY, "iam", "name"),
            ("aws_iam_group_policy", _K.POLICY, "iam", "name"),
            ("aws_iam_policy_document", _K.POLICY, "iam", "name"),
            ("aws_api_gateway_rest_api_policy", _K.PERMISSION, "execute-api", "name"),
            ("aws_ecr_repository_policy", _K.PERMISSION, "ecr", "name"),
            ("aws_cloudwatch_event_target", _K.EVENT_SOURCE, "events", "name"),
            ("aws_s3_bucket_notification", _K.EVENT_SOURCE, "s3", "bucket"),
        )
    }
)

# The Terraform aliases of each CloudFormation type, from the table above. Every model
# resource carries the canonical (CloudFormation) type as `Resource.aws_type`, so a
# rule compares one string and never pairs the two spellings by hand. Terraform types
# with no CloudFormation twin (`aws_s3_bucket_notification`) keep their own name.
TERRAFORM_ALIASES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {cfn: info.terraform for cfn, info in sorted(TYPES.items()) if info.terraform}
)
_CANONICAL = MappingProxyType({tf: cfn for cfn, aliases in TERRAFORM_ALIASES.items() for tf in aliases})


def canonical_type(native: str) -> str:
    """The CloudFormation type of a CloudFormation or Terraform type; else the type itself."""
    return _CANONICAL.get(native, native)


_REF_KINDS = frozenset({"name", "arn", "id", "url"})
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_.]*)(?:=([^{}]*))?\}")
_FIFO_FLAGS = {"AWS::SQS::Queue": "FifoQueue", "AWS::SNS::Topic": "FifoTopic"}
_SUFFIXES = {"aws-cn": "amazonaws.com.cn", "aws-iso": "c2s.ic.gov", "aws-iso-b": "sc2s.sgov.gov"}


def type_info(cfn_type: str) -> TypeInfo | None:
    """The table entry for a type; None for types the boundary does not know."""
    return TYPES.get(cfn_type) if isinstance(cfn_type, str) else None


def url_suffix(partition: str) -> str:
    """What `AWS::URLSuffix` is in a partition."""
    return _SUFFIXES.get(partition, "amazonaws.com")


def physical_name(
    logical_id: str, properties: Mapping[str, Any], info: TypeInfo | None, stack_name: str
) -> str | Symbolic:
    """The resource's name: its name property when set, else CloudFormation's generated shape.

    The generated placeholder is `{stack_name}-{logical_id}` (lowercased for
    services that require it, `.fifo` appended for FIFO queues and topics).
    A symbolic name property gives a `Symbolic`, never a guess.
    """
    if info is not None and info.name_property:
        value = _property(properties, info.name_property)
        if isinstance(value, Symbolic):
            return value
        if isinstance(value, str) and value:
            return value
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, (int, float)):
            return str(value)
        if value is not None and value != "":
            return Symbolic(
                text=f"${{{logical_id}.{info.name_property}}}",
                references=(logical_id,),
                reason=f"{info.name_property} of {logical_id} is not a string",
            )
    name = f"{stack_name}-{logical_id}"
    if info is not None and info.lowercase_name:
        name = name.lower()
    for cfn_type, flag in _FIFO_FLAGS.items():
        if info is TYPES[cfn_type] and properties.get(flag) in (True, "true", "True"):
            name += ".fifo"
    return name


def resource_arns(
    logical_id: str,
    properties: Mapping[str, Any],
    info: TypeInfo | None,
    *,
    partition: str,
    region: str,
    account: str,
    stack_name: str,
) -> tuple[str, ...]:
    """The ARN of the resource, then the sub-resource ARN patterns it answers to; () when unknown."""
    if info is None or info.arn is None:
        return ()
    context = _Context(logical_id, properties, info, partition, region, account, stack_name)
    arn = context.get("arn")
    if not isinstance(arn, str):
        return ()
    found = [arn]
    for pattern in info.sub_arns:
        value = context.render(pattern)
        if isinstance(value, str) and value not in found:
            found.append(value)
    return tuple(found)


def ref_value(
    logical_id: str,
    properties: Mapping[str, Any],
    info: TypeInfo | None,
    *,
    partition: str,
    region: str,
    account: str,
    stack_name: str,
    cfn_type: str = "",
) -> str | Symbolic:
    """What `!Ref logical_id` returns, as far as it is known offline."""
    if info is None or info.ref not in _REF_KINDS:
        what = cfn_type or "this resource type"
        return Symbolic(
            text=f"!Ref {logical_id}", references=(logical_id,), reason=f"Ref of {what} is not known offline"
        )
    context = _Context(logical_id, properties, info, partition, region, account, stack_name)
    value = context.render(info.ref_format or "{" + info.ref + "}")
    if isinstance(value, Symbolic):
        return Symbolic(text=f"!Ref {logical_id}", references=_with(logical_id, value), reason=value.reason)
    return value


def get_att(
    logical_id: str,
    properties: Mapping[str, Any],
    info: TypeInfo | None,
    attribute: str,
    *,
    partition: str,
    region: str,
    account: str,
    stack_name: str,
    cfn_type: str = "",
) -> str | Symbolic:
    """What `!GetAtt logical_id.attribute` returns, as far as it is known offline."""
    text = f"${{{logical_id}.{attribute}}}"
    what = cfn_type or "this resource type"
    if info is None:
        return Symbolic(
            text=text, references=(logical_id,), reason=f"unknown attribute {attribute} of {what}"
        )
    if attribute in info.deploy_time:
        return Symbolic(
            text=text,
            references=(logical_id,),
            reason=f"{attribute} of {logical_id} is only known once deployed",
        )
    pattern = info.attributes.get(attribute)
    if pattern is None:
        return Symbolic(
            text=text, references=(logical_id,), reason=f"unknown attribute {attribute} of {what}"
        )
    value = _Context(logical_id, properties, info, partition, region, account, stack_name).render(pattern)
    if isinstance(value, Symbolic):
        return Symbolic(text=text, references=_with(logical_id, value), reason=value.reason)
    return value


def _with(logical_id: str, value: Symbolic) -> tuple[str, ...]:
    return (logical_id, *sorted(set(value.references) - {logical_id}))


def _property(properties: Mapping[str, Any], dotted: str) -> Any:
    value: Any = properties
    for part in dotted.split("."):
        if isinstance(value, Symbolic):
            return value
        if not isinstance(value, Mapping):
            return None
        try:
            value = value.get(part)
        except LimitExceeded:
            raise
        except Exception:  # noqa: BLE001 - lazy property views may fail on odd input; unknown, not fatal
            return None
    return value


def _uid(seed: str) -> str:
    """A deterministic uppercase id: the same stack and logical id always give the same value."""
    return hashlib.sha256(seed.encode("utf-8")).hexdigest()[:16].upper()


class _Context:
    """Placeholder values for one resource, computed on demand (properties may be resolved lazily)."""

    __slots__ = ("info", "logical_id", "pending", "properties", "values")

    def __init__(
        self,
        logical_id: str,
        properties: Mapping[str, Any],
        info: TypeInfo,
        partition: str,
        region: str,
        account: str,
        stack_name: str,
    ) -> None:
        self.logical_id = logical_id
        self.properties = properties if isinstance(properties, Mapping) else {}
        self.info = info
        uid = _uid(f"{stack_name}/{logical_id}")
        self.values: dict[str, str | Symbolic | None] = {
            "partition": partition,
            "region": region,
            "account": account,
            "stack_name": stack_name,
            "logical_id": logical_id,
            "url_suffix": url_suffix(partition),
            "uid": uid,
            "uid_lower": uid.lower()[:10],
        }
        self.pending: set[str] = set()

    def get(self, key: str, default: str | None = None) -> str | Symbolic | None:
        if key in self.values:
            return self.values[key]
        if key in self.pending:
            return None
        self.pending.add(key)
        try:
            value = self.compute(key, default)
        finally:
            self.pending.discard(key)
        self.values[key] = value
        return value

    def compute(self, key: str, default: str | None) -> str | Symbolic | None:
        info = self.info
        if key == "name":
            stack_name = self.values["stack_name"]
            assert isinstance(stack_name, str)
            return physical_name(self.logical_id, self.properties, info, stack_name)
        if key == "id":
            return self.render(info.id_format)
        if key == "arn":
            return self.render(info.arn) if info.arn else None
        if key == "url":
            return self.render(info.url) if info.url else None
        if key == "path":
            path = self.properties.get("Path")
            if path is None:
                return "/"
            return path if isinstance(path, (str, Symbolic)) else None
        if key == "host":  # an OIDC provider's ARN names its issuer without the scheme
            name = self.get("name")
            return _host(name) if isinstance(name, str) else name
        if key == "slash_name":
            name = self.get("name")
            return "/" + name.lstrip("/") if isinstance(name, str) else name
        if key == "function_arn":
            return self._function_arn()
        if key[:1].isupper():
            value = _property(self.properties, key)
            if value is None:
                return default
            if isinstance(value, bool):
                return "true" if value else "false"
            if isinstance(value, (str, Symbolic)):
                return value
            if isinstance(value, (int, float)):
                return str(value)
        return None

    def _function_arn(self) -> str | Symbolic | None:
        target = self.properties.get("FunctionName", self.properties.get("TargetFunctionArn"))
        if not isinstance(target, str) or not target:
            return target if isinstance(target, Symbolic) else None
        if target.startswith("arn:"):
            parts = target.split(":")
            return ":".join(parts[:7])  # drop a version or alias qualifier
        if ":" in target:  # partial ARN 123456789012:function:name or name:qualifier
            parts = target.split(":")
            if len(parts) >= 3 and parts[1] == "function":
                target = parts[2]
            else:
                target = parts[0]
        return f"arn:{self.values['partition']}:lambda:{self.values['region']}:{self.values['account']}:function:{target}"

    def render(self, pattern: str) -> str | Symbolic:
        unknown: list[str] = []
        symbolic: list[Symbolic] = []

        def substitute(match: re.Match[str]) -> str:
            value = self.get(match.group(1), match.group(2))
            if isinstance(value, str):
                return value
            if isinstance(value, Symbolic):
                symbolic.append(value)
                return value.text
            unknown.append(match.group(1))
            return match.group(0)

        rendered = _PLACEHOLDER.sub(substitute, pattern)
        if not unknown and not symbolic:
            return rendered
        references = {self.logical_id}
        reasons: list[str] = []
        for value in symbolic:
            references.update(value.references)
            if value.reason and value.reason not in reasons:
                reasons.append(value.reason)
        for key in unknown:
            reasons.append(f"{_describe(key)} of {self.logical_id} is not known")
        return Symbolic(text=rendered, references=tuple(sorted(references)), reason="; ".join(reasons))


def _host(url: str) -> str:
    return url.split("://", 1)[-1].rstrip("/")


# --- Terraform: the same table, read through the aliases ------------------------------


def terraform_info(resource_type: str) -> TypeInfo | None:
    """The table entry of a Terraform type: its CloudFormation twin's, or its own."""
    twin = _CANONICAL.get(resource_type)
    return TYPES.get(twin) if twin is not None else TERRAFORM_ONLY.get(resource_type)


def kind_of(resource_type: str) -> ResourceKind:
    """The boundary kind of a Terraform type; OTHER for anything not listed."""
    info = terraform_info(resource_type)
    return info.kind if info is not None else ResourceKind.OTHER


def name_attribute(resource_type: str) -> str:
    """The attribute that holds a Terraform resource's own name (`name` unless listed)."""
    info = terraform_info(resource_type)
    return info.terraform_name if info is not None else "name"


_API_TYPES = frozenset({"AWS::ApiGateway::RestApi", "AWS::ApiGatewayV2::Api"})


def arns_for(
    resource_type: str,
    values: Mapping[str, Any],
    *,
    name: object,
    partition: str,
    region: str,
    account: str,
) -> tuple[str, ...]:
    """The ARNs a Terraform resource answers to: its `arn` when known, else spelled from
    its name by the type's `arn` format, then the `{arn}` sub-ARNs and those spelled
    from the name (a state machine's executions).

    APIs answer to their `execute-api` ARNs (`{api_id}/*`) when the id is known.
    Nothing is guessed from unknown values: an unknown name gives no ARN.
    """
    info = terraform_info(resource_type)
    if info is None:
        return ()
    arns: list[str] = []
    known = values.get("arn")
    spelled = isinstance(name, str) and bool(name) and info.terraform_arn
    words: dict[str, str] = {"partition": partition, "region": region, "account": account}
    if spelled:
        assert isinstance(name, str)
        words.update(name=name, slash_name="/" + name.lstrip("/"), host=_host(name), path=_iam_path(values))
    if isinstance(known, str) and known.startswith("arn:"):
        arns.append(known)
    elif spelled and info.arn is not None:
        arn = _spell(info.arn, words)
        if arn is not None:
            arns.append(arn)
    if canonical_type(resource_type) in _API_TYPES:
        api_id = values.get("id")
        if isinstance(api_id, str) and api_id:
            execution = values.get("execution_arn")
            base = (
                execution
                if isinstance(execution, str) and execution.startswith("arn:")
                else f"arn:{partition}:execute-api:{region}:{account}:{api_id}"
            )
            arns.append(f"{base}/*")
    elif arns and info.terraform_arn:
        words["arn"] = arns[0]
        for pattern in info.sub_arns:
            arn = _spell(pattern, words)
            if arn is not None:
                arns.append(arn)
    return tuple(dict.fromkeys(arns))


def _iam_path(values: Mapping[str, Any]) -> str:
    path = values.get("path")
    if not isinstance(path, str) or not path.startswith("/"):
        return "/"
    return path if path.endswith("/") else path + "/"


def _spell(pattern: str, words: Mapping[str, str]) -> str | None:
    """`pattern` with its placeholders filled from `words`; None when one is not known."""
    missing = False

    def substitute(match: re.Match[str]) -> str:
        nonlocal missing
        value = words.get(match.group(1))
        if value is None:
            missing = True
            return ""
        return value

    spelled = _PLACEHOLDER.sub(substitute, pattern)
    return None if missing else spelled


def _describe(key: str) -> str:
    if key[:1].isupper():
        return f"property {key}"
    return {"function_arn": "the target function", "path": "the IAM path"}.get(key, key)
