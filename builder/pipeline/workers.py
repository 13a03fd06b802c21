"""Run one pure function over many items in two forked processes when there are enough of them.

It knows nothing of what it runs: items go to the workers as arguments (parallel_map) or
through the fork itself (split_map) and results come back pickled, so the function must be a
module-level function of picklable values.
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
CHUNKS_A_WORKER = 32
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
    function: Callable[[Item], Result],
    items: Sequence[Item],
    *,
    lasting: bool = False,
    worth: int | None = None,
) -> list[Result]: ...


@overload
def parallel_map(
    function: Callable[[Item], Result],
    items: Sequence[Item],
    *,
    lasting: bool = False,
    worth: int | None = None,
    received: Callable[[Result], Received],
) -> list[Received]: ...


def parallel_map(
    function: Callable[[Item], Any],
    items: Sequence[Item],
    *,
    lasting: bool = False,
    worth: int | None = None,
    received: Callable[[Any], Any] | None = None,
) -> list[Any]:
    """function(item) for each item, in order; in two processes when worth it: at least worth
    items (PARALLEL_FROM unless given; fewer when each is a large piece of work). lasting: the
    results live as long as the process, so they are frozen out of the garbage collector's
    way (gc.freeze) before it wakes: its first collection would walk every one of them.
    received: what becomes of each result in this process, as it arrives (while the workers
    go on with the next items)."""
    then = received or _as_is
    workers = min(2, os.cpu_count() or 1)
    if (
        len(items) < max(2, PARALLEL_FROM if worth is None else worth)
        or workers < 2
        or "fork" not in multiprocessing.get_all_start_methods()
    ):
        return [then(_without_collector(function, item)) for item in items]
    context = multiprocessing.get_context("fork")
    # NOTE: small chunks, so that the two workers end together: with eight a worker, one was
    # left alone with a last chunk of some 40 villages (a second of a county's check, on
    # average half of it with a core idle); a chunk's message costs far less than an item
    chunk = max(1, len(items) // (workers * CHUNKS_A_WORKER))
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
    # NOTE: what the worker inherits is the parent's, and lasts as long as the worker: out of
    # the collector's way. Its full collections walked all of it, writing to every object
    # they passed, so each one copied the parent's pages into the worker (0.8 s of a county's
    # check: validate() 15.4-15.8 s before, 14.8 s after, three pairs in turn)
    gc.freeze()
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


def split_map(function: Callable[[Item], Result], items: Sequence[Item]) -> list[Result]:
    """function(item) for each item, in order; every other item in a forked process when there
    are enough of them. Unlike parallel_map, the items reach that process through the fork, not
    pickled: for items this process holds already and that are costly to pickle, such as a
    county's village models. Its results come back pickled."""
    if len(items) < PARALLEL_FROM or "fork" not in multiprocessing.get_all_start_methods():
        return [function(item) for item in items]
    context = multiprocessing.get_context("fork")
    reader, writer = context.Pipe(duplex=False)
    process = context.Process(target=_split_half, args=(os.getpid(), function, items[1::2], writer))
    process.start()
    writer.close()
    try:
        mine = [function(item) for item in items[0::2]]
        sent = reader.recv()
    except EOFError:
        sent = None
    finally:
        reader.close()
        process.join()
    if not isinstance(sent, list) or process.exitcode != 0:
        raise RuntimeError(f"split_map: the forked process failed (exit {process.exitcode})")
    out: list[Result] = [*mine, *sent]
    out[0::2], out[1::2] = mine, sent
    return out


def _split_half(
    parent: int, function: Callable[[Item], Result], items: Sequence[Item], out: Any
) -> None:
    die_with_parent(parent)
    gc.freeze()  # as in a pool's worker (_start_worker)
    try:
        out.send([function(item) for item in items])
    finally:
        out.close()
