"""What boundary's checks add to a Checkov run: plain `checkov` beside `boundary checkov`.

    python benchmarks/bench_checkov.py                 # the corpus, 1 run of each, interleaved
    python benchmarks/bench_checkov.py --runs 3
    python benchmarks/bench_checkov.py --target samples --all-frameworks

Both commands run offline (BC_SKIP_MAPPING=TRUE, --skip-download), on the same
folders, with the same frameworks (cloudformation and terraform_plan, the two the
checks are for, unless --all-frameworks: Checkov's default, every framework) and quiet
JSON output to /dev/null; runs alternate so machine load falls on both alike.
Wall time and CPU time (user + system of the Checkov process and its workers)
are printed; the overhead is boundary's time over Checkov's, minus one.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(command: list[str]) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    env = {**os.environ, "BC_SKIP_MAPPING": "TRUE"}
    subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--target", action="append", help="a folder to scan (repeatable); default: the corpus"
    )
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--all-frameworks", action="store_true", help="let Checkov pick its frameworks")
    args = parser.parse_args()
    if args.target:
        targets = [str(Path(t)) for t in args.target]
    else:
        corpus = ROOT.parent / "shared" / "corpus"
        if not corpus.is_dir():
            print(f"{corpus}: the corpus is not there; give --target", file=sys.stderr)
            return 2
        targets = [str(corpus / "sam"), str(corpus / "tfplan")]
    checkov = shutil.which("checkov") or "checkov"
    boundary = shutil.which("boundary") or "boundary"
    common = [a for t in targets for a in ("-d", t)]
    if not args.all_frameworks:
        common += ["--framework", "cloudformation", "terraform_plan"]
    common += ["--quiet", "-o", "json", "--skip-download"]
    plain = [checkov, *common]
    ours = [boundary, "checkov", *common]
    print("plain:   ", "BC_SKIP_MAPPING=TRUE", " ".join(plain))
    print("boundary:", "BC_SKIP_MAPPING=TRUE", " ".join(ours))
    results: dict[str, list[tuple[float, float]]] = {"plain": [], "boundary": []}
    for _ in range(args.runs):
        results["plain"].append(_run(plain))
        results["boundary"].append(_run(ours))
    for name, runs in results.items():
        walls = [w for w, _ in runs]
        cpus = [c for _, c in runs]
        print(
            f"{name:9} wall {statistics.median(walls):7.1f} s   cpu {statistics.median(cpus):7.1f} s   runs {runs}"
        )
    wall_ratio = statistics.median(w for w, _ in results["boundary"]) / statistics.median(
        w for w, _ in results["plain"]
    )
    cpu_ratio = statistics.median(c for _, c in results["boundary"]) / statistics.median(
        c for _, c in results["plain"]
    )
    print(f"overhead: wall {100 * (wall_ratio - 1):+.0f} %   cpu {100 * (cpu_ratio - 1):+.0f} %")
    return 0


if __name__ == "__main__":
    sys.exit(main())
