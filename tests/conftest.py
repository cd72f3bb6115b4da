"""Shared fixtures: where the samples and the read-only third-party corpus are."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
CORPUS = ROOT.parent / "shared" / "corpus"


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    return SAMPLES


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """The third-party corpus; tests that use it skip on a machine without it."""
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus is not present")
    return CORPUS


def pytest_configure(config: pytest.Config) -> None:
    """The CLI caches loaded files in the user's cache folder by default: never the real
    one from the test suite (subprocesses inherit the variable too)."""
    folder = tempfile.mkdtemp(prefix="boundary-test-cache-")
    config.stash[_CACHE_KEY] = folder
    os.environ["BOUNDARY_CACHE_DIR"] = folder


def pytest_unconfigure(config: pytest.Config) -> None:
    folder = config.stash.get(_CACHE_KEY, None)
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)


_CACHE_KEY = pytest.StashKey[str]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-snapshots",
        action="store_true",
        default=False,
        help="rewrite tests/snapshots/ and tests/load/golden/ from the current code instead of comparing",
    )


@pytest.fixture(scope="session")
def update_snapshots(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-snapshots"))
