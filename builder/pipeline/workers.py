"""Run one pure function over many items in two forked processes when there are enough of them.

It knows nothing of what it runs: items go to the workers as arguments and results come back
pickled, so the function must be a module-level function of picklable values.
"""

from __future__ import annotations

import functools
import gc
import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from typing import TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

# NOTE: below this many items, forking and pickling cost more than a second core saves.
PARALLEL_FROM = 40


def parallel_map(
    function: Callable[[Item], Result], items: Sequence[Item], *, lasting: bool = False
) -> list[Result]:
    """function(item) for each item, in order; in two processes when worth it. lasting: the
    results live as long as the process, so they are frozen out of the garbage collector's
    way (gc.freeze) before it wakes: its first collection would walk every one of them."""
    workers = min(2, os.cpu_count() or 1)
    if (
        len(items) < PARALLEL_FROM
        or workers < 2
        or "fork" not in multiprocessing.get_all_start_methods()
    ):
        return [_without_collector(function, item) for item in items]
    context = multiprocessing.get_context("fork")
    chunk = max(1, len(items) // (workers * 8))
    # NOTE: the results arrive pickled: hundreds of thousands of objects a village, which the
    # collector, woken again and again while they are made, would walk for nothing; the workers,
    # forked while it is paused, take it up again between items
    collecting = gc.isenabled()
    with collector_paused():
        pool = ProcessPoolExecutor(
            workers, mp_context=context, initializer=gc.enable if collecting else None
        )
        with pool:
            function_paused = functools.partial(_without_collector, function)
            results = list(pool.map(function_paused, items, chunksize=chunk))
        if lasting:
            gc.freeze()
        return results


def _without_collector(function: Callable[[Item], Result], item: Item) -> Result:
    """function(item) with the cyclic garbage collector paused: one item's objects are made to
    last until it returns, so collecting while they are made only walks them again and again;
    they are freed by reference counting, and anything cyclic at the next collection."""
    with collector_paused():
        return function(item)


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off for the block (as it was before, after it)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
