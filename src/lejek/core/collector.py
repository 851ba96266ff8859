"""Pausing Python's cyclic garbage collector around large, short computations.

Reference counting frees every object that is not part of a cycle the moment it is
no longer used; the cyclic collector only finds cycles, and to do so it walks the
objects alive, again and again as many are created. At a million deals:

- a forecast builds a few hundred thousand small tuples beside about as many it keeps
  (a year of won deals): 2.5 s against 1.9 s with the collector paused;
- a 24-month backtest replays eight million stage changes into tuples: 56.5 and 61.3 s
  against 41.0 and 43.1 s (runs alternated, one database).

Cycles made during the pause are collected at the collector's next run after it.
"""

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0
_was_enabled = False


@contextmanager
def paused() -> Iterator[None]:
    """Run the block with the cyclic collector off, then put it back as it was; nested
    and concurrent blocks (threads share the collector) turn it back on with the last."""
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()
