"""``python -m planner`` and the ``planner`` command. The planner's libraries take about half a second to load:
Ctrl-C meanwhile ends it as at any later moment, with a word and no traceback."""

import os
import sys


def _standard_streams_open() -> None:
    """A standard stream the caller closed (``>&-``) would be the next file the planner opens, where the
    solvers' own prints to it would land (in a report being written, say), and Python leaves its ``sys``
    stream None, which printing to fails: each is opened on the null device instead."""
    for fd, name in ((0, "stdin"), (1, "stdout"), (2, "stderr")):
        try:
            os.fstat(fd)
        except OSError:
            os.open(os.devnull, os.O_RDWR)  # the lowest free descriptor: this one
            setattr(sys, name, open(fd, "r" if fd == 0 else "w", closefd=False))


def run() -> int:
    _standard_streams_open()
    try:
        from planner.cli import main
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130  # planner.cli's EXIT_INTERRUPTED, which is not loaded yet
    return main()


if __name__ == "__main__":  # not when a worker process of ``--jobs`` imports it
    raise SystemExit(run())
