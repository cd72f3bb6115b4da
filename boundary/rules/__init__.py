"""The rule engine: rule model, registry, documentation. The rules themselves live in `policies/`.

The finding types (`Finding`, `Severity`, `Category`, `Decision`, `Suppression`)
live in the public module `boundary.findings` and are re-exported here.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from boundary.findings import Category, Decision, Finding, Severity, Suppression
from boundary.rules._config import Config, ConfigError, ConfigSuppression, load_config, parse_config
from boundary.rules._docs import render_index, render_rule
from boundary.rules._engine import (
    Judged,
    UntrustedRulesWarning,
    builtin_rules,
    evaluate,
    evaluate_grouped,
    judge_alone,
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
    "Judged",
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
    "evaluate_grouped",
    "find_rule",
    "judge_alone",
    "load_config",
    "load_rules_from",
    "parse_config",
    "registry",
    "render_index",
    "render_rule",
    "rule_classes",
    "shipped_page",
    "withheld_message",
    "withheld_rule_folders",
]

#: Where rule pages are published, when they are: a base URL (`<base>/<ID>.md`) or a
#: template with `{id}`; empty leaves rule links out. Unset, links point at the pages
#: shipped inside the installed package (docs/rules/, generated from the rules).
DOCS_URL_ENV = "BOUNDARY_DOCS_URL"


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
    """Where a rule's page is: under `$BOUNDARY_DOCS_URL` when it is set (`{id}` in it is
    replaced by the id; otherwise `<base>/<ID>.md`; empty means no link), else the page
    shipped in the installed package, as a `file:` URI. "" when there is no page (a user
    rule): no link is better than a link to nothing."""
    configured = os.environ.get(DOCS_URL_ENV)
    if configured is not None:
        configured = configured.strip()
        if not configured:
            return ""
        if "{id}" in configured:
            return configured.replace("{id}", rule_id)
        return f"{configured.rstrip('/')}/{rule_id}.md"
    page = shipped_page(rule_id)
    if page is None:
        return ""
    # `file://localhost/...` rather than `file:///...`: the same file (RFC 8089), and a URL
    # with a host, which Checkov requires of a guideline before it writes SARIF's helpUri
    return "file://localhost" + page.as_uri().removeprefix("file://")


def shipped_page(rule_id: str) -> Path | None:
    """The rule's generated page: inside the installed package (`boundary/docs/rules/`,
    see pyproject.toml), or in the source checkout's `docs/rules/`; None if neither has it."""
    if not rule_id.isalnum():
        return None
    package = Path(__file__).resolve().parent.parent
    for folder in (package / "docs" / "rules", package.parent / "docs" / "rules"):
        page = folder / f"{rule_id}.md"
        if page.is_file():
            return page
    return None
