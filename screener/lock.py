"""One writer at a time: an exclusive lock file beside the database.

``build``, ``ingest`` and ``signals load`` hold it from their first read of the database to
the moment their data is in the final file, so a writer can never discard another's commit.
The lock is reentrant within a process (``ingest`` may ``build`` a missing database first).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Iterator
from pathlib import Path

from screener.errors import DatabaseError

_HELD: dict[str, tuple[int, int]] = {}  # real path -> (fd, depth)


def real_path(path: Path) -> Path:
    """The file a database path names, symlinks followed (so a link is never replaced)."""
    return Path(os.path.realpath(path))


def lock_path(path: Path) -> Path:
    p = real_path(path)
    return p.with_name(p.name + ".lock")


@contextlib.contextmanager
def writer_lock(path: Path, wait: float | None = None) -> Iterator[None]:
    """Hold the database's writer lock; after ``wait`` seconds (default 10, or
    $SCREENER_LOCK_WAIT), fail naming the holder's PID."""
    if wait is None:
        wait = float(os.environ.get("SCREENER_LOCK_WAIT") or 10.0)
    key = str(real_path(path))
    if key in _HELD:
        fd, depth = _HELD[key]
        _HELD[key] = (fd, depth + 1)
        try:
            yield
        finally:
            fd, depth = _HELD[key]
            _HELD[key] = (fd, depth - 1)
        return
    lp = lock_path(path)
    try:
        lp.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(lp, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as e:
        raise DatabaseError(f"{lp}: cannot create the lock file: {e.strerror}") from e
    deadline = time.monotonic() + wait
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "?"
                    raise DatabaseError(
                        f"{path}: in use by another screener command (PID {holder}); "
                        "try again when it has finished"
                    ) from None
                time.sleep(0.05)
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        _HELD[key] = (fd, 1)
        try:
            yield
        finally:
            del _HELD[key]
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
