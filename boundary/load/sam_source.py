"""What a SAM template says that the CloudFormation it expands to no longer does.

The translator (`boundary.load.sam`) turns a SAM template into plain CloudFormation,
which the CloudFormation loader reads like any other. A few things the user wrote
do not survive that and are read here, from the SAM source, for the CloudFormation
loader to use without knowing SAM:

* where each API operation a function's event declares is written, so an endpoint
  SAM generated points at the event that asked for it;
* which APIs the user wrote an OpenAPI `DefinitionBody` for, so their operations point
  into it;
* for each function or state machine whose role SAM generates, the `Policies` the user
  wrote: a managed policy on that role that they do not name was attached by SAM (for
  an event source), and the N-th inline policy of the role is `Policies[N]`;
* the connectors: that a function uses a table is the intent the user wrote, which the
  translator turns into policies and drops.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Connector", "SamSource"]

Path = tuple[str | int, ...]

# SAM names the inline policies of a generated role `<Function>RolePolicy<N>`,
# N being the index in the function's `Policies` list.
_POLICY_INDEX = re.compile(r"Policy(\d+)$")
# The implicit API an event of each type adds its operations to, when it names none.
_IMPLICIT_API = {"Api": "ServerlessRestApi", "HttpApi": "ServerlessHttpApi"}


@dataclass(frozen=True, slots=True)
class Connector:
    """A SAM connector: `source` (a logical id) uses `destinations`, as written at `path`."""

    source: str
    destinations: tuple[str, ...]
    path: Path


@dataclass(frozen=True, slots=True)
class SamSource:
    """The facts of a SAM template's source that its expansion loses (see the module)."""

    data: Mapping[str, Any]
    # (api, METHOD, path) -> where the function event that declares the operation is written
    api_events: Mapping[tuple[str, str, str], Path] = field(default_factory=dict)
    # the SAM APIs whose OpenAPI body the user wrote inline as `DefinitionBody`
    definition_bodies: frozenset[str] = frozenset()
    # function or state machine whose role SAM generates -> its written `Policies`, as text
    written_policies: Mapping[str, str] = field(default_factory=dict)
    connectors: tuple[Connector, ...] = ()

    @classmethod
    def read(cls, data: Mapping[str, Any]) -> SamSource:
        resources = data.get("Resources")
        resources = resources if isinstance(resources, Mapping) else {}
        return cls(
            data=data,
            api_events=_api_events(resources),
            definition_bodies=_definition_bodies(resources),
            written_policies=_written_policies(resources, data.get("Globals")),
            connectors=tuple(_connectors(resources)),
        )

    def policy_entry(self, origin: Path, policy_name: str) -> tuple[Path, Any] | None:
        """For the inline policy `policy_name` of a role SAM generated for the function at
        `origin`: the path of the `Policies` entry it came from and that entry as written
        (`Policies` may be one document rather than a list); None for other policies."""
        match = _POLICY_INDEX.search(policy_name)
        if match is None or len(origin) != 2:
            return None
        path: Path = (*origin, "Properties", "Policies", int(match.group(1)))
        entry = _at(self.data, path)
        if entry is None and path[-1] == 0:
            whole = _at(self.data, path[:-1])
            if isinstance(whole, Mapping):
                return path[:-1], whole
        return path, entry


def _at(data: Any, path: Path) -> Any:
    """The value at `path` inside `data`, or None."""
    for key in path:
        if isinstance(data, Mapping):
            data = data.get(key)
        elif isinstance(data, list) and isinstance(key, int) and 0 <= key < len(data):
            data = data[key]
        else:
            return None
    return data


def _definition_bodies(resources: Mapping[str, Any]) -> frozenset[str]:
    return frozenset(
        str(logical_id)
        for logical_id, definition in resources.items()
        if isinstance(definition, Mapping)
        and str(definition.get("Type", "")).startswith("AWS::Serverless::")
        and isinstance(definition.get("Properties"), Mapping)
        and isinstance(definition["Properties"].get("DefinitionBody"), Mapping)
    )


def _written_policies(resources: Mapping[str, Any], globals_: Any) -> dict[str, str]:
    """For each SAM function or state machine without a `Role` of its own (SAM generates it),
    its `Policies` (and the global ones) as text: a managed policy on the generated role
    whose name is not in it was attached by SAM itself, for an event source."""
    found: dict[str, str] = {}
    for logical_id, definition in resources.items():
        if not isinstance(definition, Mapping):
            continue
        kind = str(definition.get("Type", ""))
        if kind not in ("AWS::Serverless::Function", "AWS::Serverless::StateMachine"):
            continue
        properties = definition.get("Properties")
        properties = properties if isinstance(properties, Mapping) else {}
        if properties.get("Role") is not None:
            continue
        section = globals_.get(kind.rsplit("::", 1)[-1]) if isinstance(globals_, Mapping) else None
        shared = section.get("Policies") if isinstance(section, Mapping) else None
        found[str(logical_id)] = repr((properties.get("Policies"), shared))
    return found


def _api_events(resources: Mapping[str, Any]) -> dict[tuple[str, str, str], Path]:
    """Where each API operation that a SAM function event declares is written."""
    events: dict[tuple[str, str, str], Path] = {}
    for function_id, definition in resources.items():
        if not isinstance(definition, Mapping) or definition.get("Type") != "AWS::Serverless::Function":
            continue
        properties = definition.get("Properties")
        declared = properties.get("Events") if isinstance(properties, Mapping) else None
        if not isinstance(declared, Mapping):
            continue
        for event_id, event in declared.items():
            if not isinstance(event, Mapping) or event.get("Type") not in _IMPLICIT_API:
                continue
            props = event.get("Properties")
            props = props if isinstance(props, Mapping) else {}
            api_ref = props.get("RestApiId", props.get("ApiId"))
            if isinstance(api_ref, Mapping) and isinstance(api_ref.get("Ref"), str):
                api = api_ref["Ref"]
            elif isinstance(api_ref, str):
                api = api_ref
            else:
                api = _IMPLICIT_API[str(event["Type"])]
            method = str(props.get("Method", "ANY")).upper()
            method = "ANY" if method in ("ANY", "X-AMAZON-APIGATEWAY-ANY-METHOD") else method
            path = str(props.get("Path", "$default"))
            events.setdefault(
                (api, method, path), ("Resources", function_id, "Properties", "Events", event_id)
            )
    return events


def _connectors(resources: Mapping[str, Any]) -> list[Connector]:
    """Every connector, standalone (`AWS::Serverless::Connector`) or embedded in its source
    resource (`Connectors:`), with the logical ids it names."""
    found: list[Connector] = []
    for logical_id, definition in resources.items():
        if not isinstance(definition, Mapping):
            continue
        if definition.get("Type") == "AWS::Serverless::Connector":
            props = definition.get("Properties")
            if isinstance(props, Mapping):
                source = _connector_end(props.get("Source"))
                if source is not None:
                    path: Path = ("Resources", str(logical_id))
                    found.append(Connector(source, _ends(props.get("Destination")), path))
        connectors = definition.get("Connectors")
        if isinstance(connectors, Mapping):
            for name, connector in connectors.items():
                props = connector.get("Properties") if isinstance(connector, Mapping) else None
                if isinstance(props, Mapping):
                    path = ("Resources", str(logical_id), "Connectors", str(name))
                    found.append(Connector(str(logical_id), _ends(props.get("Destination")), path))
    return found


def _ends(destinations: Any) -> tuple[str, ...]:
    ends = (_connector_end(d) for d in (destinations if isinstance(destinations, list) else [destinations]))
    return tuple(end for end in ends if end is not None)


def _connector_end(value: Any) -> str | None:
    """The logical id a connector's Source or Destination names (`Id:`, or `Arn: !GetAtt X.Arn`)."""
    if not isinstance(value, Mapping):
        return None
    named = value.get("Id")
    if isinstance(named, str):
        return named
    arn = value.get("Arn")
    if isinstance(arn, Mapping):
        target = arn.get("Ref") or arn.get("Fn::GetAtt")
        if isinstance(target, list) and target:
            target = target[0]
        if isinstance(target, str):
            return target.split(".", 1)[0]
    return None
