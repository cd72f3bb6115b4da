"""SAM expansion: the translator's CloudFormation, offline, with the origin of every resource."""

from __future__ import annotations

import copy
import json
import re
import socket
import textwrap
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
from samtranslator.internal.managed_policies import get_bundled_managed_policy_map  # type: ignore[import-untyped]
from samtranslator.policy_template_processor.processor import PolicyTemplatesProcessor  # type: ignore[import-untyped]
from samtranslator.translator import translator as translator_module  # type: ignore[import-untyped]
from samtranslator.translator.arn_generator import ArnGenerator  # type: ignore[import-untyped]

from boundary.load import sam
from boundary.load._errors import SourceError
from boundary.load._yaml import Document, parse_document
from boundary.load.options import LoadOptions
from boundary.load.sam import LOCAL_BUCKET, Expansion, expand, is_sam

POLICY_TEMPLATES: dict[str, Any] = PolicyTemplatesProcessor.get_default_policy_templates_json()["Templates"]
MANAGED = get_bundled_managed_policy_map("aws")


# -- helpers ----------------------------------------------------------------------------------


def _document(text: str, file: str = "template.yaml") -> Document:
    return parse_document(textwrap.dedent(text), file)


def _expand_text(text: str, tmp_path: Path | None = None, **kwargs: Any) -> Expansion:
    document = _document(text)
    base = str(tmp_path) if tmp_path is not None else None
    return expand(document.data, file="template.yaml", base_dir=base, locate=document.locate, **kwargs)


def _expand_file(path: Path) -> tuple[Document, Expansion]:
    document = parse_document(path.read_text(encoding="utf-8"), str(path))
    return document, expand(document.data, file=str(path), base_dir=str(path.parent), locate=document.locate)


def _resolve(data: Any, path: Sequence[str | int]) -> Any:
    """The element at `path`, or a KeyError naming the missing step."""
    node = data
    for step in path:
        in_mapping = isinstance(node, Mapping) and step in node
        in_list = isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node)
        if not (in_mapping or in_list):
            raise KeyError(f"{step!r} of {tuple(path)!r}")
        node = node[step]
    return node


def _assert_origins_complete(source: Mapping[str, Any], expansion: Expansion) -> None:
    """Every output resource has an origin, and every origin is a real place in the source."""
    resources = expansion.template["Resources"]
    assert set(expansion.origins) == set(resources)
    for logical_id, origin in expansion.origins.items():
        assert all(type(step) in (str, int) for step in origin), (logical_id, origin)
        _resolve(source, origin)
        if logical_id not in source["Resources"]:
            assert origin[0] == "Resources" and len(origin) >= 2, (logical_id, origin)


def _role_statements(template: Mapping[str, Any], role_id: str) -> list[dict[str, Any]]:
    role = template["Resources"][role_id]
    assert role["Type"] == "AWS::IAM::Role"
    return [
        statement
        for policy in role["Properties"].get("Policies", [])
        for statement in policy["PolicyDocument"]["Statement"]
    ]


def _actions(statements: Sequence[Mapping[str, Any]]) -> list[list[str]]:
    def listed(value: Any) -> list[str]:
        return [value] if isinstance(value, str) else list(value)

    return [listed(statement["Action"]) for statement in statements]


@pytest.fixture(scope="module")
def secure(samples_dir: Path) -> tuple[Document, Expansion]:
    return _expand_file(samples_dir / "sam" / "secure" / "template.yaml")


@pytest.fixture(scope="module")
def insecure(samples_dir: Path) -> tuple[Document, Expansion]:
    return _expand_file(samples_dir / "sam" / "insecure" / "template.yaml")


# -- is_sam ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("transform", "expected"),
    [
        ("AWS::Serverless-2016-10-31", True),
        (" AWS::Serverless-2016-10-31 ", True),
        (["AWS::LanguageExtensions", "AWS::Serverless-2016-10-31"], True),
        (["AWS::Serverless-2016-10-31"], True),
        (["AWS::LanguageExtensions"], False),
        ("AWS::Serverless-2015-01-01", False),
        ("AWS::Include", False),
        ({"Name": "AWS::Serverless-2016-10-31"}, False),
        ([{"Name": "AWS::Include"}], False),
        (None, False),
        (20161031, False),
    ],
)
def test_is_sam(transform: Any, expected: bool) -> None:
    assert is_sam({"Transform": transform, "Resources": {}}) is expected


def test_is_sam_without_transform() -> None:
    assert is_sam({"Resources": {"T": {"Type": "AWS::SNS::Topic"}}}) is False


# -- the samples ---------------------------------------------------------------------------------


@pytest.mark.parametrize("form", ["secure", "insecure"])
def test_samples_expand_with_complete_origins(form: str, samples_dir: Path) -> None:
    document, expansion = _expand_file(samples_dir / "sam" / form / "template.yaml")
    assert "Transform" not in expansion.template
    assert not any(
        resource["Type"].startswith("AWS::Serverless::")
        for resource in expansion.template["Resources"].values()
    )
    _assert_origins_complete(document.data, expansion)


def test_secure_sample_has_one_implicit_role_per_function(secure: tuple[Document, Expansion]) -> None:
    document, expansion = secure
    resources = expansion.template["Resources"]
    functions = [
        logical_id
        for logical_id, resource in document.data["Resources"].items()
        if resource["Type"] == "AWS::Serverless::Function"
    ]
    roles = {resources[f]["Properties"]["Role"]["Fn::GetAtt"][0] for f in functions}
    assert roles == {f"{f}Role" for f in functions}
    for function in functions:
        assert expansion.origins[f"{function}Role"] == ("Resources", function)


def test_confirm_booking_role_is_exactly_what_the_sample_says(secure: tuple[Document, Expansion]) -> None:
    document, expansion = secure
    role = expansion.template["Resources"]["ConfirmBookingRole"]["Properties"]
    declared = document.data["Resources"]["ConfirmBooking"]["Properties"]["Policies"]
    assert _role_statements(expansion.template, "ConfirmBookingRole") == declared[0]["Statement"]
    assert _role_statements(expansion.template, "ConfirmBookingRole") == [
        {
            "Effect": "Allow",
            "Action": "dynamodb:UpdateItem",
            "Resource": {"Fn::GetAtt": ["BookingTable", "Arn"]},
        }
    ]
    assert (
        role["ManagedPolicyArns"]
        == [f"arn:aws:iam::aws:policy/service-role/{'AWSLambdaBasicExecutionRole'}"]
        == [MANAGED["AWSLambdaBasicExecutionRole"]]
    )
    trust = role["AssumeRolePolicyDocument"]["Statement"]
    assert [s["Principal"] for s in trust] == [{"Service": ["lambda.amazonaws.com"]}]


def test_secure_sample_role_policies_follow_each_function_declaration(
    secure: tuple[Document, Expansion],
) -> None:
    """Inline statements come through as written; policy templates as their catalog definition."""
    document, expansion = secure
    for logical_id, resource in document.data["Resources"].items():
        if resource["Type"] not in ("AWS::Serverless::Function", "AWS::Serverless::StateMachine"):
            continue
        expected: list[dict[str, Any]] = []
        for policy in resource["Properties"]["Policies"]:
            if "Statement" in policy:
                expected.extend(policy["Statement"])
            else:
                (name,) = policy
                expected.extend(POLICY_TEMPLATES[name]["Definition"]["Statement"])
        actual = _role_statements(expansion.template, f"{logical_id}Role")
        assert _actions(actual) == _actions(expected), logical_id


def test_secure_sample_policy_template_resources_are_substituted(secure: tuple[Document, Expansion]) -> None:
    _, expansion = secure
    (statement,) = _role_statements(expansion.template, "NotifyBookingRole")
    assert statement["Action"] == ["sns:Publish"]
    assert statement["Resource"]["Fn::Sub"][1] == {"topicName": {"Fn::GetAtt": ["BookingTopic", "TopicName"]}}


def test_secure_loyalty_api_requires_iam(secure: tuple[Document, Expansion]) -> None:
    _, expansion = secure
    body = expansion.template["Resources"]["LoyaltyApi"]["Properties"]["Body"]
    operation = body["paths"]["/loyalty/{customerId}"]["get"]
    assert operation["security"] == [{"AWS_IAM": []}]
    assert body["securityDefinitions"]["AWS_IAM"]["x-amazon-apigateway-authtype"] == "awsSigv4"


def test_insecure_sample_shares_one_role(insecure: tuple[Document, Expansion]) -> None:
    _, expansion = insecure
    resources = expansion.template["Resources"]
    for function in ("ReserveBooking", "ConfirmBooking", "CancelBooking"):
        assert resources[function]["Properties"]["Role"] == {"Fn::GetAtt": ["BookingRole", "Arn"]}
        assert f"{function}Role" not in resources


def test_local_code_uri_becomes_placeholder(secure: tuple[Document, Expansion]) -> None:
    _, expansion = secure
    code = expansion.template["Resources"]["ReserveBooking"]["Properties"]["Code"]
    assert code == {"S3Bucket": LOCAL_BUCKET, "S3Key": "src/reserve_booking"}


# -- origins -------------------------------------------------------------------------------------

IMPLICIT_APIS = """
    AWSTemplateFormatVersion: "2010-09-09"
    Transform: AWS::Serverless-2016-10-31
    Resources:
      Table:
        Type: AWS::DynamoDB::Table
        Properties:
          KeySchema: [{AttributeName: id, KeyType: HASH}]
          AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
      GetLoyalty:
        Type: AWS::Serverless::Function
        Metadata:
          checkov:
            skip: [{id: CKV_AWS_116}]
        Properties:
          Runtime: python3.12
          Handler: app.handler
          InlineCode: "def handler(event, context): return {}"
          Events:
            GetApi:
              Type: Api
              Properties: {Path: "/loyalty/{id}", Method: get}
            GetApiTwo:
              Type: Api
              Properties: {Path: /loyalty, Method: get}
            Bookings:
              Type: HttpApi
              Properties: {Path: /bookings, Method: post}
          FunctionUrlConfig:
            AuthType: AWS_IAM
          AutoPublishAlias: live
          DeploymentPreference:
            Type: AllAtOnce
      Store:
        Type: AWS::Serverless::Function
        Properties:
          Runtime: python3.12
          Handler: app.handler
          InlineCode: "def handler(event, context): return {}"
        Connectors:
          TableWrite:
            Properties:
              Destination: {Id: Table}
              Permissions: [Write]
      ReadConnector:
        Type: AWS::Serverless::Connector
        Properties:
          Source: {Id: GetLoyalty}
          Destination: {Id: Table}
          Permissions: [Read]
      Layer:
        Type: AWS::Serverless::LayerVersion
        Properties:
          ContentUri: layers/common
"""


@pytest.fixture(scope="module")
def implicit() -> tuple[Document, Expansion]:
    document = _document(IMPLICIT_APIS)
    return document, expand(document.data, file="t.yaml", locate=document.locate)


def _ids_of_type(expansion: Expansion, kind: str) -> list[str]:
    return [k for k, v in expansion.template["Resources"].items() if v["Type"] == kind]


@pytest.mark.parametrize(
    ("logical_id", "origin"),
    [
        ("GetLoyaltyRole", ("Resources", "GetLoyalty")),
        ("GetLoyalty", ("Resources", "GetLoyalty")),
        ("ServerlessRestApi", ("Resources", "GetLoyalty", "Properties", "Events", "GetApi")),
        ("ServerlessRestApiProdStage", ("Resources", "GetLoyalty", "Properties", "Events", "GetApi")),
        ("GetLoyaltyGetApiPermissionProd", ("Resources", "GetLoyalty", "Properties", "Events", "GetApi")),
        (
            "GetLoyaltyGetApiTwoPermissionProd",
            ("Resources", "GetLoyalty", "Properties", "Events", "GetApiTwo"),
        ),
        ("ServerlessHttpApi", ("Resources", "GetLoyalty", "Properties", "Events", "Bookings")),
        ("GetLoyaltyBookingsPermission", ("Resources", "GetLoyalty", "Properties", "Events", "Bookings")),
        ("GetLoyaltyUrl", ("Resources", "GetLoyalty", "Properties", "FunctionUrlConfig")),
        ("GetLoyaltyAliaslive", ("Resources", "GetLoyalty")),
        ("GetLoyaltyDeploymentGroup", ("Resources", "GetLoyalty")),
        ("CodeDeployServiceRole", ("Resources", "GetLoyalty")),
        ("ServerlessDeploymentApplication", ("Resources", "GetLoyalty")),
        ("StoreTableWritePolicy", ("Resources", "Store", "Connectors", "TableWrite")),
        ("ReadConnectorPolicy", ("Resources", "ReadConnector")),
    ],
)
def test_origin(implicit: tuple[Document, Expansion], logical_id: str, origin: tuple[str, ...]) -> None:
    _, expansion = implicit
    assert logical_id in expansion.template["Resources"], sorted(expansion.template["Resources"])
    assert expansion.origins[logical_id] == origin


@pytest.mark.parametrize(
    ("kind", "origin"),
    [
        ("AWS::ApiGateway::Deployment", ("Resources", "GetLoyalty", "Properties", "Events", "GetApi")),
        ("AWS::Lambda::Version", ("Resources", "GetLoyalty")),
        ("AWS::Lambda::LayerVersion", ("Resources", "Layer")),
    ],
)
def test_origin_of_hashed_ids(
    implicit: tuple[Document, Expansion], kind: str, origin: tuple[str, ...]
) -> None:
    _, expansion = implicit
    (logical_id,) = _ids_of_type(expansion, kind)
    assert expansion.origins[logical_id] == origin


def test_implicit_template_origins_complete(implicit: tuple[Document, Expansion]) -> None:
    document, expansion = implicit
    _assert_origins_complete(document.data, expansion)


def test_connector_policies_keep_connector_metadata(implicit: tuple[Document, Expansion]) -> None:
    """The origin trace must not replace the translator's `aws:sam:connectors` metadata."""
    _, expansion = implicit
    for logical_id in ("StoreTableWritePolicy", "ReadConnectorPolicy"):
        metadata = expansion.template["Resources"][logical_id]["Metadata"]
        assert list(metadata) == ["aws:sam:connectors"]


def test_metadata_passes_through_to_generated_resources(implicit: tuple[Document, Expansion]) -> None:
    """Suppressions written on a SAM resource reach what it generates, and nothing else is added."""
    document, expansion = implicit
    declared = document.data["Resources"]["GetLoyalty"]["Metadata"]
    resources = expansion.template["Resources"]
    for logical_id in ("GetLoyalty", "GetLoyaltyRole", "GetLoyaltyUrl"):
        assert resources[logical_id]["Metadata"] == declared
    assert "Metadata" not in resources["StoreRole"]


@pytest.mark.parametrize(
    ("logical_id", "origin"),
    [
        ("NotifyBookingUrl", ("Resources", "NotifyBooking", "Properties", "FunctionUrlConfig")),
        (
            "NotifyBookingUrlPublicPermissions",
            ("Resources", "NotifyBooking", "Properties", "FunctionUrlConfig"),
        ),
        ("ServerlessHttpApi", ("Resources", "ReserveBooking", "Properties", "Events", "CreateBooking")),
        (
            "ReserveBookingCreateBookingPermission",
            ("Resources", "ReserveBooking", "Properties", "Events", "CreateBooking"),
        ),
        ("LoyaltyApiprodStage", ("Resources", "LoyaltyApi")),
        ("GetLoyaltyGetApiPermissionprod", ("Resources", "GetLoyalty", "Properties", "Events", "GetApi")),
        (
            "IngestLoyaltyBookingNotification",
            ("Resources", "IngestLoyalty", "Properties", "Events", "BookingNotification"),
        ),
        ("ProcessBookingRole", ("Resources", "ProcessBooking")),
        ("BookingRole", ("Resources", "BookingRole")),
    ],
)
def test_insecure_sample_origin(
    insecure: tuple[Document, Expansion], logical_id: str, origin: tuple[str, ...]
) -> None:
    _, expansion = insecure
    assert expansion.origins[logical_id] == origin


def test_every_function_url_resource_points_at_its_config(insecure: tuple[Document, Expansion]) -> None:
    """Whatever the translator version names them (`...Url`, `...URLInvoke...`), URL resources trace to the config."""
    _, expansion = insecure
    generated = [
        k
        for k, v in expansion.template["Resources"].items()
        if k.lower().startswith("notifybookingurl")
        and v["Type"] in ("AWS::Lambda::Url", "AWS::Lambda::Permission")
    ]
    assert len(generated) >= 2
    for logical_id in generated:
        assert expansion.origins[logical_id] == (
            "Resources",
            "NotifyBooking",
            "Properties",
            "FunctionUrlConfig",
        )


# -- policy templates ----------------------------------------------------------------------------


def _plausible(parameter: str) -> str:
    if parameter.endswith("Arn"):
        return f"arn:aws:example:us-east-1:123456789012:{parameter.lower()}/example"
    return f"example-{parameter.lower()}"


def _policy_template_document() -> dict[str, Any]:
    resources: dict[str, Any] = {}
    for index, (name, template) in enumerate(sorted(POLICY_TEMPLATES.items())):
        parameters = {p: _plausible(p) for p in template.get("Parameters", {})}
        resources[f"Fn{index}"] = {
            "Type": "AWS::Serverless::Function",
            "Properties": {
                "Runtime": "python3.12",
                "Handler": "app.handler",
                "InlineCode": "def handler(event, context): return None",
                "Policies": [{name: parameters}],
            },
        }
    return {"Transform": "AWS::Serverless-2016-10-31", "Resources": resources}


def test_policy_template_catalog_is_complete() -> None:
    assert len(POLICY_TEMPLATES) >= 81


def test_every_policy_template_expands_to_its_definition() -> None:
    document = _policy_template_document()
    expansion = expand(document, file="policy-templates.yaml")
    names = sorted(POLICY_TEMPLATES)
    for index, name in enumerate(names):
        statements = _role_statements(expansion.template, f"Fn{index}Role")
        expected = POLICY_TEMPLATES[name]["Definition"]["Statement"]
        assert _actions(statements) == _actions(expected), name
        rendered = json.dumps(statements)
        for parameter in POLICY_TEMPLATES[name].get("Parameters", {}):
            assert _plausible(parameter) in rendered, (name, parameter)


# -- offline -------------------------------------------------------------------------------------

SAR_APP = """
    Transform: AWS::Serverless-2016-10-31
    Resources:
      Rotation:
        Type: AWS::Serverless::Application
        Properties:
          Location:
            ApplicationId: arn:aws:serverlessrepo:us-east-1:297356227824:applications/SecretsManagerRotation
            SemanticVersion: 1.1.0
"""


@pytest.fixture()
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    for variable in ("AWS_DEFAULT_REGION", "AWS_REGION", "AWS_PROFILE", "AWS_ACCESS_KEY_ID"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent/boundary-config")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/boundary-credentials")
    yield


def _corpus_sam_files(corpus_dir: Path) -> list[Path]:
    folder = corpus_dir / "sam" / "serverless-patterns"
    return sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml", ".json"))


@pytest.mark.usefixtures("no_network")
@pytest.mark.parametrize("form", ["secure", "insecure"])
def test_samples_expand_without_network_or_region(form: str, samples_dir: Path) -> None:
    _, expansion = _expand_file(samples_dir / "sam" / form / "template.yaml")
    assert expansion.template["Resources"]


@pytest.mark.usefixtures("no_network")
def test_serverless_application_resolves_offline() -> None:
    expansion = _expand_text(SAR_APP)
    stack = expansion.template["Resources"]["Rotation"]
    assert stack["Type"] == "AWS::CloudFormation::Stack"
    assert stack["Properties"]["TemplateURL"].startswith(f"https://{LOCAL_BUCKET}.invalid/serverlessrepo/")


@pytest.mark.corpus
@pytest.mark.usefixtures("no_network")
def test_corpus_templates_expand_without_network(corpus_dir: Path) -> None:
    expanded = 0
    for path in _corpus_sam_files(corpus_dir)[:40]:
        try:
            document = parse_document(path.read_text(encoding="utf-8"), str(path))
        except SourceError:
            continue
        if not is_sam(document.data):
            continue
        try:
            expand(document.data, file=str(path))
            expanded += 1
        except SourceError:
            pass
    assert expanded >= 10


def test_global_translator_state_is_restored(secure: tuple[Document, Expansion]) -> None:
    document, _ = secure
    before = (
        ArnGenerator.BOTO_SESSION_REGION_NAME,
        translator_module.make_policy_template_for_function_plugin,
    )
    expand(document.data, file="x.yaml", options=LoadOptions(region="eu-west-1"))
    after = (
        ArnGenerator.BOTO_SESSION_REGION_NAME,
        translator_module.make_policy_template_for_function_plugin,
    )
    assert after == before


def test_policy_template_processor_is_built_once(
    secure: tuple[Document, Expansion], monkeypatch: pytest.MonkeyPatch
) -> None:
    document, _ = secure
    built: list[object] = []
    original = PolicyTemplatesProcessor.__init__

    def counting(self: Any, *args: Any, **kwargs: Any) -> None:
        built.append(self)
        original(self, *args, **kwargs)

    monkeypatch.setattr(PolicyTemplatesProcessor, "__init__", counting)
    for _ in range(3):
        expand(document.data, file="x.yaml")
    assert built == []


@pytest.mark.parametrize(
    ("region", "partition"),
    [("us-east-1", "aws"), ("cn-north-1", "aws-cn"), ("us-gov-west-1", "aws-us-gov")],
)
def test_partition_reaches_managed_policy_arns(
    region: str, partition: str, secure: tuple[Document, Expansion]
) -> None:
    document, _ = secure
    expansion = expand(document.data, file="x.yaml", options=LoadOptions(region=region, partition=partition))
    arns = expansion.template["Resources"]["ConfirmBookingRole"]["Properties"]["ManagedPolicyArns"]
    assert arns == [get_bundled_managed_policy_map(partition)["AWSLambdaBasicExecutionRole"]]
    assert arns[0].startswith(f"arn:{partition}:iam::aws:policy/")


def test_parameters_reach_the_translator() -> None:
    text = """
        Transform: AWS::Serverless-2016-10-31
        Parameters:
          Alias: {Type: String, Default: blue}
        Resources:
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              Runtime: python3.12
              Handler: app.handler
              InlineCode: "x = 1"
              AutoPublishAlias: !Ref Alias
    """
    assert "FnAliasblue" in _expand_text(text).template["Resources"]
    assert (
        "FnAliasgreen"
        in _expand_text(text, options=LoadOptions(parameters={"Alias": "green"})).template["Resources"]
    )


# -- errors --------------------------------------------------------------------------------------

BAD_FUNCTIONS = """
    Transform: AWS::Serverless-2016-10-31
    Resources:
      Topic:
        Type: AWS::SNS::Topic
      BrokenApi:
        Type: AWS::Serverless::Api
        Properties:
          StageName: prod
          MethodSettings: not-a-list
      First:
        Type: AWS::Serverless::Function
        Properties:
          Runtime: python3.12
          Handler: app.handler
          InlineCode: "x = 1"
          Events:
            Queue:
              Type: SQS
              Properties: {}
"""


def test_rejection_is_one_located_source_error() -> None:
    """All causes in one line, in file order, located at the first (the translator reports functions first)."""
    document = _document(BAD_FUNCTIONS)
    with pytest.raises(SourceError) as caught:
        expand(document.data, file="bad.yaml", locate=document.locate)
    error = caught.value
    assert (error.file, error.line, error.column) == (
        "bad.yaml",
        *document.locate(("Resources", "BrokenApi")),
    )
    assert error.line > 1
    assert "\n" not in error.message
    assert (
        error.message.index("[BrokenApi]") < error.message.index("; ") < error.message.index("[FirstQueue]")
    )
    assert "Missing required property 'Queue'" in error.message


def test_rejected_event_is_located_at_the_event() -> None:
    document = _document(BAD_FUNCTIONS)
    del document.data["Resources"]["BrokenApi"]
    with pytest.raises(SourceError) as caught:
        expand(document.data, file="bad.yaml", locate=document.locate)
    event = ("Resources", "First", "Properties", "Events", "Queue")
    assert (caught.value.line, caught.value.column) == document.locate(event)


def test_rejection_without_locate_is_line_one() -> None:
    document = _document(BAD_FUNCTIONS)
    with pytest.raises(SourceError) as caught:
        expand(document.data, file="bad.yaml")
    assert caught.value.line == 1


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ({"Transform": "AWS::Serverless-2016-10-31"}, "'Resources' section is required"),
        ({"Transform": "AWS::Serverless-2016-10-31", "Resources": {"A": "text"}}, "must be Objects"),
        ({"Transform": "AWS::Serverless-2016-10-31", "Resources": []}, "'Resources' section is required"),
    ],
)
def test_document_level_rejection_is_line_one(data: dict[str, Any], fragment: str) -> None:
    with pytest.raises(SourceError) as caught:
        expand(data, file="bad.yaml", locate=lambda path: (7, 3))
    assert caught.value.line == 1
    assert fragment in caught.value.message


def test_many_causes_are_truncated_to_one_line() -> None:
    resources: dict[str, Any] = {
        f"Broken{i}": {
            "Type": "AWS::Serverless::Function",
            "Properties": {"Runtime": "python3.12", "Handler": "h"},
        }
        for i in range(60)
    }
    for resource in resources.values():
        resource["Properties"]["Events"] = {"E": {"Type": "NoSuchEvent"}}
    with pytest.raises(SourceError) as caught:
        expand({"Transform": "AWS::Serverless-2016-10-31", "Resources": resources}, file="bad.yaml")
    assert len(caught.value.message) < 1000
    assert "more)" in caught.value.message


def test_unexpected_translator_failure_is_a_source_error(
    monkeypatch: pytest.MonkeyPatch, secure: tuple[Document, Expansion]
) -> None:
    document, _ = secure

    def explode(self: Any, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("boom\nsecond line")

    monkeypatch.setattr(translator_module.Translator, "translate", explode)
    with pytest.raises(SourceError) as caught:
        expand(document.data, file="x.yaml", locate=document.locate)
    assert caught.value.line == 1
    assert caught.value.message == "SAM transform failed: RuntimeError: boom second line"


def test_unhashable_or_odd_values_never_crash() -> None:
    data = {
        "AWSTemplateFormatVersion": __import__("datetime").date(2010, 9, 9),
        "Transform": "AWS::Serverless-2016-10-31",
        "Resources": {
            "Fn": {
                "Type": "AWS::Serverless::Function",
                "Properties": {
                    "Runtime": "python3.12",
                    "Handler": "h",
                    "InlineCode": "x",
                    "Tags": {1: {2, 3}},
                },
            }
        },
    }
    try:
        expansion = expand(data, file="odd.yaml")
    except SourceError:
        return
    assert expansion.template["AWSTemplateFormatVersion"] == "2010-09-09"


# -- local artifacts --------------------------------------------------------------------------

OPENAPI = """
    openapi: "3.0.1"
    info: {title: loyalty, version: "1"}
    paths:
      /loyalty/{customerId}:
        get:
          security: [{sigv4: []}]
          x-amazon-apigateway-integration:
            type: aws_proxy
            httpMethod: POST
            uri: !Sub arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations
    components:
      securitySchemes:
        sigv4:
          type: apiKey
          name: Authorization
          in: header
          x-amazon-apigateway-authtype: awsSigv4
"""

ASL = {"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}}


def _api_template(uri: str, kind: str = "AWS::Serverless::Api") -> str:
    stage = "StageName: prod, " if kind == "AWS::Serverless::Api" else ""
    return f"""
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Fn:
            Type: AWS::Serverless::Function
            Properties: {{Runtime: python3.12, Handler: app.handler, CodeUri: ./src}}
          Loyalty:
            Type: {kind}
            Properties: {{{stage}DefinitionUri: "{uri}"}}
    """


@pytest.mark.parametrize(
    ("kind", "output_type"),
    [
        ("AWS::Serverless::Api", "AWS::ApiGateway::RestApi"),
        ("AWS::Serverless::HttpApi", "AWS::ApiGatewayV2::Api"),
    ],
)
def test_local_openapi_definition_is_inlined(tmp_path: Path, kind: str, output_type: str) -> None:
    (tmp_path / "api").mkdir()
    (tmp_path / "api" / "openapi.yaml").write_text(textwrap.dedent(OPENAPI), encoding="utf-8")
    expansion = _expand_text(_api_template("api/openapi.yaml", kind), tmp_path)
    api = expansion.template["Resources"]["Loyalty"]
    assert api["Type"] == output_type
    body = api["Properties"]["Body"]
    assert body["paths"]["/loyalty/{customerId}"]["get"]["security"] == [{"sigv4": []}]
    assert body["components"]["securitySchemes"]["sigv4"]["x-amazon-apigateway-authtype"] == "awsSigv4"
    integration = body["paths"]["/loyalty/{customerId}"]["get"]["x-amazon-apigateway-integration"]
    assert "Fn::Sub" in integration["uri"]


def test_local_state_machine_definition_is_inlined(tmp_path: Path) -> None:
    (tmp_path / "machine.asl.json").write_text(json.dumps(ASL), encoding="utf-8")
    text = """
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Machine:
            Type: AWS::Serverless::StateMachine
            Properties:
              DefinitionUri: machine.asl.json
    """
    machine = _expand_text(text, tmp_path).template["Resources"]["Machine"]["Properties"]
    assert "DefinitionS3Location" not in machine
    separator, lines = machine["DefinitionString"]["Fn::Join"]
    assert json.loads(separator.join(lines)) == ASL


@pytest.mark.parametrize(
    ("uri", "setup"),
    [
        ("missing.yaml", "none"),
        ("../outside.yaml", "outside"),
        ("broken.yaml", "broken"),
        ("list.yaml", "list"),
        ("api", "directory"),
    ],
)
def test_unreadable_definition_becomes_placeholder(tmp_path: Path, uri: str, setup: str) -> None:
    root = tmp_path / "project"
    root.mkdir()
    if setup == "outside":
        (tmp_path / "outside.yaml").write_text(textwrap.dedent(OPENAPI), encoding="utf-8")
    elif setup == "broken":
        (root / "broken.yaml").write_text("openapi: [unclosed\n", encoding="utf-8")
    elif setup == "list":
        (root / "list.yaml").write_text("- a\n- b\n", encoding="utf-8")
    elif setup == "directory":
        (root / "api").mkdir()
    expansion = _expand_text(_api_template(uri), root)
    location = expansion.template["Resources"]["Loyalty"]["Properties"]["BodyS3Location"]
    assert location["Bucket"] == LOCAL_BUCKET
    assert location["Key"].endswith(uri.split("/")[-1])


def test_definition_is_not_read_without_base_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "openapi.yaml").write_text(textwrap.dedent(OPENAPI), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    expansion = _expand_text(_api_template("openapi.yaml"))
    assert "BodyS3Location" in expansion.template["Resources"]["Loyalty"]["Properties"]


def test_local_aws_include_is_inlined(tmp_path: Path) -> None:
    (tmp_path / "openapi.yaml").write_text(textwrap.dedent(OPENAPI), encoding="utf-8")
    text = """
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Loyalty:
            Type: AWS::Serverless::Api
            Properties:
              StageName: prod
              DefinitionBody:
                Fn::Transform:
                  Name: AWS::Include
                  Parameters: {Location: ./openapi.yaml}
    """
    body = _expand_text(text, tmp_path).template["Resources"]["Loyalty"]["Properties"]["Body"]
    assert body["components"]["securitySchemes"]["sigv4"]["x-amazon-apigateway-authtype"] == "awsSigv4"


@pytest.mark.parametrize(
    ("properties", "expected_code"),
    [
        ({"CodeUri": "./src/app/"}, {"S3Bucket": LOCAL_BUCKET, "S3Key": "src/app"}),
        ({"CodeUri": "s3://real-bucket/app.zip"}, {"S3Bucket": "real-bucket", "S3Key": "app.zip"}),
        ({"CodeUri": {"Bucket": "b", "Key": "k"}}, {"S3Bucket": "b", "S3Key": "k"}),
        ({}, {"S3Bucket": LOCAL_BUCKET, "S3Key": "."}),
        (
            {"PackageType": "Image"},
            {"ImageUri": f"123456789012.dkr.ecr.us-east-1.amazonaws.com/{LOCAL_BUCKET}:fn"},
        ),
        ({"PackageType": "Image", "ImageUri": "repo:tag"}, {"ImageUri": "repo:tag"}),
    ],
)
def test_function_code_locations(properties: dict[str, Any], expected_code: dict[str, Any]) -> None:
    props = {"Handler": "app.handler", "Runtime": "python3.12", **properties}
    if properties.get("PackageType") == "Image":
        del props["Handler"], props["Runtime"]
    data = {
        "Transform": "AWS::Serverless-2016-10-31",
        "Resources": {"Fn": {"Type": "AWS::Serverless::Function", "Properties": props}},
    }
    expansion = expand(data, file="t.yaml")
    assert expansion.template["Resources"]["Fn"]["Properties"]["Code"] == expected_code


def test_global_code_uri_and_layer_content(tmp_path: Path) -> None:
    text = """
        Transform: AWS::Serverless-2016-10-31
        Globals:
          Function:
            CodeUri: shared/
        Resources:
          Fn:
            Type: AWS::Serverless::Function
            Properties: {Runtime: python3.12, Handler: app.handler}
          Layer:
            Type: AWS::Serverless::LayerVersion
            Properties: {ContentUri: layer/}
    """
    resources = _expand_text(text, tmp_path).template["Resources"]
    assert resources["Fn"]["Properties"]["Code"] == {"S3Bucket": LOCAL_BUCKET, "S3Key": "shared"}
    (layer,) = [r for r in resources.values() if r["Type"] == "AWS::Lambda::LayerVersion"]
    assert layer["Properties"]["Content"] == {"S3Bucket": LOCAL_BUCKET, "S3Key": "layer"}


# -- determinism and faithfulness ----------------------------------------------------------------


@pytest.mark.parametrize("form", ["secure", "insecure"])
def test_expansion_is_deterministic_and_leaves_input_alone(form: str, samples_dir: Path) -> None:
    path = samples_dir / "sam" / form / "template.yaml"
    document = parse_document(path.read_text(encoding="utf-8"), str(path))
    before = copy.deepcopy(document.data)
    first = expand(document.data, file=str(path), base_dir=str(path.parent))
    second = expand(document.data, file=str(path), base_dir=str(path.parent))
    assert document.data == before
    assert json.dumps(first.template) == json.dumps(second.template)
    assert dict(first.origins) == dict(second.origins)
    assert list(first.origins) == list(second.origins)


ALWAYS_DEPLOY = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      AlwaysDeploy: true
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      Events:
        Get: {Type: Api, Properties: {RestApiId: !Ref Api, Path: /, Method: get}}
"""


def test_always_deploy_does_not_name_the_deployment_after_the_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """SAM names an `AlwaysDeploy` API's deployment after the time of translation: two scans a
    second apart gave it two logical ids (graph exports and any finding on it differed)."""
    from samtranslator.model import apigateway  # type: ignore[import-untyped]

    document = parse_document(ALWAYS_DEPLOY, "template.yaml")
    names = set()
    for now in (1_000_000_000.0, 2_000_000_000.0):
        monkeypatch.setattr(apigateway.time, "time", lambda now=now: now)
        expansion = expand(document.data, file="template.yaml", base_dir=".")
        names |= {
            k
            for k, v in expansion.template["Resources"].items()
            if v["Type"] == "AWS::ApiGateway::Deployment"
        }
    assert len(names) == 1, names


def _stock_translation(data: Mapping[str, Any], monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """The translator's own entry point on the same localized input, for comparison."""
    from samtranslator.translator.transform import transform  # type: ignore[import-untyped]

    work = sam._plain(data)
    sam._localize(work, None, "us-east-1", "123456789012")

    class Policies:
        def load(self) -> dict[str, str]:
            return dict(MANAGED)

    with monkeypatch.context() as patch:
        patch.setenv("AWS_DEFAULT_REGION", "us-east-1")
        patch.setattr(ArnGenerator, "BOTO_SESSION_REGION_NAME", "us-east-1")
        toggles = sam._FeatureSwitches()
        from samtranslator.feature_toggle.feature_toggle import FeatureToggle  # type: ignore[import-untyped]

        result: dict[str, Any] = transform(
            work,
            {"AWS::Region": "us-east-1", "AWS::Partition": "aws"},
            Policies(),
            feature_toggle=FeatureToggle(
                toggles, stage="boundary", account_id="123456789012", region="us-east-1"
            ),
            passthrough_metadata=True,
        )
    return result


def test_expansion_equals_the_stock_translator(
    implicit: tuple[Document, Expansion],
    secure: tuple[Document, Expansion],
    insecure: tuple[Document, Expansion],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Tracing origins must not change a byte of what the translator produces."""
    for document, expansion in (implicit, secure, insecure):
        assert expansion.template == _stock_translation(document.data, monkeypatch)


# -- corpus --------------------------------------------------------------------------------------


# the logical id's suffix, and the whole hash in the deployment's Description
_DEPLOYMENT_HASH = re.compile(r"Deployment[0-9a-f]{10}|deployment id: [0-9a-f]{40}")


def _without_deployment_hashes(template: Any) -> Any:
    """The template with API deployment hashes blanked (the logical id's suffix and the
    Description that repeats the whole hash): for some
    templates (several API stages sharing a definition) the translator's hash varies from
    one translation to the next in the same process, ours or stock alike."""
    blanked = _DEPLOYMENT_HASH.sub(
        lambda m: "deployment id: <hash>" if m.group().startswith("deployment id") else "Deployment<hash>",
        json.dumps(template, sort_keys=True),
    )
    return json.loads(blanked)


@pytest.mark.corpus
@pytest.mark.slow
def test_corpus_expands_or_raises_source_error(corpus_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen = expanded = 0
    for path in _corpus_sam_files(corpus_dir):
        try:
            document = parse_document(path.read_text(encoding="utf-8"), str(path))
        except SourceError:
            continue
        if not is_sam(document.data):
            continue
        seen += 1
        try:
            expansion = expand(
                document.data, file=str(path), base_dir=str(path.parent), locate=document.locate
            )
        except SourceError as error:
            assert error.file == str(path)
            assert error.line >= 1 and "\n" not in error.message
            continue
        expanded += 1
        _assert_origins_complete(document.data, expansion)
        if "AWS::Serverless::Application" not in json.dumps(document.data):
            ours = _without_deployment_hashes(expansion.template)
            stock = _without_deployment_hashes(_stock_translation(document.data, monkeypatch))
            assert ours == stock, path.name
    assert seen > 0
    assert expanded > seen // 2
