"""The resource-type table: names, Ref and GetAtt values, and the ARNs each type answers to."""

from __future__ import annotations

import re
from typing import Any

import pytest

from boundary.load._cfn_types import (
    TERRAFORM_ALIASES,
    TERRAFORM_ONLY,
    TYPES,
    TypeInfo,
    arns_for,
    canonical_type,
    get_att,
    kind_of,
    name_attribute,
    physical_name,
    ref_value,
    resource_arns,
    terraform_info,
    type_info,
)
from boundary.model import ResourceKind, Symbolic

ENV: dict[str, str] = {
    "partition": "aws",
    "region": "eu-west-1",
    "account": "111122223333",
    "stack_name": "shop",
}
K = ResourceKind


def info_of(cfn_type: str) -> TypeInfo:
    info = type_info(cfn_type)
    assert info is not None, cfn_type
    return info


def arns(cfn_type: str, properties: dict[str, Any] | None = None, logical_id: str = "Res") -> tuple[str, ...]:
    return resource_arns(logical_id, properties or {}, info_of(cfn_type), **ENV)


def ref(cfn_type: str, properties: dict[str, Any] | None = None, logical_id: str = "Res") -> str | Symbolic:
    return ref_value(logical_id, properties or {}, info_of(cfn_type), **ENV)


def att(cfn_type: str, attribute: str, properties: dict[str, Any] | None = None) -> str | Symbolic:
    return get_att("Res", properties or {}, info_of(cfn_type), attribute, **ENV)


@pytest.mark.parametrize(
    ("cfn_type", "kind", "service"),
    [
        ("AWS::Lambda::Function", K.COMPUTE, "lambda"),
        ("AWS::Lambda::Permission", K.PERMISSION, "lambda"),
        ("AWS::Lambda::EventSourceMapping", K.EVENT_SOURCE, "lambda"),
        ("AWS::Lambda::Url", K.ENDPOINT, "lambda"),
        ("AWS::Lambda::Alias", K.OTHER, "lambda"),
        ("AWS::Lambda::Version", K.OTHER, "lambda"),
        ("AWS::Lambda::LayerVersion", K.OTHER, "lambda"),
        ("AWS::DynamoDB::Table", K.DATA, "dynamodb"),
        ("AWS::DynamoDB::GlobalTable", K.DATA, "dynamodb"),
        ("AWS::SNS::Topic", K.DATA, "sns"),
        ("AWS::SNS::Subscription", K.EVENT_SOURCE, "sns"),
        ("AWS::SNS::TopicPolicy", K.PERMISSION, "sns"),
        ("AWS::SQS::Queue", K.DATA, "sqs"),
        ("AWS::SQS::QueuePolicy", K.PERMISSION, "sqs"),
        ("AWS::S3::Bucket", K.DATA, "s3"),
        ("AWS::S3::BucketPolicy", K.PERMISSION, "s3"),
        ("AWS::SecretsManager::Secret", K.DATA, "secretsmanager"),
        ("AWS::SSM::Parameter", K.DATA, "ssm"),
        ("AWS::KMS::Key", K.DATA, "kms"),
        ("AWS::KMS::Alias", K.OTHER, "kms"),
        ("AWS::Kinesis::Stream", K.DATA, "kinesis"),
        ("AWS::KinesisFirehose::DeliveryStream", K.DATA, "firehose"),
        ("AWS::StepFunctions::StateMachine", K.COMPUTE, "states"),
        ("AWS::StepFunctions::Activity", K.OTHER, "states"),
        ("AWS::Events::EventBus", K.DATA, "events"),
        ("AWS::Events::Rule", K.EVENT_SOURCE, "events"),
        ("AWS::Scheduler::Schedule", K.EVENT_SOURCE, "scheduler"),
        ("AWS::Logs::LogGroup", K.DATA, "logs"),
        ("AWS::IAM::Role", K.ROLE, "iam"),
        ("AWS::IAM::Policy", K.POLICY, "iam"),
        ("AWS::IAM::ManagedPolicy", K.POLICY, "iam"),
        ("AWS::IAM::User", K.USER, "iam"),
        ("AWS::IAM::Group", K.GROUP, "iam"),
        ("AWS::IAM::AccessKey", K.ACCESS_KEY, "iam"),
        ("AWS::IAM::InstanceProfile", K.OTHER, "iam"),
        ("AWS::ApiGateway::RestApi", K.API, "execute-api"),
        ("AWS::ApiGateway::Method", K.ENDPOINT, "execute-api"),
        ("AWS::ApiGateway::Resource", K.OTHER, "apigateway"),
        ("AWS::ApiGateway::Stage", K.OTHER, "apigateway"),
        ("AWS::ApiGateway::Deployment", K.OTHER, "apigateway"),
        ("AWS::ApiGateway::Authorizer", K.OTHER, "apigateway"),
        ("AWS::ApiGateway::ApiKey", K.OTHER, "apigateway"),
        ("AWS::ApiGateway::UsagePlan", K.OTHER, "apigateway"),
        ("AWS::ApiGatewayV2::Api", K.API, "execute-api"),
        ("AWS::ApiGatewayV2::Route", K.ENDPOINT, "execute-api"),
        ("AWS::ApiGatewayV2::Integration", K.OTHER, "apigateway"),
        ("AWS::ApiGatewayV2::Stage", K.OTHER, "apigateway"),
        ("AWS::ApiGatewayV2::Authorizer", K.OTHER, "apigateway"),
        ("AWS::AppSync::GraphQLApi", K.API, "appsync"),
        ("AWS::AppSync::DataSource", K.OTHER, "appsync"),
        ("AWS::AppSync::Resolver", K.OTHER, "appsync"),
        ("AWS::Cognito::UserPool", K.OTHER, "cognito-idp"),
        ("AWS::Cognito::IdentityPool", K.OTHER, "cognito-identity"),
        ("AWS::ECR::Repository", K.DATA, "ecr"),
        ("AWS::EFS::FileSystem", K.DATA, "elasticfilesystem"),
        ("AWS::EFS::AccessPoint", K.DATA, "elasticfilesystem"),
        ("AWS::MSK::Cluster", K.DATA, "kafka"),
        ("AWS::OpenSearchService::Domain", K.DATA, "es"),
        ("AWS::Elasticsearch::Domain", K.DATA, "es"),
        ("AWS::RDS::DBCluster", K.DATA, "rds"),
        ("AWS::RDS::DBInstance", K.DATA, "rds"),
        ("AWS::Timestream::Database", K.DATA, "timestream"),
        ("AWS::CloudWatch::Alarm", K.OTHER, "cloudwatch"),
        ("AWS::Glue::Database", K.DATA, "glue"),
    ],
)
def test_types_that_matter_are_known(cfn_type: str, kind: ResourceKind, service: str) -> None:
    info = info_of(cfn_type)
    assert (info.kind, info.service) == (kind, service)


@pytest.mark.parametrize("cfn_type", ["AWS::Serverless::Function", "Custom::Thing", "AWS::EC2::VPC", "", 42])
def test_unknown_types(cfn_type: Any) -> None:
    assert type_info(cfn_type) is None


_LOWER_PLACEHOLDERS = {
    "partition", "region", "account", "url_suffix", "stack_name", "logical_id",
    "name", "id", "arn", "url", "path", "uid", "uid_lower", "function_arn", "slash_name", "host",
}  # fmt: skip


def _formats(info: TypeInfo) -> list[str]:
    return [
        f
        for f in (
            info.arn,
            info.url,
            info.ref_format,
            info.id_format,
            *info.attributes.values(),
            *info.sub_arns,
        )
        if f
    ]


@pytest.mark.parametrize("cfn_type", sorted(TYPES))
def test_table_entries_are_consistent(cfn_type: str) -> None:
    info = TYPES[cfn_type]
    assert info.ref in {"name", "arn", "id", "url"}
    if info.ref == "url":
        assert info.url
    if info.ref == "arn" and info.ref_format is None:
        assert info.arn
    for pattern in _formats(info):
        for placeholder in re.findall(r"\{([A-Za-z_][\w.]*)", pattern):
            assert placeholder[0].isupper() or placeholder in _LOWER_PLACEHOLDERS, (cfn_type, placeholder)
    if info.arn and info.arn.startswith("arn:"):
        assert info.arn.split(":")[2] == info.service or info.service == "execute-api"


def _filled_properties(info: TypeInfo) -> dict[str, Any]:
    """Every property the formats read, set to something plausible."""
    properties: dict[str, Any] = {"FunctionName": "fn"}
    for pattern in _formats(info):
        for name in re.findall(r"\{([A-Z][\w.]*)", pattern):
            properties[name] = (
                "arn:aws:kinesis:eu-west-1:111122223333:stream/s" if name.endswith(("Arn", "ARN")) else "x"
            )
    return properties


@pytest.mark.parametrize("cfn_type", sorted(TYPES))
def test_every_type_resolves_ref_attributes_and_arns_offline(cfn_type: str) -> None:
    info = TYPES[cfn_type]
    properties = _filled_properties(info)
    value = ref_value("Res", properties, info, **ENV)
    assert isinstance(value, str) and value
    for attribute in info.attributes:
        assert isinstance(get_att("Res", properties, info, attribute, **ENV), str), attribute
    found = resource_arns("Res", properties, info, **ENV)
    assert bool(found) == bool(info.arn)
    for arn in found:
        assert arn.startswith("arn:aws:") and "{" not in arn
    assert len(set(found)) == len(found)
    if info.ref == "arn" and info.arn:
        assert value == found[0]


@pytest.mark.parametrize(
    ("cfn_type", "properties", "expected"),
    [
        ("AWS::DynamoDB::Table", {"TableName": "Bookings"}, "Bookings"),
        ("AWS::DynamoDB::Table", {}, "shop-Res"),
        ("AWS::S3::Bucket", {}, "shop-res"),
        ("AWS::S3::Bucket", {"BucketName": "MyBucket"}, "MyBucket"),  # given names are kept as written
        ("AWS::SQS::Queue", {"FifoQueue": True}, "shop-Res.fifo"),
        ("AWS::SNS::Topic", {"FifoTopic": "true"}, "shop-Res.fifo"),
        ("AWS::SNS::Topic", {"TopicName": ""}, "shop-Res"),
        ("AWS::Glue::Database", {"DatabaseInput": {"Name": "sales"}}, "sales"),
        ("AWS::SSM::Parameter", {"Name": 42}, "42"),
        ("AWS::KMS::Key", {}, "shop-Res"),
    ],
)
def test_physical_name(cfn_type: str, properties: dict[str, Any], expected: str) -> None:
    assert physical_name("Res", properties, info_of(cfn_type), "shop") == expected


def test_physical_name_of_an_unknown_type_is_the_generated_shape() -> None:
    assert physical_name("Res", {"Name": "x"}, None, "shop") == "shop-Res"


def test_symbolic_names_stay_symbolic() -> None:
    name = Symbolic(text="${Env}-table", reason="parameter Env has no default value and no override")
    info = info_of("AWS::DynamoDB::Table")
    assert physical_name("Res", {"TableName": name}, info, "shop") is name
    assert resource_arns("Res", {"TableName": name}, info, **ENV) == ()
    for value in (
        ref_value("Res", {"TableName": name}, info, **ENV),
        get_att("Res", {"TableName": name}, info, "Arn", **ENV),
    ):
        assert isinstance(value, Symbolic)
        assert value.references == ("Res",)
        assert value.reason == name.reason
    broken = physical_name("Res", {"TableName": ["a"]}, info, "shop")
    assert isinstance(broken, Symbolic) and "not a string" in broken.reason


@pytest.mark.parametrize(
    ("cfn_type", "properties", "expected"),
    [
        (
            "AWS::DynamoDB::Table",
            {"TableName": "Bookings"},
            (
                "arn:aws:dynamodb:eu-west-1:111122223333:table/Bookings",
                "arn:aws:dynamodb:eu-west-1:111122223333:table/Bookings/index/*",
                "arn:aws:dynamodb:eu-west-1:111122223333:table/Bookings/stream/*",
                "arn:aws:dynamodb:eu-west-1:111122223333:table/Bookings/backup/*",
                "arn:aws:dynamodb:eu-west-1:111122223333:table/Bookings/export/*",
            ),
        ),
        ("AWS::S3::Bucket", {"BucketName": "b"}, ("arn:aws:s3:::b", "arn:aws:s3:::b/*")),
        (
            "AWS::Logs::LogGroup",
            {"LogGroupName": "/aws/lambda/f"},
            (
                "arn:aws:logs:eu-west-1:111122223333:log-group:/aws/lambda/f",
                "arn:aws:logs:eu-west-1:111122223333:log-group:/aws/lambda/f:*",
                "arn:aws:logs:eu-west-1:111122223333:log-group:/aws/lambda/f:log-stream:*",
            ),
        ),
        (
            "AWS::ApiGateway::RestApi",
            {"Name": "shop-api"},
            (
                "arn:aws:execute-api:eu-west-1:111122223333:Res",
                "arn:aws:execute-api:eu-west-1:111122223333:Res/*",
                "arn:aws:apigateway:eu-west-1::/restapis/Res",
                "arn:aws:apigateway:eu-west-1::/restapis/Res/*",
            ),
        ),
        (
            "AWS::ApiGatewayV2::Api",
            {},
            (
                "arn:aws:execute-api:eu-west-1:111122223333:Res",
                "arn:aws:execute-api:eu-west-1:111122223333:Res/*",
                "arn:aws:apigateway:eu-west-1::/apis/Res",
                "arn:aws:apigateway:eu-west-1::/apis/Res/*",
            ),
        ),
        ("AWS::IAM::Role", {"RoleName": "r", "Path": "/svc/"}, ("arn:aws:iam::111122223333:role/svc/r",)),
        ("AWS::IAM::Role", {}, ("arn:aws:iam::111122223333:role/shop-Res",)),
        (
            "AWS::SSM::Parameter",
            {"Name": "/app/key"},
            ("arn:aws:ssm:eu-west-1:111122223333:parameter/app/key",),
        ),
        ("AWS::SSM::Parameter", {"Name": "key"}, ("arn:aws:ssm:eu-west-1:111122223333:parameter/key",)),
        (
            "AWS::Lambda::Alias",
            {"FunctionName": "arn:aws:lambda:eu-west-1:111122223333:function:f:7", "Name": "live"},
            ("arn:aws:lambda:eu-west-1:111122223333:function:f:live",),
        ),
        (
            "AWS::Lambda::Alias",
            {"FunctionName": "f", "Name": "live"},
            ("arn:aws:lambda:eu-west-1:111122223333:function:f:live",),
        ),
        ("AWS::Lambda::Alias", {"Name": "live"}, ()),  # the function is unknown
        ("AWS::Lambda::Permission", {"FunctionName": "f"}, ()),
        (
            "AWS::Cognito::UserPool",
            {},
            ("arn:aws:cognito-idp:eu-west-1:111122223333:userpool/eu-west-1_Res",),
        ),
    ],
)
def test_resource_arns(cfn_type: str, properties: dict[str, Any], expected: tuple[str, ...]) -> None:
    assert arns(cfn_type, properties) == expected


@pytest.mark.parametrize(
    ("cfn_type", "properties", "expected"),
    [
        ("AWS::DynamoDB::Table", {"TableName": "T"}, "T"),
        ("AWS::SNS::Topic", {"TopicName": "t"}, "arn:aws:sns:eu-west-1:111122223333:t"),
        ("AWS::SQS::Queue", {"QueueName": "q"}, "https://sqs.eu-west-1.amazonaws.com/111122223333/q"),
        ("AWS::Lambda::Function", {}, "shop-Res"),
        (
            "AWS::StepFunctions::StateMachine",
            {},
            "arn:aws:states:eu-west-1:111122223333:stateMachine:shop-Res",
        ),
        ("AWS::ApiGateway::RestApi", {"Name": "api"}, "Res"),
        ("AWS::KMS::Key", {}, "Res"),
        ("AWS::Lambda::Url", {"TargetFunctionArn": "f"}, "arn:aws:lambda:eu-west-1:111122223333:function:f"),
        ("AWS::Lambda::Version", {"FunctionName": "f"}, "arn:aws:lambda:eu-west-1:111122223333:function:f:1"),
    ],
)
def test_ref_value(cfn_type: str, properties: dict[str, Any], expected: str) -> None:
    assert ref(cfn_type, properties) == expected


def test_secret_ref_and_arn_agree() -> None:
    value = ref("AWS::SecretsManager::Secret", {"Name": "db"})
    assert value == arns("AWS::SecretsManager::Secret", {"Name": "db"})[0]
    assert value == att("AWS::SecretsManager::Secret", "Id", {"Name": "db"})
    assert isinstance(value, str) and re.fullmatch(
        r"arn:aws:secretsmanager:eu-west-1:111122223333:secret:db-\w{6}", value
    )


@pytest.mark.parametrize(
    ("cfn_type", "attribute", "properties", "expected"),
    [
        (
            "AWS::DynamoDB::Table",
            "Arn",
            {"TableName": "T"},
            "arn:aws:dynamodb:eu-west-1:111122223333:table/T",
        ),
        (
            "AWS::DynamoDB::Table",
            "StreamArn",
            {"TableName": "T"},
            "arn:aws:dynamodb:eu-west-1:111122223333:table/T/stream/1970-01-01T00:00:00.000",
        ),
        ("AWS::SNS::Topic", "TopicName", {"TopicName": "t"}, "t"),
        ("AWS::SQS::Queue", "Arn", {"QueueName": "q"}, "arn:aws:sqs:eu-west-1:111122223333:q"),
        (
            "AWS::SQS::Queue",
            "QueueUrl",
            {"QueueName": "q"},
            "https://sqs.eu-west-1.amazonaws.com/111122223333/q",
        ),
        ("AWS::S3::Bucket", "DomainName", {"BucketName": "b"}, "b.s3.amazonaws.com"),
        (
            "AWS::Logs::LogGroup",
            "Arn",
            {"LogGroupName": "g"},
            "arn:aws:logs:eu-west-1:111122223333:log-group:g:*",
        ),
        (
            "AWS::Lambda::Function",
            "Arn",
            {"FunctionName": "f"},
            "arn:aws:lambda:eu-west-1:111122223333:function:f",
        ),
        ("AWS::ApiGatewayV2::Api", "ApiEndpoint", {}, "https://Res.execute-api.eu-west-1.amazonaws.com"),
        ("AWS::SSM::Parameter", "Value", {"Value": "v"}, "v"),
    ],
)
def test_get_att(cfn_type: str, attribute: str, properties: dict[str, Any], expected: str) -> None:
    assert att(cfn_type, attribute, properties) == expected


def test_role_id_is_deterministic_and_per_resource() -> None:
    info = info_of("AWS::IAM::Role")
    first = get_att("A", {}, info, "RoleId", **ENV)
    assert first == get_att("A", {}, info, "RoleId", **ENV)
    assert first != get_att("B", {}, info, "RoleId", **ENV)
    assert isinstance(first, str) and first.startswith("AROA")


@pytest.mark.parametrize(
    ("cfn_type", "attribute", "reason"),
    [
        ("AWS::DynamoDB::Table", "Foo", "unknown attribute Foo of AWS::DynamoDB::Table"),
        ("AWS::IAM::AccessKey", "SecretAccessKey", "SecretAccessKey of Res is only known once deployed"),
        ("AWS::Lambda::Alias", "AliasArn", "the target function of Res is not known"),
    ],
)
def test_unknown_attributes_are_symbolic(cfn_type: str, attribute: str, reason: str) -> None:
    value = get_att("Res", {}, info_of(cfn_type), attribute, cfn_type=cfn_type, **ENV)
    assert isinstance(value, Symbolic)
    assert value.references == ("Res",)
    assert value.text == f"${{Res.{attribute}}}"
    assert value.reason == reason


def test_unknown_types_are_symbolic() -> None:
    by_ref = ref_value("Res", {}, None, cfn_type="Custom::Thing", **ENV)
    by_att = get_att("Res", {}, None, "Arn", cfn_type="Custom::Thing", **ENV)
    assert by_ref == Symbolic("!Ref Res", ("Res",), "Ref of Custom::Thing is not known offline")
    assert by_att == Symbolic("${Res.Arn}", ("Res",), "unknown attribute Arn of Custom::Thing")
    assert resource_arns("Res", {}, None, **ENV) == ()


def test_partition_sets_arns_and_url_suffix() -> None:
    china = {**ENV, "partition": "aws-cn", "region": "cn-north-1"}
    info = info_of("AWS::SQS::Queue")
    assert resource_arns("Q", {"QueueName": "q"}, info, **china) == (
        "arn:aws-cn:sqs:cn-north-1:111122223333:q",
    )
    assert (
        ref_value("Q", {"QueueName": "q"}, info, **china)
        == "https://sqs.cn-north-1.amazonaws.com.cn/111122223333/q"
    )


# --- the same table read by the Terraform loader ----------------------------------------

_TF = {"partition": "aws", "region": "eu-west-1", "account": "111122223333"}


@pytest.mark.parametrize(
    ("tf_type", "values", "name", "expected"),
    [
        (
            "aws_dynamodb_table",
            {},
            "Orders",
            (
                "arn:aws:dynamodb:eu-west-1:111122223333:table/Orders",
                "arn:aws:dynamodb:eu-west-1:111122223333:table/Orders/index/*",
                "arn:aws:dynamodb:eu-west-1:111122223333:table/Orders/stream/*",
                "arn:aws:dynamodb:eu-west-1:111122223333:table/Orders/backup/*",
                "arn:aws:dynamodb:eu-west-1:111122223333:table/Orders/export/*",
            ),
        ),
        (
            "aws_secretsmanager_secret",
            {},
            "partner",
            ("arn:aws:secretsmanager:eu-west-1:111122223333:secret:partner-RANDOM",),
        ),
        (
            "aws_cloudwatch_log_group",
            {},
            "/aws/lambda/fn",
            (
                "arn:aws:logs:eu-west-1:111122223333:log-group:/aws/lambda/fn",
                "arn:aws:logs:eu-west-1:111122223333:log-group:/aws/lambda/fn:*",
                "arn:aws:logs:eu-west-1:111122223333:log-group:/aws/lambda/fn:log-stream:*",
            ),
        ),
        (
            "aws_iam_role",
            {"path": "/service"},
            "worker",
            ("arn:aws:iam::111122223333:role/service/worker",),
        ),
        (
            "aws_iam_openid_connect_provider",
            {},
            "https://token.actions.githubusercontent.com/",
            ("arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com",),
        ),
        ("aws_ssm_parameter", {}, "/app/key", ("arn:aws:ssm:eu-west-1:111122223333:parameter/app/key",)),
        (
            "aws_lambda_function",
            {"arn": "arn:aws:lambda:us-east-1:1:function:known"},
            "ignored",
            ("arn:aws:lambda:us-east-1:1:function:known", "arn:aws:lambda:us-east-1:1:function:known:*"),
        ),
        # an unknown name gives no ARN; a type whose ARN is not spelled from its name neither
        ("aws_dynamodb_table", {}, None, ()),
        ("aws_db_instance", {}, "orders", ()),
        ("aws_not_a_type", {}, "x", ()),
        (
            "aws_apigatewayv2_api",
            {"id": "abc123"},
            "api",
            ("arn:aws:execute-api:eu-west-1:111122223333:abc123/*",),
        ),
    ],
)
def test_terraform_arns_come_from_the_same_formats(
    tf_type: str, values: dict[str, Any], name: object, expected: tuple[str, ...]
) -> None:
    assert arns_for(tf_type, values, name=name, **_TF) == expected


def test_a_terraform_type_and_its_twin_are_one_entry() -> None:
    assert terraform_info("aws_sqs_queue") is TYPES["AWS::SQS::Queue"]
    assert canonical_type("aws_sqs_queue") == "AWS::SQS::Queue"
    assert kind_of("aws_sqs_queue") is K.DATA
    assert name_attribute("aws_lambda_function") == "function_name"
    assert name_attribute("aws_sqs_queue") == "name"
    # no twin: its own entry, its own name as the canonical type, never seen by CloudFormation
    assert kind_of("aws_s3_bucket_notification") is K.EVENT_SOURCE
    assert canonical_type("aws_s3_bucket_notification") == "aws_s3_bucket_notification"
    assert type_info("aws_s3_bucket_notification") is None
    assert kind_of("aws_unknown_thing") is K.OTHER
    for cfn_type, aliases in TERRAFORM_ALIASES.items():
        assert TYPES[cfn_type].terraform == aliases
        for alias in aliases:
            assert alias not in TERRAFORM_ONLY
