"""What the reference data and the screener's code make, kept between runs.

Loading the reference knowledge (12k aliases in three scripts, their Traditional and
English forms) and building the name matcher take 2-5 s; every `ingest` and `build` needs
both. They depend only on the reference files (bundled and the user's $SCREENER_USER_DATA) and
on the code, so ``fingerprint()`` hashes exactly those and the results are pickled under it in
the cache folder: ``$SCREENER_CACHE_DIR``, else ``$XDG_CACHE_HOME/screener``, else
``~/.cache/screener``. ``SCREENER_CACHE_DIR=off`` turns the cache off. A cache that cannot be
read or written is skipped (the work is done again), never an error.

It also keeps `screener signals list`'s result for a database, under the state of its files
(``database_state``), not a hash of their bytes: reading 1 GB to check a 2 s result would
cost what it saves; and the script table (screener/text.py: every CJK character's
Simplified and Traditional form by OpenCC) under the state of OpenCC's installed files.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

CODE_DIR = Path(__file__).resolve().parent
KEEP = 4  # files kept per kind (other data folders, other versions)


def fingerprint(data_dir: Path, user_dir: Path | None) -> str:
    """Hash of every reference file (bundled and the user's) and of the screener's code:
    equal fingerprints make equal knowledge, matchers and extractions."""
    h = hashlib.sha256()
    for label, folder in (("data", data_dir), ("code", CODE_DIR), ("user", user_dir)):
        if folder is None or not folder.is_dir():
            continue
        for f in sorted(folder.rglob("*")):
            if not f.is_file() or "__pycache__" in f.parts or f.suffix == ".pyc":
                continue
            if label == "code" and f.is_relative_to(data_dir):
                continue  # the data folder is hashed as data
            h.update(f"{label}/{f.relative_to(folder).as_posix()}\0".encode())
            h.update(f.read_bytes())
    return h.hexdigest()


def cache_dir() -> Path | None:
    v = os.environ.get("SCREENER_CACHE_DIR")
    if v is not None:
        return None if v.strip().lower() in ("", "off", "0", "no") else Path(v)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "screener"


def get(kind: str, key: str) -> Any | None:
    """The object stored under ``kind`` and ``key``, or None (absent, unreadable, stale)."""
    folder = cache_dir()
    if folder is None:
        return None
    try:
        with open(folder / f"{kind}-{key}.pickle", "rb") as fh:
            return pickle.load(fh)
    except Exception:  # a cache is never an error: missing, truncated, another version
        return None


def put(kind: str, key: str, value: Any) -> None:
    """Store ``value``, atomically (written beside, then renamed); keep the newest files."""
    _store(kind, key, lambda fh: pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL))


def has(kind: str, key: str) -> bool:
    folder = cache_dir()
    return folder is not None and (folder / f"{kind}-{key}.pickle").is_file()


def raw(kind: str, key: str) -> bytes | None:
    """The stored bytes under ``kind`` and ``key``, not unpickled (no import of what they
    hold), or None."""
    folder = cache_dir()
    if folder is None:
        return None
    try:
        return (folder / f"{kind}-{key}.pickle").read_bytes()
    except OSError:
        return None


def put_raw(kind: str, key: str, data: bytes) -> None:
    """Store bytes that ``raw`` gave, as they are."""
    _store(kind, key, lambda fh: fh.write(data))


def copy(kind: str, key: str, new_key: str) -> bool:
    """Store what is stored under ``key`` under ``new_key`` too, as it is. False when there
    is nothing under ``key``."""
    data = raw(kind, key)
    if data is None:
        return False
    put_raw(kind, new_key, data)
    return True


def _store(kind: str, key: str, write: Callable[[BinaryIO], object]) -> None:
    folder = cache_dir()
    if folder is None:
        return
    tmp = folder / f".{kind}-{key}.{os.getpid()}.tmp"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with open(tmp, "wb") as fh:
            write(fh)
        os.replace(tmp, folder / f"{kind}-{key}.pickle")
        old = sorted(folder.glob(f"{kind}-*.pickle"), key=lambda p: p.stat().st_mtime)
        for p in old[:-KEEP]:
            p.unlink(missing_ok=True)
    except OSError:
        with contextlib.suppress(OSError):  # the folder may be what failed (a file, gone)
            tmp.unlink(missing_ok=True)


# A database file's identity and last change: a write through DuckDB, by any client, appends to
# the write-ahead log or rewrites the file, and either changes a size, a change time (which no
# user call can set back) or an inode. Exactly, DuckDB's own counter of checkpoints: the file's
# two headers each hold the number of the checkpoint that wrote it (at bytes 8-15 of the 4 KiB
# blocks at 4096 and 8192, after the main header's "DUCK" at byte 8), and between two
# checkpoints every commit appends to the write-ahead log. So (checkpoint, size of the log)
# changes with every committed write, whatever the file clock (tests/test_catalog.py checks
# this of the installed DuckDB). Where that counter cannot be read, SETTLED_NS: how long ago
# the last change must be before a result computed from the files is kept, so that the next
# write cannot land in the same tick of a coarse file clock (2 s on FAT, 1 s on some network
# file systems) and leave the state looking unchanged.
SETTLED_NS = 5_000_000_000
_HEADERS = (4096 + 8, 8192 + 8)


def checkpoint_number(path: str) -> int | None:
    """The number of DuckDB's last checkpoint of the database file at ``path`` (0 before the
    first), or None when the file does not look like a DuckDB database file."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(_HEADERS[-1] + 8)
    except OSError:
        return None
    if len(head) < _HEADERS[-1] + 8 or head[8:12] != b"DUCK":
        return None
    return max(int.from_bytes(head[i : i + 8], "little") for i in _HEADERS)


def database_state(path: Path) -> tuple[object, ...] | None:
    """(path, checkpoint number, then (device, inode, size, mtime, ctime) of the database file
    and of its write-ahead log), or None when the file cannot be seen. Read it while holding
    a connection: DuckDB's lock keeps other writers out meanwhile."""
    real = os.path.realpath(path)
    out: list[object] = [real, checkpoint_number(real)]
    for f in (real, real + ".wal"):
        try:
            st = os.stat(f)
        except FileNotFoundError:
            if f == real:
                return None
            out.append(None)
            continue
        except OSError:
            return None
        out.append((st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns))
    return tuple(out)


def exact(state: tuple[object, ...]) -> bool:
    """Whether ``state`` holds DuckDB's checkpoint number: then no later write can leave it
    unchanged, and a result computed under it can be kept at once."""
    return state[1] is not None


def settled(state: tuple[object, ...], now_ns: int) -> bool:
    """True when a result computed under ``state`` can be kept: the state is ``exact``, or
    every file of it last changed at least SETTLED_NS before ``now_ns``."""
    if exact(state):
        return True
    stamps = [t for s in state[2:] if isinstance(s, tuple) for t in s[3:5]]
    return bool(stamps) and all(now_ns - t >= SETTLED_NS for t in stamps)


def state_key(state: tuple[object, ...], *parts: str) -> str:
    return hashlib.sha256(repr((state, parts)).encode()).hexdigest()
