"""Hold Python's cyclic garbage collector around bulk work in a process with a large heap."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """Hold the cyclic garbage collector while creating objects in bulk.

    Model building, hand-over and chart drawing create hundreds of thousands of
    short-lived objects. Each collection they trigger walks the whole heap, which by then
    holds the model and the results (hundreds of MB at national scale), and costs more
    than the work itself. Reference counting still frees what forms no cycle; the few
    cycles wait for the next collection after the pause.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
