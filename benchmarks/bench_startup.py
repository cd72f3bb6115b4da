"""Start-up time of `boundary --version`, with `checkov --version` beside it for scale.

pre-commit and editors run the CLI often, so its start-up must stay small:
the target is a median under 0.3 s on 2 cores. Run:

    python benchmarks/bench_startup.py [--runs N] [--boundary CMD] [--checkov CMD]

Each command is run once to warm the file cache, then N times; the median and
the spread are printed. A command that is missing is reported and skipped.
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

TARGET_SECONDS = 0.3


def _default(name: str) -> list[str] | None:
    beside = Path(sys.executable).parent / name
    if beside.exists():
        return [str(beside)]
    found = shutil.which(name)
    if found:
        return [found]
    if name == "boundary":
        return [sys.executable, "-m", "boundary"]
    fallback = Path("/tmp/venv/bin") / name
    return [str(fallback)] if fallback.exists() else None


def measure(command: list[str], runs: int) -> list[float]:
    """Wall time of `command --version`, `runs` times after one warm-up run."""
    argv = [*command, "--version"]
    # Bytecode is written (an installed package has its .pyc files; PYTHONDONTWRITEBYTECODE,
    # set in some CI images, would make every run compile from source).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run(argv, capture_output=True, check=True, env=env)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, capture_output=True, check=True, env=env)
        times.append(time.perf_counter() - start)
    return times


def _line(label: str, times: list[float]) -> str:
    return (
        f"{label:<10} median {statistics.median(times):.3f} s  "
        f"min {min(times):.3f} s  max {max(times):.3f} s  ({len(times)} runs)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="timed runs per command (default 15)")
    parser.add_argument(
        "--checkov-runs", type=int, default=3, help="timed runs of checkov (default 3; it is slow)"
    )
    parser.add_argument("--boundary", help="boundary command (default: the one beside this Python)")
    parser.add_argument("--checkov", help="checkov command (default: on PATH or /tmp/venv/bin)")
    args = parser.parse_args(argv)

    boundary = shlex.split(args.boundary) if args.boundary else _default("boundary")
    assert boundary is not None
    ours = measure(boundary, args.runs)
    print(_line("boundary", ours))
    median = statistics.median(ours)

    checkov = shlex.split(args.checkov) if args.checkov else _default("checkov")
    if checkov is None:
        print("checkov    not installed; no ratio")
    else:
        try:
            theirs = measure(checkov, args.checkov_runs)
        except (OSError, subprocess.CalledProcessError) as exc:
            print(f"checkov    could not run: {exc}")
        else:
            print(_line("checkov", theirs))
            print(f"ratio      checkov / boundary = {statistics.median(theirs) / median:.1f}x")

    verdict = "ok" if median < TARGET_SECONDS else "over"
    print(f"target     < {TARGET_SECONDS:.1f} s median: {verdict}")
    return 0 if median < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
