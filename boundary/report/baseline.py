"""Baselines: the fingerprints of findings a team has accepted for now.

A baseline lets a project adopt boundary without fixing everything first:
`--create-baseline` records what is there today, `--baseline` then reports
only what is new. Fingerprints leave line numbers out (see `Finding`), so
edits that move code do not make old findings look new.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from boundary.findings import Finding

__all__ = [
    "BASELINE_VERSION",
    "BaselineError",
    "Baselined",
    "apply_baseline",
    "dump_baseline",
    "read_baseline",
]

BASELINE_VERSION = "1"


class BaselineError(Exception):
    """A baseline file that cannot be read; the message is one line."""


def dump_baseline(findings: Iterable[Finding]) -> str:
    """The baseline for the unsuppressed `findings`: fingerprints sorted, each with a note for reviewers."""
    notes = {
        each.fingerprint: f"{each.rule_id} {each.rule_name} {f.resource} ({f.location.file})"
        for f in findings
        if not f.suppressed
        for each in (f, *f.merged)
    }
    document = {
        "version": BASELINE_VERSION,
        "tool": "boundary",
        "fingerprints": dict(sorted(notes.items())),
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def read_baseline(path: str | Path) -> frozenset[str]:
    """The fingerprints in a baseline file (an object with `fingerprints`, a map or a list)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BaselineError(f"{path}: error: cannot read baseline: {_reason(exc)}") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BaselineError(
            f"{path}:{exc.lineno}:{exc.colno}: error: baseline is not JSON: {exc.msg}"
        ) from None
    # an object with `fingerprints` (a map or a list), or the plain list of fingerprints
    entries = document.get("fingerprints") if isinstance(document, Mapping) else document
    if isinstance(entries, Mapping):
        entries = list(entries)
    if not isinstance(entries, list) or not all(isinstance(e, str) for e in entries):
        raise BaselineError(
            f"{path}: error: baseline must be a list of fingerprints or an object with a `fingerprints` map or list"
        )
    return frozenset(entries)


@dataclass(frozen=True, slots=True)
class Baselined:
    """Findings split by a baseline: those still reported and how many it hid."""

    findings: tuple[Finding, ...]
    hidden: int


def apply_baseline(findings: Iterable[Finding], fingerprints: frozenset[str]) -> Baselined:
    everything = tuple(findings)
    # a finding with others merged into it is new when any of them is
    kept = tuple(f for f in everything if not fingerprints.issuperset(f.fingerprints))
    return Baselined(kept, len(everything) - len(kept))


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return " ".join(str(exc).split())
