"""`signals list`'s result (the ``signal_catalog`` view), kept between commands.

The view groups every row of ``signals`` (0.8 s at 100 M rows). What it is made from, one row
per signal, source and ticker with the ticker's count of values and first and last date (the
"fine" catalog, ``FINE_SQL``), and the list itself are kept in the cache (``screener.cache``)
under the state of the database's files (``cache.database_state``): any committed write, by
any client, changes that state, so a kept result is found only for the content it was computed
from. A reader keeps what it computes. The screener's writers keep it current, each while it
still holds DuckDB's lock on the file (``Keeper``):

- a write that leaves ``signals`` alone (``ingest``, a load of prices only) carries the kept
  result over to the state it leaves, as it is;
- ``signals load`` updates the fine catalog with the rows it replaces and the rows it brings
  (into an empty table, from nothing): counts and dates stay exact, and where a ticker's first
  or last date is replaced by nothing as early or as late, which only the table could tell,
  nothing is kept;
- ``signals derive`` replaces the fine catalog's derived rows with those of the new values;
- ``build`` carries it to the new file when the signals it copied are those it was kept for
  (``AcrossBuild``).

So the first `signals list` after a screener write reads the cache; after another client's
write it computes the view again.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from screener import cache

if TYPE_CHECKING:
    import polars as pl

KIND = "signal-catalog"  # the list, as `signals list` shows it
FINE = "signal-fine"  # what it is made from
_FINE = (
    "select signal, source, ticker, count(*) as n, min(as_of) as first, max(as_of) as last "
    "from signals {where} group by signal, source, ticker"
)
FINE_SQL = _FINE.format(where="")


def _key(state: tuple[object, ...], kind: str) -> str:
    return cache.state_key(state, kind, FINE_SQL)


def _kept(state: tuple[object, ...], kind: str) -> pl.DataFrame | None:
    import polars as pl

    hit = cache.get(kind, _key(state, kind))
    if isinstance(hit, dict) and hit.get("polars") == pl.__version__:
        df = hit.get("frame")
        return df if isinstance(df, pl.DataFrame) else None
    return None


def _keep(state: tuple[object, ...], fine: pl.DataFrame) -> pl.DataFrame:
    """Keep ``fine`` and the list made from it under ``state``; returns the list."""
    import polars as pl

    listing = listing_of(fine)
    for kind, df in ((FINE, fine), (KIND, listing)):
        cache.put(kind, _key(state, kind), {"polars": pl.__version__, "frame": df})
    return listing


def listing_of(fine: pl.DataFrame) -> pl.DataFrame:
    """The ``signal_catalog`` view's rows, ordered by signal and source, from the fine catalog
    (the view's own columns and types: ``values`` is DuckDB's sum of counts, a 128-bit integer)."""
    import polars as pl

    return (
        fine.group_by("signal", "source")
        .agg(
            pl.len().cast(pl.Int64).alias("tickers"),
            pl.col("n").sum().cast(pl.Decimal(38, 0)).alias("values"),
            pl.col("first").min(),
            pl.col("last").max(),
        )
        .sort("signal", "source")
    )


def read(con: duckdb.DuckDBPyConnection, path: Path) -> pl.DataFrame:
    """The list: kept, or computed on ``con`` (a connection to ``path``, held open meanwhile
    so that no other client writes) and kept."""
    from screener.db import run_query

    state = cache.database_state(path)
    hit = _kept(state, KIND) if state is not None else None
    if hit is not None:
        return hit
    fine = run_query(con, FINE_SQL)
    if state is not None and cache.settled(state, time.time_ns()):
        return _keep(state, fine)
    return listing_of(fine)


class Keeper:
    """Keeps the catalog current across one write. Make it once the writer's connection is
    open (DuckDB's lock held: the state it reads is the one the write starts from); once the
    write committed, before the connection closes, call ``carry`` (``signals`` untouched) or
    ``keep`` (with the fine catalog the write leaves). Never an error: whatever fails here only
    leaves the next `signals list` to compute the view."""

    def __init__(self, path: Path):
        self.path = path
        self.before = cache.database_state(path)

    def fine(self, con: duckdb.DuckDBPyConnection | None = None) -> pl.DataFrame | None:
        """The fine catalog kept for the state the write starts from, if any; else, given the
        writer's connection before its write, that of an empty table (a first load's)."""
        kept = _kept(self.before, FINE) if self.before is not None else None
        if kept is not None or con is None or self.before is None:
            return kept
        first = _select(con, "select 1 from signals limit 1")
        return _select(con, FINE_SQL) if first is not None and first.height == 0 else None

    def _after(self, con: duckdb.DuckDBPyConnection) -> tuple[object, ...] | None:
        try:
            # the write's log folded into the file now rather than at close, so that the state
            # read next is the one the file keeps once closed
            con.execute("checkpoint")
        except duckdb.Error:
            return None
        after = cache.database_state(self.path)
        # a state that some later write could leave unchanged keeps nothing
        return after if after is not None and cache.exact(after) else None

    def carry(self, con: duckdb.DuckDBPyConnection) -> None:
        """``signals`` unchanged: what was kept for the state the write started from, if
        anything, is kept for the state it leaves (copied as it is: nothing imported)."""
        before = self.before
        if before is None or not cache.has(KIND, _key(before, KIND)):
            return
        after = self._after(con)
        if after is not None and after != before:
            for kind in (FINE, KIND):
                cache.copy(kind, _key(before, kind), _key(after, kind))

    def keep(self, con: duckdb.DuckDBPyConnection, fine: pl.DataFrame | None) -> None:
        """``fine``, the fine catalog of what the write committed, kept for the state it
        leaves (None: nothing kept)."""
        if fine is None:
            return
        after = self._after(con)
        if after is not None:
            _keep(after, fine)


class AcrossBuild:
    """Carries the kept catalog from the database a ``build`` replaces to the file that
    replaces it, when the signals the build copied are those it was kept for. ``build`` calls
    each step in turn; a step that finds anything amiss drops it. Every state compared holds
    DuckDB's checkpoint number, so equal states mean no write came between. Never an error."""

    def __init__(self) -> None:
        self.kept: dict[str, bytes] | None = None
        self.checkpointed: tuple[object, ...] | None = None
        self.written: tuple[object, ...] | None = None

    def opened(self, path: Path) -> None:
        """The old file, just opened to be read and checkpointed (DuckDB's lock held)."""
        state = cache.database_state(path)
        if state is None or not cache.exact(state):
            return
        kept = {kind: cache.raw(kind, _key(state, kind)) for kind in (FINE, KIND)}
        if all(kept.values()):
            self.kept = {k: v for k, v in kept.items() if v is not None}

    def drop(self) -> None:
        """Carry nothing (the build does not copy the signals as they are)."""
        self.kept = None

    def old_checkpointed(self, path: Path) -> None:
        """The old file once checkpointed, still open."""
        if self.kept is not None:
            self.checkpointed = cache.database_state(path)

    def copied(self, path: Path) -> None:
        """The old file still attached, its tables copied: unchanged since it was checkpointed,
        or nothing is carried."""
        before = self.checkpointed
        if before is None or not cache.exact(before) or cache.database_state(path) != before:
            self.drop()

    def new_written(self, path: Path) -> None:
        """The new file checkpointed, still open."""
        if self.kept is not None:
            self.written = cache.database_state(path)

    def swapped(self, path: Path) -> None:
        """The new file renamed over the old one (its path and change time are new): kept for
        its state, once that shows the same file at the same checkpoint with no log, that is
        with no write since the build's."""
        written = self.written
        if self.kept is None or written is None or not cache.exact(written) or written[3]:
            return
        try:
            con = duckdb.connect(str(path), read_only=True)
        except duckdb.Error:
            return
        try:
            state = cache.database_state(path)
            same_file = isinstance(state, tuple) and _file_id(state) == _file_id(written)
            if state is not None and same_file and state[1] == written[1] and state[3] is None:
                for kind, data in self.kept.items():
                    cache.put_raw(kind, _key(state, kind), data)
        finally:
            con.close()


def _file_id(state: tuple[object, ...]) -> object:
    main = state[2]
    return main[:2] if isinstance(main, tuple) else None


def _select(
    con: duckdb.DuckDBPyConnection, sql: str, **frames: pl.DataFrame
) -> pl.DataFrame | None:
    """``sql`` over the committed tables and ``frames`` (registered as views by name), on a
    cursor of its own: an error here cannot abort the writer's transaction, and gives None."""
    import polars as pl

    from screener.db import _ArrowStream, frame

    cur = con.cursor()
    try:
        for name, df in frames.items():
            cur.register(name, _ArrowStream(df))
        return frame(cur.sql(sql))
    except (duckdb.Error, pl.exceptions.PolarsError):
        return None
    finally:
        cur.close()


def replaced(
    con: duckdb.DuckDBPyConnection, fine: pl.DataFrame, new: pl.DataFrame
) -> pl.DataFrame | None:
    """What the rows of ``signals`` that the rows ``new`` replace (same ticker, date and
    signal) take from ``fine``, per signal, source and ticker: their count, and whether they
    hold its first or last date. Run it before the write's transaction changes ``signals``.
    None when a replaced row's group is not in ``fine`` (``fine`` is not this table's)."""
    gone = _select(
        con,
        "select signal, source, ticker, count(*) as n, "
        "bool_or(r.as_of = f.first) as first_gone, bool_or(r.as_of = f.last) as last_gone, "
        "bool_or(f.n is null) as unknown "
        "from (select s.signal, s.source, s.ticker, s.as_of from signals s "
        "semi join _new using (ticker, as_of, signal)) r "
        "left join _fine f using (signal, source, ticker) group by all",
        _fine=fine,
        _new=new,
    )
    return None if gone is None or gone["unknown"].any() else gone.drop("unknown")


def updated(
    con: duckdb.DuckDBPyConnection, fine: pl.DataFrame, gone: pl.DataFrame, new: pl.DataFrame
) -> pl.DataFrame | None:
    """``fine`` after the rows ``gone`` (from ``replaced``) were deleted and the rows ``new``
    inserted (no table is read). None where a group's first or last date went and nothing
    inserted is as early or as late: its new one is in the table only."""
    import polars as pl

    out = _select(
        con,
        "with i as (select signal, source, ticker, count(*) as n, min(as_of) as first, "
        "max(as_of) as last from _new group by all) "
        "select signal, source, ticker, "
        "coalesce(f.n, 0) - coalesce(g.n, 0) + coalesce(i.n, 0) as n, "
        "case when g.first_gone then (case when i.first <= f.first then i.first end) "
        "else least(f.first, i.first) end as first, "
        "case when g.last_gone then (case when i.last >= f.last then i.last end) "
        "else greatest(f.last, i.last) end as last "
        "from _fine f full join _gone g using (signal, source, ticker) "
        "full join i using (signal, source, ticker)",
        _fine=fine,
        _gone=gone,
        _new=new,
    )
    if out is None:
        return None
    out = out.filter(pl.col("n") != 0)
    if (out["n"] < 0).any() or out["first"].is_null().any() or out["last"].is_null().any():
        return None
    return out.cast(fine.schema)


def derived(con: duckdb.DuckDBPyConnection, fine: pl.DataFrame) -> pl.DataFrame | None:
    """``fine`` once the derived signals were replaced and committed: its other rows, and the
    derived rows' groups read from the table."""
    import polars as pl

    new = _select(con, _FINE.format(where="where source = 'derived'"))
    if new is None:
        return None
    return pl.concat([fine.filter(pl.col("source") != "derived"), new.cast(fine.schema)])
