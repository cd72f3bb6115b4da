"""Terraform plans (`terraform show -json`) into the model.

A plan is the only Terraform artefact that knows what will be deployed:
modules are expanded, `count`/`for_each` instances have their final addresses,
and every value is either known or explicitly "known after apply". What is not
known yet is kept as a `Symbolic` that names the resources its configuration
expression refers to, so a function whose `role` is `aws_iam_role.x.arn` still
executes as `aws_iam_role.x` although the ARN does not exist yet.

Locations are resource addresses plus the line and column of the resource's
`"address"` key in the plan text (the .tf lines do not survive planning).
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import yaml

from boundary.iam.document import normalize_policy
from boundary.iam.managed import managed_policy
from boundary.load._cfn_types import arns_for, canonical_type, kind_of, name_attribute
from boundary.load._errors import SourceError
from boundary.load._limits import charge
from boundary.load._yaml import JsonLocator
from boundary.load.options import LoadOptions
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
    Symbolic,
    Template,
)

__all__ = [
    "UNKNOWN_TEXT",
    "ConfigurationSources",
    "decode_plan",
    "is_plan",
    "load_plan",
    "load_plan_text",
    "looks_like_plan",
    "shape_error",
]

UNKNOWN_TEXT = "(known after apply)"
_UNKNOWN_REASON = "unknown at plan time"

_PLAN_PARTS = ("planned_values", "resource_changes", "configuration")
_ADDRESS_KEY = re.compile(r'"address"\s*:\s*"((?:[^"\\]|\\.)*)"')
_RESOURCE_CHANGES_KEY = re.compile(r'"resource_changes"\s*:\s*\[')
_KEY = r'\[(?:"(?:[^"\\]|\\.)*"|[0-9]+)\]'
_TRAILING_KEY = re.compile(_KEY + "$")
_MODULE_STEP = re.compile(r"module\.([A-Za-z_][\w-]*)(" + _KEY + r")?(?:\.|$)")
_RESOURCE_REF = re.compile(r"^((?:data\.)?[A-Za-z_][\w-]*\.[A-Za-z_][\w-]*)(" + _KEY + r")?")
_MODULE_REF = re.compile(r"^(module\.[A-Za-z_][\w-]*)(" + _KEY + r")?(?:\.([A-Za-z_][\w-]*))?")
_INDEXED_REF = re.compile(r"^((?:module|data\.[\w-]+|[A-Za-z_][\w-]*)\.[\w-]+)\[")
_NON_RESOURCE_ROOTS = frozenset({"local", "each", "count", "path", "terraform", "self", "var", "module"})
_FUNCTION_IN_URI = re.compile(r"(arn:[\w-]+:lambda:[\w-]+:\d{12}:function:[\w.-]+(?::[\w$-]+)?)")
_HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "x-amazon-apigateway-any-method")
_MAX_DEPTH = 12


# ---------------------------------------------------------------- public API


def is_plan(data: Any) -> bool:
    """True for the JSON of `terraform show -json <planfile>`.

    A plan has a string `format_version` and at least one of the plan parts in
    its expected JSON shape; CloudFormation (`Resources`) and state files
    (`values` without a plan part) are not plans.
    """
    if not isinstance(data, Mapping) or not isinstance(data.get("format_version"), str):
        return False
    if "Resources" in data or "AWSTemplateFormatVersion" in data:
        return False
    return (
        isinstance(data.get("planned_values"), Mapping)
        or isinstance(data.get("resource_changes"), list)
        or isinstance(data.get("configuration"), Mapping)
    )


def decode_plan(text: str, *, file: str) -> Any:
    """Parse plan text as JSON; a syntax error is a `SourceError` at the decoder's position."""
    try:
        return json.loads(text.removeprefix("\ufeff"))
    except json.JSONDecodeError as exc:
        raise SourceError(file, exc.lineno, exc.colno, f"invalid JSON: {exc.msg}") from None
    except RecursionError:
        raise SourceError(file, 0, 0, "invalid JSON: nested too deeply") from None


def load_plan_text(text: str, *, file: str, options: LoadOptions | None = None) -> Template:
    """Decode and load a plan; JSON that is not a plan is a `SourceError` here."""
    data = decode_plan(text, file=file)
    if not is_plan(data):
        raise SourceError(file, 1, 1, "not a Terraform plan (expected the output of `terraform show -json`)")
    return load_plan(data, file=file, text=text, options=options)


def looks_like_plan(data: Any) -> bool:
    """A JSON object that claims to be a plan (a `format_version` string and a plan part),
    whatever the shape of its parts: such a file is a plan with errors, not some other JSON."""
    return (
        isinstance(data, Mapping)
        and isinstance(data.get("format_version"), str)
        and "Resources" not in data
        and any(part in data for part in _PLAN_PARTS)
    )


def shape_error(data: Mapping[str, Any]) -> str | None:
    """What is wrong with the top-level shape of a plan, or None.

    Parts of the wrong type, and resource changes that are not objects with an
    address, make the plan unreadable as a whole: loading what is left would be
    a silent pass over resources that were planned.
    """
    expected = {
        "planned_values": (Mapping, "an object"),
        "resource_changes": (list, "a list"),
        "configuration": (Mapping, "an object"),
    }
    for part, (kind, name) in expected.items():
        if part in data and data[part] is not None and not isinstance(data[part], kind):
            return f"Terraform plan: '{part}' is not {name}"
    for index, change in enumerate(_list(data.get("resource_changes"))):
        if not isinstance(change, Mapping) or not _str(change.get("address")):
            return f"Terraform plan: resource_changes[{index}] is not a resource change with an address"
    return None


def load_plan(
    data: Mapping[str, Any],
    *,
    file: str,
    text: str,
    options: LoadOptions | None = None,
    sources: ConfigurationSources | None = None,
) -> Template:
    """Load a decoded plan. Malformed parts are skipped; only `SourceError` is raised.

    `options.account` is the account of every generated ARN; `options.region` is
    the region where the plan's provider configuration names none. With `sources`
    (the `.tf` configuration the plan came from), resources are located at their
    blocks in the `.tf` files, and policies the plan holds as unknown are rebuilt
    from the configuration."""
    problem = shape_error(data)
    if problem is not None:
        match = _RESOURCE_CHANGES_KEY.search(text) if "resource_changes" in problem else None
        line = text.count("\n", 0, match.start()) + 1 if match else 1
        raise SourceError(file, line, 1, problem)
    try:
        return _PlanLoader(data, file, text, options or LoadOptions(), sources).load()
    except SourceError:
        raise
    except RecursionError:
        raise SourceError(file, 0, 0, "Terraform plan is nested too deeply") from None
    except Exception as exc:  # noqa: BLE001 - the contract: bad input never escapes as a traceback
        raise SourceError(file, 0, 0, f"cannot read Terraform plan: {type(exc).__name__}: {exc}") from None


# ---------------------------------------------------------------- small helpers


def _map(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _get(values: Any, path: Sequence[str | int]) -> Any:
    node = values
    for step in path:
        if isinstance(step, str) and isinstance(node, Mapping):
            node = node.get(step)
        elif isinstance(step, int) and isinstance(node, list) and 0 <= step < len(node):
            node = node[step]
        else:
            return None
    return node


class _NoKey:
    """No `each.key`/`count.index` is in force (None is not a usable marker: keys are values)."""


_NO_KEY: Any = _NoKey()


def _with_key(base: str, key: Any) -> str | None:
    """`aws_x.y` and key "a" -> `aws_x.y["a"]`; 2 -> `aws_x.y[2]`."""
    if isinstance(key, bool) or key is _NO_KEY:
        return None
    if isinstance(key, int):
        return f"{base}[{key}]"
    if isinstance(key, str):
        return f"{base}[{json.dumps(key)}]"
    return None


def _module_key(module_address: str) -> Any:
    """The instance key of the innermost module call: `module.m["a"]` -> "a"."""
    steps = list(_MODULE_STEP.finditer(module_address))
    if not steps or not steps[-1].group(2):
        return _NO_KEY
    try:
        return json.loads(steps[-1].group(2)[1:-1])
    except ValueError:
        return _NO_KEY


def _strip_key(address: str) -> str:
    """`aws_x.y["a"]` -> `aws_x.y`: the resource an instance belongs to."""
    return _TRAILING_KEY.sub("", address)


def _module_names(module_address: str) -> tuple[str, ...]:
    return tuple(match.group(1) for match in _MODULE_STEP.finditer(module_address))


def _parent_module(module_address: str) -> str:
    steps = list(_MODULE_STEP.finditer(module_address))
    if len(steps) <= 1:
        return ""
    return module_address[: steps[-1].start()].rstrip(".")


def _has_true(marks: Any) -> bool:
    if marks is True:
        return True
    if isinstance(marks, Mapping):
        return any(_has_true(v) for v in marks.values())
    if isinstance(marks, list):
        return any(_has_true(v) for v in marks)
    return False


def _is_expression(node: Any) -> bool:
    return isinstance(node, Mapping) and bool(node) and set(node) <= {"references", "constant_value"}


def _expression_at(expressions: Any, path: Sequence[str | int]) -> Any:
    """The configuration expression that produced the value at `path`.

    A whole-attribute expression (`variables = {...}`) answers for every path
    below it; a block list without the exact index answers with all its items.
    """
    node = expressions
    for step in path:
        if _is_expression(node):
            return node
        if isinstance(node, Mapping) and isinstance(step, str):
            node = node.get(step)
        elif isinstance(node, list):
            if isinstance(step, int) and 0 <= step < len(node):
                node = node[step]
            else:
                return node
        else:
            return None
        if node is None:
            return None
    return node


def _prune(references: Iterable[str]) -> list[str]:
    """Drop `aws_x.y` when `aws_x.y[0]` is listed too: Terraform lists both for an indexed reference."""
    refs = [r for r in references if isinstance(r, str)]
    indexed = {m.group(1) for m in map(_INDEXED_REF.match, refs) if m}
    return [r for r in refs if r not in indexed]


def _expression_references(node: Any) -> list[str]:
    """Every reference string inside an expression tree, in order."""
    out: list[str] = []
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, Mapping):
            refs = item.get("references")
            if _is_expression(item) and isinstance(refs, list):
                out.extend(_prune(refs))
                continue
            stack.extend(reversed(list(item.values())))
        elif isinstance(item, list):
            stack.extend(reversed(item))
    return out


# `aws_sqs_queue.jobs.url`, `aws_iam_role.r["a"].arn`: a managed resource's attribute.
_ATTRIBUTE_REF = re.compile(r"^[a-z][a-z0-9]*_[a-z0-9_]+\.[^.\[]+(\[[^\]]*\])?\.[a-z_][a-z0-9_]*$")


def _unknown(references: Sequence[str], resolved: tuple[str, ...]) -> Symbolic:
    """An unknown value: it reads as the resource attributes it is made of, when the
    configuration names them (`${aws_sqs_queue.jobs.url}`), else `(known after apply)`,
    and carries them as `(resource, attribute)` pairs. Which attribute matters: a
    queue's URL where IAM wants its ARN is a classic bug."""
    named = [r for r in dict.fromkeys(references) if _ATTRIBUTE_REF.match(r)]
    text = ", ".join(f"${{{r}}}" for r in named) if named else UNKNOWN_TEXT
    attributes = tuple((address, attribute) for address, _, attribute in (r.rpartition(".") for r in named))
    return Symbolic(text, resolved, _UNKNOWN_REASON, attributes)


def _symbolic_references(value: Any) -> list[str]:
    """The resources every `Symbolic` inside a value mentions, in order."""
    out: list[str] = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, Symbolic):
            out.extend(item.references)
        elif isinstance(item, Mapping):
            stack.extend(reversed(list(item.values())))
        elif isinstance(item, list):
            stack.extend(reversed(item))
    return out


def _json_object(value: Any) -> Any:
    if not isinstance(value, str):
        return None
    try:
        return json.loads(value)
    except (ValueError, RecursionError):
        return None


# ---------------------------------------------------------------- locating addresses


class _Locator:
    """Line and column of each resource's `"address"` key, from one scan of the text.

    The same address appears in several plan parts; the one in
    `resource_changes` is preferred, where the planned change is.
    """

    def __init__(self, file: str, text: str) -> None:
        self.file = file
        self._text = text
        self._newlines = [m.start() for m in re.finditer("\n", text)]
        self._positions: dict[str, list[int]] = {}
        for match in _ADDRESS_KEY.finditer(text):
            raw = match.group(1)
            address = raw
            if "\\" in raw:
                try:
                    address = json.loads(f'"{raw}"')
                except ValueError:
                    continue
            self._positions.setdefault(address, []).append(match.start())
        changes = _RESOURCE_CHANGES_KEY.search(text)
        self._changes_at = changes.start() if changes else -1

    def locate_key(self, key: str, file: str, address: str) -> Location:
        """The first line that holds `key` after `"provider_config"` (plans without sources)."""
        lines = self._text.splitlines()
        start = next((i for i, line in enumerate(lines) if '"provider_config"' in line), 0)
        for number in range(start, len(lines)):
            column = lines[number].find(
                key, 0 if number != start else lines[number].find('"provider_config"')
            )
            if column >= 0:
                return Location(file, number + 1, column + 1, address=address)
        return Location(file, 1, 1, address=address)

    def locate(self, address: str) -> Location:
        positions = self._positions.get(address)
        if not positions:
            return Location(self.file, 0, 0, address=address)
        index = bisect.bisect_left(positions, self._changes_at)
        offset = positions[index] if 0 <= self._changes_at and index < len(positions) else positions[0]
        line = bisect.bisect_left(self._newlines, offset)
        start = self._newlines[line - 1] + 1 if line else 0
        return Location(self.file, line + 1, offset - start + 1, address=address)


# ---------------------------------------------------------------- instances


@dataclass(slots=True)
class _Instance:
    address: str
    module: str
    mode: str
    type: str
    name: str
    index: Any
    raw_values: Mapping[str, Any]
    unknown: Any
    config: Mapping[str, Any]
    actions: tuple[str, ...] = ()
    values: dict[str, Any] = field(default_factory=dict)
    location: Location | None = None
    references: tuple[str, ...] = ()

    @property
    def expressions(self) -> Mapping[str, Any]:
        return _map(self.config.get("expressions"))


def _module_resources(root: Any) -> Iterator[tuple[Mapping[str, Any], str]]:
    """(resource, module address) for a `planned_values`/`prior_state` module tree."""
    stack: list[tuple[Any, str]] = [(root, "")]
    while stack:
        module, address = stack.pop()
        module = _map(module)
        for resource in _list(module.get("resources")):
            if isinstance(resource, Mapping):
                yield resource, address
        children = _list(module.get("child_modules"))
        for child in reversed(children):
            if isinstance(child, Mapping):
                stack.append((child, _str(child.get("address")) or address))


class ConfigurationSources(Protocol):
    """What the plan loader asks of the `.tf` sources (see `boundary.load.terraform_hcl.ConfigSources`)."""

    @property
    def files(self) -> Mapping[str, tuple[str, ...]]: ...

    @property
    def notes(self) -> Sequence[str]: ...

    def locate(self, address: str, path: Sequence[str | int] = ()) -> Location | None: ...

    def block_lines(self, address: str, block_type: str) -> list[Location]: ...

    def document(self, address: str, path: Sequence[str | int], known: Callable[[str], list[str]]) -> Any: ...

    def providers(self) -> Iterator[tuple[str, dict[str, Any], Location]]: ...

    def written(self, addresses: Iterable[str]) -> dict[tuple[str | int, ...], Location]: ...


class _PlanLoader:
    def __init__(
        self,
        data: Mapping[str, Any],
        file: str,
        text: str,
        options: LoadOptions,
        sources: ConfigurationSources | None = None,
    ) -> None:
        self.data = data
        self.sources = sources
        self.account = options.account
        self.partition = options.partition
        self.file = file
        self.text = text
        self.locator = _Locator(file, text)
        self.configuration = _map(data.get("configuration"))
        self.region = self._provider_region("aws") or options.region
        self.instances: dict[str, _Instance] = {}
        self.by_base: dict[str, list[str]] = {}
        self.modules: set[str] = {""}
        self.module_configs: dict[tuple[str, ...], Mapping[str, Any]] = {}
        self.by_value: dict[str, set[str]] = {}
        self.resources: dict[str, Resource] = {}
        self.policies: list[Policy] = []
        self.relations: dict[tuple[str, str, RelationKind], Relation] = {}
        self.endpoints: list[Endpoint] = []
        self._documents: dict[str, PolicyDocument | None] = {}
        self._resolved: dict[tuple[str, str, Any], tuple[str, ...]] = {}
        self._resolving: set[tuple[str, str, Any]] = set()
        self._customer_attachments: dict[str, list[str]] = {}

    # ------------------------------------------------------------ top level

    def load(self) -> Template:
        self._index_configuration()
        self._collect_instances()
        for instance in self.instances.values():
            self._prepare(instance)
        for instance in self.instances.values():
            self._index_values(instance)
        for instance in self.instances.values():
            self.resources[instance.address] = self._resource(instance)
        self._policies()
        self._relations()
        self._endpoints()
        self._providers()
        variables = {str(k): _map(v).get("value") for k, v in _map(self.data.get("variables")).items()}
        sources = self.sources
        lines = tuple(self.text.splitlines())
        return Template(
            path=self.file,
            format=Format.TERRAFORM,
            resources=self.resources,
            policies=tuple(self.policies),
            relations=tuple(self.relations.values()),
            endpoints=tuple(self.endpoints),
            parameters=variables,
            region=self.region,
            account=self.account,
            partition=self.partition,
            source_lines=lines,
            sources=dict(sources.files) if sources is not None else {},
            written=sources.written(self.resources) if sources is not None else {},
            notes=tuple(sources.notes) if sources is not None else (),
            outputs=dict(_map(_map(self.data.get("planned_values")).get("outputs"))),
            locate=JsonLocator(self.file, lines),
        )

    def _providers(self) -> None:
        """Provider blocks that hold literal credentials become `provider.<name>` resources
        (their keys are judged like any other): from the `.tf` sources when given, else
        from the plan's `configuration.provider_config`."""
        found: list[tuple[str, dict[str, Any], Location]] = []
        if self.sources is not None:
            found = list(self.sources.providers())
        else:
            for key, provider in _map(self.configuration.get("provider_config")).items():
                expressions = _map(_map(provider).get("expressions"))
                literal = {
                    name: _map(expressions.get(name)).get("constant_value")
                    for name in ("access_key", "secret_key", "token")
                    if _str(_map(expressions.get(name)).get("constant_value"))
                }
                if literal:
                    address = f"provider.{key}"
                    location = self.locator.locate_key(f'"{key}"', self.file, address)
                    found.append((address, literal, location))
        for address, literal, location in found:
            if address in self.resources:
                continue
            self.resources[address] = Resource(
                id=address,
                type="provider",
                kind=ResourceKind.OTHER,
                location=location,
                properties=literal,
                metadata={"mode": "provider"},
            )

    def _provider_region(self, key: str) -> str | None:
        provider = _map(_map(self.configuration.get("provider_config")).get(key))
        region = _map(_map(provider.get("expressions")).get("region")).get("constant_value")
        return _str(region)

    # ------------------------------------------------------------ configuration

    def _index_configuration(self) -> None:
        stack: list[tuple[tuple[str, ...], Any]] = [((), self.configuration.get("root_module"))]
        while stack:
            path, module = stack.pop()
            module = _map(module)
            self.module_configs[path] = module
            if len(path) >= _MAX_DEPTH:
                continue
            for name, call in _map(module.get("module_calls")).items():
                stack.append(((*path, str(name)), _map(call).get("module")))

    def _resource_config(self, module: str, relative: str) -> Mapping[str, Any]:
        config = self.module_configs.get(_module_names(module), {})
        for resource in _list(config.get("resources")):
            if isinstance(resource, Mapping) and resource.get("address") == relative:
                return resource
        return {}

    # ------------------------------------------------------------ instances

    def _collect_instances(self) -> None:
        changes: dict[str, Mapping[str, Any]] = {}
        for change in _list(self.data.get("resource_changes")):
            if isinstance(change, Mapping) and _str(change.get("address")):
                changes[str(change["address"])] = change
        planned = _map(self.data.get("planned_values")).get("root_module")
        prior = _map(_map(self.data.get("prior_state")).get("values")).get("root_module")
        for resource, module in _module_resources(planned):
            self._add(resource, module, changes)
        for resource, module in _module_resources(prior):
            if resource.get("mode") == "data":
                self._add(resource, module, changes)
        for address, change in changes.items():
            if address not in self.instances:
                self._add(change, _str(change.get("module_address")) or "", changes)
        for address in self.instances:
            self.by_base.setdefault(_strip_key(address), []).append(address)

    def _add(self, entry: Mapping[str, Any], module: str, changes: Mapping[str, Mapping[str, Any]]) -> None:
        address, rtype, name = _str(entry.get("address")), _str(entry.get("type")), _str(entry.get("name"))
        if address is None or rtype is None or name is None or address in self.instances:
            return
        mode = "data" if entry.get("mode") == "data" else "managed"
        change = _map(_map(changes.get(address)).get("change"))
        actions = tuple(str(a) for a in _list(change.get("actions")))
        if isinstance(change.get("after"), Mapping):
            values, unknown = change["after"], change.get("after_unknown")
        elif actions == ("delete",):
            return  # gone after apply
        else:
            values, unknown = _map(entry.get("values")), None
        module = _str(_map(changes.get(address)).get("module_address")) or module
        relative = f"data.{rtype}.{name}" if mode == "data" else f"{rtype}.{name}"
        self.instances[address] = _Instance(
            address=address,
            module=module,
            mode=mode,
            type=rtype,
            name=name,
            index=entry.get("index"),
            raw_values=values,
            unknown=unknown,
            config=self._resource_config(module, relative),
            actions=actions,
        )
        self.modules.add(module)
        parent = module
        while parent:
            parent = _parent_module(parent)
            self.modules.add(parent)

    # ------------------------------------------------------------ references

    def resolve(self, reference: str, module: str, depth: int = 0, key: Any = _NO_KEY) -> list[str]:
        """Instance addresses a configuration reference means, seen from `module`.

        `key` is the `each.key`/`count.index` in force when the expression
        mentions it: Terraform then lists `aws_x.y` (or `module.m`) without the
        dynamic index, and the instance with that key is the one meant.

        Memoised, and a reference met again while it is being resolved (module
        inputs and outputs that refer to each other) adds nothing: the work is
        bounded by the distinct references, not by their fan-out to the power
        of the depth. Each resolution is charged to the file's work limit.
        """
        if depth > _MAX_DEPTH:
            return []
        try:
            memo_key = (reference, module, key)
            hash(memo_key)
        except TypeError:  # an odd index from a hand-written plan: resolve without the memo
            charge()
            return self._resolve_once(reference, module, depth, key)
        cached = self._resolved.get(memo_key)
        if cached is not None:
            return list(cached)
        if memo_key in self._resolving:
            return []
        charge()
        self._resolving.add(memo_key)
        try:
            found = list(dict.fromkeys(self._resolve_once(reference, module, depth, key)))
        finally:
            self._resolving.discard(memo_key)
        self._resolved[memo_key] = tuple(found)
        return found

    def _resolve_once(self, reference: str, module: str, depth: int, key: Any) -> list[str]:
        root = reference.split(".", 1)[0].split("[", 1)[0]
        prefix = f"{module}." if module else ""
        if root == "var":
            return self._resolve_variable(reference, module, depth)
        if root == "module":
            return self._resolve_output(reference, module, depth, key)
        if root in _NON_RESOURCE_ROOTS:
            return []
        match = _RESOURCE_REF.match(reference)
        if not match:
            return []
        base = prefix + match.group(1)
        if match.group(2):
            exact = base + match.group(2)
            return [exact] if exact in self.instances else []
        if base in self.instances:
            return [base]
        keyed = _with_key(base, key)
        if keyed is not None and keyed in self.instances:
            return [keyed]
        return list(self.by_base.get(base, ()))

    def _resolve_variable(self, reference: str, module: str, depth: int) -> list[str]:
        if not module:
            return []  # a root variable is an input, not a resource
        parts = reference.split(".")
        if len(parts) < 2:
            return []
        names = _module_names(module)
        call = _map(_map(self.module_configs.get(names[:-1], {}).get("module_calls")).get(names[-1]))
        expression = _map(call.get("expressions")).get(parts[1])
        parent = _parent_module(module)
        return self._resolve_iterated(
            _expression_references(expression),
            parent,
            _module_key(module),
            call.get("for_each_expression"),
            depth + 1,
        )

    def _resolve_output(self, reference: str, module: str, depth: int, key: Any = _NO_KEY) -> list[str]:
        match = _MODULE_REF.match(reference)
        if not match:
            return []
        prefix = f"{module}." if module else ""
        call_base = prefix + match.group(1)
        keyed = _with_key(call_base, key) if not match.group(2) else None
        if match.group(2):
            children = [call_base + match.group(2)] if call_base + match.group(2) in self.modules else []
        elif keyed is not None and keyed in self.modules:
            children = [keyed]
        else:
            children = [m for m in self.modules if m == call_base or _strip_key(m) == call_base]
        names = (*_module_names(module), match.group(1).split(".", 1)[1])
        outputs = _map(self.module_configs.get(names, {}).get("outputs"))
        # `module.m[each.key].x` is listed as a bare `module.m`: every output may be meant
        wanted = [match.group(3)] if match.group(3) else sorted(outputs)
        refs: list[str] = []
        for output in wanted:
            refs.extend(_expression_references(_map(outputs.get(output)).get("expression")))
        out: list[str] = []
        for child in sorted(children):
            for ref in refs:
                out.extend(self.resolve(ref, child, depth + 1))
        return out

    def _resolve_iterated(
        self, references: Sequence[str], module: str, key: Any, for_each: Any, depth: int
    ) -> list[str]:
        """References of one expression, with `each.key`/`count.index`/`each.value` applied.

        `each.value` is the element of the `for_each` collection with the
        instance's key; `aws_x.y[each.key]` is the instance of `aws_x.y` with it.
        """
        iterated = key is not _NO_KEY and any(r.split(".")[0] in ("each", "count") for r in references)
        in_force = key if iterated else _NO_KEY
        out: list[str] = []
        for ref in references:
            if ref.startswith("each.value"):
                if key is not _NO_KEY:
                    for source in _expression_references(for_each):
                        out.extend(self.resolve(source, module, depth, key))
                continue
            out.extend(self.resolve(ref, module, depth, in_force))
        return out

    def references_at(self, instance: _Instance, path: Sequence[str | int]) -> tuple[str, ...]:
        expression = _expression_at(instance.expressions, path)
        return self._resolve_all(_expression_references(expression), instance)

    def _resolve_all(self, references: Iterable[str], instance: _Instance) -> tuple[str, ...]:
        key = instance.index if instance.index is not None else _NO_KEY
        resolved = self._resolve_iterated(
            list(references), instance.module, key, instance.config.get("for_each_expression"), 0
        )
        return tuple(sorted({a for a in resolved if a != instance.address}))

    # ------------------------------------------------------------ values

    def _prepare(self, instance: _Instance) -> None:
        instance.values = self._mark(instance.raw_values, instance.unknown, instance, ())
        instance.location = (
            self.sources.locate(instance.address) if self.sources is not None else None
        ) or self.locator.locate(instance.address)
        config = instance.config
        refs = _expression_references(config.get("expressions"))
        for key in ("count_expression", "for_each_expression"):
            refs.extend(_expression_references(config.get(key)))
        instance.references = self._resolve_all(refs, instance)

    def _mark(self, value: Any, unknown: Any, instance: _Instance, path: tuple[str | int, ...]) -> Any:
        """Values with every path marked unknown replaced by a `Symbolic`; copies, never mutates."""
        if unknown is True:
            raw = _expression_references(_expression_at(instance.expressions, path))
            return _unknown(raw, self.references_at(instance, path))
        if isinstance(value, Mapping):
            marks = unknown if isinstance(unknown, Mapping) else {}
            out = {str(k): self._mark(v, marks.get(k), instance, (*path, str(k))) for k, v in value.items()}
            for key, sub in marks.items():
                if key not in out and _has_true(sub):
                    out[str(key)] = self._mark(None, sub, instance, (*path, str(key)))
            return out
        if isinstance(value, list) or (value is None and isinstance(unknown, list) and _has_true(unknown)):
            items = list(value) if isinstance(value, list) else []
            marks_list = unknown if isinstance(unknown, list) else []
            items.extend([None] * (len(marks_list) - len(items)))
            per_item = self._item_references(instance, path, marks_list)
            return [
                Symbolic(UNKNOWN_TEXT, per_item[i], _UNKNOWN_REASON)
                if i in per_item
                else self._mark(item, marks_list[i] if i < len(marks_list) else None, instance, (*path, i))
                for i, item in enumerate(items)
            ]
        if value is None and isinstance(unknown, Mapping) and _has_true(unknown):
            return self._mark({}, unknown, instance, path)
        return value

    def _item_references(
        self, instance: _Instance, path: tuple[str | int, ...], marks: list[Any]
    ) -> dict[int, tuple[str, ...]]:
        """Unknown list items paired with the resources of one list expression, in order.

        `[a.arn, b.arn]` is one expression whose references come in source
        order; when there are exactly as many referenced resources as unknown
        items, item k is the k-th resource (otherwise each item names them all).
        """
        unknown = [i for i, mark in enumerate(marks) if mark is True]
        leaf = _expression_at(instance.expressions, path) if len(unknown) > 1 else None
        if not _is_expression(leaf):
            return {}
        bases: list[str] = []
        for ref in _expression_references(leaf):
            match = _RESOURCE_REF.match(ref)
            if match is None or ref.split(".", 1)[0] in _NON_RESOURCE_ROOTS:
                return {}
            base = match.group(1) + (match.group(2) or "")
            if base not in bases:
                bases.append(base)
        if len(bases) != len(unknown):
            return {}
        return {i: self._resolve_all([base], instance) for i, base in zip(unknown, bases, strict=True)}

    def _name(self, instance: _Instance) -> str | Symbolic | None:
        name = instance.values.get(name_attribute(instance.type))
        return name if isinstance(name, (str, Symbolic)) and name != "" else None

    def _arns(self, instance: _Instance) -> tuple[str, ...]:
        if instance.mode == "data" and instance.type == "aws_iam_policy_document":
            return ()
        region = self._provider_region(str(instance.config.get("provider_config_key", ""))) or self.region
        return arns_for(
            instance.type,
            instance.values,
            name=self._name(instance),
            partition=self.partition,
            region=region,
            account=self.account,
        )

    def _index_values(self, instance: _Instance) -> None:
        """Known identifying values -> address, to resolve `role = "arn:..."` without references."""
        keys = (
            "arn",
            "id",
            "name",
            "function_name",
            "bucket",
            "url",
            "invoke_arn",
            "execution_arn",
            "qualified_arn",
        )
        values = [instance.values.get(k) for k in keys]
        if instance.type == "aws_api_gateway_rest_api":
            values.append(instance.values.get("root_resource_id"))
        for value in (*values, *self._arns(instance)):
            if isinstance(value, str) and value:
                self.by_value.setdefault(value, set()).add(instance.address)

    def _resource(self, instance: _Instance) -> Resource:
        metadata: dict[str, Any] = {"mode": instance.mode}
        if instance.module:
            metadata["module"] = instance.module
        if instance.index is not None:
            metadata["index"] = instance.index
        if instance.actions:
            metadata["actions"] = list(instance.actions)
        return Resource(
            id=instance.address,
            type=instance.type,
            aws_type=canonical_type(instance.type),
            kind=kind_of(instance.type),
            location=self._loc(instance),
            properties=instance.values,
            arns=self._arns(instance),
            name=self._name(instance),
            metadata=metadata,
            references=instance.references,
        )

    def _loc(self, instance: _Instance, path: Sequence[str | int] = ()) -> Location:
        """Where a resource is written, or the attribute at `path` in it (with sources)."""
        if path and self.sources is not None:
            found = self.sources.locate(instance.address, path)
            if found is not None:
                return found
        return instance.location or Location(self.file, address=instance.address)

    # ------------------------------------------------------------ finding targets

    def _of_type(self, addresses: Iterable[str], types: Iterable[str] | None) -> list[str]:
        wanted = None if types is None else set(types)
        return sorted(
            {
                a
                for a in addresses
                if a in self.instances and (wanted is None or self.instances[a].type in wanted)
            }
        )

    def _match_value(self, value: str, types: Iterable[str] | None) -> list[str]:
        candidates = set(self.by_value.get(value, ()))
        function = _FUNCTION_IN_URI.search(value) if not candidates else None
        if function:
            arn = function.group(1)
            candidates |= self.by_value.get(arn, set())
            if not candidates and arn.count(":") > 6:  # a qualified ARN: function:name:alias
                candidates |= self.by_value.get(arn.rsplit(":", 1)[0], set())
        return self._of_type(candidates, types)

    def targets(
        self, instance: _Instance, path: Sequence[str | int], types: Iterable[str] | None = None
    ) -> list[str]:
        """The resources an attribute designates: by its known value, else by its references."""
        types = None if types is None else tuple(types)
        value = _get(instance.values, path)
        found: list[str] = []
        items = value if isinstance(value, list) else [value]
        for item in items:
            if isinstance(item, str) and item:
                found.extend(self._match_value(item, types))
            elif isinstance(item, Symbolic):
                found.extend(self._of_type(item.references, types))
        if not found:
            found = self._of_type(self.references_at(instance, path), types)
        return sorted(set(found))

    def of_type(self, *types: str) -> Iterator[_Instance]:
        wanted = set(types)
        return (i for i in self.instances.values() if i.type in wanted)

    # ------------------------------------------------------------ policy documents

    def document(self, instance: _Instance, path: Sequence[str | int]) -> PolicyDocument | None:
        """The policy at `path`: parsed when known, else the policy document data source it refers to."""
        value = _get(instance.values, path)
        location = self._loc(instance, path)
        if isinstance(value, str):
            parsed = _json_object(value)
            return normalize_policy(parsed if isinstance(parsed, Mapping) else value, location)
        if isinstance(value, Mapping):
            return normalize_policy(value, location)
        refs = value.references if isinstance(value, Symbolic) else self.references_at(instance, path)
        found = self._policy_data_source(refs)
        if found is not None or self.sources is None:
            return found
        # unknown in the plan: rebuilt from the configuration, unknown parts kept symbolic
        rebuilt = self.sources.document(instance.address, path, self._addresses)
        if isinstance(rebuilt, Mapping):
            return normalize_policy(rebuilt, location)
        if isinstance(rebuilt, Symbolic):
            return self._policy_data_source(rebuilt.references)
        return None

    def _policy_data_source(self, refs: Iterable[str]) -> PolicyDocument | None:
        for address in refs:
            source = self.instances.get(address)
            if source is not None and source.type == "aws_iam_policy_document":
                return self.data_document(source)
        return None

    def _addresses(self, reference: str) -> list[str]:
        """The instances an absolute configuration address means (`aws_x.y` -> its instances)."""
        if reference in self.instances:
            return [reference]
        return list(self.by_base.get(reference, ()))

    def data_document(self, source: _Instance) -> PolicyDocument | None:
        if source.address in self._documents:
            return self._documents[source.address]
        self._documents[source.address] = None  # a cycle reads as unknown
        location = self._loc(source)
        where = self.sources.block_lines(source.address, "statement") if self.sources is not None else []
        parsed = _json_object(source.values.get("json"))
        if isinstance(parsed, Mapping):
            document: PolicyDocument | None = normalize_policy(parsed, location, where)
        else:
            # `json` is unknown when any input is: render it the way the provider will,
            # source documents first, then this one's statements, then the overrides.
            merged: list[Any] = []
            for raw_source in self._merged_documents(source, "source_policy_documents"):
                _merge_statements(merged, raw_source)
            own = [
                self._known_principals(_statement_from_block(b))
                for b in _list(source.values.get("statement"))
            ]
            _merge_statements(merged, [s for s in own if s])
            for raw_override in self._merged_documents(source, "override_policy_documents"):
                _merge_statements(merged, raw_override)
            raw: dict[str, Any] = {"Version": _str(source.values.get("version")) or "2012-10-17"}
            raw["Statement"] = merged
            plain = not _list(source.values.get("source_policy_documents")) and not _list(
                source.values.get("override_policy_documents")
            )
            document = normalize_policy(raw, location, where if plain else ())
        self._documents[source.address] = document
        return document

    def _merged_documents(self, source: _Instance, attribute: str) -> Iterator[list[Any]]:
        """The statements of each document listed in `source_policy_documents`/`override_policy_documents`."""
        for index, item in enumerate(_list(source.values.get(attribute))):
            parsed = _json_object(item)
            if isinstance(parsed, Mapping):
                statements = parsed.get("Statement")
                yield _list(statements) if isinstance(statements, list) else [statements]
                continue
            refs = (
                item.references
                if isinstance(item, Symbolic)
                else self.references_at(source, (attribute, index))
            )
            for address in refs:
                other = self.instances.get(address)
                document = (
                    self.data_document(other) if other and other.type == "aws_iam_policy_document" else None
                )
                if document is not None and isinstance(document.raw, Mapping):
                    statements = document.raw.get("Statement")
                    yield _list(statements) if isinstance(statements, list) else [statements]

    def _known_principals(self, statement: dict[str, Any]) -> dict[str, Any]:
        """Unknown principals that name one IAM identity or identity provider whose ARN is
        known offline (`aws_iam_openid_connect_provider.github.arn`) become that ARN, so a
        federated trust still says which provider it trusts."""
        principals = statement.get("Principal")
        if not isinstance(principals, Mapping):
            return statement
        resolved: dict[str, Any] = {}
        for kind, values in principals.items():
            items = values if isinstance(values, list) else [values]
            resolved[kind] = [self._identity_arn(v) if isinstance(v, Symbolic) else v for v in items]
        return {**statement, "Principal": resolved}

    def _identity_arn(self, value: Symbolic) -> str | Symbolic:
        if len(value.references) != 1:
            return value
        instance = self.instances.get(value.references[0])
        if instance is None or instance.type not in _IDENTITY_TYPES:
            return value
        arns = self._arns(instance)
        return arns[0] if arns else value

    # ------------------------------------------------------------ policies

    def _policy(
        self,
        instance: _Instance,
        kind: PolicyKind,
        document: PolicyDocument | None,
        attached_to: Iterable[str],
        *,
        policy_id: str | None = None,
        name: Any = None,
        managed_arn: str | None = None,
        outside: Iterable[OutsidePrincipal] = (),
    ) -> None:
        self.policies.append(
            Policy(
                id=policy_id or instance.address,
                kind=kind,
                document=document,
                attached_to=tuple(dict.fromkeys(attached_to)),
                location=self._loc(instance),
                name=name if isinstance(name, str) else None,
                managed_arn=managed_arn,
                outside_principals=tuple({(p.kind, p.name): p for p in outside}.values()),
            )
        )

    def _outside(self, instance: _Instance, key: str, kind: ResourceKind) -> list[OutsidePrincipal]:
        """The roles, users or groups an attribute names by a literal name or ARN that the plan
        does not declare (`role = "existing-role"`)."""
        value = instance.values.get(key)
        items = value if isinstance(value, list) else [value]
        found = []
        for item in items:
            if not isinstance(item, str) or not item or self._match_value(item, None):
                continue
            found.append(OutsidePrincipal(kind, item, self._loc(instance)))
        return found

    def _policies(self) -> None:
        principal_types = {
            "role": ("aws_iam_role",),
            "user": ("aws_iam_user",),
            "group": ("aws_iam_group",),
        }
        customer = self._customer_attachments
        managed: dict[str, tuple[list[str], _Instance]] = {}
        outside: dict[str, list[OutsidePrincipal]] = {}  # policy address or managed ARN -> principals

        def attach(instance: _Instance, principals: list[str], others: list[OutsidePrincipal]) -> None:
            if not principals and not others:
                return
            policies = self.targets(instance, ("policy_arn",), ("aws_iam_policy",))
            for policy in policies:
                customer.setdefault(policy, []).extend(principals)
                outside.setdefault(policy, []).extend(others)
            arn = instance.values.get("policy_arn")
            if not policies and isinstance(arn, str) and arn.startswith("arn:"):
                managed.setdefault(arn, ([], instance))[0].extend(principals)
                outside.setdefault(arn, []).extend(others)

        for instance in self.instances.values():
            t, values = instance.type, instance.values
            if t == "aws_iam_role":
                self._role_policies(instance, managed)
            elif t in ("aws_iam_role_policy", "aws_iam_user_policy", "aws_iam_group_policy"):
                owner = t.split("_")[2]
                targets = self.targets(instance, (owner,), principal_types[owner])
                self._policy(
                    instance,
                    PolicyKind.IDENTITY,
                    self.document(instance, ("policy",)),
                    targets,
                    name=values.get("name"),
                    outside=() if targets else self._outside(instance, owner, _PRINCIPAL_KINDS[owner]),
                )
            elif t in (
                "aws_iam_role_policy_attachment",
                "aws_iam_user_policy_attachment",
                "aws_iam_group_policy_attachment",
            ):
                owner = t.split("_")[2]
                targets = self.targets(instance, (owner,), principal_types[owner])
                others = [] if targets else self._outside(instance, owner, _PRINCIPAL_KINDS[owner])
                attach(instance, targets, others)
            elif t == "aws_iam_policy_attachment":
                principals = []
                others = []
                for owner, key in (("role", "roles"), ("user", "users"), ("group", "groups")):
                    principals.extend(self.targets(instance, (key,), principal_types[owner]))
                    others.extend(self._outside(instance, key, _PRINCIPAL_KINDS[owner]))
                attach(instance, principals, others)
            elif t == "aws_lambda_permission":
                self._lambda_permission(instance)
            elif t in _RESOURCE_POLICY_TYPES:
                target_attr, target_types = _RESOURCE_POLICY_TYPES[t]
                targets = self.targets(instance, (target_attr,), target_types)
                self._policy(instance, PolicyKind.RESOURCE, self.document(instance, ("policy",)), targets)
            elif t in _INLINE_RESOURCE_POLICY and _sets_policy(instance):
                self._policy(
                    instance,
                    PolicyKind.RESOURCE,
                    self.document(instance, ("policy",)),
                    [instance.address],
                    policy_id=f"{instance.address}/policy",
                )

        for instance in self.of_type("aws_iam_policy"):
            arn = instance.values.get("arn")
            name = instance.values.get("name")
            if instance.mode == "data" and not isinstance(arn, str) and isinstance(name, str):
                # `data "aws_iam_policy" { name = "AWSLambdaBasicExecutionRole" }` reads an
                # AWS managed policy by name: known offline when the catalog has it
                found = managed_policy(name, self.partition)
                arn = found.arn if found is not None else arn
            self._policy(
                instance,
                PolicyKind.IDENTITY,
                self.document(instance, ("policy",)),
                sorted(set(customer.get(instance.address, ()))),
                name=instance.values.get("name"),
                managed_arn=arn if isinstance(arn, str) else None,
                outside=outside.get(instance.address, ()),
            )
        for arn in sorted(managed):
            principals, first = managed[arn]
            self._policy(
                first,
                PolicyKind.IDENTITY,
                None,
                sorted(set(principals)),
                policy_id=arn,
                name=arn.rsplit("/", 1)[-1],
                managed_arn=arn,
                outside=outside.get(arn, ()),
            )

    def _role_policies(self, role: _Instance, managed: dict[str, tuple[list[str], _Instance]]) -> None:
        values = role.values
        if "assume_role_policy" in values:
            self._policy(
                role,
                PolicyKind.TRUST,
                self.document(role, ("assume_role_policy",)),
                [role.address],
                policy_id=f"{role.address}/assume_role_policy",
                name="assume_role_policy",
            )
        for index, block in enumerate(_list(values.get("inline_policy"))):
            if not isinstance(block, Mapping) or block.get("policy") in (None, ""):
                continue
            name = block.get("name")
            label = name if isinstance(name, str) and name else f"inline_policy[{index}]"
            self._policy(
                role,
                PolicyKind.IDENTITY,
                self.document(role, ("inline_policy", index, "policy")),
                [role.address],
                policy_id=f"{role.address}/{label}",
                name=label,
            )
        arns = values.get("managed_policy_arns")
        for arn in arns if isinstance(arns, list) else []:
            if not isinstance(arn, str):
                continue
            customer = self._match_value(arn, ("aws_iam_policy",))
            if not customer:
                managed.setdefault(arn, ([], role))[0].append(role.address)
        # customer policies named by reference in managed_policy_arns attach like attachments do
        for policy in self.targets(role, ("managed_policy_arns",), ("aws_iam_policy",)):
            self._customer_attachments.setdefault(policy, []).append(role.address)

    def _lambda_permission(self, instance: _Instance) -> None:
        values = instance.values
        functions = self.targets(instance, ("function_name",), ("aws_lambda_function", "aws_lambda_alias"))
        resources: list[str | Symbolic] = []
        for address in functions:
            arns = self.resources[address].arns if address in self.resources else ()
            resources.append(arns[0] if arns else Symbolic(UNKNOWN_TEXT, (address,), _UNKNOWN_REASON))
        if not resources:
            name = values.get("function_name")
            if isinstance(name, (str, Symbolic)):
                resources.append(name)
        statement: dict[str, Any] = {
            "Effect": "Allow",
            "Action": values.get("action") or "lambda:InvokeFunction",
        }
        sid = values.get("statement_id")
        if isinstance(sid, str) and sid:
            statement["Sid"] = sid
        statement["Principal"] = _principal(values.get("principal"))
        statement["Resource"] = resources[0] if len(resources) == 1 else resources
        conditions: dict[str, dict[str, Any]] = {}
        for key, operator, condition_key in (
            ("source_arn", "ArnLike", "AWS:SourceArn"),
            ("source_account", "StringEquals", "AWS:SourceAccount"),
            ("principal_org_id", "StringEquals", "aws:PrincipalOrgID"),
            ("function_url_auth_type", "StringEquals", "lambda:FunctionUrlAuthType"),
            ("event_source_token", "StringEquals", "lambda:EventSourceToken"),
        ):
            value = values.get(key)
            if isinstance(value, (str, Symbolic)) and value != "":
                conditions.setdefault(operator, {})[condition_key] = value
        if conditions:
            statement["Condition"] = conditions
        raw = {"Version": "2012-10-17", "Statement": [statement]}
        document = normalize_policy(raw, self._loc(instance))
        self.policies.append(
            Policy(
                id=instance.address,
                kind=PolicyKind.RESOURCE,
                document=document,
                attached_to=tuple(functions),
                location=self._loc(instance),
                name=sid if isinstance(sid, str) else None,
            )
        )

    # ------------------------------------------------------------ relations

    def relate(
        self, source: str, target: str, kind: RelationKind, via: _Instance, /, **attributes: Any
    ) -> None:
        if source == target or (source, target, kind) in self.relations:
            return
        self.relations[(source, target, kind)] = Relation(source, target, kind, self._loc(via), attributes)

    def _relations(self) -> None:
        for instance in list(self.instances.values()):
            handler = _RELATION_HANDLERS.get(instance.type)
            if handler is not None:
                handler(self, instance)
            if kind_of(instance.type) is ResourceKind.COMPUTE:
                self._compute_references(instance)

    def _compute_references(self, instance: _Instance) -> None:
        skip = {"role", "role_arn"}
        invoked = set()
        if instance.type == "aws_sfn_state_machine":
            invoked = set(self.targets(instance, ("definition",), _INVOCABLE))
            for target in sorted(invoked):
                self.relate(instance.address, target, RelationKind.INVOKES, instance, attribute="definition")
        for attribute, expression in instance.expressions.items():
            if attribute in skip:
                continue
            for target in self._resolve_all(_expression_references(expression), instance):
                if target not in invoked and kind_of(self.instances[target].type) is not ResourceKind.POLICY:
                    self.relate(
                        instance.address, target, RelationKind.REFERENCES, instance, attribute=attribute
                    )
        if self.sources is not None:
            # values read from the sources name what they refer to, across module boundaries too
            for attribute, value in instance.values.items():
                if attribute in skip:
                    continue
                for target in _symbolic_references(value):
                    if (
                        target in self.instances
                        and target != instance.address
                        and target not in invoked
                        and kind_of(self.instances[target].type) is not ResourceKind.POLICY
                    ):
                        self.relate(
                            instance.address, target, RelationKind.REFERENCES, instance, attribute=attribute
                        )
        variables = _get(instance.values, ("environment", 0, "variables"))
        for key, value in _map(variables).items():
            if isinstance(value, str) and value:
                for target in self._match_value(value, None):
                    if target != instance.address and kind_of(self.instances[target].type) in _NAMED_IN_ENV:
                        self.relate(
                            instance.address,
                            target,
                            RelationKind.REFERENCES,
                            instance,
                            attribute="environment",
                            variable=key,
                        )

    def executes_as(self, instance: _Instance, attribute: str) -> None:
        roles = self.targets(instance, (attribute,), ("aws_iam_role",))
        for role in roles:
            self.relate(instance.address, role, RelationKind.EXECUTES_AS, instance, attribute=attribute)
        value = instance.values.get(attribute)
        if not roles and isinstance(value, str) and value.startswith("arn:") and ":role/" in value:
            # A role outside the plan, named by ARN: the graph gives it an external node (or
            # the node of the outside role the plan attaches policies to by that name).
            self.relate(
                instance.address,
                value,
                RelationKind.EXECUTES_AS,
                instance,
                attribute=attribute,
                external=True,
            )

    # ------------------------------------------------------------ endpoints

    def _endpoints(self) -> None:
        integrations = self._rest_integrations()
        for method in self.of_type("aws_api_gateway_method"):
            self._rest_method(method, integrations)
        for route in self.of_type("aws_apigatewayv2_route"):
            self._http_route(route)
        for url in self.of_type("aws_lambda_function_url"):
            functions = self.targets(url, ("function_name",), ("aws_lambda_function", "aws_lambda_alias"))
            auth = url.values.get("authorization_type")
            self.endpoints.append(
                Endpoint(
                    id=url.address,
                    protocol=EndpointProtocol.FUNCTION_URL,
                    api=None,
                    method="ANY",
                    path="/",
                    authorization=auth if isinstance(auth, (str, Symbolic)) else "NONE",
                    resource=url.address,
                    location=self._loc(url),
                    integrations=tuple(functions),
                )
            )
            for function in functions:
                self.relate(url.address, function, RelationKind.INVOKES, url)
        for api in self.of_type("aws_api_gateway_rest_api", "aws_apigatewayv2_api"):
            self._openapi(api)
            if api.type == "aws_apigatewayv2_api":
                self._quick_create(api)
        for api in self.of_type("aws_appsync_graphql_api"):
            self._graphql(api)

    def _rest_path(self, resource: str, depth: int = 0) -> str | None:
        instance = self.instances.get(resource)
        if instance is None or depth > 64:
            return None
        if instance.type == "aws_api_gateway_rest_api":
            return "/"
        known = instance.values.get("path")
        if isinstance(known, str) and known.startswith("/"):
            return known
        part = instance.values.get("path_part")
        parents = self.targets(instance, ("parent_id",), _REST_PARENTS)
        if not isinstance(part, str) or len(parents) != 1:
            return None
        parent = self._rest_path(parents[0], depth + 1)
        return None if parent is None else parent.rstrip("/") + "/" + part

    def _rest_key(self, instance: _Instance) -> tuple[str, str, str] | None:
        apis = self.targets(instance, ("rest_api_id",), ("aws_api_gateway_rest_api",))
        where = self.targets(instance, ("resource_id",), _REST_PARENTS)
        method = instance.values.get("http_method")
        if len(apis) != 1 or len(where) != 1 or not isinstance(method, str):
            return None
        return apis[0], where[0], method.upper()

    def _rest_integrations(self) -> dict[str, list[str]]:
        """Method address -> what its integrations invoke."""
        by_key = {}
        for candidate in self.of_type("aws_api_gateway_method"):
            key = self._rest_key(candidate)
            if key is not None:
                by_key[key] = candidate.address
        out: dict[str, list[str]] = {}
        for integration in self.of_type("aws_api_gateway_integration"):
            methods = self.targets(integration, ("http_method",), ("aws_api_gateway_method",))
            if not methods:
                key = self._rest_key(integration)
                methods = [by_key[key]] if key in by_key else []
            targets = self.targets(integration, ("uri",), _INVOCABLE)
            for method in methods:
                out.setdefault(method, []).extend(targets)
                for target in targets:
                    self.relate(
                        method, target, RelationKind.INVOKES, integration, integration=integration.address
                    )
        return out

    def _rest_method(self, method: _Instance, integrations: Mapping[str, list[str]]) -> None:
        values = method.values
        apis = self.targets(method, ("rest_api_id",), ("aws_api_gateway_rest_api",))
        resources = self.targets(method, ("resource_id",), _REST_PARENTS)
        path = self._rest_path(resources[0]) if len(resources) == 1 else None
        authorizers = self.targets(method, ("authorizer_id",), ("aws_api_gateway_authorizer",))
        auth = values.get("authorization")
        http_method = values.get("http_method")
        self.endpoints.append(
            Endpoint(
                id=method.address,
                protocol=EndpointProtocol.REST,
                api=apis[0] if apis else None,
                method=http_method.upper() if isinstance(http_method, str) else UNKNOWN_TEXT,
                path=path or UNKNOWN_TEXT,
                authorization=auth.upper()
                if isinstance(auth, str)
                else auth
                if isinstance(auth, Symbolic)
                else "NONE",
                resource=method.address,
                location=self._loc(method),
                api_key_required=values.get("api_key_required") is True,
                authorizer=authorizers[0] if authorizers else None,
                integrations=tuple(sorted(set(integrations.get(method.address, ())))),
            )
        )
        if apis:
            self.relate(apis[0], method.address, RelationKind.ROUTES, method)

    def _http_route(self, route: _Instance) -> None:
        values = route.values
        apis = self.targets(route, ("api_id",), ("aws_apigatewayv2_api",))
        protocol = EndpointProtocol.HTTP
        if apis and self.instances[apis[0]].values.get("protocol_type") == "WEBSOCKET":
            protocol = EndpointProtocol.WEBSOCKET
        key = values.get("route_key")
        method, path = "ANY", UNKNOWN_TEXT
        if isinstance(key, str):
            method, _, rest = key.partition(" ")
            method, path = (method.upper(), rest) if rest else ("ANY", key)
        integrations = self.targets(route, ("target",), ("aws_apigatewayv2_integration",))
        invoked: list[str] = []
        for integration in integrations:
            invoked.extend(self.targets(self.instances[integration], ("integration_uri",), _INVOCABLE))
        for target in invoked:
            self.relate(route.address, target, RelationKind.INVOKES, route)
        authorizers = self.targets(route, ("authorizer_id",), ("aws_apigatewayv2_authorizer",))
        auth = values.get("authorization_type")
        self.endpoints.append(
            Endpoint(
                id=route.address,
                protocol=protocol,
                api=apis[0] if apis else None,
                method=method,
                path=path,
                authorization=auth.upper()
                if isinstance(auth, str)
                else auth
                if isinstance(auth, Symbolic)
                else "NONE",
                resource=route.address,
                location=self._loc(route),
                api_key_required=values.get("api_key_required") is True,
                authorizer=authorizers[0] if authorizers else None,
                integrations=tuple(sorted(set(invoked))),
            )
        )
        if apis:
            self.relate(apis[0], route.address, RelationKind.ROUTES, route)

    def _quick_create(self, api: _Instance) -> None:
        """`target` on an HTTP API creates a `$default` route with no authorizer."""
        if api.values.get("target") in (None, ""):
            return
        functions = self.targets(api, ("target",), _INVOCABLE)
        self.endpoints.append(
            Endpoint(
                id=f"{api.address}#$default",
                protocol=EndpointProtocol.HTTP,
                api=api.address,
                method="ANY",
                path="$default",
                authorization="NONE",
                resource=api.address,
                location=self._loc(api),
                integrations=tuple(functions),
            )
        )
        for function in functions:
            self.relate(api.address, function, RelationKind.INVOKES, api)

    def _openapi(self, api: _Instance) -> None:
        body = api.values.get("body")
        if not isinstance(body, str) or not body.strip():
            return
        document = _json_object(body)
        if document is None:
            try:
                document = yaml.safe_load(body)
            except (yaml.YAMLError, RecursionError, ValueError):
                return
        if not isinstance(document, Mapping):
            return
        http = api.type == "aws_apigatewayv2_api"
        protocol = EndpointProtocol.HTTP if http else EndpointProtocol.REST
        if http and api.values.get("protocol_type") == "WEBSOCKET":
            protocol = EndpointProtocol.WEBSOCKET
        schemes = dict(_map(document.get("securityDefinitions")))
        schemes.update(_map(_map(document.get("components")).get("securitySchemes")))
        top_security = document.get("security")
        for path, operations in _map(document.get("paths")).items():
            for verb, operation in _map(operations).items():
                if verb not in _HTTP_METHODS or not isinstance(operation, Mapping):
                    continue
                method = "ANY" if verb == "x-amazon-apigateway-any-method" else verb.upper()
                security = operation.get("security", top_security)
                authorization, api_key = _openapi_authorization(security, schemes)
                integration = _map(operation.get("x-amazon-apigateway-integration"))
                uri = integration.get("uri")
                targets = self._match_value(uri, _INVOCABLE) if isinstance(uri, str) else []
                endpoint_id = f"{api.address}#{method} {path}"
                self.endpoints.append(
                    Endpoint(
                        id=endpoint_id,
                        protocol=protocol,
                        api=api.address,
                        method=method,
                        path=str(path),
                        authorization=authorization,
                        resource=api.address,
                        location=self._loc(api),
                        api_key_required=api_key,
                        integrations=tuple(targets),
                    )
                )
                for target in targets:
                    self.relate(api.address, target, RelationKind.INVOKES, api, path=str(path), method=method)

    def _graphql(self, api: _Instance) -> None:
        """One endpoint per authorization mode, the default one and each additional
        provider: a caller may use any of them. Modes are spelled as AppSync does
        (`API_KEY`, `AWS_IAM`, ...), as the CloudFormation loader spells them."""
        sources = [
            d.address
            for d in self.of_type("aws_appsync_datasource")
            if api.address in self.targets(d, ("api_id",), ("aws_appsync_graphql_api",))
        ]
        modes: list[Any] = [api.values.get("authentication_type")]
        for block in _list(api.values.get("additional_authentication_provider")):
            if isinstance(block, Mapping):
                modes.append(block.get("authentication_type"))
        for index, mode in enumerate(modes):
            authorization: str | Symbolic = (
                mode.upper()
                if isinstance(mode, str) and mode
                else mode
                if isinstance(mode, Symbolic)
                else "NONE"
            )
            if index and authorization == modes[0]:
                continue
            self.endpoints.append(
                Endpoint(
                    id=api.address if index == 0 else f"{api.address} {authorization}",
                    protocol=EndpointProtocol.GRAPHQL,
                    api=api.address,
                    method="POST",
                    path="/graphql",
                    authorization=authorization,
                    resource=api.address,
                    location=self._loc(api),
                    api_key_required=authorization == "API_KEY",
                    integrations=tuple(sorted(sources)),
                )
            )


# ---------------------------------------------------------------- tables and pure helpers

_INVOCABLE = (
    "aws_lambda_function",
    "aws_lambda_alias",
    "aws_sfn_state_machine",
    "aws_sqs_queue",
    "aws_sns_topic",
    "aws_kinesis_stream",
    "aws_dynamodb_table",
    "aws_cloudwatch_event_bus",
    "aws_api_gateway_rest_api",
    "aws_apigatewayv2_api",
    "aws_s3_bucket",
)
_IDENTITY_TYPES = frozenset(
    {"aws_iam_openid_connect_provider", "aws_iam_saml_provider", "aws_iam_role", "aws_iam_user"}
)
_NAMED_IN_ENV = (ResourceKind.DATA, ResourceKind.COMPUTE)
_REST_PARENTS = ("aws_api_gateway_resource", "aws_api_gateway_rest_api")
_DATA_SOURCES = (
    "aws_sqs_queue",
    "aws_kinesis_stream",
    "aws_dynamodb_table",
    "aws_msk_cluster",
    "aws_mq_broker",
    "aws_docdb_cluster",
)

# type -> (attribute naming the protected resource, its possible types)
_RESOURCE_POLICY_TYPES: Mapping[str, tuple[str, tuple[str, ...]]] = {
    "aws_s3_bucket_policy": ("bucket", ("aws_s3_bucket",)),
    "aws_sns_topic_policy": ("arn", ("aws_sns_topic",)),
    "aws_sqs_queue_policy": ("queue_url", ("aws_sqs_queue",)),
    "aws_secretsmanager_secret_policy": ("secret_arn", ("aws_secretsmanager_secret",)),
    "aws_api_gateway_rest_api_policy": ("rest_api_id", ("aws_api_gateway_rest_api",)),
    "aws_ecr_repository_policy": ("repository", ("aws_ecr_repository",)),
}
# types whose own `policy` attribute is a resource policy
_INLINE_RESOURCE_POLICY = frozenset(
    {
        "aws_s3_bucket",
        "aws_sns_topic",
        "aws_sqs_queue",
        "aws_kms_key",
        "aws_api_gateway_rest_api",
        "aws_ecr_repository",
    }
)


_PRINCIPAL_KINDS = {"role": ResourceKind.ROLE, "user": ResourceKind.USER, "group": ResourceKind.GROUP}


def _sets_policy(instance: _Instance) -> bool:
    """A `policy` the configuration sets (a computed, unknown one is not a policy)."""
    value = instance.values.get("policy")
    return (isinstance(value, str) and value != "") or "policy" in instance.expressions


def _principal(value: Any) -> Any:
    if isinstance(value, Symbolic):
        return {"AWS": value}
    if not isinstance(value, str) or value == "*":
        return "*"
    if value.endswith((".amazonaws.com", ".amazonaws.com.cn")):
        return {"Service": value}
    return {"AWS": value}


def _values_of(block: Mapping[str, Any], key: str) -> Any:
    value = block.get(key)
    if isinstance(value, Symbolic):
        return value
    if isinstance(value, list) and value:
        return value
    if isinstance(value, str) and value:
        return value
    return None


def _statement_from_block(block: Any) -> dict[str, Any]:
    """A `statement` block of `aws_iam_policy_document`, as the JSON statement it renders."""
    if not isinstance(block, Mapping):
        return {}
    statement: dict[str, Any] = {}
    sid = block.get("sid")
    if isinstance(sid, (str, Symbolic)) and sid != "":
        statement["Sid"] = sid
    effect = block.get("effect")
    statement["Effect"] = effect if isinstance(effect, (str, Symbolic)) and effect != "" else "Allow"
    for source, target in (
        ("actions", "Action"),
        ("not_actions", "NotAction"),
        ("resources", "Resource"),
        ("not_resources", "NotResource"),
    ):
        value = _values_of(block, source)
        if value is not None:
            statement[target] = value
    for source, target in (("principals", "Principal"), ("not_principals", "NotPrincipal")):
        principals = _block_principals(block.get(source))
        if principals is not None:
            statement[target] = principals
    conditions: dict[str, dict[str, Any]] = {}
    for condition in _list(block.get("condition")):
        if not isinstance(condition, Mapping):
            continue
        test, variable = condition.get("test"), condition.get("variable")
        if isinstance(test, str) and isinstance(variable, str):
            conditions.setdefault(test, {})[variable] = condition.get("values")
    if conditions:
        statement["Condition"] = conditions
    return statement


def _merge_statements(merged: list[Any], statements: Iterable[Any]) -> None:
    """Merge like `aws_iam_policy_document`: a statement replaces the earlier one with its
    (non-empty) Sid; statements without a Sid, or with a new one, are appended."""
    for statement in statements:
        sid = statement.get("Sid") if isinstance(statement, Mapping) else None
        if isinstance(sid, str) and sid:
            for index, earlier in enumerate(merged):
                if isinstance(earlier, Mapping) and earlier.get("Sid") == sid:
                    merged[index] = statement
                    break
            else:
                merged.append(statement)
        else:
            merged.append(statement)


def _block_principals(blocks: Any) -> Any:
    if isinstance(blocks, Symbolic):
        return blocks
    out: dict[str, list[Any]] = {}
    for block in _list(blocks):
        if not isinstance(block, Mapping):
            continue
        kind = block.get("type")
        identifiers = block.get("identifiers")
        items = (
            identifiers if isinstance(identifiers, list) else [identifiers] if identifiers is not None else []
        )
        if kind == "*" and all(i == "*" for i in items):
            return "*"
        if isinstance(kind, str):
            out.setdefault(kind, []).extend(items)
    return out or None


def _openapi_authorization(security: Any, schemes: Mapping[str, Any]) -> tuple[str, bool]:
    """(authorization, api key required) for an OpenAPI `security` requirement list."""
    if not isinstance(security, list) or not security:
        return "NONE", False
    results: list[tuple[str, bool]] = []
    for requirement in security:
        if not isinstance(requirement, Mapping) or not requirement:
            return "NONE", False  # an empty requirement makes authentication optional
        authorization, api_key = "NONE", False
        for name in requirement:
            scheme = _map(schemes.get(name))
            kind = _scheme_authorization(scheme)
            if kind == "API_KEY":
                api_key = True
            elif kind != "NONE":
                authorization = kind
        results.append((authorization, api_key))
    return results[0]


def _scheme_authorization(scheme: Mapping[str, Any]) -> str:
    authtype = str(scheme.get("x-amazon-apigateway-authtype", "")).lower()
    authorizer = _map(scheme.get("x-amazon-apigateway-authorizer"))
    authorizer_type = str(authorizer.get("type", "")).lower()
    if authtype == "awssigv4":
        return "AWS_IAM"
    if authtype == "cognito_user_pools" or authorizer_type == "cognito_user_pools":
        return "COGNITO_USER_POOLS"
    if authorizer_type == "jwt":
        return "JWT"
    if authorizer_type in ("token", "request") or authtype == "custom":
        return "CUSTOM"
    if scheme.get("type") in ("oauth2", "openIdConnect"):
        return "JWT"
    if scheme.get("type") == "apiKey":
        return "API_KEY"
    return "NONE"


# ---------------------------------------------------------------- relation handlers


def _event_source_mapping(loader: _PlanLoader, mapping: _Instance) -> None:
    functions = loader.targets(mapping, ("function_name",), ("aws_lambda_function", "aws_lambda_alias"))
    sources = loader.targets(mapping, ("event_source_arn",), _DATA_SOURCES) or [mapping.address]
    for source in sources:
        for function in functions:
            loader.relate(source, function, RelationKind.INVOKES, mapping, mapping=mapping.address)


def _subscription(loader: _PlanLoader, subscription: _Instance) -> None:
    protocol = subscription.values.get("protocol")
    if protocol not in ("lambda", "sqs", "firehose"):
        return
    topics = loader.targets(subscription, ("topic_arn",), ("aws_sns_topic",)) or [subscription.address]
    targets = loader.targets(subscription, ("endpoint",), _INVOCABLE)
    for topic in topics:
        for target in targets:
            loader.relate(
                topic, target, RelationKind.INVOKES, subscription, subscription=subscription.address
            )


def _event_target(loader: _PlanLoader, target: _Instance) -> None:
    rules = loader.targets(target, ("rule",), ("aws_cloudwatch_event_rule",)) or [target.address]
    for rule in rules:
        for invoked in loader.targets(target, ("arn",), _INVOCABLE):
            loader.relate(rule, invoked, RelationKind.INVOKES, target, event_target=target.address)
    loader.executes_as(target, "role_arn")


def _bucket_notification(loader: _PlanLoader, notification: _Instance) -> None:
    buckets = loader.targets(notification, ("bucket",), ("aws_s3_bucket",)) or [notification.address]
    for block_name, attribute in (
        ("lambda_function", "lambda_function_arn"),
        ("queue", "queue_arn"),
        ("topic", "topic_arn"),
    ):
        for index, _block in enumerate(_list(notification.values.get(block_name))):
            for target in loader.targets(notification, (block_name, index, attribute), _INVOCABLE):
                for bucket in buckets:
                    loader.relate(
                        bucket, target, RelationKind.INVOKES, notification, notification=notification.address
                    )


def _permission_source(loader: _PlanLoader, permission: _Instance) -> None:
    if permission.values.get("source_arn") in (None, ""):
        return
    functions = loader.targets(permission, ("function_name",), ("aws_lambda_function", "aws_lambda_alias"))
    sources = [
        s
        for s in loader.targets(permission, ("source_arn",))
        if kind_of(loader.instances[s].type)
        in (ResourceKind.API, ResourceKind.DATA, ResourceKind.EVENT_SOURCE)
    ]
    for source in sources:
        for function in functions:
            loader.relate(source, function, RelationKind.INVOKES, permission, permission=permission.address)


def _function(loader: _PlanLoader, function: _Instance) -> None:
    loader.executes_as(function, "role")


def _state_machine(loader: _PlanLoader, machine: _Instance) -> None:
    loader.executes_as(machine, "role_arn")


def _appsync_datasource(loader: _PlanLoader, source: _Instance) -> None:
    loader.executes_as(source, "service_role_arn")
    for path in (
        ("lambda_config", 0, "function_arn"),
        ("http_config", 0, "endpoint"),
        ("dynamodb_config", 0, "table_name"),
    ):
        for target in loader.targets(source, path, _INVOCABLE):
            loader.relate(source.address, target, RelationKind.INVOKES, source, attribute=path[0])


def _access_key(loader: _PlanLoader, key: _Instance) -> None:
    for user in loader.targets(key, ("user",), ("aws_iam_user",)):
        loader.relate(key.address, user, RelationKind.KEY_OF, key)


def _user_groups(loader: _PlanLoader, membership: _Instance) -> None:
    for user in loader.targets(membership, ("user",), ("aws_iam_user",)):
        for group in loader.targets(membership, ("groups",), ("aws_iam_group",)):
            loader.relate(user, group, RelationKind.MEMBER_OF, membership)


def _group_members(loader: _PlanLoader, membership: _Instance) -> None:
    for group in loader.targets(membership, ("group",), ("aws_iam_group",)):
        for user in loader.targets(membership, ("users",), ("aws_iam_user",)):
            loader.relate(user, group, RelationKind.MEMBER_OF, membership)


def _authorizer(loader: _PlanLoader, authorizer: _Instance) -> None:
    attribute = "authorizer_uri"
    for function in loader.targets(authorizer, (attribute,), ("aws_lambda_function", "aws_lambda_alias")):
        loader.relate(authorizer.address, function, RelationKind.INVOKES, authorizer, attribute=attribute)


_RELATION_HANDLERS = {
    "aws_lambda_function": _function,
    "aws_sfn_state_machine": _state_machine,
    "aws_lambda_event_source_mapping": _event_source_mapping,
    "aws_sns_topic_subscription": _subscription,
    "aws_cloudwatch_event_target": _event_target,
    "aws_s3_bucket_notification": _bucket_notification,
    "aws_lambda_permission": _permission_source,
    "aws_appsync_datasource": _appsync_datasource,
    "aws_iam_access_key": _access_key,
    "aws_iam_user_group_membership": _user_groups,
    "aws_iam_group_membership": _group_members,
    "aws_api_gateway_authorizer": _authorizer,
    "aws_apigatewayv2_authorizer": _authorizer,
}
