"""Run one pure function over many items in two forked processes when there are enough of them.

It knows nothing of what it runs: items go to the workers as arguments and results come back
pickled, so the function must be a module-level function of picklable values.
"""

from __future__ import annotations

import ctypes
import functools
import gc
import multiprocessing
import os
import signal
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any, TypeVar, overload

Item = TypeVar("Item")
Result = TypeVar("Result")
Received = TypeVar("Received")

# NOTE: below this many items, forking and pickling cost more than a second core saves.
PARALLEL_FROM = 40
PR_SET_PDEATHSIG = 1  # linux/prctl.h


def die_with_parent(parent: int) -> None:
    """In a process forked by parent (its pid): be killed when parent dies, so that a build
    killed mid-way (Ctrl-C twice, a cancelled CI job, SIGKILL) leaves no shard or worker behind,
    still spending CPU and writing into a staging folder that the next build then cannot
    remove. Linux's PR_SET_PDEATHSIG; elsewhere nothing."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # NOTE: it died before prctl took effect
        os._exit(1)


@overload
def parallel_map(
    function: Callable[[Item], Result], items: Sequence[Item], *, lasting: bool = False
) -> list[Result]: ...


@overload
def parallel_map(
    function: Callable[[Item], Result],
    items: Sequence[Item],
    *,
    lasting: bool = False,
    received: Callable[[Result], Received],
) -> list[Received]: ...


def parallel_map(
    function: Callable[[Item], Any],
    items: Sequence[Item],
    *,
    lasting: bool = False,
    received: Callable[[Any], Any] | None = None,
) -> list[Any]:
    """function(item) for each item, in order; in two processes when worth it. lasting: the
    results live as long as the process, so they are frozen out of the garbage collector's
    way (gc.freeze) before it wakes: its first collection would walk every one of them.
    received: what becomes of each result in this process, as it arrives (while the workers
    go on with the next items)."""
    then = received or _as_is
    workers = min(2, os.cpu_count() or 1)
    if (
        len(items) < PARALLEL_FROM
        or workers < 2
        or "fork" not in multiprocessing.get_all_start_methods()
    ):
        return [then(_without_collector(function, item)) for item in items]
    context = multiprocessing.get_context("fork")
    chunk = max(1, len(items) // (workers * 8))
    # NOTE: the results arrive pickled: hundreds of thousands of objects a village, which the
    # collector, woken again and again while they are made, would walk for nothing; the workers,
    # forked while it is paused, take it up again between items
    collecting = gc.isenabled()
    with collector_paused():
        pool = ProcessPoolExecutor(
            workers,
            mp_context=context,
            initializer=_start_worker,
            initargs=(os.getpid(), collecting),
        )
        with pool:
            function_paused = functools.partial(_without_collector, function)
            results = [then(result) for result in pool.map(function_paused, items, chunksize=chunk)]
        if lasting:
            gc.freeze()
        return results


def _as_is(result: Result) -> Result:
    return result


def _start_worker(parent: int, collecting: bool) -> None:
    die_with_parent(parent)
    if collecting:
        gc.enable()


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
