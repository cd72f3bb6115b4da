from __future__ import annotations

from collections.abc import Iterator

from boundary.graph import NodeKind, queries
from boundary.graph.permissions import DataAccess, data_access
from boundary.iam import Arn, catalog, wildcard_match
from boundary.rules import Rule, RuleContext, Violation

# Orchestrating several services is what a state machine is for; the rule judges code.
_ORCHESTRATORS = ("AWS::StepFunctions::StateMachine",)
# A full wildcard reaches everything; counting it here would repeat the wildcard-resource rule.
_COUNTED_CLASSES = frozenset({"specific", "partial-wildcard", "external"})
# What Lambda calls with the function's role to run it from an event source or deliver its
# results (AWS's event-source execution policies): not one of the function's jobs, wherever
# they are granted, when the function is wired to that service.
_POLL_ACTIONS = frozenset(
    {
        "sqs:receivemessage",
        "sqs:deletemessage",
        "sqs:getqueueattributes",
        "sqs:changemessagevisibility",
        "dynamodb:describestream",
        "dynamodb:getrecords",
        "dynamodb:getsharditerator",
        "dynamodb:liststreams",
        "kinesis:describestream",
        "kinesis:describestreamsummary",
        "kinesis:getrecords",
        "kinesis:getsharditerator",
        "kinesis:listshards",
        "kinesis:liststreams",
        "kinesis:subscribetoshard",
        "kafka:describecluster",
        "kafka:describeclusterv2",
        "kafka:getbootstrapbrokers",
        "mq:describebroker",
    }
)
# IAM prefixes of one service: S3 Express and Object Lambda are S3, DAX is DynamoDB,
# (Athena reading its tables through the Glue catalog is handled below.)
_FAMILIES = {
    "s3-object-lambda": "s3",
    "s3express": "s3",
    "s3tables": "s3",
    "dax": "dynamodb",
    "rds-data": "rds",
    "rds-db": "rds",
    "aoss": "opensearch",
    "es": "opensearch",
    "kafka-cluster": "kafka",
}


class MultiPurposeFunction(Rule):
    """
    ## What it does
    Finds a function whose execution role can reach data in more services than a
    threshold (`max-services`, default 2: three services are a finding), or more
    data resources than a threshold (`max-resources`, default 5).

    The rule warns rather than fails: reading an upload from S3, writing its
    metadata to DynamoDB and publishing to SNS can be one job across three
    services. Where that is the design, raise `max-services` to 3 in the
    configuration; the default follows the Serverless Lens' small,
    single-purpose functions.

    Data access means Read, Write and Permissions-management actions of services
    that hold or move data (DynamoDB, S3, SNS, SQS, Kinesis, Secrets Manager,
    SSM parameters, EventBridge, ...), from every Allow statement of the
    function's roles, AWS managed policies included where their content is known,
    and only where the action fits the resource it is granted on. Telemetry
    (CloudWatch Logs, X-Ray, CloudWatch metrics), List and Tagging actions, and
    KMS (a key protects data held by another counted service) are not counted.
    Reading SSM parameters and Secrets Manager secrets configures a job and is
    not counted, as a service or as resources. What runs the function (the queue, stream or topic that
    triggers it, its dead-letter queue and on-failure destinations) is not
    counted either, nor the actions Lambda needs to poll those services
    (`sqs:ReceiveMessage`, `dynamodb:GetRecords`, `kinesis:GetShardIterator`,
    ...) wherever they are granted: Lambda uses the function's role for them.
    Other grants in those services still count: a function triggered by a
    DynamoDB stream that also writes another table reaches DynamoDB data. IAM prefixes of one service count once (S3 Express is S3, DAX is
    DynamoDB; Glue with Athena is Athena). Resources granted through a full
    wildcard (`*`) count towards services but not towards resources: the
    wildcard-resource rule reports those. A partial wildcard
    (`table/orders-*`) granted beside the resources it matches counts as
    those resources, not as one more; one that matches none of them (it
    reaches resources outside the template) counts once. State machines are not judged:
    coordinating several services is their job.

    ## Why is this bad?
    A function that reads a table, writes a bucket, publishes to a topic and
    sends to a queue does several jobs with one identity. A flaw in any one of
    those code paths exposes every data store the function can reach, and the
    role cannot be tightened without splitting the function. Small,
    single-purpose functions keep each blast radius small.

    ## Example
    ```yaml
    OrderFunction:
      Type: AWS::Serverless::Function
      Properties:
        Policies:
          - DynamoDBCrudPolicy: {TableName: !Ref OrderTable}
          - S3CrudPolicy: {BucketName: !Ref InvoiceBucket}
          - SNSPublishMessagePolicy: {TopicName: !GetAtt OrderTopic.TopicName}
          - SQSSendMessagePolicy: {QueueName: !GetAtt ShippingQueue.QueueName}
    ```

    ## Use instead
    Split the function along its jobs, each with its own role, and connect them
    with events (a stream, a queue, a state machine).
    ```yaml
    SaveOrder:
      Type: AWS::Serverless::Function
      Properties:
        Policies:
          - DynamoDBWritePolicy: {TableName: !Ref OrderTable}
    WriteInvoice:
      Type: AWS::Serverless::Function
      Properties:
        Policies:
          - S3WritePolicy: {BucketName: !Ref InvoiceBucket}
    ```

    ## References
    - AWS Well-Architected Serverless Lens, SEC2: "Use one IAM role per function" and single-purpose functions
    - https://docs.aws.amazon.com/wellarchitected/latest/serverless-applications-lens/identity-and-access-management.html
    - https://docs.aws.amazon.com/lambda/latest/dg/best-practices.html
    """

    def evaluate(self, ctx: RuleContext) -> Iterator[Violation]:
        max_services = int(ctx.thresholds.get("max-services", 2))
        max_resources = int(ctx.thresholds.get("max-resources", 5))
        access_by_role: dict[str, dict[str, DataAccess]] = {}
        for function in queries.nodes_of_kind(ctx.graph, NodeKind.COMPUTE):
            if ctx.attrs(function).get("aws_type") in _ORCHESTRATORS:
                continue
            roles = queries.roles_of(ctx.graph, function)
            wiring = ctx.wiring_of(function)
            # What runs the function (its queue, its stream, its dead-letter queue) is how it
            # is run, not one of its jobs: those resources, and the poll actions of their
            # services, are left out; the rest of those services still counts.
            wiring_services = {s for node in wiring for s in _services_of(ctx, node)}
            services: set[str] = set()
            resources: dict[str, str] = {}
            for role in roles:
                if role not in access_by_role:
                    # A `*` grant's own node carries every action of the grant, so the
                    # resources it reaches one by one add no service, and they are of class
                    # full-wildcard, which is not counted: they are not listed.
                    access_by_role[role] = data_access(
                        ctx.graph, role, every_resource=False, views=ctx.statements_of(role)
                    )
                for target, access in access_by_role[role].items():
                    if target in wiring:
                        continue
                    jobs = [
                        a for a in access.actions if not _configuration(a) and not _polls(a, wiring_services)
                    ]
                    if not jobs:
                        continue  # only reads its configuration (a parameter, a secret) there
                    services.update(_family(a.partition(":")[0]) for a in jobs)
                    kind = ctx.attrs(target).get("kind")
                    if kind in (NodeKind.DATA, NodeKind.ARN) and _COUNTED_CLASSES.intersection(
                        access.target_classes
                    ):
                        resources.setdefault(_resource_key(ctx, target), target)
            resources = _without_covering_wildcards(ctx, resources)
            if "athena" in services:
                services.discard("glue")  # Athena queries read the Glue catalog: one job
            through = " and ".join(ctx.label(role) for role in roles)
            name = ctx.label(function)
            if len(services) > max_services:
                shown = sorted(services)
                listed = ", ".join(shown[:8]) + (", ..." if len(shown) > 8 else "")
                yield Violation(
                    node=function,
                    message=(
                        f"function {name} can reach data in {len(services)} services ({listed}) "
                        f"through role {through}; expected at most {max_services}"
                    ),
                    related=roles,
                    key="services",
                )
            if len(resources) > max_resources:
                labels = sorted(ctx.label(r) for r in resources.values())
                listed = ", ".join(labels[:8]) + (", ..." if len(labels) > 8 else "")
                yield Violation(
                    node=function,
                    message=(
                        f"function {name} can reach {len(resources)} data resources ({listed}) "
                        f"through role {through}; expected at most {max_resources}"
                    ),
                    related=(*roles, *sorted(resources.values())),
                    key="resources",
                )


def _without_covering_wildcards(ctx: RuleContext, resources: dict[str, str]) -> dict[str, str]:
    """The counted resources without a wildcard pattern (`table/orders-*`) that covers
    other counted resources: it is those resources again, not one more. A wildcard that
    covers none of them still counts once (it reaches something outside the template)."""
    arns = {key: tuple(ctx.attrs(node).get("arns") or ()) for key, node in resources.items()}
    kept: dict[str, str] = {}
    for key, node in resources.items():
        pattern = str(ctx.attrs(node).get("arn") or "")
        if ctx.attrs(node).get("kind") == NodeKind.ARN and ("*" in pattern or "?" in pattern):
            covered = any(
                wildcard_match(pattern, arn)
                for other, found in arns.items()
                if other != key and resources[other] != node
                for arn in found
                if "*" not in arn
            )
            if covered:
                continue
        kept[key] = node
    return kept


def _family(service: str) -> str:
    """One name per data service, whatever the IAM prefix (`s3express` is S3)."""
    return _FAMILIES.get(service, service)


def _polls(action: str, wiring_services: set[str]) -> bool:
    """An action Lambda needs to poll or deliver to a service the function is wired to."""
    return action.lower() in _POLL_ACTIONS and action.partition(":")[0].lower() in wiring_services


def _configuration(action: str) -> bool:
    """Reading a parameter or a secret configures a job; it is not a job of its own."""
    service = action.partition(":")[0]
    return service in ("ssm", "secretsmanager") and catalog().access_level(action) in ("Read", "List")


def _services_of(ctx: RuleContext, node: str) -> set[str]:
    services = set()
    for arn in ctx.attrs(node).get("arns") or ():
        parsed = Arn.parse(arn)
        if parsed is not None and not Arn.is_variable(parsed.service):
            services.add(parsed.service.lower())
    return services


def _resource_key(ctx: RuleContext, node: str) -> str:
    """Template resources are themselves; an external ARN is its bucket, table or stream,
    so `bucket` and `bucket/*` count once."""
    if ctx.attrs(node).get("kind") != NodeKind.ARN:
        return node
    arn = Arn.parse(str(ctx.attrs(node).get("arn") or ""))
    if arn is None:
        return node
    if arn.service == "s3":
        main = arn.resource.split("/", 1)[0]
    else:
        main = "/".join(arn.resource.replace(":", "/").split("/")[:2])
    return f"{arn.service}:{arn.region}:{arn.account}:{main}"
