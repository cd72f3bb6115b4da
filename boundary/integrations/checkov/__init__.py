"""boundary's rule pack inside Checkov pipelines (docs/checkov.md).

Checkov 3 has no plugin entry point for pip packages: it loads Python checks
from the folders given to `--external-checks-dir`. `checks_dir()` is that
folder; its one module registers, for every built-in rule, a Checkov
`cloudformation` resource check and a `terraform` resource check (Checkov's
`terraform_plan` framework runs the Terraform registry too), and a provider check
where a rule reports on provider blocks. Each check asks
`analysis()` for the findings of the file it is looking at (a `.tf` file: the
configuration of its folder): the file is loaded,
expanded (SAM), graphed and evaluated by boundary once, and every check of that
file reads the same result.

This package imports Checkov only in `checks/`, which only Checkov loads.
"""

from __future__ import annotations

from boundary.integrations.checkov._adapter import (
    CHECK_PREFIX,
    FileAnalysis,
    Placed,
    analysis,
    check_id,
    checks_dir,
    clear_cache,
    locate,
    rule_id,
)
from boundary.integrations.checkov._run import (
    CheckovArgumentError,
    CheckovMissing,
    check_arguments,
    checkov_command,
    run_checkov,
)

__all__ = [
    "CHECK_PREFIX",
    "CheckovArgumentError",
    "CheckovMissing",
    "FileAnalysis",
    "Placed",
    "analysis",
    "check_arguments",
    "check_id",
    "checkov_command",
    "checks_dir",
    "clear_cache",
    "locate",
    "rule_id",
    "run_checkov",
]
