"""Configuration: `[tool.boundary]` in `pyproject.toml`, or a `.boundary.toml`.

Unknown keys are an error, never ignored: a typo in a security tool's
configuration must not silently turn a rule off.

```toml
[tool.boundary]
select = ["BND101", "wildcard-action"]   # only these rules (ids or names); default: all
ignore = ["BND110"]                       # rules off (ids or names)
policies = ["./my-rules"]                 # extra rule folders, loaded like the built-in pack,
                                          # only when the caller allows it (docs/security.md)

[tool.boundary.severity]                  # severity overrides
BND106 = "medium"

[tool.boundary.thresholds.multi-purpose-function]
max-services = 3

[[tool.boundary.suppress]]                # for Terraform plans, where comments do not survive
rule = "BND101"
resource = "module.booking.aws_iam_role.shared"
file = "plans/*.json"                     # optional glob
reason = "legacy role, tracked in JIRA-123"
```
"""

from __future__ import annotations

import fnmatch
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from boundary.findings import Severity, portable_path
from boundary.model import LIMIT_NAMES, Limits

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

__all__ = ["Config", "ConfigError", "ConfigSuppression", "load_config", "parse_config", "repository_root"]

_KEYS = {"select", "ignore", "severity", "thresholds", "suppress", "policies", "limits"}
_SUPPRESS_KEYS = {"rule", "resource", "file", "reason"}


class ConfigError(Exception):
    """The configuration is not valid. One line, naming the file."""


@dataclass(frozen=True, slots=True)
class ConfigSuppression:
    rule: str
    resource: str
    reason: str
    file: str | None = None

    def matches(self, rule_id: str, rule_name: str, resource: str, file: str) -> bool:
        if self.rule not in (rule_id, rule_name):
            return False
        if not fnmatch.fnmatchcase(resource, self.resource):
            return False
        if self.file is None:
            return True
        # The same file may be scanned as `insecure/x.json`, `./insecure/x.json` or by its
        # absolute path: the glob matches any of the spellings.
        spellings = {file.replace("\\", "/"), portable_path(file), portable_path(os.path.abspath(file))}
        return any(fnmatch.fnmatch(spelling, self.file) for spelling in spellings)


@dataclass(frozen=True, slots=True)
class Config:
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    severity: Mapping[str, Severity] = field(default_factory=dict)
    thresholds: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    suppress: tuple[ConfigSuppression, ...] = ()
    policies: tuple[str, ...] = ()
    source: str | None = None
    root: str | None = None
    """The folder `policies` must stay inside: the repository holding the configuration file."""
    limits: Limits = Limits()

    def enabled(self, rule_id: str, rule_name: str) -> bool:
        names = {rule_id, rule_name}
        if self.select and not names & set(self.select):
            return False
        return not names & set(self.ignore)

    def severity_for(self, rule_id: str, rule_name: str) -> Severity | None:
        return self.severity.get(rule_id) or self.severity.get(rule_name)


def _string_list(value: Any, key: str, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: '{key}' must be a list of strings")
    return tuple(value)


def _limits(raw: Any, where: str) -> Limits:
    """`[tool.boundary.limits]`: a configuration file may lower the limits, never raise
    them: it is part of the repository being scanned, which may be a stranger's pull
    request. `--limit NAME=N` on the command line raises them."""
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{where}: 'limits' must be a table of limit = number")
    defaults = Limits()
    try:
        limits = defaults.replace(**{str(k): v for k, v in raw.items()})
    except ValueError as error:
        raise ConfigError(f"{where}: {error}") from None
    for name, field_name in LIMIT_NAMES.items():
        if getattr(limits, field_name) > getattr(defaults, field_name):
            raise ConfigError(
                f"{where}: limits.{name} = {getattr(limits, field_name)} is above the default "
                f"{getattr(defaults, field_name)}; a configuration file can only lower limits "
                f"(raise them with --limit {name}=N on the command line)"
            )
    return limits


def parse_config(data: Mapping[str, Any], where: str = "configuration", base: Path | None = None) -> Config:
    """Check and read the `[tool.boundary]` table (or a whole `.boundary.toml`)."""
    unknown = sorted(set(data) - _KEYS)
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(unknown)}; known: {', '.join(sorted(_KEYS))}")
    severities: dict[str, Severity] = {}
    raw_severity = data.get("severity", {})
    if not isinstance(raw_severity, Mapping):
        raise ConfigError(f"{where}: 'severity' must be a table of rule = severity")
    for rule, value in raw_severity.items():
        try:
            severities[str(rule)] = Severity(value)
        except ValueError:
            choices = ", ".join(s.value for s in Severity)
            raise ConfigError(
                f"{where}: severity of {rule} is {value!r}; expected one of {choices}"
            ) from None
    thresholds = data.get("thresholds", {})
    if not isinstance(thresholds, Mapping) or not all(isinstance(v, Mapping) for v in thresholds.values()):
        raise ConfigError(f"{where}: 'thresholds' must be a table of rule-name tables")
    suppressions: list[ConfigSuppression] = []
    raw_suppress = data.get("suppress", [])
    if not isinstance(raw_suppress, list):
        raise ConfigError(f"{where}: 'suppress' must be an array of tables")
    for index, entry in enumerate(raw_suppress):
        if not isinstance(entry, Mapping):
            raise ConfigError(f"{where}: suppress[{index}] must be a table")
        extra = sorted(set(entry) - _SUPPRESS_KEYS)
        if extra:
            raise ConfigError(f"{where}: suppress[{index}] has unknown key(s) {', '.join(extra)}")
        for required in ("rule", "resource", "reason"):
            if not isinstance(entry.get(required), str) or not entry[required].strip():
                raise ConfigError(f"{where}: suppress[{index}] needs a non-empty '{required}'")
        suppressions.append(
            ConfigSuppression(
                rule=entry["rule"], resource=entry["resource"], reason=entry["reason"], file=entry.get("file")
            )
        )
    policies = _string_list(data.get("policies", []), "policies", where)
    root: str | None = None
    if base is not None:
        # Joined, not resolved: the engine resolves them (symlinks included) when, and only
        # when, it is allowed to load them, and checks they stay inside `root`.
        policies = tuple(os.path.normpath(base.absolute() / p) for p in policies)
        root = str(repository_root(base))
    return Config(
        limits=_limits(data.get("limits", {}), where),
        select=_string_list(data.get("select", []), "select", where),
        ignore=_string_list(data.get("ignore", []), "ignore", where),
        severity=severities,
        thresholds={str(k): dict(v) for k, v in thresholds.items()},
        suppress=tuple(suppressions),
        policies=policies,
        source=where,
        root=root,
    )


def repository_root(folder: Path) -> Path:
    """The top of the git work tree holding `folder` (a `.git` folder or file), else `folder`."""
    here = folder.absolute()
    for candidate in (here, *here.parents):
        if (candidate / ".git").exists():
            return candidate
    return here


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        data: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
        return data
    except OSError as error:
        raise ConfigError(f"{path}: cannot read: {error.strerror or error}") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from None


def load_config(path: str | Path | None = None, *, start: Path | None = None) -> Config:
    """The configuration from `path`, else the nearest `.boundary.toml` or
    `pyproject.toml` with a `[tool.boundary]` table from `start` upwards; the
    defaults when there is none."""
    if path is not None:
        file = Path(path)
        data = _read_toml(file)
        if file.name == "pyproject.toml":
            data = data.get("tool", {}).get("boundary", {})
        return parse_config(data, str(file), file.parent)
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        dedicated = folder / ".boundary.toml"
        if dedicated.is_file():
            return parse_config(_read_toml(dedicated), str(dedicated), folder)
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file():
            table = _read_toml(pyproject).get("tool", {}).get("boundary")
            if table is not None:
                if not isinstance(table, Mapping):
                    raise ConfigError(f"{pyproject}: [tool.boundary] must be a table")
                return parse_config(table, f"{pyproject} [tool.boundary]", folder)
    return Config()
