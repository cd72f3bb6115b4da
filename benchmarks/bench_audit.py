"""Events per second and peak memory of `boundary audit` over a gigabyte of CloudTrail logs.

    python benchmarks/bench_audit.py                       # generates /tmp/boundary-trail if missing
    python benchmarks/bench_audit.py --trail DIR --runs 3

Runs, in a fresh process each time,

    boundary audit samples/sam/secure/template.yaml --activity DIR \\
        --format json --output /dev/null --summary SUMMARY --soft-fail

and reports the wall time, the events read (from the summary), events and megabytes
per second (of wall time, and of the process's CPU time, which a shared machine
does not inflate), and the peak resident memory of the process (`ru_maxrss` from
`wait4`).
The target: peak memory under 300 MB for at least 1 GB of logs; exit 1 when missed.
The logs come from `benchmarks/gen_trail.py` and are written outside the repository.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
TARGET_MB = 300


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def _run(command: list[str]) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds, peak RSS in MB) of one process."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    stderr = process.stderr.read().decode() if process.stderr else ""
    if process.returncode not in (0, 1):
        sys.exit(f"bench_audit.py: the audit failed ({process.returncode}): {stderr.strip()}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--trail", type=Path, default=Path(tempfile.gettempdir()) / "boundary-trail")
    parser.add_argument("--size-gb", type=float, default=1.0, help="what to generate when --trail is missing")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--template", default=str(ROOT / "samples" / "sam" / "secure" / "template.yaml"))
    args = parser.parse_args(argv)

    if not args.trail.exists():
        print(f"generating {args.size_gb} GiB of logs in {args.trail} ...", flush=True)
        subprocess.run(
            [sys.executable, str(HERE / "gen_trail.py"), str(args.trail), "--size-gb", str(args.size_gb)],
            check=True,
        )
    size = _size(args.trail)
    files = sum(1 for p in args.trail.rglob("*") if p.is_file())
    with tempfile.TemporaryDirectory() as work:
        summary = Path(work) / "summary.json"
        command = [
            sys.executable,
            "-m",
            "boundary",
            "audit",
            args.template,
            "--activity",
            str(args.trail),
            "--format",
            "json",
            "--output",
            os.devnull,
            "--summary",
            str(summary),
            "--soft-fail",
        ]
        print("$ " + " ".join(command[2:]).replace(work, "TMP"), flush=True)
        walls, cpus, peaks = [], [], []
        for _ in range(args.runs):
            wall, cpu, peak = _run(command)
            walls.append(wall)
            cpus.append(cpu)
            peaks.append(peak)
        events = json.loads(summary.read_text())["events"]
    wall = statistics.median(walls)
    cpu = statistics.median(cpus)
    peak = max(peaks)
    print(f"logs: {files} files, {size / 1024**3:.2f} GiB, {events} events")
    print(
        f"wall: {wall:.1f} s (median of {args.runs}); {events / wall:,.0f} events/s; "
        f"{size / 1024**2 / wall:.1f} MB/s"
    )
    # the machine may be shared: CPU time says what the process itself needed
    print(
        f"cpu: {cpu:.1f} s; {events / cpu:,.0f} events per CPU second; {size / 1024**2 / cpu:.1f} MB per CPU second"
    )
    verdict = "holds" if peak < TARGET_MB else "MISSED"
    print(f"peak RSS: {peak:.0f} MB (target < {TARGET_MB} MB: {verdict})")
    return 0 if peak < TARGET_MB else 1


if __name__ == "__main__":
    sys.exit(main())
