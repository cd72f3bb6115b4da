"""CloudFormation and expanded SAM to the model, judged by what AWS really deploys and grants.

Each case is a small template in the test's own words; the assertions are about the
model (who executes as what, which policy applies to whom, how an endpoint is
authorized) and, end to end, about the findings a reviewer expects on it.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

import boundary
from boundary.load import load_file
from boundary.model import Policy, PolicyKind, RelationKind, Template

_SAM_HEADER = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: python3.12
    Handler: app.handler
    CodeUri: s3://bucket/code.zip
"""

_TRUST = """\
      AssumeRolePolicyDocument:
        Statement:
          - {Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}
"""


def _write(tmp_path: Path, text: str, name: str = "template.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def _load(tmp_path: Path, text: str) -> Template:
    template = load_file(str(_write(tmp_path, text)))
    assert template is not None
    return template


def _findings(tmp_path: Path, text: str) -> list[tuple[str, str, str]]:
    """(rule id, resource, severity) of every unsuppressed finding."""
    result = boundary.analyze([str(_write(tmp_path, text))])
    assert not result.errors, [str(e) for e in result.errors]
    return sorted(
        (each.rule_id, f.resource, each.severity.value)
        for f in result.findings
        if f.suppression is None
        for each in (f, *f.merged)
    )


def _policies_of(template: Template, principal: str) -> list[Policy]:
    return [p for p in template.policies if principal in p.attached_to and p.kind is PolicyKind.IDENTITY]


# -- policies and attachments -----------------------------------------------------------------


def test_policy_documents_written_as_json_strings_are_read(tmp_path: Path) -> None:
    template = _load(
        tmp_path,
        """\
        Resources:
          JsonRole:
            Type: AWS::IAM::Role
            Properties:
              AssumeRolePolicyDocument: '{"Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}'
              Policies:
                - PolicyName: everything
                  PolicyDocument: '{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'
        """,
    )
    (inline,) = _policies_of(template, "JsonRole")
    assert inline.document is not None
    (statement,) = inline.document.statements
    assert (statement.actions, statement.resources) == (("*",), ("*",))
    trust = next(p for p in template.policies if p.kind is PolicyKind.TRUST)
    assert trust.document is not None
    assert trust.document.statements[0].principals == {"Service": ("lambda.amazonaws.com",)}


@pytest.mark.parametrize(
    ("attachment", "role_extra"),
    [
        ("      Roles: [!Ref AppRole]\n", ""),  # the policy names the role
        ("      Roles: [app-role]\n", ""),  # ... by its name string
        ("", "      ManagedPolicyArns: [!Ref Shared]\n"),  # the role names the policy
    ],
    ids=["roles-ref", "roles-name", "managed-policy-arns"],
)
def test_customer_managed_policy_reaches_its_role(tmp_path: Path, attachment: str, role_extra: str) -> None:
    text = (
        "Resources:\n"
        "  AppRole:\n"
        "    Type: AWS::IAM::Role\n"
        "    Properties:\n"
        "      RoleName: app-role\n" + _TRUST + role_extra + "  Shared:\n"
        "    Type: AWS::IAM::ManagedPolicy\n"
        "    Properties:\n" + attachment + "      PolicyDocument:\n"
        "        Statement:\n"
        "          - {Effect: Allow, Action: sqs:SendMessage, Resource: '*'}\n"
    )
    template = _load(tmp_path, text)
    assert [p.id for p in _policies_of(template, "AppRole")] == ["Shared"]


def test_sam_ignores_policies_when_a_role_is_given(tmp_path: Path) -> None:
    """SAM drops `Policies` next to `Role`: AdministratorAccess is never attached."""
    text = (
        _SAM_HEADER
        + "Resources:\n  OwnRole:\n    Type: AWS::IAM::Role\n    Properties:\n"
        + _TRUST
        + """\
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Role: !GetAtt OwnRole.Arn
      Policies: [AdministratorAccess]
"""
    )
    template = _load(tmp_path, text)
    assert "FnRole" not in template.resources
    assert not any(p.managed_arn and "AdministratorAccess" in p.managed_arn for p in template.policies)
    assert not [f for f in _findings(tmp_path, text) if f[0] == "BND105"]


# -- connectors --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "connector",
    [
        """\
  Reader:
    Type: AWS::Serverless::Function
    Connectors:
      ToTable:
        Properties:
          Destination: {Id: Orders}
          Permissions: [Read]
""",
        """\
  Reader:
    Type: AWS::Serverless::Function
  Link:
    Type: AWS::Serverless::Connector
    Properties:
      Source: {Id: Reader}
      Destination: [{Id: Orders}]
      Permissions: [Read]
""",
    ],
    ids=["embedded", "standalone"],
)
def test_connector_declares_that_its_source_uses_the_destination(tmp_path: Path, connector: str) -> None:
    text = (
        _SAM_HEADER
        + """\
Resources:
  Orders:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
      KeySchema: [{AttributeName: id, KeyType: HASH}]
"""
        + connector
    )
    template = _load(tmp_path, text)
    links = [r for r in template.relations if r.kind is RelationKind.REFERENCES and r.source == "Reader"]
    assert [(r.target, r.attributes.get("property")) for r in links] == [("Orders", "Connectors")]
    assert links[0].location is not None and links[0].location.line > 0
    assert not [f for f in _findings(tmp_path, text) if f[0] == "BND107"]


# -- what SAM generates, traced back -------------------------------------------------------------


def test_metadata_skip_on_a_function_covers_the_role_sam_generates(tmp_path: Path) -> None:
    text = (
        _SAM_HEADER
        + """\
Resources:
  Accepted:
    Type: AWS::Serverless::Function
    Metadata:
      boundary:
        skip:
          - {id: BND105, reason: break-glass function}
    Properties:
      Policies: [AdministratorAccess]
  NotAccepted:
    Type: AWS::Serverless::Function
    Properties:
      Policies: [AdministratorAccess]
"""
    )
    result = boundary.analyze([str(_write(tmp_path, text))])
    admin = {f.resource: f.suppression for f in result.findings if f.rule_id == "BND105"}
    assert set(admin) == {"AcceptedRole", "NotAcceptedRole"}
    suppressed = admin["AcceptedRole"]
    assert suppressed is not None and suppressed.reason == "break-glass function"
    assert admin["NotAcceptedRole"] is None


def test_codedeploy_role_of_a_gradual_deployment_is_no_execution_role(tmp_path: Path) -> None:
    text = (
        _SAM_HEADER
        + """\
Resources:
  First:
    Type: AWS::Serverless::Function
    Properties:
      AutoPublishAlias: live
      DeploymentPreference: {Type: Canary10Percent5Minutes}
  Second:
    Type: AWS::Serverless::Function
    Properties:
      AutoPublishAlias: live
      DeploymentPreference: {Type: AllAtOnce}
"""
    )
    template = _load(tmp_path, text)
    executes = {(r.source, r.target) for r in template.relations if r.kind is RelationKind.EXECUTES_AS}
    assert executes == {("First", "FirstRole"), ("Second", "SecondRole")}
    assert _findings(tmp_path, text) == []


# -- endpoints ---------------------------------------------------------------------------------


def test_default_authorizer_with_per_event_overrides(tmp_path: Path) -> None:
    text = (
        _SAM_HEADER
        + """\
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      Cors: {AllowOrigin: "'*'"}
      Auth:
        DefaultAuthorizer: Tokens
        AddDefaultAuthorizerToCorsPreflight: false
        Authorizers:
          Tokens: {FunctionArn: !GetAtt Authorizer.Arn}
  Authorizer:
    Type: AWS::Serverless::Function
  Handler:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Guarded: {Type: Api, Properties: {RestApiId: !Ref Api, Path: /orders, Method: get}}
        Health:
          Type: Api
          Properties: {RestApiId: !Ref Api, Path: /health, Method: get, Auth: {Authorizer: NONE}}
        Keyed:
          Type: Api
          Properties:
            RestApiId: !Ref Api
            Path: /keyed
            Method: post
            Auth: {Authorizer: NONE, ApiKeyRequired: true}
        Signed:
          Type: Api
          Properties: {RestApiId: !Ref Api, Path: /signed, Method: put, Auth: {Authorizer: AWS_IAM}}
"""
    )
    template = _load(tmp_path, text)
    seen = {(e.method, e.path): (str(e.authorization), e.api_key_required) for e in template.endpoints}
    assert seen[("GET", "/orders")] == ("CUSTOM", False)
    assert seen[("GET", "/health")] == ("NONE", False)
    assert seen[("POST", "/keyed")] == ("NONE", True)
    assert seen[("PUT", "/signed")] == ("AWS_IAM", False)
    assert seen[("OPTIONS", "/orders")] == ("NONE", False)  # CORS preflight, left open on purpose
    open_findings = {(f[0], f[2]) for f in _findings(tmp_path, text) if f[0] == "BND109"}
    assert open_findings == {("BND109", "high"), ("BND109", "medium")}


# -- IAM semantics end to end ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("deny", "reported"),
    [
        ("              - {Effect: Deny, Action: 'iam:*', Resource: '*'}\n", False),
        (
            "              - {Effect: Deny, Action: 'iam:*', Resource: '*',"
            " Condition: {Bool: {aws:SecureTransport: 'false'}}}\n",
            True,
        ),
        ("              - {Effect: Deny, Action: 'iam:Delete*', Resource: '*'}\n", True),
    ],
    ids=["denied", "conditional-deny", "partial-deny"],
)
def test_explicit_deny_takes_back_an_allow(tmp_path: Path, deny: str, reported: bool) -> None:
    text = (
        "Resources:\n  GuardedRole:\n    Type: AWS::IAM::Role\n    Properties:\n"
        + _TRUST
        + """\
      Policies:
        - PolicyName: p
          PolicyDocument:
            Statement:
              - {Effect: Allow, Action: 'iam:*', Resource: '*'}
"""
        + deny
    )
    rules = {f[0] for f in _findings(tmp_path, text)}
    assert ("BND105" in rules) is reported
    assert ("BND103" in rules) is reported


@pytest.mark.parametrize(
    ("resource", "reported"),
    [
        ("'*'", True),
        ("!Sub 'arn:aws:dynamodb:${AWS::Region}:${AWS::AccountId}:table/*'", True),
        ("!Sub 'arn:aws:dynamodb:${AWS::Region}:${AWS::AccountId}:table/orders-*'", False),
        ("!GetAtt Orders.Arn", False),
    ],
    ids=["star", "every-table", "name-prefix", "own-table"],
)
def test_wildcard_resource_reaches_every_table(tmp_path: Path, resource: str, reported: bool) -> None:
    text = f"""\
Resources:
  Orders:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions: [{{AttributeName: id, AttributeType: S}}]
      KeySchema: [{{AttributeName: id, KeyType: HASH}}]
  TableRole:
    Type: AWS::IAM::Role
    Properties:
{_TRUST}      Policies:
        - PolicyName: p
          PolicyDocument:
            Statement:
              - {{Effect: Allow, Action: [dynamodb:GetItem, dynamodb:PutItem], Resource: {resource}}}
"""
    assert any(f[:2] == ("BND104", "TableRole") for f in _findings(tmp_path, text)) is reported


@pytest.mark.parametrize(
    ("outputs", "severity"),
    [
        ("Outputs:\n  KeyId:\n    Value: !Ref Key\n", "high"),
        ("Outputs:\n  Secret:\n    Value: !GetAtt Key.SecretAccessKey\n", "critical"),
        (
            "Outputs:\n  Secret:\n    Value:\n      Fn::GetAtt:\n        - Key\n        - SecretAccessKey\n",
            "critical",
        ),
    ],
    ids=["key-id-only", "secret-short-form", "secret-long-form"],
)
def test_access_key_secret_in_outputs_is_critical(tmp_path: Path, outputs: str, severity: str) -> None:
    text = (
        "Resources:\n"
        "  Deployer:\n    Type: AWS::IAM::User\n"
        "  Key:\n    Type: AWS::IAM::AccessKey\n    Properties: {UserName: !Ref Deployer}\n" + outputs
    )
    assert [f for f in _findings(tmp_path, text) if f[0] == "BND111"] == [("BND111", "Key", severity)]


@pytest.mark.parametrize(
    ("principal", "condition", "reported"),
    [
        ("{AWS: '*'}", "", True),
        ("{AWS: 'arn:aws:iam::210987654321:root'}", "", True),
        (
            "{AWS: '210987654321'}",
            "            Condition: {StringEquals: {sts:ExternalId: partner-42}}\n",
            False,
        ),
        ("{AWS: 'arn:aws:iam::123456789012:root'}", "", False),  # the stack's own account
        ("{AWS: !Sub 'arn:aws:iam::${AWS::AccountId}:root'}", "", False),
    ],
    ids=["anyone", "other-account", "other-account-external-id", "same-account", "same-account-sub"],
)
def test_trust_policies(tmp_path: Path, principal: str, condition: str, reported: bool) -> None:
    text = f"""\
Resources:
  TrustedRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {principal}
            Action: sts:AssumeRole
{condition}"""
    assert any(f[0] == "BND112" for f in _findings(tmp_path, text)) is reported


def test_an_alias_stands_for_its_function(tmp_path: Path) -> None:
    """Under `AutoPublishAlias`, SAM points event sources, API integrations, function URLs and
    permissions at the alias: they still invoke (or open) the function."""
    text = (
        _SAM_HEADER
        + """\
Resources:
  Jobs:
    Type: AWS::SQS::Queue
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      AutoPublishAlias: live
      FunctionUrlConfig: {AuthType: AWS_IAM}
      Events:
        Queue: {Type: SQS, Properties: {Queue: !GetAtt Jobs.Arn}}
        Web: {Type: Api, Properties: {Path: /work, Method: post}}
  OpenToAll:
    Type: AWS::Lambda::Permission
    Properties:
      FunctionName: !Ref WorkerAliaslive
      Action: lambda:InvokeFunction
      Principal: "*"
"""
    )
    template = _load(tmp_path, text)
    invokes = {(r.source, r.target) for r in template.relations if r.kind is RelationKind.INVOKES}
    assert {("Jobs", "Worker"), ("ServerlessRestApi", "Worker"), ("WorkerUrl", "Worker")} <= invokes
    assert all(e.integrations == ("Worker",) for e in template.endpoints)
    permission = next(p for p in template.policies if p.id == "OpenToAll")
    assert permission.attached_to == ("Worker",)
    assert ("BND110", "OpenToAll", "high") in _findings(tmp_path, text)


# -- conditions that cannot be decided offline -------------------------------------------------

_UNDECIDED = """\
Parameters:
  Stage: {Type: String}
Conditions:
  IsDev: !Equals [!Ref Stage, dev]
  IsProd: !Not [!Condition IsDev]
Resources:
  AppRole:
    Type: AWS::IAM::Role
    Properties:
"""


def test_every_branch_of_an_undecidable_if_is_a_statement_that_says_when(tmp_path: Path) -> None:
    template = _load(
        tmp_path,
        _UNDECIDED
        + _TRUST
        + """\
      Policies:
        - PolicyName: app
          PolicyDocument:
            Statement:
              - {Effect: Allow, Action: !If [IsDev, "*", "s3:GetObject"], Resource: "*"}
              - {Effect: Allow, Action: !If [IsProd, "sqs:SendMessage", "sqs:SendMessage"], Resource: "*"}
""",
    )
    (policy,) = _policies_of(template, "AppRole")
    assert policy.document is not None
    seen = [(s.actions, s.when) for s in policy.document.statements]
    assert seen == [
        (("*",), ("IsDev is true",)),
        (("sqs:SendMessage",), ()),
        (("s3:GetObject",), ("IsDev is false",)),
    ]


@pytest.mark.parametrize(
    "policies",
    [
        # The whole list is chosen by the condition.
        """\
      Policies: !If
        - IsDev
        - [{PolicyName: app, PolicyDocument: {Statement: [{Effect: Allow, Action: "*", Resource: "*"}]}}]
        - !Ref AWS::NoValue
      ManagedPolicyArns: !If [IsProd, [], ["arn:aws:iam::aws:policy/AdministratorAccess"]]
""",
        # One item of each list is.
        """\
      Policies:
        - !If
          - IsDev
          - {PolicyName: app, PolicyDocument: {Statement: [{Effect: Allow, Action: "*", Resource: "*"}]}}
          - !Ref AWS::NoValue
      ManagedPolicyArns:
        - !If [IsDev, "arn:aws:iam::aws:policy/AdministratorAccess", !Ref AWS::NoValue]
""",
    ],
    ids=["around-the-list", "around-an-item"],
)
def test_if_around_policies_keeps_the_conditional_policies(tmp_path: Path, policies: str) -> None:
    template = _load(tmp_path, _UNDECIDED + _TRUST + policies)
    found = {p.id: p for p in _policies_of(template, "AppRole")}
    assert set(found) == {"AppRole/app", "arn:aws:iam::aws:policy/AdministratorAccess"}
    document = found["AppRole/app"].document
    assert document is not None
    assert [s.when for s in document.statements] == [("IsDev is true",)]  # the policy exists only in dev
    rules = {r for r, _, _ in _findings(tmp_path, _UNDECIDED + _TRUST + policies)}
    assert "BND103" in rules and "BND105" in rules


def test_a_decidable_if_around_policies_takes_its_branch(tmp_path: Path) -> None:
    text = _UNDECIDED.replace("Stage: {Type: String}", "Stage: {Type: String, Default: prod}") + _TRUST
    text += """\
      Policies:
        - !If
          - IsDev
          - {PolicyName: app, PolicyDocument: {Statement: [{Effect: Allow, Action: "*", Resource: "*"}]}}
          - {PolicyName: app, PolicyDocument: {Statement: [{Effect: Allow, Action: "s3:GetObject", Resource: "*"}]}}
"""
    (policy,) = _policies_of(_load(tmp_path, text), "AppRole")
    assert policy.document is not None
    assert [(s.actions, s.when) for s in policy.document.statements] == [(("s3:GetObject",), ())]


# -- DependsOn --------------------------------------------------------------------------------


def test_depends_on_is_kept_as_logical_ids(tmp_path: Path) -> None:
    template = _load(
        tmp_path,
        """\
        Resources:
          Journal: {Type: AWS::SQS::Queue}
          Ledger: {Type: AWS::SNS::Topic}
          One:
            Type: AWS::SNS::Topic
            DependsOn: Journal
          Many:
            Type: AWS::SNS::Topic
            DependsOn: [Journal, Ledger, Journal, Missing]
        """,
    )
    assert template.resources["One"].depends_on == ("Journal",)
    # in order, once each; an id the template does not declare is no resource to point at
    assert template.resources["Many"].depends_on == ("Journal", "Ledger")
    assert template.resources["Journal"].depends_on == ()


def test_sam_carries_a_functions_depends_on_onto_the_function_only(tmp_path: Path) -> None:
    template = _load(
        tmp_path,
        _SAM_HEADER
        + """\
Resources:
  Journal: {Type: AWS::SQS::Queue}
  Writer:
    Type: AWS::Serverless::Function
    DependsOn: Journal
    Properties:
      AutoPublishAlias: live
      Policies: [SQSSendMessagePolicy: {QueueName: !GetAtt Journal.QueueName}]
""",
    )
    waiting = {r.id: r.depends_on for r in template.resources.values() if r.depends_on}
    assert waiting == {"Writer": ("Journal",)}  # not its role, version or alias
