"""Files written whole or not at all: beside the destination first, then moved into place."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def replace_atomically(path: Path, write: Callable[[Path], None]) -> None:
    """Call ``write`` with a staging path in ``path``'s folder, then move the result onto ``path``
    in one step; on any failure the staging file goes and ``path`` is left as it was."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, staging = tempfile.mkstemp(prefix=f".{path.name}.", suffix=path.suffix, dir=path.parent)
    os.close(handle)
    try:
        write(Path(staging))
        os.chmod(staging, 0o644)  # mkstemp makes it private; the file is meant to be read like any other
        os.replace(staging, path)
    except BaseException:
        Path(staging).unlink(missing_ok=True)
        raise
