"""Where each resource of a plan is written.

With the `.tf` sources, a resource is located at its block and an attribute at
its line; without them, at the line and column of the resource's `"address"`
key in the plan text (the .tf lines do not survive planning).
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Sequence

from boundary.load.terraform.sources import ConfigurationSources
from boundary.model import Location

__all__ = ["Locations", "PlanLocator"]

_ADDRESS_KEY = re.compile(r'"address"\s*:\s*"((?:[^"\\]|\\.)*)"')
RESOURCE_CHANGES_KEY = re.compile(r'"resource_changes"\s*:\s*\[')


class PlanLocator:
    """Line and column of each resource's `"address"` key, from one scan of the text.

    The same address appears in several plan parts; the one in
    `resource_changes` is preferred, where the planned change is.
    """

    def __init__(self, file: str, text: str) -> None:
        self.file = file
        self._text = text
        # (line, column) of each address key's offset, worked out on the first `locate`
        self._places: dict[int, tuple[int, int]] | None = None
        self._positions: dict[str, list[int]] = {}
        for match in _ADDRESS_KEY.finditer(text):
            raw = match.group(1)
            address = raw
            if "\\" in raw:
                try:
                    address = json.loads(f'"{raw}"')
                except ValueError:
                    continue
            self._positions.setdefault(address, []).append(match.start())
        changes = RESOURCE_CHANGES_KEY.search(text)
        self._changes_at = changes.start() if changes else -1

    def locate_key(self, key: str, file: str, address: str) -> Location:
        """The first line that holds `key` after `"provider_config"` (plans without sources)."""
        lines = self._text.splitlines()
        start = next((i for i, line in enumerate(lines) if '"provider_config"' in line), 0)
        for number in range(start, len(lines)):
            column = lines[number].find(
                key, 0 if number != start else lines[number].find('"provider_config"')
            )
            if column >= 0:
                return Location(file, number + 1, column + 1, address=address)
        return Location(file, 1, 1, address=address)

    def locate(self, address: str) -> Location:
        positions = self._positions.get(address)
        if not positions:
            return Location(self.file, 0, 0, address=address)
        index = bisect.bisect_left(positions, self._changes_at)
        offset = positions[index] if 0 <= self._changes_at and index < len(positions) else positions[0]
        line, column = self._place(offset)
        return Location(self.file, line, column, address=address)

    def _place(self, offset: int) -> tuple[int, int]:
        """The (line, column) of an address key's offset. Every key's is found in one pass
        over the text, counting the newlines between one key and the next (a C scan):
        cheaper than a list of every newline's offset, and linear in the text whatever
        the number of resources."""
        if self._places is None:
            self._places = {}
            line, last, line_start = 1, 0, 0
            for at in sorted({at for found in self._positions.values() for at in found}):
                newlines = self._text.count("\n", last, at)
                if newlines:
                    line += newlines
                    line_start = self._text.rfind("\n", last, at) + 1
                self._places[at] = (line, at - line_start + 1)
                last = at
        return self._places[offset]


class Locations:
    """The sources first, then the plan text."""

    def __init__(self, file: str, text: str, sources: ConfigurationSources | None) -> None:
        self.file = file
        self._sources = sources
        self._plan = PlanLocator(file, text)

    def resource(self, address: str) -> Location:
        found = self._sources.locate(address) if self._sources is not None else None
        return found or self._plan.locate(address)

    def attribute(self, address: str, path: Sequence[str | int]) -> Location | None:
        """Where the attribute at `path` is written; None without sources."""
        if not path or self._sources is None:
            return None
        return self._sources.locate(address, path)

    def provider_key(self, key: str, address: str) -> Location:
        """A provider's key in the plan's `provider_config` (plans without sources)."""
        return self._plan.locate_key(key, self.file, address)
