"""Offline evaluation of CloudFormation intrinsic functions.

The resolver replaces what can be known before deploy (parameters with their
defaults or overrides, pseudo parameters, the names and ARNs of the
template's own resources, mappings, decidable conditions) and leaves the rest
as `Symbolic` leaves that say why and which resources they mention. It never
guesses and never raises: a malformed call becomes a `Symbolic` whose reason
names the problem, because validation belongs to the rules and a scanner must
still report on the rest of the template.

Choices where CloudFormation's own behaviour is not reproducible offline:

* `Fn::Base64` returns its argument unencoded: we scan content (user data,
  inline code), not its encoding.
* `Fn::GetAZs` returns three zones, `{region}a`, `{region}b`, `{region}c`.
* `Ref` of a `Number` parameter is its text, as CloudFormation gives it;
  `CommaDelimitedList` and `List<...>` parameters are lists (items stripped);
  `AWS::SSM::Parameter::Value<...>` parameters are symbolic.
* `AWS::NoValue` removes the mapping key or list item that holds it; a whole
  value that is `AWS::NoValue` resolves to None.
* `Fn::If` on an undecidable condition gives one `Symbolic` mentioning the
  resources of both branches, unless both branches resolve to the same value.
* `Fn::Equals` compares the CloudFormation text of both sides (`1` equals "1").
"""

from __future__ import annotations

import contextlib
import ipaddress
import itertools
import json
import re
import uuid
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from boundary.load import _cfn_types
from boundary.load._limits import LimitExceeded, charge
from boundary.model import Symbolic

__all__ = ["NO_VALUE", "Resolver"]


class _NoValue:
    """`AWS::NoValue`: removes the key or list item that holds it."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "NO_VALUE"


NO_VALUE: Any = _NoValue()

_SUB_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_CONDITION_FUNCTIONS = frozenset({"Fn::Equals", "Fn::And", "Fn::Or", "Fn::Not"})
_MAX_TEXT = 160
# Real templates nest a few dozen levels; deeper input is hostile or broken and must not reach
# Python's recursion limit (each level of a function call takes about three frames).
_MAX_DEPTH = 200


class _Unresolvable(Exception):
    """A malformed call: becomes a `Symbolic` with this message as its reason."""


class _Properties(Mapping[str, Any]):
    """A resource's properties resolved key by key, on demand.

    `Ref` or `GetAtt` of a resource needs only its name property (and a few
    others); resolving the rest would waste time and could run into
    references the name does not depend on.
    """

    __slots__ = ("_cache", "_logical_id", "_raw", "_resolver")

    def __init__(self, resolver: Resolver, logical_id: str, raw: Mapping[str, Any]) -> None:
        self._resolver = resolver
        self._logical_id = logical_id
        self._raw = raw
        self._cache: dict[str, Any] = {}

    def __getitem__(self, key: str) -> Any:
        if key in self._cache:
            value = self._cache[key]
        else:
            raw = self._raw[key]
            pending = self._resolver._pending
            marker = ("property", self._logical_id, key)
            if marker in pending:
                return Symbolic(
                    text=_show(raw),
                    references=(self._logical_id,),
                    reason=f"circular reference through {self._logical_id}.{key}",
                )
            pending.add(marker)
            try:
                value = self._resolver._resolve(raw)
            finally:
                pending.discard(marker)
            self._cache[key] = value
        if value is NO_VALUE:
            raise KeyError(key)
        return value

    def __iter__(self) -> Iterator[str]:
        return iter(self._raw)

    def __len__(self) -> int:
        return len(self._raw)


class Resolver:
    """Resolves intrinsic functions in one template, with memoised resource values."""

    def __init__(
        self,
        template: Mapping[str, Any],
        *,
        file: str,
        parameters: Mapping[str, str] | None = None,
        region: str = "us-east-1",
        account: str = "123456789012",
        partition: str = "aws",
        stack_name: str = "boundary-stack",
    ) -> None:
        self.file = file
        self.region = region
        self.account = account
        self.partition = partition
        self.stack_name = stack_name
        template = template if isinstance(template, Mapping) else {}
        self._resources = {
            str(k): v for k, v in _mapping(template.get("Resources")).items() if isinstance(v, Mapping)
        }
        self._declared = {str(k): v for k, v in _mapping(template.get("Parameters")).items()}
        self._mappings = _mapping(template.get("Mappings"))
        self._conditions = _mapping(template.get("Conditions"))
        self._overrides = dict(parameters or {})
        self._pending: set[tuple[str, ...]] = set()
        self._depth = 0
        self._parameter_values: dict[str, Any] = {}
        self._ref_values: dict[str, str | Symbolic] = {}
        self._att_values: dict[tuple[str, str], str | Symbolic] = {}
        self._properties: dict[str, _Properties] = {}
        self._condition_values: dict[str, bool | None] = {}
        self._condition_reasons: dict[str, str] = {}
        self._assumed: dict[str, bool] = {}
        stack_uuid = uuid.uuid5(uuid.NAMESPACE_URL, f"boundary:{partition}:{region}:{account}:{stack_name}")
        self._pseudo: dict[str, Any] = {
            "AWS::Region": region,
            "AWS::AccountId": account,
            "AWS::Partition": partition,
            "AWS::StackName": stack_name,
            "AWS::StackId": f"arn:{partition}:cloudformation:{region}:{account}:stack/{stack_name}/{stack_uuid}",
            "AWS::URLSuffix": _cfn_types.url_suffix(partition),
            "AWS::NoValue": NO_VALUE,
            "AWS::NotificationARNs": Symbolic(
                text="!Ref AWS::NotificationARNs", reason="notification ARNs are given at deploy time"
            ),
        }
        self._functions: dict[str, Callable[[Any], Any]] = {
            "Ref": self._ref,
            "Fn::GetAtt": self._get_att,
            "Fn::Sub": self._sub,
            "Fn::Join": self._join,
            "Fn::Select": self._select,
            "Fn::Split": self._split,
            "Fn::If": self._if,
            "Fn::FindInMap": self._find_in_map,
            "Fn::Base64": self._base64,
            "Fn::GetAZs": self._get_azs,
            "Fn::Cidr": self._cidr,
            "Fn::ImportValue": self._import_value,
            "Fn::Transform": self._transform,
            "Fn::Length": self._length,
            "Fn::ToJsonString": self._to_json_string,
        }

    # --- public -----------------------------------------------------------------------------------

    def resolve(self, value: Any) -> Any:
        """`value` with every intrinsic function evaluated or replaced by a `Symbolic`; never raises."""
        try:
            result = self._resolve(value)
        except RecursionError:
            return Symbolic(text=_show(value), reason="nesting too deep to resolve")
        return None if result is NO_VALUE else result

    def references(self, value: Any) -> frozenset[str]:
        """Template resources that a raw value mentions through Ref, GetAtt and Sub."""
        found: set[str] = set()
        stack = [value]
        while stack:
            item = stack.pop()
            if isinstance(item, Mapping):
                if len(item) == 1:
                    ((key, arg),) = item.items()
                    if key == "Ref" and isinstance(arg, str):
                        if arg in self._resources:
                            found.add(arg)
                        continue
                    if key == "Fn::GetAtt":
                        name = arg.partition(".")[0] if isinstance(arg, str) else _first(arg)
                        if isinstance(name, str) and name in self._resources:
                            found.add(name)
                    elif key == "Fn::Sub":
                        # the template string only: its variables are walked below, once
                        # (walking them here too doubled the work at every nesting level)
                        found.update(self._sub_template_references(arg))
                stack.extend(item.values())
            elif isinstance(item, (list, tuple)):
                stack.extend(item)
        return frozenset(found)

    def condition(self, name: str) -> bool | None:
        """The value of a template condition; None when it cannot be decided offline."""
        if not isinstance(name, str):
            return None
        if name in self._assumed:
            return self._assumed[name]
        if name in self._condition_values:
            return self._condition_values[name]
        marker = ("condition", name)
        if marker in self._pending:
            self._condition_reasons[name] = f"condition {name} refers to itself"
            return None
        if name not in self._conditions:
            value, reason = None, f"undefined condition {name}"
        else:
            self._pending.add(marker)
            try:
                value, reason = self._evaluate(self._conditions[name])
            except RecursionError:
                value, reason = None, f"condition {name} is nested too deep"
            finally:
                self._pending.discard(marker)
        self._condition_values[name] = value
        if value is None:
            self._condition_reasons[name] = reason
        return value

    def undecided_conditions(self, value: Any) -> tuple[str, ...]:
        """The conditions of the `Fn::If` calls in a raw value that cannot be decided
        offline (under the current assumptions), in the order they first appear."""
        found: dict[str, None] = {}
        stack = [value]
        while stack:
            item = stack.pop()
            if isinstance(item, Mapping):
                arg = item.get("Fn::If") if len(item) == 1 else None
                if isinstance(arg, (list, tuple)) and len(arg) == 3 and isinstance(arg[0], str):
                    decided = self.condition(arg[0])
                    if decided is None:
                        found.setdefault(arg[0])
                        stack.extend(reversed(arg[1:]))
                    else:
                        stack.append(arg[1] if decided else arg[2])
                    continue
                stack.extend(reversed(list(item.values())))
            elif isinstance(item, (list, tuple)):
                stack.extend(reversed(item))
        return tuple(found)

    def assumptions(self, value: Any, limit: int = 4) -> list[dict[str, bool]]:
        """Every consistent assignment of the undecidable conditions `value` depends on
        (at most `limit` of them, so at most 2**limit assignments); `[{}]` when there
        are none. A condition derived from an assumed one is decided by it, so
        `IsProd: !Not [Condition: IsDev]` never gets a contradicting assignment."""
        out: list[dict[str, bool]] = []

        def walk(assumed: dict[str, bool]) -> None:
            with self.assuming(assumed):
                undecided = self.undecided_conditions(value)
            if not undecided or len(assumed) >= limit:
                out.append(assumed)
                return
            for choice in (True, False):
                walk({**assumed, undecided[0]: choice})

        walk({})
        return out

    @contextlib.contextmanager
    def assuming(self, values: Mapping[str, bool]) -> Iterator[Resolver]:
        """Resolve as if the named conditions had these values (one branch of each
        `Fn::If` on them), then forget it."""
        saved = self._assumed
        self._assumed = {**saved, **values}
        self._forget()
        try:
            yield self
        finally:
            self._assumed = saved
            self._forget()

    def _forget(self) -> None:
        """Drop every cached value that may depend on a condition."""
        self._condition_values.clear()
        self._condition_reasons.clear()
        self._ref_values.clear()
        self._att_values.clear()
        self._properties.clear()

    # --- walking ----------------------------------------------------------------------------------

    def _resolve(self, value: Any) -> Any:
        if not isinstance(value, (Mapping, list, tuple)):
            return value
        if self._depth >= _MAX_DEPTH:
            return Symbolic(text="...", reason=f"nested more than {_MAX_DEPTH} levels deep")
        charge()  # total work, not only depth: shared values can be resolved many times
        self._depth += 1
        try:
            return self._resolve_container(value)
        finally:
            self._depth -= 1

    def _resolve_container(self, value: Any) -> Any:
        if isinstance(value, Mapping):
            if len(value) == 1:
                ((key, arg),) = value.items()
                if key == "Ref" or (isinstance(key, str) and key.startswith("Fn::")):
                    return self._call(key, arg, value)
            resolved: dict[Any, Any] = {}
            for key, item in value.items():
                result = self._resolve(item)
                if result is not NO_VALUE:
                    resolved[key] = result
            return resolved
        if isinstance(value, (list, tuple)):
            items = []
            for item in value:
                result = self._resolve(item)
                if result is not NO_VALUE:
                    items.append(result)
            return items
        return value

    def _call(self, key: str, arg: Any, raw: Mapping[str, Any]) -> Any:
        function = self._functions.get(key)
        try:
            if function is not None:
                return function(arg)
            if key in _CONDITION_FUNCTIONS:
                decided, reason = self._evaluate(raw)
                if decided is not None:
                    return decided
                raise _Unresolvable(reason)
            raise _Unresolvable(f"unknown intrinsic function {key}")
        except _Unresolvable as problem:
            return self._symbolic(raw, str(problem))
        except LimitExceeded:
            raise
        except Exception as error:  # noqa: BLE001 - odd input must give a Symbolic, never a traceback
            return self._symbolic(raw, f"cannot evaluate {key}: {type(error).__name__}: {error}")

    def _symbolic(self, raw: Any, reason: str, extra: tuple[Symbolic, ...] = ()) -> Symbolic:
        references = set(self.references(raw))
        for value in extra:
            references.update(value.references)
        return Symbolic(text=_show(raw), references=tuple(sorted(references)), reason=reason)

    # --- Ref and GetAtt ---------------------------------------------------------------------------

    def _ref(self, name: Any) -> Any:
        if not isinstance(name, str):
            raise _Unresolvable("Ref needs the name of a parameter or resource")
        if name in self._pseudo:
            return self._pseudo[name]
        if name in self._declared:
            if name not in self._parameter_values:
                self._parameter_values[name] = self._parameter(name)
            return self._parameter_values[name]
        if name in self._resources:
            if name not in self._ref_values:
                self._ref_values[name] = self._resource_value(name, None)
            return self._ref_values[name]
        return Symbolic(
            text=f"!Ref {name}", reason=f"undefined parameter {name} (no parameter or resource has this name)"
        )

    def _parameter(self, name: str) -> Any:
        declaration = _mapping(self._declared[name])
        declared_type = declaration.get("Type", "String")
        kind = declared_type if isinstance(declared_type, str) else "String"
        text = f"!Ref {name}"
        if kind.startswith("AWS::SSM::Parameter::Value<"):
            source = self._overrides.get(name, declaration.get("Default"))
            return Symbolic(
                text=text, reason=f"parameter {name} is read from SSM parameter {source!r} at deploy time"
            )
        if name in self._overrides:
            raw = self._overrides[name]
        elif "Default" in declaration:
            raw = declaration["Default"]
        else:
            return Symbolic(text=text, reason=f"parameter {name} has no default value and no override")
        if kind == "CommaDelimitedList" or kind.startswith("List<"):
            if isinstance(raw, (list, tuple)):
                items = [_text(item) for item in raw]
            else:
                single = _text(raw)
                items = [part.strip() for part in single.split(",")] if isinstance(single, str) else [single]
            if all(isinstance(item, str) for item in items):
                return items
            return Symbolic(text=text, reason=f"parameter {name} has a value that is not a list of strings")
        value = _text(raw)
        if value is None:
            return Symbolic(text=text, reason=f"parameter {name} has a value that is not a string")
        return value

    def _get_att(self, arg: Any) -> Any:
        if isinstance(arg, str):
            logical_id, _, attribute = arg.partition(".")
        elif isinstance(arg, (list, tuple)) and len(arg) == 2:
            logical_id = arg[0]
            attribute = self._resolve(arg[1]) if isinstance(arg[1], Mapping) else arg[1]
        else:
            raise _Unresolvable("Fn::GetAtt needs [resource, attribute]")
        if isinstance(attribute, Symbolic):
            return Symbolic(
                text=f"${{{logical_id}.{attribute.text}}}",
                references=(logical_id,) if logical_id in self._resources else (),
                reason=f"attribute name is not known: {attribute.reason}",
            )
        if (
            not isinstance(logical_id, str)
            or not isinstance(attribute, str)
            or not logical_id
            or not attribute
        ):
            raise _Unresolvable("Fn::GetAtt needs a resource name and an attribute name")
        return self._attribute(logical_id, attribute)

    def _attribute(self, logical_id: str, attribute: str) -> str | Symbolic:
        if logical_id not in self._resources:
            return Symbolic(text=f"${{{logical_id}.{attribute}}}", reason=f"undefined resource {logical_id}")
        key = (logical_id, attribute)
        if key not in self._att_values:
            self._att_values[key] = self._resource_value(logical_id, attribute)
        return self._att_values[key]

    def _resource_value(self, logical_id: str, attribute: str | None) -> str | Symbolic:
        marker = ("resource", logical_id, attribute or "")
        text = f"!Ref {logical_id}" if attribute is None else f"${{{logical_id}.{attribute}}}"
        if marker in self._pending:
            return Symbolic(
                text=text, references=(logical_id,), reason=f"circular reference through {logical_id}"
            )
        definition = self._resources[logical_id]
        cfn_type = definition.get("Type")
        cfn_type = cfn_type if isinstance(cfn_type, str) else ""
        info = _cfn_types.type_info(cfn_type)
        properties = self._properties.get(logical_id)
        if properties is None:
            properties = _Properties(self, logical_id, _mapping(definition.get("Properties")))
            self._properties[logical_id] = properties
        common = {
            "partition": self.partition,
            "region": self.region,
            "account": self.account,
            "stack_name": self.stack_name,
            "cfn_type": cfn_type,
        }
        self._pending.add(marker)
        try:
            if attribute is None:
                return _cfn_types.ref_value(logical_id, properties, info, **common)
            return _cfn_types.get_att(logical_id, properties, info, attribute, **common)
        finally:
            self._pending.discard(marker)

    # --- strings ----------------------------------------------------------------------------------

    def _sub(self, arg: Any) -> Any:
        variables: Any = {}
        if isinstance(arg, str):
            template = arg
        elif isinstance(arg, (list, tuple)) and len(arg) in (1, 2):
            template = arg[0]
            if len(arg) == 2:
                variables = arg[1]
        else:
            raise _Unresolvable("Fn::Sub needs a string or [string, variables]")
        if not isinstance(template, str):
            raise _Unresolvable("Fn::Sub needs a string to substitute into")
        if not isinstance(variables, Mapping):
            raise _Unresolvable("Fn::Sub variables must be a mapping")
        literal: list[str] = []
        shown: list[str] = []
        unresolved: list[Symbolic] = []
        position = 0
        for match in _SUB_VARIABLE.finditer(template):
            before = template[position : match.start()]
            literal.append(before)
            shown.append(before)
            position = match.end()
            inner = match.group(1)
            if inner.startswith("!"):
                text = "${" + inner[1:] + "}"
                literal.append(text)
                shown.append(text)
                continue
            value = self._sub_variable(inner.strip(), variables)
            part = value if isinstance(value, Symbolic) else _text(value)
            if isinstance(part, str):
                literal.append(part)
                shown.append(part)
                continue
            if not isinstance(part, Symbolic):
                part = Symbolic(text=match.group(0), reason=f"${{{inner}}} is not a string")
            unresolved.append(part)
            shown.append(match.group(0))
        literal.append(template[position:])
        shown.append(template[position:])
        if not unresolved:
            return "".join(literal)
        references = set(self._sub_references(arg))
        reasons: list[str] = []
        for part in unresolved:
            references.update(part.references)
            if part.reason and part.reason not in reasons:
                reasons.append(part.reason)
        return Symbolic(text="".join(shown), references=tuple(sorted(references)), reason="; ".join(reasons))

    def _sub_variable(self, name: str, variables: Mapping[str, Any]) -> Any:
        if name in variables:
            return self._resolve(variables[name])
        if name in self._pseudo or name in self._declared or "." not in name:
            return self._ref(name)
        logical_id, _, attribute = name.partition(".")
        return self._attribute(logical_id, attribute)

    def _sub_references(self, arg: Any) -> set[str]:
        found = self._sub_template_references(arg)
        variables = arg[1] if isinstance(arg, (list, tuple)) and len(arg) == 2 else {}
        if isinstance(variables, Mapping) and variables:
            found.update(self.references(dict(variables)))
        return found

    def _sub_template_references(self, arg: Any) -> set[str]:
        """Resources the `${...}` of a Sub's template string name (not its variables)."""
        template = arg if isinstance(arg, str) else _first(arg)
        variables = arg[1] if isinstance(arg, (list, tuple)) and len(arg) == 2 else {}
        variables = variables if isinstance(variables, Mapping) else {}
        found: set[str] = set()
        if isinstance(template, str):
            for match in _SUB_VARIABLE.finditer(template):
                inner = match.group(1).strip()
                if inner.startswith("!") or inner in variables:
                    continue
                logical_id = inner if inner in self._declared else inner.partition(".")[0]
                if logical_id in self._resources:
                    found.add(logical_id)
        return found

    def _join(self, arg: Any) -> Any:
        if not isinstance(arg, (list, tuple)) or len(arg) != 2:
            raise _Unresolvable("Fn::Join needs [delimiter, list]")
        delimiter = self._resolve(arg[0])
        items = self._resolve(arg[1])
        if isinstance(delimiter, Symbolic):
            return self._symbolic({"Fn::Join": arg}, delimiter.reason, (delimiter,))
        if not isinstance(delimiter, str):
            raise _Unresolvable("Fn::Join needs a string delimiter")
        if isinstance(items, Symbolic):
            return self._symbolic({"Fn::Join": arg}, items.reason, (items,))
        if not isinstance(items, list):
            raise _Unresolvable("Fn::Join needs a list of values")
        parts: list[str] = []
        unresolved: list[Symbolic] = []
        for item in items:
            text = item if isinstance(item, Symbolic) else _text(item)
            if isinstance(text, Symbolic):
                unresolved.append(text)
                parts.append(text.text)
            elif isinstance(text, str):
                parts.append(text)
            else:
                raise _Unresolvable("Fn::Join can only join strings")
        joined = delimiter.join(parts)
        if not unresolved:
            return joined
        references = set(self.references(arg))
        for part in unresolved:
            references.update(part.references)
        reasons = list(dict.fromkeys(part.reason for part in unresolved if part.reason))
        return Symbolic(text=joined, references=tuple(sorted(references)), reason="; ".join(reasons))

    def _select(self, arg: Any) -> Any:
        if not isinstance(arg, (list, tuple)) or len(arg) != 2:
            raise _Unresolvable("Fn::Select needs [index, list]")
        index = self._resolve(arg[0])
        items = self._resolve(arg[1])
        for value in (index, items):
            if isinstance(value, Symbolic):
                return self._symbolic({"Fn::Select": arg}, value.reason, (value,))
        if isinstance(index, str) and index.strip().isdigit():
            index = int(index)
        if isinstance(index, bool) or not isinstance(index, int):
            raise _Unresolvable("Fn::Select needs a whole-number index")
        if not isinstance(items, list):
            raise _Unresolvable("Fn::Select needs a list")
        if not 0 <= index < len(items):
            raise _Unresolvable(f"Fn::Select index {index} is out of range for a list of {len(items)}")
        return items[index]

    def _split(self, arg: Any) -> Any:
        if not isinstance(arg, (list, tuple)) or len(arg) != 2:
            raise _Unresolvable("Fn::Split needs [delimiter, string]")
        delimiter = self._resolve(arg[0])
        source = self._resolve(arg[1])
        for value in (delimiter, source):
            if isinstance(value, Symbolic):
                return self._symbolic({"Fn::Split": arg}, value.reason, (value,))
        source = _text(source)
        if not isinstance(delimiter, str) or not delimiter or not isinstance(source, str):
            raise _Unresolvable("Fn::Split needs a non-empty delimiter and a string")
        return source.split(delimiter)

    def _base64(self, arg: Any) -> Any:
        value = self._resolve(arg)
        if isinstance(value, Symbolic):
            return value
        text = _text(value)
        if not isinstance(text, str):
            raise _Unresolvable("Fn::Base64 needs a string")
        return text

    def _to_json_string(self, arg: Any) -> Any:
        value = self._resolve(arg)
        unresolved = list(_symbolics(value))
        text = json.dumps(value, separators=(",", ":"), default=str, ensure_ascii=False)
        if not unresolved:
            return text
        references = set(self.references(arg))
        for part in unresolved:
            references.update(part.references)
        reasons = list(dict.fromkeys(part.reason for part in unresolved if part.reason))
        return Symbolic(text=text, references=tuple(sorted(references)), reason="; ".join(reasons))

    def _length(self, arg: Any) -> Any:
        value = self._resolve(arg)
        if isinstance(value, Symbolic):
            return self._symbolic({"Fn::Length": arg}, value.reason, (value,))
        if not isinstance(value, list):
            raise _Unresolvable("Fn::Length needs a list")
        return len(value)

    # --- lookups ----------------------------------------------------------------------------------

    def _find_in_map(self, arg: Any) -> Any:
        if not isinstance(arg, (list, tuple)) or len(arg) not in (3, 4):
            raise _Unresolvable("Fn::FindInMap needs [map, top-level key, second-level key]")
        default: Any = NO_VALUE
        if len(arg) == 4:
            option = arg[3]
            if not isinstance(option, Mapping) or "DefaultValue" not in option:
                raise _Unresolvable("the fourth element of Fn::FindInMap must be {DefaultValue: ...}")
            default = option["DefaultValue"]
        keys = [self._resolve(part) for part in arg[:3]]
        for key in keys:
            if isinstance(key, Symbolic):
                return self._symbolic({"Fn::FindInMap": arg}, key.reason, (key,))
        names = [_text(key) for key in keys]
        if not all(isinstance(name, str) for name in names):
            raise _Unresolvable("Fn::FindInMap keys must be strings")
        map_name, top, second = names
        table = self._mappings.get(map_name)
        if not isinstance(table, Mapping):
            problem = f"undefined mapping {map_name}"
        elif not isinstance(table.get(top), Mapping):
            problem = f"no key {top} in mapping {map_name}"
        elif second not in table[top]:
            problem = f"no key {second} under {top} in mapping {map_name}"
        else:
            return self._resolve(table[top][second])
        if default is not NO_VALUE:
            return self._resolve(default)
        raise _Unresolvable(problem)

    def _get_azs(self, arg: Any) -> Any:
        region = self._resolve(arg)
        if isinstance(region, Symbolic):
            return self._symbolic({"Fn::GetAZs": arg}, region.reason, (region,))
        if region in ("", None):
            region = self.region
        if not isinstance(region, str):
            raise _Unresolvable("Fn::GetAZs needs a region name")
        return [f"{region}{zone}" for zone in "abc"]

    def _cidr(self, arg: Any) -> Any:
        if not isinstance(arg, (list, tuple)) or len(arg) != 3:
            raise _Unresolvable("Fn::Cidr needs [ip block, count, cidr bits]")
        values = [self._resolve(part) for part in arg]
        for value in values:
            if isinstance(value, Symbolic):
                return self._symbolic({"Fn::Cidr": arg}, value.reason, (value,))
        block, count, bits = (_text(value) for value in values)
        if not isinstance(block, str) or not isinstance(count, str) or not isinstance(bits, str):
            raise _Unresolvable("Fn::Cidr needs an ip block, a count and a number of bits")
        network = ipaddress.ip_network(block.strip(), strict=False)
        size, wanted = int(bits), int(count)
        if not 0 < size <= network.max_prefixlen or not 0 < wanted <= 256:
            raise _Unresolvable("Fn::Cidr count or bits out of range")
        new_prefix = network.max_prefixlen - size
        if new_prefix < network.prefixlen:
            raise _Unresolvable(f"Fn::Cidr cannot cut /{new_prefix} subnets from {network}")
        subnets = [str(subnet) for subnet in itertools.islice(network.subnets(new_prefix=new_prefix), wanted)]
        if len(subnets) < wanted:
            raise _Unresolvable(f"Fn::Cidr: {network} holds fewer than {wanted} /{new_prefix} subnets")
        return subnets

    def _import_value(self, arg: Any) -> Any:
        name = self._resolve(arg)
        shown = name.text if isinstance(name, Symbolic) else _text(name)
        references = set(self.references(arg))
        if isinstance(name, Symbolic):
            references.update(name.references)
        return Symbolic(
            text=f"!ImportValue {shown if isinstance(shown, str) else _show(arg)}",
            references=tuple(sorted(references)),
            reason="imported from another stack",
        )

    def _transform(self, arg: Any) -> Any:
        name = arg.get("Name") if isinstance(arg, Mapping) else None
        macro = name if isinstance(name, str) else "?"
        return self._symbolic({"Fn::Transform": arg}, f"macro {macro} runs at deploy time")

    # --- conditions -------------------------------------------------------------------------------

    def _if(self, arg: Any) -> Any:
        if not isinstance(arg, (list, tuple)) or len(arg) != 3 or not isinstance(arg[0], str):
            raise _Unresolvable("Fn::If needs [condition name, value if true, value if false]")
        name, when_true, when_false = arg
        decided = self.condition(name)
        if decided is True:
            return self._resolve(when_true)
        if decided is False:
            return self._resolve(when_false)
        first, second = self._resolve(when_true), self._resolve(when_false)
        if first == second and not any(True for _ in _symbolics(first)):
            return first
        references = set(self.references(when_true)) | set(self.references(when_false))
        for value in itertools.chain(_symbolics(first), _symbolics(second)):
            references.update(value.references)
        return Symbolic(
            text=f"!If [{name}, {_brief(first)}, {_brief(second)}]",
            references=tuple(sorted(references)),
            reason=self._condition_reasons.get(name) or f"condition {name} cannot be decided offline",
        )

    def _evaluate(self, expression: Any) -> tuple[bool | None, str]:
        """A condition expression: (True/False, "") or (None, why it cannot be decided)."""
        if isinstance(expression, bool):
            return expression, ""
        if isinstance(expression, str) and expression.lower() in ("true", "false"):
            return expression.lower() == "true", ""
        if not isinstance(expression, Mapping) or len(expression) != 1:
            return None, f"not a condition: {_show(expression)}"
        ((key, arg),) = expression.items()
        if key == "Condition":
            if not isinstance(arg, str):
                return None, "Condition needs a condition name"
            value = self.condition(arg)
            return value, self._condition_reasons.get(arg, "") if value is None else ""
        if key == "Fn::Equals":
            if not isinstance(arg, (list, tuple)) or len(arg) != 2:
                return None, "Fn::Equals needs two values"
            left, right = self._resolve(arg[0]), self._resolve(arg[1])
            unknown = [value for value in itertools.chain(_symbolics(left), _symbolics(right))]
            if unknown:
                return None, "; ".join(dict.fromkeys(value.reason or value.text for value in unknown))
            return _comparable(left) == _comparable(right), ""
        if key == "Fn::Not":
            operand = arg[0] if isinstance(arg, (list, tuple)) and len(arg) == 1 else arg
            value, reason = self._evaluate(operand)
            return (None if value is None else not value), reason
        if key in ("Fn::And", "Fn::Or"):
            if not isinstance(arg, (list, tuple)) or not arg:
                return None, f"{key} needs a list of conditions"
            deciding = key == "Fn::Or"  # the operand value that decides the whole at once
            reasons: list[str] = []
            for operand in arg:
                value, reason = self._evaluate(operand)
                if value is deciding:
                    return deciding, ""
                if value is None:
                    reasons.append(reason)
            if reasons:
                return None, "; ".join(dict.fromkeys(reasons))
            return not deciding, ""
        if key in self._functions:  # Fn::If, Fn::FindInMap... giving "true"/"false"
            return self._evaluate(self._resolve(expression))
        return None, f"not a condition function: {key}"


def _mapping(value: Any) -> Mapping[Any, Any]:
    return value if isinstance(value, Mapping) else {}


def _first(value: Any) -> Any:
    return value[0] if isinstance(value, (list, tuple)) and value else None


def _text(value: Any) -> str | None:
    """A scalar as CloudFormation turns it into text; None for anything else."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return None


def _comparable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(key): _comparable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_comparable(item) for item in value]
    text = _text(value)
    return text if text is not None else value


def _symbolics(value: Any) -> Iterator[Symbolic]:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, Symbolic):
            yield item
        elif isinstance(item, Mapping):
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)


def _brief(value: Any) -> str:
    if value is NO_VALUE:
        return "AWS::NoValue"
    if isinstance(value, Symbolic):
        return value.text
    if isinstance(value, str):
        return value
    return _clip(json.dumps(value, default=str, ensure_ascii=False))


def _show(raw: Any) -> str:
    """A readable rendering of a raw (unresolved) value, in the short YAML forms people write."""
    try:
        if isinstance(raw, Mapping) and len(raw) == 1:
            ((key, arg),) = raw.items()
            if key == "Ref" and isinstance(arg, str):
                return f"!Ref {arg}"
            if key == "Fn::GetAtt":
                if isinstance(arg, str):
                    return "${" + arg + "}"
                if isinstance(arg, (list, tuple)) and len(arg) == 2 and all(isinstance(a, str) for a in arg):
                    return "${" + f"{arg[0]}.{arg[1]}" + "}"
            if key == "Fn::Sub" and isinstance(arg, str):
                return arg
            if isinstance(key, str) and key.startswith("Fn::"):
                return _clip(f"!{key[4:]} {json.dumps(arg, default=str, ensure_ascii=False)}")
        return _clip(json.dumps(raw, default=str, ensure_ascii=False))
    except (TypeError, ValueError, RecursionError):
        pass
    try:
        return _clip(repr(raw))
    except RecursionError:
        return f"<{type(raw).__name__} nested too deep to show>"


def _clip(text: str) -> str:
    return text if len(text) <= _MAX_TEXT else text[: _MAX_TEXT - 3] + "..."
