"""The Terraform plan loader: samples, hand-written edge cases, and the third-party corpus."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from boundary.load._errors import SourceError
from boundary.load.terraform import UNKNOWN_TEXT, decode_plan, is_plan, load_plan, load_plan_text, shape_error
from boundary.model import (
    Endpoint,
    EndpointProtocol,
    Format,
    Policy,
    PolicyKind,
    RelationKind,
    ResourceKind,
    Symbolic,
    Template,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "terraform"
SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "terraform"

PLAN_FILES = sorted(FIXTURES.glob("*.json"))
LOADABLE = [p for p in PLAN_FILES if p.name != "invalid_json.json"] + [
    SAMPLES / "secure" / "plan.json",
    SAMPLES / "insecure" / "plan.json",
]

_CACHE: dict[Path, Template] = {}


def load(path: Path) -> Template:
    if path not in _CACHE:
        _CACHE[path] = load_plan_text(path.read_text(encoding="utf-8"), file=str(path))
    return _CACHE[path]


def sample(variant: str) -> Template:
    return load(SAMPLES / variant / "plan.json")


def fixture(name: str) -> Template:
    return load(FIXTURES / name)


def relations(template: Template, kind: RelationKind) -> set[tuple[str, str]]:
    return {(r.source, r.target) for r in template.relations if r.kind is kind}


def policies_of(template: Template, principal: str, kind: PolicyKind = PolicyKind.IDENTITY) -> list[Policy]:
    return [p for p in template.policies if p.kind is kind and principal in p.attached_to]


def endpoint(template: Template, endpoint_id: str) -> Endpoint:
    found = [e for e in template.endpoints if e.id == endpoint_id]
    assert len(found) == 1, f"{endpoint_id}: {[e.id for e in template.endpoints]}"
    return found[0]


def symbolic_refs(value: Any) -> tuple[str, ...]:
    assert isinstance(value, Symbolic), value
    assert value.reason == "unknown at plan time"
    assert value.text == UNKNOWN_TEXT or value.text.startswith("${"), value.text
    return value.references


# ---------------------------------------------------------------- recognising a plan

CFN = {"AWSTemplateFormatVersion": "2010-09-09", "Resources": {"T": {"Type": "AWS::SNS::Topic"}}}


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"format_version": "1.2", "planned_values": {"root_module": {}}}, True),
        ({"format_version": "0.1", "resource_changes": []}, True),
        ({"format_version": "1.0", "configuration": {"root_module": {}}}, True),
        (CFN, False),
        ({**CFN, "format_version": "1.0", "resource_changes": []}, False),
        ({"format_version": "1.0", "values": {"root_module": {}}}, False),  # a state file
        ({"format_version": 1, "planned_values": {}}, False),
        ({"format_version": "1.2", "planned_values": "x", "resource_changes": {}}, False),
        ({"name": "package.json", "version": "1.0.0"}, False),
        ([{"format_version": "1.2", "planned_values": {}}], False),
        ("format_version", False),
        (None, False),
    ],
)
def test_is_plan(data: Any, expected: bool) -> None:
    assert is_plan(data) is expected


@pytest.mark.parametrize("path", [SAMPLES / "secure" / "plan.json", SAMPLES / "insecure" / "plan.json"])
def test_samples_are_plans_without_timestamps(path: Path) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    assert is_plan(data)
    assert "timestamp" not in data  # stripped by regenerate.sh so the file is reproducible


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ((FIXTURES / "invalid_json.json").read_text(encoding="utf-8"), 5, 21),
        ('{"format_version": "1.2",\n  "planned_values": {}', 2, 23),
        ("", 1, 1),
        ("[" * 100_000, 0, 0),
    ],
)
def test_invalid_json_is_a_located_source_error(text: str, line: int, column: int) -> None:
    with pytest.raises(SourceError) as caught:
        load_plan_text(text, file="plan.json")
    assert (caught.value.file, caught.value.line, caught.value.column) == ("plan.json", line, column)
    assert "\n" not in caught.value.message


@pytest.mark.parametrize("text", ['{"Resources": {}}', "[]", '{"format_version": "1.0", "values": {}}'])
def test_json_that_is_not_a_plan_is_refused(text: str) -> None:
    assert not is_plan(decode_plan(text, file="x.json"))
    with pytest.raises(SourceError, match="not a Terraform plan"):
        load_plan_text(text, file="x.json")


def test_malformed_parts_load_what_they_can() -> None:
    template = fixture("malformed_parts.json")
    assert set(template.resources) == {"module.ok.aws_iam_role.kept", "aws_lambda_function.odd"}
    odd = template.resources["aws_lambda_function.odd"]
    assert symbolic_refs(odd.properties["role"]) == ()  # the references name nothing that exists
    trust = policies_of(template, "module.ok.aws_iam_role.kept", PolicyKind.TRUST)
    assert len(trust) == 1 and trust[0].document is not None and trust[0].document.statements == ()


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=12,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    part=st.sampled_from(
        [
            "planned_values",
            "resource_changes",
            "configuration",
            "prior_state",
            "variables",
            "root_module",
            "change",
        ]
    ),
    junk=_json,
)
def test_junk_in_any_part_never_escapes(part: str, junk: Any) -> None:
    """Whatever a part holds, nothing but SourceError escapes: a plan whose top-level parts or
    resource changes have the wrong shape is one located error, other malformed parts are
    skipped rather than rejected."""
    text = (SAMPLES / "insecure" / "plan.json").read_text(encoding="utf-8")
    data = json.loads(text)
    if part == "root_module":
        data["planned_values"]["root_module"]["resources"][3] = junk
    elif part == "change":
        data["resource_changes"][5]["change"] = junk
    else:
        data[part] = junk
    if shape_error(data) is not None:
        with pytest.raises(SourceError, match="Terraform plan: "):
            load_plan(data, file="fuzz.json", text=text)
        return
    template = load_plan(data, file="fuzz.json", text=text)
    assert template.format is Format.TERRAFORM


# ---------------------------------------------------------------- locations


@pytest.mark.parametrize("path", LOADABLE, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_resource_points_at_its_address_key(path: Path) -> None:
    template = load(path)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert template.resources
    for resource in template.resources.values():
        where = resource.location
        assert (where.file, where.address) == (str(path), resource.id)
        assert resource.origin is None
        text = lines[where.line - 1][where.column - 1 :]
        assert text.startswith(f'"address": {json.dumps(resource.id)}'), (resource.id, where)


# ---------------------------------------------------------------- the samples


@pytest.mark.parametrize(
    ("variant", "function", "role"),
    [
        ("secure", "reserve_booking", "reserve_booking_role"),
        ("secure", "confirm_booking", "confirm_booking_role"),
        ("secure", "cancel_booking", "cancel_booking_role"),
        ("secure", "notify_booking", "notify_booking_role"),
        ("secure", "ingest_loyalty", "ingest_loyalty_role"),
        ("secure", "get_loyalty", "get_loyalty_role"),
        ("insecure", "reserve_booking", "booking_role"),
        ("insecure", "confirm_booking", "booking_role"),
        ("insecure", "cancel_booking", "booking_role"),
        ("insecure", "notify_booking", "notify_booking_role"),
    ],
)
def test_functions_execute_as_their_role_although_the_arn_is_unknown(
    variant: str, function: str, role: str
) -> None:
    template = sample(variant)
    source, target = f"aws_lambda_function.{function}", f"aws_iam_role.{role}"
    assert symbolic_refs(template.resources[source].properties["role"]) == (target,)
    assert {t for s, t in relations(template, RelationKind.EXECUTES_AS) if s == source} == {target}


def test_insecure_shares_one_role_between_three_functions() -> None:
    template = sample("insecure")
    users = {s for s, t in relations(template, RelationKind.EXECUTES_AS) if t == "aws_iam_role.booking_role"}
    assert users == {
        f"aws_lambda_function.{f}" for f in ("reserve_booking", "confirm_booking", "cancel_booking")
    }


def test_secure_confirm_booking_may_only_update_the_booking_table() -> None:
    template = sample("secure")
    inline = [p for p in policies_of(template, "aws_iam_role.confirm_booking_role") if p.managed_arn is None]
    assert [p.id for p in inline] == ["aws_iam_role_policy.confirm_booking"]
    assert inline[0].document is not None
    (statement,) = inline[0].document.statements
    assert (statement.effect, statement.actions) == ("Allow", ("dynamodb:UpdateItem",))
    (resource,) = statement.resources
    assert symbolic_refs(resource) == ("aws_dynamodb_table.booking_table",)
    table = template.resources["aws_dynamodb_table.booking_table"]
    assert table.arns[0] == "arn:aws:dynamodb:us-east-1:123456789012:table/airline-bookings"
    assert f"{table.arns[0]}/index/*" in table.arns


@pytest.mark.parametrize(
    ("variant", "policy", "actions", "resource"),
    [
        ("insecure", "aws_iam_role_policy.booking", ("dynamodb:*",), "*"),
        ("insecure", "aws_iam_role_policy.booking", ("sns:*",), "*"),
        (
            "insecure",
            "aws_iam_role_policy.confirm_booking",
            ("dynamodb:UpdateItem",),
            "aws_sns_topic.booking_topic",
        ),
        ("insecure", "aws_iam_role_policy.appsync_loyalty", ("execute-api:Invoke",), "*"),
        (
            "secure",
            "aws_iam_role_policy.appsync_loyalty",
            ("execute-api:Invoke",),
            "aws_api_gateway_rest_api.loyalty_api",
        ),
        ("secure", "aws_iam_role_policy.notify_booking", ("sns:Publish",), "aws_sns_topic.booking_topic"),
    ],
)
def test_sample_policy_statements(variant: str, policy: str, actions: tuple[str, ...], resource: str) -> None:
    (found,) = [p for p in sample(variant).policies if p.id == policy]
    assert found.document is not None
    matching = [s for s in found.document.statements if s.actions == actions]
    assert len(matching) == 1
    (value,) = matching[0].resources
    assert value == resource if resource == "*" else symbolic_refs(value) == (resource,)


def test_process_booking_may_invoke_exactly_its_four_functions() -> None:
    template = sample("secure")
    (policy,) = [p for p in template.policies if p.id == "aws_iam_role_policy.process_booking"]
    assert policy.document is not None
    (statement,) = policy.document.statements
    named = {ref for value in statement.resources for ref in symbolic_refs(value)}
    functions = {
        f"aws_lambda_function.{f}"
        for f in ("reserve_booking", "confirm_booking", "cancel_booking", "notify_booking")
    }
    assert named == functions
    assert {
        t
        for s, t in relations(template, RelationKind.INVOKES)
        if s == "aws_sfn_state_machine.process_booking"
    } == functions


@pytest.mark.parametrize("variant", ["secure", "insecure"])
def test_trust_policies_are_scoped_to_service_principals(variant: str) -> None:
    template = sample(variant)
    roles = [r for r in template.resources.values() if r.kind is ResourceKind.ROLE]
    assert roles
    for role in roles:
        (trust,) = policies_of(template, role.id, PolicyKind.TRUST)
        assert trust.document is not None
        (statement,) = trust.document.statements
        assert statement.principals is not None and set(statement.principals) == {"Service"}


@pytest.mark.parametrize(
    ("variant", "endpoint_id", "method", "path", "authorization", "integrations"),
    [
        (
            "secure",
            "aws_api_gateway_method.get_loyalty",
            "GET",
            "/loyalty/{customerId}",
            "AWS_IAM",
            ("get_loyalty",),
        ),
        (
            "insecure",
            "aws_api_gateway_method.get_loyalty",
            "GET",
            "/loyalty/{customerId}",
            "NONE",
            ("get_loyalty",),
        ),
        (
            "insecure",
            "aws_apigatewayv2_route.post_bookings",
            "POST",
            "/bookings",
            "NONE",
            ("reserve_booking",),
        ),
        ("insecure", "aws_lambda_function_url.notify_booking", "ANY", "/", "NONE", ("notify_booking",)),
    ],
)
def test_sample_endpoints(
    variant: str, endpoint_id: str, method: str, path: str, authorization: str, integrations: tuple[str, ...]
) -> None:
    found = endpoint(sample(variant), endpoint_id)
    assert (found.method, found.path, found.authorization) == (method, path, authorization)
    assert found.integrations == tuple(f"aws_lambda_function.{f}" for f in integrations)


def test_secure_sample_has_no_function_url_and_no_open_route() -> None:
    template = sample("secure")
    assert not [e for e in template.endpoints if e.protocol is EndpointProtocol.FUNCTION_URL]
    assert not [e for e in template.endpoints if e.authorization == "NONE" and not e.api_key_required]


def test_insecure_cancel_booking_carries_access_keys_in_its_environment() -> None:
    function = sample("insecure").resources["aws_lambda_function.cancel_booking"]
    variables = function.properties["environment"][0]["variables"]
    assert variables["AWS_ACCESS_KEY_ID"] == "AKIAIOSFODNN7EXAMPLE"
    assert variables["AWS_SECRET_ACCESS_KEY"] == "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


@pytest.mark.parametrize("variant", ["secure", "insecure"])
def test_appsync_calls_the_loyalty_api_as_its_service_role(variant: str) -> None:
    template = sample(variant)
    source = "aws_appsync_datasource.loyalty_data_source"
    assert (source, "aws_iam_role.appsync_loyalty_role") in relations(template, RelationKind.EXECUTES_AS)
    assert (source, "aws_api_gateway_rest_api.loyalty_api") in relations(template, RelationKind.INVOKES)


@pytest.mark.parametrize("variant", ["secure", "insecure"])
def test_ingest_loyalty_is_fed_by_the_booking_topic(variant: str) -> None:
    template = sample(variant)
    assert ("aws_sns_topic.booking_topic", "aws_lambda_function.ingest_loyalty") in relations(
        template, RelationKind.INVOKES
    )
    (permission,) = [p for p in template.policies if p.id == "aws_lambda_permission.ingest_loyalty_sns"]
    assert permission.kind is PolicyKind.RESOURCE
    assert permission.attached_to == ("aws_lambda_function.ingest_loyalty",)
    assert permission.document is not None
    (statement,) = permission.document.statements
    assert statement.principals == {"Service": ("sns.amazonaws.com",)}
    assert symbolic_refs(statement.conditions["ArnLike"]["AWS:SourceArn"]) == ("aws_sns_topic.booking_topic",)


# ---------------------------------------------------------------- modules, count and for_each


@pytest.mark.parametrize(
    ("source", "kind", "target"),
    [
        ("aws_lambda_function.worker[0]", RelationKind.EXECUTES_AS, "aws_iam_role.shared"),
        ("aws_lambda_function.worker[1]", RelationKind.EXECUTES_AS, "aws_iam_role.shared"),
        (
            'module.api["a"].aws_lambda_function.this',
            RelationKind.EXECUTES_AS,
            'module.api["a"].aws_iam_role.this',
        ),
        (
            'module.api["b"].aws_lambda_function.this',
            RelationKind.EXECUTES_AS,
            'module.api["b"].aws_iam_role.this',
        ),
        (
            'module.api["a"].aws_sqs_queue.q[1]',
            RelationKind.INVOKES,
            'module.api["a"].aws_lambda_function.this',
        ),
        (
            'module.api["b"].aws_sqs_queue.q[1]',
            RelationKind.INVOKES,
            'module.api["b"].aws_lambda_function.this',
        ),
        # a module variable resolved through the module call's expression in the parent
        ('module.api["a"].aws_lambda_function.this', RelationKind.REFERENCES, "aws_dynamodb_table.orders"),
    ],
)
def test_module_and_instance_relations(source: str, kind: RelationKind, target: str) -> None:
    template = fixture("modules_count_for_each.json")
    assert {source, target} <= set(template.resources)
    assert {t for s, t in relations(template, kind) if s == source} == {target}


def test_explicit_index_selects_one_instance() -> None:
    template = fixture("modules_count_for_each.json")
    invoked_by_queues = {s for s, _ in relations(template, RelationKind.INVOKES)}
    assert 'module.api["a"].aws_sqs_queue.q[0]' not in invoked_by_queues
    (permission,) = [p for p in template.policies if p.id == "aws_lambda_permission.worker_s3"]
    assert permission.attached_to == ("aws_lambda_function.worker[0]",)


def test_module_output_reference_attaches_to_the_instance_role() -> None:
    template = fixture("modules_count_for_each.json")
    (policy,) = [p for p in template.policies if p.id == "aws_iam_role_policy.api_a"]
    assert policy.attached_to == ('module.api["a"].aws_iam_role.this',)
    assert template.region == "eu-west-1"
    assert template.resources["aws_lambda_function.worker[1]"].metadata["index"] == 1


# ---------------------------------------------------------------- unknown values and policy documents


def test_unknown_policy_is_built_from_its_document_statements() -> None:
    template = fixture("unknown_values.json")
    (inline,) = [p for p in template.policies if p.id == "aws_iam_role.fn/publish"]
    assert inline.kind is PolicyKind.IDENTITY and inline.attached_to == ("aws_iam_role.fn",)
    assert inline.document is not None
    publish, deny = inline.document.statements
    assert (publish.sid, publish.actions) == ("Publish", ("sns:Publish",))
    assert publish.conditions == {"StringEquals": {"aws:RequestedRegion": ["eu-west-1"]}}
    assert [symbolic_refs(r) for r in publish.resources] == [("aws_sns_topic.events",)]
    assert (deny.effect, deny.actions, deny.not_actions) == ("Deny", (), ("s3:GetObject",))
    assert deny.principals == {"AWS": ("arn:aws:iam::111122223333:root",)}
    assert [symbolic_refs(r) for r in deny.resources] == [
        ("aws_s3_bucket.uploads",),
        ("aws_sns_topic.events",),
    ]


@pytest.mark.parametrize(
    ("policy_id", "kind", "attached_to", "managed_arn", "has_document"),
    [
        ("aws_iam_role.fn/assume_role_policy", PolicyKind.TRUST, ("aws_iam_role.fn",), None, True),
        (
            "arn:aws:iam::aws:policy/ReadOnlyAccess",
            PolicyKind.IDENTITY,
            ("aws_iam_role.fn",),
            "arn:aws:iam::aws:policy/ReadOnlyAccess",
            False,
        ),
        (
            "arn:aws:iam::aws:policy/AdministratorAccess",
            PolicyKind.IDENTITY,
            ("aws_iam_user.ci",),
            "arn:aws:iam::aws:policy/AdministratorAccess",
            False,
        ),
        ("aws_iam_policy.audit", PolicyKind.IDENTITY, ("aws_iam_group.ops",), None, True),
        ("aws_s3_bucket_policy.uploads", PolicyKind.RESOURCE, ("aws_s3_bucket.uploads",), None, True),
        ("aws_lambda_permission.org", PolicyKind.RESOURCE, ("aws_lambda_function.fn",), None, True),
    ],
)
def test_policies_and_what_they_attach_to(
    policy_id: str,
    kind: PolicyKind,
    attached_to: tuple[str, ...],
    managed_arn: str | None,
    has_document: bool,
) -> None:
    (policy,) = [p for p in fixture("unknown_values.json").policies if p.id == policy_id]
    assert (policy.kind, policy.attached_to, policy.managed_arn) == (kind, attached_to, managed_arn)
    assert (policy.document is not None) is has_document
    if policy.document is not None:
        assert policy.document.statements


def test_lambda_permission_conditions() -> None:
    (policy,) = [p for p in fixture("unknown_values.json").policies if p.id == "aws_lambda_permission.org"]
    assert policy.document is not None
    (statement,) = policy.document.statements
    assert statement.principals == {"*": ("*",)}
    assert statement.actions == ("lambda:InvokeFunctionUrl",)
    assert statement.resources == ("arn:aws:lambda:eu-west-1:123456789012:function:fn",)
    assert statement.conditions == {
        "StringEquals": {"aws:PrincipalOrgID": "o-abc123", "lambda:FunctionUrlAuthType": "AWS_IAM"}
    }


@pytest.mark.parametrize(
    ("source", "kind", "target"),
    [
        ("aws_lambda_function.fn", RelationKind.EXECUTES_AS, "aws_iam_role.fn"),
        ("aws_lambda_function.fn", RelationKind.REFERENCES, "aws_sns_topic.events"),
        ("aws_lambda_function.fn", RelationKind.REFERENCES, "aws_s3_bucket.uploads"),
        ("aws_sns_topic.events", RelationKind.INVOKES, "aws_lambda_function.fn"),
        ("aws_iam_user.ci", RelationKind.MEMBER_OF, "aws_iam_group.ops"),
        ("aws_iam_access_key.ci", RelationKind.KEY_OF, "aws_iam_user.ci"),
    ],
)
def test_relations_through_unknown_values(source: str, kind: RelationKind, target: str) -> None:
    assert (source, target) in relations(fixture("unknown_values.json"), kind)


def test_unknown_nested_values_keep_their_references() -> None:
    function = fixture("unknown_values.json").resources["aws_lambda_function.fn"]
    topic = function.properties["environment"][0]["variables"]["TOPIC_ARN"]
    assert symbolic_refs(topic) == ("aws_s3_bucket.uploads", "aws_sns_topic.events")
    assert symbolic_refs(function.properties["arn"]) == ()  # computed: no expression names it
    assert function.references == ("aws_iam_role.fn", "aws_s3_bucket.uploads", "aws_sns_topic.events")


# ---------------------------------------------------------------- APIs

_APIS = [
    # id, protocol, method, path, authorization, authorizer, api key, integrations
    (
        "aws_api_gateway_method.get_item",
        "rest",
        "GET",
        "/items/{id}",
        "CUSTOM",
        "aws_api_gateway_authorizer.token",
        False,
        ("handler",),
    ),
    ("aws_api_gateway_method.options_item", "rest", "OPTIONS", "/items/{id}", "NONE", None, False, ()),
    ("aws_api_gateway_method.post_items", "rest", "POST", "/items", "AWS_IAM", None, False, ("handler",)),
    ("aws_api_gateway_method.get_root", "rest", "GET", "/", "NONE", None, True, ("handler",)),
    (
        "aws_apigatewayv2_route.get_orders",
        "http",
        "GET",
        "/orders",
        "JWT",
        "aws_apigatewayv2_authorizer.jwt",
        False,
        ("handler",),
    ),
    ("aws_apigatewayv2_route.default", "http", "ANY", "$default", "NONE", None, False, ("handler",)),
    ("aws_apigatewayv2_route.connect", "websocket", "ANY", "$connect", "AWS_IAM", None, False, ()),
    ("aws_lambda_function_url.handler", "function-url", "ANY", "/", "AWS_IAM", None, False, ("handler",)),
    (
        "aws_api_gateway_rest_api.spec#GET /public",
        "rest",
        "GET",
        "/public",
        "NONE",
        None,
        False,
        ("handler",),
    ),
    ("aws_api_gateway_rest_api.spec#POST /private", "rest", "POST", "/private", "AWS_IAM", None, False, ()),
    (
        "aws_api_gateway_rest_api.spec#OPTIONS /private",
        "rest",
        "OPTIONS",
        "/private",
        "NONE",
        None,
        False,
        (),
    ),
    ("aws_api_gateway_rest_api.spec#ANY /keyed", "rest", "ANY", "/keyed", "NONE", None, True, ()),
]


@pytest.mark.parametrize(
    ("endpoint_id", "protocol", "method", "path", "authorization", "authorizer", "api_key", "integrations"),
    _APIS,
)
def test_api_endpoints(
    endpoint_id: str,
    protocol: str,
    method: str,
    path: str,
    authorization: str,
    authorizer: str | None,
    api_key: bool,
    integrations: tuple[str, ...],
) -> None:
    found = endpoint(fixture("apis.json"), endpoint_id)
    assert (found.protocol, found.method, found.path) == (EndpointProtocol(protocol), method, path)
    assert (found.authorization, found.authorizer, found.api_key_required) == (
        authorization,
        authorizer,
        api_key,
    )
    assert found.integrations == tuple(f"aws_lambda_function.{f}" for f in integrations)


def test_every_api_endpoint_is_listed() -> None:
    assert {e.id for e in fixture("apis.json").endpoints} == {row[0] for row in _APIS}


def test_authorizer_invokes_its_function() -> None:
    assert ("aws_api_gateway_authorizer.token", "aws_lambda_function.auth") in relations(
        fixture("apis.json"), RelationKind.INVOKES
    )


# ---------------------------------------------------------------- the corpus


@pytest.mark.corpus
def test_corpus_plans_load_or_raise_source_error(
    corpus_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = sorted((corpus_dir / "tfplan").glob("*.json"))
    assert files
    loaded, refused, resources = 0, [], 0
    for path in files:
        try:
            template = load_plan_text(path.read_text(encoding="utf-8"), file=str(path))
        except SourceError as error:
            refused.append(str(error))
            continue
        loaded += 1
        resources += len(template.resources)
        assert isinstance(template.resources, Mapping)
        for resource in template.resources.values():
            assert resource.location.address == resource.id
            assert resource.location.line > 0
    with capsys.disabled():
        print(
            f"\ncorpus/tfplan: {loaded} of {len(files)} plans loaded ({resources} resources), {len(refused)} refused"
        )
    # every corpus file is a real `terraform show -json` output, so each one is expected to load
    assert not refused, refused[:5]


# ---------------------------------------------------------------- iteration keys, merged documents
# tests/fixtures/terraform/iteration.json, planned from src/iteration/main.tf


@pytest.mark.parametrize(
    ("function", "role"),
    [
        # `aws_iam_role.tenant[each.key].arn` is listed as `aws_iam_role.tenant` + `each.key`
        ('aws_lambda_function.by_key["north"]', 'aws_iam_role.tenant["north"]'),
        ('aws_lambda_function.by_key["south"]', 'aws_iam_role.tenant["south"]'),
        # `for_each = aws_iam_role.tenant` with `role = each.value.arn`
        ('aws_lambda_function.by_value["north"]', 'aws_iam_role.tenant["north"]'),
        ('aws_lambda_function.by_value["south"]', 'aws_iam_role.tenant["south"]'),
        # `aws_iam_role.shard[count.index].arn`
        ("aws_lambda_function.shard[0]", "aws_iam_role.shard[0]"),
        ("aws_lambda_function.shard[1]", "aws_iam_role.shard[1]"),
        # `module.team_role[each.key].role_arn` is listed as a bare `module.team_role`
        (
            'module.team_worker["north"].aws_lambda_function.this',
            'module.team_role["north"].aws_iam_role.this',
        ),
        (
            'module.team_worker["south"].aws_lambda_function.this',
            'module.team_role["south"].aws_iam_role.this',
        ),
    ],
)
def test_each_instance_executes_as_the_role_with_its_own_key(function: str, role: str) -> None:
    roles = {t for s, t in relations(fixture("iteration.json"), RelationKind.EXECUTES_AS) if s == function}
    assert roles == {role}


def test_merged_policy_document_keeps_source_and_override_statements() -> None:
    (policy,) = policies_of(fixture("iteration.json"), "aws_iam_role.shard[0]")
    assert policy.document is not None
    statements = {s.sid: s for s in policy.document.statements}
    # source first, this document's own statement, then the override replacing WriteLogs in place
    assert list(statements) == ["ReadReports", "WriteLogs", "Enqueue"]
    assert statements["ReadReports"].actions == ("s3:GetObject",)
    assert statements["WriteLogs"].actions == ("logs:*",)
    assert statements["WriteLogs"].resources == ("*",)
    assert symbolic_refs(statements["Enqueue"].resources[0]) == ("aws_sqs_queue.work",)


def test_policy_of_unknown_json_stays_unknown() -> None:
    (policy,) = policies_of(fixture("iteration.json"), "aws_iam_role.shard[1]")
    assert policy.id == "aws_iam_role_policy.opaque"
    assert policy.document is None


def test_federated_principal_through_the_provider_resource_is_its_arn() -> None:
    (trust,) = policies_of(fixture("iteration.json"), "aws_iam_role.ci", PolicyKind.TRUST)
    assert trust.document is not None
    (statement,) = trust.document.statements
    assert statement.principals == {
        "Federated": ("arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com",)
    }


def test_appsync_lists_one_endpoint_per_authorization_mode() -> None:
    modes = {
        e.id: (e.authorization, e.api_key_required)
        for e in fixture("iteration.json").endpoints
        if e.protocol is EndpointProtocol.GRAPHQL
    }
    assert modes == {
        "aws_appsync_graphql_api.catalog": ("AWS_IAM", False),
        "aws_appsync_graphql_api.catalog API_KEY": ("API_KEY", True),
    }


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ('{"format_version": "1.2", "resource_changes": "x"}', 1, "'resource_changes' is not a list"),
        ('{"format_version": "1.2", "planned_values": []}', 1, "'planned_values' is not an object"),
        (
            '{"format_version": "1.2",\n "resource_changes": [1, "x", null, {"address": 5}]}',
            2,
            "resource_changes[0] is not a resource change with an address",
        ),
        (
            '{"format_version": "1.2",\n\n "resource_changes": [{"address": "aws_sns_topic.t"}, {"type": "x"}]}',
            3,
            "resource_changes[1] is not a resource change with an address",
        ),
    ],
)
def test_a_plan_with_a_broken_shape_is_one_located_error(
    tmp_path: Path, text: str, line: int, message: str
) -> None:
    """Loading what is left of a broken plan would pass over planned resources silently."""
    import boundary

    path = tmp_path / "plan.json"
    path.write_text(text, encoding="utf-8")
    model = boundary.load([path])
    assert not model.templates
    (error,) = model.errors
    assert (error.line, error.message) == (line, f"Terraform plan: {message}")


# ------------------------------------------------------------ load options


def _plan_without_provider_region(tmp_path: Path) -> Path:
    data = json.loads((SAMPLES / "insecure" / "plan.json").read_text(encoding="utf-8"))
    for provider in data["configuration"]["provider_config"].values():
        provider.get("expressions", {}).pop("region", None)
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_account_and_region_options_reach_plans(tmp_path: Path) -> None:
    """`boundary.load(plan, account=..., region=...)` used to be ignored for plans: every
    plan was account 123456789012, and us-east-1 unless its provider said otherwise."""
    import boundary

    path = _plan_without_provider_region(tmp_path)
    (template,) = boundary.load([path], account="111111111111", region="eu-west-1").templates
    assert (template.account, template.region) == ("111111111111", "eu-west-1")
    arns = {arn for resource in template.resources.values() for arn in resource.arns}
    assert any(arn.startswith("arn:aws:lambda:eu-west-1:111111111111:function:") for arn in arns), arns
    assert not any("123456789012" in arn or "us-east-1" in arn for arn in arns)
    (default,) = boundary.load([path]).templates
    assert (default.account, default.region) == ("123456789012", "us-east-1")


def test_a_provider_region_in_the_plan_wins_over_the_option() -> None:
    """The provider configuration says where its resources go; the option fills in when it does not."""
    import boundary

    (template,) = boundary.load(
        [FIXTURES / "apis.json"], region="ap-south-1", account="111111111111"
    ).templates
    assert (template.region, template.account) == ("eu-west-1", "111111111111")


def test_scan_account_option_reaches_plans() -> None:
    """Through the CLI: a trust of the stack's own account is not cross-account."""
    from typer.testing import CliRunner

    from boundary.cli import app

    plan = str(
        Path(__file__).resolve().parents[1] / "rules" / "fixtures" / "broad-trust-policy" / "tfplan.json"
    )
    runner = CliRunner()
    default = runner.invoke(app, ["scan", plan, "-q", "--no-progress"])
    own = runner.invoke(app, ["scan", plan, "-q", "--no-progress", "--account", "444455556666"])
    assert "aws_iam_role.invalid_other_account" in default.stdout
    assert "aws_iam_role.invalid_other_account" not in own.stdout
    assert own.stdout.count("BND112") == default.stdout.count("BND112") - 1


def test_unknown_values_carry_the_attributes_they_are_made_of() -> None:
    """`${aws_sqs_queue.jobs.url}` is text for people; rules read `attributes`."""
    template = load(
        Path(__file__).resolve().parents[1] / "rules" / "fixtures" / "resource-type-mismatch" / "tfplan.json"
    )
    pairs = {
        pair
        for policy in template.policies
        if policy.document is not None
        for statement in policy.document.statements
        for value in statement.resources
        if isinstance(value, Symbolic)
        for pair in value.attributes
    }
    assert any(attribute == "url" and address.startswith("aws_sqs_queue.") for address, attribute in pairs), (
        pairs
    )
    for address, attribute in pairs:
        assert "." in address and "." not in attribute


def test_every_resource_carries_the_canonical_cloudformation_type() -> None:
    import boundary

    (plan,) = boundary.load([SAMPLES / "insecure" / "plan.json"]).templates
    types = {r.type: r.aws_type for r in plan.resources.values()}
    assert types["aws_lambda_function"] == "AWS::Lambda::Function"
    assert types["aws_iam_role"] == "AWS::IAM::Role"
    template = Path(__file__).resolve().parents[2] / "samples" / "sam" / "insecure" / "template.yaml"
    (sam,) = boundary.load([template]).templates
    assert all(r.aws_type == r.type for r in sam.resources.values())


# ------------------------------------------------------------ OpenAPI bodies


_OPENAPI_ALTERNATIVES = {
    "openapi": "3.0.1",
    "components": {
        "securitySchemes": {
            "key": {"type": "apiKey", "name": "x-api-key", "in": "header"},
            "sigv4": {
                "type": "apiKey",
                "name": "Authorization",
                "in": "header",
                "x-amazon-apigateway-authtype": "awsSigv4",
            },
        }
    },
    "paths": {
        # either requirement lets a caller in: `{}` is anonymous access
        "/either": {"get": {"security": [{"sigv4": []}, {}]}},
        "/signed": {"get": {"security": [{"sigv4": []}]}},
        # a signature, or an API key alone (which is not authorization)
        "/signed-or-key": {"get": {"security": [{"sigv4": []}, {"key": []}]}},
        # a name with no scheme: API Gateway's own AWS_IAM
        "/named": {"get": {"security": [{"AWS_IAM": []}]}},
    },
}


@pytest.mark.parametrize(
    ("path", "expected"),
    [("/either", "NONE"), ("/signed", "AWS_IAM"), ("/signed-or-key", "NONE"), ("/named", "AWS_IAM")],
)
def test_an_openapi_body_means_what_it_means_in_cloudformation(
    path: str, expected: str, tmp_path: Path
) -> None:
    """Terraform's `body` and CloudFormation's `Body` are read by one reader: security
    alternatives are OR'ed, so the weakest is what a caller needs (Terraform once took the first)."""
    import boundary

    values = {"name": "api", "body": json.dumps(_OPENAPI_ALTERNATIVES)}
    plan = {
        "format_version": "1.2",
        "planned_values": {
            "root_module": {
                "resources": [
                    {
                        "address": "aws_api_gateway_rest_api.api",
                        "mode": "managed",
                        "type": "aws_api_gateway_rest_api",
                        "name": "api",
                        "values": values,
                    }
                ]
            }
        },
    }
    template = load_plan_text(json.dumps(plan), file="plan.json")
    (ours,) = [e for e in template.endpoints if e.path == path]
    cfn = {
        "Resources": {
            "Api": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Body": _OPENAPI_ALTERNATIVES}}
        }
    }
    (tmp_path / "template.json").write_text(json.dumps(cfn), encoding="utf-8")
    (cloudformation,) = boundary.load([tmp_path / "template.json"]).templates
    (theirs,) = [e for e in cloudformation.endpoints if e.path == path]
    assert ours.authorization == theirs.authorization == expected
