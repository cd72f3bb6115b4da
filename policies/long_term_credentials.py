from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from boundary.graph import EdgeKind, node_id, queries
from boundary.model import Format, Location, Resource, ResourceKind, Symbolic, Template
from boundary.rules import Rule, RuleContext, Severity, Violation

# Long-term (AKIA) and temporary (ASIA) access key ids: 4 letters, then 16 of [A-Z2-7]
# in practice; [A-Z0-9] keeps documentation keys such as AKIAIOSFODNN7EXAMPLE in.
_KEY_ID = re.compile(r"(?<![A-Za-z0-9])((?:AKIA|ASIA)[A-Z0-9]{16})(?![A-Za-z0-9])")
# A secret access key is 40 base64 characters; alone that is any random string, so
# it counts only under a name that says so.
_SECRET = re.compile(r"^[A-Za-z0-9/+]{40}$")
_SECRET_NAME = re.compile(r"secret_?access_?key|secret_?key|aws_?secret", re.IGNORECASE)
# Once the template holds an access key id, a key-shaped value under any "secret" name is its pair.
_PAIRED_SECRET_NAME = re.compile(r"secret", re.IGNORECASE)
_INLINE_SECRET = re.compile(
    r"(?:secret_?access_?key|secret_?key|aws_?secret)[\"']?\s*[=:]\s*[\"']?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])",
    re.IGNORECASE,
)
_NAME_KEYS = ("Name", "name", "Key", "key")
_VALUE_KEYS = ("Value", "value")


def mask(secret: str) -> str:
    """Enough of a key to find it, never enough to use it: `wJal…KEY`."""
    return f"{secret[:4]}…{secret[-3:]}"


def _looks_random(value: str) -> bool:
    """Placeholders (`xxxx…`) and words are not keys, and neither are hex digests (a SHA-1
    is 40 characters too): a secret access key is random base64, so it has upper-case
    and lower-case letters and digits or `/+` (a random one lacks one of them about
    once in 4,000)."""
    return all(re.search(p, value) for p in ("[a-z]", "[A-Z]", "[0-9/+]")) and len(set(value)) > 8


def _leaves(
    value: Any, path: tuple[str | int, ...], name: str | None
) -> Iterator[tuple[tuple[str | int, ...], str | None, str]]:
    """Every string leaf with its key path and the name it is stored under; for
    `[{Name: X, Value: v}]` lists (ECS, Batch, CodeBuild environments) the name is X."""
    if isinstance(value, str):
        yield path, name, value
    elif isinstance(value, Mapping):
        pair_name = next((value[k] for k in _NAME_KEYS if isinstance(value.get(k), str)), None)
        for key, item in value.items():
            label = pair_name if pair_name is not None and key in _VALUE_KEYS else str(key)
            yield from _leaves(item, (*path, str(key)), label)
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from _leaves(item, (*path, index), name)


# What a string must hold for `_found` to find a credential in it (a key id, a secret under
# a name that says so, a secret written inline after its name): most values hold none of it.
# No alternative matches a newline, so it is searched for in the strings joined by one.
_MAYBE_KEY = re.compile(r"(?-i:AKIA|ASIA)|" + _SECRET_NAME.pattern, re.IGNORECASE)
# A secret's length: 40 characters, or 41 with the newline `$` lets `_SECRET` match before.
_SECRET_LENGTHS = frozenset({40, 41})


def _worth_a_look(value: Any) -> bool:
    """Whether some string leaf of `value` could hold a credential: a key id, a string of
    a secret's length, or an inline secret; checked before walking `value` with paths."""
    texts = list(queries.strings_in(value))
    return not _SECRET_LENGTHS.isdisjoint(map(len, texts)) or _MAYBE_KEY.search("\n".join(texts)) is not None


def _found(
    value: Any, path: tuple[str | int, ...] = (), name: str | None = None, *, paired: bool = False
) -> Iterator[tuple[tuple[str | int, ...], str, str]]:
    """`(key path, "key-id" | "secret", literal)` for each credential in `value`."""
    if not _worth_a_look(value):
        return
    names = _PAIRED_SECRET_NAME if paired else _SECRET_NAME
    for where, label, text in _leaves(value, path, name):
        for match in _KEY_ID.finditer(text):
            yield where, "key-id", match.group(1)
        if label is not None and names.search(label) and _SECRET.match(text) and _looks_random(text):
            yield where, "secret", text
            continue
        for match in _INLINE_SECRET.finditer(text):
            if _looks_random(match.group(1)):
                yield where, "secret", match.group(1)


def find_keys(
    value: Any, path: tuple[str, ...] = (), name: str | None = None, *, paired: bool = False
) -> Iterator[tuple[str, str, str]]:
    """`(property path, "key-id" | "secret", literal)` for each credential in `value`.

    With `paired` (the template holds an access key id), a secret may be stored under
    any name with "secret" in it (`PartnerSecret`), not only `SecretAccessKey`."""
    for where, kind, literal in _found(value, path, name, paired=paired):
        yield ".".join(str(part) for part in where), kind, literal


def _what(kind: str, literal: str) -> str:
    if kind == "secret":
        return f"a secret access key ({mask(literal)})"
    return f"{'a temporary' if literal.startswith('ASIA') else 'an'} access key id ({literal[:4]}…{literal[-4:]})"


def _severity(kind: str) -> Severity:
    return Severity.CRITICAL if kind == "secret" else Severity.HIGH


class LongTermCredentials(Rule):
    """
    ## What it does
    Finds AWS access keys written into a template: access key ids (`AKIA…`,
    `ASIA…`) anywhere in a property, environment variable or parameter
    default, and 40-character secret access keys stored under a name that
    says so (`AWS_SECRET_ACCESS_KEY`, `SecretAccessKey`, `secret_key`). Also
    finds IAM access keys created by the application stack
    (`AWS::IAM::AccessKey`, `aws_iam_access_key`), and keys in the parts of a
    template that hold no resource (stack Outputs, Mappings, Metadata,
    Terraform outputs; comments are not read). Once a template holds an
    access key id, a key-shaped value under any name with "secret" in it
    (`PartnerSecret`) is taken as its secret. A secret key is random base64,
    so hex digests (a SHA-1 is 40 characters too) are never reported. Documentation keys such as
    `AKIAIOSFODNN7EXAMPLE` are reported too: a literal key in a template is
    the problem. A `!Ref` to a NoEcho parameter without a default, a
    `{{resolve:secretsmanager:...}}` dynamic reference and a Secrets Manager
    ARN are not keys and are not reported. Messages never show a secret.

    ## Why is this bad?
    A key in a template lands in version control, in the CloudFormation
    console, in the function's configuration and in every log that prints its
    environment. It never expires, and whoever reads it acts as its user from
    anywhere, far outside the boundary of the function's execution role. A
    function already has short-lived credentials from its role.

    ## Example
    ```yaml
    CancelBooking:
      Type: AWS::Serverless::Function
      Properties:
        Environment:
          Variables:
            AWS_ACCESS_KEY_ID: AKIAIOSFODNN7EXAMPLE
            AWS_SECRET_ACCESS_KEY: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
    ```

    ## Use instead
    Give the function a role with the permissions it needs; the SDK picks up
    its temporary credentials. For a third party's secret, store it in
    Secrets Manager and read it at run time or with a dynamic reference:
    ```yaml
    Environment:
      Variables:
        PARTNER_SECRET_ARN: !Ref PartnerSecret
    Policies:
      - AWSSecretsManagerGetSecretValuePolicy:
          SecretArn: !Ref PartnerSecret
    ```

    ## References
    - AWS Well-Architected Serverless Lens, SEC1: "Use temporary credentials"
    - https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#bp-workloads-use-roles
    - https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/dynamic-references.html
    """

    def evaluate(self, ctx: RuleContext) -> Iterator[Violation]:
        # once for the whole graph, not once per file: the sort is O(nodes log nodes)
        access_keys: dict[str, list[str]] = {}  # per template: looked up, not filtered per file
        for key in queries.nodes_of_kind(ctx.graph, ResourceKind.ACCESS_KEY.value):
            access_keys.setdefault(str(ctx.attrs(key).get("template")), []).append(key)
        for template in ctx.model.templates:
            paired = _holds_key_id(template)
            from_parameters: set[str] = set()
            yield from self._parameters(template, from_parameters, paired)
            reported = set(from_parameters)
            for resource in template.resources.values():
                yield from self._properties(ctx, template, resource, from_parameters, paired, reported)
            yield from _elsewhere(template, reported)
            for key in access_keys.get(template.path, ()):
                yield self._access_key(ctx, key)

    def _parameters(self, template: Template, found: set[str], paired: bool) -> Iterator[Violation]:
        is_tf = template.format is Format.TERRAFORM
        # Located when a key is found, not for every file: `locate` may read the source again.
        section: Location | None = None
        for name, value in sorted(template.parameters.items()):
            if isinstance(value, Symbolic):
                continue
            kind_of = "variable" if is_tf else "parameter"
            for path, kind, literal in _found(value, (), name, paired=paired):
                found.add(literal)
                written = (
                    ("variables", name, "value", *path) if is_tf else ("Parameters", name, "Default", *path)
                )
                if section is None:
                    section = _located(
                        template,
                        ("variables",) if is_tf else ("Parameters",),
                        None,
                        Location(template.path, 1),
                    )
                location = _located(template, written, literal, section)
                if is_tf:
                    location = Location(location.file, location.line, location.column, f"var.{name}")
                yield Violation(
                    node=f"var.{name}" if is_tf else name,
                    message=(
                        f"{kind_of} {name} holds {_what(kind, literal)} in its default or given value; "
                        "expected no AWS access key in the template: use the function's role"
                    ),
                    key=f"{kind_of}:{name}#{kind}",
                    location=location,
                    severity=_severity(kind),
                )

    def _properties(
        self,
        ctx: RuleContext,
        template: Template,
        resource: Resource,
        from_parameters: set[str],
        paired: bool,
        reported: set[str],
    ) -> Iterator[Violation]:
        node = node_id(template, resource.id)
        seen: set[tuple[str, str]] = set()
        for path, kind, literal in _found(resource.properties, paired=paired):
            reported.add(literal)
            shown = ".".join(str(part) for part in path)
            if literal in from_parameters or (shown, kind) in seen:
                continue
            seen.add((shown, kind))
            location = resource.location
            if template.format is not Format.TERRAFORM and resource.origin is None:
                location = _located(
                    template, ("Resources", resource.id, "Properties", *path), literal, location
                )
                if location is resource.location and template.format is Format.SAM:
                    # not in the function's own block: SAM merged it from `Globals`
                    location = _located(template, ("Globals", "Function", *path), literal, location)
            elif template.written:  # a plan read with its `.tf` sources, or the sources alone
                location = _located(template, ("resources", resource.id, *path), literal, location)
            yield Violation(
                node=node,
                message=(
                    f"{resource.id} has {_what(kind, literal)} in property {shown}; "
                    "expected no AWS access key in the template: use the execution role's temporary credentials"
                ),
                key=f"{shown}#{kind}",
                location=location,
                severity=_severity(kind),
            )

    def _access_key(self, ctx: RuleContext, key: str) -> Violation:
        users = tuple(
            sorted({v for _, v, d in ctx.graph.out_edges(key, data=True) if d.get("kind") == EdgeKind.KEY_OF})
        )
        owner = ", ".join(ctx.label(u) for u in users) or "an IAM user"
        exported = _secret_output_line(ctx, key)
        if exported:
            # Stack outputs are readable by anyone who may describe the stack, and kept in its history.
            return Violation(
                node=key,
                message=(
                    f"{ctx.label(key)} creates a long-term access key for {owner} and exports its "
                    f"SecretAccessKey in the stack Outputs (line {exported}); expected no IAM user keys, "
                    "and never a secret in Outputs: workloads use roles"
                ),
                related=users,
                key="access-key",
                severity=Severity.CRITICAL,
            )
        return Violation(
            node=key,
            message=(
                f"{ctx.label(key)} creates a long-term access key for {owner} inside the application stack; "
                "expected no IAM user keys: workloads use roles, people use IAM Identity Center"
            ),
            related=users,
            key="access-key",
            severity=Severity.HIGH,
        )


def _secret_output_line(ctx: RuleContext, key: str) -> int:
    """The line of the Outputs section that reads the access key's SecretAccessKey, or 0:
    `!GetAtt Key.SecretAccessKey`, `Fn::GetAtt: [Key, SecretAccessKey]`, or
    `${Key.SecretAccessKey}` in a `Fn::Sub`, found in the model's Outputs and located
    through the template."""
    attrs = ctx.attrs(key)
    template = ctx.templates_by_path().get(str(attrs.get("template")))
    if template is None or template.locate is None:
        return 0
    name = str(attrs.get("resource") or "")
    for output, value in template.outputs.items():
        path = _secret_reference(value, name)
        if path is not None:
            return template.locate(("Outputs", output, *path))[0]
    return 0


def _secret_reference(
    value: Any, name: str, path: tuple[str | int, ...] = ()
) -> tuple[str | int, ...] | None:
    """The key path, inside `value`, of the string that reads `name`'s SecretAccessKey."""
    if isinstance(value, Mapping):
        for k, v in value.items():
            if k == "Fn::GetAtt":
                if isinstance(v, list) and len(v) == 2 and v[0] == name and v[1] == "SecretAccessKey":
                    return (*path, k, 1)
                if isinstance(v, str) and v == f"{name}.SecretAccessKey":
                    return (*path, k)
            found = _secret_reference(v, name, (*path, str(k)))
            if found is not None:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = _secret_reference(item, name, (*path, index))
            if found is not None:
                return found
    elif isinstance(value, str) and f"${{{name}.SecretAccessKey}}" in value:
        return path
    return None


# Where a plan states its outputs (`template.outputs`).
_TF_OUTPUTS = ("planned_values", "outputs")
# Where its configuration writes a constant output: (..., "outputs", name, "expression", "constant_value").
_TF_OUTPUT_CONSTANT = ("configuration", "root_module", "outputs", "expression", "constant_value")
_CFN_SECTIONS = (("Outputs", "output"), ("Mappings", "mapping"), ("Metadata", "metadata"))


def _holds_key_id(template: Template) -> bool:
    """Whether an access key id is written anywhere in the template: then a key-shaped
    value under any "secret" name is its pair."""
    values: list[Any] = [template.parameters, template.outputs, template.mappings, template.metadata]
    for resource in template.resources.values():
        values += [resource.properties, resource.metadata]
    # one search of the strings joined by a newline: it ends a key id as a string's end does
    return _KEY_ID.search("\n".join(queries.strings_in(values))) is not None


def _located(
    template: Template, path: tuple[str | int, ...], literal: str | None, fallback: Location
) -> Location:
    """Where the element at key `path` is written, through the model's `locate`; the
    column is where `literal` starts on that line, when it does. `fallback` when the
    template cannot say, or the path is not in the source (a value given on the command
    line, a property the SAM transform wrote). A Terraform template read with its `.tf`
    sources says where they write each path (`Template.written`, longest prefix first)."""
    if template.written:
        return _written(template, path, literal, fallback)
    if template.locate is None or not path:
        return fallback
    line, column = template.locate(path)
    if not line or (line, column) == template.locate(path[:-1]):
        return fallback
    if literal is not None and 0 < line <= len(template.source_lines):
        start = template.source_lines[line - 1].find(literal, max(column - 1, 0))
        if start >= 0:
            column = start + 1
    return Location(template.path, line, column)


def _written(
    template: Template, path: tuple[str | int, ...], literal: str | None, fallback: Location
) -> Location:
    for end in range(len(path), 0, -1):
        where = template.written.get(path[:end])
        if where is None:
            continue
        column = where.column
        lines = template.sources.get(where.file, ())
        if literal is not None and 0 < where.line <= len(lines):
            start = lines[where.line - 1].find(literal)
            if start >= 0:
                column = start + 1
        return Location(where.file, where.line, column, where.address)
    return fallback


def _elsewhere(template: Template, reported: set[str]) -> Iterator[Violation]:
    """Keys in the parts of a template that hold no resource: stack Outputs, Mappings,
    Metadata and resource Metadata; Terraform outputs. Read from the model, in the
    order they are written; a key already reported in a resource or parameter is not
    repeated."""
    is_tf = template.format is Format.TERRAFORM
    fallback = Location(template.path, 1)
    # (location, where, node, kind, literal)
    found: list[tuple[Location, str, str, str, str]] = []
    if is_tf:
        for name, output in sorted(template.outputs.items()):
            for path, kind, literal in _found(output, (*_TF_OUTPUTS, name)):
                planned = _located(template, path, literal, fallback)
                # where the configuration writes it, when it is a constant there
                written = (*_TF_OUTPUT_CONSTANT[:3], name, *_TF_OUTPUT_CONSTANT[3:], *path[4:])
                location = (
                    _located(template, written, literal, planned) if path[3:4] == ("value",) else planned
                )
                found.append((location, "output", f"output.{name}", kind, literal))
    else:
        for section, where in _CFN_SECTIONS:
            values = {
                "Outputs": template.outputs,
                "Mappings": template.mappings,
                "Metadata": template.metadata,
            }
            for name, value in values[section].items():
                for path, kind, literal in _found(value, (section, name)):
                    found.append((_located(template, path, literal, fallback), where, name, kind, literal))
        for resource in template.resources.values():
            if resource.origin is not None:
                continue
            for path, kind, literal in _found(resource.metadata, ("Resources", resource.id, "Metadata")):
                location = _located(template, path, literal, resource.location)
                found.append((location, "section", resource.id, kind, literal))
    for location, where, node, kind, literal in sorted(found, key=lambda item: item[0]):
        if literal in reported:
            continue
        reported.add(literal)
        name = node.removeprefix("output.") if is_tf else node
        yield Violation(
            node=node,
            message=(
                f"{where} {name} holds {_what(kind, literal)} in the template text; "
                "expected no AWS access key in the template: use roles, and Secrets Manager for third parties"
            ),
            key=f"{where}:{node}#{kind}",
            location=Location(location.file, location.line, location.column, node if is_tf else None),
            severity=_severity(kind),
        )
