"""A whole configuration: the root module, the local modules it calls, their instances
(`count`/`for_each` expanded where the keys are known) and the scope of each."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from boundary.load._errors import SourceError
from boundary.load.terraform.hcl.evaluate import MAX_DEPTH, UNSET, Evaluator, Scope, key_text, step_into
from boundary.load.terraform.hcl.functions import MAX_ITEMS
from boundary.load.terraform.hcl.syntax import Attr, Block, Module, parse_file, read_module
from boundary.load.terraform.hcl.values import is_known

__all__ = ["Configuration", "ResourceInstance", "module_steps"]

_LOCAL_SOURCE = ("./", "../", ".\\", "..\\")


@dataclass(slots=True)
class ResourceInstance:
    address: str
    module_address: str
    relative: str  # "aws_x.y" or "data.aws_x.y"
    index: Any
    block: Block
    scope: Scope


def module_steps(address: str) -> list[tuple[str, Any]]:
    """`module.a["k"].module.b` -> [("a", "k"), ("b", UNSET)]."""
    steps = []
    for match in re.finditer(r'module\.([A-Za-z_][\w-]*)(\[(?:"(?:[^"\\]|\\.)*"|[0-9]+)\])?', address):
        key: Any = UNSET
        if match.group(2):
            try:
                key = json.loads(match.group(2)[1:-1])
            except ValueError:
                key = UNSET
        steps.append((match.group(1), key))
    return steps


class Configuration:
    """A root module folder with the local modules it calls, read and ready to evaluate."""

    def __init__(self, root: str) -> None:
        self.root = root
        self.errors: list[SourceError] = []
        self.notes: list[str] = []
        self.read_files: dict[str, tuple[str, ...]] = {}
        self.tfvars_written: dict[str, Attr] = {}  # where terraform.tfvars sets each variable
        self._modules: dict[str, Module] = {}
        self.root_module = self._module(root)
        self.root_module.tfvars = self._tfvars(root)
        self.evaluator = Evaluator(self)
        self._scopes: dict[str, Scope | None] = {}
        self._known: dict[tuple[str, str], Any] = {}
        self._known_in_progress: set[tuple[str, str]] = set()
        self._instances: list[ResourceInstance] | None = None

    # -------------------------------------------------------- modules

    def _module(self, folder: str) -> Module:
        folder = os.path.normpath(folder)
        if folder not in self._modules:
            self._modules[folder] = read_module(folder, self.errors)
        return self._modules[folder]

    def _tfvars(self, folder: str) -> dict[str, Any]:
        values: dict[str, Any] = {}
        names = ["terraform.tfvars"]
        try:
            names += sorted(n for n in os.listdir(folder) if n.endswith(".auto.tfvars"))
        except OSError:
            pass
        for name in names:
            path = os.path.join(folder, name)
            if not os.path.isfile(path):
                continue
            try:
                top = parse_file(path, Path(path).read_text(encoding="utf-8-sig"))
            except (OSError, UnicodeDecodeError):
                continue
            except SourceError as error:
                self.errors.append(error)
                continue
            scope = Scope(self, self.root_module, "", {})
            for attr_name, attr in top.attrs.items():
                values[attr_name] = Evaluator(self).value(attr.node, scope)
                self.tfvars_written[attr_name] = attr
        return values

    def module_folders(self) -> tuple[str, ...]:
        """Every folder read as a module: the root and the local modules it calls, sorted."""
        return tuple(sorted(self._modules))

    def files(self) -> dict[str, tuple[str, ...]]:
        out: dict[str, tuple[str, ...]] = {}
        for module in self._modules.values():
            out.update(module.files)
        out.update(self.read_files)
        return out

    def root_scope(self) -> Scope:
        return Scope(self, self.root_module, "", {})

    def child_folder(self, module: Module, call: Block) -> str | None:
        source = (
            self.evaluator.value(call.attrs["source"].node, self.root_scope())
            if "source" in call.attrs
            else None
        )
        if not isinstance(source, str) or not source.startswith(_LOCAL_SOURCE):
            note = f"{call.file}:{call.line}: module {call.labels[0]} (source {source if isinstance(source, str) else 'unknown'}) is not followed: only local modules are read"
            if note not in self.notes:
                self.notes.append(note)
            return None
        folder = os.path.normpath(os.path.join(module.dir, source))
        return folder if os.path.isdir(folder) else None

    def module_scope(self, parent: Scope, name: str, key: Any) -> Scope | None:
        """The scope of one instance of module call `name` in `parent`."""
        call = parent.module.calls.get(name)
        if call is None or parent.depth > MAX_DEPTH:
            return None
        address = parent.absolute(f"module.{name}") + (key_text(key) if key is not UNSET else "")
        if address in self._scopes:
            return self._scopes[address]
        self._scopes[address] = None  # a cycle reads as unknown
        folder = self.child_folder(parent.module, call)
        if folder is None:
            return None
        module = self._module(folder)
        plain = Scope(self, parent.module, parent.address, parent.inputs, depth=parent.depth + 1)
        each_value: Any = UNSET
        count_index: Any = UNSET
        if key is not UNSET and "for_each" in call.attrs:
            collection = self.evaluator.value(call.attrs["for_each"].node, plain)
            each_value = step_into(collection, key) if isinstance(collection, Mapping) else key
        elif key is not UNSET and "count" in call.attrs:
            count_index = key
        call_scope = plain.child(
            each_key=key if "for_each" in call.attrs else UNSET,
            each_value=each_value,
            count_index=count_index,
        )
        inputs = {
            n: self.evaluator.value(a.node, call_scope)
            for n, a in call.attrs.items()
            if n not in ("source", "version", "for_each", "count", "providers", "depends_on")
        }
        scope = Scope(self, module, address, inputs, depth=parent.depth + 1)
        self._scopes[address] = scope
        return scope

    def scope_of(self, module_address: str) -> Scope | None:
        scope: Scope | None = self.root_scope()
        for name, key in module_steps(module_address):
            if scope is None:
                return None
            scope = self.module_scope(scope, name, key)
        return scope

    def instance_keys(self, block: Block, scope: Scope) -> list[Any] | None:
        return self._keys(block, scope)

    def _keys(self, block: Block, scope: Scope) -> list[Any] | None:
        """The instance keys of a resource or module call: None for a single instance."""
        if "for_each" in block.attrs:
            collection = self.evaluator.value(block.attrs["for_each"].node, scope)
            if isinstance(collection, Mapping) and is_known(list(collection)):
                return sorted(collection)[:MAX_ITEMS]
            if isinstance(collection, list) and all(isinstance(i, str) for i in collection):
                return sorted(set(collection))[:MAX_ITEMS]
            return None
        if "count" in block.attrs:
            count = self.evaluator.value(block.attrs["count"].node, scope)
            if isinstance(count, int) and not isinstance(count, bool):
                return list(range(max(0, min(count, MAX_ITEMS))))
            return None
        return None

    def module_instances(self) -> Iterator[Scope]:
        stack = [self.root_scope()]
        while stack:
            scope = stack.pop()
            yield scope
            if scope.depth > MAX_DEPTH:
                continue
            children = []
            for name, call in scope.module.calls.items():
                keys = self._keys(call, scope)
                for key in keys if keys is not None else [UNSET]:
                    child = self.module_scope(scope, name, key)
                    if child is not None:
                        children.append(child)
            stack.extend(reversed(children))

    def instances(self) -> list[ResourceInstance]:
        if self._instances is not None:
            return self._instances
        out: list[ResourceInstance] = []
        for scope in self.module_instances():
            for relative, block in scope.module.resources.items():
                keys = self._keys(block, scope)
                base = scope.absolute(relative)
                if keys is None:
                    out.append(ResourceInstance(base, scope.address, relative, None, block, scope))
                    continue
                for key in keys:
                    inner = scope.child(
                        each_key=key if "for_each" in block.attrs else UNSET,
                        each_value=self._each_value(block, scope, key),
                        count_index=key if "count" in block.attrs else UNSET,
                    )
                    out.append(
                        ResourceInstance(base + key_text(key), scope.address, relative, key, block, inner)
                    )
        self._instances = out
        return out

    def _each_value(self, block: Block, scope: Scope, key: Any) -> Any:
        if "for_each" not in block.attrs:
            return UNSET
        collection = self.evaluator.value(block.attrs["for_each"].node, scope)
        return step_into(collection, key) if isinstance(collection, Mapping) else key

    def addresses_under(self, prefix: str) -> list[str]:
        return [
            i.address
            for i in self.instances()
            if i.address.startswith(prefix + ".") or i.address.startswith(prefix + "[")
        ]

    def resource_scope(self, module_address: str, relative: str, index: Any) -> tuple[Block, Scope] | None:
        scope = self.scope_of(module_address)
        if scope is None:
            return None
        block = scope.module.resources.get(relative)
        if block is None:
            return None
        if index is None:
            return block, scope.child()
        return block, scope.child(
            each_key=index if "for_each" in block.attrs else UNSET,
            each_value=self._each_value(block, scope, index),
            count_index=index if "count" in block.attrs else UNSET,
        )

    def known_attribute(self, scope: Scope, relative: str, address: str, attribute: str) -> Any:
        """A resource attribute the configuration sets to a value known before apply, as a
        plan would know it (`aws_dynamodb_table.t.name`); `UNSET` otherwise."""
        block = scope.module.resources.get(relative)
        if block is None or attribute not in block.attrs or relative.startswith("data."):
            return UNSET
        if ("for_each" in block.attrs or "count" in block.attrs) and address == scope.absolute(relative):
            return UNSET
        key = (address, attribute)
        if key in self._known:
            return self._known[key]
        if key in self._known_in_progress:
            return UNSET
        self._known_in_progress.add(key)
        try:
            index: Any = None
            if address != scope.absolute(relative):
                try:
                    index = json.loads(address[len(scope.absolute(relative)) + 1 : -1])
                except ValueError:
                    return UNSET
            found = self.resource_scope(scope.address, relative, index)
            if found is None:
                return UNSET
            value = self.evaluator.value(block.attrs[attribute].node, found[1])
        finally:
            self._known_in_progress.discard(key)
        result = value if is_known(value) and not isinstance(value, (Mapping, list)) else UNSET
        self._known[key] = result
        return result
