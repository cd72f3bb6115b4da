"""The typed model every loader produces and the graph is built from.

Pure data: frozen dataclasses, no I/O, no networkx. One `Template` per scanned
file, whatever its format; SAM is already expanded to the CloudFormation it
deploys, and every element keeps the place in the source file it came from.

Values inside `Resource.properties` are JSON-like (dict, list, str, int, float,
bool, None). What could not be resolved offline is a `Symbolic` leaf that says
why and which resources it mentions; it is never guessed.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

__all__ = [
    "Access",
    "Activity",
    "Endpoint",
    "EndpointProtocol",
    "Format",
    "LIMIT_NAMES",
    "Limits",
    "LoadError",
    "LoadSeverity",
    "Location",
    "Model",
    "OutsidePrincipal",
    "Policy",
    "PolicyDocument",
    "PolicyKind",
    "Relation",
    "RelationKind",
    "Resource",
    "ResourceKind",
    "Statement",
    "Symbolic",
    "Template",
]


class Format(str, enum.Enum):
    """The source format of a scanned file."""

    CLOUDFORMATION = "cloudformation"
    SAM = "sam"
    TERRAFORM = "terraform"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, slots=True, order=True)
class Location:
    """A place in a scanned file. `line` and `column` are 1-based; 0 means unknown.

    `address` is the Terraform resource address, where comments and lines do not
    survive planning.
    """

    file: str
    line: int = 0
    column: int = 0
    address: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.line:
            where += f":{self.line}"
            if self.column:
                where += f":{self.column}"
        if self.address:
            where += f" ({self.address})"
        return where


@dataclass(frozen=True, slots=True)
class Symbolic:
    """A value that cannot be known offline.

    `text` is a readable rendering (`${BookingTable.Arn}`, `(known after apply)`),
    `references` the resource ids it mentions, `reason` why it stays symbolic
    (for example "undefined parameter TableNme" or "unknown at plan time").
    `attributes` are the `(resource, attribute)` pairs the value is made of, where
    the loader knows them (`("aws_sqs_queue.jobs", "url")`): what a rule reads,
    so it never parses `text`.
    """

    text: str
    references: tuple[str, ...] = ()
    reason: str = ""
    attributes: tuple[tuple[str, str], ...] = ()

    def __str__(self) -> str:
        return self.text


class LoadSeverity(str, enum.Enum):
    """How bad a `LoadError` is. An `error`: the file, or a part of it, was not loaded
    (exit code 2). A `warning`: it was loaded, but something in it deserves a look
    (a duplicate key, whose last value was used); the exit code does not change."""

    ERROR = "error"
    WARNING = "warning"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, slots=True)
class Limits:
    """How much one scanned file may ask of the scanner (docs/security.md).

    A file over a limit is one located `LoadError` and the other files are
    still scanned. The defaults are far above what real templates and plans
    need and low enough that a hostile file stays within seconds and a few
    hundred megabytes.
    """

    max_file_size: int = 16 * 1024 * 1024  # bytes read from one file
    max_nodes: int = 500_000  # YAML/JSON elements, with aliases and merge keys expanded
    max_depth: int = 200  # nesting of lists and mappings
    max_resources: int = 5_000  # resources per template or plan (after the SAM transform)
    max_statements: int = 1_000  # statements per policy document
    max_actions: int = 10_000  # Action and NotAction entries per policy document
    max_work: int = 2_000_000  # steps of intrinsic and reference resolution per file

    def replace(self, **values: int) -> Limits:
        """A copy with some limits changed, by field name or kebab-case name
        (`max-nodes`); raises ValueError for an unknown name or a value below 1."""
        fields = {name: getattr(self, name) for name in LIMIT_NAMES.values()}
        for key, value in values.items():
            name = LIMIT_NAMES.get(key, key)
            if name not in fields:
                known = ", ".join(LIMIT_NAMES)
                raise ValueError(f"unknown limit {key!r} (known: {known})")
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"limit {key!r} must be a whole number of at least 1, got {value!r}")
            fields[name] = value
        return Limits(**fields)


# kebab-case name (CLI `--limit NAME=N`, `[tool.boundary.limits]`) -> field
LIMIT_NAMES: Mapping[str, str] = {
    "max-file-size": "max_file_size",
    "max-nodes": "max_nodes",
    "max-depth": "max_depth",
    "max-resources": "max_resources",
    "max-statements": "max_statements",
    "max-actions": "max_actions",
    "max-work": "max_work",
}


@dataclass(frozen=True, slots=True)
class LoadError:
    """A file, or part of one, that could not be loaded (or, as a `warning`, was loaded
    with something worth a look). One line, located."""

    file: str
    line: int
    column: int
    message: str
    severity: LoadSeverity = LoadSeverity.ERROR

    @property
    def is_error(self) -> bool:
        return self.severity is LoadSeverity.ERROR

    @property
    def where(self) -> str:
        """`file:line:col`, `file:line`, or `file` alone: a position is shown only where one
        is known (a missing file or an unreadable folder has none; line 0 means none)."""
        if not self.line:
            return self.file
        return f"{self.file}:{self.line}:{self.column}" if self.column else f"{self.file}:{self.line}"

    def __str__(self) -> str:
        return f"{self.where}: {self.severity}: {self.message}"


class ResourceKind(str, enum.Enum):
    """What a resource is to the security boundary, whatever its native type."""

    COMPUTE = "compute"  # Lambda function, state machine
    ROLE = "role"
    USER = "user"
    GROUP = "group"
    POLICY = "policy"  # a standalone policy resource (AWS::IAM::Policy, aws_iam_policy)
    ACCESS_KEY = "access-key"
    DATA = "data"  # table, topic, queue, bucket, secret, stream, key, ...
    API = "api"  # REST, HTTP or WebSocket API, GraphQL API
    ENDPOINT = "endpoint"  # a method, route or function URL
    PERMISSION = "permission"  # lambda permission, resource policy resource
    EVENT_SOURCE = "event-source"  # event source mapping, rule, subscription
    OTHER = "other"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, slots=True)
class Resource:
    """One deployed resource.

    `id` is the CloudFormation logical id or the Terraform address, unique in its
    template. `origin` names the SAM resource (or event) that generated it, so
    findings on generated resources point at the line the user wrote. `arns` are
    the ARNs the resource answers to, sub-resource patterns included
    (`...:table/Bookings/index/*`), as far as they are known offline.
    `aws_type` is the canonical type, the CloudFormation name whatever the
    source format (`aws_sqs_queue` -> `AWS::SQS::Queue`): what rules compare.
    `depends_on` are the ids of the template resources it is declared to wait
    for (CloudFormation `DependsOn`; Terraform `depends_on`, every instance of a
    counted resource), whether or not its properties also reference them.
    """

    id: str
    type: str
    kind: ResourceKind
    location: Location
    properties: Mapping[str, Any] = field(default_factory=dict)
    arns: tuple[str, ...] = ()
    name: str | Symbolic | None = None
    origin: str | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)
    # ids of template resources mentioned anywhere in the properties
    references: tuple[str, ...] = ()
    aws_type: str = ""
    depends_on: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.aws_type:
            object.__setattr__(self, "aws_type", self.type)


@dataclass(frozen=True, slots=True)
class Statement:
    """One normalised policy statement.

    Single strings are lists here; a missing element is an empty tuple, and
    `not_*` are set only when the statement used NotAction / NotResource /
    NotPrincipal. `principals` maps the principal type (`AWS`, `Service`,
    `Federated`, `CanonicalUser`, or `*`) to its values. `when` is set when the
    statement exists only under template conditions that cannot be decided
    offline (`("IsDev is true",)`): each branch of such an `Fn::If` is loaded as
    its own statement, and what it holds only under is said here. `elements` says
    where each element of the statement (`Resource`, `Action`, ...) is written,
    where the loader knows it; an element not in it is at `location`.
    """

    effect: str | Symbolic
    actions: tuple[str | Symbolic, ...] = ()
    not_actions: tuple[str | Symbolic, ...] | None = None
    resources: tuple[str | Symbolic, ...] = ()
    not_resources: tuple[str | Symbolic, ...] | None = None
    principals: Mapping[str, tuple[str | Symbolic, ...]] | None = None
    not_principals: Mapping[str, tuple[str | Symbolic, ...]] | None = None
    conditions: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    sid: str | None = None
    location: Location | None = None
    when: tuple[str, ...] = ()
    elements: Mapping[str, Location] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PolicyDocument:
    """A normalised policy document; `raw` is what the template said, resolved."""

    statements: tuple[Statement, ...]
    version: str | Symbolic | None = None
    raw: Any = None
    location: Location | None = None


class PolicyKind(str, enum.Enum):
    IDENTITY = "identity"  # attached to a role, user or group
    RESOURCE = "resource"  # bucket, topic, queue, function (lambda permission) policies
    TRUST = "trust"  # a role's assume-role policy

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, slots=True)
class OutsidePrincipal:
    """A role, user or group that a policy of the template is attached to but that the
    template does not declare: named by a literal (`example-role`, an ARN) or by a
    parameter (`${RoleName}` when it has no value).

    `kind` is `ResourceKind.ROLE`, `USER` or `GROUP`; `name` is what the template
    says, resolved; `location` is where it says it (the `Roles:` item).
    """

    kind: ResourceKind
    name: str
    location: Location


@dataclass(frozen=True, slots=True)
class Policy:
    """A policy and what it applies to.

    `id` is the policy resource id, or `RoleId/PolicyName` for an inline
    policy, both unique in the template, or the ARN of a managed policy that
    is attached by ARN: that one comes once per place that attaches it (a
    role's `ManagedPolicyArns`, a Terraform attachment), each with the
    `location` of that attachment. `managed_arn` is set for AWS or customer managed
    policies named by ARN; `document` is None when the content is not known
    (an unknown managed policy). `implicit` is set for what the SAM transform
    attached on its own (an event source's execution policy, such as
    `AWSLambdaSQSQueueExecutionRole` for an SQS event) and the template never
    names: the user cannot change it short of writing the role themselves.
    `outside_principals` are the roles, users and groups it is attached to that the
    template does not declare (`attached_to` holds the ones it does).
    """

    id: str
    kind: PolicyKind
    document: PolicyDocument | None
    attached_to: tuple[str, ...]
    location: Location
    name: str | None = None
    managed_arn: str | None = None
    origin: str | None = None
    implicit: bool = False
    outside_principals: tuple[OutsidePrincipal, ...] = ()


class RelationKind(str, enum.Enum):
    """Edges that loaders know without IAM evaluation."""

    EXECUTES_AS = "executes-as"  # compute -> role
    INVOKES = "invokes"  # event source, API or endpoint -> compute (or any target)
    REFERENCES = "references"  # compute -> resource named in its properties or env vars
    ROUTES = "routes"  # api -> endpoint
    MEMBER_OF = "member-of"  # user -> group
    KEY_OF = "key-of"  # access key -> user

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, slots=True)
class Relation:
    source: str
    target: str
    kind: RelationKind
    location: Location | None = None
    attributes: Mapping[str, Any] = field(default_factory=dict)


class EndpointProtocol(str, enum.Enum):
    REST = "rest"
    HTTP = "http"
    WEBSOCKET = "websocket"
    FUNCTION_URL = "function-url"
    GRAPHQL = "graphql"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, slots=True)
class Endpoint:
    """A callable entry point: a REST method, an HTTP/WebSocket route, a function URL.

    `authorization` is the effective authorization type as deployed: `NONE`,
    `AWS_IAM`, `COGNITO_USER_POOLS`, `CUSTOM`, `JWT` (or a `Symbolic`).
    `resource` is the id of the resource that defines it (a Method, Route,
    Url, or the API whose OpenAPI body declares it). `integrations` are the
    resource ids it invokes.
    """

    id: str
    protocol: EndpointProtocol
    api: str | None
    method: str
    path: str
    authorization: str | Symbolic
    resource: str
    location: Location
    api_key_required: bool = False
    authorizer: str | None = None
    integrations: tuple[str, ...] = ()
    origin: str | None = None


@dataclass(frozen=True, slots=True)
class Template:
    """One scanned file, loaded and (for SAM) expanded."""

    path: str
    format: Format
    resources: Mapping[str, Resource]
    policies: tuple[Policy, ...] = ()
    relations: tuple[Relation, ...] = ()
    endpoints: tuple[Endpoint, ...] = ()
    parameters: Mapping[str, Any] = field(default_factory=dict)
    region: str = "us-east-1"
    account: str = "123456789012"
    partition: str = "aws"
    # values that stayed symbolic, with where they are, for reporting
    unresolved: tuple[tuple[Location, Symbolic], ...] = ()
    # the raw lines of the source file, for code frames in reports
    source_lines: tuple[str, ...] = ()
    # other files the template's locations point into (the `.tf` files of a Terraform
    # configuration), path -> raw lines
    sources: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # where the `.tf` sources write what a Terraform plan states, by the plan's key paths
    # (`("variables", name, "value", ...)`, `("planned_values", "outputs", name, "value", ...)`,
    # `("resources", address, attribute, ...)`): look a path up longest prefix first
    written: Mapping[tuple[str | int, ...], Location] = field(default_factory=dict)
    # what the user should know about how it was read, once (remote modules not
    # followed, Terraform sources scanned without a plan)
    notes: tuple[str, ...] = ()
    # the Outputs, Mappings and Metadata sections as the template wrote them (CloudFormation,
    # SAM); a Terraform plan's outputs as the plan states them (`{"name": {"value": ...}}`)
    outputs: Mapping[str, Any] = field(default_factory=dict)
    mappings: Mapping[str, Any] = field(default_factory=dict)
    metadata: Mapping[str, Any] = field(default_factory=dict)
    # where any key path of the source is, as (line, column), 1-based:
    # `template.locate(("Outputs", "ApiUrl", "Value"))`, in a plan
    # `template.locate(("variables", "name", "value"))`; None where the loader has no
    # source to point into
    locate: Callable[[Sequence[str | int]], tuple[int, int]] | None = field(
        default=None, compare=False, repr=False
    )
    # what the loader noticed but loaded anyway (duplicate keys): `LoadError`s of severity
    # `warning`; `load` adds them to `Model.errors`
    warnings: tuple[LoadError, ...] = ()

    def for_reports(self) -> Template:
        """This template with what reports read of it (path, format, parameters, region,
        account, source lines, sources, notes, warnings), without what the rules read
        (resources, policies, relations, endpoints, outputs, the locator): what a scan
        returns when asked for no more (`boundary.analyze(..., whole_templates=False)`)."""
        return replace(
            self,
            resources={},
            policies=(),
            relations=(),
            endpoints=(),
            unresolved=(),
            written={},
            outputs={},
            mappings={},
            metadata={},
            locate=None,
        )


@dataclass(frozen=True, slots=True)
class Access:
    """One line of aggregated access activity: a principal calling one API, on one
    resource (or none named), `count` times between `first_seen` and `last_seen`.

    `principal` is the role ARN in its IAM form (`arn:aws:iam::1:role/path/name`) for
    an assumed-role session, else the caller's ARN or the AWS service that called.
    `source` and `name` are CloudTrail's `eventSource` and `eventName`; `action` the
    IAM action they map to (canonical `service:Action`), None when no action is
    known. An IAM access advisor line that names only a service has `name` "" and
    `action` None; `service` is the IAM service prefix either way. Times are ISO
    8601 UTC (`2026-05-01T12:00:00Z`); access advisor gives no counts (0).
    """

    principal: str
    source: str
    name: str
    action: str | None
    service: str
    resource: str | None
    first_seen: str
    last_seen: str
    count: int


@dataclass(frozen=True, slots=True)
class Activity:
    """Access activity read from exported files (CloudTrail, IAM access advisor, the
    aggregation query's CSV), aggregated; what an audit compares grants with.

    `failed` counts calls that failed (AccessDenied and every other error): they are
    not use. `unmapped` counts successful events with no known IAM action, by
    (event source, event name). `role_map` maps template role ids to the role names or
    ARNs they were deployed as; `stacks`, when given, are the only CloudFormation
    stacks whose generated role names count.
    """

    accesses: tuple[Access, ...] = ()
    files: tuple[str, ...] = ()
    errors: tuple[LoadError, ...] = ()
    events: int = 0
    failed: int = 0
    unmapped: Mapping[tuple[str, str], int] = field(default_factory=dict)
    since: str | None = None
    until: str | None = None
    role_map: Mapping[str, str] = field(default_factory=dict)
    stacks: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Model:
    """Everything loaded from the scanned paths; errors say what was not (and, with
    severity `warning`, what was loaded but deserves a look). `activity` is set when
    access activity was given (`boundary audit`)."""

    templates: tuple[Template, ...] = ()
    errors: tuple[LoadError, ...] = ()
    activity: Activity | None = None
