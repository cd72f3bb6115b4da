"""The one exception loaders raise for bad input; `load` turns it into a `LoadError`."""

from __future__ import annotations

from boundary.model import LoadError, LoadSeverity

__all__ = ["SourceError", "warning"]


def warning(file: str, line: int, column: int, message: str) -> LoadError:
    """A located warning for `Template.warnings`: loaded, but worth a look. One line."""
    return LoadError(file, line, column, " ".join(message.split()), LoadSeverity.WARNING)


class SourceError(Exception):
    """Bad input at a known place. `line` and `column` are 1-based, 0 when unknown."""

    def __init__(self, file: str, line: int, column: int, message: str) -> None:
        super().__init__(message)
        self.file = file
        self.line = line
        self.column = column
        self.message = " ".join(message.split())  # always one line

    def to_load_error(self) -> LoadError:
        return LoadError(self.file, self.line, self.column, self.message)

    def __str__(self) -> str:
        return str(self.to_load_error())
