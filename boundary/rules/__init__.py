"""The rule engine: rule model, registry, findings. The rules themselves live in `policies/`."""

from __future__ import annotations

from collections.abc import Sequence

from boundary.rules._engine import (
    UntrustedRulesWarning,
    builtin_rules,
    evaluate,
    load_rules_from,
    rule_classes,
    withheld_message,
    withheld_rule_folders,
)
from boundary.rules._finding import Category, Decision, Finding, Severity, Suppression
from boundary.rules._rule import DOC_SECTIONS, Rule, RuleContext, RuleError, RuleMeta, Violation

__all__ = [
    "DOC_SECTIONS",
    "Category",
    "Decision",
    "Finding",
    "Rule",
    "RuleContext",
    "RuleError",
    "RuleMeta",
    "Severity",
    "Suppression",
    "UntrustedRulesWarning",
    "Violation",
    "builtin_rules",
    "docs_url",
    "evaluate",
    "find_rule",
    "load_rules_from",
    "registry",
    "rule_classes",
    "withheld_message",
    "withheld_rule_folders",
]

DOCS_BASE = "https://github.com/boundary-dev/boundary/blob/main/docs/rules"


def registry() -> tuple[RuleMeta, ...]:
    """The metadata of every built-in rule, sorted by id."""
    return tuple(cls.meta for cls in rule_classes())


def find_rule(id_or_name: str, rules: Sequence[RuleMeta] | None = None) -> RuleMeta | None:
    """A rule by id (`BND101`, any case) or name (`shared-execution-role`), among `rules`
    (default: the built-in ones)."""
    wanted = id_or_name.strip()
    for meta in registry() if rules is None else rules:
        if wanted.upper() == meta.id or wanted.lower() == meta.name:
            return meta
    return None


def docs_url(rule_id: str) -> str:
    """Where a rule's documentation is published (the generated `docs/rules/<ID>.md`)."""
    return f"{DOCS_BASE}/{rule_id}.md"
