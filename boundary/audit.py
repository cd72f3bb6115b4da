"""Audit of granted against used permissions, and least-privilege policies from activity.

`audit` runs the whole pipeline with access activity (`boundary.load.activity`) and
returns the BND118 findings with a per-role summary; `generate_policies` writes, per
role, the policy its activity needs: IAM JSON, a SAM `Policies:` block (a SAM policy
template where one matches exactly), and a unified diff of the template that a user
can apply (`git apply` / `patch -p1`).

What a generated policy grants: every action the role used successfully, on the
resources its events name (else the template's resources its statements grant the
action on, else `*`), grouped by service; plus the actions it was granted that
CloudTrail never records (`UNRECORDED`, such as `logs:PutLogEvents`), kept on the
template's resources, because no log can show them used and dropping them would
break the workload. Nothing else.
"""

from __future__ import annotations

import difflib
import json
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from boundary.config import Config
from boundary.graph import build_graph
from boundary.graph.usage import RoleUsage, deployed_as, role_usage
from boundary.iam import catalog
from boundary.iam.arn import Arn
from boundary.load import LoadOptions, load
from boundary.model import Activity, Format, Model, Resource, Template
from boundary.rules import Finding, evaluate, rule_classes

__all__ = [
    "AuditResult",
    "GeneratedPolicy",
    "audit",
    "generate_policies",
    "merged_diff",
    "role_summary",
]

RULE_ID = "BND118"


@dataclass(frozen=True)
class AuditResult:
    findings: tuple[Finding, ...]
    usage: tuple[RoleUsage, ...]
    model: Model
    errors: tuple[Any, ...]
    files: tuple[str, ...]


def audit(
    paths: Sequence[str | os.PathLike[str]],
    activity: Activity,
    *,
    config: Config | None = None,
    options: LoadOptions | None = None,
    parameters: Mapping[str, str] | None = None,
    region: str | None = None,
    account: str | None = None,
) -> AuditResult:
    """Load the templates, attach the activity, and run BND118 (and only it).

    `options` says how to load (`LoadOptions`); `parameters`, `region` and
    `account` are shorthands that override its fields.
    """
    config = config or Config()
    classes = [cls for cls in rule_classes(config) if cls.meta.id == RULE_ID]
    model = load(paths, options, parameters=parameters, region=region, account=account)
    model = Model(templates=model.templates, errors=model.errors, activity=activity)
    graph = build_graph(model)
    findings = evaluate(graph, model, config, classes)
    usage = tuple(role_usage(graph, model, activity))
    files = sorted({t.path for t in model.templates} | {e.file for e in model.errors})
    return AuditResult(findings, usage, model, model.errors + activity.errors, tuple(files))


def role_summary(usage: RoleUsage) -> dict[str, Any]:
    """One role's audit as JSON-ready data (docs/audit.md)."""
    return {
        "role": usage.resource.id,
        "principals": list(usage.principals),
        "granted": list(usage.granted),
        "used": dict(usage.used),
        "unused": list(usage.unused),
        "unused_services": list(usage.unused_services),
        "not_recorded_by_cloudtrail": list(usage.unrecorded),
        "last_used": usage.last_used,
        "last_assumed": usage.assumed,
        "never_used": usage.never_used,
    }


# ---- generated policies --------------------------------------------------------------

# How CloudFormation names a resource's ARN (`${X}` is Ref) and its name, by type.
_ARN_EXPR = {
    "AWS::DynamoDB::Table": "${X.Arn}",
    "AWS::SNS::Topic": "${X}",
    "AWS::SQS::Queue": "${X.Arn}",
    "AWS::Lambda::Function": "${X.Arn}",
    "AWS::S3::Bucket": "${X.Arn}",
    "AWS::StepFunctions::StateMachine": "${X}",
    "AWS::SecretsManager::Secret": "${X}",
    "AWS::KMS::Key": "${X.Arn}",
    "AWS::Kinesis::Stream": "${X.Arn}",
    "AWS::Events::EventBus": "${X.Arn}",
    "AWS::IAM::Role": "${X.Arn}",
}
_NAME_EXPR = {
    "AWS::DynamoDB::Table": "!Ref X",
    "AWS::SNS::Topic": "!GetAtt X.TopicName",
    "AWS::SQS::Queue": "!GetAtt X.QueueName",
    "AWS::Lambda::Function": "!Ref X",
    "AWS::S3::Bucket": "!Ref X",
    "AWS::StepFunctions::StateMachine": "!GetAtt X.Name",
    "AWS::Kinesis::Stream": "!Ref X",
}
# What SAM attaches to every function role by itself: not part of `Policies:`.
_SAM_BASIC = frozenset({"logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"})
# Expanded SAM resources whose `Policies:` property makes their role.
_SAM_OWNERS = ("AWS::Lambda::Function", "AWS::StepFunctions::StateMachine")


@dataclass(frozen=True)
class _Statement:
    sid: str
    actions: tuple[str, ...]
    resources: tuple[str, ...]


@dataclass(frozen=True)
class GeneratedPolicy:
    """The least-privilege policy of one role, in the three forms users apply."""

    role: str
    template: str
    document: Mapping[str, Any]
    sam: str
    diff: str
    note: str = ""
    statements: tuple[_Statement, ...] = field(default=(), repr=False)
    # the resource whose `Policies:` the block replaces: (logical id, line)
    owner: tuple[str, int] | None = None

    @property
    def json(self) -> str:
        return json.dumps(self.document, indent=2) + "\n"


def _resources_for(usage: RoleUsage, action: str) -> tuple[str, ...]:
    cat = catalog()
    if cat.only_wildcard_resource(action):
        return ("*",)
    seen = {
        a.resource
        for a in usage.accesses
        if a.action == action and a.resource and cat.arn_matches_type(action, a.resource) is not False
    }
    if seen:
        return tuple(sorted(seen))
    granted: set[str] = set()
    for statement in usage.statements:
        if action in statement.granted:
            granted.update(statement.view.resources)
    return tuple(sorted(granted)) or ("*",)


def _statements(usage: RoleUsage, *, keep_unrecorded: bool) -> tuple[_Statement, ...]:
    actions = set(usage.used)
    if keep_unrecorded:
        actions |= set(usage.unrecorded)
    groups: dict[tuple[str, tuple[str, ...]], list[str]] = {}
    for action in sorted(actions):
        service = action.partition(":")[0]
        groups.setdefault((service, _resources_for(usage, action)), []).append(action)
    out = []
    counts: dict[str, int] = {}
    for (service, resources), names in sorted(groups.items()):
        counts[service] = counts.get(service, 0) + 1
        base = "".join(part.capitalize() for part in re.split(r"[^A-Za-z0-9]", service) if part)
        sid = base if counts[service] == 1 else f"{base}{counts[service]}"
        out.append(_Statement(sid, tuple(names), resources))
    return tuple(out)


def _document(statements: Sequence[_Statement]) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": s.sid,
                "Effect": "Allow",
                "Action": list(s.actions) if len(s.actions) > 1 else s.actions[0],
                "Resource": list(s.resources) if len(s.resources) > 1 else s.resources[0],
            }
            for s in statements
        ],
    }


# -- from deployed ARNs back to template references


def _template_ref(template: Template, arn: str, stacks: Sequence[str]) -> tuple[Resource, str] | None:
    """The template resource a deployed ARN is, with what follows its name (`/index/x`)."""
    parsed = Arn.parse(arn)
    if parsed is None:
        return None
    for resource in template.resources.values():
        if resource.type not in _ARN_EXPR or not resource.arns or not isinstance(resource.name, str):
            continue
        own = Arn.parse(resource.arns[0])
        if own is None or own.service != parsed.service:
            continue
        at = own.resource.find(resource.name)
        if at < 0:
            continue
        prefix = own.resource[:at]
        if not parsed.resource.startswith(prefix):
            continue
        rest = parsed.resource[len(prefix) :]
        name = re.split(r"[/:]", rest, maxsplit=1)[0]
        if deployed_as(resource, name, template.format, stacks) or name == resource.name:
            return resource, rest[len(name) :]
    return None


def _yaml_arn(template: Template, arn: str, stacks: Sequence[str]) -> str:
    if arn == "*":
        return '"*"'
    found = _template_ref(template, arn, stacks)
    if found is None:
        return json.dumps(arn)
    resource, tail = found
    expr = _ARN_EXPR[resource.type].replace("X", resource.id)
    if not tail:
        if expr == f"${{{resource.id}}}":
            return f"!Ref {resource.id}"
        return f"!GetAtt {expr[2:-1]}"
    return f'!Sub "{expr}{tail}"'


@lru_cache(maxsize=1)
def _sam_policy_templates() -> Mapping[str, Any]:
    import samtranslator

    path = Path(samtranslator.__file__).parent / "policy_templates_data" / "policy_templates.json"
    data: Mapping[str, Any] = json.loads(path.read_text(encoding="utf-8"))["Templates"]
    return data


def _sub_pattern(value: Any) -> tuple[re.Pattern[str], Mapping[str, str]] | None:
    """A policy template's `Fn::Sub` resource as a regex, with variable -> parameter."""
    if not isinstance(value, Mapping) or "Fn::Sub" not in value:
        return None
    sub = value["Fn::Sub"]
    text, variables = (sub[0], sub[1]) if isinstance(sub, list) else (sub, {})
    if not isinstance(text, str):
        return None
    params = {var: ref["Ref"] for var, ref in variables.items() if isinstance(ref, Mapping) and "Ref" in ref}
    pattern = ""
    for token in re.split(r"(\$\{[^}]+\})", text):
        if token.startswith("${"):
            name = token[2:-1]
            if name in params:
                pattern += f"(?P<{name}>[^/:]+)"
            elif name.startswith("AWS::"):
                pattern += "[^:]*"
            else:
                return None
        else:
            pattern += re.escape(token)
    return re.compile(f"^{pattern}$"), params


def _sam_template_for(statement: _Statement) -> tuple[str, dict[str, str]] | None:
    """A SAM policy template granting exactly these actions on exactly these resources."""
    cat = catalog()
    wanted = set(statement.actions)
    if statement.resources == ("*",):
        return None
    for name, entry in sorted(_sam_policy_templates().items()):
        body = entry.get("Definition", {}).get("Statement", [])
        if len(body) != 1:
            continue
        actions = body[0].get("Action")
        actions = [actions] if isinstance(actions, str) else actions or []
        expanded = {a for pattern in actions for a in (cat.expand(pattern) if "*" in pattern else (pattern,))}
        if {a.lower() for a in expanded} != {a.lower() for a in wanted}:
            continue
        resources = body[0].get("Resource")
        resources = resources if isinstance(resources, list) else [resources]
        patterns = [_sub_pattern(r) for r in resources]
        if any(p is None for p in patterns) or len(patterns) != len(statement.resources):
            continue
        values: dict[str, str] = {}
        ok = True
        for (regex, params), arn in zip(
            [p for p in patterns if p is not None], sorted(statement.resources), strict=True
        ):
            match = regex.match(arn)
            if match is None:
                ok = False
                break
            for var, param in params.items():
                if values.setdefault(param, match.group(var)) != match.group(var):
                    ok = False
        if ok and values:
            return name, values
    return None


def _param_value(template: Template, statement: _Statement, value: str, stacks: Sequence[str]) -> str:
    for arn in statement.resources:
        found = _template_ref(template, arn, stacks)
        if found is None:
            continue
        resource, _ = found
        expr = _NAME_EXPR.get(resource.type)
        if expr and value in arn:
            return expr.replace("X", resource.id)
    return json.dumps(value)


def _sam_block(
    template: Template,
    statements: Sequence[_Statement],
    indent: int,
    stacks: Sequence[str],
    *,
    drop: frozenset[str] = frozenset(),
) -> str:
    pad = " " * indent
    lines = [f"{pad}Policies:"]
    inline: list[_Statement] = []
    for statement in statements:
        actions = tuple(a for a in statement.actions if a not in drop)
        if not actions:
            continue
        statement = _Statement(statement.sid, actions, statement.resources)
        found = _sam_template_for(statement)
        if found is None:
            inline.append(statement)
            continue
        name, values = found
        lines.append(f"{pad}  - {name}:")
        for param, value in sorted(values.items()):
            lines.append(f"{pad}      {param}: {_param_value(template, statement, value, stacks)}")
    if inline:
        lines.append(f"{pad}  - Statement:")
        lines.extend(_statement_yaml(template, inline, indent + 6, stacks))
    if len(lines) == 1:
        lines[0] += " []"
    return "\n".join(lines) + "\n"


def _statement_yaml(
    template: Template, statements: Sequence[_Statement], indent: int, stacks: Sequence[str]
) -> list[str]:
    pad = " " * indent
    lines = []
    for s in statements:
        lines.append(f"{pad}- Sid: {s.sid}")
        lines.append(f"{pad}  Effect: Allow")
        lines.append(f"{pad}  Action:")
        lines.extend(f"{pad}    - {a}" for a in s.actions)
        lines.append(f"{pad}  Resource:")
        lines.extend(f"{pad}    - {_yaml_arn(template, r, stacks)}" for r in s.resources)
    return lines


def _role_policies_block(
    template: Template, statements: Sequence[_Statement], indent: int, stacks: Sequence[str]
) -> str:
    pad = " " * indent
    lines = [
        f"{pad}Policies:",
        f"{pad}  - PolicyName: least-privilege",
        f"{pad}    PolicyDocument:",
        f'{pad}      Version: "2012-10-17"',
        f"{pad}      Statement:",
    ]
    lines.extend(_statement_yaml(template, statements, indent + 8, stacks))
    return "\n".join(lines) + "\n"


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _significant(line: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and not stripped.startswith("#")


def _block(lines: Sequence[str], start: int, end: int, key: str) -> tuple[int, int, int] | None:
    """(first line, line after, indent) of `key:` and its nested lines within [start, end)."""
    for index in range(start, end):
        line = lines[index]
        if line.strip().startswith(f"{key}:"):
            indent = _indent(line)
            stop = index + 1
            while stop < end and (not _significant(lines[stop]) or _indent(lines[stop]) > indent):
                stop += 1
            while stop > index + 1 and not _significant(lines[stop - 1]):
                stop -= 1
            return index, stop, indent
    return None


def _replace(lines: Sequence[str], resource_id: str, line: int, block: str) -> list[str] | None:
    """The lines with the resource's `Policies:` block (or a new one) replaced by `block`."""
    header = line - 1
    if header < 0 or header >= len(lines) or not lines[header].strip().startswith(f"{resource_id}:"):
        return None
    own = _indent(lines[header])
    end = header + 1
    while end < len(lines) and (not _significant(lines[end]) or _indent(lines[end]) > own):
        end += 1
    properties = _block(lines, header + 1, end, "Properties")
    if properties is None:
        return None
    found = _block(lines, properties[0] + 1, properties[1], "Policies")
    if found is not None:
        first, stop, indent = found
        return [*lines[:first], *_reindent(block, indent), *lines[stop:]]
    at = properties[0] + 1
    return [*lines[:at], *_reindent(block, properties[2] + 2), *lines[at:]]


def _unified(template: Template, before: Sequence[str], after: Sequence[str]) -> str:
    name = _portable(template.path)
    return "".join(
        difflib.unified_diff(
            [f"{x}\n" for x in before], [f"{x}\n" for x in after], fromfile=f"a/{name}", tofile=f"b/{name}"
        )
    )


def _diff(template: Template, resource_id: str, line: int, block: str) -> str:
    lines = list(template.source_lines)
    if template.format is Format.TERRAFORM or not lines:
        return ""
    updated = _replace(lines, resource_id, line, block)
    return _unified(template, lines, updated) if updated is not None else ""


def merged_diff(model: Model, policies: Sequence[GeneratedPolicy]) -> str:
    """Every policy's change to its template in one diff per file (applied bottom up)."""
    out = []
    for template in model.templates:
        mine = sorted(
            ((p.owner, p.sam) for p in policies if p.template == template.path and p.diff and p.owner),
            key=lambda entry: entry[0][1],
            reverse=True,
        )
        if not mine:
            continue
        lines = list(template.source_lines)
        updated = lines
        for (resource_id, line), block in mine:
            updated = _replace(updated, resource_id, line, block) or updated
        out.append(_unified(template, lines, updated))
    return "".join(out)


def _reindent(block: str, indent: int) -> list[str]:
    lines = block.rstrip("\n").split("\n")
    current = _indent(lines[0])
    return [(" " * indent + line[current:]) if line.strip() else "" for line in lines]


def _portable(path: str) -> str:
    relative = os.path.relpath(path) if os.path.isabs(path) else path
    return relative.replace(os.sep, "/")


def generate_policies(
    model: Model, usage: Sequence[RoleUsage], *, keep_unrecorded: bool = True
) -> list[GeneratedPolicy]:
    """A least-privilege policy for every role with activity (see the module docs)."""
    templates = {t.path: t for t in model.templates}
    stacks = model.activity.stacks if model.activity else ()
    out = []
    for role in usage:
        if not role.used:
            continue
        template = next(
            (t for t in templates.values() if t.resources.get(role.resource.id) is role.resource), None
        )
        if template is None:
            continue
        statements = _statements(role, keep_unrecorded=keep_unrecorded)
        document = _document(statements)
        function = template.resources.get(role.resource.origin) if role.resource.origin else None
        note = ""
        owner: tuple[str, int] | None = None
        if template.format is Format.SAM and function is not None and function.type in _SAM_OWNERS:
            basic = function.type == "AWS::Lambda::Function"
            sam = _sam_block(template, statements, 6, stacks, drop=_SAM_BASIC if basic else frozenset())
            diff = _diff(template, function.id, function.location.line, sam)
            owner = (function.id, function.location.line)
            if basic:
                note = "SAM attaches AWSLambdaBasicExecutionRole (the logs actions) to the function's role itself."
        elif role.resource.type == "AWS::IAM::Role":
            sam = _role_policies_block(template, statements, 6, stacks)
            diff = _diff(template, role.resource.id, role.resource.location.line, sam)
            owner = (role.resource.id, role.resource.location.line)
            if role.resource.properties.get("ManagedPolicyArns"):
                note = "ManagedPolicyArns are left as they are: remove the ones the policy above replaces."
        else:
            sam, diff = "", ""
            note = "Terraform: put the IAM JSON in the role's policy (jsonencode)."
        out.append(
            GeneratedPolicy(
                role=role.resource.id,
                template=template.path,
                document=document,
                sam=sam,
                diff=diff,
                note=note,
                statements=statements,
                owner=owner,
            )
        )
    return out
