"""Run rules over the graph and turn their violations into located, suppressible findings."""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import os
import sys
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from boundary.findings import Category, Finding, Suppression
from boundary.model import Activity, Location, Model, Resource, Template
from boundary.rules._config import Config, ConfigError
from boundary.rules._rule import Rule, RuleContext, RuleError, RuleMeta, Violation

if TYPE_CHECKING:
    import networkx as nx

__all__ = [
    "UntrustedRulesWarning",
    "builtin_rules",
    "check_config",
    "config_rule_folders",
    "evaluate",
    "load_rules_from",
    "rule_classes",
    "withheld_message",
    "withheld_rule_folders",
]

ALLOW_FLAG = "--allow-config-rules"


class UntrustedRulesWarning(UserWarning):
    """Rule folders named by a configuration file were not loaded: the caller did not allow it."""


def builtin_rules() -> tuple[type[Rule], ...]:
    """The built-in pack, from its one explicit table."""
    from boundary.policies import RULES

    return tuple(RULES)


def load_rules_from(
    folder: str | os.PathLike[str], *, inside: str | os.PathLike[str] | None = None
) -> tuple[type[Rule], ...]:
    """User rules: every `*.py` in `folder` with its `Rule` subclasses, loaded like the pack.

    This executes the files, afresh on each call (no module-level cache: a scan
    loads them once and hands the classes on). With `inside`, the folder and every file loaded must
    resolve (symlinks followed) inside that folder, else `RuleError` before anything runs.
    """
    found: list[type[Rule]] = []
    base = Path(folder)
    if not base.is_dir():
        raise RuleError(f"{folder}: not a folder of rules")
    paths = [path for path in sorted(base.glob("*.py")) if not path.name.startswith("_")]
    if inside is not None:
        root = Path(inside).resolve()
        for path in (base, *paths):
            if not path.resolve().is_relative_to(root):
                raise RuleError(
                    f"{path}: resolves to {path.resolve()}, outside the repository root {root}; "
                    "rule folders named by a configuration file must stay inside it"
                )
    for path in paths:
        found.extend(_load_rule_module(path))
    return tuple(found)


def _load_rule_module(path: Path) -> tuple[type[Rule], ...]:
    module_name = f"boundary_user_rules.{path.stem}_{abs(hash(str(path.resolve())))}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise RuleError(f"{path}: cannot be loaded as a rule module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except RuleError:
        raise
    except Exception as error:  # noqa: BLE001 - any failure in a user rule is reported as one line
        raise RuleError(f"{path}: cannot load rule: {type(error).__name__}: {error}") from None
    return tuple(
        value
        for _, value in inspect.getmembers(module, inspect.isclass)
        if issubclass(value, Rule) and value is not Rule and value.__module__ == module_name
    )


def config_rule_folders(config: Config | None) -> tuple[str, ...]:
    """The rule folders a configuration names (`policies`), as written there, made absolute."""
    return tuple(config.policies) if config is not None else ()


def withheld_rule_folders(config: Config | None, allow_config_rules: bool = False) -> tuple[str, ...]:
    """The configuration's rule folders that will not be loaded because the caller did not allow it."""
    return () if allow_config_rules else config_rule_folders(config)


def withheld_message(folders: Sequence[str], config: Config | None) -> str:
    """The one line saying which configured rule folders were not loaded, and why."""
    where = (config.source if config is not None else None) or "the configuration"
    names = ", ".join(folders)
    return (
        f"not loading rule folder(s) {names} named in {where}: rules named by a configuration "
        f"file run only with {ALLOW_FLAG} (or name the folder with --rules DIR); see docs/security.md"
    )


def rule_classes(
    config: Config | None = None,
    *,
    rule_folders: Sequence[str | os.PathLike[str]] = (),
    allow_config_rules: bool = False,
) -> tuple[type[Rule], ...]:
    """The built-in rules plus user rules, ids checked for uniqueness.

    `rule_folders` are folders the caller names itself: always loaded. The folders a
    configuration names (`policies`) are code from whoever wrote that file (in CI,
    possibly the author of a pull request): they load only with
    `allow_config_rules=True`, and must resolve inside the configuration's
    repository root. Otherwise they are left alone (`withheld_rule_folders` says which).
    """
    classes = list(builtin_rules())
    for folder in rule_folders:
        classes.extend(load_rules_from(folder))
    withheld = withheld_rule_folders(config, allow_config_rules)
    if config is not None and allow_config_rules:
        for folder in config.policies:
            classes.extend(load_rules_from(folder, inside=config.root or Path(folder).parent))
    seen: dict[str, str] = {}
    for cls in classes:
        for key in (cls.meta.id, cls.meta.name):
            if key in seen:
                raise RuleError(f"{cls.meta.source}: rule {key} is already defined in {seen[key]}")
            seen[key] = cls.meta.source
    if config is not None:
        check_config(config, [cls.meta for cls in classes], partial=bool(withheld))
    return tuple(sorted(classes, key=lambda cls: cls.meta.id))


def check_config(config: Config, metas: Sequence[RuleMeta], *, partial: bool = False) -> None:
    """Every rule the configuration names exists, and every threshold is one its rule has:
    a typo must not turn a rule off, or leave a threshold at its default, silently.

    `partial`: the configuration's own rule folders were not loaded, so names not
    found may be theirs; only the names of loaded rules are checked then."""
    by_key = {key: meta for meta in metas for key in (meta.id, meta.name)}
    where = config.source or "configuration"
    named = {
        "select": list(config.select),
        "ignore": list(config.ignore),
        "severity": list(config.severity),
        "thresholds": list(config.thresholds),
        "suppress": [entry.rule for entry in config.suppress],
    }
    for key, rules in named.items():
        unknown = sorted({rule for rule in rules if rule not in by_key})
        if unknown and not partial:
            raise ConfigError(
                f"{where}: '{key}' names unknown rule(s) {', '.join(unknown)}; `boundary rules` lists them"
            )
    for rule, values in config.thresholds.items():
        meta = by_key.get(rule)
        if meta is None:
            continue
        unknown = sorted(set(values) - set(meta.thresholds))
        if unknown:
            known = ", ".join(sorted(meta.thresholds)) or "none"
            raise ConfigError(
                f"{where}: unknown threshold(s) {', '.join(unknown)} for {meta.name}; it has: {known}"
            )


def _resource_index(model: Model) -> dict[tuple[str, str], tuple[Template, Resource]]:
    return {(t.path, r.id): (t, r) for t in model.templates for r in t.resources.values()}


def _metadata_skip(resource: Resource | None, meta: RuleMeta) -> Suppression | None:
    """`Metadata: {boundary: {skip: [{id, reason}]}}`; Checkov's `checkov.skip` is honoured too.

    A bare id in the list (`skip: [BND101]`) suppresses as well, recorded with no
    reason; anything else in the list is ignored, so a malformed entry keeps the
    finding rather than hiding it.
    """
    if resource is None:
        return None
    for tool, source, reason_key in (
        ("boundary", "metadata", "reason"),
        ("checkov", "checkov-metadata", "comment"),
    ):
        block = resource.metadata.get(tool)
        skips = block.get("skip") if isinstance(block, Mapping) else None
        if not isinstance(skips, list):
            continue
        for entry in skips:
            if isinstance(entry, str) and entry in (meta.id, meta.name):
                return Suppression(reason="no reason given", source=source)
            if isinstance(entry, Mapping) and entry.get("id") in (meta.id, meta.name):
                reason = (
                    entry.get(reason_key) or entry.get("reason") or entry.get("comment") or "no reason given"
                )
                return Suppression(reason=str(reason), source=source)
    return None


def _location(graph: nx.MultiDiGraph, node: str) -> Location:
    data = graph.nodes[node] if node in graph else {}
    return Location(
        file=str(data.get("file") or data.get("template") or ""),
        line=int(data.get("line") or 0),
        column=int(data.get("column") or 0),
        address=data.get("address"),
    )


def evaluate(
    graph: nx.MultiDiGraph,
    model: Model,
    config: Config | None = None,
    rules: Sequence[type[Rule]] | None = None,
) -> tuple[Finding, ...]:
    """Every finding of every enabled rule, sorted and de-duplicated."""
    config = config or Config()
    classes = rules if rules is not None else rule_classes(config)
    resources = _resource_index(model)
    scan_cache: dict[Hashable, Any] = {}  # shared by the rules of this scan, dropped with it
    findings: dict[str, Finding] = {}
    statements: dict[str, tuple[str, ...]] = {}
    for cls in classes:
        meta = cls.meta
        if not config.enabled(meta.id, meta.name):
            continue
        thresholds = {
            **meta.thresholds,
            **config.thresholds.get(meta.name, {}),
            **config.thresholds.get(meta.id, {}),
        }
        context = RuleContext(graph=graph, model=model, thresholds=thresholds, scan_cache=scan_cache)
        for violation in cls().evaluate(context):
            finding = _finding(graph, meta, violation, config, resources, context)
            findings.setdefault(finding.fingerprint, finding)
            statements.setdefault(finding.fingerprint, violation.statements)
    return tuple(sorted(merge_by_statement(findings.values(), statements), key=Finding.sort_key))


@dataclass(frozen=True, slots=True)
class Judged:
    """One template evaluated alone: its findings, and what ties it to other templates
    (`boundary.graph.queries.coupling_keys`). Small, so a worker process sends it back
    instead of the template."""

    findings: tuple[Finding, ...]
    keys: frozenset[str]


def judge_alone(
    template: Template, config: Config, rules: Sequence[type[Rule]], activity: Activity | None = None
) -> Judged:
    """`evaluate` on a graph of `template` alone, with its coupling keys."""
    from boundary.graph import build_graph, queries

    model = Model(templates=(template,), activity=activity)
    graph = build_graph(model)
    return Judged(evaluate(graph, model, config, rules), queries.coupling_keys(graph, template))


def evaluate_grouped(
    model: Model,
    config: Config | None = None,
    rules: Sequence[type[Rule]] | None = None,
    judged: Mapping[str, Judged] | None = None,
) -> tuple[Finding, ...]:
    """`evaluate(build_graph(model), model, ...)`, one group of templates at a time: the
    templates that share a coupling key (an execution role or a target named by an ARN
    outside them, a managed policy attached to a principal outside them, a `.tf` file they
    were read from) are evaluated on one graph, every other template on a graph of its
    own. The findings are those of the whole graph, except where a node several templates
    name by the same ARN took its attributes from the first of them: each template's
    findings then depend on it alone. `judged` holds templates evaluated already
    (`judge_alone`, by path), perhaps in another process; for those that share a key with
    another template, `model` must hold the whole template."""
    from boundary.graph import build_graph

    config = config or Config()
    classes = rules if rules is not None else rule_classes(config)
    known = judged or {}
    alone = [known.get(t.path) or judge_alone(t, config, classes, model.activity) for t in model.templates]
    findings: dict[str, Finding] = {}
    for members in _groups([j.keys for j in alone]):
        if len(members) == 1:
            found = alone[members[0]].findings
        else:
            group = Model(templates=tuple(model.templates[i] for i in members), activity=model.activity)
            found = evaluate(build_graph(group), group, config, classes)
        for finding in found:
            findings.setdefault(finding.fingerprint, finding)
    return tuple(sorted(findings.values(), key=Finding.sort_key))


def _groups(keys: Sequence[frozenset[str]]) -> list[list[int]]:
    """The indices of `keys` joined wherever two share a key, each group in index order,
    the groups in the order of their first index."""
    parent = list(range(len(keys)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first: dict[str, int] = {}
    for index, owned in enumerate(keys):
        for key in owned:
            if key in first:
                a, b = root(first[key]), root(index)
                if a != b:
                    parent[max(a, b)] = min(a, b)
            else:
                first[key] = index
    groups: dict[int, list[int]] = {}
    for index in range(len(keys)):
        groups.setdefault(root(index), []).append(index)
    return list(groups.values())


# Problem families: findings of one family on one statement have one fix (narrow the
# statement), so they are reported as one. Categories not listed are never merged.
_FAMILY = {
    Category.ADMIN_ACCESS: "grant-breadth",
    Category.PRIVILEGE_ESCALATION: "grant-breadth",
    Category.WILDCARD_ACTION: "grant-breadth",
    Category.WILDCARD_RESOURCE: "grant-breadth",
}
# Which finding leads when severities tie: the one that says the most.
_LEAD = {
    Category.ADMIN_ACCESS: 0,
    Category.PRIVILEGE_ESCALATION: 1,
    Category.WILDCARD_ACTION: 2,
    Category.WILDCARD_RESOURCE: 3,
}


def merge_by_statement(
    findings: Iterable[Finding], statements: Mapping[str, tuple[str, ...]]
) -> list[Finding]:
    """One finding per policy statement, resource and problem family: the most severe, with
    the others in its `merged` and named at the end of its message. Suppressed findings,
    and findings about several statements or none, stay as they are."""
    out: list[Finding] = []
    groups: dict[tuple[str, str, str, str], list[Finding]] = {}
    for finding in findings:
        family = _FAMILY.get(finding.category)
        named = set(statements.get(finding.fingerprint, ()))
        if family is None or finding.suppressed or len(named) != 1:
            out.append(finding)
            continue
        key = (finding.location.file, finding.resource, family, named.pop())
        groups.setdefault(key, []).append(finding)
    for group in groups.values():
        group.sort(key=lambda f: (-f.severity.rank, _LEAD.get(f.category, 9), f.rule_id, f.key))
        lead, rest = group[0], tuple(group[1:])
        if not rest:
            out.append(lead)
            continue
        counts: dict[str, int] = {}
        for other in rest:
            counts[f"{other.rule_id} {other.rule_name}"] = (
                counts.get(f"{other.rule_id} {other.rule_name}", 0) + 1
            )
        facts = ", ".join(name if n == 1 else f"{name} (x{n})" for name, n in sorted(counts.items()))
        out.append(
            replace(
                lead, message=f"{lead.message}. The same statement is also reported as: {facts}", merged=rest
            )
        )
    return out


def _finding(
    graph: nx.MultiDiGraph,
    meta: RuleMeta,
    violation: Violation,
    config: Config,
    resources: Mapping[tuple[str, str], tuple[Template, Resource]],
    context: RuleContext,
) -> Finding:
    node = graph.nodes[violation.node] if violation.node in graph else {}
    location = violation.location or _location(graph, violation.node)
    resource_id = str(node.get("resource") or node.get("label") or violation.node)
    template_path = str(node.get("template") or location.file)
    entry = resources.get((template_path, resource_id))
    severity = config.severity_for(meta.id, meta.name) or violation.severity or meta.severity
    suppression = _metadata_skip(entry[1] if entry else None, meta)
    if suppression is None:
        for rule in config.suppress:
            if rule.matches(meta.id, meta.name, resource_id, location.file):
                suppression = Suppression(reason=rule.reason, source="config")
                break
    return Finding(
        rule_id=meta.id,
        rule_name=meta.name,
        category=meta.category,
        severity=severity,
        decision=meta.decision,
        message=violation.message,
        resource=resource_id,
        location=location,
        # the resource itself is not related to itself: `resource: Api related: Api` says nothing
        related=tuple(
            dict.fromkeys(label for label in map(context.label, violation.related) if label != resource_id)
        ),
        key=violation.key,
        suppression=suppression,
    )
