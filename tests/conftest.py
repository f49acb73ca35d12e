"""Shared fixtures: the reference knowledge, a built database, the seed folder, a CLI runner."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

# the suite keeps its knowledge/matcher cache (screener/cache.py) in a folder of its own, not
# in the user's ~/.cache; subprocesses (the CLI, the wheel) inherit it
os.environ.setdefault("SCREENER_CACHE_DIR", tempfile.mkdtemp(prefix="screener-cache-"))

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "seeds"
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def kb():
    from screener.reference import load

    return load()


@pytest.fixture(scope="session")
def built_db(tmp_path_factory) -> Path:
    """The bundled database, built once; tests that change a database copy it first."""
    from screener.db import build

    path = tmp_path_factory.mktemp("db") / "screener.duckdb"
    build(path)
    return path


@pytest.fixture
def db_copy(built_db, tmp_path) -> Path:
    dst = tmp_path / "screener.duckdb"
    shutil.copy(built_db, dst)
    return dst


@pytest.fixture
def seeds() -> Path:
    if not SEEDS.is_dir():
        pytest.skip("../shared/seeds is not here")
    return SEEDS


@pytest.fixture
def runner():
    from typer.testing import CliRunner

    return CliRunner()
