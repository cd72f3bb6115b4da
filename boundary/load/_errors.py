"""The one exception loaders raise for bad input; `load` turns it into a `LoadError`."""

from __future__ import annotations

from boundary.model import LoadError, LoadSeverity

__all__ = ["MESSAGE_WIDTH", "VALUE_WIDTH", "SourceError", "one_line", "warning"]

VALUE_WIDTH = 100  # a value quoted in a message (a key, a scalar, a line of input) at most
MESSAGE_WIDTH = 500  # a whole message at most


def one_line(message: str) -> str:
    """A message on one line, each long value in it cut with an ellipsis, the whole
    cut in its middle too (its end often says what was expected, or how many more):
    a 100 KB line of input must not come back whole in an error line."""
    words = [w if len(w) <= VALUE_WIDTH else w[: VALUE_WIDTH - 1] + "…" for w in message.split()]
    text = " ".join(words)
    if len(text) <= MESSAGE_WIDTH:
        return text
    tail = MESSAGE_WIDTH // 3
    return text[: MESSAGE_WIDTH - tail - 1] + "…" + text[-tail:]


def warning(file: str, line: int, column: int, message: str) -> LoadError:
    """A located warning for `Template.warnings`: loaded, but worth a look. One line."""
    return LoadError(file, line, column, one_line(message), LoadSeverity.WARNING)


class SourceError(Exception):
    """Bad input at a known place. `line` and `column` are 1-based, 0 when unknown."""

    def __init__(self, file: str, line: int, column: int, message: str) -> None:
        super().__init__(message)
        self.file = file
        self.line = line
        self.column = column
        self.message = one_line(message)  # always one line, never a whole hostile value

    def to_load_error(self) -> LoadError:
        return LoadError(self.file, self.line, self.column, self.message)

    def __str__(self) -> str:
        return str(self.to_load_error())
