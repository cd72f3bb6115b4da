from __future__ import annotations

import bisect
import json
from collections.abc import Iterator, Mapping
from typing import Any

from boundary.graph import EdgeKind, NodeKind, queries
from boundary.graph.permissions import DATA_SERVICES, DataAccess, data_access
from boundary.iam import Arn, wildcard_match
from boundary.model import Resource, Symbolic
from boundary.rules import Rule, RuleContext, Severity, Violation

# Full wildcards are the wildcard-resource rule's; ARNs outside the template are not judged here.
_JUDGED = frozenset({"specific", "partial-wildcard"})
_SERVICES = DATA_SERVICES | {"kms"}
# Log groups receive what the function prints, whether or not the template names them.
_TELEMETRY_TYPES = frozenset({"AWS::Logs::LogGroup"})
_KEY_TYPES = frozenset({"AWS::KMS::Key", "AWS::KMS::Alias"})
# Resources that only point at another data resource: naming them names what they point at.
_POINTERS = frozenset({"AWS::S3::AccessPoint", "AWS::Glue::Table", "AWS::EFS::AccessPoint"})
_RULE_TYPES = frozenset({"AWS::Events::Rule"})
_DATA_SOURCE_TYPES = frozenset({"AWS::AppSync::DataSource"})
# A parameter whose value is a resource's name hands that name to whoever reads it.
_PARAMETER_TYPES = frozenset({"AWS::SSM::Parameter"})
# Properties that give a resource a fixed name, which code can use without the template.
_NAME_KEYS = (
    "TableName",
    "BucketName",
    "QueueName",
    "TopicName",
    "StreamName",
    "DeliveryStreamName",
    "Name",
    "name",
    "bucket",
)


class UnreferencedResourceGrant(Rule):
    """
    ## What it does
    Finds an execution role that grants a function access to a data resource of
    the same template (a table, bucket, queue, topic, stream, secret, key...)
    that the function never references: not in its environment variables or
    other properties, not as an event source, a dead-letter queue or a
    destination, not through an integration. Only statements that name the
    resource, or a pattern that matches it, are judged; `Resource: "*"` is left
    to the wildcard-resource rule. When several functions share the role, what
    any of them references counts (the shared-execution-role rule reports the
    sharing). KMS keys of the resources the function uses count as used, so
    does a resource whose name reaches the function through an SSM parameter
    it references, and log groups are never reported. State machines and the
    service roles of AppSync data sources are held to what they name the
    same way (a DynamoDB data source reaches its own table only). A resource
    with a fixed name (`TableName: Orders`) may be named by the function's
    code without the template: it is reported with info severity, which does
    not fail a scan at the default `--fail-on low`.

    How functions find their resources, besides `!Ref`/`!GetAtt`: a
    function that is the `ServiceToken` of a custom resource is handed what
    the custom resource's properties name; a property value that is a name,
    or a name prefix up to a separator (`CONFIG_PATH: /orders/config` for
    the parameters `/orders/config/*` read by path, `APP: ledger` for the
    table `ledger-audit`), names that resource. A pattern that reaches
    several unreferenced resources is one grant and one finding, listing
    them. A grant that names exactly one resource with a fixed name, which
    no other function of the template is handed, is the grant the code
    needs to use that literal name: not reported. The message lists as
    referenced only the data resources the function names itself, not its
    API, the functions beside it or what an alarm on it notifies.
    A function whose own `DependsOn` (Terraform `depends_on`) names a
    resource was made to wait for it by its author: that ties them as a
    reference does (a custom resource it waits for also ties it to what
    that names). The other direction does not: a resource that waits for
    the function (a bucket whose notification needs its invoke permission)
    says nothing about what the function's code reaches, nor does its role
    waiting for a table, which orders the grant, not its use. Functions and
    resources outside the template are not judged.

    ## Why is this bad?
    A grant on a resource the function has no way to name is either left over
    or meant for another function. Either way it widens the blast radius: a
    flaw in this function now reaches data that belongs to a different part of
    the application, which is exactly the boundary the template was meant to
    draw.

    ## Example
    ```yaml
    GetLoyalty:
      Type: AWS::Serverless::Function
      Properties:
        Environment:
          Variables:
            LOYALTY_TABLE: !Ref LoyaltyTable
        Policies:
          - DynamoDBReadPolicy: {TableName: !Ref LoyaltyTable}
          - DynamoDBCrudPolicy: {TableName: !Ref BookingTable} # never used by GetLoyalty
    ```

    ## Use instead
    Grant only on the resources the function is given, and give each function
    its own role.
    ```yaml
    GetLoyalty:
      Type: AWS::Serverless::Function
      Properties:
        Environment:
          Variables:
            LOYALTY_TABLE: !Ref LoyaltyTable
        Policies:
          - DynamoDBReadPolicy: {TableName: !Ref LoyaltyTable}
    ```

    ## References
    - AWS Well-Architected Serverless Lens, SEC2: "Use least-privileged policies"
    - https://docs.aws.amazon.com/wellarchitected/latest/serverless-applications-lens/identity-and-access-management.html
    - https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege
    """

    def evaluate(self, ctx: RuleContext) -> Iterator[Violation]:
        resources = {
            f"{template.path}::{resource.id}": resource
            for template in ctx.model.templates
            for resource in template.resources.values()
        }
        computes = list(queries.nodes_of_kind(ctx.graph, NodeKind.COMPUTE))
        used = {compute: _used_by(ctx, compute, resources) for compute in computes}
        named = {compute: _direct_data(ctx, compute, resources) for compute in computes}
        for role, functions in _judged_roles(ctx).items():
            executors = queries.executors(ctx.graph, role)
            known: set[str] = set()
            direct: set[str] = set()
            for executor in executors:
                known |= used.get(executor) or _used_by(ctx, executor, resources)
                direct |= named.get(executor) or _direct_data(ctx, executor, resources)
            # One finding per grant: a pattern that matches several unreferenced resources
            # (parameters read by path) is one intended grant, reported once.
            grouped: dict[tuple[Any, ...], list[tuple[str, DataAccess]]] = {}
            for target, access in data_access(
                ctx.graph, role, services=_SERVICES, classes=_JUDGED, views=ctx.statements_of(role)
            ).items():
                data = ctx.attrs(target)
                if (
                    data.get("kind") != NodeKind.DATA
                    or target in known
                    or data.get("aws_type") in _TELEMETRY_TYPES
                ):
                    continue
                if (
                    "specific" in access.target_classes
                    and _fixed_name(resources.get(target))
                    and not any(target in named[c] for c in computes if c not in executors)
                ):
                    # The grant names exactly this resource, whose fixed name is the only way
                    # the code can know it, and no other function is handed it: the grant is
                    # the one intended, not an over-grant.
                    continue
                key: tuple[Any, ...] = (target,)
                if access.views and set(access.target_classes) == {"partial-wildcard"}:
                    key = ("pattern", *sorted((v.policy_node, v.index) for v in access.views))
                grouped.setdefault(key, []).append((target, access))
            for group in grouped.values():
                yield self._violation(ctx, role, functions, group, direct, used, resources)

    @staticmethod
    def _violation(
        ctx: RuleContext,
        role: str,
        functions: tuple[str, ...],
        group: list[tuple[str, DataAccess]],
        direct: set[str],
        used: Mapping[str, set[str]],
        resources: Mapping[str, Resource],
    ) -> Violation:
        target, access = group[0]
        targets = [t for t, _ in group]
        names = ", ".join(ctx.label(f) for f in functions)
        nouns = {_noun(str(ctx.attrs(f).get("aws_type") or "")) for f in functions}
        noun = nouns.pop() if len(nouns) == 1 else "function"
        whom = f"{noun} {names}" if len(functions) == 1 else f"{noun}s {names}"
        subject = f"the {noun} never references" if len(functions) == 1 else "none of them references"
        actions = sorted({a for _, found in group for a in found.actions})
        shown = ", ".join(actions[:5]) + (f", ... ({len(actions)} in all)" if len(actions) > 5 else "")
        # Only the data the function itself names: not its API, the other functions behind it,
        # or what an alarm or rule naming it points at.
        referenced = sorted(ctx.label(n) for n in direct if n not in functions)
        uses = f"it references {', '.join(referenced)}" if referenced else "it references no data resource"
        labels = [ctx.label(t) for t in targets]
        if len(targets) == 1:
            what, which = ctx.label(target), "which"
        else:
            arns = [a for t in targets if (r := resources.get(t)) is not None for a in r.arns]
            patterns = sorted(
                {
                    p
                    for _, found in group
                    for v in found.views
                    for p in _patterns(v)
                    if any(wildcard_match(p, arn) for arn in arns)
                }
            )
            through = f" through {', '.join(patterns)}" if patterns else ""
            what = f"{len(targets)} resources{through} ({', '.join(labels)})"
            which = "none of which"
            subject = subject.replace("never references", "references").replace(
                "none of them references", "any of them references"
            )
        others = sorted(
            {ctx.label(c) for c, nodes in used.items() for t in targets if t in nodes and c not in functions}
        )
        elsewhere = (
            f"; {', '.join(labels)} {'is' if len(labels) == 1 else 'are'} used by {', '.join(others)}"
            if others
            else ""
        )
        fixed_names = [_fixed_name(resources.get(t)) for t in targets]
        fixed = all(fixed_names)
        if not fixed:
            caveat = ""
        elif len(targets) == 1:
            caveat = f"; its name {fixed_names[0]!r} is fixed, so code could name it without the template"
        else:
            caveat = "; their names are fixed, so code could name them without the template"
        return Violation(
            node=role,
            message=(
                f"role {ctx.label(role)} of {whom} grants {shown} on {what}, "
                f"{which} {subject} ({uses}){elsewhere}{caveat}; "
                "expected grants only on the resources it uses"
            ),
            related=(*functions, *targets),
            key=ctx.label(target) if len(targets) == 1 else "pattern:" + ",".join(sorted(labels)),
            location=access.views[0].location if access.views else None,
            # A fixed name may be used from code: still worth a look, not worth failing a
            # build, so info (the default --fail-on low would fail on low).
            severity=Severity.INFO if fixed else None,
        )


def _patterns(view: Any) -> list[str]:
    """The wildcard resource patterns a statement names (`...:parameter/app/*`)."""
    values = view.statement.resources or ()
    return [v for v in values if isinstance(v, str) and ("*" in v or "?" in v) and v != "*"]


def _noun(resource_type: str) -> str:
    if resource_type in _DATA_SOURCE_TYPES:
        return "data source"
    if resource_type == "AWS::StepFunctions::StateMachine":
        return "state machine"
    return "function"


def _judged_roles(ctx: RuleContext) -> dict[str, tuple[str, ...]]:
    """Execution roles of compute resources, and the service roles of AppSync data
    sources: a DynamoDB or OpenSearch data source reaches the table it names and
    nothing else, so its role is held to that as a function's is."""
    roles = {role: set(users) for role, users in queries.execution_roles(ctx.graph).items()}
    for source, role, _ in queries.edges_of_kind(ctx.graph, EdgeKind.EXECUTES_AS):
        if ctx.attrs(source).get("aws_type") in _DATA_SOURCE_TYPES:
            roles.setdefault(role, set()).add(source)
    return {role: tuple(sorted(users)) for role, users in sorted(roles.items())}


def _fixed_name(resource: Resource | None) -> str | None:
    if resource is None:
        return None
    for key in _NAME_KEYS:
        value = resource.properties.get(key)
        if isinstance(value, str) and value:
            return value
    return None


def _used_by(ctx: RuleContext, compute: str, resources: Mapping[str, Resource]) -> set[str]:
    """What a compute resource (or an AppSync data source, a rule target) names or is run by,
    with the keys and targets those resources point at."""
    wiring = set(ctx.wiring_of(compute))
    known = set(queries.referenced_by(ctx.graph, compute)) | wiring
    for _, target, data in ctx.graph.out_edges(compute, data=True):
        if data.get("kind") in ("invokes", "references"):
            known.add(target)
    known |= _named_in_properties(ctx, compute, resources)
    known |= _named_by_prefix(ctx, compute, resources)
    known |= _custom_resource_names(ctx, compute, resources)
    known |= _event_pattern_sources(ctx, compute, wiring, resources)
    known |= _waited_for(compute, resources)
    frontier = list(known)
    for _ in range(3):  # a function's access point names a file system that names a bucket
        reached: list[str] = []
        for node in frontier:
            resource = resources.get(node)
            if resource is None:
                continue
            template = node.rsplit("::", 1)[0]
            for ref in resource.references:
                ref_node = f"{template}::{ref}"
                target = resources.get(ref_node)
                if target is None or ref_node in known:
                    continue
                # Keys of what the function uses; what glue, pointers and parameters point at; and
                # what the function's own event source is wired to (its dead-letter queue).
                if (
                    target.aws_type in _KEY_TYPES
                    or resource.aws_type in _POINTERS
                    or resource.aws_type in _PARAMETER_TYPES
                    or resource.kind.value in ("other", "event-source")
                    or node in wiring
                ):
                    known.add(ref_node)
                    reached.append(ref_node)
        frontier = reached
    known.discard(compute)
    return known


def _waited_for(compute: str, resources: Mapping[str, Resource]) -> set[str]:
    """What the compute resource's own `DependsOn` (Terraform `depends_on`) names: its author
    made it wait for those resources, which ties them to it as a reference would. Not the
    other direction: a resource that waits for the function says nothing about what the
    function's code reaches."""
    resource = resources.get(compute)
    if resource is None:
        return set()
    template = compute.rsplit("::", 1)[0]
    return {f"{template}::{waited}" for waited in resource.depends_on}


def _event_pattern_sources(
    ctx: RuleContext, compute: str, wiring: set[str], resources: Mapping[str, Resource]
) -> set[str]:
    """Data resources of the services whose events reach the function through an
    EventBridge rule (`source: [aws.s3]`): the event names the bucket, not the template."""
    services: set[str] = set()
    for node in wiring:
        resource = resources.get(node)
        if resource is None or resource.aws_type not in _RULE_TYPES:
            continue
        pattern = resource.properties.get("EventPattern") or resource.properties.get("event_pattern")
        if isinstance(pattern, str):
            try:
                pattern = json.loads(pattern)
            except ValueError:
                continue
        sources = pattern.get("source") if isinstance(pattern, Mapping) else None
        for source in sources if isinstance(sources, list) else ():
            if isinstance(source, str) and source.startswith("aws."):
                services.add(source[4:].lower())
    if not services:
        return set()
    template = compute.rsplit("::", 1)[0]
    by_service = ctx.memo(("unreferenced-resource-grant", "event-senders"), lambda: _event_senders(resources))
    return {node for service in services for node in by_service.get((template, service), ())}


def _event_senders(resources: Mapping[str, Resource]) -> dict[tuple[str, str], set[str]]:
    """(template, service) to the data resources of that service that send their events to
    EventBridge: built once per scan."""
    notified: set[tuple[str, str]] = set()  # Terraform: (template, bucket) a notification resource enables
    for node, other in resources.items():
        if other.type == "aws_s3_bucket_notification" and other.properties.get("eventbridge") is True:
            template = node.rsplit("::", 1)[0]
            notified.update((template, ref) for ref in other.references)
    index: dict[tuple[str, str], set[str]] = {}
    for node, resource in resources.items():
        if resource.kind.value != "data":
            continue
        template = node.rsplit("::", 1)[0]
        if not _sends_events(resource, (template, resource.id) in notified):
            continue
        for arn in resource.arns:
            parsed = Arn.parse(arn)
            if parsed is not None:
                index.setdefault((template, parsed.service.lower()), set()).add(node)
    return index


def _sends_events(resource: Resource, notified: bool) -> bool:
    """A bucket sends its events to EventBridge only when asked to; other services always do."""
    if resource.aws_type != "AWS::S3::Bucket":
        return True
    if resource.type == resource.aws_type:  # CloudFormation: the bucket says it itself
        notifications = resource.properties.get("NotificationConfiguration")
        config = notifications.get("EventBridgeConfiguration") if isinstance(notifications, Mapping) else None
        return isinstance(config, Mapping) and config.get("EventBridgeEnabled") in (True, "true", "True")
    # Terraform: a separate notification resource (no CloudFormation twin) says it
    return notified


def _named_in_properties(ctx: RuleContext, compute: str, resources: Mapping[str, Resource]) -> set[str]:
    """Data resources whose name or ARN appears as a literal string in the function's
    properties: `TABLE: !Sub "${AWS::StackName}-orders"` names the table without a `!Ref`."""
    resource = resources.get(compute)
    if resource is None:
        return set()
    strings = set(queries.strings_in(resource.properties))
    if not strings:
        return set()
    template = compute.rsplit("::", 1)[0]
    names = ctx.memo(("unreferenced-resource-grant", "data-names"), lambda: _data_names(resources))
    by_name = names.get(template, {})
    # Each of the function's strings looked up, not each data resource of the template tested.
    return {node for string in strings for node in by_name.get(string, ())}


def _data_names(resources: Mapping[str, Resource]) -> dict[str, dict[str, list[str]]]:
    """Per template, each name or ARN of a data resource with the nodes it names: built once per scan."""
    index: dict[str, dict[str, list[str]]] = {}
    for node, candidate in resources.items():
        if candidate.kind.value != "data":
            continue
        names = {candidate.name} if isinstance(candidate.name, str) and len(candidate.name) > 2 else set()
        entries = index.setdefault(node.rsplit("::", 1)[0], {})
        for name in sorted(names | set(candidate.arns)):
            entries.setdefault(name, []).append(node)
    return index


def _direct_data(ctx: RuleContext, compute: str, resources: Mapping[str, Resource]) -> set[str]:
    """The data resources a compute resource names itself: in its properties and
    environment (by reference, name or name prefix), or through a custom resource it serves."""
    found = {t for _, t, d in ctx.graph.out_edges(compute, data=True) if d.get("kind") == "references"}
    found |= _named_in_properties(ctx, compute, resources)
    found |= _named_by_prefix(ctx, compute, resources)
    found |= _custom_resource_names(ctx, compute, resources)
    return {n for n in found if n in ctx.graph and ctx.attrs(n).get("kind") == NodeKind.DATA}


_SEPARATORS = "-_/.:"


def _named_by_prefix(ctx: RuleContext, compute: str, resources: Mapping[str, Resource]) -> set[str]:
    """Data resources whose name starts with a value of the function's properties, up to a
    separator: `CONFIG_PATH: /orders/config` names the parameters `/orders/config/...` read
    by path, `PREFIX: !Ref AppName` the table `${AppName}-orders` built from the same
    parameter. Short values (under four characters) tie nothing."""
    return ctx.memo(
        ("unreferenced-resource-grant", "prefix", compute), lambda: _prefix_matches(ctx, compute, resources)
    )


def _prefix_matches(ctx: RuleContext, compute: str, resources: Mapping[str, Resource]) -> set[str]:
    resource = resources.get(compute)
    if resource is None:
        return set()
    values = {v for v in queries.strings_in(resource.properties, symbolic=True) if len(v.strip("/-_.:")) >= 4}
    if not values:
        return set()
    index = ctx.memo(("unreferenced-resource-grant", "sorted-names"), lambda: _sorted_names(resources))
    names = index.get(compute.rsplit("::", 1)[0], [])
    found: set[str] = set()
    for value in values:
        # The names that start with `value` are one run of the sorted list: each value
        # costs a binary search and its matches, never a walk of the template.
        at = bisect.bisect_left(names, (value, ""))
        while at < len(names) and names[at][0].startswith(value):
            text, node = names[at]
            at += 1
            if node != compute and (
                len(text) == len(value) or value[-1] in _SEPARATORS or text[len(value)] in _SEPARATORS
            ):
                found.add(node)
    return found


def _sorted_names(resources: Mapping[str, Resource]) -> dict[str, list[tuple[str, str]]]:
    """Per template, (name, node) of each data resource whose name has four characters or
    more, sorted: built once per scan."""
    index: dict[str, list[tuple[str, str]]] = {}
    for node, candidate in resources.items():
        if candidate.kind.value != "data":
            continue
        name = candidate.name
        text = name.text if isinstance(name, Symbolic) else name
        if isinstance(text, str) and len(text) >= 4:
            index.setdefault(node.rsplit("::", 1)[0], []).append((text, node))
    for names in index.values():
        names.sort()
    return index


def _custom_resource_names(ctx: RuleContext, compute: str, resources: Mapping[str, Resource]) -> set[str]:
    """What the custom resources a function serves (it is their `ServiceToken`) name in
    their properties, by reference, name or name prefix: CloudFormation hands the function
    those properties when the stack deploys."""
    return ctx.memo(
        ("unreferenced-resource-grant", "custom", compute), lambda: _served_names(ctx, compute, resources)
    )


def _served_names(ctx: RuleContext, compute: str, resources: Mapping[str, Resource]) -> set[str]:
    template, local = compute.rsplit("::", 1)
    function = resources.get(compute)
    tokens = ctx.memo(("unreferenced-resource-grant", "service-tokens"), lambda: _service_tokens(resources))
    served = set(tokens.get((template, "ref", local), ()))
    for arn in function.arns if function is not None else ():
        served.update(tokens.get((template, "arn", arn), ()))
    found: set[str] = set()
    for node in sorted(served):
        found.update(f"{template}::{ref}" for ref in resources[node].references if ref != local)
        found |= _named_in_properties(ctx, node, resources)
        found |= _named_by_prefix(ctx, node, resources)
    found.discard(compute)
    return found


def _service_tokens(resources: Mapping[str, Resource]) -> dict[tuple[str, str, str], list[str]]:
    """(template, "ref" and a logical id a `ServiceToken` references, or "arn" and the
    literal ARN it is) to the custom resources with that token: built once per scan."""
    index: dict[tuple[str, str, str], list[str]] = {}
    for node, candidate in resources.items():
        token = candidate.properties.get("ServiceToken")
        template = node.rsplit("::", 1)[0]
        if isinstance(token, Symbolic):
            for ref in token.references:
                index.setdefault((template, "ref", ref), []).append(node)
        elif isinstance(token, str):
            index.setdefault((template, "arn", token), []).append(node)
    return index
