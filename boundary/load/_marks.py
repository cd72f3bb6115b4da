"""Where each element of a document is written, without a parser: the marks a parser
records (`_yaml`) and the lookup of a path in them.

`JsonLocator` locates paths of a plan (read by the standard JSON decoder, which keeps
no positions) and reads the marks only when a path is first asked for, with the marking
JSON parser of `_yaml`: a plan scan that never locates a path never imports PyYAML.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

__all__ = ["JsonLocator", "Marks", "Path", "locate"]

Path = tuple["str | int", ...]
Marks = dict[Path, tuple[int, int]]


def locate(marks: Mapping[Path, tuple[int, int]], path: Sequence[str | int]) -> tuple[int, int]:
    """The 1-based (line, column) of the element at `path` (for a mapping entry, where its
    key is written; for a list item, where the item starts), or of its deepest existing
    ancestor; (0, 0) when not even the root is marked. Never raises."""
    try:
        key = tuple(path)
        while True:
            found = marks.get(key)
            if found is not None:
                return found
            if not key:
                return (0, 0)
            key = key[:-1]
    except TypeError:  # an unhashable path element: only the root is certain
        return marks.get((), (0, 0))


class JsonLocator:
    """`locate(path)` for a JSON file read by another parser (a plan, by the standard
    decoder): the marks are read from `lines` on the first call only, since a rule asks
    for a path only when it reports one. Like `Document.locate`, it gives the
    element's (line, column), or its deepest existing ancestor's, and never raises;
    (0, 0) when the text is not JSON the marking parser takes."""

    def __init__(self, file: str, lines: Sequence[str]) -> None:
        self.file = file
        self.lines = lines
        self._marks: Marks | None = None

    def __getstate__(self) -> tuple[str, Sequence[str]]:
        return self.file, self.lines  # the marks are read again where they are needed

    def __setstate__(self, state: tuple[str, Sequence[str]]) -> None:
        self.file, self.lines = state
        self._marks = None

    def __call__(self, path: Sequence[str | int]) -> tuple[int, int]:
        if self._marks is None:
            from boundary.load._yaml import json_marks

            self._marks = json_marks("\n".join(self.lines), self.file)
        return locate(self._marks, path)
