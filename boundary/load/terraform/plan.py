"""Recognising and decoding a plan, and the loader that runs the seams over it.

The seams, each given what it needs rather than the loader: `instances` (what
the plan will deploy), `references` (configuration expressions to instance
addresses, unknown values to `Symbolic`s), `index` (what an attribute
designates), `policies`, `relations` and `endpoints`; `locations` says where
each resource is written.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from boundary.load._cfn_types import canonical_type, kind_of
from boundary.load._errors import SourceError
from boundary.load._marks import JsonLocator
from boundary.load.options import LoadOptions
from boundary.load.terraform._shapes import UNKNOWN_TEXT, as_list, as_map, as_text
from boundary.load.terraform.endpoints import collect_endpoints
from boundary.load.terraform.index import PlanIndex, provider_region
from boundary.load.terraform.instances import Instance, collect_instances
from boundary.load.terraform.locations import RESOURCE_CHANGES_KEY, Locations
from boundary.load.terraform.policies import collect_policies
from boundary.load.terraform.references import Resolver
from boundary.load.terraform.relations import Relations
from boundary.load.terraform.sources import ConfigurationSources
from boundary.model import Format, Location, Resource, ResourceKind, Template

__all__ = [
    "UNKNOWN_TEXT",
    "ConfigurationSources",
    "decode_plan",
    "is_plan",
    "load_plan",
    "load_plan_text",
    "looks_like_plan",
    "shape_error",
]

_PLAN_PARTS = ("planned_values", "resource_changes", "configuration")


# ---------------------------------------------------------------- recognising and decoding


def is_plan(data: Any) -> bool:
    """True for the JSON of `terraform show -json <planfile>`.

    A plan has a string `format_version` and at least one of the plan parts in
    its expected JSON shape; CloudFormation (`Resources`) and state files
    (`values` without a plan part) are not plans.
    """
    if not isinstance(data, Mapping) or not isinstance(data.get("format_version"), str):
        return False
    if "Resources" in data or "AWSTemplateFormatVersion" in data:
        return False
    return (
        isinstance(data.get("planned_values"), Mapping)
        or isinstance(data.get("resource_changes"), list)
        or isinstance(data.get("configuration"), Mapping)
    )


def decode_plan(text: str, *, file: str) -> Any:
    """Parse plan text as JSON; a syntax error is a `SourceError` at the decoder's position."""
    try:
        return json.loads(text.removeprefix("\ufeff"))
    except json.JSONDecodeError as exc:
        raise SourceError(file, exc.lineno, exc.colno, f"invalid JSON: {exc.msg}") from None
    except RecursionError:
        raise SourceError(file, 0, 0, "invalid JSON: nested too deeply") from None


def load_plan_text(text: str, *, file: str, options: LoadOptions | None = None) -> Template:
    """Decode and load a plan; JSON that is not a plan is a `SourceError` here."""
    data = decode_plan(text, file=file)
    if not is_plan(data):
        raise SourceError(file, 1, 1, "not a Terraform plan (expected the output of `terraform show -json`)")
    return load_plan(data, file=file, text=text, options=options)


def looks_like_plan(data: Any) -> bool:
    """A JSON object that claims to be a plan (a `format_version` string and a plan part),
    whatever the shape of its parts: such a file is a plan with errors, not some other JSON."""
    return (
        isinstance(data, Mapping)
        and isinstance(data.get("format_version"), str)
        and "Resources" not in data
        and any(part in data for part in _PLAN_PARTS)
    )


def shape_error(data: Mapping[str, Any]) -> str | None:
    """What is wrong with the top-level shape of a plan, or None.

    Parts of the wrong type, and resource changes that are not objects with an
    address, make the plan unreadable as a whole: loading what is left would be
    a silent pass over resources that were planned.
    """
    expected = {
        "planned_values": (Mapping, "an object"),
        "resource_changes": (list, "a list"),
        "configuration": (Mapping, "an object"),
    }
    for part, (kind, name) in expected.items():
        if part in data and data[part] is not None and not isinstance(data[part], kind):
            return f"Terraform plan: '{part}' is not {name}"
    for index, change in enumerate(as_list(data.get("resource_changes"))):
        if not isinstance(change, Mapping) or not as_text(change.get("address")):
            return f"Terraform plan: resource_changes[{index}] is not a resource change with an address"
    return None


def load_plan(
    data: Mapping[str, Any],
    *,
    file: str,
    text: str,
    options: LoadOptions | None = None,
    sources: ConfigurationSources | None = None,
) -> Template:
    """Load a decoded plan. Malformed parts are skipped; only `SourceError` is raised.

    `options.account` is the account of every generated ARN; `options.region` is
    the region where the plan's provider configuration names none. With `sources`
    (the `.tf` configuration the plan came from), resources are located at their
    blocks in the `.tf` files, and policies the plan holds as unknown are rebuilt
    from the configuration."""
    problem = shape_error(data)
    if problem is not None:
        match = RESOURCE_CHANGES_KEY.search(text) if "resource_changes" in problem else None
        line = text.count("\n", 0, match.start()) + 1 if match else 1
        raise SourceError(file, line, 1, problem)
    try:
        return _load(data, file, text, options or LoadOptions(), sources)
    except SourceError:
        raise
    except RecursionError:
        raise SourceError(file, 0, 0, "Terraform plan is nested too deeply") from None
    except Exception as exc:  # noqa: BLE001 - the contract: bad input never escapes as a traceback
        raise SourceError(file, 0, 0, f"cannot read Terraform plan: {type(exc).__name__}: {exc}") from None


def _load(
    data: Mapping[str, Any],
    file: str,
    text: str,
    options: LoadOptions,
    sources: ConfigurationSources | None,
) -> Template:
    """The seams in order, each given what it needs: the instances and what their
    references mean, then the resources, policies, relations and endpoints."""
    locations = Locations(file, text, sources)
    configuration = as_map(data.get("configuration"))
    plan = collect_instances(data)
    index = PlanIndex(
        plan,
        Resolver(plan),
        locations,
        configuration=configuration,
        region=provider_region(configuration, "aws") or options.region,
        account=options.account,
        partition=options.partition,
    )
    resources = {instance.address: _resource(index, instance) for instance in index.instances.values()}
    policies = collect_policies(index, sources)
    relations = Relations(index, values_from_sources=sources is not None)
    relations.collect()
    endpoints = collect_endpoints(index, relations)
    for address, literal, location in _providers(configuration, locations, sources):
        if address not in resources:
            resources[address] = Resource(
                id=address,
                type="provider",
                kind=ResourceKind.OTHER,
                location=location,
                properties=literal,
                metadata={"mode": "provider"},
            )
    variables = {str(k): as_map(v).get("value") for k, v in as_map(data.get("variables")).items()}
    lines = tuple(text.splitlines())
    return Template(
        path=file,
        format=Format.TERRAFORM,
        resources=resources,
        policies=tuple(policies),
        relations=relations.found,
        endpoints=tuple(endpoints),
        parameters=variables,
        region=index.region,
        account=index.account,
        partition=index.partition,
        source_lines=lines,
        sources=dict(sources.files) if sources is not None else {},
        written=sources.written(resources) if sources is not None else {},
        notes=tuple(sources.notes) if sources is not None else (),
        outputs=dict(as_map(as_map(data.get("planned_values")).get("outputs"))),
        locate=JsonLocator(file, lines),
    )


def _providers(
    configuration: Mapping[str, Any], locations: Locations, sources: ConfigurationSources | None
) -> list[tuple[str, dict[str, Any], Location]]:
    """Provider blocks that hold literal credentials, as `provider.<name>` resources
    (their keys are judged like any other): from the `.tf` sources when given, else
    from the plan's `configuration.provider_config`."""
    if sources is not None:
        return list(sources.providers())
    found: list[tuple[str, dict[str, Any], Location]] = []
    for key, provider in as_map(configuration.get("provider_config")).items():
        expressions = as_map(as_map(provider).get("expressions"))
        literal = {
            name: as_map(expressions.get(name)).get("constant_value")
            for name in ("access_key", "secret_key", "token")
            if as_text(as_map(expressions.get(name)).get("constant_value"))
        }
        if literal:
            address = f"provider.{key}"
            found.append((address, literal, locations.provider_key(f'"{key}"', address)))
    return found


def _resource(index: PlanIndex, instance: Instance) -> Resource:
    metadata: dict[str, Any] = {"mode": instance.mode}
    if instance.module:
        metadata["module"] = instance.module
    if instance.index is not None:
        metadata["index"] = instance.index
    if instance.actions:
        metadata["actions"] = list(instance.actions)
    return Resource(
        id=instance.address,
        type=instance.type,
        aws_type=canonical_type(instance.type),
        kind=kind_of(instance.type),
        location=index.location(instance),
        properties=instance.values,
        arns=index.arns(instance),
        name=index.name(instance),
        metadata=metadata,
        references=instance.references,
        depends_on=instance.depends_on,
    )
