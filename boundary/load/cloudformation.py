"""CloudFormation (and expanded SAM) to the model.

The template is resolved once (`_intrinsics.Resolver`), then each resource is
read for what it means to the security boundary: who executes as which role,
which policies apply to whom, what invokes what, which endpoints exist and how
they are authorized. Everything keeps the source location; resources that SAM
generated point at the SAM line that generated them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from boundary.iam.document import normalize_policy
from boundary.load import _cfn_types
from boundary.load._errors import SourceError
from boundary.load._intrinsics import Resolver
from boundary.load._openapi import OpenApiOperation, operations
from boundary.load.options import LoadOptions
from boundary.load.sam_source import SamSource
from boundary.model import (
    Endpoint,
    EndpointProtocol,
    Format,
    Location,
    OutsidePrincipal,
    Policy,
    PolicyDocument,
    PolicyKind,
    Relation,
    RelationKind,
    Resource,
    ResourceKind,
    Statement,
    Symbolic,
    Template,
)

__all__ = ["build_template"]

Path = tuple[str | int, ...]
Locate = Callable[[Sequence[str | int]], tuple[int, int]]


@dataclass
class _Context:
    file: str
    data: Mapping[str, Any]
    locate: Locate
    resolver: Resolver
    origins: Mapping[str, Path]
    region: str
    account: str
    partition: str
    stack_name: str
    resources: dict[str, Resource] = field(default_factory=dict)
    raw: dict[str, Mapping[str, Any]] = field(default_factory=dict)
    policies: list[Policy] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    endpoints: list[Endpoint] = field(default_factory=list)
    # customer managed policies in the template attached by ARN from a principal's ManagedPolicyArns
    extra_attachments: dict[str, list[str]] = field(default_factory=dict)
    # what the SAM source says that the expanded template does not (None for CloudFormation)
    sam: SamSource | None = None
    # the lines of the source file
    lines: Sequence[str] = ()
    # each resource name and ARN with the resources it names, and the resource count it was built at
    _by_value: tuple[int, dict[str, list[str]]] = (-1, {})

    # -- locations ---------------------------------------------------------

    def source_path(self, logical_id: str, *below: str | int) -> Path:
        """The path in the source file of `below` inside resource `logical_id`.

        A SAM-generated resource has no source of its own: its elements point at
        the SAM element that generated it.
        """
        origin = self.generated_from(logical_id)
        if origin is not None:
            return origin
        return ("Resources", logical_id, *below)

    def generated_from(self, logical_id: str) -> Path | None:
        """The source path of what generated `logical_id`; None for resources written as they are."""
        origin = self.origins.get(logical_id)
        if origin is None or tuple(origin) == ("Resources", logical_id):
            return None
        return tuple(origin)

    def location(self, logical_id: str, *below: str | int) -> Location:
        line, column = self.locate(self.source_path(logical_id, *below))
        return Location(self.file, line, column)

    def origin_of(self, logical_id: str) -> str | None:
        origin = self.generated_from(logical_id)
        if origin is None or len(origin) < 2:
            return None
        return str(origin[1])

    # -- references --------------------------------------------------------

    def refs(self, raw: Any) -> tuple[str, ...]:
        """Template resources a raw (unresolved) value names, in a stable order."""
        return tuple(sorted(r for r in self.resolver.references(raw) if r in self.raw))

    def targets(self, raw: Any, kinds: Iterable[ResourceKind] | None = None) -> tuple[str, ...]:
        """Resources a value points at: by reference, else by a resolved name or ARN."""
        wanted = set(kinds) if kinds is not None else None
        found = [r for r in self.refs(raw) if wanted is None or self.resources[r].kind in wanted]
        if found:
            return tuple(found)
        resolved = self.resolver.resolve(raw)
        values = resolved if isinstance(resolved, list) else [resolved]
        by_value = self._names_and_arns()
        hits = {
            rid
            for value in values
            if isinstance(value, str)
            for rid in by_value.get(value, ())
            if wanted is None or self.resources[rid].kind in wanted
        }
        return tuple(sorted(hits))

    def _names_and_arns(self) -> dict[str, list[str]]:
        """Each literal name and ARN of the resources built so far, with the resources it
        names: one index instead of a walk of every resource for each value looked up."""
        built, index = self._by_value
        if built != len(self.resources):
            index = {}
            for rid, resource in self.resources.items():
                keys = (
                    {*resource.arns, resource.name} if isinstance(resource.name, str) else set(resource.arns)
                )
                for key in keys:
                    index.setdefault(key, []).append(rid)
            self._by_value = (len(self.resources), index)
        return index

    def relate(
        self, source: str, target: str, kind: RelationKind, location: Location, **attributes: Any
    ) -> None:
        self.relations.append(Relation(source, target, kind, location, attributes))


def build_template(
    data: Mapping[str, Any],
    *,
    file: str,
    locate: Locate,
    template_format: Format,
    origins: Mapping[str, Path] | None = None,
    sam: SamSource | None = None,
    options: LoadOptions | None = None,
    source_lines: Sequence[str] = (),
) -> Template:
    """Read a CloudFormation template (SAM already expanded) into a `Template`."""
    options = options or LoadOptions()
    region, account, partition, stack_name = (
        options.region,
        options.account,
        options.partition,
        options.stack_name,
    )
    resources_raw = data.get("Resources")
    if not isinstance(resources_raw, Mapping) or not resources_raw:
        line, column = locate(("Resources",))
        what = (
            "is empty" if isinstance(resources_raw, Mapping) or resources_raw is None else "is not a mapping"
        )
        if "Resources" not in data:
            what = "is missing"
        raise SourceError(
            file, max(line, 1), column, f"'Resources' {what}: a template needs at least one resource"
        )
    resolver = Resolver(
        data,
        file=file,
        parameters=options.parameters,
        region=region,
        account=account,
        partition=partition,
        stack_name=stack_name,
    )
    ctx = _Context(
        file=file,
        data=data,
        locate=locate,
        resolver=resolver,
        origins=origins or {},
        region=region,
        account=account,
        partition=partition,
        stack_name=stack_name,
        lines=source_lines,
    )
    ctx.sam = sam
    for logical_id, definition in resources_raw.items():
        if not isinstance(definition, Mapping):
            line, column = locate(("Resources", logical_id))
            raise SourceError(file, line, column, f"resource {logical_id} is not a mapping")
        if not isinstance(definition.get("Type"), str):
            line, column = locate(("Resources", logical_id))
            raise SourceError(file, line, column, f"resource {logical_id} has no 'Type' string")
        if not isinstance(definition.get("Properties") or {}, Mapping):
            line, column = locate(("Resources", logical_id, "Properties"))
            raise SourceError(file, line, column, f"resource {logical_id}: 'Properties' is not a mapping")
        ctx.raw[str(logical_id)] = definition
    for logical_id, definition in ctx.raw.items():
        ctx.resources[logical_id] = _resource(ctx, logical_id, definition)
    for logical_id, definition in ctx.raw.items():
        reader = _READERS.get(str(definition["Type"]))
        if reader is not None:
            reader(ctx, logical_id, definition.get("Properties") or {})
    _resolve_rest_paths(ctx)
    _attach_by_arn(ctx)
    if sam is not None:
        for connector in sam.connectors:
            _declared_references(ctx, connector.source, connector.destinations, connector.path)
    return Template(
        path=file,
        format=template_format,
        resources=dict(ctx.resources),
        policies=tuple(ctx.policies),
        relations=tuple(ctx.relations),
        endpoints=tuple(ctx.endpoints),
        parameters=_parameters(data, resolver),
        region=region,
        account=account,
        partition=partition,
        unresolved=tuple(_unresolved(ctx)),
        source_lines=tuple(source_lines),
        outputs=_section(data, "Outputs"),
        mappings=_section(data, "Mappings"),
        metadata=_section(data, "Metadata"),
        locate=locate,
    )


def _section(data: Mapping[str, Any], name: str) -> dict[str, Any]:
    section = data.get(name)
    return {str(k): v for k, v in section.items()} if isinstance(section, Mapping) else {}


def _parameters(data: Mapping[str, Any], resolver: Resolver) -> dict[str, Any]:
    declared = data.get("Parameters")
    if not isinstance(declared, Mapping):
        return {}
    return {str(name): resolver.resolve({"Ref": name}) for name in declared}


def _attach_by_arn(ctx: _Context) -> None:
    for index, policy in enumerate(ctx.policies):
        extra = ctx.extra_attachments.get(policy.id)
        if extra:
            attached = tuple(sorted(set(policy.attached_to) | set(extra)))
            ctx.policies[index] = replace(policy, attached_to=attached)


def _resource(ctx: _Context, logical_id: str, definition: Mapping[str, Any]) -> Resource:
    cfn_type = str(definition["Type"])
    raw_properties = definition.get("Properties") or {}
    properties = ctx.resolver.resolve(raw_properties)
    if not isinstance(properties, Mapping):
        properties = {}
    info = _cfn_types.type_info(cfn_type)
    kind = info.kind if info is not None else ResourceKind.OTHER
    metadata = definition.get("Metadata")
    references = tuple(sorted(r for r in ctx.resolver.references(raw_properties) if r in ctx.raw))
    return Resource(
        id=logical_id,
        type=cfn_type,
        kind=kind,
        location=ctx.location(logical_id),
        properties=properties,
        arns=_cfn_types.resource_arns(
            logical_id,
            properties,
            info,
            partition=ctx.partition,
            region=ctx.region,
            account=ctx.account,
            stack_name=ctx.stack_name,
        ),
        name=_cfn_types.physical_name(logical_id, properties, info, ctx.stack_name),
        origin=ctx.origin_of(logical_id),
        metadata=metadata if isinstance(metadata, Mapping) else {},
        references=references,
        depends_on=_depends_on(definition.get("DependsOn"), ctx.raw),
    )


def _depends_on(value: Any, resources: Mapping[str, Any]) -> tuple[str, ...]:
    """The logical ids a `DependsOn` names (one id or a list), in order, once each; an
    id the template does not declare is left out (CloudFormation rejects the template)."""
    ids = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    return tuple(dict.fromkeys(i for i in ids if isinstance(i, str) and i in resources))


# -- policies ---------------------------------------------------------------


# The elements of a statement whose place a finding may point at.
_STATEMENT_ELEMENTS = (
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
)


def _statement_locations(
    ctx: _Context, logical_id: str, document_path: Path, raw_document: Any
) -> list[Location]:
    statements = raw_document.get("Statement") if isinstance(raw_document, Mapping) else None
    count = len(statements) if isinstance(statements, list) else 1
    if isinstance(statements, list):
        return [ctx.location(logical_id, *document_path, "Statement", i) for i in range(count)]
    return [ctx.location(logical_id, *document_path, "Statement")]


def _statement_elements(ctx: _Context, raw_document: Any, path: Path) -> list[dict[str, Location]]:
    """Where the elements of each statement of `raw_document` (as written at `path` in
    the source) are, one mapping per statement."""
    statements = raw_document.get("Statement") if isinstance(raw_document, Mapping) else None
    items = (
        [((*path, "Statement", i), item) for i, item in enumerate(statements)]
        if isinstance(statements, list)
        else [((*path, "Statement"), statements)]
    )
    found: list[dict[str, Location]] = []
    for where, item in items:
        elements: dict[str, Location] = {}
        if isinstance(item, Mapping):
            for key in _STATEMENT_ELEMENTS:
                if key in item:
                    elements[key] = Location(ctx.file, *ctx.locate((*where, key)))
        found.append(elements)
    return found


def _policy(
    ctx: _Context,
    logical_id: str,
    policy_id: str,
    kind: PolicyKind,
    raw_document: Any,
    document_path: Path,
    attached_to: tuple[str, ...],
    *,
    name: str | None = None,
    assumed: Mapping[str, bool] | None = None,
) -> Policy:
    """The policy of `raw_document`. An `Fn::If` on a condition that cannot be decided
    offline is judged on every branch: the document is read under each assignment of
    its undecidable conditions, a statement found in every reading is kept once, and
    one found in some only says under which conditions (`Statement.when`)."""
    outer = dict(assumed or {})
    readings: list[tuple[dict[str, bool], PolicyDocument]] = []
    with ctx.resolver.assuming(outer):
        assignments = ctx.resolver.assumptions(raw_document)
        for assignment in assignments:
            with ctx.resolver.assuming(assignment):
                resolved = ctx.resolver.resolve(raw_document)
            where, document = _read_document(ctx, logical_id, raw_document, resolved, document_path, name)
            readings.append(({**outer, **assignment}, document))
    where, document = _read_document(ctx, logical_id, raw_document, None, document_path, name, readings)
    return Policy(
        id=policy_id,
        kind=kind,
        document=document,
        attached_to=attached_to,
        location=where,
        name=name,
        origin=ctx.origin_of(logical_id),
    )


def _read_document(
    ctx: _Context,
    logical_id: str,
    raw_document: Any,
    resolved: Any,
    document_path: Path,
    name: str | None,
    readings: Sequence[tuple[dict[str, bool], PolicyDocument]] = (),
) -> tuple[Location, PolicyDocument]:
    """One reading of a policy document (`resolved`), or the merge of several `readings`."""
    if readings:
        first = readings[0][1]
        where = first.location or ctx.location(logical_id)
        merged: list[tuple[Statement, Any, list[dict[str, bool]]]] = []
        for assumed, document in readings:
            raw_statements = _raw_statements(document.raw)
            for index, statement in enumerate(document.statements):
                raw_statement = raw_statements[index] if index < len(raw_statements) else None
                for seen, _, under in merged:
                    if seen == statement:
                        under.append(assumed)
                        break
                else:
                    merged.append((statement, raw_statement, [assumed]))
        statements = tuple(replace(statement, when=_when(under)) for statement, _, under in merged)
        raw = first.raw
        if len(readings) > 1 and isinstance(raw, Mapping):
            raw = {**raw, "Statement": [raw_statement for _, raw_statement, _ in merged]}
        return where, replace(first, statements=statements, raw=raw)
    if isinstance(resolved, str):  # JSON string documents are allowed
        resolved = _json_or_none(resolved) or resolved
    origin_path = ctx.generated_from(logical_id)
    if origin_path is not None and name is not None:
        # A generated role's inline policy N came from the SAM function's Policies[N].
        elements: list[dict[str, Location]] = []
        entry = ctx.sam.policy_entry(origin_path, name) if ctx.sam is not None else None
        if entry is not None:
            entry_path, written = entry
            line, column = ctx.locate(entry_path)
            where = Location(ctx.file, line, column)
            statement_locations = [where] * _statement_count(resolved)
            # an inline document the user wrote in the function's Policies is copied as it is
            if isinstance(written, Mapping) and "Statement" in written:
                elements = _statement_elements(ctx, written, entry_path)
        else:
            where = ctx.location(logical_id)
            statement_locations = [where] * _statement_count(resolved)
    else:
        where = ctx.location(logical_id, *document_path)
        statement_locations = _statement_locations(ctx, logical_id, document_path, raw_document)
        elements = []
        if ctx.generated_from(logical_id) is None:
            if isinstance(raw_document, Mapping) and "Statement" in raw_document:
                elements = _statement_elements(ctx, raw_document, ctx.source_path(logical_id, *document_path))
            elif isinstance(resolved, Mapping):  # a JSON string (often in a `Fn::Sub`)
                elements = _text_statement_elements(ctx, resolved, where)
    return where, normalize_policy(resolved, where, statement_locations, elements)


def _text_statement_elements(
    ctx: _Context, document: Mapping[str, Any], where: Location
) -> list[dict[str, Location]]:
    """Where the elements of each statement of a policy written as JSON text are: the
    n-th `"Resource":` of the text below the document's key, for the n-th statement that
    has a Resource. The text ends at the first line indented no deeper than that key."""
    statements = document.get("Statement")
    items = statements if isinstance(statements, list) else [statements]
    if not where.line or where.line > len(ctx.lines):
        return []
    first = ctx.lines[where.line - 1]
    indent = len(first) - len(first.lstrip())
    end = where.line
    while end < len(ctx.lines):
        line = ctx.lines[end]
        if line.strip() and len(line) - len(line.lstrip()) <= indent:
            break
        end += 1
    places: dict[str, list[tuple[int, int]]] = {}
    for number in range(where.line, end + 1):
        for match in _JSON_KEY.finditer(ctx.lines[number - 1]):
            places.setdefault(match.group(1), []).append((number, match.start() + 1))
    seen: dict[str, int] = {}
    found: list[dict[str, Location]] = []
    for item in items:
        elements: dict[str, Location] = {}
        if isinstance(item, Mapping):
            for key in _STATEMENT_ELEMENTS:
                if key in item:
                    index = seen.get(key, 0)
                    seen[key] = index + 1
                    at = places.get(key, [])
                    if index < len(at):
                        elements[key] = Location(ctx.file, *at[index])
        found.append(elements)
    return found


_JSON_KEY = re.compile(r'"(' + "|".join(_STATEMENT_ELEMENTS) + r')"\s*:')


def _raw_statements(raw: Any) -> list[Any]:
    """The statements of a resolved document as written, one per normalised statement."""
    body = raw.get("Statement") if isinstance(raw, Mapping) else None
    items = body if isinstance(body, list) else ([] if body is None else [body])
    return list(items)


def _when(under: Sequence[Mapping[str, bool]]) -> tuple[str, ...]:
    """The condition values the readings in `under` agree on: `("IsDev is true",)`;
    nothing when a statement is found in readings under both values."""
    if not under:
        return ()
    agreed = {
        name: value
        for name, value in under[0].items()
        if all(other.get(name) == value for other in under[1:])
    }
    return tuple(f"{name} is {'true' if value else 'false'}" for name, value in agreed.items())


def _branches(
    ctx: _Context, raw: Any, path: Path, assumed: Mapping[str, bool]
) -> Iterator[tuple[Any, Path, dict[str, bool]]]:
    """The values a raw value can take through `Fn::If`: each branch of an undecidable
    condition (with the condition's assumed value), the chosen one of a decidable one;
    an `AWS::NoValue` branch is no value."""
    arg = raw.get("Fn::If") if isinstance(raw, Mapping) and len(raw) == 1 else None
    if isinstance(arg, (list, tuple)) and len(arg) == 3 and isinstance(arg[0], str):
        condition = arg[0]
        with ctx.resolver.assuming(assumed):
            decided = ctx.resolver.condition(condition)
        for choice, index in ((True, 1), (False, 2)):
            if decided is not None and decided != choice:
                continue
            chosen = dict(assumed) if decided is not None else {**assumed, condition: choice}
            yield from _branches(ctx, arg[index], (*path, "Fn::If", index), chosen)
        return
    if isinstance(raw, Mapping) and raw == {"Ref": "AWS::NoValue"}:
        return
    yield raw, path, dict(assumed)


def _list_items(ctx: _Context, raw: Any, path: Path) -> Iterator[tuple[Any, Path, dict[str, bool]]]:
    """Each item of a raw list property, through `Fn::If` around the list and its items."""
    for value, where, assumed in _branches(ctx, raw, path, {}):
        if not isinstance(value, list):
            continue
        for index, item in enumerate(value):
            yield from _branches(ctx, item, (*where, index), assumed)


def _statement_count(document: Any) -> int:
    statements = document.get("Statement") if isinstance(document, Mapping) else None
    return len(statements) if isinstance(statements, list) else 1


def _json_or_none(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


def _inline_policies(ctx: _Context, logical_id: str, props: Mapping[str, Any]) -> None:
    taken: set[str] = set()
    for entry, path, assumed in _list_items(ctx, props.get("Policies"), ("Properties", "Policies")):
        if not isinstance(entry, Mapping):
            continue
        with ctx.resolver.assuming(assumed):
            name = ctx.resolver.resolve(entry.get("PolicyName"))
        label = name if isinstance(name, str) else f"Policies[{path[-1]}]"
        policy_id = f"{logical_id}/{label}"
        if policy_id in taken:  # the same name in two branches of an Fn::If
            policy_id += f" ({' and '.join(_when([assumed]))})"
        taken.add(policy_id)
        ctx.policies.append(
            _policy(
                ctx,
                logical_id,
                policy_id,
                PolicyKind.IDENTITY,
                entry.get("PolicyDocument"),
                (*path, "PolicyDocument"),
                (logical_id,),
                name=label,
                assumed=assumed,
            )
        )


def _managed_policy_arns(ctx: _Context, logical_id: str, props: Mapping[str, Any]) -> None:
    items = _list_items(ctx, props.get("ManagedPolicyArns"), ("Properties", "ManagedPolicyArns"))
    for raw, path, assumed in items:
        local = ctx.targets(raw, [ResourceKind.POLICY])
        if local:
            # Attached by reference to a customer managed policy in this template;
            # that policy's reader records the attachment.
            ctx.extra_attachments.setdefault(local[0], []).append(logical_id)
            continue
        with ctx.resolver.assuming(assumed):
            value = ctx.resolver.resolve(raw)
        where = ctx.location(logical_id, *path)
        arn = value if isinstance(value, str) else None
        origin = ctx.origin_of(logical_id)
        written = ctx.sam.written_policies.get(origin) if origin is not None and ctx.sam is not None else None
        implicit = arn is not None and written is not None and arn.rsplit("/", 1)[-1] not in written
        ctx.policies.append(
            Policy(
                id=arn if arn is not None else f"{logical_id}/ManagedPolicyArns[{path[-1]}]",
                kind=PolicyKind.IDENTITY,
                document=None,
                attached_to=(logical_id,),
                location=where,
                name=arn.rsplit("/", 1)[-1] if arn else str(value),
                managed_arn=arn,
                origin=origin,
                implicit=implicit,
            )
        )


def _read_role(ctx: _Context, logical_id: str, props: Mapping[str, Any]) -> None:
    if "AssumeRolePolicyDocument" in props:
        ctx.policies.append(
            _policy(
                ctx,
                logical_id,
                f"{logical_id}/AssumeRolePolicyDocument",
                PolicyKind.TRUST,
                props.get("AssumeRolePolicyDocument"),
                ("Properties", "AssumeRolePolicyDocument"),
                (logical_id,),
                name="AssumeRolePolicyDocument",
            )
        )
    _inline_policies(ctx, logical_id, props)
    _managed_policy_arns(ctx, logical_id, props)


def _read_user(ctx: _Context, logical_id: str, props: Mapping[str, Any]) -> None:
    _inline_policies(ctx, logical_id, props)
    _managed_policy_arns(ctx, logical_id, props)
    groups = props.get("Groups")
    if isinstance(groups, list):
        for index, raw in enumerate(groups):
            for group in ctx.targets(raw, [ResourceKind.GROUP]):
                ctx.relate(
                    logical_id,
                    group,
                    RelationKind.MEMBER_OF,
                    ctx.location(logical_id, "Properties", "Groups", index),
                )


def _read_group(ctx: _Context, logical_id: str, props: Mapping[str, Any]) -> None:
    _inline_policies(ctx, logical_id, props)
    _managed_policy_arns(ctx, logical_id, props)


_ATTACHMENT_KEYS = (
    ("Roles", ResourceKind.ROLE),
    ("Users", ResourceKind.USER),
    ("Groups", ResourceKind.GROUP),
    # AWS::IAM::RolePolicy, UserPolicy and GroupPolicy name one principal
    ("RoleName", ResourceKind.ROLE),
    ("UserName", ResourceKind.USER),
    ("GroupName", ResourceKind.GROUP),
)


def _attachment_targets(
    ctx: _Context, logical_id: str, props: Mapping[str, Any]
) -> tuple[tuple[str, ...], tuple[OutsidePrincipal, ...]]:
    """The template principals a policy resource is attached to, and the ones it names
    that the template does not declare (a literal name or ARN, a parameter)."""
    found: list[str] = []
    outside: dict[tuple[ResourceKind, str], OutsidePrincipal] = {}
    for key, kind in _ATTACHMENT_KEYS:
        raw_items = props.get(key)
        if raw_items is None:
            continue
        single = not isinstance(raw_items, list)
        for index, raw in enumerate([raw_items] if single else raw_items):
            targets = ctx.targets(raw, [kind])
            if targets:
                found.extend(targets)
                continue
            if ctx.refs(raw):
                continue  # names a template resource of another kind: not a principal outside
            value = ctx.resolver.resolve(raw)
            name = value.text if isinstance(value, Symbolic) else value
            if not isinstance(name, str) or not name:
                continue
            path = ("Properties", key) if single else ("Properties", key, index)
            outside.setdefault((kind, name), OutsidePrincipal(kind, name, ctx.location(logical_id, *path)))
    return tuple(sorted(set(found))), tuple(outside.values())


def _read_policy_resource(ctx: _Context, logical_id: str, props: Mapping[str, Any]) -> None:
    name = ctx.resolver.resolve(props.get("PolicyName") or props.get("ManagedPolicyName"))
    attached, outside = _attachment_targets(ctx, logical_id, props)
    policy = _policy(
        ctx,
        logical_id,
        logical_id,
        PolicyKind.IDENTITY,
        props.get("PolicyDocument"),
        ("Properties", "PolicyDocument"),
        attached,
        name=name if isinstance(name, str) else logical_id,
    )
    ctx.policies.append(replace(policy, outside_principals=outside) if outside else policy)


def _read_access_key(ctx: _Context, logical_id: str, props: Mapping[str, Any]) -> None:
    for user in ctx.targets(props.get("UserName"), [ResourceKind.USER]):
        ctx.relate(logical_id, user, RelationKind.KEY_OF, ctx.location(logical_id, "Properties", "UserName"))


def _resource_policy(
    ctx: _Context, logical_id: str, props: Mapping[str, Any], targets_key: str, kinds: Sequence[ResourceKind]
) -> None:
    raw_targets = props.get(targets_key)
    items = raw_targets if isinstance(raw_targets, list) else [raw_targets]
    attached: list[str] = []
    for raw in items:
        attached.extend(ctx.targets(raw, kinds))
    ctx.policies.append(
        _policy(
            ctx,
            logical_id,
            logical_id,
            PolicyKind.RESOURCE,
            props.get("PolicyDocument"),
            ("Properties", "PolicyDocument"),
            tuple(sorted(set(attached))),
            name=logical_id,
        )
    )


def _read_bucket_policy(ctx: _Context, logical_id: str, props: Mapping[str, Any]) -> None:
    _resource_policy(ctx, logical_id, props, "Bucket", [ResourceKind.DATA])


def _read_topic_policy(ctx: _Context, logical_id: str, props: Mapping[str, Any]) -> None:
    _resource_policy(ctx, logical_id, props, "Topics", [ResourceKind.DATA])


def _read_queue_policy(ctx: _Context, logical_id: str, props: Mapping[str, Any]) -> None:
    _resource_policy(ctx, logical_id, props, "Queues", [ResourceKind.DATA])


def _read_secret_policy(ctx: _Context, logical_id: str, props: Mapping[str, Any]) -> None:
    document = props.get("ResourcePolicy")
    ctx.policies.append(
        _policy(
            ctx,
            logical_id,
            logical_id,
            PolicyKind.RESOURCE,
            document,
            ("Properties", "ResourcePolicy"),
            ctx.targets(props.get("SecretId"), [ResourceKind.DATA]),
            name=logical_id,
        )
    )


_QUALIFIERS = ("AWS::Lambda::Alias", "AWS::Lambda::Version")


def _functions(ctx: _Context, raw: Any) -> tuple[str, ...]:
    """The functions a `FunctionName` (or URL target) names: directly, or through an alias or a
    version of the template (`!Ref FnAliaslive`, what SAM writes under `AutoPublishAlias`)."""
    found = ctx.targets(raw, [ResourceKind.COMPUTE])
    if found:
        return found
    functions: set[str] = set()
    for qualifier in ctx.refs(raw):
        if ctx.resources[qualifier].type not in _QUALIFIERS:
            continue
        props = ctx.raw[qualifier].get("Properties")
        if isinstance(props, Mapping):
            functions.update(ctx.targets(props.get("FunctionName"), [ResourceKind.COMPUTE]))
    return tuple(sorted(functions))


def _invoked(ctx: _Context, raw: Any) -> tuple[str, ...]:
    """What an integration URI invokes: the resources it names, an alias or version of the
    template standing for its function."""
    found: set[str] = set()
    for target in ctx.refs(raw):
        functions = _functions(ctx, {"Ref": target}) if ctx.resources[target].type in _QUALIFIERS else ()
        found.update(functions or (target,))
    return tuple(sorted(found))


def _read_lambda_permission(ctx: _Context, logical_id: str, props: Mapping[str, Any]) -> None:
    """A lambda permission is a resource policy statement on the function."""
    functions = _functions(ctx, props.get("FunctionName"))
    resolved = ctx.resources[logical_id].properties
    principal = resolved.get("Principal")
    if isinstance(principal, str) and principal.endswith(".amazonaws.com"):
        principal_block: Any = {"Service": principal}
    elif principal == "*":
        principal_block = "*"
    else:
        principal_block = {"AWS": principal}
    condition: dict[str, dict[str, Any]] = {}
    if resolved.get("SourceArn") is not None:
        condition.setdefault("ArnLike", {})["AWS:SourceArn"] = resolved["SourceArn"]
    if resolved.get("SourceAccount") is not None:
        condition.setdefault("StringEquals", {})["AWS:SourceAccount"] = resolved["SourceAccount"]
    if resolved.get("PrincipalOrgID") is not None:
        condition.setdefault("StringEquals", {})["aws:PrincipalOrgID"] = resolved["PrincipalOrgID"]
    if resolved.get("FunctionUrlAuthType") is not None:
        condition.setdefault("StringEquals", {})["lambda:FunctionUrlAuthType"] = resolved[
            "FunctionUrlAuthType"
        ]
    if resolved.get("EventSourceToken") is not None:
        condition.setdefault("StringEquals", {})["lambda:EventSourceToken"] = resolved["EventSourceToken"]
    if resolved.get("InvokedViaFunctionUrl") in (True, "true", "True"):
        # What Lambda writes for a function URL: InvokeFunction allowed only through the URL.
        condition.setdefault("Bool", {})["lambda:InvokedViaFunctionUrl"] = "true"
    function_arns = [arn for f in functions for arn in ctx.resources[f].arns[:1]]
    statement = {
        "Effect": "Allow",
        "Principal": principal_block,
        "Action": resolved.get("Action"),
        "Resource": function_arns or resolved.get("FunctionName"),
    }
    if condition:
        statement["Condition"] = condition
    where = ctx.location(logical_id)
    ctx.policies.append(
        Policy(
            id=logical_id,
            kind=PolicyKind.RESOURCE,
            document=normalize_policy({"Version": "2012-10-17", "Statement": [statement]}, where, [where]),
            attached_to=functions,
            location=where,
            name=logical_id,
            origin=ctx.origin_of(logical_id),
        )
    )
    for source in ctx.refs(props.get("SourceArn")):
        for function in functions:
            ctx.relate(source, function, RelationKind.INVOKES, where, via=logical_id)


# -- compute and event sources ----------------------------------------------


def _executes_as(ctx: _Context, logical_id: str, props: Mapping[str, Any], key: str) -> None:
    raw = props.get(key)
    if raw is None:
        return
    where = ctx.location(logical_id, "Properties", key)
    roles = ctx.targets(raw, [ResourceKind.ROLE])
    if roles:
        for role in roles:
            ctx.relate(logical_id, role, RelationKind.EXECUTES_AS, where)
        return
    value = ctx.resolver.resolve(raw)
    # A role outside the template: the graph gives it an external node.
    ctx.relate(
        logical_id,
        value.text if isinstance(value, Symbolic) else str(value),
        RelationKind.EXECUTES_AS,
        where,
        external=True,
    )


def _references(ctx: _Context, logical_id: str, exclude: Iterable[str] = ()) -> None:
    skip = set(exclude) | {logical_id}
    raw_props = ctx.raw[logical_id].get("Properties") or {}
    for key, value in raw_props.items() if isinstance(raw_props, Mapping) else ():
        for target in ctx.refs(value):
            if target in skip:
                continue
            ctx.relate(
                logical_id,
                target,
                RelationKind.REFERENCES,
                ctx.location(logical_id, "Properties", key),
                property=key,
            )


def _read_function(ctx: _Context, logical_id: str, props: Mapping[str, Any]) -> None:
    _executes_as(ctx, logical_id, props, "Role")
    _references(ctx, logical_id, exclude=ctx.refs(props.get("Role")))


def _read_state_machine(ctx: _Context, logical_id: str, props: Mapping[str, Any]) -> None:
    _executes_as(ctx, logical_id, props, "RoleArn")
    role = ctx.refs(props.get("RoleArn"))
    for target in ctx.refs({k: v for k, v in props.items() if k != "RoleArn"}):
        if target in role:
            continue
        kind = (
            RelationKind.INVOKES
            if ctx.resources[target].kind is ResourceKind.COMPUTE
            else RelationKind.REFERENCES
        )
        ctx.relate(logical_id, target, kind, ctx.location(logical_id, "Properties"))


def _read_event_source_mapping(ctx: _Context, logical_id: str, props: Mapping[str, Any]) -> None:
    where = ctx.location(logical_id)
    for function in _functions(ctx, props.get("FunctionName")):
        for source in ctx.refs(props.get("EventSourceArn")):
            ctx.relate(source, function, RelationKind.INVOKES, where, via=logical_id)


def _read_subscription(ctx: _Context, logical_id: str, props: Mapping[str, Any]) -> None:
    where = ctx.location(logical_id)
    for target in ctx.refs(props.get("Endpoint")):
        for topic in ctx.refs(props.get("TopicArn")):
            ctx.relate(topic, target, RelationKind.INVOKES, where, via=logical_id)


def _read_topic(ctx: _Context, logical_id: str, props: Mapping[str, Any]) -> None:
    subscriptions = props.get("Subscription")
    if isinstance(subscriptions, list):
        for index, entry in enumerate(subscriptions):
            if isinstance(entry, Mapping):
                for target in ctx.refs(entry.get("Endpoint")):
                    ctx.relate(
                        logical_id,
                        target,
                        RelationKind.INVOKES,
                        ctx.location(logical_id, "Properties", "Subscription", index),
                    )


def _read_rule(ctx: _Context, logical_id: str, props: Mapping[str, Any]) -> None:
    targets = props.get("Targets")
    if isinstance(targets, list):
        for index, entry in enumerate(targets):
            if not isinstance(entry, Mapping):
                continue
            where = ctx.location(logical_id, "Properties", "Targets", index)
            for target in ctx.refs(entry.get("Arn")):
                ctx.relate(logical_id, target, RelationKind.INVOKES, where)
            for role in ctx.refs(entry.get("RoleArn")):
                ctx.relate(logical_id, role, RelationKind.EXECUTES_AS, where)


def _read_schedule(ctx: _Context, logical_id: str, props: Mapping[str, Any]) -> None:
    target = props.get("Target")
    if isinstance(target, Mapping):
        where = ctx.location(logical_id, "Properties", "Target")
        for arn_target in ctx.refs(target.get("Arn")):
            ctx.relate(logical_id, arn_target, RelationKind.INVOKES, where)
        for role in ctx.refs(target.get("RoleArn")):
            ctx.relate(logical_id, role, RelationKind.EXECUTES_AS, where)


def _read_bucket(ctx: _Context, logical_id: str, props: Mapping[str, Any]) -> None:
    notifications = props.get("NotificationConfiguration")
    if not isinstance(notifications, Mapping):
        return
    for key, arn_key in (
        ("LambdaConfigurations", "Function"),
        ("QueueConfigurations", "Queue"),
        ("TopicConfigurations", "Topic"),
    ):
        entries = notifications.get(key)
        if isinstance(entries, list):
            for index, entry in enumerate(entries):
                if isinstance(entry, Mapping):
                    where = ctx.location(logical_id, "Properties", "NotificationConfiguration", key, index)
                    for target in ctx.refs(entry.get(arn_key)):
                        ctx.relate(logical_id, target, RelationKind.INVOKES, where)


def _read_appsync_data_source(ctx: _Context, logical_id: str, props: Mapping[str, Any]) -> None:
    _executes_as(ctx, logical_id, props, "ServiceRoleArn")
    where = ctx.location(logical_id)
    role = set(ctx.refs(props.get("ServiceRoleArn")))
    for key in (
        "LambdaConfig",
        "HttpConfig",
        "DynamoDBConfig",
        "EventBridgeConfig",
        "RelationalDatabaseConfig",
    ):
        for target in ctx.refs(props.get(key)):
            if target not in role:
                ctx.relate(logical_id, target, RelationKind.INVOKES, where, via=key)
    for api in ctx.refs(props.get("ApiId")):
        ctx.relate(api, logical_id, RelationKind.ROUTES, where)


def _declared_references(ctx: _Context, origin: str, targets: Sequence[str], path: Path) -> None:
    """That compute resource `origin` uses `targets`, as the source declares at `path` (a SAM
    connector): a `references` edge. The translator turns a connector into plain policies
    and permissions; without the edge, the grant looks like one the function has no way
    to use."""
    if origin not in ctx.resources or ctx.resources[origin].kind is not ResourceKind.COMPUTE:
        return
    line, column = ctx.locate(path)
    where = Location(ctx.file, line, column)
    for target in targets:
        if target in ctx.resources and target != origin:
            ctx.relate(origin, target, RelationKind.REFERENCES, where, property="Connectors")


# -- endpoints --------------------------------------------------------------


def _endpoint_id(api: str | None, method: str, path: str) -> str:
    return f"{api or '-'} {method} {path}"


def _read_rest_method(ctx: _Context, logical_id: str, props: Mapping[str, Any]) -> None:
    resolved = ctx.resources[logical_id].properties
    apis = ctx.refs(props.get("RestApiId"))
    api = apis[0] if apis else None
    method = str(resolved.get("HttpMethod", "ANY")).upper()
    authorization = resolved.get("AuthorizationType", "NONE")
    integration = props.get("Integration")
    integrations = _invoked(ctx, integration.get("Uri")) if isinstance(integration, Mapping) else ()
    authorizers = ctx.refs(props.get("AuthorizerId"))
    where = ctx.location(logical_id)
    endpoint = Endpoint(
        id=logical_id,
        protocol=EndpointProtocol.REST,
        api=api,
        method=method,
        path=_pending_path(ctx, props.get("ResourceId")),
        authorization=_auth_value(authorization),
        resource=logical_id,
        location=where,
        api_key_required=resolved.get("ApiKeyRequired") is True,
        authorizer=authorizers[0] if authorizers else None,
        integrations=integrations,
        origin=ctx.origin_of(logical_id),
    )
    ctx.endpoints.append(endpoint)
    for target in integrations:
        ctx.relate(logical_id, target, RelationKind.INVOKES, where)
    if api:
        ctx.relate(api, logical_id, RelationKind.ROUTES, where)


def _auth_value(value: Any) -> str | Symbolic:
    if isinstance(value, Symbolic):
        return value
    return str(value).upper() if value is not None else "NONE"


def _pending_path(ctx: _Context, raw_resource_id: Any) -> str:
    """Placeholder `@resource:<id>`, replaced by the full path once all resources are read."""
    refs = ctx.refs(raw_resource_id)
    if refs:
        return f"@resource:{refs[0]}"
    return "/"


def _rest_path(ctx: _Context, resource_id: str, seen: frozenset[str] = frozenset()) -> str:
    raw = ctx.raw.get(resource_id)
    if raw is None or raw.get("Type") != "AWS::ApiGateway::Resource" or resource_id in seen:
        return ""
    props = raw.get("Properties") or {}
    part = ctx.resolver.resolve(props.get("PathPart"))
    parents = ctx.refs(props.get("ParentId"))
    prefix = _rest_path(ctx, parents[0], seen | {resource_id}) if parents else ""
    return f"{prefix}/{part if isinstance(part, str) else '{?}'}"


def _resolve_rest_paths(ctx: _Context) -> None:
    for index, endpoint in enumerate(ctx.endpoints):
        if endpoint.path.startswith("@resource:"):
            path = _rest_path(ctx, endpoint.path.removeprefix("@resource:")) or "/"
            ctx.endpoints[index] = replace(endpoint, path=path)


def _read_rest_api(ctx: _Context, logical_id: str, props: Mapping[str, Any]) -> None:
    body = ctx.resources[logical_id].properties.get("Body")
    if isinstance(body, Mapping):
        _openapi_endpoints(ctx, logical_id, body, EndpointProtocol.REST, props.get("Body"))


def _read_http_api(ctx: _Context, logical_id: str, props: Mapping[str, Any]) -> None:
    resolved = ctx.resources[logical_id].properties
    protocol_type = str(resolved.get("ProtocolType", "HTTP")).upper()
    protocol = EndpointProtocol.WEBSOCKET if protocol_type == "WEBSOCKET" else EndpointProtocol.HTTP
    body = resolved.get("Body")
    if isinstance(body, Mapping):
        _openapi_endpoints(ctx, logical_id, body, protocol, props.get("Body"))
    if props.get("Target") is not None:
        # Quick create: a `$default` route with no authorization to the target.
        where = ctx.location(logical_id, "Properties", "Target")
        targets = ctx.refs(props.get("Target"))
        ctx.endpoints.append(
            Endpoint(
                id=f"{logical_id} $default",
                protocol=protocol,
                api=logical_id,
                method="ANY",
                path="$default",
                authorization="NONE",
                resource=logical_id,
                location=where,
                integrations=targets,
                origin=ctx.origin_of(logical_id),
            )
        )
        for target in targets:
            ctx.relate(logical_id, target, RelationKind.INVOKES, where)


def _openapi_endpoints(
    ctx: _Context, logical_id: str, body: Mapping[str, Any], protocol: EndpointProtocol, raw_body: Any
) -> None:
    for operation in operations(body, raw_body, lambda raw: _invoked(ctx, raw)):
        event = ctx.sam.api_events.get((logical_id, operation.method, operation.path)) if ctx.sam else None
        if event is not None:
            # SAM wrote this operation from a function's event: point at that event.
            line, column = ctx.locate(event)
            where = Location(ctx.file, line, column)
        elif ctx.sam is not None and logical_id in ctx.sam.definition_bodies:
            line, column = ctx.locate(
                (
                    "Resources",
                    logical_id,
                    "Properties",
                    "DefinitionBody",
                    "paths",
                    operation.path,
                    operation.raw_method,
                )
            )
            where = Location(ctx.file, line, column)
        else:
            where = ctx.location(
                logical_id, "Properties", "Body", "paths", operation.path, operation.raw_method
            )
        endpoint = _endpoint_from_operation(ctx, logical_id, protocol, operation, where)
        if event is not None:
            endpoint = replace(endpoint, origin=str(event[1]))
        ctx.endpoints.append(endpoint)
        for target in operation.integrations:
            ctx.relate(
                logical_id, target, RelationKind.INVOKES, where, method=operation.method, path=operation.path
            )


def _endpoint_from_operation(
    ctx: _Context, logical_id: str, protocol: EndpointProtocol, operation: OpenApiOperation, where: Location
) -> Endpoint:
    return Endpoint(
        id=_endpoint_id(logical_id, operation.method, operation.path),
        protocol=protocol,
        api=logical_id,
        method=operation.method,
        path=operation.path,
        authorization=operation.authorization,
        resource=logical_id,
        location=where,
        api_key_required=operation.api_key_required,
        authorizer=operation.authorizer,
        integrations=operation.integrations,
        origin=ctx.origin_of(logical_id),
    )


def _read_route(ctx: _Context, logical_id: str, props: Mapping[str, Any]) -> None:
    resolved = ctx.resources[logical_id].properties
    apis = ctx.refs(props.get("ApiId"))
    api = apis[0] if apis else None
    protocol = EndpointProtocol.HTTP
    if api is not None:
        api_type = ctx.resources[api].properties.get("ProtocolType")
        if isinstance(api_type, str) and api_type.upper() == "WEBSOCKET":
            protocol = EndpointProtocol.WEBSOCKET
    route_key = resolved.get("RouteKey")
    route = route_key if isinstance(route_key, str) else str(route_key)
    method, _, path = route.partition(" ")
    if not path:
        method, path = "ANY", route
    where = ctx.location(logical_id)
    integrations: list[str] = []
    for integration in ctx.refs(props.get("Target")):
        integration_props = ctx.raw[integration].get("Properties") or {}
        targets = (
            _invoked(ctx, integration_props.get("IntegrationUri"))
            if isinstance(integration_props, Mapping)
            else ()
        )
        integrations.extend(targets or (integration,))
    authorizers = ctx.refs(props.get("AuthorizerId"))
    ctx.endpoints.append(
        Endpoint(
            id=logical_id,
            protocol=protocol,
            api=api,
            method=method.upper(),
            path=path,
            authorization=_auth_value(resolved.get("AuthorizationType", "NONE")),
            resource=logical_id,
            location=where,
            api_key_required=resolved.get("ApiKeyRequired") is True,
            authorizer=authorizers[0] if authorizers else None,
            integrations=tuple(sorted(set(integrations))),
            origin=ctx.origin_of(logical_id),
        )
    )
    for target in sorted(set(integrations)):
        ctx.relate(logical_id, target, RelationKind.INVOKES, where)
    if api:
        ctx.relate(api, logical_id, RelationKind.ROUTES, where)


def _read_function_url(ctx: _Context, logical_id: str, props: Mapping[str, Any]) -> None:
    resolved = ctx.resources[logical_id].properties
    functions = _functions(ctx, props.get("TargetFunctionArn"))
    where = ctx.location(logical_id)
    ctx.endpoints.append(
        Endpoint(
            id=logical_id,
            protocol=EndpointProtocol.FUNCTION_URL,
            api=None,
            method="ANY",
            path="/",
            authorization=_auth_value(resolved.get("AuthType", "NONE")),
            resource=logical_id,
            location=where,
            integrations=functions,
            origin=ctx.origin_of(logical_id),
        )
    )
    for function in functions:
        ctx.relate(logical_id, function, RelationKind.INVOKES, where)


def _read_graphql_api(ctx: _Context, logical_id: str, props: Mapping[str, Any]) -> None:
    resolved = ctx.resources[logical_id].properties
    modes = [resolved.get("AuthenticationType")]
    extra = resolved.get("AdditionalAuthenticationProviders")
    if isinstance(extra, list):
        modes.extend(entry.get("AuthenticationType") for entry in extra if isinstance(entry, Mapping))
    where = ctx.location(logical_id)
    for mode in modes:
        ctx.endpoints.append(
            Endpoint(
                id=f"{logical_id} {mode}",
                protocol=EndpointProtocol.GRAPHQL,
                api=logical_id,
                method="POST",
                path="/graphql",
                authorization=_auth_value(mode),
                resource=logical_id,
                location=where,
                api_key_required=mode == "API_KEY",
                origin=ctx.origin_of(logical_id),
            )
        )


_READERS: dict[str, Callable[[_Context, str, Mapping[str, Any]], None]] = {
    "AWS::IAM::Role": _read_role,
    "AWS::IAM::User": _read_user,
    "AWS::IAM::Group": _read_group,
    "AWS::IAM::Policy": _read_policy_resource,
    "AWS::IAM::ManagedPolicy": _read_policy_resource,
    "AWS::IAM::RolePolicy": _read_policy_resource,
    "AWS::IAM::UserPolicy": _read_policy_resource,
    "AWS::IAM::GroupPolicy": _read_policy_resource,
    "AWS::IAM::AccessKey": _read_access_key,
    "AWS::S3::BucketPolicy": _read_bucket_policy,
    "AWS::SNS::TopicPolicy": _read_topic_policy,
    "AWS::SQS::QueuePolicy": _read_queue_policy,
    "AWS::SecretsManager::ResourcePolicy": _read_secret_policy,
    "AWS::Lambda::Permission": _read_lambda_permission,
    "AWS::Lambda::Function": _read_function,
    "AWS::StepFunctions::StateMachine": _read_state_machine,
    "AWS::Lambda::EventSourceMapping": _read_event_source_mapping,
    "AWS::SNS::Subscription": _read_subscription,
    "AWS::SNS::Topic": _read_topic,
    "AWS::Events::Rule": _read_rule,
    "AWS::Scheduler::Schedule": _read_schedule,
    "AWS::S3::Bucket": _read_bucket,
    "AWS::AppSync::DataSource": _read_appsync_data_source,
    "AWS::AppSync::GraphQLApi": _read_graphql_api,
    "AWS::ApiGateway::Method": _read_rest_method,
    "AWS::ApiGateway::RestApi": _read_rest_api,
    "AWS::ApiGatewayV2::Api": _read_http_api,
    "AWS::ApiGatewayV2::Route": _read_route,
    "AWS::Lambda::Url": _read_function_url,
}


def _unresolved(ctx: _Context) -> Iterator[tuple[Location, Symbolic]]:
    for resource in ctx.resources.values():
        for value in _symbolic_leaves(resource.properties):
            yield resource.location, value


def _symbolic_leaves(value: Any) -> Iterator[Symbolic]:
    if isinstance(value, Symbolic):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _symbolic_leaves(item)
    elif isinstance(value, list):
        for item in value:
            yield from _symbolic_leaves(item)
