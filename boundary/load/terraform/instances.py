"""The resource instances of a plan, by address, and the addresses of its modules.

An instance is one resource after `count`/`for_each` (`aws_x.y["a"]`, in
`module.m[0]`), with its planned values, what is unknown of them, and the
configuration block it came from.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from boundary.load.terraform._shapes import as_list, as_map, as_text
from boundary.model import Location

__all__ = [
    "KEY",
    "MAX_DEPTH",
    "NO_KEY",
    "Instance",
    "Instances",
    "collect_instances",
    "module_key",
    "module_names",
    "parent_module",
    "strip_key",
    "with_key",
]

MAX_DEPTH = 12
# an instance key in an address: `["a"]` or `[0]`
KEY = r'\[(?:"(?:[^"\\]|\\.)*"|[0-9]+)\]'
_TRAILING_KEY = re.compile(KEY + "$")
_MODULE_STEP = re.compile(r"module\.([A-Za-z_][\w-]*)(" + KEY + r")?(?:\.|$)")


@dataclass(slots=True)
class Instance:
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
    # set once every instance is collected (`PlanIndex`): values with unknowns made
    # symbolic, where the instance is written, what its configuration refers to and
    # what `depends_on` makes it wait for
    values: dict[str, Any] = field(default_factory=dict)
    location: Location | None = None
    references: tuple[str, ...] = ()
    depends_on: tuple[str, ...] = ()

    @property
    def expressions(self) -> Mapping[str, Any]:
        return as_map(self.config.get("expressions"))


@dataclass(slots=True)
class Instances:
    """Every instance of a plan and the module tree they live in."""

    by_address: dict[str, Instance] = field(default_factory=dict)
    # `aws_x.y` -> its instances `aws_x.y[0]`, `aws_x.y[1]` (or `aws_x.y` itself)
    by_base: dict[str, list[str]] = field(default_factory=dict)
    # module instance addresses, the root ("") included
    modules: set[str] = field(default_factory=lambda: {""})
    # module call path (`("a", "b")` for `module.a.module.b`) -> its configuration
    module_configs: dict[tuple[str, ...], Mapping[str, Any]] = field(default_factory=dict)


class _NoKey:
    """No `each.key`/`count.index` is in force (None is not a usable marker: keys are values)."""


NO_KEY: Any = _NoKey()


def with_key(base: str, key: Any) -> str | None:
    """`aws_x.y` and key "a" -> `aws_x.y["a"]`; 2 -> `aws_x.y[2]`."""
    if isinstance(key, bool) or key is NO_KEY:
        return None
    if isinstance(key, int):
        return f"{base}[{key}]"
    if isinstance(key, str):
        return f"{base}[{json.dumps(key)}]"
    return None


def module_key(module_address: str) -> Any:
    """The instance key of the innermost module call: `module.m["a"]` -> "a"."""
    steps = list(_MODULE_STEP.finditer(module_address))
    if not steps or not steps[-1].group(2):
        return NO_KEY
    try:
        return json.loads(steps[-1].group(2)[1:-1])
    except ValueError:
        return NO_KEY


def strip_key(address: str) -> str:
    """`aws_x.y["a"]` -> `aws_x.y`: the resource an instance belongs to."""
    return _TRAILING_KEY.sub("", address)


def module_names(module_address: str) -> tuple[str, ...]:
    return tuple(match.group(1) for match in _MODULE_STEP.finditer(module_address))


def parent_module(module_address: str) -> str:
    steps = list(_MODULE_STEP.finditer(module_address))
    if len(steps) <= 1:
        return ""
    return module_address[: steps[-1].start()].rstrip(".")


def collect_instances(data: Mapping[str, Any]) -> Instances:
    """The instances a plan will have after apply: planned resources, data sources read
    before (`prior_state`), and changes not in `planned_values`; deleted ones are gone."""
    found = Instances()
    _index_configuration(found, as_map(data.get("configuration")))
    changes: dict[str, Mapping[str, Any]] = {}
    for change in as_list(data.get("resource_changes")):
        if isinstance(change, Mapping) and as_text(change.get("address")):
            changes[str(change["address"])] = change
    planned = as_map(data.get("planned_values")).get("root_module")
    prior = as_map(as_map(data.get("prior_state")).get("values")).get("root_module")
    for resource, module in _module_resources(planned):
        _add(found, resource, module, changes)
    for resource, module in _module_resources(prior):
        if resource.get("mode") == "data":
            _add(found, resource, module, changes)
    for address, change in changes.items():
        if address not in found.by_address:
            _add(found, change, as_text(change.get("module_address")) or "", changes)
    for address in found.by_address:
        found.by_base.setdefault(strip_key(address), []).append(address)
    return found


def _index_configuration(found: Instances, configuration: Mapping[str, Any]) -> None:
    stack: list[tuple[tuple[str, ...], Any]] = [((), configuration.get("root_module"))]
    while stack:
        path, module = stack.pop()
        module = as_map(module)
        found.module_configs[path] = module
        if len(path) >= MAX_DEPTH:
            continue
        for name, call in as_map(module.get("module_calls")).items():
            stack.append(((*path, str(name)), as_map(call).get("module")))


def _resource_config(found: Instances, module: str, relative: str) -> Mapping[str, Any]:
    config = found.module_configs.get(module_names(module), {})
    for resource in as_list(config.get("resources")):
        if isinstance(resource, Mapping) and resource.get("address") == relative:
            return resource
    return {}


def _module_resources(root: Any) -> Iterator[tuple[Mapping[str, Any], str]]:
    """(resource, module address) for a `planned_values`/`prior_state` module tree."""
    stack: list[tuple[Any, str]] = [(root, "")]
    while stack:
        module, address = stack.pop()
        module = as_map(module)
        for resource in as_list(module.get("resources")):
            if isinstance(resource, Mapping):
                yield resource, address
        children = as_list(module.get("child_modules"))
        for child in reversed(children):
            if isinstance(child, Mapping):
                stack.append((child, as_text(child.get("address")) or address))


def _add(
    found: Instances, entry: Mapping[str, Any], module: str, changes: Mapping[str, Mapping[str, Any]]
) -> None:
    address, rtype, name = (
        as_text(entry.get("address")),
        as_text(entry.get("type")),
        as_text(entry.get("name")),
    )
    if address is None or rtype is None or name is None or address in found.by_address:
        return
    mode = "data" if entry.get("mode") == "data" else "managed"
    change = as_map(as_map(changes.get(address)).get("change"))
    actions = tuple(str(a) for a in as_list(change.get("actions")))
    if isinstance(change.get("after"), Mapping):
        values, unknown = change["after"], change.get("after_unknown")
    elif actions == ("delete",):
        return  # gone after apply
    else:
        values, unknown = as_map(entry.get("values")), None
    module = as_text(as_map(changes.get(address)).get("module_address")) or module
    relative = f"data.{rtype}.{name}" if mode == "data" else f"{rtype}.{name}"
    found.by_address[address] = Instance(
        address=address,
        module=module,
        mode=mode,
        type=rtype,
        name=name,
        index=entry.get("index"),
        raw_values=values,
        unknown=unknown,
        config=_resource_config(found, module, relative),
        actions=actions,
    )
    found.modules.add(module)
    parent = module
    while parent:
        parent = parent_module(parent)
        found.modules.add(parent)
