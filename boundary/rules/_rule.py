"""The rule model: metadata as data beside each rule, logic as a query that yields violations.

A rule is one Python file in `policies/` holding one `Rule` subclass, and a
TOML file of the same stem holding its metadata (KICS keeps `metadata.json`
beside `query.rego`; this is the same idea). The class docstring is the
rule's documentation, in the five sections `docs/rules/` is generated from.
"""

from __future__ import annotations

import inspect
import re
import sys
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from boundary.findings import Category, Decision, Severity
from boundary.model import Location, Model, Template

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

if TYPE_CHECKING:
    import networkx as nx

    from boundary.graph.permissions import StatementView

T = TypeVar("T")

__all__ = [
    "DOC_SECTIONS",
    "OPTIONAL_DOC_SECTIONS",
    "RESOURCE_TYPE_FRAMEWORKS",
    "Rule",
    "RuleContext",
    "RuleError",
    "RuleMeta",
    "Violation",
    "parse_doc_sections",
]

DOC_SECTIONS = ("What it does", "Why is this bad?", "Example", "Use instead", "References")
# Sections a rule's docstring may add: `Cost` says how the rule's time grows where it is
# worse than linear in the resources it reads (docs/performance.md).
OPTIONAL_DOC_SECTIONS = ("Cost",)
_ID = re.compile(r"^[A-Z]{2,5}[0-9]{3}$")
_NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)+$")
_META_KEYS = {
    "id",
    "name",
    "title",
    "severity",
    "category",
    "decision",
    "description",
    "remediation",
    "practice",
    "references",
    "thresholds",
    "resource_types",
}
_OPTIONAL_KEYS = {"thresholds", "resource_types"}
#: The frameworks a rule's `resource_types` table may name.
RESOURCE_TYPE_FRAMEWORKS = ("cloudformation", "terraform")


class RuleError(Exception):
    """A rule, or its metadata, is not well formed. One line, naming the file."""


@dataclass(frozen=True, slots=True)
class RuleMeta:
    id: str
    name: str
    title: str
    severity: Severity
    category: Category
    decision: Decision
    description: str
    remediation: str
    practice: str
    references: tuple[str, ...]
    thresholds: Mapping[str, Any] = field(default_factory=dict)
    docs: Mapping[str, str] = field(default_factory=dict)
    source: str = ""
    # The resource types, as written in templates (SAM types included), that the
    # rule's findings are reported on, by framework: `cloudformation`, `terraform`.
    resource_types: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Violation:
    """What a rule yields: the node at fault and the case, expected versus actual.

    The engine turns it into a `Finding`, attaching the location of `node`
    (or `location`, when the rule knows a more precise one, such as a
    statement's) and the rule's metadata. A rule about a policy statement names
    it in `statements`, so that one statement too wide in several ways reads as
    one finding.
    """

    node: str
    message: str
    related: tuple[str, ...] = ()
    key: str = ""
    location: Location | None = None
    severity: Severity | None = None
    # The policy statements at fault (`StatementView.key`: policy id and index or Sid). The
    # engine reports the findings of one family on one same statement as one (see `Finding.merged`).
    statements: tuple[str, ...] = ()


@dataclass(frozen=True)
class RuleContext:
    """What a rule sees: the graph, the model it came from, and its thresholds.

    `scan_cache` is shared by every rule of one scan and dropped with it: what
    several rules (or one rule, many times) derive from the model is kept there
    through `memo`, never in module globals that outlive the scan.
    """

    graph: nx.MultiDiGraph
    model: Model
    thresholds: Mapping[str, Any]
    scan_cache: dict[Hashable, Any] = field(default_factory=dict, compare=False, repr=False)

    def memo(self, key: Hashable, build: Callable[[], T]) -> T:
        """`build()`, computed once per scan for `key`."""
        if key not in self.scan_cache:
            self.scan_cache[key] = build()
        value: T = self.scan_cache[key]
        return value

    def templates_by_path(self) -> Mapping[str, Template]:
        """The model's templates by path, built once per scan."""
        from boundary.graph import queries  # networkx stays unloaded until a scan runs

        return self.memo(("templates-by-path",), lambda: queries.templates_by_path(self.model))

    def wiring_of(self, compute: str) -> frozenset[str]:
        """`queries.wiring_of` for a compute node, with each template's glue resources
        indexed once per scan (not walked once per function)."""
        from boundary.graph import queries

        def glue_of(template: Template) -> Mapping[str, Sequence[str]]:
            return self.memo(("glue", template.path), lambda: queries.glue(template))

        return self.memo(
            ("wiring-of", compute),
            lambda: queries.wiring_of(self.graph, self.model, compute, self.templates_by_path(), glue_of),
        )

    def judged_identities(self) -> tuple[str, ...]:
        """`queries.judged_identities` of the graph, found once per scan."""
        from boundary.graph import queries

        return self.memo(("judged-identities",), lambda: tuple(queries.judged_identities(self.graph)))

    def statements_of(self, principal: str) -> list[StatementView]:
        """`permissions.statements_of` a principal, gathered once per scan (several rules
        read the statements of every principal); a new list each call."""
        from boundary.graph import permissions

        return list(
            self.memo(
                ("statements-of", principal), lambda: tuple(permissions.statements_of(self.graph, principal))
            )
        )

    def identity_statements_of(self, principal: str) -> list[StatementView]:
        """`permissions.identity_statements_of` a principal, from `statements_of`."""
        from boundary.graph import permissions

        return permissions.identity_statements_of(self.graph, principal, self.statements_of(principal))

    def attrs(self, node: str) -> Mapping[str, Any]:
        data: Mapping[str, Any] = self.graph.nodes[node]
        return data

    def label(self, node: str) -> str:
        """How a message names a node: its logical id or address, else its label (a
        principal outside the template: its name, and that it is outside)."""
        data = self.graph.nodes[node] if node in self.graph else {}
        if data.get("outside"):
            return str(data.get("label") or node)
        return str(data.get("resource") or data.get("label") or node)


def parse_doc_sections(doc: str | None) -> dict[str, str]:
    """Split a rule docstring into its `## Section` parts."""
    sections: dict[str, str] = {}
    current: str | None = None
    lines: list[str] = []
    for line in inspect.cleandoc(doc or "").splitlines():
        if line.startswith("## "):
            if current is not None:
                sections[current] = "\n".join(lines).strip()
            current, lines = line[3:].strip(), []
        elif current is not None:
            lines.append(line)
    if current is not None:
        sections[current] = "\n".join(lines).strip()
    return sections


class Rule:
    """Base class of every rule. Subclasses implement `evaluate` and document themselves."""

    meta: ClassVar[RuleMeta]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        source = Path(inspect.getfile(cls))
        cls.meta = load_meta(source.with_suffix(".toml"), parse_doc_sections(cls.__doc__), str(source))

    def evaluate(self, ctx: RuleContext) -> Iterator[Violation]:  # pragma: no cover - abstract
        raise NotImplementedError


def load_meta(path: Path, docs: Mapping[str, str], source: str) -> RuleMeta:
    """Read and check a rule's metadata file."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RuleError(f"{source}: rule metadata {path.name} is missing") from None
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise RuleError(f"{path}: cannot read rule metadata: {error}") from None
    unknown = sorted(set(data) - _META_KEYS)
    if unknown:
        raise RuleError(f"{path}: unknown metadata key(s): {', '.join(unknown)}")
    missing = sorted(_META_KEYS - _OPTIONAL_KEYS - set(data))
    if missing:
        raise RuleError(f"{path}: missing metadata key(s): {', '.join(missing)}")
    if not _ID.match(str(data["id"])):
        raise RuleError(f"{path}: id {data['id']!r} is not like BND101")
    if not _NAME.match(str(data["name"])):
        raise RuleError(f"{path}: name {data['name']!r} is not kebab-case naming the bad pattern")
    try:
        severity = Severity(data["severity"])
        category = Category(data["category"])
        decision = Decision(data["decision"])
    except ValueError as error:
        raise RuleError(f"{path}: {error}") from None
    references = data["references"]
    if not isinstance(references, list) or not all(isinstance(r, str) for r in references):
        raise RuleError(f"{path}: references must be a list of strings")
    thresholds = data.get("thresholds", {})
    if not isinstance(thresholds, dict):
        raise RuleError(f"{path}: thresholds must be a table")
    resource_types = _resource_types(path, data.get("resource_types", {}))
    return RuleMeta(
        id=str(data["id"]),
        name=str(data["name"]),
        title=str(data["title"]),
        severity=severity,
        category=category,
        decision=decision,
        description=str(data["description"]).strip(),
        remediation=str(data["remediation"]).strip(),
        practice=str(data["practice"]).strip(),
        references=tuple(references),
        thresholds=thresholds,
        docs=dict(docs),
        source=source,
        resource_types=resource_types,
    )


def _resource_types(path: Path, table: Any) -> dict[str, tuple[str, ...]]:
    if not isinstance(table, dict):
        raise RuleError(f"{path}: resource_types must be a table")
    unknown = sorted(set(table) - set(RESOURCE_TYPE_FRAMEWORKS))
    if unknown:
        expected = ", ".join(RESOURCE_TYPE_FRAMEWORKS)
        raise RuleError(
            f"{path}: resource_types names unknown framework(s) {', '.join(unknown)}; expected {expected}"
        )
    types: dict[str, tuple[str, ...]] = {}
    for framework, values in table.items():
        if not isinstance(values, list) or not all(isinstance(v, str) and v for v in values):
            raise RuleError(f"{path}: resource_types.{framework} must be a list of resource type names")
        types[framework] = tuple(values)
    return types
