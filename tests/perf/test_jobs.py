"""`--jobs N` loads files in N processes: the output must not depend on N.

Below a second or so of loading, a scan loads everything in one process whatever N
is (`_POOL_WORTH`); these tests lower that bar, so that their small inputs go through
the pool, but for the one that checks the bar itself.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from boundary import analyze
from boundary.cli import app

_load = sys.modules["boundary.load"]  # the package (`boundary.load` is its function)

ROOT = Path(__file__).resolve().parents[2]
TARGETS = [str(ROOT / "samples"), str(ROOT / "tests" / "rules" / "fixtures")]


_ADAPTIVE = {"test_a_small_scan_starts_no_pool"}


@pytest.fixture(autouse=True)
def always_pool(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    if request.node.name not in _ADAPTIVE:
        monkeypatch.setattr(_load, "_POOL_WORTH", 0.0)
        monkeypatch.setattr(_load, "_PROBE_SECONDS", 0.0)


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    """A folder where one file is broken: its error must come out located, whatever N is."""
    (tmp_path / "bad.yaml").write_text("Resources:\n  A: [unclosed\n", encoding="utf-8")
    (tmp_path / "not-a-template.json").write_text('{"hello": 1}\n', encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_jobs_one_and_four_give_byte_identical_output(
    fmt: str, broken: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    runner = CliRunner()
    outputs = []
    for jobs in ("1", "4"):
        out = tmp_path / f"out-{jobs}.{fmt}"
        result = runner.invoke(
            app,
            [
                "scan",
                *TARGETS,
                str(broken),
                "--format",
                fmt,
                "--output",
                str(out),
                "--jobs",
                jobs,
                "--no-cache",
            ],
        )
        assert result.exit_code == 2, result.output  # the broken file
        assert "bad.yaml:" in result.stderr
        outputs.append(out.read_bytes())
    assert len(outputs[0]) > 1000
    assert outputs[0] == outputs[1]


def test_pool_gives_the_same_model_and_errors_per_file(broken: Path) -> None:
    one = analyze([*TARGETS, str(broken)], jobs=1)
    four = analyze([*TARGETS, str(broken)], jobs=4)
    assert len(one.files) > 10
    assert one == four
    assert [e.file for e in four.errors if "bad.yaml" in e.file] == [str(broken / "bad.yaml")]


def test_progress_is_told_about_every_file_in_a_pool() -> None:
    seen: list[tuple[str, int, int]] = []
    result = analyze(TARGETS, jobs=2, progress=lambda f, i, n: seen.append((f, i, n)))
    assert [i for _, i, _ in seen] == list(range(len(seen)))
    assert {n for _, _, n in seen} == {len(seen)}
    assert {f for f, _, _ in seen} >= set(result.files)


def test_pool_reads_plans_with_their_sources_and_scans_sources_only_folders() -> None:
    """A plan read with the .tf beside it, folders of .tf alone, local modules followed and
    not scanned again: the same in a pool as here, and in the same order."""
    sources = str(ROOT / "tests" / "fixtures" / "terraform" / "sources")
    targets = [*TARGETS, sources]
    one = analyze(targets, jobs=1)
    four = analyze(targets, jobs=4)
    assert one == four
    paths = [t.path for t in four.templates]
    assert str(ROOT / "tests" / "rules" / "fixtures" / "wildcard-action" / "tf") in paths
    assert not [p for p in paths if p.endswith(("modules/worker", "terraform/insecure"))]
    with_sources = [t for t in four.templates if t.path.endswith("plan.json") and t.sources]
    assert len(with_sources) >= 5  # the sample and the four source fixtures
    on_tf = [f for f in four.findings if f.location.file.endswith(".tf")]
    assert on_tf and not [
        f
        for f in four.findings
        if "terraform/sources" in f.location.file and f.location.file.endswith(".json")
    ]


def test_a_small_scan_starts_no_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    """A few small files load faster here than a pool could start and send them back."""

    def no_pool(*args: object) -> None:
        raise AssertionError("a pool was started")

    monkeypatch.setattr(_load, "_pool", no_pool)
    fixtures = ROOT / "tests" / "rules" / "fixtures"
    targets = [str(fixtures / "wildcard-action"), str(fixtures / "wildcard-resource")]
    assert analyze(targets, jobs=4) == analyze(targets, jobs=1)


def test_the_pool_and_this_process_share_the_files(monkeypatch: pytest.MonkeyPatch) -> None:
    """With the pool forced from the first estimate, both load, and the result is in order."""
    where: list[int] = []
    load_one = _load._load_one

    def spy(job: object, read: object = None, cache: object = None) -> object:
        where.append(os.getpid())
        return load_one(job, read, cache)

    monkeypatch.setattr(_load, "_load_one", spy)
    one = analyze(TARGETS, jobs=1)
    where.clear()
    two = analyze(TARGETS, jobs=2)
    assert one == two
    assert os.getpid() in where  # this process loaded some (the pool's are not seen here)
    assert len(where) < len(two.files)
