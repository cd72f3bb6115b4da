"""CloudFormation templates (YAML or JSON) to plain data that remembers where each element was written.

Why a walker of our own over the composed node graph instead of a PyYAML
constructor: CloudFormation reads YAML with its own rules, and we need them
all at once -- short-form intrinsic tags rewritten to their long form, no
Python object ever built, timestamps left as text, a duplicate key kept with its
last value (what CloudFormation deploys) and a located warning at the
duplicate, and a (line, column) recorded for every element so that rules
can report paths and the loader can turn them into places (cfn-lint's design).
Composition stays in libyaml (`CSafeLoader`) when it is installed.

Scalars, as CloudFormation reads them (it documents YAML 1.1 support, minus
the timestamp, binary, omap, pairs and set types):

* plain scalars follow YAML 1.1 as PyYAML's safe loader resolves them:
  `true/false/yes/no/on/off` are booleans, `10`, `0x1f`, `1_000` integers,
  `1.5` floats, `~`/`null`/empty values None;
* timestamps stay the string that was written (`Version: 2012-10-17` is
  "2012-10-17", the classic policy-document bug);
* quoted scalars and the operands of intrinsic tags are always strings;
* mapping keys are strings: a key written as a number or a boolean becomes the
  text CloudFormation's JSON form gives it (`200` -> "200", `true` -> "true").

JSON files (the text starts with `{`) are read by a small JSON parser that
records the same marks and treats duplicate keys the same way; when that fails and the
text is still valid YAML (YAML flow style, a trailing comma), the YAML reading
is used, as CloudFormation falls back from JSON to YAML.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.events import CollectionEndEvent, CollectionStartEvent, NodeEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from boundary.load._errors import SourceError, warning
from boundary.load._json import MAX_INT_DIGITS, parse_int
from boundary.load._limits import LimitExceeded, current_limits, limit_hint
from boundary.load._marks import JsonLocator, Marks, Path, locate
from boundary.model import Limits, LoadError

__all__ = ["SHORT_FORMS", "Document", "JsonLocator", "json_marks", "parse_document"]


# libyaml composes ten times faster than the pure-Python parser; both are safe loaders.
_SafeLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _BaseLoader(_SafeLoader):  # type: ignore[misc]
    """The safe loader, with a plain scalar whose first character no implicit resolver
    is registered for (`AWS::...`, `Properties`) tagged a string at once: libyaml calls
    `resolve` for every scalar, and PyYAML's looks up two resolver lists and builds a
    third to find none. Every other scalar is resolved as PyYAML does."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if (
            kind is ScalarNode
            and implicit[0]
            and value
            and value[0] not in self.yaml_implicit_resolvers
            and None not in self.yaml_implicit_resolvers
            and not self.yaml_path_resolvers
        ):
            return self.DEFAULT_SCALAR_TAG
        return super().resolve(kind, value, implicit)


# Short-form tag (without "!") -> long-form key.
SHORT_FORMS: Mapping[str, str] = {
    "Ref": "Ref",
    "Condition": "Condition",
    "GetAtt": "Fn::GetAtt",
    "Sub": "Fn::Sub",
    "Join": "Fn::Join",
    "Select": "Fn::Select",
    "Split": "Fn::Split",
    "If": "Fn::If",
    "Equals": "Fn::Equals",
    "And": "Fn::And",
    "Or": "Fn::Or",
    "Not": "Fn::Not",
    "FindInMap": "Fn::FindInMap",
    "ImportValue": "Fn::ImportValue",
    "Base64": "Fn::Base64",
    "Cidr": "Fn::Cidr",
    "GetAZs": "Fn::GetAZs",
    "Transform": "Fn::Transform",
    "Length": "Fn::Length",
    "ToJsonString": "Fn::ToJsonString",
}

_STD = "tag:yaml.org,2002:"
_STR, _INT, _FLOAT, _BOOL, _NULL = (_STD + t for t in ("str", "int", "float", "bool", "null"))
_TEXT_TAGS = frozenset({_STR, _STD + "timestamp", _STD + "value", _STD + "merge"})
_MERGE = _STD + "merge"
_SEQ, _MAP = _STD + "seq", _STD + "map"

_scalars = yaml.constructor.SafeConstructor()


@dataclass(frozen=True, slots=True)
class Document:
    """A parsed template: plain data, the source lines, and where each element was written.

    `locate(path)` gives the 1-based (line, column) of the element at `path`
    (for a mapping entry, where its key is written; for a list item, where the
    item starts), or of its deepest existing ancestor; it never raises.
    """

    data: dict[str, Any]
    file: str
    lines: tuple[str, ...] = ()
    marks: Mapping[Path, tuple[int, int]] = field(default_factory=dict, repr=False, compare=False)
    # located warnings: duplicate keys, each kept with its last value as CloudFormation does
    warnings: tuple[LoadError, ...] = ()

    def locate(self, path: Sequence[str | int]) -> tuple[int, int]:
        return locate(self.marks, path)


def json_marks(text: str, file: str) -> Marks:
    """The marks of a JSON text read without limits (it was read whole by the standard
    decoder already, within them), or none when the marking parser does not take it."""
    unbounded = Limits(max_nodes=10**9, max_depth=10**4)
    try:
        _, marks = _JsonParser(text, file, [], unbounded).parse()
    except (SourceError, LimitExceeded):
        return {}
    return marks


def parse_document(text: str, file: str, limits: Limits | None = None) -> Document:
    """Parse a YAML or JSON CloudFormation template; bad input raises a located `SourceError`.

    `limits` (default: those of the file being loaded) bound the elements, with
    aliases and merge keys expanded, and the nesting, counted while parsing.
    """
    limits = limits or current_limits()
    body = text.removeprefix("\ufeff")
    warnings: list[LoadError] = []
    if body.lstrip().startswith("{"):
        try:
            data, marks = _JsonParser(body, file, warnings, limits).parse()
        except LimitExceeded:
            raise
        except SourceError as json_error:
            warnings.clear()
            try:
                data, marks = _parse_yaml(body, file, warnings, limits)
            except SourceError:
                raise json_error from None
    else:
        data, marks = _parse_yaml(body, file, warnings, limits)
    if data is None:
        raise SourceError(file, 1, 0, "not a CloudFormation template: the file is empty")
    if not isinstance(data, dict):
        line, column = marks.get((), (1, 0))
        raise SourceError(
            file,
            line,
            column,
            f"not a CloudFormation template: the top level is a {_kind(data)}, not a mapping",
        )
    return Document(
        data=data, file=file, lines=tuple(body.splitlines()), marks=marks, warnings=tuple(warnings)
    )


def _duplicate(file: str, line: int, column: int, key: str, first: int) -> LoadError:
    return warning(
        file,
        line,
        column,
        f"duplicate key '{key}' (first at line {first}): CloudFormation keeps the last value, "
        "and so does this scan; remove one of them",
    )


def _kind(value: Any) -> str:
    if isinstance(value, list):
        return "list"
    if isinstance(value, str):
        return "string"
    return type(value).__name__


# --- YAML -----------------------------------------------------------------------------------------


def _parse_yaml(
    text: str, file: str, warnings: list[LoadError] | None = None, limits: Limits | None = None
) -> tuple[Any, Marks]:
    limits = limits or current_limits()
    if _may_exceed(text, limits):
        _check_events(text, file, limits)
    loader = _BaseLoader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        problem = error.problem or "invalid YAML"
        context = f" ({error.context})" if error.context and error.problem else ""
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 0)
        if mark is not None and text[mark.index : mark.index + 1] == "\t":
            context += " (a tab: YAML indents with spaces)"
        raise SourceError(file, line, column, f"invalid YAML: {_printable(problem + context)}") from None
    except yaml.reader.ReaderError as error:
        line, column = _offset_position(text, error.position)
        raise SourceError(
            file, line, column, f"invalid YAML: {_printable(str(error.reason))} character"
        ) from None
    except yaml.YAMLError as error:
        raise SourceError(file, 1, 0, f"invalid YAML: {_printable(str(error))}") from None
    except RecursionError:
        raise SourceError(file, 1, 0, "invalid YAML: nesting too deep") from None
    finally:
        loader.dispose()
    if node is None:
        return None, {}
    builder = _Builder(file, warnings if warnings is not None else [], limits)
    builder.marks[()] = _mark(node)
    try:
        return builder.build(node, ()), builder.marks
    except RecursionError:
        raise SourceError(file, *_mark(node), "invalid YAML: nesting too deep") from None


def _may_exceed(text: str, limits: Limits) -> bool:
    """Whether composing `text` could build more nodes, or nest deeper, than the limits
    allow, so that the event stream must be counted first (`_check_events`). A node takes
    at least one character of its own (an alias none: it is not composed again), hence
    at most about one per character, two to be safe; a block collection nests one column
    further in than its parent and a flow one opens with a bracket, so the nesting is at
    most the longest line plus the brackets. The builder counts both again while it
    builds, aliases expanded; this only spares most files a second parse."""
    if 2 * len(text) + 2 > limits.max_nodes:
        return True
    longest = max(map(len, text.split("\n")))  # YAML breaks lines at no fewer places
    return longest + text.count("[") + text.count("{") + 1 > limits.max_depth


def _check_events(text: str, file: str, limits: Limits) -> None:
    """Count elements and nesting on the event stream, before a node is composed: a
    50 MB file must stop at the limit, not after building gigabytes of nodes.
    Syntax errors are left to the composer, which reports them with context."""
    loader = _BaseLoader(text)
    count = depth = 0
    try:
        while True:
            event = loader.get_event()
            if event is None:
                return
            if isinstance(event, NodeEvent):
                count += 1
                if count > limits.max_nodes:
                    raise _too_many(file, event.start_mark, limits)
                if isinstance(event, CollectionStartEvent):
                    depth += 1
                    if depth > limits.max_depth:
                        raise _too_deep(file, event.start_mark, limits)
            elif isinstance(event, CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError:
        return
    finally:
        loader.dispose()


def _too_many(file: str, mark: Any, limits: Limits) -> LimitExceeded:
    line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 0)
    return LimitExceeded(
        file,
        line,
        column,
        f"too many elements (more than {limits.max_nodes}, aliases and merge keys expanded); "
        f"{limit_hint('max_nodes')}",
    )


def _too_deep(file: str, mark: Any, limits: Limits) -> LimitExceeded:
    line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 0)
    return LimitExceeded(
        file,
        line,
        column,
        f"nesting too deep (more than {limits.max_depth} levels); {limit_hint('max_depth')}",
    )


def _printable(message: str) -> str:
    return message.replace("\t", "\\t")


def _offset_position(text: str, offset: int) -> tuple[int, int]:
    offset = max(0, min(offset, len(text)))
    line_start = text.rfind("\n", 0, offset) + 1
    return text.count("\n", 0, offset) + 1, offset - line_start + 1


def _mark(node: Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _tag_text(tag: str) -> str:
    return "!!" + tag[len(_STD) :] if tag.startswith(_STD) else tag


class _Builder:
    """Walks composed nodes into plain data, recording a mark per path."""

    def __init__(self, file: str, warnings: list[LoadError], limits: Limits | None = None) -> None:
        self.file = file
        self.limits = limits or Limits()
        self.marks: Marks = {}
        self.count = 0
        self.depth = 0
        self.active: set[int] = set()
        self.warnings = warnings

    def counted(self, node: Node) -> None:
        self.count += 1
        if self.count > self.limits.max_nodes:
            raise _too_many(self.file, node.start_mark, self.limits)

    def fail(self, node: Node, message: str) -> SourceError:
        return SourceError(self.file, *_mark(node), message)

    def build(self, node: Node, path: Path) -> Any:
        self.counted(node)
        tag = node.tag
        if tag.startswith("!") and not tag.startswith("!!"):
            return self.intrinsic(node, path)
        if isinstance(node, ScalarNode):
            return self.scalar(node)
        if isinstance(node, SequenceNode):
            if tag != _SEQ:
                raise self.fail(node, f"unsupported tag {_tag_text(tag)} on a list")
            return self.sequence(node, path)
        if isinstance(node, MappingNode):
            if tag != _MAP:
                raise self.fail(node, f"unsupported tag {_tag_text(tag)} on a mapping")
            return self.mapping(node, path)
        raise self.fail(node, "unsupported YAML node")  # pragma: no cover - yaml has three node kinds

    def intrinsic(self, node: Node, path: Path) -> dict[str, Any]:
        name = node.tag[1:]
        key = SHORT_FORMS.get(name)
        if key is None:
            raise self.fail(node, f"unknown tag {node.tag} (not a CloudFormation intrinsic function)")
        inner = (*path, key)
        self.marks[inner] = _mark(node)
        value: Any
        if isinstance(node, ScalarNode):
            value = node.value
            if key == "Fn::GetAtt":
                resource, dot, attribute = value.partition(".")
                value = [resource, attribute] if dot else [value]
                for index in range(len(value)):
                    item_path = (*inner, index)  # not inline: mypy reads x[(*a, b)] as 3.11-only x[*a, b]
                    self.marks[item_path] = _mark(node)
        elif isinstance(node, SequenceNode):
            value = self.sequence(node, inner)
        elif isinstance(node, MappingNode):
            value = self.mapping(node, inner)
        else:  # pragma: no cover
            raise self.fail(node, "unsupported YAML node")
        return {key: value}

    def scalar(self, node: ScalarNode) -> Any:
        tag = node.tag
        if tag in _TEXT_TAGS:
            return node.value
        try:
            if tag == _INT:
                if len(node.value) > MAX_INT_DIGITS:  # too long for int(): kept as its text
                    return node.value
                return _scalars.construct_yaml_int(node)
            if tag == _FLOAT:
                return _scalars.construct_yaml_float(node)
            if tag == _BOOL:
                return _scalars.construct_yaml_bool(node)
            if tag == _NULL:
                return None
        except (ValueError, KeyError, yaml.YAMLError):
            raise self.fail(node, f"invalid {_tag_text(tag)} value {node.value!r}") from None
        raise self.fail(node, f"unsupported tag {_tag_text(tag)} (CloudFormation templates are plain data)")

    def sequence(self, node: SequenceNode, path: Path) -> list[Any]:
        self.enter(node)
        result = []
        for index, item in enumerate(node.value):
            item_path = (*path, index)
            self.marks[item_path] = _mark(item)
            result.append(self.build(item, item_path))
        self.active.discard(id(node))
        return result

    def mapping(self, node: MappingNode, path: Path) -> dict[str, Any]:
        self.enter(node)
        result: dict[str, Any] = {}
        merged: list[tuple[Node, Node]] = []
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE and isinstance(key_node, ScalarNode):
                merged.extend(self.merge_pairs(value_node))
                continue
            key = self.key(key_node)
            key_path = (*path, key)
            if key in result:
                first = self.marks[key_path][0]
                self.warnings.append(_duplicate(self.file, *_mark(key_node), key, first))
                del result[key]  # the last value wins, in the order it was written
            self.marks[key_path] = _mark(key_node)
            result[key] = self.build(value_node, key_path)
        for key_node, value_node in merged:  # explicit keys win over merged ones, earlier merges over later
            key = self.key(key_node)
            if key not in result:
                key_path = (*path, key)
                self.marks[key_path] = _mark(key_node)
                result[key] = self.build(value_node, key_path)
        self.active.discard(id(node))
        return result

    def merge_pairs(self, node: Node) -> list[tuple[Node, Node]]:
        sources = node.value if isinstance(node, SequenceNode) else [node]
        pairs: list[tuple[Node, Node]] = []
        for source in sources:
            if not isinstance(source, MappingNode):
                raise self.fail(source, "a merge key '<<' needs a mapping or a list of mappings")
            if id(source) in self.active:
                raise self.fail(source, "recursive alias")
            for key_node, value_node in source.value:
                if key_node.tag == _MERGE and isinstance(key_node, ScalarNode):
                    pairs.extend(self.merge_pairs(value_node))
                else:
                    self.counted(key_node)  # a merge copies keys: count them before expanding
                    pairs.append((key_node, value_node))
        return pairs

    def key(self, node: Node) -> str:
        if not isinstance(node, ScalarNode) or (node.tag.startswith("!") and not node.tag.startswith("!!")):
            raise self.fail(node, "mapping keys must be plain strings")
        value = self.scalar(node)
        if isinstance(value, str):
            return value
        if isinstance(value, bool):
            return "true" if value else "false"
        if value is None:
            return "null"
        return str(value)

    def enter(self, node: Node) -> None:
        if id(node) in self.active:
            raise self.fail(node, "recursive alias (a node that contains itself)")
        self.active.add(id(node))
        if len(self.active) > self.limits.max_depth:
            raise _too_deep(self.file, node.start_mark, self.limits)


# --- JSON -----------------------------------------------------------------------------------------

_WHITESPACE = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?")
_LITERALS: tuple[tuple[str, Any], ...] = (("true", True), ("false", False), ("null", None))


@dataclass(frozen=True, slots=True)
class _Mark:
    """A 1-based position in the shape of a yaml Mark (0-based), for the limit errors."""

    one_based_line: int
    one_based_column: int

    @property
    def line(self) -> int:
        return self.one_based_line - 1

    @property
    def column(self) -> int:
        return self.one_based_column - 1


class _JsonParser:
    """Strict JSON with a mark per element; a duplicate key keeps its last value, with a warning."""

    def __init__(
        self, text: str, file: str, warnings: list[LoadError] | None = None, limits: Limits | None = None
    ) -> None:
        self.text = text
        self.file = file
        self.warnings = warnings if warnings is not None else []
        self.limits = limits or Limits()
        self.count = 0
        self.depth = 0
        self.line_starts = [0, *(match.end() for match in re.finditer("\n", text))]
        self.marks: Marks = {}

    def position(self, offset: int) -> tuple[int, int]:
        line = bisect_right(self.line_starts, offset)
        return line, offset - self.line_starts[line - 1] + 1

    def fail(self, offset: int, message: str) -> SourceError:
        return SourceError(self.file, *self.position(offset), f"invalid JSON: {message}")

    def skip(self, offset: int) -> int:
        match = _WHITESPACE.match(self.text, offset)
        return match.end() if match else offset

    def parse(self) -> tuple[Any, Marks]:
        start = self.skip(0)
        self.marks[()] = self.position(start)
        try:
            value, end = self.value(start, ())
        except RecursionError:
            raise self.fail(start, "nesting too deep") from None
        end = self.skip(end)
        if end != len(self.text):
            raise self.fail(end, "extra data after the top-level value")
        return value, self.marks

    def value(self, offset: int, path: Path) -> tuple[Any, int]:
        text = self.text
        if offset >= len(text):
            raise self.fail(offset, "unexpected end of file, expecting a value")
        self.count += 1
        if self.count > self.limits.max_nodes:
            raise _too_many(self.file, _Mark(*self.position(offset)), self.limits)
        char = text[offset]
        if char in "{[":
            self.depth += 1
            if self.depth > self.limits.max_depth:
                raise _too_deep(self.file, _Mark(*self.position(offset)), self.limits)
            try:
                return self.object(offset, path) if char == "{" else self.array(offset, path)
            finally:
                self.depth -= 1
        if char == '"':
            return self.string(offset)
        for word, literal in _LITERALS:
            if text.startswith(word, offset):
                return literal, offset + len(word)
        match = _NUMBER.match(text, offset)
        if match:
            number = match.group()
            return (float(number) if match.group(1) or match.group(2) else parse_int(number)), match.end()
        raise self.fail(offset, f"expecting a value, found {text[offset]!r}")

    def string(self, offset: int) -> tuple[str, int]:
        try:
            return json.decoder.scanstring(self.text, offset + 1, True)  # type: ignore[attr-defined,no-any-return]
        except json.JSONDecodeError as error:
            raise self.fail(error.pos, error.msg) from None

    def object(self, offset: int, path: Path) -> tuple[dict[str, Any], int]:
        text = self.text
        result: dict[str, Any] = {}
        offset = self.skip(offset + 1)
        if text.startswith("}", offset):
            return result, offset + 1
        while True:
            if not text.startswith('"', offset):
                raise self.fail(offset, "expecting a property name in double quotes")
            key_offset = offset
            key, offset = self.string(offset)
            key_path = (*path, key)
            if key in result:
                first = self.marks[key_path][0]
                self.warnings.append(_duplicate(self.file, *self.position(key_offset), key, first))
                del result[key]  # the last value wins, as CloudFormation reads it
            self.marks[key_path] = self.position(key_offset)
            offset = self.skip(offset)
            if not text.startswith(":", offset):
                raise self.fail(offset, "expecting ':' after a property name")
            result[key], offset = self.value(self.skip(offset + 1), key_path)
            offset = self.skip(offset)
            if text.startswith(",", offset):
                offset = self.skip(offset + 1)
                continue
            if text.startswith("}", offset):
                return result, offset + 1
            raise self.fail(offset, "expecting ',' or '}'")

    def array(self, offset: int, path: Path) -> tuple[list[Any], int]:
        text = self.text
        result: list[Any] = []
        offset = self.skip(offset + 1)
        if text.startswith("]", offset):
            return result, offset + 1
        while True:
            item_path = (*path, len(result))
            self.marks[item_path] = self.position(offset)
            item, offset = self.value(offset, item_path)
            result.append(item)
            offset = self.skip(offset)
            if text.startswith(",", offset):
                offset = self.skip(offset + 1)
                continue
            if text.startswith("]", offset):
                return result, offset + 1
            raise self.fail(offset, "expecting ',' or ']'")
