"""One timer for the whole course: wall time of a call, repeated, with its result.

Every benchmark, training log and notebook timing goes through :func:`timed`, so all
times mean the same thing: seconds of *wall-clock* time (``time.perf_counter``, a
monotonic clock), which is what a reader waits for. CPU time (``time.process_time``)
would miss the waits and count every thread, so two cores would look twice as slow.

A single run is noisy (a cache is cold, another process runs): a benchmark repeats the
call after ``warmup`` untimed calls and reports the median (typical) or the best
(least disturbed) repeat. GPU kernels run asynchronously, so the clock is read only
after the device has finished its queue.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch

from scratchvision.validate import check_int


@dataclass(frozen=True)
class Timing:
    """What :func:`timed` measured: the seconds of each repeat, the last result."""

    seconds: tuple[float, ...]
    result: Any = None

    @property
    def median(self) -> float:
        """The typical repeat, in seconds: robust to one disturbed run."""
        return statistics.median(self.seconds)

    @property
    def best(self) -> float:
        """The fastest repeat, in seconds: the least disturbed run."""
        return min(self.seconds)


def timed(fn: Callable[[], Any], *, repeats: int = 1, warmup: int = 0) -> Timing:
    """Call ``fn()`` ``warmup`` times untimed, then ``repeats`` times, each timed.

    Args:
        fn: a function of no arguments (bind arguments with a lambda).
        repeats: timed calls, >= 1.
        warmup: untimed calls first (caches, lazy initialisation), >= 0.

    Returns:
        a :class:`Timing`: ``.seconds`` per repeat, ``.median``, ``.best`` and the
        ``.result`` of the last call.
    """
    _check_timed(fn, repeats, warmup)
    for _ in range(warmup):
        fn()
    seconds, result = [], None
    for _ in range(repeats):
        _sync()
        start = time.perf_counter()
        result = fn()
        _sync()  # queued GPU work belongs to this call
        seconds.append(time.perf_counter() - start)
    return Timing(tuple(seconds), result)


def _sync() -> None:
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        torch.cuda.synchronize()


def _check_timed(fn, repeats, warmup) -> None:
    if not callable(fn):
        raise ValueError(f"timed: fn must be callable, got {type(fn).__name__}")
    check_int("repeats", repeats, min_value=1, fn="timed")
    check_int("warmup", warmup, min_value=0, fn="timed")
