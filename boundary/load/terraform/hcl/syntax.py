"""HCL syntax: `.tf` files parsed (python-hcl2's grammar) into blocks and attributes,
a folder's files into a `Module`, and the lexical rules of strings, templates and heredocs."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lark import Token, Tree
from lark.exceptions import LarkError, UnexpectedInput

from boundary.load._errors import SourceError
from boundary.load._tf_folders import tf_files

__all__ = [
    "Attr",
    "Block",
    "Module",
    "hcl_parser",
    "heredoc_text",
    "label",
    "parse_file",
    "position",
    "read_module",
    "template_pieces",
    "unescape",
]


def hcl_parser() -> Any:
    from hcl2.parser import Hcl2  # the grammar of python-hcl2, compiled once by lark

    return Hcl2.lark_parser


# ---------------------------------------------------------------- blocks and modules


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


def label(token: Any) -> str:
    if isinstance(token, Tree) and token.data == "identifier":
        return str(token.children[0])
    text = str(token)
    return text[1:-1] if text.startswith('"') and text.endswith('"') else text


def position(node: Any) -> tuple[int, int]:
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
            name = label(item.children[0])
            line, column = position(item)
            into.attrs[name] = Attr(name, item.children[1], file, line, column)
        elif item.data == "block":
            parts = item.children
            body = next(p for p in reversed(parts) if isinstance(p, Tree) and p.data == "body")
            labels = tuple(label(p) for p in parts[1:] if p is not body)
            line, column = position(item)
            block = Block(label(parts[0]), labels, file, line, column)
            _body(body, file, block)
            into.blocks.append(block)


def parse_file(file: str, text: str) -> Block:
    """A `.tf` file as one block of its top-level attributes and blocks; bad HCL is a `SourceError`."""
    try:
        tree = hcl_parser().parse(text.removeprefix("\ufeff") + "\n")
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


def read_module(folder: str, errors: list[SourceError]) -> Module:
    module = Module(dir=folder)
    for file in tf_files(folder):
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


# ---------------------------------------------------------------- strings and templates

_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}


def unescape(text: str) -> str:
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


def template_pieces(text: str) -> Iterator[tuple[bool, str]]:
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


def heredoc_text(token: str, trim: bool) -> str:
    first, _, rest = token.partition("\n")
    body = rest.rsplit("\n", 1)[0] if "\n" in rest else ""
    lines = body.split("\n")
    if trim:
        widths = [len(line) - len(line.lstrip(" ")) for line in lines if line.strip()]
        cut = min(widths) if widths else 0
        lines = [line[cut:] for line in lines]
    return "\n".join(lines) + "\n"
