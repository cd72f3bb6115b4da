"""boundary never uses the network: the samples and every fixture scan the same with
sockets disabled in-process, and inside an empty network namespace (`unshare -n`)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import boundary

ROOT = Path(__file__).resolve().parents[1]
INPUTS = [ROOT / "samples", ROOT / "tests" / "fixtures", ROOT / "tests" / "rules" / "fixtures"]


def test_samples_and_fixtures_scan_with_sockets_disabled(monkeypatch: pytest.MonkeyPatch) -> None:
    attempts: list[str] = []

    def refuse(name: str) -> Any:
        def call(*args: Any, **kwargs: Any) -> Any:
            attempts.append(f"{name}{args[1:] if name.startswith('socket.') else args}")
            raise OSError(101, f"network use during a scan: {name}")

        return call

    for name in ("connect", "connect_ex", "sendto", "sendmsg"):
        monkeypatch.setattr(socket.socket, name, refuse(f"socket.{name}"))
    for name in ("create_connection", "getaddrinfo", "gethostbyname", "gethostbyname_ex"):
        monkeypatch.setattr(socket, name, refuse(name))

    result = boundary.analyze([p for p in INPUTS if p.exists()])
    assert attempts == []
    assert result.findings and not [e for e in result.errors if e.is_error]
    # a user rule folder, the report formats and the policy validator: no network either
    from boundary.report import FORMATS, render

    for fmt in FORMATS:
        render(fmt, result)
    boundary.validate_policy({"Version": "2012-10-17", "Statement": []})
    assert attempts == []


def _boundary() -> list[str]:
    beside = Path(sys.executable).parent / "boundary"
    return [str(beside)] if beside.exists() else [sys.executable, "-m", "boundary"]


def _namespaces_work() -> bool:
    if shutil.which("unshare") is None:
        return False
    try:
        done = subprocess.run(["unshare", "-n", "true"], capture_output=True, timeout=30, check=False)
    except OSError:
        return False
    return done.returncode == 0


@pytest.mark.skipif(not _namespaces_work(), reason="unshare -n is not available here (needs user namespaces)")
def test_the_command_gives_byte_identical_output_without_a_network(tmp_path: Path) -> None:
    args = [
        *_boundary(),
        "scan",
        *(str(p.relative_to(ROOT)) for p in INPUTS if p.exists()),
        "--isolated",
        "--no-progress",
        "-f",
        "json",
    ]
    env = {k: v for k, v in os.environ.items() if k != "BOUNDARY_DEBUG"}
    env["PYTHONHASHSEED"] = "0"
    outside = subprocess.run(args, cwd=ROOT, capture_output=True, env=env, timeout=300, check=False)
    inside = subprocess.run(
        ["unshare", "-n", *args], cwd=ROOT, capture_output=True, env=env, timeout=300, check=False
    )
    assert outside.returncode == 1, outside.stderr  # the insecure samples have findings
    assert (inside.returncode, inside.stdout, inside.stderr) == (
        outside.returncode,
        outside.stdout,
        outside.stderr,
    )
