"""``python -m planner`` and the ``planner`` command. The planner's libraries take about half a second to load:
Ctrl-C meanwhile ends it as at any later moment, with a word and no traceback."""

import sys


def run() -> int:
    try:
        from planner.cli import main
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130  # planner.cli's EXIT_INTERRUPTED, which is not loaded yet
    return main()


if __name__ == "__main__":  # not when a worker process of ``--jobs`` imports it
    raise SystemExit(run())
