"""Terraform configuration (`.tf` sources) into what the plan loader needs.

Two uses, one reader:

- beside a plan, the sources say where each resource is written (file and
  line of its block and of its attributes) and what a policy the plan holds
  as "known after apply" will say: `jsonencode({...})`, heredocs and
  `templatefile()` are evaluated with every unknown part kept symbolic;
- without a plan, a folder of `.tf` files becomes a plan-shaped document
  (`resource_changes` and `configuration`) built from the configuration alone,
  which the plan loader then reads like any plan: the same model, with
  unknowns where a plan would know more.

Parsing is python-hcl2's grammar (the `bc-python-hcl2` distribution, see
pyproject.toml); evaluation is ours, over its syntax tree, because no HCL
library evaluates expressions with unknowns. Every reference to a resource
stays a `Symbolic` that names the resource (`${aws_dynamodb_table.t.arn}` ->
`aws_dynamodb_table.t`); `var.x` and `local.y` are resolved where the
configuration says (defaults, `terraform.tfvars`, module arguments); what
stays unknown is unknown, never `*`. Nothing is executed and no network is
used: remote modules are reported as not followed.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lark import Token, Tree
from lark.exceptions import LarkError, UnexpectedInput

from boundary.load._errors import SourceError
from boundary.model import Location, Symbolic

__all__ = [
    "PLAN_ADVICE",
    "ConfigSources",
    "is_configuration_dir",
    "read_configuration",
]

PLAN_ADVICE = (
    "scanned Terraform sources without a plan: values known only at plan time stay unknown; "
    "scan the output of `terraform show -json` beside the sources for better results"
)
_UNKNOWN = "(known after apply)"
_MAX_DEPTH = 24
_MAX_ITEMS = 1000  # for_each/count expansions, range(): what a real configuration needs
_LOCAL_SOURCE = ("./", "../", ".\\", "..\\")
_CREDENTIAL_ATTRIBUTES = ("access_key", "secret_key", "token")


def _parser() -> Any:
    from hcl2.parser import Hcl2  # the grammar of python-hcl2, compiled once by lark

    return Hcl2.lark_parser


# ---------------------------------------------------------------- syntax


@dataclass(slots=True)
class Attr:
    name: str
    node: Any
    file: str
    line: int
    column: int


@dataclass(slots=True)
class Block:
    type: str
    labels: tuple[str, ...]
    file: str
    line: int
    column: int
    attrs: dict[str, Attr] = field(default_factory=dict)
    blocks: list[Block] = field(default_factory=list)


@dataclass(slots=True)
class Module:
    """The `.tf` files of one folder."""

    dir: str
    files: dict[str, tuple[str, ...]] = field(default_factory=dict)
    resources: dict[str, Block] = field(default_factory=dict)  # "aws_x.y" / "data.aws_x.y"
    variables: dict[str, Block] = field(default_factory=dict)
    locals: dict[str, Attr] = field(default_factory=dict)
    outputs: dict[str, Block] = field(default_factory=dict)
    calls: dict[str, Block] = field(default_factory=dict)
    providers: list[Block] = field(default_factory=list)
    tfvars: dict[str, Any] = field(default_factory=dict)


def _label(token: Any) -> str:
    if isinstance(token, Tree) and token.data == "identifier":
        return str(token.children[0])
    text = str(token)
    return text[1:-1] if text.startswith('"') and text.endswith('"') else text


def _position(node: Any) -> tuple[int, int]:
    if isinstance(node, Token):
        return node.line or 0, node.column or 0
    meta = getattr(node, "meta", None)
    if meta is not None and not getattr(meta, "empty", True):
        return meta.line, meta.column
    return 0, 0


def _body(tree: Any, file: str, into: Block) -> None:
    for item in tree.children:
        if not isinstance(item, Tree):
            continue
        if item.data == "attribute":
            name = _label(item.children[0])
            line, column = _position(item)
            into.attrs[name] = Attr(name, item.children[1], file, line, column)
        elif item.data == "block":
            parts = item.children
            body = next(p for p in reversed(parts) if isinstance(p, Tree) and p.data == "body")
            labels = tuple(_label(p) for p in parts[1:] if p is not body)
            line, column = _position(item)
            block = Block(_label(parts[0]), labels, file, line, column)
            _body(body, file, block)
            into.blocks.append(block)


def parse_file(file: str, text: str) -> Block:
    """A `.tf` file as one block of its top-level attributes and blocks; bad HCL is a `SourceError`."""
    try:
        tree = _parser().parse(text.removeprefix("\ufeff") + "\n")
    except UnexpectedInput as error:
        line, column = getattr(error, "line", 0) or 0, getattr(error, "column", 0) or 0
        raise SourceError(file, max(line, 0), max(column, 0), "invalid HCL: unexpected input") from None
    except (LarkError, RecursionError) as error:
        raise SourceError(file, 1, 1, f"invalid HCL: {type(error).__name__}") from None
    top = Block("file", (), file, 1, 1)
    body = next((c for c in tree.children if isinstance(c, Tree) and c.data == "body"), None)
    if body is not None:
        _body(body, file, top)
    return top


def _tf_files(folder: str) -> list[str]:
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return []
    return [
        os.path.join(folder, n)
        for n in names
        if n.endswith(".tf") and os.path.isfile(os.path.join(folder, n))
    ]


def is_configuration_dir(folder: str) -> bool:
    """Whether a folder holds Terraform configuration that declares something."""
    return bool(_tf_files(folder))


def read_module(folder: str, errors: list[SourceError]) -> Module:
    module = Module(dir=folder)
    for file in _tf_files(folder):
        try:
            text = Path(file).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            errors.append(SourceError(file, 0, 0, f"cannot read file: {error}"))
            continue
        module.files[file] = tuple(text.splitlines())
        try:
            top = parse_file(file, text)
        except SourceError as error:
            errors.append(error)
            continue
        for block in top.blocks:
            kind, labels = block.type, block.labels
            if kind == "resource" and len(labels) == 2:
                module.resources.setdefault(f"{labels[0]}.{labels[1]}", block)
            elif kind == "data" and len(labels) == 2:
                module.resources.setdefault(f"data.{labels[0]}.{labels[1]}", block)
            elif kind == "variable" and labels:
                module.variables.setdefault(labels[0], block)
            elif kind == "locals":
                for name, attr in block.attrs.items():
                    module.locals.setdefault(name, attr)
            elif kind == "output" and labels:
                module.outputs.setdefault(labels[0], block)
            elif kind == "module" and labels:
                module.calls.setdefault(labels[0], block)
            elif kind == "provider" and labels:
                module.providers.append(block)
    return module


# ---------------------------------------------------------------- values


@dataclass(frozen=True, slots=True)
class Partial:
    """A string template with unknown parts: `"${aws_s3_bucket.b.arn}/*"`, a heredoc."""

    parts: tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class Encoded:
    """`jsonencode(value)` of a value with unknown parts: the value, kept as structure."""

    value: Any


def _unknowns(value: Any) -> Iterator[Symbolic]:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, Symbolic):
            yield item
        elif isinstance(item, Partial):
            stack.extend(item.parts)
        elif isinstance(item, Encoded):
            stack.append(item.value)
        elif isinstance(item, Mapping):
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)


def is_known(value: Any) -> bool:
    return next(_unknowns(value), None) is None


def _refs(*values: Any) -> tuple[str, ...]:
    out: list[str] = []
    for value in values:
        for symbolic in _unknowns(value):
            out.extend(symbolic.references)
    return tuple(dict.fromkeys(out))


def _attributes(*values: Any) -> tuple[tuple[str, str], ...]:
    out: list[tuple[str, str]] = []
    for value in values:
        for symbolic in _unknowns(value):
            out.extend(symbolic.attributes)
    return tuple(dict.fromkeys(out))


def unknown(*values: Any, text: str = _UNKNOWN, reason: str = "unknown at plan time") -> Symbolic:
    """An unknown made from `values`: it mentions every resource (and resource attribute)
    they mention."""
    return Symbolic(text, _refs(*values), reason, _attributes(*values))


def _part_text(part: Any) -> str:
    if isinstance(part, str):
        return part
    if isinstance(part, Symbolic) and part.text.startswith("${"):
        return part.text
    if isinstance(part, Symbolic):
        return "${" + part.text + "}"
    return "${" + _UNKNOWN + "}"


def settle(value: Any) -> Any:
    """Plain JSON-like values with `Symbolic` leaves: what the model holds."""
    if isinstance(value, Partial):
        text = "".join(_part_text(p) for p in value.parts)
        return Symbolic(text, _refs(value), "unknown at plan time", _attributes(value))
    if isinstance(value, Encoded):
        return unknown(value)
    if isinstance(value, Mapping):
        return {str(k): settle(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [settle(v) for v in value]
    return value


# private-use characters mark where an unknown part sits in a template's JSON text
_PLACEHOLDER = re.compile("\ue000(\\d+)\ue001")


def as_document(value: Any) -> Any:
    """A policy document from an attribute value: JSON text, `jsonencode` structure, or a
    template (heredoc) whose unknown parts become symbolic values in the parsed JSON."""
    if isinstance(value, Encoded):
        return settle(value.value)
    if isinstance(value, Mapping):
        return settle(value)
    if isinstance(value, str):
        try:
            parsed = json.loads(value)
        except (ValueError, RecursionError):
            return None
        return parsed if isinstance(parsed, Mapping) else None
    if not isinstance(value, Partial):
        return None
    holes: list[Any] = []
    text = ""
    quotes = 0  # unescaped double quotes so far: odd inside a JSON string
    for part in value.parts:
        if isinstance(part, str):
            text += part
            quotes += len(re.findall(r'(?<!\\)"', part))
        else:
            # `"Resource": ${jsonencode(var.arns)}` sits outside a string: quote the hole
            hole = f"\ue000{len(holes)}\ue001"
            text += hole if quotes % 2 else f'"{hole}"'
            holes.append(part)
    try:
        parsed = json.loads(text)
    except (ValueError, RecursionError):
        return None

    def fill(item: Any) -> Any:
        if isinstance(item, Mapping):
            return {fill(k) if isinstance(k, str) else k: fill(v) for k, v in item.items()}
        if isinstance(item, list):
            return [fill(v) for v in item]
        if not isinstance(item, str) or "\ue000" not in item:
            return item
        pieces = _PLACEHOLDER.split(item)
        parts: list[Any] = []
        for index, piece in enumerate(pieces):
            if index % 2:
                parts.append(holes[int(piece)])
            elif piece:
                parts.append(piece)
        if len(parts) == 1 and not isinstance(parts[0], str):
            return settle(parts[0])
        return settle(Partial(tuple(parts)))

    filled = fill(parsed)
    return filled if isinstance(filled, Mapping) else None


# ---------------------------------------------------------------- templates and strings

_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}


def _unescape(text: str) -> str:
    out: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char == "\\" and index + 1 < len(text):
            nxt = text[index + 1]
            if nxt in _ESCAPES:
                out.append(_ESCAPES[nxt])
                index += 2
                continue
            if nxt in "uU":
                width = 4 if nxt == "u" else 8
                digits = text[index + 2 : index + 2 + width]
                try:
                    out.append(chr(int(digits, 16)))
                    index += 2 + width
                    continue
                except ValueError:
                    pass
        out.append(char)
        index += 1
    return "".join(out)


def _template_pieces(text: str) -> Iterator[tuple[bool, str]]:
    """(is_expression, text) pieces of a template: `${...}` interpolations (nested braces
    and quotes respected), `%{...}` directives, and literal text (`$${` is a literal `${`)."""
    index, start = 0, 0
    while index < len(text):
        if text.startswith("$${", index) or text.startswith("%%{", index):
            yield False, text[start:index] + text[index + 1 : index + 3]
            index += 3
            start = index
            continue
        if text.startswith("${", index) or text.startswith("%{", index):
            depth, cursor, quote = 0, index + 1, False
            while cursor < len(text):
                char = text[cursor]
                if quote:
                    if char == "\\":
                        cursor += 1
                    elif char == '"':
                        quote = False
                elif char == '"':
                    quote = True
                elif char == "{":
                    depth += 1
                elif char == "}":
                    depth -= 1
                    if depth == 0:
                        break
                cursor += 1
            if start < index:
                yield False, text[start:index]
            inner = text[index + 2 : cursor].strip().strip("~").strip()
            yield (text[index] == "$"), ("%" + inner if text[index] == "%" else inner)
            index = cursor + 1
            start = index
            continue
        index += 1
    if start < len(text):
        yield False, text[start:]


def _heredoc_text(token: str, trim: bool) -> str:
    first, _, rest = token.partition("\n")
    body = rest.rsplit("\n", 1)[0] if "\n" in rest else ""
    lines = body.split("\n")
    if trim:
        widths = [len(line) - len(line.lstrip(" ")) for line in lines if line.strip()]
        cut = min(widths) if widths else 0
        lines = [line[cut:] for line in lines]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- evaluation


class _Unset:
    pass


_UNSET: Any = _Unset()


@dataclass(slots=True)
class Scope:
    """Where an expression is evaluated: a module instance, and `each`/`count` when set."""

    config: Configuration
    module: Module
    address: str  # "" for the root, `module.a["k"]` for a module instance
    inputs: Mapping[str, Any]  # variable values given by the module call (already evaluated)
    each_key: Any = _UNSET
    each_value: Any = _UNSET
    count_index: Any = _UNSET
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
            steps.append(("attr", _label(node.children[1].children[0])))
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


def _key_text(key: Any) -> str:
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
        if scope.depth > _MAX_DEPTH:
            return Symbolic(_UNKNOWN, (), "nested too deeply to evaluate")
        try:
            return self._eval(node, scope)
        except RecursionError:
            return Symbolic(_UNKNOWN, (), "nested too deeply to evaluate")

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

    def _dynamic(self, block: Block, scope: Scope) -> list[Any]:
        iterator = block.labels[0]
        if "iterator" in block.attrs:
            found = _flatten(block.attrs["iterator"].node)
            if found is not None:
                iterator = _label(found[0])
        collection = self.value(block.attrs["for_each"].node, scope) if "for_each" in block.attrs else None
        content = next((b for b in block.blocks if b.type == "content"), None)
        if content is None or not is_known(collection):
            return [unknown(collection, reason="dynamic block over values unknown at plan time")]
        out = []
        for key, item in _items(collection)[:_MAX_ITEMS]:
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
                    key: Any = _label(key_node)
                else:
                    key = self._eval(key_node, scope)
                out[key if isinstance(key, str) else str(settle(key))] = self._eval(parts[-1], scope)
            return out
        if kind == "function_call":
            name = _label(children[0])
            args_node = next((c for c in children[1:] if isinstance(c, Tree) and c.data == "arguments"), None)
            args = [c for c in args_node.children if isinstance(c, Tree)] if args_node is not None else []
            return self._call(name, args, scope)
        if kind == "heredoc_template":
            return self._template(_heredoc_text(str(children[0]), False), scope, escaped=False)
        if kind == "heredoc_template_trim":
            return self._template(_heredoc_text(str(children[0]), True), scope, escaped=False)
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
            return Symbolic(_UNKNOWN, (), "provider functions are not evaluated offline")
        inner_trees = [c for c in children if isinstance(c, Tree)]
        if len(inner_trees) == 1:
            return self._eval(inner_trees[0], scope)
        return Symbolic(_UNKNOWN, (), f"{kind} is not evaluated offline")

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
                    values.append(_binary(ops.pop(), left, right))
                ops.append(item)
            else:
                values.append(self._eval(item, scope))
        while ops:
            right, left = values.pop(), values.pop()
            values.append(_binary(ops.pop(), left, right))
        return values[0] if values else None

    def _apply_steps(self, node: Any, scope: Scope) -> Any:
        """Traversals on a non-identifier base: `jsondecode(x).a`, `(local.m)["k"]`."""
        base_node, step = node.children[0], node.children[1]
        base = self._eval(base_node, scope)
        if node.data == "get_attr_expr_term":
            return _step(base, _label(step.children[0]))
        if node.data == "index_expr_term":
            inner = [c for c in step.children if isinstance(c, Tree)]
            key = self._eval(inner[0], scope) if inner else int("".join(str(c) for c in step.children))
            return _step(base, key)
        return unknown(base)

    # -------------------------------------------------------- templates

    def _template(self, text: str, scope: Scope, *, escaped: bool) -> Any:
        parts: list[Any] = []
        for is_expression, piece in _template_pieces(text):
            if not is_expression:
                if piece.startswith("%"):
                    # `%{ if }`/`%{ for }` directives: what they render is unknown here
                    parts.append(Symbolic(_UNKNOWN, (), "template directives are not evaluated"))
                    continue
                parts.append(_unescape(piece) if escaped else piece)
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
            tree = _parser().parse(f"__x = {source}\n")
            attribute = tree.children[0].children[0] if tree.children else None
            node = attribute.children[1] if isinstance(attribute, Tree) else None
        except (LarkError, RecursionError, IndexError):
            return Symbolic("${" + source + "}", (), "interpolation not understood")
        return self.value(node, scope.child())

    # -------------------------------------------------------- for expressions

    def _for(self, node: Tree[Any], scope: Scope) -> Any:
        parts = [c for c in node.children if isinstance(c, Tree)]
        intro, body = parts[0], parts[1:]
        names = [_label(c) for c in intro.children if isinstance(c, Tree) and c.data == "identifier"]
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
        for key, item in _items(collection)[:_MAX_ITEMS]:
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
        root = _label(root_node)
        resolved: list[tuple[str, Any]] = []
        for kind, arg in steps:
            if kind == "index":
                resolved.append(("index", self._eval(arg, scope)))
            elif kind == "literal":
                resolved.append(("index", arg))
            else:
                resolved.append((kind, arg))
        if root in scope.bindings:
            return _walk(scope.bindings[root], resolved)
        if root in _LITERALS and not resolved:
            return _LITERALS[root]
        if root == "var" and resolved and resolved[0][0] == "attr":
            return _walk(self.variable(str(resolved[0][1]), scope), resolved[1:])
        if root == "local" and resolved and resolved[0][0] == "attr":
            return _walk(self.local(str(resolved[0][1]), scope), resolved[1:])
        if root == "each" and resolved and resolved[0][0] == "attr":
            value = scope.each_key if resolved[0][1] == "key" else scope.each_value
            if value is _UNSET:
                return Symbolic(f"${{each.{resolved[0][1]}}}", (), "each is unknown here")
            return _walk(value, resolved[1:])
        if root == "count" and resolved and resolved[0][1] == "index":
            if scope.count_index is _UNSET:
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
            return Symbolic(_UNKNOWN, (), f"{root} is unknown here")
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
        key: Any = _UNSET
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
        return _walk(self.value(output.attrs["value"].node, instance), rest[1:])

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
        if key is not _UNSET or keys is None:
            return outputs(key)
        if "for_each" in call.attrs:
            return {str(k): outputs(k) for k in keys}
        return [outputs(k) for k in keys]

    def _resource_ref(self, relative: str, rest: list[tuple[str, Any]], scope: Scope) -> Any:
        base = scope.absolute(relative)
        text = relative
        address = base
        if rest and rest[0][0] == "index" and isinstance(rest[0][1], (str, int)):
            address = base + _key_text(rest[0][1])
            text += _key_text(rest[0][1])
            rest = rest[1:]
        elif rest and rest[0][0] in ("index", "splat"):
            text += "[*]"
            rest = rest[1:]
        attribute = rest[0][1] if rest and rest[0][0] == "attr" else None
        if attribute is not None:
            text += f".{attribute}"
            known = self.config.known_attribute(scope, relative, address, str(attribute))
            if known is not _UNSET:
                return _walk(known, rest[1:])
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
        function = _FUNCTIONS.get(name)
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


def _step(value: Any, key: Any) -> Any:
    if isinstance(value, Mapping) and isinstance(key, str):
        return value.get(key, Symbolic(_UNKNOWN, _refs(value), f"no key {key}"))
    if isinstance(value, list) and isinstance(key, int) and not isinstance(key, bool):
        return value[key] if -len(value) <= key < len(value) else Symbolic(_UNKNOWN, (), "index out of range")
    if isinstance(value, list) and isinstance(key, str):
        return [_step(v, key) for v in value]  # a splat's attribute
    return unknown(value, key)


def _walk(value: Any, steps: Sequence[tuple[str, Any]]) -> Any:
    for kind, arg in steps:
        if isinstance(value, Symbolic):
            suffix = (
                f".{arg}"
                if kind == "attr"
                else "[*]"
                if kind == "splat"
                else _key_text(arg)
                if isinstance(arg, (str, int))
                else "[?]"
            )
            text = value.text[:-1] + suffix + "}" if value.text.startswith("${") else value.text
            value = Symbolic(text, value.references, value.reason)
            continue
        if kind == "splat":
            value = value if isinstance(value, list) else [value]
            continue
        value = _step(value, arg)
    return value


def _binary(op: str, left: Any, right: Any) -> Any:
    if not (is_known(left) and is_known(right)):
        return unknown(left, right)
    try:
        if op == "==":
            return bool(left == right)
        if op == "!=":
            return bool(left != right)
        if op in ("&&", "||") and isinstance(left, bool) and isinstance(right, bool):
            return (left and right) if op == "&&" else (left or right)
        numbers = {
            "+": lambda a, b: a + b,
            "-": lambda a, b: a - b,
            "*": lambda a, b: a * b,
            "/": lambda a, b: a / b,
            "%": lambda a, b: a % b,
            "<": lambda a, b: a < b,
            ">": lambda a, b: a > b,
            "<=": lambda a, b: a <= b,
            ">=": lambda a, b: a >= b,
        }
        if op in numbers and all(
            isinstance(v, (int, float)) and not isinstance(v, bool) for v in (left, right)
        ):
            return numbers[op](left, right)
    except (ArithmeticError, TypeError):
        pass
    return unknown(left, right)


def _tostring(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, str)):
        return str(value)
    raise TypeError("not a primitive")


def _format(spec: str, *args: Any) -> str:
    values = iter(args)
    return re.sub(
        r"%(%|[-+# 0-9.]*[sdvqft])", lambda m: "%" if m.group(1) == "%" else _tostring(next(values)), spec
    )


def _distinct(items: list[Any]) -> list[Any]:
    out: list[Any] = []
    for item in items:
        if item not in out:
            out.append(item)
    return out


def _flatten_list(items: Any) -> list[Any]:
    out: list[Any] = []
    for item in items:
        out.extend(_flatten_list(item) if isinstance(item, list) else [item])
    return out


def _lookup(mapping: Mapping[str, Any], key: str, *default: Any) -> Any:
    return mapping[key] if key in mapping or not default else default[0]


_FUNCTIONS: Mapping[str, Callable[..., Any]] = {
    "lower": lambda s: s.lower(),
    "upper": lambda s: s.upper(),
    "trimspace": lambda s: s.strip(),
    "tostring": _tostring,
    "tonumber": lambda v: v if isinstance(v, (int, float)) else float(v) if "." in v else int(v),
    "tobool": lambda v: v if isinstance(v, bool) else {"true": True, "false": False}[v],
    "tolist": lambda v: list(v),
    "toset": lambda v: sorted(_distinct(list(v)), key=json.dumps),
    "tomap": lambda v: dict(v),
    "format": _format,
    "join": lambda sep, *lists: sep.join(_tostring(x) for lst in lists for x in lst),
    "split": lambda sep, s: s.split(sep),
    "replace": lambda s, a, b: (
        re.sub(a[1:-1], b, s) if len(a) > 1 and a.startswith("/") and a.endswith("/") else s.replace(a, b)
    ),
    "concat": lambda *lists: [x for lst in lists for x in lst],
    "flatten": _flatten_list,
    "compact": lambda items: [x for x in items if x not in ("", None)],
    "distinct": _distinct,
    "merge": lambda *maps: {k: v for m in maps if isinstance(m, Mapping) for k, v in m.items()},
    "length": lambda v: len(v),
    "keys": lambda m: sorted(m),
    "values": lambda m: [m[k] for k in sorted(m)],
    "lookup": _lookup,
    "element": lambda items, i: items[i % len(items)],
    "coalesce": lambda *items: next(x for x in items if x not in ("", None)),
    "contains": lambda items, v: v in items,
    "jsondecode": lambda s: json.loads(s),
    "range": lambda *a: list(range(*a))[:_MAX_ITEMS],
    "substr": lambda s, off, n: s[off : (off + n if n >= 0 else None)],
    "title": lambda s: s.title(),
    "trimprefix": lambda s, p: s.removeprefix(p),
    "trimsuffix": lambda s, p: s.removesuffix(p),
    "abs": abs,
    "max": max,
    "min": min,
    "zipmap": lambda ks, vs: dict(zip(ks, vs, strict=False)),
    "one": lambda items: items[0] if len(items) == 1 else None,
    "sort": lambda items: sorted(items),
    "startswith": lambda s, p: s.startswith(p),
    "endswith": lambda s, p: s.endswith(p),
}


# ---------------------------------------------------------------- a whole configuration


@dataclass(slots=True)
class ResourceInstance:
    address: str
    module_address: str
    relative: str  # "aws_x.y" or "data.aws_x.y"
    index: Any
    block: Block
    scope: Scope


def _module_steps(address: str) -> list[tuple[str, Any]]:
    """`module.a["k"].module.b` -> [("a", "k"), ("b", _UNSET)]."""
    steps = []
    for match in re.finditer(r'module\.([A-Za-z_][\w-]*)(\[(?:"(?:[^"\\]|\\.)*"|[0-9]+)\])?', address):
        key: Any = _UNSET
        if match.group(2):
            try:
                key = json.loads(match.group(2)[1:-1])
            except ValueError:
                key = _UNSET
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
        if call is None or parent.depth > _MAX_DEPTH:
            return None
        address = parent.absolute(f"module.{name}") + (_key_text(key) if key is not _UNSET else "")
        if address in self._scopes:
            return self._scopes[address]
        self._scopes[address] = None  # a cycle reads as unknown
        folder = self.child_folder(parent.module, call)
        if folder is None:
            return None
        module = self._module(folder)
        plain = Scope(self, parent.module, parent.address, parent.inputs, depth=parent.depth + 1)
        each_value: Any = _UNSET
        count_index: Any = _UNSET
        if key is not _UNSET and "for_each" in call.attrs:
            collection = self.evaluator.value(call.attrs["for_each"].node, plain)
            each_value = _step(collection, key) if isinstance(collection, Mapping) else key
        elif key is not _UNSET and "count" in call.attrs:
            count_index = key
        call_scope = plain.child(
            each_key=key if "for_each" in call.attrs else _UNSET,
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
        for name, key in _module_steps(module_address):
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
                return sorted(collection)[:_MAX_ITEMS]
            if isinstance(collection, list) and all(isinstance(i, str) for i in collection):
                return sorted(set(collection))[:_MAX_ITEMS]
            return None
        if "count" in block.attrs:
            count = self.evaluator.value(block.attrs["count"].node, scope)
            if isinstance(count, int) and not isinstance(count, bool):
                return list(range(max(0, min(count, _MAX_ITEMS))))
            return None
        return None

    def module_instances(self) -> Iterator[Scope]:
        stack = [self.root_scope()]
        while stack:
            scope = stack.pop()
            yield scope
            if scope.depth > _MAX_DEPTH:
                continue
            children = []
            for name, call in scope.module.calls.items():
                keys = self._keys(call, scope)
                for key in keys if keys is not None else [_UNSET]:
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
                        each_key=key if "for_each" in block.attrs else _UNSET,
                        each_value=self._each_value(block, scope, key),
                        count_index=key if "count" in block.attrs else _UNSET,
                    )
                    out.append(
                        ResourceInstance(base + _key_text(key), scope.address, relative, key, block, inner)
                    )
        self._instances = out
        return out

    def _each_value(self, block: Block, scope: Scope, key: Any) -> Any:
        if "for_each" not in block.attrs:
            return _UNSET
        collection = self.evaluator.value(block.attrs["for_each"].node, scope)
        return _step(collection, key) if isinstance(collection, Mapping) else key

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
            each_key=index if "for_each" in block.attrs else _UNSET,
            each_value=self._each_value(block, scope, index),
            count_index=index if "count" in block.attrs else _UNSET,
        )

    def known_attribute(self, scope: Scope, relative: str, address: str, attribute: str) -> Any:
        """A resource attribute the configuration sets to a value known before apply, as a
        plan would know it (`aws_dynamodb_table.t.name`); `_UNSET` otherwise."""
        block = scope.module.resources.get(relative)
        if block is None or attribute not in block.attrs or relative.startswith("data."):
            return _UNSET
        if ("for_each" in block.attrs or "count" in block.attrs) and address == scope.absolute(relative):
            return _UNSET
        key = (address, attribute)
        if key in self._known:
            return self._known[key]
        if key in self._known_in_progress:
            return _UNSET
        self._known_in_progress.add(key)
        try:
            index: Any = None
            if address != scope.absolute(relative):
                try:
                    index = json.loads(address[len(scope.absolute(relative)) + 1 : -1])
                except ValueError:
                    return _UNSET
            found = self.resource_scope(scope.address, relative, index)
            if found is None:
                return _UNSET
            value = self.evaluator.value(block.attrs[attribute].node, found[1])
        finally:
            self._known_in_progress.discard(key)
        result = value if is_known(value) and not isinstance(value, (Mapping, list)) else _UNSET
        self._known[key] = result
        return result


# ---------------------------------------------------------------- what the plan loader asks


def _localize(value: Any, known: Callable[[str], list[str]]) -> Any:
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
        return {k: _localize(v, known) for k, v in value.items()}
    if isinstance(value, list):
        return [_localize(v, known) for v in value]
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
        for name, key in _module_steps(module_address):
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

    def block_lines(self, address: str, block_type: str) -> list[Location]:
        """The location of each nested block of one type (`statement`) of a resource."""
        found = self._find(address)
        if found is None:
            return []
        return [
            Location(b.file, b.line, b.column, address=address)
            for b in found[0].blocks
            if b.type == block_type
        ]

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
            return _localize(document, known)
        if isinstance(value, Symbolic):
            return _localize(value, known)
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
            line, column = _position(item)
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
            line, column = _position(elem)
            if not line:
                line, column = _position(parts[0])
            if line:
                out[prefix + (key,)] = Location(file, line, column, address)
            _positions(parts[-1], file, (*prefix, key), address, out, depth + 1)
    elif node.data == "function_call" and node.children and _label(node.children[0]) == "jsonencode":
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
        return _label(node)
    if isinstance(node, Token) and node.type == "STRING_LIT":
        text = str(node)[1:-1]
        return None if "${" in text or "%{" in text else _unescape(text)
    return None


def read_configuration(folder: str) -> ConfigSources:
    return ConfigSources(Configuration(folder))


# ---------------------------------------------------------------- a plan from sources alone


def _relative_refs(value: Any, module_address: str) -> list[str]:
    prefix = f"{module_address}." if module_address else ""
    out = []
    for ref in _refs(value):
        if prefix and not ref.startswith(prefix):
            continue
        out.append(ref[len(prefix) :])
    return out


def _expressions(value: Any, module_address: str) -> Any:
    if isinstance(value, Mapping) and not isinstance(value, Encoded):
        return {k: _expressions(v, module_address) for k, v in value.items()}
    if isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
        return [_expressions(v, module_address) for v in value]
    if is_known(value):
        return {"constant_value": settle(value)}
    return {"references": _relative_refs(value, module_address)}


def synthetic_plan(sources: ConfigSources) -> dict[str, Any]:
    """A plan-shaped document from the configuration alone: every resource instance to be
    created with the values the configuration knows and symbolic values for the rest."""
    configuration = sources.configuration
    instances = configuration.instances()
    addresses = {i.address for i in instances}
    by_base: dict[str, list[str]] = {}
    for instance in instances:
        base = (
            instance.address[: -len(_key_text(instance.index))]
            if instance.index is not None
            else instance.address
        )
        by_base.setdefault(base, []).append(instance.address)

    def known(ref: str) -> list[str]:
        if ref in addresses:
            return [ref]
        return list(by_base.get(ref, ()))

    changes = []
    configs: dict[str, dict[str, Any]] = {"": {"resources": [], "module_calls": {}}}
    for instance in instances:
        values = configuration.evaluator.block_value(instance.block, instance.scope)
        waits = _relative_refs(values.get("depends_on"), instance.module_address)
        for meta in ("count", "for_each", "depends_on", "provider"):
            values.pop(meta, None)
        mode = "data" if instance.relative.startswith("data.") else "managed"
        rtype, name = instance.relative.removeprefix("data.").split(".", 1)
        changes.append(
            {
                "address": instance.address,
                "module_address": instance.module_address or None,
                "mode": mode,
                "type": rtype,
                "name": name,
                "index": instance.index,
                "change": {
                    "actions": ["read"] if mode == "data" else ["create"],
                    "after": _localize(settle(values), known),
                    "after_unknown": {},
                },
            }
        )
        module_config = _module_config(configs, instance.module_address)
        if not any(r.get("address") == instance.relative for r in module_config["resources"]):
            expressions = _expressions(values, instance.module_address)
            entry: dict[str, Any] = {
                "address": instance.relative,
                "mode": mode,
                "type": rtype,
                "name": name,
                "expressions": expressions,
                "provider_config_key": "aws",
            }
            if "for_each" in instance.block.attrs:
                entry["for_each_expression"] = {"references": []}
            if waits:
                entry["depends_on"] = waits
            module_config["resources"].append(entry)
    region = None
    for block in configuration.root_module.providers:
        if (
            block.labels
            and block.labels[0] == "aws"
            and "region" in block.attrs
            and "alias" not in block.attrs
        ):
            value = configuration.evaluator.value(block.attrs["region"].node, configuration.root_scope())
            region = value if isinstance(value, str) else None
    provider: dict[str, Any] = {"name": "aws", "expressions": {}}
    if region:
        provider["expressions"]["region"] = {"constant_value": region}
    variables = {}
    for name in configuration.root_module.variables:
        value = configuration.evaluator.variable(name, configuration.root_scope())
        if is_known(value):
            variables[name] = {"value": settle(value)}
    outputs = {}
    for name, block in configuration.root_module.outputs.items():
        if "value" in block.attrs:
            value = configuration.evaluator.value(block.attrs["value"].node, configuration.root_scope())
            outputs[name] = {"value": settle(value)}
    return {
        "format_version": "1.2",
        "variables": variables,
        "planned_values": {"outputs": outputs},
        "resource_changes": changes,
        "configuration": {"provider_config": {"aws": provider}, "root_module": configs[""]},
    }


def _module_config(configs: dict[str, dict[str, Any]], module_address: str) -> dict[str, Any]:
    """The configuration entry of a module, created along its path (keys dropped: one per call)."""
    node = configs[""]
    for name, _ in _module_steps(module_address):
        calls = node.setdefault("module_calls", {})
        call = calls.setdefault(name, {"module": {"resources": [], "module_calls": {}}})
        node = call["module"]
    return node


# ---------------------------------------------------------------- entry points for `load`


def folders_read(sources: ConfigSources) -> set[str]:
    """Every folder the configuration read: its root and the local modules it calls."""
    return set(sources.configuration._modules)


def matches_plan(sources: ConfigSources, plan: Mapping[str, Any]) -> bool:
    """Whether the sources are the configuration the plan came from: they declare some of
    the plan's root-module resources or module calls."""
    root = plan.get("configuration")
    module = root.get("root_module") if isinstance(root, Mapping) else None
    if not isinstance(module, Mapping):
        return False
    declared = set(sources.configuration.root_module.resources)
    calls = set(sources.configuration.root_module.calls)
    resources = module.get("resources")
    for resource in resources if isinstance(resources, list) else []:
        if isinstance(resource, Mapping) and resource.get("address") in declared:
            return True
    module_calls = module.get("module_calls")
    return isinstance(module_calls, Mapping) and bool(calls & set(module_calls))


def load_configuration(sources: ConfigSources, *, path: str, options: Any = None) -> Any:
    """The `Template` of a configuration scanned without a plan (`options`: the
    `LoadOptions` of the load)."""
    from dataclasses import replace

    from boundary.load.terraform import load_plan

    template = load_plan(synthetic_plan(sources), file=path, text="", options=options, sources=sources)
    return replace(template, notes=(PLAN_ADVICE, *template.notes))


def terraform_folders(paths: Sequence[str], walk: Callable[[str], Iterator[str]]) -> list[str]:
    """Folders holding `.tf` files among `paths` (named folders, the folders of named `.tf`
    files, and folders found by `walk`), in a stable order."""
    out: list[str] = []
    for given in paths:
        if os.path.isdir(given):
            out.extend(f for f in walk(given) if is_configuration_dir(f))
        elif given.endswith(".tf"):
            out.append(os.path.dirname(given) or ".")
    return sorted(dict.fromkeys(os.path.normpath(f) for f in out))


def record_dependencies(folder: str, sources: ConfigSources | None) -> None:
    """Tell the cache of loaded files what a load with the configuration in `folder`
    depends on: which Terraform files each folder it read holds, and each file it read
    (`terraform.tfvars` too, read or not: one written later counts)."""
    from boundary.load._cache import record_folder, record_read

    record_folder(folder)
    record_read(os.path.join(folder, "terraform.tfvars"))
    try:
        auto = sorted(n for n in os.listdir(folder) if n.endswith(".auto.tfvars"))
    except OSError:
        auto = []
    for name in auto:
        record_read(os.path.join(folder, name))
    if sources is None:
        return
    for module_folder in sorted(sources.configuration._modules):
        record_folder(module_folder)
    for file in sorted(sources.files):
        record_read(file)
