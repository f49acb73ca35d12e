"""screener: AI-capex supply-chain beneficiary screener.

import screener
db = screener.open("screener.duckdb")   # builds the bundled database if missing
db.screen(theme=["optical_modules"])    # polars DataFrame
db.explain("300308.SZ")                 # dict
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from screener.api import Database


def open(path: Any = None, build_if_missing: bool = True) -> Database:  # noqa: A001
    """Open (and if needed build) a screener database; see screener.api.Database."""
    from screener.api import open as _open

    return _open(path, build_if_missing)
