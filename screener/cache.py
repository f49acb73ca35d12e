"""What the reference data and the screener's code make, kept between runs.

Loading the reference knowledge (12k aliases in three scripts, their Traditional and
English forms) and building the name matcher take 2-5 s; every `ingest` and `build` needs
both. They depend only on the reference files (bundled and the user's $SCREENER_USER_DATA) and
on the code, so ``fingerprint()`` hashes exactly those and the results are pickled under it in
the cache folder: ``$SCREENER_CACHE_DIR``, else ``$XDG_CACHE_HOME/screener``, else
``~/.cache/screener``. ``SCREENER_CACHE_DIR=off`` turns the cache off. A cache that cannot be
read or written is skipped (the work is done again), never an error.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from pathlib import Path
from typing import Any

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
    folder = cache_dir()
    if folder is None:
        return
    tmp = folder / f".{kind}-{key}.{os.getpid()}.tmp"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with open(tmp, "wb") as fh:
            pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, folder / f"{kind}-{key}.pickle")
        old = sorted(folder.glob(f"{kind}-*.pickle"), key=lambda p: p.stat().st_mtime)
        for p in old[:-KEEP]:
            p.unlink(missing_ok=True)
    except OSError:
        tmp.unlink(missing_ok=True)
