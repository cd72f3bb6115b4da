"""The rule engine: rule model, registry, documentation. The rules themselves live in `policies/`.

The finding types (`Finding`, `Severity`, `Category`, `Decision`, `Suppression`)
live in the public module `boundary.findings` and are re-exported here.
"""

from __future__ import annotations

from collections.abc import Sequence

from boundary.findings import Category, Decision, Finding, Severity, Suppression
from boundary.rules._config import Config, ConfigError, ConfigSuppression, load_config, parse_config
from boundary.rules._docs import render_index, render_rule
from boundary.rules._engine import (
    UntrustedRulesWarning,
    builtin_rules,
    evaluate,
    load_rules_from,
    rule_classes,
    withheld_message,
    withheld_rule_folders,
)
from boundary.rules._rule import DOC_SECTIONS, Rule, RuleContext, RuleError, RuleMeta, Violation

__all__ = [
    "DOC_SECTIONS",
    "Category",
    "Config",
    "ConfigError",
    "ConfigSuppression",
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
    "load_config",
    "load_rules_from",
    "parse_config",
    "registry",
    "render_index",
    "render_rule",
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
