"""`boundary checkov [ARGS...]`: Checkov, with boundary's checks added and offline."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence

from boundary.integrations.checkov._adapter import checks_dir

__all__ = ["OFFLINE_ENV", "CheckovMissing", "checkov_command", "run_checkov"]

#: Checkov reaches its vendor's API for check metadata unless told not to.
OFFLINE_ENV = {"BC_SKIP_MAPPING": "TRUE"}

INSTALL_HINT = "pip install 'serverless-boundary[checkov]'"


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
