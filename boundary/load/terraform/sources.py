"""What the plan loader asks of the `.tf` sources a plan was made from.

`boundary.load.terraform.hcl.ConfigSources` answers it; a plan loaded without
sources has none, and every seam then reads the plan alone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, Protocol

from boundary.model import Location

__all__ = ["ConfigurationSources"]


class ConfigurationSources(Protocol):
    """Where resources and their attributes are written, and what unknown policies say."""

    @property
    def files(self) -> Mapping[str, tuple[str, ...]]: ...

    @property
    def notes(self) -> Sequence[str]: ...

    def locate(self, address: str, path: Sequence[str | int] = ()) -> Location | None: ...

    def block_lines(self, address: str, block_type: str) -> list[Location | None]: ...

    def document(self, address: str, path: Sequence[str | int], known: Callable[[str], list[str]]) -> Any: ...

    def providers(self) -> Iterator[tuple[str, dict[str, Any], Location]]: ...

    def written(self, addresses: Iterable[str]) -> dict[tuple[str | int, ...], Location]: ...
