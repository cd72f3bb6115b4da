"""Baselines: written sorted, read back, applied by fingerprint; bad files give one located line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from boundary.report.baseline import BaselineError, apply_baseline, dump_baseline, read_baseline

from ._sample import build_result


def test_round_trip_hides_exactly_the_recorded_findings(tmp_path: Path) -> None:
    result = build_result()
    path = tmp_path / "baseline.json"
    path.write_text(dump_baseline(result.findings), encoding="utf-8")
    known = read_baseline(path)
    active = [f for f in result.findings if not f.suppressed]
    assert known == {f.fingerprint for f in active}
    split = apply_baseline(result.findings, known)
    assert split.hidden == len(active)
    assert all(f.suppressed for f in split.findings)


def test_written_fingerprints_are_sorted_with_a_note() -> None:
    document = json.loads(dump_baseline(build_result().findings))
    keys = list(document["fingerprints"])
    assert keys == sorted(keys)
    assert all(note.startswith("BND") for note in document["fingerprints"].values())


def test_a_list_of_fingerprints_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "b.json"
    path.write_text('{"fingerprints": ["abc", "def"]}', encoding="utf-8")
    assert read_baseline(path) == {"abc", "def"}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read baseline"),
        ("{not json", "b.json:1:2: error: baseline is not JSON"),
        ("[1, 2]", "must be a list of fingerprints or an object"),
        ('{"fingerprints": [1]}', "must be a list of fingerprints or an object"),
    ],
    ids=["missing", "not-json", "not-object", "not-strings"],
)
def test_bad_baselines_are_one_line_errors(tmp_path: Path, content: str | None, message: str) -> None:
    path = tmp_path / "b.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(BaselineError) as caught:
        read_baseline(path)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)
