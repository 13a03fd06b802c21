"""Repeated ids, names and numbers: one implementation for every register and list."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Iterator
from typing import TypeVar

Key = TypeVar("Key", bound=Hashable)


def repeats(items: Iterable[tuple[Key | None, int]]) -> Iterator[tuple[Key, int, int]]:
    """(key, line, first line) for every key written again after its first line; None skips."""
    first: dict[Key, int] = {}
    for key, line in items:
        if key is None:
            continue
        if key in first:
            yield key, line, first[key]
        else:
            first[key] = line
