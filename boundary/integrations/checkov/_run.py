"""`boundary checkov [ARGS...]`: Checkov, with boundary's checks added and offline."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence

from boundary.integrations.checkov._adapter import checks_dir

__all__ = [
    "ID_OPTIONS",
    "OFFLINE_ENV",
    "CheckovArgumentError",
    "CheckovMissing",
    "check_arguments",
    "checkov_command",
    "run_checkov",
]

#: Checkov reaches its vendor's API for check metadata unless told not to.
OFFLINE_ENV = {"BC_SKIP_MAPPING": "TRUE"}

INSTALL_HINT = "pip install 'serverless-boundary[checkov]'"


#: Checkov's options that take check ids (comma-separated, repeatable).
ID_OPTIONS = ("-c", "--check", "--skip-check", "--soft-fail-on", "--hard-fail-on")


class CheckovArgumentError(Exception):
    """An argument Checkov would accept silently but that selects nothing of boundary's."""


def _id_values(args: Sequence[str]) -> list[tuple[str, str]]:
    """(option, id) for every id given to an option of `ID_OPTIONS`."""
    found: list[tuple[str, str]] = []
    index = 0
    while index < len(args):
        arg = args[index]
        option, sep, value = arg.partition("=")
        if option in ID_OPTIONS and sep:
            found += [(option, v.strip()) for v in value.split(",") if v.strip()]
        elif arg in ID_OPTIONS and index + 1 < len(args):
            index += 1
            found += [(arg, v.strip()) for v in args[index].split(",") if v.strip()]
        index += 1
    return found


def check_arguments(args: Sequence[str]) -> None:
    """Refuse boundary check ids that no check has: Checkov treats an unknown id in
    `--check` or `--skip-check` as selecting nothing, so a typo would pass silently.
    Ids of other sources, severities and wildcards are Checkov's business and pass."""
    import re

    from boundary.integrations.checkov._adapter import check_id, rule_id
    from boundary.rules import find_rule, registry

    checked = {check_id(m.id): m for m in registry() if any(m.resource_types.values())}
    problems: list[str] = []
    for option, value in _id_values(args):
        upper = value.upper()
        if re.fullmatch(r"[A-Z]+[0-9]+", upper) and find_rule(upper) is not None:
            problems.append(
                f"{option} {value}: Checkov knows boundary's rules by Checkov ids; use {check_id(upper)}"
            )
        elif upper.startswith("CKV_BND_") and not any(c in value for c in "*?[") and upper not in checked:
            meta = find_rule(rule_id(upper) or "")
            if meta is not None:
                problems.append(
                    f"{option} {value}: {meta.id} {meta.name} has no Checkov check (docs/checkov.md); "
                    f"it needs access activity: run `boundary audit`"
                )
            else:
                problems.append(
                    f"{option} {value}: no boundary check has this id; "
                    f"they are {min(checked)} to {max(checked)} (`boundary rules`)"
                )
    if problems:
        raise CheckovArgumentError("; ".join(problems))


class CheckovMissing(Exception):
    """Checkov is not importable by this Python, so it cannot load boundary's checks."""

    def __str__(self) -> str:
        return f"Checkov is not installed beside boundary; install it with: {INSTALL_HINT}"


def checkov_command(args: Sequence[str]) -> list[str]:
    """The command line: this Python runs Checkov (it must be able to import boundary),
    with the checks folder and `--skip-download` added unless the arguments have them."""
    if importlib.util.find_spec("checkov") is None:
        raise CheckovMissing()
    command = [sys.executable, "-m", "checkov.main", *args]
    folder = str(checks_dir())
    if folder not in args:
        command += ["--external-checks-dir", folder]
    if "--skip-download" not in args:
        command.append("--skip-download")
    return command


def run_checkov(args: Sequence[str], env: Mapping[str, str] | None = None) -> int:
    """Run Checkov and return its exit code; its output goes where ours goes."""
    command = checkov_command(args)
    environment = {**os.environ, **(env or {}), **OFFLINE_ENV}
    return subprocess.run(command, env=environment, check=False).returncode
