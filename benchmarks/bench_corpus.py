"""Wall time and peak memory of `boundary scan` beside Checkov 3, on the same corpus, in one run.

Two suites: the SAM/CloudFormation templates (Checkov `--framework
cloudformation`) and the Terraform plans (`--framework terraform_plan`). Each
command is run once to warm the file cache, then N times, alternating the two
tools so that a noisy neighbour slows both alike; medians are printed. Run:

    python benchmarks/bench_corpus.py [--corpus DIR] [--runs N] [--no-checkov] [--no-startup] [--scale]

The corpus defaults to ../shared/corpus beside the repository (read-only
third-party data; see tests/conftest.py). Checkov runs offline: no API key,
`--skip-download`, `BC_SKIP_MAPPING=TRUE`, no package update check, no
external module download, and a timeout in case it still waits on a network.

Peak memory is reported twice: `maxrss` from `wait4` (the largest single
process of the run, as `/usr/bin/time -v` reports it) and `tree`, the largest
sum of RSS over the process and its children sampled every 50 ms from /proc
(Linux only; Checkov can fork workers, which `maxrss` does not add up).
Then `bench_startup.py` times `--version` of both tools, and `boundary scan` of one
small template is timed; last, every target of issue 12 is printed with its verdict
(`--scale` adds `bench_scale.py`: cost per resource at 1,000 and 10,000 resources).

Python writes no bytecode when PYTHONDONTWRITEBYTECODE is set (some CI images and
sandboxes set it); every run would then compile both tools from source, which an
installed package never does (pip compiles at install). It is removed from the
environment of the commands timed, so the warm-up run writes the .pyc files.
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus"
TEMPLATE_SUFFIXES = (".yaml", ".yml", ".json", ".template")

sys.path.insert(0, str(HERE))
import bench_startup  # noqa: E402 - the sibling script, reused rather than copied

# Exit codes that mean "ran to the end": boundary 1 = findings, 2 = some files unparsable
# (the corpus has a few broken templates on purpose); checkov 1 = failed checks.
OK_CODES = {"boundary": (0, 1, 2), "boundary-warm": (0, 1, 2), "checkov": (0, 1)}


@dataclass(frozen=True, slots=True)
class Suite:
    """One folder of the corpus and how each tool is told to scan it."""

    name: str
    folder: Path
    framework: str
    files: int


@dataclass(frozen=True, slots=True)
class Run:
    seconds: float
    maxrss_mb: float
    tree_mb: float
    code: int
    cpu: float = 0.0  # user + system seconds of the process and the children it waited for


def _suites(corpus: Path) -> list[Suite]:
    sam = corpus / "sam" / "serverless-patterns"
    if not sam.is_dir():
        sam = corpus / "sam"
    plans = corpus / "tfplan"
    found = []
    for name, folder, framework, suffixes in (
        ("sam-cfn", sam, "cloudformation", TEMPLATE_SUFFIXES),
        ("tfplan", plans, "terraform_plan", (".json",)),
    ):
        if folder.is_dir():
            count = sum(1 for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in suffixes)
            found.append(Suite(name, folder, framework, count))
    return found


def _children(pid: int) -> list[int]:
    """Direct children of `pid`: from each thread's `children` file where the kernel has
    them (a few bytes each), else by reading the parent of every process in /proc. The
    sampler asks this every 50 ms while a tool runs, on the same 2 cores: a scan of /proc
    (about 1 ms per pid with 64 processes, more on a busier machine) is CPU taken from
    the tool being timed."""
    if not _HAS_CHILDREN_FILES:
        return _children_by_scan(pid)
    kids: list[int] = []
    try:
        for thread in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{thread}/children", "rb") as handle:
                kids.extend(int(child) for child in handle.read().split())
    except OSError:  # the process or one of its threads ended meanwhile
        pass
    return kids


_HAS_CHILDREN_FILES = os.path.exists(f"/proc/self/task/{os.getpid()}/children")


def _children_by_scan(pid: int) -> list[int]:
    """Direct children of `pid`, by the parent field of every process in /proc."""
    kids = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        # the command name is in parentheses and may hold spaces: split after the last ')'
        fields = stat[stat.rfind(b")") + 2 :].split()
        if len(fields) > 1 and int(fields[1]) == pid:
            kids.append(int(entry.name))
    return kids


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", "rb") as handle:
            for line in handle:
                if line.startswith(b"VmRSS:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


class _TreeSampler(threading.Thread):
    """Largest total RSS of a process and its descendants, sampled while it runs."""

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.interval = interval
        self.peak_kb = 0
        self.done = threading.Event()

    def run(self) -> None:
        if not os.path.isdir("/proc"):
            return
        while not self.done.is_set():
            pids, stack = [], [self.pid]
            while stack:
                pid = stack.pop()
                pids.append(pid)
                stack.extend(_children(pid))
            self.peak_kb = max(self.peak_kb, sum(_rss_kb(pid) for pid in pids))
            self.done.wait(self.interval)


def measure(argv: Sequence[str], env: dict[str, str], timeout: float) -> Run:
    """One run of `argv`: wall time, `wait4` max RSS, sampled process-tree RSS, exit code."""
    start = time.perf_counter()
    process = subprocess.Popen(
        list(argv), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, env=env
    )
    sampler = _TreeSampler(process.pid)
    sampler.start()
    timer = threading.Timer(timeout, process.kill)
    timer.start()
    try:
        _, status, usage = os.wait4(process.pid, 0)
    finally:
        timer.cancel()
        sampler.done.set()
        sampler.join()
    seconds = time.perf_counter() - start
    process.returncode = code = os.waitstatus_to_exitcode(status)  # -9 when the timer killed it
    # ru_maxrss is in kilobytes on Linux
    return Run(
        seconds,
        usage.ru_maxrss / 1024,
        max(sampler.peak_kb, usage.ru_maxrss) / 1024,
        code,
        usage.ru_utime + usage.ru_stime,
    )


def _env(base: dict[str, str]) -> dict[str, str]:
    """The environment of a timed command: bytecode is written (see the module docstring)."""
    return {k: v for k, v in base.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _checkov_env() -> dict[str, str]:
    env = {k: v for k, v in _env(dict(os.environ)).items() if k not in ("BC_API_KEY", "PRISMA_API_URL")}
    env.update(
        BC_SKIP_MAPPING="TRUE",
        CKV_SKIP_PACKAGE_UPDATE_CHECK="TRUE",
        DOWNLOAD_EXTERNAL_MODULES="FALSE",
        LOG_LEVEL="ERROR",
    )
    return env


def _commands(
    suite: Suite, boundary: list[str], checkov: list[str] | None, cache: Path
) -> dict[str, list[str]]:
    """`boundary` is a cold scan (`--no-cache`, one process per CPU); `boundary-warm` the
    same scan again with the cache of loaded files filled (its warm-up run fills it), as
    pre-commit and CI re-runs of an unchanged repository see it."""
    scan = [*boundary, "scan", str(suite.folder), "--format", "json", "--output", os.devnull]
    commands = {
        "boundary": [*scan, "--no-cache"],
        "boundary-warm": [*scan, "--cache-dir", str(cache / suite.name)],
    }
    if checkov is not None:
        commands["checkov"] = [
            *checkov,
            "-d",
            str(suite.folder),
            "--framework",
            suite.framework,
            "-o",
            "json",
            "--quiet",
            "--skip-download",
            "--download-external-modules",
            "false",
        ]
    return commands


def _version(command: list[str]) -> str:
    try:
        done = subprocess.run([*command, "--version"], capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"unknown ({exc})"
    return (done.stdout.strip() or done.stderr.strip()).splitlines()[-1] if done.returncode == 0 else "?"


def _row(tool: str, suite: Suite, runs: list[Run]) -> str:
    wall = statistics.median(r.seconds for r in runs)
    return (
        f"{suite.name:<8} {tool:<13} {wall:8.2f} s  (min {min(r.seconds for r in runs):.2f}, "
        f"max {max(r.seconds for r in runs):.2f})  cpu {statistics.median(r.cpu for r in runs):6.2f} s"
        f"  maxrss {statistics.median(r.maxrss_mb for r in runs):5.0f} MB"
        f"  tree {statistics.median(r.tree_mb for r in runs):5.0f} MB  {suite.files / wall:7.1f} files/s"
    )


def run_suite(
    suite: Suite, commands: dict[str, list[str]], runs: int, timeout: float
) -> dict[str, list[Run]] | None:
    ours = dict(_env(dict(os.environ)), NO_COLOR="1")
    envs = {"boundary": ours, "boundary-warm": ours, "checkov": _checkov_env()}
    results: dict[str, list[Run]] = {tool: [] for tool in commands}
    for tool, argv in commands.items():  # warm-up: file cache, .pyc files
        warm = measure(argv, envs[tool], timeout)
        if warm.code not in OK_CODES[tool]:
            print(f"{suite.name:<8} {tool:<9} failed (exit {warm.code}): {shlex.join(argv)}")
            return None
    for _ in range(runs):
        for tool, argv in commands.items():
            results[tool].append(measure(argv, envs[tool], timeout))
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="default: ../shared/corpus")
    parser.add_argument("--runs", type=int, default=3, help="timed runs per tool and suite (default 3)")
    parser.add_argument("--boundary", help="boundary command (default: the one beside this Python)")
    parser.add_argument("--checkov", help="checkov command (default: on PATH or /tmp/venv/bin)")
    parser.add_argument("--no-checkov", action="store_true", help="time boundary alone")
    parser.add_argument("--no-startup", action="store_true", help="skip the --version timings")
    parser.add_argument("--timeout", type=float, default=900, help="seconds before a run is killed")
    parser.add_argument(
        "--scale", action="store_true", help="also run bench_scale.py (1,000 and 10,000 resources; minutes)"
    )
    args = parser.parse_args(argv)

    corpus = args.corpus.resolve()
    suites = _suites(corpus)
    if not suites:
        print(
            f"error: no corpus at {corpus} (expected sam/ and tfplan/ folders); "
            "pass --corpus DIR with SAM/CloudFormation templates in sam/ and plans in tfplan/",
            file=sys.stderr,
        )
        return 2

    boundary = shlex.split(args.boundary) if args.boundary else bench_startup._default("boundary")
    assert boundary is not None  # _default falls back to `python -m boundary`
    checkov: list[str] | None = None
    if not args.no_checkov:
        checkov = shlex.split(args.checkov) if args.checkov else bench_startup._default("checkov")
        if checkov is None:
            print("checkov not found: timing boundary alone (pass --checkov CMD)")

    ours = _version(boundary)
    if ours == "?" or ours.startswith("unknown"):
        # exit 1 counts as "findings" below: a boundary that cannot start would be timed as
        # a scan that found something, in a few hundredths of a second
        print(f"`{shlex.join(boundary)} --version` failed: is boundary installed with its dependencies?")
        return 2
    print(f"machine   {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, {sys.platform}")
    print(f"boundary  {ours}  ({shlex.join(boundary)})")
    if checkov is not None:
        print(f"checkov   {_version(checkov)}  ({shlex.join(checkov)})")
    print(f"corpus    {corpus}; medians of {args.runs} runs after one warm-up\n")

    failed = False
    targets: list[tuple[str, str, bool | None]] = []  # (target, measured, met; None: not measured)
    cache = Path(tempfile.mkdtemp(prefix="boundary-bench-cache-"))
    for suite in suites:
        commands = _commands(suite, boundary, checkov, cache)
        print(f"{suite.name:<8} {suite.files} files in {suite.folder}")
        for tool, command in commands.items():
            print(f"{'':<8} {tool:<13} $ {shlex.join(command)}")
        results = run_suite(suite, commands, args.runs, args.timeout)
        if results is None:
            failed = True
            continue
        for tool, runs in results.items():
            print(_row(tool, suite, runs))
            bad = [r.code for r in runs if r.code not in OK_CODES[tool]]
            if bad:
                failed = True
                print(f"{'':<8} {tool:<13} unexpected exit codes {bad}")
        warm = statistics.median(r.seconds for r in results["boundary-warm"])
        targets.append((f"{suite.name}: warm-cache re-scan < 1 s", f"{warm:.2f} s", warm < 1.0))
        if "checkov" in results:
            ours, theirs = results["boundary"], results["checkov"]
            time_ratio = statistics.median(r.seconds for r in theirs) / statistics.median(
                r.seconds for r in ours
            )
            memory_ratio = statistics.median(r.tree_mb for r in theirs) / statistics.median(
                r.tree_mb for r in ours
            )
            print(
                f"{suite.name:<8} ratio         checkov / boundary: {time_ratio:.1f}x time, "
                f"{memory_ratio:.1f}x memory (process tree)"
            )
            wanted = 10.0 if suite.name == "sam-cfn" else 20.0
            targets.append(
                (
                    f"{suite.name}: {wanted:.0f}x faster than Checkov",
                    f"{time_ratio:.1f}x",
                    time_ratio >= wanted,
                )
            )
            targets.append(
                (
                    f"{suite.name}: peak memory <= 1/3 of Checkov's",
                    f"1/{memory_ratio:.1f}",
                    memory_ratio >= 3.0,
                )
            )
        print()
    shutil.rmtree(cache, ignore_errors=True)

    if not args.no_startup:
        print("start-up (benchmarks/bench_startup.py)")
        startup = ["--runs", "10"]
        if args.boundary:
            startup += ["--boundary", args.boundary]
        if args.checkov:
            startup += ["--checkov", args.checkov]
        if checkov is None:
            startup += ["--checkov", "/nonexistent/checkov"]
        bench_startup.main(startup)
        version = statistics.median(bench_startup.measure(boundary, 10))
        targets.append(("start-up: boundary --version < 0.3 s", f"{version:.3f} s", version < 0.3))
        one = _one_small_scan(boundary, 10)
        print(f"boundary scan of one small template (no cache): median {one:.3f} s (10 runs)")
        targets.append(("boundary scan of one small template (no target)", f"{one:.3f} s", None))
        print()

    if args.scale:
        print("scale (benchmarks/bench_scale.py): CPU seconds per stage, start-up excluded")
        import bench_scale

        ok = bench_scale.main([]) == 0
        targets.append(("scale: cost per resource at 10,000 within 1.5x of 1,000", "see above", ok))
        print()

    print("targets (issue 12)")
    for name, measured, met in targets:
        verdict = "n/a" if met is None else ("met" if met else "MISSED")
        print(f"  {name:<58} {measured:>10}  {verdict}")
    return 1 if failed else 0


SMALL_TEMPLATE = """\
AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Jobs:
    Type: AWS::SQS::Queue
  Worker:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      Code: {ZipFile: "def handler(event, context): pass"}
      Role: !GetAtt WorkerRole.Arn
  WorkerRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - {Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}
      Policies:
        - PolicyName: jobs
          PolicyDocument:
            Statement:
              - {Effect: Allow, Action: sqs:SendMessage, Resource: !GetAtt Jobs.Arn}
"""


def _one_small_scan(boundary: list[str], runs: int) -> float:
    """Median wall time of `boundary scan` of one small CloudFormation template, no cache:
    what pre-commit waits for on a commit touching one file."""
    with tempfile.TemporaryDirectory(prefix="boundary-bench-small-") as folder:
        template = Path(folder) / "template.yaml"
        template.write_text(SMALL_TEMPLATE, encoding="utf-8")
        argv = [*boundary, "scan", str(template), "--no-cache", "--format", "json", "--output", os.devnull]
        env = dict(_env(dict(os.environ)), NO_COLOR="1")
        measure(argv, env, 120)  # warm-up
        return statistics.median(measure(argv, env, 120).seconds for _ in range(runs))


if __name__ == "__main__":
    sys.exit(main())
