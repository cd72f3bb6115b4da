"""Time and memory of `boundary scan` on the hostile inputs of issue 16 (docs/security.md).

Each input is generated (tests/hostile.py) into a temporary folder and scanned
once in a fresh process under `/usr/bin/time -v`; the table gives wall and CPU
seconds, peak RSS, the exit code and the first error line. The target: every
input within 10 s and 500 MB on a 2-core machine.

    python benchmarks/bench_hostile.py
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from hostile import GENERATORS, wide_yaml  # noqa: E402

_FIELDS = {
    "wall": re.compile(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)"),
    "user": re.compile(r"User time \(seconds\): ([\d.]+)"),
    "sys": re.compile(r"System time \(seconds\): ([\d.]+)"),
    "rss": re.compile(r"Maximum resident set size \(kbytes\): (\d+)"),
}


def _measure(path: Path, *extra: str) -> dict[str, object]:
    command = ["/usr/bin/time", "-v", sys.executable, "-m", "boundary", "scan", "--no-progress", "-q"]
    run = subprocess.run([*command, *extra, str(path)], capture_output=True, text=True, check=False)
    found: dict[str, object] = {"code": run.returncode}
    wall = _FIELDS["wall"].search(run.stderr)
    if wall:
        hours, minutes, seconds = wall.groups()
        found["wall"] = float(hours or 0) * 3600 + float(minutes) * 60 + float(seconds)
    for key in ("user", "sys"):
        match = _FIELDS[key].search(run.stderr)
        found[key] = float(match.group(1)) if match else 0.0
    rss = _FIELDS["rss"].search(run.stderr)
    found["rss_mb"] = int(rss.group(1)) / 1024 if rss else 0.0
    errors = [line for line in run.stderr.splitlines() if ": error: " in line]
    found["result"] = errors[0].split(": error: ", 1)[1][:90] if errors else f"{run.stdout.strip()[:90]}"
    return found


def main() -> None:
    cases = [(name, file, make, ()) for name, (file, make) in GENERATORS.items()]
    cases.append(("wide-yaml-50mb", "wide.yaml", lambda: wide_yaml(50), ()))
    cases.append(
        (
            "wide-yaml-50mb (size limit raised)",
            "wide.yaml",
            lambda: wide_yaml(50),
            ("--limit", "max-file-size=100000000"),
        )
    )
    print("| input | bytes | exit | wall s | CPU s | peak RSS MB | result |")
    print("|---|---:|---:|---:|---:|---:|---|")
    with tempfile.TemporaryDirectory() as folder:
        for name, file, make, extra in cases:
            path = Path(folder) / file
            path.write_text(make(), encoding="utf-8")
            m = _measure(path, *extra)
            cpu = float(m["user"]) + float(m["sys"])  # type: ignore[arg-type]
            print(
                f"| {name} | {path.stat().st_size} | {m['code']} | {m.get('wall', 0):.2f} | {cpu:.2f} "
                f"| {m['rss_mb']:.0f} | {m['result']} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
