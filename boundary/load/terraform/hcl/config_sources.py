"""The configuration as the plan loader asks about it (`ConfigurationSources`): where
resources and attributes are written, and what a policy unknown in the plan will say."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

from lark import Token, Tree

from boundary.load._errors import SourceError
from boundary.load.terraform.hcl.configuration import Configuration, module_steps
from boundary.load.terraform.hcl.evaluate import Scope
from boundary.load.terraform.hcl.syntax import Attr, Block, label, position, unescape
from boundary.load.terraform.hcl.values import as_document
from boundary.model import Location, Symbolic

__all__ = ["ConfigSources", "localize", "read_configuration"]

_CREDENTIAL_ATTRIBUTES = ("access_key", "secret_key", "token")


def localize(value: Any, known: Callable[[str], list[str]]) -> Any:
    """Symbolic references (absolute configuration addresses) -> instance addresses."""
    if isinstance(value, Symbolic):
        refs: list[str] = []
        for ref in value.references:
            refs.extend(known(ref))
        attributes = [(each, attribute) for ref, attribute in value.attributes for each in known(ref)]
        return Symbolic(
            value.text, tuple(dict.fromkeys(refs)), value.reason, tuple(dict.fromkeys(attributes))
        )
    if isinstance(value, Mapping):
        return {k: localize(v, known) for k, v in value.items()}
    if isinstance(value, list):
        return [localize(v, known) for v in value]
    return value


def _split_address(address: str) -> tuple[str, str, Any]:
    """`module.m["a"].aws_x.y[0]` -> (`module.m["a"]`, `aws_x.y`, 0)."""
    index: Any = None
    match = re.search(r'\[("(?:[^"\\]|\\.)*"|[0-9]+)\]$', address)
    base = address
    if match:
        try:
            index = json.loads(match.group(1))
            base = address[: match.start()]
        except ValueError:
            pass
    steps = list(re.finditer(r'module\.[A-Za-z_][\w-]*(\[(?:"(?:[^"\\]|\\.)*"|[0-9]+)\])?\.', base))
    module = base[: steps[-1].end() - 1] if steps else ""
    relative = base[steps[-1].end() :] if steps else base
    return module, relative, index


class ConfigSources:
    """The `.tf` sources of a configuration, as the plan loader asks about them."""

    def __init__(self, configuration: Configuration) -> None:
        self.configuration = configuration

    @property
    def files(self) -> dict[str, tuple[str, ...]]:
        return self.configuration.files()

    @property
    def errors(self) -> list[SourceError]:
        return self.configuration.errors

    @property
    def notes(self) -> list[str]:
        return self.configuration.notes

    def _find(self, address: str) -> tuple[Block, Scope] | None:
        module, relative, index = _split_address(address)
        return self.configuration.resource_scope(module, relative, index)

    def _call_block(self, module_address: str) -> Block | None:
        """The `module` block that a module instance comes from, where its own files are not read."""
        scope: Scope | None = self.configuration.root_scope()
        call: Block | None = None
        for name, key in module_steps(module_address):
            if scope is None:
                return call
            call = scope.module.calls.get(name) or call
            scope = self.configuration.module_scope(scope, name, key)
        return call

    def locate(self, address: str, path: Sequence[str | int] = ()) -> Location | None:
        """The file and line of a resource's block, or of the attribute at `path` in it."""
        found = self._find(address)
        if found is None:
            module, _, _ = _split_address(address)
            call = self._call_block(module) if module else None
            return Location(call.file, call.line, call.column, address=address) if call else None
        block = found[0]
        for step in path:
            if isinstance(step, str) and step in block.attrs:
                attr = block.attrs[step]
                return Location(attr.file, attr.line, attr.column, address=address)
            if isinstance(step, str):
                inner = [b for b in block.blocks if b.type == step]
                if not inner:
                    break
                block = inner[0]
            elif isinstance(step, int):
                continue
        return Location(block.file, block.line, block.column, address=address)

    def block_lines(self, address: str, block_type: str) -> list[Location | None]:
        """The location of each nested block of one type (`statement`) of a resource, in
        the order the provider sees them: a `dynamic` block of that type stands for each
        block it makes, at its `content`, and is one None when how many it makes is
        known only at plan time."""
        found = self._find(address)
        if found is None:
            return []
        block, scope = found
        locations: list[Location | None] = []
        for inner in block.blocks:
            if inner.type == block_type:
                locations.append(Location(inner.file, inner.line, inner.column, address=address))
            elif inner.type == "dynamic" and inner.labels and inner.labels[0] == block_type:
                count = self.configuration.evaluator.dynamic_count(inner, scope)
                if count is None:
                    locations.append(None)
                    continue
                content = next((b for b in inner.blocks if b.type == "content"), inner)
                locations.extend(
                    Location(content.file, content.line, content.column, address=address)
                    for _ in range(count)
                )
        return locations

    def document(self, address: str, path: Sequence[str | int], known: Callable[[str], list[str]]) -> Any:
        """The policy at `path` (`("policy",)`, `("inline_policy", 0, "policy")`) rebuilt from
        the configuration: a mapping with symbolic leaves, a `Symbolic` naming the policy
        document data source it comes from, or None."""
        found = self._find(address)
        if found is None:
            return None
        block, scope = found
        node: Any = None
        for step in path:
            if isinstance(step, str) and step in block.attrs:
                node = block.attrs[step].node
                break
            if isinstance(step, str):
                inner = [b for b in block.blocks if b.type == step]
                index = path[path.index(step) + 1] if path.index(step) + 1 < len(path) else 0
                if not inner or not isinstance(index, int) or index >= len(inner):
                    return None
                block = inner[index]
        if node is None:
            return None
        value = self.configuration.evaluator.value(node, scope)
        document = as_document(value)
        if document is not None:
            return localize(document, known)
        if isinstance(value, Symbolic):
            return localize(value, known)
        return None

    def providers(self) -> Iterator[tuple[str, dict[str, Any], Location]]:
        """(`provider.aws` or `provider.aws.alias`, literal credentials, location) for each
        provider block of the root module that sets a credential attribute to a literal."""
        for name, literal, block in self._providers():
            yield name, literal, Location(block.file, block.line, block.column, address=name)

    def written(self, addresses: Iterable[str]) -> dict[tuple[str | int, ...], Location]:
        """Where the configuration writes what a plan states, by the plan's key paths:
        `("variables", name, "value", ...)` (the variable's default, or terraform.tfvars),
        `("planned_values", "outputs", name, "value", ...)` (an output's value), and
        `("resources", address, attribute, ...)` for each resource of `addresses` (and
        each provider with literal keys), down to the keys of literal objects and the items
        of literal lists. Rules look a path up here, longest prefix first."""
        out: dict[tuple[str | int, ...], Location] = {}
        root = self.configuration.root_module
        for name, block in root.variables.items():
            attr = self.configuration.tfvars_written.get(name) or block.attrs.get("default")
            where: Block | Attr = attr or block
            out[("variables", name)] = Location(where.file, where.line, where.column, f"var.{name}")
            if attr is not None:
                _positions(attr.node, attr.file, ("variables", name, "value"), f"var.{name}", out)
        for name, block in root.outputs.items():
            address = f"output.{name}"
            out[("planned_values", "outputs", name)] = Location(block.file, block.line, block.column, address)
            value = block.attrs.get("value")
            if value is not None:
                out[("planned_values", "outputs", name, "value")] = Location(
                    value.file, value.line, value.column, address
                )
                _positions(value.node, value.file, ("planned_values", "outputs", name, "value"), address, out)
        for address in addresses:
            found = self._find(address)
            if found is not None:
                _block_positions(found[0], ("resources", address), address, out)
        for name, _, block in self._providers():
            _block_positions(block, ("resources", name), name, out)
        return out

    def _providers(self) -> Iterator[tuple[str, dict[str, Any], Block]]:
        root = self.configuration.root_module
        scope = self.configuration.root_scope()
        for block in root.providers:
            literal: dict[str, Any] = {}
            for name in _CREDENTIAL_ATTRIBUTES:
                attr = block.attrs.get(name)
                if attr is None:
                    continue
                value = self.configuration.evaluator.value(attr.node, scope)
                if isinstance(value, str) and value:
                    literal[name] = value
            if not literal:
                continue
            alias = (
                self.configuration.evaluator.value(block.attrs["alias"].node, scope)
                if "alias" in block.attrs
                else None
            )
            name = f"provider.{block.labels[0]}" + (f".{alias}" if isinstance(alias, str) else "")
            yield name, literal, block


def _block_positions(
    block: Block, prefix: tuple[str | int, ...], address: str, out: dict[Any, Location]
) -> None:
    """Each attribute of a block (and of its nested blocks, by type and index) at its line."""
    for name, attr in block.attrs.items():
        out[prefix + (name,)] = Location(attr.file, attr.line, attr.column, address)
        _positions(attr.node, attr.file, (*prefix, name), address, out)
    counts: dict[str, int] = {}
    for inner in block.blocks:
        index = counts.get(inner.type, 0)
        counts[inner.type] = index + 1
        path = (*prefix, inner.type, index)
        out[path] = Location(inner.file, inner.line, inner.column, address)
        _block_positions(inner, path, address, out)


def _positions(
    node: Any,
    file: str,
    prefix: tuple[str | int, ...],
    address: str,
    out: dict[Any, Location],
    depth: int = 0,
) -> None:
    """The keys of a literal object and the items of a literal list in an expression, at
    their lines (an object built by a function or a `for` has none to point at)."""
    while isinstance(node, Tree) and node.data == "expr_term" and depth < 64:
        inner = [c for c in node.children if isinstance(c, Tree)]
        if len(inner) != 1:
            return
        node = inner[0]
    if not isinstance(node, Tree) or depth >= 64:
        return
    if node.data == "tuple":
        for index, item in enumerate(c for c in node.children if isinstance(c, Tree)):
            line, column = position(item)
            if line:
                out[prefix + (index,)] = Location(file, line, column, address)
            _positions(item, file, (*prefix, index), address, out, depth + 1)
    elif node.data == "object":
        for elem in node.children:
            if not isinstance(elem, Tree) or elem.data != "object_elem":
                continue
            parts = [
                c
                for c in elem.children
                if isinstance(c, Tree) or (isinstance(c, Token) and c.type == "STRING_LIT")
            ]
            if len(parts) < 2:
                continue
            key = _literal_key(parts[0])
            if key is None:
                continue
            line, column = position(elem)
            if not line:
                line, column = position(parts[0])
            if line:
                out[prefix + (key,)] = Location(file, line, column, address)
            _positions(parts[-1], file, (*prefix, key), address, out, depth + 1)
    elif node.data == "function_call" and node.children and label(node.children[0]) == "jsonencode":
        args = [c for c in node.children[1:] if isinstance(c, Tree)]
        arguments = (
            [c for c in args[0].children if isinstance(c, Tree)]
            if args and args[0].data == "arguments"
            else args
        )
        if arguments:
            _positions(arguments[0], file, prefix, address, out, depth + 1)


def _literal_key(node: Any) -> str | None:
    """An object key written as a name or a plain string (no interpolation)."""
    while (
        isinstance(node, Tree) and node.data in ("object_elem_key", "expr_term") and len(node.children) == 1
    ):
        node = node.children[0]
    if isinstance(node, Tree) and node.data == "identifier":
        return label(node)
    if isinstance(node, Token) and node.type == "STRING_LIT":
        text = str(node)[1:-1]
        return None if "${" in text or "%{" in text else unescape(text)
    return None


def read_configuration(folder: str) -> ConfigSources:
    return ConfigSources(Configuration(folder))
