"""Run one pure function over many items in two forked processes when there are enough of them.

It knows nothing of what it runs: items go to the workers as arguments and results come back
pickled, so the function must be a module-level function of picklable values.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

# NOTE: below this many items, forking and pickling cost more than a second core saves.
PARALLEL_FROM = 40


def parallel_map(function: Callable[[Item], Result], items: Sequence[Item]) -> list[Result]:
    """function(item) for each item, in order; in two processes when worth it."""
    workers = min(2, os.cpu_count() or 1)
    if (
        len(items) < PARALLEL_FROM
        or workers < 2
        or "fork" not in multiprocessing.get_all_start_methods()
    ):
        return [function(item) for item in items]
    context = multiprocessing.get_context("fork")
    chunk = max(1, len(items) // (workers * 8))
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        return list(pool.map(function, items, chunksize=chunk))
