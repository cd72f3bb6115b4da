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

`syntax` parses the files, `values` holds values with unknown parts,
`evaluate` (with `functions`) evaluates expressions, `configuration` expands
modules and instances, `config_sources` answers the plan loader
(`ConfigurationSources`), and `synthetic` builds a plan from the sources alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from boundary.load._tf_folders import is_configuration_dir, record_dependencies, terraform_folders
from boundary.load.terraform.hcl.config_sources import ConfigSources, read_configuration
from boundary.load.terraform.hcl.synthetic import synthetic_plan

__all__ = [
    "PLAN_ADVICE",
    "ConfigSources",
    "folders_read",
    "is_configuration_dir",
    "load_configuration",
    "matches_plan",
    "read_configuration",
    "record_dependencies",
    "terraform_folders",
]

PLAN_ADVICE = (
    "scanned Terraform sources without a plan: values known only at plan time stay unknown; "
    "scan the output of `terraform show -json` beside the sources for better results"
)


def folders_read(sources: ConfigSources) -> set[str]:
    """Every folder the configuration read: its root and the local modules it calls."""
    return set(sources.configuration.module_folders())


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

    from boundary.load.terraform.plan import load_plan

    template = load_plan(synthetic_plan(sources), file=path, text="", options=options, sources=sources)
    return replace(template, notes=(PLAN_ADVICE, *template.notes))
