"""The plan as the seams see it: instances with their values, names and ARNs, and the
resources an attribute designates.

`PlanIndex` prepares every instance once (unknown values made symbolic, its
location, what its configuration refers to) and indexes known identifying
values (ARNs, names, ids), so `role = "arn:aws:iam::...:role/x"` finds
`aws_iam_role.x` with no reference to follow. Policies, relations and endpoints
ask it, and only it, which resources an attribute means.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from boundary.load._cfn_types import arns_for, name_attribute
from boundary.load.terraform._shapes import as_list, as_map, as_text, value_at
from boundary.load.terraform.instances import Instance, Instances
from boundary.load.terraform.locations import Locations
from boundary.load.terraform.references import Resolver, expression_references
from boundary.model import Location, Symbolic

__all__ = ["PlanIndex", "provider_region"]

_FUNCTION_IN_URI = re.compile(r"(arn:[\w-]+:lambda:[\w-]+:\d{12}:function:[\w.-]+(?::[\w$-]+)?)")
# the values that identify a resource where another one names it
_IDENTIFYING = (
    "arn",
    "id",
    "name",
    "function_name",
    "bucket",
    "url",
    "invoke_arn",
    "execution_arn",
    "qualified_arn",
)


def provider_region(configuration: Mapping[str, Any], key: str) -> str | None:
    """The literal region of the provider configuration `key` (`aws`, `aws.eu`), if any."""
    provider = as_map(as_map(configuration.get("provider_config")).get(key))
    region = as_map(as_map(provider.get("expressions")).get("region")).get("constant_value")
    return as_text(region)


class PlanIndex:
    def __init__(
        self,
        plan: Instances,
        resolver: Resolver,
        locations: Locations,
        *,
        configuration: Mapping[str, Any],
        region: str,
        account: str,
        partition: str,
    ) -> None:
        self.instances: Mapping[str, Instance] = plan.by_address
        self.resolver = resolver
        self.region = region
        self.account = account
        self.partition = partition
        self._plan = plan
        self._locations = locations
        self._configuration = configuration
        self._by_value: dict[str, set[str]] = {}
        for instance in self.instances.values():
            self._prepare(instance)
        for instance in self.instances.values():
            self._index_values(instance)

    def _prepare(self, instance: Instance) -> None:
        instance.values = self.resolver.mark(instance.raw_values, instance.unknown, instance)
        instance.location = self._locations.resource(instance.address)
        config = instance.config
        refs = expression_references(config.get("expressions"))
        for key in ("count_expression", "for_each_expression"):
            refs.extend(expression_references(config.get(key)))
        instance.references = self.resolver.resolve_all(refs, instance)
        waits = config.get("depends_on")
        instance.depends_on = self.resolver.resolve_all(
            [w for w in as_list(waits) if isinstance(w, str)], instance
        )

    def _index_values(self, instance: Instance) -> None:
        """Known identifying values -> address, to resolve `role = "arn:..."` without references."""
        values = [instance.values.get(k) for k in _IDENTIFYING]
        if instance.type == "aws_api_gateway_rest_api":
            values.append(instance.values.get("root_resource_id"))
        for value in (*values, *self.arns(instance)):
            if isinstance(value, str) and value:
                self._by_value.setdefault(value, set()).add(instance.address)

    # ------------------------------------------------------------ what an instance is

    def name(self, instance: Instance) -> str | Symbolic | None:
        name = instance.values.get(name_attribute(instance.type))
        return name if isinstance(name, (str, Symbolic)) and name != "" else None

    def arns(self, instance: Instance) -> tuple[str, ...]:
        if instance.mode == "data" and instance.type == "aws_iam_policy_document":
            return ()
        key = str(instance.config.get("provider_config_key", ""))
        region = provider_region(self._configuration, key) or self.region
        return arns_for(
            instance.type,
            instance.values,
            name=self.name(instance),
            partition=self.partition,
            region=region,
            account=self.account,
        )

    def location(self, instance: Instance, path: Sequence[str | int] = ()) -> Location:
        """Where a resource is written, or the attribute at `path` in it (with sources)."""
        found = self._locations.attribute(instance.address, path)
        if found is not None:
            return found
        return instance.location or Location(self._locations.file, address=instance.address)

    # ------------------------------------------------------------ what an attribute designates

    def of_type(self, *types: str) -> Iterator[Instance]:
        wanted = set(types)
        return (i for i in self.instances.values() if i.type in wanted)

    def _of_type(self, addresses: Iterable[str], types: Iterable[str] | None) -> list[str]:
        wanted = None if types is None else set(types)
        return sorted(
            {
                a
                for a in addresses
                if a in self.instances and (wanted is None or self.instances[a].type in wanted)
            }
        )

    def match_value(self, value: str, types: Iterable[str] | None) -> list[str]:
        """The resources (of `types`) a known value identifies: an ARN, name, id or URL."""
        candidates = set(self._by_value.get(value, ()))
        function = _FUNCTION_IN_URI.search(value) if not candidates else None
        if function:
            arn = function.group(1)
            candidates |= self._by_value.get(arn, set())
            if not candidates and arn.count(":") > 6:  # a qualified ARN: function:name:alias
                candidates |= self._by_value.get(arn.rsplit(":", 1)[0], set())
        return self._of_type(candidates, types)

    def targets(
        self, instance: Instance, path: Sequence[str | int], types: Iterable[str] | None = None
    ) -> list[str]:
        """The resources an attribute designates: by its known value, else by its references."""
        types = None if types is None else tuple(types)
        value = value_at(instance.values, path)
        found: list[str] = []
        items = value if isinstance(value, list) else [value]
        for item in items:
            if isinstance(item, str) and item:
                found.extend(self.match_value(item, types))
            elif isinstance(item, Symbolic):
                found.extend(self._of_type(item.references, types))
        if not found:
            found = self._of_type(self.resolver.references_at(instance, path), types)
        return sorted(set(found))

    def addresses(self, reference: str) -> list[str]:
        """The instances an absolute configuration address means (`aws_x.y` -> its instances)."""
        if reference in self.instances:
            return [reference]
        return list(self._plan.by_base.get(reference, ()))
