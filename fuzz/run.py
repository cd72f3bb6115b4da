"""Run every fuzz target for a fixed budget with a fixed seed (`.ci/run` calls this).

    python fuzz/run.py                 # all targets, 200 runs each, seed 1
    python fuzz/run.py --runs 5000 sam # one target, longer

For each target: first its seed corpus is replayed (the fixtures, and the
hostile inputs of issue 16 from tests/hostile.py), each input within
`--max-seconds`; then the inputs are mutated, with atheris (coverage-guided
libFuzzer) when it is installed, else with hypothesis (seeded, derandomised).
Any uncaught exception, wrapped crash or input over the time bound fails the run.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))

import targets  # noqa: E402
from hostile import GENERATORS  # noqa: E402

_MAX_LEN = 65_536  # mutated inputs; the seeds themselves may be larger


def _replay(target: targets.Target, max_seconds: float) -> list[bytes]:
    """Every seed of the target through it, each within the bound; the small ones are returned."""
    seeds = list(target.seeds())
    hostile = [
        make() for name, (_, make) in GENERATORS.items() if targets.HOSTILE_SEEDS.get(name) == target.name
    ]
    for data in seeds + [h.encode() for h in hostile]:
        started = time.process_time()
        target.run(data)
        spent = time.process_time() - started
        if spent > max_seconds:
            raise targets.FuzzFailure(f"{target.name}: a {len(data)}-byte seed took {spent:.1f} s of CPU")
    return [s for s in seeds + [h.encode() for h in hostile] if len(s) <= _MAX_LEN]


def _with_atheris(name: str, corpus: Path, runs: int, seed: int, max_seconds: float) -> int:
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--atheris-child",
        name,
        "--",
        f"-runs={runs}",
        f"-seed={seed}",
        f"-max_len={_MAX_LEN}",
        f"-timeout={int(max_seconds)}",
        "-rss_limit_mb=1500",
        "-print_final_stats=0",
        str(corpus),
    ]
    return subprocess.run(command, check=False).returncode


def _atheris_child(name: str, libfuzzer_args: list[str]) -> None:
    import importlib
    import pkgutil

    import atheris  # type: ignore[import-not-found]

    # Coverage for boundary's own code only (instrumenting every loaded library takes
    # minutes); its modules are imported up front because boundary imports lazily.
    with atheris.instrument_imports(include=["boundary"]):
        import boundary

        for module in pkgutil.walk_packages(boundary.__path__, "boundary."):
            importlib.import_module(module.name)
    target = targets.TARGETS[name]

    def one(data: bytes) -> None:
        target.run(data)

    atheris.Setup([sys.argv[0], *libfuzzer_args], one)
    atheris.Fuzz()


def _with_hypothesis(
    target: targets.Target, seeds: list[bytes], runs: int, seed: int, max_seconds: float
) -> None:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import seed as fixed_seed
    from hypothesis import strategies as st

    edits = st.lists(
        st.tuples(st.integers(0, _MAX_LEN), st.integers(0, 64), st.binary(max_size=16)), max_size=8
    )

    @fixed_seed(seed)
    @settings(
        max_examples=runs,
        deadline=max_seconds * 1000,
        database=None,
        derandomize=False,
        suppress_health_check=list(HealthCheck),
    )
    @given(st.sampled_from(seeds), edits)
    def mutated(base: bytes, changes: list[tuple[int, int, bytes]]) -> None:
        data = bytearray(base)
        for at, cut, insert in changes:
            at = at % (len(data) + 1)
            data[at : at + cut] = insert
        target.run(bytes(data[:_MAX_LEN]))

    mutated()


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("names", nargs="*", help=f"targets (default: all of {', '.join(targets.TARGETS)})")
    parser.add_argument("--runs", type=int, default=200, help="mutated inputs per target")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--max-seconds", type=float, default=10.0, help="CPU seconds one input may take")
    parser.add_argument("--engine", choices=("auto", "atheris", "hypothesis"), default="auto")
    parser.add_argument("--atheris-child", metavar="TARGET", help=argparse.SUPPRESS)
    args, _ = parser.parse_known_args(sys.argv[1 : sys.argv.index("--")] if "--" in sys.argv else None)
    if args.atheris_child:
        _atheris_child(args.atheris_child, sys.argv[sys.argv.index("--") + 1 :])
        return 0
    engine = args.engine
    if engine == "auto":
        try:
            import atheris  # type: ignore[import-not-found]  # noqa: F401

            engine = "atheris"
        except ImportError:
            engine = "hypothesis"
    failed = 0
    for name in args.names or list(targets.TARGETS):
        target = targets.TARGETS[name]
        started = time.monotonic()
        try:
            seeds = _replay(target, args.max_seconds)
            if engine == "atheris":
                with tempfile.TemporaryDirectory() as folder:
                    for index, data in enumerate(seeds):
                        (Path(folder) / f"seed-{index}").write_bytes(data)
                    if _with_atheris(name, Path(folder), args.runs, args.seed, args.max_seconds) != 0:
                        raise targets.FuzzFailure(f"{name}: atheris found a failing input (above)")
            else:
                _with_hypothesis(target, seeds, args.runs, args.seed, args.max_seconds)
        except (targets.FuzzFailure, AssertionError) as failure:
            print(f"fuzz {name}: FAILED: {failure}", file=sys.stderr)
            failed += 1
            continue
        print(
            f"fuzz {name}: ok ({engine}, {len(seeds)} seeds, {args.runs} runs, {time.monotonic() - started:.1f} s)"
        )
    targets.scratch_cleanup()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
