"""Files written whole or not at all: beside the destination first, then moved into place; and what stands in
the way of a path."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import re
import shutil
import signal
import tempfile
import threading
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path


def file_in_path(folder: Path) -> Path | None:
    """The first of ``folder`` and its parents that exists as something other than a folder, if any."""
    return next((part for part in (folder, *folder.parents) if part.exists() and not part.is_dir()), None)


def digest(source: Path, names: Callable[[str], bool] = lambda name: name.lower().endswith(".csv")) -> str | None:
    """A fingerprint of an input as read: the SHA-256 of a workbook's bytes, or of those files of a folder whose
    ``names`` pass (a CSV folder's: what else it holds is not read) and are not hidden (a run's staging files), each
    one's name and bytes, in name order; None where it cannot be read (reading it says why)."""
    whole = hashlib.sha256()
    try:
        if not os.path.isdir(source):
            with open(source, "rb") as file:
                return hashlib.file_digest(file, "sha256").hexdigest()
        read = [e for e in os.scandir(source) if names(e.name) and not e.name.startswith(".") and e.is_file()]
        for entry in sorted(read, key=lambda entry: os.fsencode(entry.name)):
            with open(entry.path, "rb") as file:
                whole.update(os.fsencode(entry.name) + b"\0" + hashlib.file_digest(file, "sha256").digest())
    except OSError:
        return None
    return whole.hexdigest()


# bytes of a name that the hidden names written beside it hold: with what they add (a process number, a random
# part, '.old'), within the 255 bytes a name may take
NAME_BYTES = 200


def _hidden_stem(name: str) -> str:
    """``name`` as the hidden names written beside it hold it: whole, or where longer than NAME_BYTES bytes, cut
    and told apart by a hash of the whole."""
    raw = os.fsencode(name)
    if len(raw) <= NAME_BYTES:
        return name
    cut = name
    while len(os.fsencode(cut)) > NAME_BYTES - 9:  # whole characters: the name stays one the system can show
        cut = cut[:-1]
    return f"{cut}~{hashlib.sha256(raw).hexdigest()[:8]}"


def set_aside_name(name: str) -> str:
    """The hidden name an earlier report named ``name`` waits under while a new one takes its place."""
    return f".{_hidden_stem(name)}.old"


def staging_prefix(path: Path) -> str:
    """The start of the hidden name ``path`` is staged under beside itself: the name and the process writing it,
    so that what a process killed outright (SIGKILL, out of memory) left half-written can be told from what a
    live one is writing, by :func:`remove_abandoned`."""
    return f".{_hidden_stem(path.name)}.{os.getpid()}-"


def remove_abandoned(path: Path) -> None:
    """Remove what processes no longer running left staged for ``path`` (see :func:`staging_prefix`): no process
    of its number runs here, and none holds its lock (:func:`locked`), as one in another container sharing the
    folder does, whose number this one cannot see."""
    pattern = re.compile(rf"\.{re.escape(_hidden_stem(path.name))}\.(\d+)-")
    with contextlib.suppress(OSError):  # a folder that cannot be listed: the write that follows says why
        for entry in path.parent.iterdir():
            found = pattern.match(entry.name)
            if found and not _running(int(found[1])) and not _held(entry):
                remove(entry)


def remove(path: Path) -> None:
    """Remove ``path`` if there, as far as it can be: a folder with all it holds (its folders made their owner's to
    change where they let no one write or look in them: a report folder given a read-only mode), or a file or a
    link (not what it links to). Nothing outside ``path`` is changed; what still cannot be removed is left."""
    if not (path.is_dir() and not path.is_symlink()):
        with contextlib.suppress(OSError):
            path.unlink(missing_ok=True)
        return

    def made_writable_and_again(step: Callable, name: str, error: BaseException) -> None:
        with contextlib.suppress(Exception):  # once only: what still fails is left
            for folder in {os.path.dirname(name), name}:
                inside = os.path.commonpath([path, folder]) == str(path)
                if inside and os.path.isdir(folder) and not os.path.islink(folder):
                    os.chmod(folder, os.stat(folder).st_mode | 0o700)
            if os.path.isdir(name) and not os.path.islink(name):
                shutil.rmtree(name, ignore_errors=True)
            else:
                os.unlink(name)

    shutil.rmtree(path, onexc=made_writable_and_again)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):  # none of that number here; a number no process can have
        return False
    except PermissionError:  # another user's process
        pass
    return True


@contextlib.contextmanager
def locked(path: Path, shared: bool = False) -> Iterator[None]:
    """Hold an advisory lock on the file or folder ``path`` while the block runs (a shared one with ``shared``),
    waiting for another process's to end; where the file system keeps none (some network shares), or ``path`` is
    gone, the block runs without."""
    try:
        handle = os.open(path, os.O_RDONLY)
    except OSError:
        handle = None
    try:
        if handle is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(handle, fcntl.LOCK_SH if shared else fcntl.LOCK_EX)
        yield
    finally:
        if handle is not None:
            os.close(handle)


def _held(path: Path) -> bool:
    """Whether a process holds a lock on ``path`` (see :func:`locked`). What this process may not open (another
    user's) is taken as held, not being this process's to remove; where the file system keeps no locks (some
    network shares), none is."""
    try:  # not blocking: a pipe under such a name would wait for a writer
        handle = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except PermissionError:
        return True
    except OSError:
        return False
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except OSError:
        return False
    finally:
        os.close(handle)
    return False


def replace_atomically(path: Path, write: Callable[[Path], None]) -> None:
    """Call ``write`` with a staging path in ``path``'s folder, then move the result onto ``path``
    in one step; on any failure the staging file goes and ``path`` is left as it was."""
    replace_together({path: write})


def replace_together(writes: Mapping[Path, Callable[[Path], None]]) -> None:
    """:func:`replace_atomically` for files that belong together: every one is staged before any
    is moved into place, so a failure while writing (a full disk, Ctrl-C) leaves all as they were, and
    Ctrl-C or SIGTERM once they are being moved is held until all are in place."""
    staged: list[tuple[Path, Path]] = []
    try:
        with contextlib.ExitStack() as held:
            for path, write in writes.items():
                path.parent.mkdir(parents=True, exist_ok=True)
                with locked(path.parent):  # no other run takes this one's staging for abandoned before it is held
                    remove_abandoned(path)
                    handle, staging = tempfile.mkstemp(prefix=staging_prefix(path), suffix=path.suffix,
                                                       dir=path.parent)
                    os.close(handle)
                    staged.append((Path(staging), path))
                    held.enter_context(locked(Path(staging), shared=True))
                write(Path(staging))
                os.chmod(staging, 0o666 & ~umask())  # mkstemp makes it private; it is read as others are
            with signals_held():
                for staging, path in staged:
                    os.replace(staging, path)
    except BaseException:
        with signals_held():  # a second Ctrl-C waits for every staging file to go
            for staging, _ in staged:
                staging.unlink(missing_ok=True)
        raise


def umask() -> int:
    """The process's file mode creation mask: what a file or folder it makes may not allow."""
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    mask = os.umask(0o022)  # where the system does not show it (not Linux): read by setting it, then put back
    os.umask(mask)
    return mask


HELD_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@contextlib.contextmanager
def signals_held() -> Iterator[None]:
    """Ctrl-C and SIGTERM that arrive inside are held until the block ends, then the first of them acted on as
    it would have been: for steps that must not be cut in two, such as moving a report into place and recording
    that it is there. Off the main thread, where Python runs no signal handler, there is nothing to hold."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    held: list[int] = []
    previous = {signum: signal.signal(signum, lambda signum, frame: held.append(signum)) for signum in HELD_SIGNALS}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        if held:
            signal.raise_signal(held[0])
