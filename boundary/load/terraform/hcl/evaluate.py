"""Evaluating HCL expressions with unknowns: every reference to a resource stays a
`Symbolic` naming it; `var.x`, `local.y` and module outputs are followed where the
configuration says."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lark import Token, Tree
from lark.exceptions import LarkError

from boundary.load.terraform._shapes import UNKNOWN_TEXT
from boundary.load.terraform.hcl.functions import FUNCTIONS, MAX_ITEMS, apply_operator
from boundary.load.terraform.hcl.syntax import (
    Block,
    Module,
    hcl_parser,
    heredoc_text,
    label,
    template_pieces,
    unescape,
)
from boundary.load.terraform.hcl.values import Encoded, Partial, is_known, references_in, settle, unknown
from boundary.model import Symbolic

if TYPE_CHECKING:
    from boundary.load.terraform.hcl.configuration import Configuration

__all__ = ["MAX_DEPTH", "UNSET", "Evaluator", "Scope", "key_text", "step_into", "walk_steps"]

MAX_DEPTH = 24


class _Unset:
    pass


UNSET: Any = _Unset()


@dataclass(slots=True)
class Scope:
    """Where an expression is evaluated: a module instance, and `each`/`count` when set."""

    config: Configuration
    module: Module
    address: str  # "" for the root, `module.a["k"]` for a module instance
    inputs: Mapping[str, Any]  # variable values given by the module call (already evaluated)
    each_key: Any = UNSET
    each_value: Any = UNSET
    count_index: Any = UNSET
    bindings: Mapping[str, Any] = field(default_factory=dict)
    depth: int = 0

    def child(self, **changes: Any) -> Scope:
        values = {
            "config": self.config,
            "module": self.module,
            "address": self.address,
            "inputs": self.inputs,
            "each_key": self.each_key,
            "each_value": self.each_value,
            "count_index": self.count_index,
            "bindings": self.bindings,
            "depth": self.depth + 1,
        }
        values.update(changes)
        return Scope(**values)

    def absolute(self, relative: str) -> str:
        return f"{self.address}.{relative}" if self.address else relative


def _flatten(node: Any) -> tuple[Any, list[tuple[str, Any]]] | None:
    """`a.b[0].c` -> (root identifier node, [("attr", "b"), ("index", node), ("attr", "c")])."""
    steps: list[tuple[str, Any]] = []
    while True:
        if isinstance(node, Tree) and node.data == "expr_term" and len(node.children) == 1:
            node = node.children[0]
            continue
        if isinstance(node, Tree) and node.data == "get_attr_expr_term":
            steps.append(("attr", label(node.children[1].children[0])))
            node = node.children[0]
            continue
        if isinstance(node, Tree) and node.data == "index_expr_term":
            index = node.children[1]
            inner = [c for c in index.children if isinstance(c, Tree)]
            if inner:
                steps.append(("index", inner[0]))
            else:
                steps.append(("literal", int("".join(str(c) for c in index.children))))
            node = node.children[0]
            continue
        if isinstance(node, Tree) and node.data in ("attr_splat_expr_term", "full_splat_expr_term"):
            steps.append(("splat", None))
            node = node.children[0]
            continue
        break
    if isinstance(node, Tree) and node.data == "identifier":
        steps.reverse()
        return node, steps
    return None


_PRECEDENCE: Mapping[str, int] = {
    "*": 6,
    "/": 6,
    "%": 6,
    "+": 5,
    "-": 5,
    ">": 4,
    ">=": 4,
    "<": 4,
    "<=": 4,
    "==": 3,
    "!=": 3,
    "&&": 2,
    "||": 1,
}
_LITERALS: Mapping[str, Any] = {"true": True, "false": False, "null": None}


def key_text(key: Any) -> str:
    return f"[{json.dumps(key)}]" if isinstance(key, str) else f"[{key}]"


class Evaluator:
    """Evaluates HCL expressions to JSON-like values, `Partial`/`Encoded` structures and
    `Symbolic` unknowns that name what they come from (absolute resource addresses)."""

    def __init__(self, config: Configuration) -> None:
        self.config = config
        self._locals: dict[tuple[str, str], Any] = {}
        self._in_progress: set[tuple[str, str]] = set()

    # -------------------------------------------------------- entry points

    def value(self, node: Any, scope: Scope) -> Any:
        if scope.depth > MAX_DEPTH:
            return Symbolic(UNKNOWN_TEXT, (), "nested too deeply to evaluate")
        try:
            return self._eval(node, scope)
        except RecursionError:
            return Symbolic(UNKNOWN_TEXT, (), "nested too deeply to evaluate")

    def block_value(self, block: Block, scope: Scope) -> dict[str, Any]:
        """A block as the plan shows it: attributes, and nested blocks as lists of objects."""
        out: dict[str, Any] = {}
        for name, attr in block.attrs.items():
            out[name] = self.value(attr.node, scope)
        for inner in block.blocks:
            if inner.type == "dynamic" and inner.labels:
                out.setdefault(inner.labels[0], [])
                items = out[inner.labels[0]]
                if isinstance(items, list):
                    items.extend(self._dynamic(inner, scope))
                continue
            if inner.type in ("lifecycle", "provisioner", "connection"):
                continue
            items = out.setdefault(inner.type, [])
            if isinstance(items, list):
                items.append(self.block_value(inner, scope))
        return out

    def dynamic_count(self, block: Block, scope: Scope) -> int | None:
        """How many blocks a `dynamic` block makes where it stands (what `block_value`
        puts in its place); None when its `for_each` is not known offline."""
        _, items = self._dynamic_items(block, scope)
        return None if items is None else len(items)

    def _dynamic_items(self, block: Block, scope: Scope) -> tuple[Any, list[tuple[Any, Any]] | None]:
        """A `dynamic` block's `for_each` value and the (key, value) pairs it iterates over;
        None for the pairs when they are not known offline (or the block has no content)."""
        collection = self.value(block.attrs["for_each"].node, scope) if "for_each" in block.attrs else None
        if not any(b.type == "content" for b in block.blocks) or not is_known(collection):
            return collection, None
        return collection, _items(collection)[:MAX_ITEMS]

    def _dynamic(self, block: Block, scope: Scope) -> list[Any]:
        collection, items = self._dynamic_items(block, scope)
        if items is None:
            return [unknown(collection, reason="dynamic block over values unknown at plan time")]
        iterator = block.labels[0]
        if "iterator" in block.attrs:
            found = _flatten(block.attrs["iterator"].node)
            if found is not None:
                iterator = label(found[0])
        content = next(b for b in block.blocks if b.type == "content")
        out = []
        for key, item in items:
            bound = {**scope.bindings, iterator: {"key": key, "value": item}}
            out.append(self.block_value(content, scope.child(bindings=bound)))
        return out

    # -------------------------------------------------------- the tree

    def _eval(self, node: Any, scope: Scope) -> Any:
        if isinstance(node, Token):
            if node.type == "STRING_LIT":
                return self._template(str(node)[1:-1], scope, escaped=True)
            return str(node)
        if not isinstance(node, Tree):
            return None
        kind = node.data
        children = [c for c in node.children]
        if kind == "expr_term":
            inner = [c for c in children if not (isinstance(c, Token) and c.type.startswith("_"))]
            return self._eval(inner[0], scope) if inner else None
        if kind == "int_lit":
            return int("".join(str(c) for c in children))
        if kind == "float_lit":
            text = "".join(str(c) for c in children)
            try:
                return float(text)
            except ValueError:
                return Symbolic(text, (), "not a number")
        if kind == "identifier":
            return self._traversal(node, [], scope)
        if kind in ("get_attr_expr_term", "index_expr_term", "attr_splat_expr_term", "full_splat_expr_term"):
            flat = _flatten(node)
            if flat is not None:
                return self._traversal(flat[0], flat[1], scope)
            return self._apply_steps(node, scope)
        if kind == "tuple":
            return [self._eval(c, scope) for c in children if isinstance(c, Tree)]
        if kind == "object":
            out: dict[str, Any] = {}
            for elem in children:
                if not isinstance(elem, Tree) or elem.data != "object_elem":
                    continue
                parts = [
                    c
                    for c in elem.children
                    if isinstance(c, Tree) or (isinstance(c, Token) and c.type == "STRING_LIT")
                ]
                if len(parts) < 2:
                    continue
                key_node = parts[0]
                if isinstance(key_node, Tree) and key_node.data == "identifier":
                    key: Any = label(key_node)
                else:
                    key = self._eval(key_node, scope)
                out[key if isinstance(key, str) else str(settle(key))] = self._eval(parts[-1], scope)
            return out
        if kind == "function_call":
            name = label(children[0])
            args_node = next((c for c in children[1:] if isinstance(c, Tree) and c.data == "arguments"), None)
            args = [c for c in args_node.children if isinstance(c, Tree)] if args_node is not None else []
            return self._call(name, args, scope)
        if kind == "heredoc_template":
            return self._template(heredoc_text(str(children[0]), False), scope, escaped=False)
        if kind == "heredoc_template_trim":
            return self._template(heredoc_text(str(children[0]), True), scope, escaped=False)
        if kind == "conditional":
            parts = [c for c in children if isinstance(c, Tree)]
            condition = self._eval(parts[0], scope)
            if isinstance(condition, bool):
                return self._eval(parts[1] if condition else parts[2], scope)
            a, b = self._eval(parts[1], scope), self._eval(parts[2], scope)
            if a == b and is_known(a):
                return a
            return unknown(condition, a, b)
        if kind == "unary_op":
            op = str(children[0])
            value = self._eval(children[1], scope)
            if op == "!" and isinstance(value, bool):
                return not value
            if op == "-" and isinstance(value, (int, float)) and not isinstance(value, bool):
                return -value
            return unknown(value)
        if kind == "binary_op":
            return self._binary_chain(node, scope)
        if kind in ("for_tuple_expr", "for_object_expr"):
            return self._for(node, scope)
        if kind == "provider_function_call":
            return Symbolic(UNKNOWN_TEXT, (), "provider functions are not evaluated offline")
        inner_trees = [c for c in children if isinstance(c, Tree)]
        if len(inner_trees) == 1:
            return self._eval(inner_trees[0], scope)
        return Symbolic(UNKNOWN_TEXT, (), f"{kind} is not evaluated offline")

    def _binary_chain(self, node: Any, scope: Scope) -> Any:
        """Operators in HCL's precedence. The grammar nests them right to left whatever the
        operator (`a && b ? 1 : 0` reads as `a && (b ? 1 : 0)`): flatten, then re-associate."""
        items: list[Any] = []

        def flatten(item: Any) -> None:
            # a binary_op inside an expr_term was parenthesized: one operand
            if isinstance(item, Tree) and item.data == "binary_op":
                flatten(item.children[0])
                term = item.children[1]
                items.append(str(term.children[0].children[0]))
                flatten([c for c in term.children[1:] if isinstance(c, Tree)][0])
            else:
                items.append(item)

        flatten(node)
        tail = items[-1]
        if isinstance(tail, Tree) and tail.data == "conditional":
            parts = [c for c in tail.children if isinstance(c, Tree)]
            items[-1] = parts[0]
            condition = self._reduce(items, scope)
            if isinstance(condition, bool):
                return self._eval(parts[1] if condition else parts[2], scope)
            return unknown(condition, self._eval(parts[1], scope), self._eval(parts[2], scope))
        return self._reduce(items, scope)

    def _reduce(self, items: list[Any], scope: Scope) -> Any:
        values: list[Any] = []
        ops: list[str] = []
        for index, item in enumerate(items):
            if index % 2:
                while ops and _PRECEDENCE.get(ops[-1], 0) >= _PRECEDENCE.get(item, 0):
                    right, left = values.pop(), values.pop()
                    values.append(apply_operator(ops.pop(), left, right))
                ops.append(item)
            else:
                values.append(self._eval(item, scope))
        while ops:
            right, left = values.pop(), values.pop()
            values.append(apply_operator(ops.pop(), left, right))
        return values[0] if values else None

    def _apply_steps(self, node: Any, scope: Scope) -> Any:
        """Traversals on a non-identifier base: `jsondecode(x).a`, `(local.m)["k"]`."""
        base_node, step = node.children[0], node.children[1]
        base = self._eval(base_node, scope)
        if node.data == "get_attr_expr_term":
            return step_into(base, label(step.children[0]))
        if node.data == "index_expr_term":
            inner = [c for c in step.children if isinstance(c, Tree)]
            key = self._eval(inner[0], scope) if inner else int("".join(str(c) for c in step.children))
            return step_into(base, key)
        return unknown(base)

    # -------------------------------------------------------- templates

    def _template(self, text: str, scope: Scope, *, escaped: bool) -> Any:
        parts: list[Any] = []
        for is_expression, piece in template_pieces(text):
            if not is_expression:
                if piece.startswith("%"):
                    # `%{ if }`/`%{ for }` directives: what they render is unknown here
                    parts.append(Symbolic(UNKNOWN_TEXT, (), "template directives are not evaluated"))
                    continue
                parts.append(unescape(piece) if escaped else piece)
                continue
            parts.append(self._interpolation(piece, scope))
        if len(parts) == 1 and not isinstance(parts[0], str):
            return parts[0]  # "${x}" is x itself, whatever its type
        if all(
            isinstance(p, (str, int, float, bool)) and not isinstance(p, bool) or isinstance(p, str)
            for p in parts
        ):
            return "".join(str(p) for p in parts)
        flat: list[Any] = []
        for part in parts:
            if isinstance(part, bool):
                part = "true" if part else "false"
            if isinstance(part, (int, float)):
                part = str(part)
            if isinstance(part, str) and flat and isinstance(flat[-1], str):
                flat[-1] += part
            elif isinstance(part, Partial):
                flat.extend(part.parts)
            else:
                flat.append(part)
        return Partial(tuple(flat))

    def _interpolation(self, source: str, scope: Scope) -> Any:
        try:
            tree = hcl_parser().parse(f"__x = {source}\n")
            attribute = tree.children[0].children[0] if tree.children else None
            node = attribute.children[1] if isinstance(attribute, Tree) else None
        except (LarkError, RecursionError, IndexError):
            return Symbolic("${" + source + "}", (), "interpolation not understood")
        return self.value(node, scope.child())

    # -------------------------------------------------------- for expressions

    def _for(self, node: Tree[Any], scope: Scope) -> Any:
        parts = [c for c in node.children if isinstance(c, Tree)]
        intro, body = parts[0], parts[1:]
        names = [label(c) for c in intro.children if isinstance(c, Tree) and c.data == "identifier"]
        collection_node = [c for c in intro.children if isinstance(c, Tree) and c.data != "identifier"]
        collection = self._eval(collection_node[-1], scope) if collection_node else None
        condition = body[-1] if body and body[-1].data == "for_cond" else None
        if condition is not None:
            body = body[:-1]
        if not is_known(collection) or not isinstance(collection, (list, dict)):
            return unknown(collection, *(self._eval(b, scope) for b in body))
        is_object = node.data == "for_object_expr"
        out_list: list[Any] = []
        out_map: dict[str, Any] = {}
        for key, item in _items(collection)[:MAX_ITEMS]:
            bound = dict(scope.bindings)
            if len(names) == 2:
                bound[names[0]], bound[names[1]] = key, item
            elif names:
                bound[names[0]] = item
            inner = scope.child(bindings=bound)
            if condition is not None:
                test = self._eval([c for c in condition.children if isinstance(c, Tree)][0], inner)
                if test is False:
                    continue
                if not isinstance(test, bool):
                    return unknown(collection, test)
            if is_object:
                k = self._eval(body[0], inner)
                v = self._eval(body[1], inner)
                if not isinstance(k, str):
                    return unknown(collection, k, v)
                out_map[k] = v
            else:
                out_list.append(self._eval(body[0], inner))
        return out_map if is_object else out_list

    # -------------------------------------------------------- references

    def _traversal(self, root_node: Any, steps: list[tuple[str, Any]], scope: Scope) -> Any:
        root = label(root_node)
        resolved: list[tuple[str, Any]] = []
        for kind, arg in steps:
            if kind == "index":
                resolved.append(("index", self._eval(arg, scope)))
            elif kind == "literal":
                resolved.append(("index", arg))
            else:
                resolved.append((kind, arg))
        if root in scope.bindings:
            return walk_steps(scope.bindings[root], resolved)
        if root in _LITERALS and not resolved:
            return _LITERALS[root]
        if root == "var" and resolved and resolved[0][0] == "attr":
            return walk_steps(self.variable(str(resolved[0][1]), scope), resolved[1:])
        if root == "local" and resolved and resolved[0][0] == "attr":
            return walk_steps(self.local(str(resolved[0][1]), scope), resolved[1:])
        if root == "each" and resolved and resolved[0][0] == "attr":
            value = scope.each_key if resolved[0][1] == "key" else scope.each_value
            if value is UNSET:
                return Symbolic(f"${{each.{resolved[0][1]}}}", (), "each is unknown here")
            return walk_steps(value, resolved[1:])
        if root == "count" and resolved and resolved[0][1] == "index":
            if scope.count_index is UNSET:
                return Symbolic("${count.index}", (), "count.index is unknown here")
            return scope.count_index
        if root == "path":
            # absolute, so that `file("${path.module}/x.json")` reads the module's file
            folder = self.config.root if resolved and resolved[0][1] in ("root", "cwd") else scope.module.dir
            return os.path.abspath(folder)
        if root == "terraform":
            return "default"
        if root == "module" and resolved and resolved[0][0] == "attr":
            return self._module_output(str(resolved[0][1]), resolved[1:], scope)
        if root == "data" and len(resolved) >= 2:
            relative = f"data.{resolved[0][1]}.{resolved[1][1]}"
            return self._resource_ref(relative, resolved[2:], scope)
        if root in ("self", "count", "each"):
            return Symbolic(UNKNOWN_TEXT, (), f"{root} is unknown here")
        if resolved and resolved[0][0] == "attr":
            return self._resource_ref(f"{root}.{resolved[0][1]}", resolved[1:], scope)
        return Symbolic("${" + root + "}", (), f"unknown name {root}")

    def variable(self, name: str, scope: Scope) -> Any:
        if name in scope.inputs:
            return scope.inputs[name]
        if not scope.address and name in scope.module.tfvars:
            return scope.module.tfvars[name]
        block = scope.module.variables.get(name)
        if block is not None and "default" in block.attrs:
            return self.value(block.attrs["default"].node, scope.child(bindings={}))
        return Symbolic(f"${{var.{name}}}", (), f"variable {name} has no value in the configuration")

    def local(self, name: str, scope: Scope) -> Any:
        key = (scope.address + "@" + scope.module.dir, name)
        if key in self._locals:
            return self._locals[key]
        attr = scope.module.locals.get(name)
        if attr is None or key in self._in_progress:
            return Symbolic(f"${{local.{name}}}", (), f"local {name} is not defined")
        self._in_progress.add(key)
        try:
            plain = Scope(scope.config, scope.module, scope.address, scope.inputs, depth=scope.depth + 1)
            value = self.value(attr.node, plain)
        finally:
            self._in_progress.discard(key)
        self._locals[key] = value
        return value

    def _module_output(self, name: str, rest: list[tuple[str, Any]], scope: Scope) -> Any:
        key: Any = UNSET
        if rest and rest[0][0] == "index":
            key, rest = rest[0][1], rest[1:]
        text = f"${{module.{name}}}"
        if not rest:
            return self._module_object(name, key, scope)
        instance = self.config.module_scope(scope, name, key)
        if instance is None or not rest or rest[0][0] != "attr":
            refs = tuple(a for a in self.config.addresses_under(scope.absolute(f"module.{name}")))
            return Symbolic(text, refs, "module output unknown")
        output = instance.module.outputs.get(str(rest[0][1]))
        if output is None or "value" not in output.attrs:
            return Symbolic(text, (), f"module {name} has no output {rest[0][1]}")
        return walk_steps(self.value(output.attrs["value"].node, instance), rest[1:])

    def _module_object(self, name: str, key: Any, scope: Scope) -> Any:
        """`module.m` as a value: its outputs, or (with for_each/count) a map of them by key."""
        call = scope.module.calls.get(name)
        if call is None:
            return Symbolic(f"${{module.{name}}}", (), f"no module {name}")

        def outputs(instance_key: Any) -> Any:
            instance = self.config.module_scope(scope, name, instance_key)
            if instance is None:
                return Symbolic(f"${{module.{name}}}", (), "module not followed")
            return {
                out: self.value(block.attrs["value"].node, instance)
                for out, block in instance.module.outputs.items()
                if "value" in block.attrs
            }

        keys = self.config.instance_keys(call, scope)
        if key is not UNSET or keys is None:
            return outputs(key)
        if "for_each" in call.attrs:
            return {str(k): outputs(k) for k in keys}
        return [outputs(k) for k in keys]

    def _resource_ref(self, relative: str, rest: list[tuple[str, Any]], scope: Scope) -> Any:
        base = scope.absolute(relative)
        text = relative
        address = base
        if rest and rest[0][0] == "index" and isinstance(rest[0][1], (str, int)):
            address = base + key_text(rest[0][1])
            text += key_text(rest[0][1])
            rest = rest[1:]
        elif rest and rest[0][0] in ("index", "splat"):
            text += "[*]"
            rest = rest[1:]
        attribute = rest[0][1] if rest and rest[0][0] == "attr" else None
        if attribute is not None:
            text += f".{attribute}"
            known = self.config.known_attribute(scope, relative, address, str(attribute))
            if known is not UNSET:
                return walk_steps(known, rest[1:])
        # a whole resource, or an attribute of one: what a rule reads (a queue's `url` is not its ARN)
        named = ((address, str(attribute)),) if attribute is not None else ()
        return Symbolic("${" + text + "}", (address,), "unknown at plan time", named)

    # -------------------------------------------------------- functions

    def _call(self, name: str, arg_nodes: list[Any], scope: Scope) -> Any:
        if name == "try":
            for node in arg_nodes:
                value = self._eval(node, scope)
                if not (isinstance(value, Symbolic) and not value.references):
                    return value
            return unknown()
        args = [self._eval(n, scope) for n in arg_nodes]
        if name == "jsonencode" and args:
            return json.dumps(args[0], separators=(",", ":")) if is_known(args[0]) else Encoded(args[0])
        if name in ("file", "templatefile") and args and isinstance(args[0], str):
            return self._file(args[0], args[1] if len(args) > 1 else None, scope, name == "templatefile")
        function = FUNCTIONS.get(name)
        if function is None:
            return unknown(*args, reason=f"function {name}() is not evaluated offline")
        if not all(is_known(a) for a in args):
            if name in ("concat", "flatten", "compact", "distinct", "tolist", "toset") and all(
                isinstance(a, list) for a in args
            ):
                try:
                    return function(*args)
                except (TypeError, ValueError, KeyError, IndexError, AttributeError):
                    pass
            if name in ("merge",) and all(isinstance(a, Mapping) for a in args):
                return function(*args)
            return unknown(*args)
        try:
            return function(*args)
        except (TypeError, ValueError, KeyError, IndexError, AttributeError, OverflowError, RecursionError):
            return unknown(*args, reason=f"{name}() failed on these arguments")

    def _file(self, path: str, variables: Any, scope: Scope, template: bool) -> Any:
        # relative paths are relative to where Terraform runs: the root module's folder
        full = path if os.path.isabs(path) else os.path.join(self.config.root, path)
        full = os.path.normpath(full)
        try:
            text = Path(full).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return Symbolic(f"${{file({path!r})}}", (), f"cannot read {path}")
        self.config.read_files[full] = tuple(text.splitlines())
        if not template:
            return text
        bound = dict(variables) if isinstance(variables, Mapping) else {}
        inner = Scope(
            self.config, scope.module, scope.address, scope.inputs, bindings=bound, depth=scope.depth + 1
        )
        return self._template(text, inner, escaped=False)


def _items(collection: Any) -> list[tuple[Any, Any]]:
    if isinstance(collection, Mapping):
        return [(k, collection[k]) for k in sorted(collection)]
    if isinstance(collection, list):
        return list(enumerate(collection))
    return []


def step_into(value: Any, key: Any) -> Any:
    if isinstance(value, Mapping) and isinstance(key, str):
        return value.get(key, Symbolic(UNKNOWN_TEXT, references_in(value), f"no key {key}"))
    if isinstance(value, list) and isinstance(key, int) and not isinstance(key, bool):
        return (
            value[key]
            if -len(value) <= key < len(value)
            else Symbolic(UNKNOWN_TEXT, (), "index out of range")
        )
    if isinstance(value, list) and isinstance(key, str):
        return [step_into(v, key) for v in value]  # a splat's attribute
    return unknown(value, key)


def walk_steps(value: Any, steps: Sequence[tuple[str, Any]]) -> Any:
    for kind, arg in steps:
        if isinstance(value, Symbolic):
            suffix = (
                f".{arg}"
                if kind == "attr"
                else "[*]"
                if kind == "splat"
                else key_text(arg)
                if isinstance(arg, (str, int))
                else "[?]"
            )
            text = value.text[:-1] + suffix + "}" if value.text.startswith("${") else value.text
            value = Symbolic(text, value.references, value.reason)
            continue
        if kind == "splat":
            value = value if isinstance(value, list) else [value]
            continue
        value = step_into(value, arg)
    return value
