"""Files written whole or not at all: beside the destination first, then moved into place."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path


def replace_atomically(path: Path, write: Callable[[Path], None]) -> None:
    """Call ``write`` with a staging path in ``path``'s folder, then move the result onto ``path``
    in one step; on any failure the staging file goes and ``path`` is left as it was."""
    replace_together({path: write})


def replace_together(writes: Mapping[Path, Callable[[Path], None]]) -> None:
    """:func:`replace_atomically` for files that belong together: every one is staged before any
    is moved into place, so a failure while writing (a full disk, Ctrl-C) leaves all as they were."""
    staged: list[tuple[Path, Path]] = []
    try:
        for path, write in writes.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, staging = tempfile.mkstemp(prefix=f".{path.name}.", suffix=path.suffix, dir=path.parent)
            os.close(handle)
            staged.append((Path(staging), path))
            write(Path(staging))
            os.chmod(staging, 0o644)  # mkstemp makes it private; the file is meant to be read like any other
        for staging, path in staged:
            os.replace(staging, path)
    except BaseException:
        for staging, _ in staged:
            staging.unlink(missing_ok=True)
        raise
