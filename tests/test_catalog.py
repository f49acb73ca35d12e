"""`signals list`'s kept result (screener/catalog.py): found only for the content it was
computed from, whoever writes, and kept current by the screener's own writers."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import duckdb
import polars as pl
import pytest

from screener import cache, catalog
from screener import db as dbm
from screener.api import Database
from screener.signals import derive_signals, load_signals
from tests.test_prices import akshare, days


def _exact_part(path: Path) -> tuple[object, object]:
    """What of the state does not depend on the file clock: DuckDB's checkpoint number and the
    write-ahead log's size."""
    state = cache.database_state(path)
    assert state is not None
    wal = state[3]
    return state[1], (wal[2] if isinstance(wal, tuple) else None)


def test_every_committed_write_changes_the_state_whatever_the_clock(tmp_path):
    """The installed DuckDB's file format as cache.database_state reads it: each commit appends
    to the log or checkpoints, so (checkpoint number, log size) never repeats."""
    path = tmp_path / "w.duckdb"
    seen: list[tuple[object, object]] = []

    def committed(con: duckdb.DuckDBPyConnection | None, sql: str | None) -> None:
        if con is not None and sql is not None:
            con.execute(sql)
        part = _exact_part(path)
        assert part not in seen, (sql, part, seen)
        seen.append(part)

    con = duckdb.connect(str(path))
    committed(con, "create table t (a integer, b varchar)")
    committed(con, "insert into t values (1, 'x')")
    committed(con, "update t set b = 'y' where a = 1")  # same rows, same size
    committed(con, "delete from t where a = 1")
    committed(con, "insert into t values (1, 'x')")
    committed(con, "checkpoint")
    committed(con, "insert into t values (2, 'z')")
    con.close()  # folds the log into the file
    committed(None, None)
    con = duckdb.connect(str(path))
    con.execute("begin")
    con.execute("insert into t values (3, 'w')")
    con.execute("rollback")
    assert _exact_part(path) == seen[-1]  # nothing committed, nothing changed
    con.execute("set checkpoint_threshold = '1KB'")  # a commit past it checkpoints at once
    committed(con, "insert into t select range, 'n' from range(100000)")
    committed(con, "update t set b = 'm' where a = 2")
    con.close()
    numbers = [n for n, _ in seen]
    assert numbers == sorted(numbers) and numbers[-1] >= 3


def test_a_file_that_is_not_duckdb_has_no_checkpoint_number(tmp_path):
    f = tmp_path / "x.duckdb"
    f.write_bytes(b"\0" * 9000)
    assert cache.checkpoint_number(str(f)) is None
    assert cache.checkpoint_number(str(tmp_path / "missing")) is None
    state = cache.database_state(f)
    assert state is not None and not cache.exact(state)


def _own_cache(tmp_path: Path) -> Path:
    """A cache folder of the test's own, holding what the suite's holds but no kept catalog
    (the reference knowledge: loading it again takes seconds)."""
    own = tmp_path / "cache"
    own.mkdir()
    suite = cache.cache_dir()
    for f in suite.glob("*.pickle") if suite is not None and suite.is_dir() else ():
        if not f.name.startswith(catalog.KIND):
            os.link(f, own / f.name)
    return own


@pytest.fixture
def reads(monkeypatch, tmp_path) -> list[str]:
    """The catalog's computations from the whole table in this process, with a cache of the
    test's own."""
    monkeypatch.setenv("SCREENER_CACHE_DIR", str(_own_cache(tmp_path)))
    seen: list[str] = []
    run_query = dbm.run_query

    def counted(con, sql, *a, **k):  # type: ignore[no-untyped-def]
        if sql == catalog.FINE_SQL:
            seen.append(sql)
        return run_query(con, sql, *a, **k)

    monkeypatch.setattr(dbm, "run_query", counted)
    return seen


def _listed(db: Path) -> pl.DataFrame:
    with Database(db) as d:  # each a fresh connection, as a new process makes
        return d.signal_catalog()


def _fresh(
    db: Path, sql: str = "select * from signal_catalog order by signal, source"
) -> pl.DataFrame:
    """The view computed now (not counted in ``reads``)."""
    with duckdb.connect(str(db), read_only=True) as con:
        return dbm.frame(con.sql(sql))


def _kept_fine(db: Path) -> pl.DataFrame | None:
    with duckdb.connect(str(db), read_only=True):  # the state as a reader sees it
        return catalog.Keeper(db).fine()


def _client_writes(db: Path, sql: str) -> None:
    with duckdb.connect(str(db)) as con:  # another program: not the screener's writers
        con.execute(sql)


def test_the_list_is_the_view(db_copy, reads):
    _client_writes(
        db_copy,
        "insert into signals values ('300308.SZ', '2026-03-01', 'q', 1.5, 'a'), "
        "('300308.SZ', '2026-03-01', 'q', 1.5, 'a'), ('0981.HK', '2026-03-02', 'q', 0.5, 'a'), "
        "('0981.HK', '2026-01-02', 'q', 0.5, 'b'), ('0981.HK', '2026-01-02', 'm', 0.5, 'b')",
    )
    listed = _listed(db_copy)  # a duplicate key too (another client's rows)
    assert listed.equals(_fresh(db_copy)) and listed.height == 3
    assert _listed(db_copy).equals(listed) and len(reads) == 1  # then from the cache


def test_signal_catalog_is_kept_until_any_client_writes(db_copy, reads):
    _client_writes(
        db_copy, "insert into signals values ('300308.SZ', '2026-03-01', 'q', 1.5, 'sql')"
    )
    first = _listed(db_copy)
    assert first["signal"].to_list() == ["q"] and len(reads) == 1
    assert _listed(db_copy).equals(first) and len(reads) == 1  # kept at once: the state is exact
    # another client changes a row in place (same row count), at once: the view is read again
    _client_writes(db_copy, "update signals set as_of = '2026-04-01' where signal = 'q'")
    assert _listed(db_copy)["first"].to_list() == [date(2026, 4, 1)] and len(reads) == 2
    _client_writes(db_copy, "insert into signals values ('0981.HK', '2026-03-02', 'q', 0.5, 'sql')")
    assert _listed(db_copy).select("tickers", "values").rows() == [(2, 2)] and len(reads) == 3


def test_without_the_checkpoint_number_a_result_is_kept_once_the_files_settled(
    db_copy, reads, monkeypatch
):
    monkeypatch.setattr(cache, "checkpoint_number", lambda path: None)
    time.sleep(0.05)  # past the file clock's tick of the copy
    _client_writes(
        db_copy, "insert into signals values ('300308.SZ', '2026-03-01', 'q', 1.5, 'sql')"
    )
    _listed(db_copy)
    # files written just now: not kept (the next write could share their tick)
    assert not list(Path(os.environ["SCREENER_CACHE_DIR"]).glob("signal-*"))
    monkeypatch.setattr(cache, "SETTLED_NS", 0)
    _listed(db_copy)
    assert _listed(db_copy).equals(_fresh(db_copy)) and len(reads) == 2


def _signals_csv(path: Path, rows: list[tuple[str, str, str, float]]) -> Path:
    lines = ["ticker,as_of,signal,value", *(f"{t},{d},{s},{v}" for t, d, s, v in rows)]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_the_screener_writers_keep_the_catalog_current(db_copy, reads, tmp_path, kb):
    csv = tmp_path / "s.csv"
    # the first load into an empty table: its catalog is that of the rows it brings
    load_signals(db_copy, [_signals_csv(csv, [("300308.SZ", "2026-01-05", "mom", 1.0)])], "mine")
    assert _listed(db_copy).equals(_fresh(db_copy)) and not reads
    # nothing kept and rows in the table: the next list computes
    _client_writes(db_copy, "insert into signals values ('0981.HK', '2026-01-02', 'x', 1, 'sql')")
    load_signals(db_copy, [_signals_csv(csv, [("300308.SZ", "2026-01-05", "mom", 1.0)])], "mine")
    assert _listed(db_copy).equals(_fresh(db_copy)) and len(reads) == 1
    # appended, replaced in place, a new ticker: the load updates what was kept
    rows = [("300308.SZ", "2026-01-06", "mom", 2.0), ("300308.SZ", "2026-01-05", "mom", 3.0)]
    load_signals(
        db_copy, [_signals_csv(csv, [*rows, ("0981.HK", "2026-01-02", "mom", 1.0)])], "mine"
    )
    assert _listed(db_copy).equals(_fresh(db_copy)) and len(reads) == 1
    # a document: signals untouched, the kept result carried over to the state it leaves
    note = tmp_path / "note.md"
    note.write_text("# 周报\n\n中际旭创为光模块龙头。\n", encoding="utf-8")
    dbm.ingest(db_copy, [note])
    assert _listed(db_copy).equals(_fresh(db_copy)) and len(reads) == 1
    # prices only: carried over; then signals derived from them: their rows replaced
    load_signals(db_copy, [akshare(tmp_path / "a.csv", "300308", [10.0] * 30, days(30))])
    assert _kept_fine(db_copy) is not None
    derive_signals(db_copy)
    listed = _listed(db_copy)
    assert listed.equals(_fresh(db_copy)) and len(reads) == 1
    assert {"mine", "derived"} <= set(listed["source"])
    # the first date of 300308.SZ's "mom" from "mine" goes to another source: its next first
    # date is in the table only, so nothing is kept and the next list computes
    load_signals(db_copy, [_signals_csv(csv, [("300308.SZ", "2026-01-05", "mom", 4.0)])], "other")
    assert _kept_fine(db_copy) is None
    assert _listed(db_copy).equals(_fresh(db_copy)) and len(reads) == 2
    # another client's write: nothing carries it, the next list computes
    _client_writes(db_copy, "delete from signals where source = 'mine'")
    assert "mine" not in set(_listed(db_copy)["source"]) and len(reads) == 3


def test_a_build_carries_the_catalog_of_the_signals_it_copies(db_copy, reads, tmp_path):
    from screener.db import build

    rows = [("300308.SZ", "2026-01-05", "mom", 1.0), ("0981.HK", "2026-01-06", "mom", 2.0)]
    load_signals(db_copy, [_signals_csv(tmp_path / "s.csv", rows)], "mine")
    build(db_copy)
    assert _listed(db_copy).equals(_fresh(db_copy)) and not reads
    # nothing kept for the old file: nothing carried, the next list computes
    _client_writes(db_copy, "insert into signals values ('NVDA.O', '2026-01-07', 'x', 1, 'sql')")
    build(db_copy)
    assert _listed(db_copy).equals(_fresh(db_copy)) and len(reads) == 1
    build(db_copy, keep_ingested=False)  # the signals dropped
    assert _listed(db_copy).height == 0 and len(reads) == 2


def test_a_build_carries_nothing_past_a_write_it_did_not_make(db_copy, reads, tmp_path):
    """AcrossBuild's steps, in build's order on one file, with another program's write (a
    row the kept catalog does not have) before the copy or before the swap is checked."""
    from screener.catalog import AcrossBuild

    load_signals(db_copy, [_signals_csv(tmp_path / "s.csv", [("300308.SZ", "2026-01-05", "m", 1)])])
    for i, write_before in enumerate(("copied", "swapped")):
        _listed(db_copy)  # kept for the state now
        n = len(reads)
        across = AcrossBuild()
        with duckdb.connect(str(db_copy)) as con:
            across.opened(db_copy)
            con.execute("checkpoint")
            across.old_checkpointed(db_copy)
        assert across.kept is not None
        row = f"insert into signals values ('0981.HK', '2026-02-0{i + 1}', 'w{i}', 1, 'sql')"
        if write_before == "copied":
            _client_writes(db_copy, row)
        with duckdb.connect(str(db_copy), read_only=True):
            across.copied(db_copy)
        with duckdb.connect(str(db_copy)) as con:
            con.execute("checkpoint")
            across.new_written(db_copy)
        if write_before == "swapped":
            _client_writes(db_copy, row)
        across.swapped(db_copy)
        # had the old catalog been kept for the state after the write, the list would lack w{i}
        listed = _listed(db_copy)
        assert f"w{i}" in set(listed["signal"]) and len(reads) == n + 1


def test_loads_keep_the_fine_catalog_exact(db_copy, reads, tmp_path):
    """Random loads (new keys, replaced keys, keys moved to another source, first and last
    dates replaced): what is kept after each is what the table gives, or nothing."""
    import random

    rnd = random.Random(7)
    tickers, signals, sources = ["300308.SZ", "0981.HK", "NVDA.O"], ["a", "b"], ["s1", "s2"]
    dates = [f"2026-01-{d:02d}" for d in range(1, 11)]
    csv = tmp_path / "s.csv"
    load_signals(db_copy, [_signals_csv(csv, [("300308.SZ", dates[0], "a", 0.0)])], "s1")
    _listed(db_copy)
    kept = 0
    for i in range(14):
        keys = {(rnd.choice(tickers), rnd.choice(dates), rnd.choice(signals)) for _ in range(4)}
        rows = [(t, d, s, float(i)) for t, d, s in sorted(keys)]
        load_signals(db_copy, [_signals_csv(csv, rows)], rnd.choice(sources))
        fine = _kept_fine(db_copy)
        if fine is not None:
            kept += 1
            table = _fresh(db_copy, catalog.FINE_SQL)
            assert fine.sort(fine.columns).equals(table.sort(table.columns))
            assert _listed(db_copy).equals(_fresh(db_copy))
        else:
            _listed(db_copy)  # computed and kept again
    assert kept >= 7  # most loads keep it (seed 7: 10 of 14)


def test_a_write_whose_cache_cannot_be_written_still_succeeds(db_copy, tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv("SCREENER_CACHE_DIR", str(blocker))
    load_signals(db_copy, [_signals_csv(tmp_path / "s.csv", [("300308.SZ", "2026-01-05", "m", 2)])])
    assert _listed(db_copy)["values"].sum() == 1


def test_ingesting_a_note_carries_the_catalog_without_importing_polars(db_copy, tmp_path):
    """The carried result is copied as bytes: a note's ingest still imports no polars."""
    env = dict(os.environ, SCREENER_CACHE_DIR=str(_own_cache(tmp_path)))
    run = [sys.executable, "-X", "importtime", "-m", "screener", "--db", str(db_copy)]
    _signals_csv(tmp_path / "s.csv", [("300308.SZ", "2026-01-05", "m", 3)])
    for args in (["signals", "load", str(tmp_path / "s.csv")], ["signals", "list"]):
        subprocess.run([*run, *args], env=env, check=True, capture_output=True, timeout=120)
    note = tmp_path / "note.md"
    note.write_text("# 周报\n\n" + "中际旭创与新易盛为光模块龙头。\n" * 20, encoding="utf-8")
    r = subprocess.run([*run, "ingest", str(note)], env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    modules = [line.rsplit("|", 1)[-1].strip() for line in r.stderr.splitlines()]
    assert "screener.catalog" in modules
    assert not [m for m in modules if m.split(".")[0] == "polars"]
    kept = sorted((tmp_path / "cache").glob("signal-catalog-*"), key=lambda p: p.stat().st_mtime)
    assert len(kept) == 2  # the load's, then the same bytes under the state the ingest left
    assert kept[0].read_bytes() == kept[1].read_bytes()


def test_a_failing_catalog_statement_leaves_the_writers_transaction_alone(db_copy):
    key = {"signal": ["m"], "source": ["s"], "ticker": ["300308.SZ"]}
    new = pl.DataFrame({**key, "as_of": [date(2026, 1, 5)]})
    # a fine catalog whose dates are not dates: comparing them fails as the statement runs
    bad = pl.DataFrame({**key, "n": [1], "first": ["not a date"], "last": ["not a date"]})
    gone = pl.DataFrame({**key, "n": [1], "first_gone": [True], "last_gone": [True]})
    con = duckdb.connect(str(db_copy))
    try:
        con.execute("insert into signals values ('300308.SZ', '2026-01-05', 'm', 1.0, 's')")
        con.execute("begin transaction")
        con.execute("insert into signals values ('0981.HK', '2026-01-05', 'm', 2.0, 's')")
        assert catalog.replaced(con, bad, new) is None  # on a cursor of its own
        assert catalog.updated(con, bad, gone, new) is None
        con.execute("commit")  # not aborted
        assert con.execute("select count(*) from signals").fetchall() == [(2,)]
    finally:
        con.close()
