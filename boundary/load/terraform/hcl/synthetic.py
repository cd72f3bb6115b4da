"""A plan from the sources alone: what the plan loader reads when no plan is given."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from boundary.load.terraform.hcl.config_sources import ConfigSources, localize
from boundary.load.terraform.hcl.configuration import module_steps
from boundary.load.terraform.hcl.evaluate import key_text
from boundary.load.terraform.hcl.values import Encoded, is_known, references_in, settle

__all__ = ["synthetic_plan"]


def _relative_refs(value: Any, module_address: str) -> list[str]:
    prefix = f"{module_address}." if module_address else ""
    out = []
    for ref in references_in(value):
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
            instance.address[: -len(key_text(instance.index))]
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
                    "after": localize(settle(values), known),
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
    for name, _ in module_steps(module_address):
        calls = node.setdefault("module_calls", {})
        call = calls.setdefault(name, {"module": {"resources": [], "module_calls": {}}})
        node = call["module"]
    return node
