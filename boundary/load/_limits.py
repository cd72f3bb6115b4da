"""The limits of the file being loaded, and the work it has cost so far.

`load_file` sets a `Budget` for each file; the expensive loops of the loaders
(intrinsic functions, Terraform references) `charge` it, so a small hostile
file stops at a limit with one located error instead of running for minutes.
Outside `load_file` (a loader called directly) the default limits apply.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from boundary.load._errors import SourceError
from boundary.model import Limits

__all__ = ["Budget", "LimitExceeded", "budget", "charge", "current_limits", "limit_hint"]


class LimitExceeded(SourceError):
    """A file asked for more than a limit allows. Never swallowed by a loader's catch-all."""


def limit_hint(field: str) -> str:
    """How to raise a limit, for the end of an error message."""
    return f"raise it with --limit {field.replace('_', '-')}=N"


class Budget:
    """The limits of one file and the steps of resolution spent on it."""

    __slots__ = ("file", "limits", "spent")

    def __init__(self, file: str, limits: Limits) -> None:
        self.file = file
        self.limits = limits
        self.spent = 0

    def charge(self, steps: int = 1, line: int = 1, column: int = 0) -> None:
        self.spent += steps
        if self.spent > self.limits.max_work:
            raise LimitExceeded(
                self.file,
                line,
                column,
                f"too much work to resolve references (more than {self.limits.max_work} steps: "
                f"intrinsic functions or Terraform references that refer to each other many times); "
                f"{limit_hint('max_work')}",
            )


_current: ContextVar[Budget | None] = ContextVar("boundary_load_budget", default=None)


@contextmanager
def budget(file: str, limits: Limits) -> Iterator[Budget]:
    """Make `limits` the limits of `file` while it loads."""
    active = Budget(file, limits)
    token = _current.set(active)
    try:
        yield active
    finally:
        _current.reset(token)


def current_limits() -> Limits:
    active = _current.get()
    return active.limits if active is not None else Limits()


def charge(steps: int = 1, line: int = 1, column: int = 0) -> None:
    """Spend `steps` of the current file's work budget; raises `LimitExceeded` past it."""
    active = _current.get()
    if active is not None:
        active.charge(steps, line, column)
