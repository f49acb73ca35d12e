"""Prices and signals in the shapes AkShare, Tushare, Baostock and yfinance export, and the
signals derived from prices point in time; files written here with prices we generate."""

from __future__ import annotations

import math
from datetime import date, timedelta
from pathlib import Path

import polars as pl
import pytest

from screener import db as dbm
from screener.signals import SignalsError, derive_signals, load_signals


def days(n: int, start: date = date(2026, 1, 5)) -> list[date]:
    out, d = [], start
    while len(out) < n:
        if d.weekday() < 5:
            out.append(d)
        d += timedelta(days=1)
    return out


def akshare(path: Path, code: str, closes: list[float], dates: list[date]) -> Path:
    rows = ["日期,股票代码,开盘,收盘,最高,最低,成交量,成交额,振幅,涨跌幅,涨跌额,换手率"]
    for d, c in zip(dates, closes, strict=True):
        rows.append(
            f"{d},{code},{c:.6f},{c:.6f},{c * 1.01:.6f},{c * 0.99:.6f},1000,{c * 1000:.2f},2,1,0.1,1.5"
        )
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def values(db: Path, signal: str, ticker: str) -> dict[date, float]:
    df = dbm.query(
        db,
        f"select as_of, value from signals where signal = '{signal}' and ticker = '{ticker}' order by as_of",
    )
    return dict(df.iter_rows())


def test_akshare_prices_load_and_derive_point_in_time(db_copy, tmp_path):
    dates = days(130)
    rising = [10 * 1.01**i for i in range(130)]
    f = akshare(tmp_path / "ak.csv", "300308", rising, dates)
    r = load_signals(db_copy, [f], source="akshare")
    assert r.prices.height == 130 and r.signals.height == 0
    assert set(r.prices["ticker"]) == {"300308.SZ"}
    assert derive_signals(db_copy) > 0
    mom = values(db_copy, "momentum_20", "300308.SZ")
    assert min(mom) == dates[20]  # the window is full from the 21st bar
    assert all(math.isclose(v, 1.01**20 - 1, rel_tol=1e-6) for v in mom.values())
    assert min(values(db_copy, "momentum_120", "300308.SZ")) == dates[120]
    dd = values(db_copy, "drawdown_120", "300308.SZ")
    assert all(abs(v) < 1e-9 for v in dd.values())  # always at a new high
    vol = values(db_copy, "volatility_20", "300308.SZ")
    assert all(v < 1e-6 for v in vol.values())  # the same return every day
    assert set(values(db_copy, "turnover_20", "300308.SZ").values()) == {1.5}
    # no look-ahead: prices after a day do not change that day's values
    early = {d: v for d, v in mom.items() if d <= dates[60]}
    falling = rising[:61] + [rising[60] * 0.97**i for i in range(1, 70)]
    load_signals(db_copy, [akshare(tmp_path / "ak2.csv", "300308", falling, dates)])
    derive_signals(db_copy)
    again = values(db_copy, "momentum_20", "300308.SZ")
    assert {d: again[d] for d in early} == early
    assert again[dates[100]] < 0
    # derived signals rank like any other
    from screener.api import Database

    with Database(db_copy) as d:
        df = d.screen(weights="exposure=1,momentum_20=1", as_of=dates[40])
        assert "momentum_20" in df.columns


def test_tushare_baostock_yfinance_and_lost_zeros(db_copy, tmp_path):
    ts = tmp_path / "tushare.csv"
    ts.write_text(
        "ts_code,trade_date,close,vol,amount\n"
        "000977.SZ,20261030,50.1,1000,5010\n000977.SZ,20261031,51.2,1200,6100\n",
        encoding="utf-8",
    )
    bs = tmp_path / "baostock.csv"
    bs.write_text(
        "date,code,close,turn\n2026-10-30,sh.600000,10.2,0.8\n2026-11-02,sz.000977,51.9,1.1\n",
        encoding="utf-8",
    )
    yf = tmp_path / "yf.csv"
    yf.write_text(
        "Date,Ticker,Open,High,Low,Close,Volume\n2026-10-30,0700.HK,500,510,495,505,1000000\n",
        encoding="utf-8",
    )
    zeros = tmp_path / "excel.csv"  # a spreadsheet dropped the leading zeros
    zeros.write_text(
        "代码,日期,收盘\n977,2026-10-29,49.8\n600000,2026-10-29,10.1\n", encoding="utf-8"
    )
    r = load_signals(db_copy, [ts, bs, yf, zeros])
    got = {(t, str(d)) for t, d in r.prices.select("ticker", "date").iter_rows()}
    assert got == {
        ("000977.SZ", "2026-10-30"),
        ("000977.SZ", "2026-10-31"),
        ("600000.SH", "2026-10-30"),
        ("0700.HK", "2026-10-30"),
        ("000977.SZ", "2026-10-29"),
        ("600000.SH", "2026-10-29"),
        ("000977.SZ", "2026-11-02"),
    }
    px = dbm.query(db_copy, "select * from prices where ticker = '000977.SZ' order by date")
    assert px["close"].to_list() == [49.8, 50.1, 51.2, 51.9]
    assert px.filter(pl.col("date") == date(2026, 11, 2))["turnover"].to_list() == [1.1]
    # the same bar twice in one load is an error, like a repeated signal key
    with pytest.raises(SignalsError, match="repeat a \\(ticker, date\\)"):
        load_signals(db_copy, [ts, ts])


def test_one_error_per_kind_with_count_and_first_lines(db_copy, tmp_path):
    bad = tmp_path / "tushare_bad.csv"
    rows = ["ts_code,trade_date,close"] + [f"000977.SZ,2026{i:02d}99,1.0" for i in range(1, 37)]
    bad.write_text("\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(SignalsError) as e:
        load_signals(db_copy, [bad])
    lines = str(e.value).splitlines()
    assert lines[0].startswith(f"{bad}: 36 rows: as_of is not a date")
    assert "line 2 '20260199'" in lines[0] and "and 33 more" in lines[0]
    assert lines[1:] == ["nothing was loaded"]
    assert dbm.query(db_copy, "select count(*) from prices").row(0)[0] == 0


def test_map_names_any_other_column(db_copy, tmp_path):
    f = tmp_path / "vendor.csv"
    f.write_text("证券,交易日,最新价\n300308,2026-10-30,180.5\n", encoding="utf-8")
    with pytest.raises(SignalsError, match="missing column"):
        load_signals(db_copy, [f])
    r = load_signals(db_copy, [f], columns={"证券": "ticker", "交易日": "as_of", "最新价": "close"})
    assert r.prices.row(0, named=True)["close"] == 180.5
    with pytest.raises(SignalsError, match="--map names column"):
        load_signals(db_copy, [f], columns={"nope": "close"})


def test_derive_needs_prices_and_build_keeps_them(db_copy, tmp_path):
    from screener.errors import UsageError

    with pytest.raises(UsageError, match="no prices loaded"):
        derive_signals(db_copy)
    load_signals(db_copy, [akshare(tmp_path / "a.csv", "300308", [10.0, 10.5], days(2))])
    r = dbm.build(db_copy)
    assert r.kept.get("prices") == 2


def test_the_api_takes_signal_dataframes(built_db):
    from screener.api import Database

    wide = pl.DataFrame(
        {"ticker": ["300308.SZ", "000977"], "as_of": ["2026-03-01"] * 2, "quality": [1.0, -1.0]}
    )
    with Database(built_db) as d:
        df = d.screen(signals=wide, weights="exposure=1,quality=1", as_of="2026-06-30")
        row = df.filter(pl.col("ticker") == "300308.SZ").row(0, named=True)
        assert row["quality"] > 0
        bad = wide.with_columns(pl.lit("ZZZZ").alias("ticker"))
        with pytest.raises(SignalsError, match="unknown ticker"):
            d.screen(signals=[bad])


def test_signals_inserted_with_sql_count_at_once_and_a_misspelt_weight_is_refused(db_copy):
    import duckdb

    from screener.api import Database
    from screener.errors import DatabaseError

    with duckdb.connect(str(db_copy)) as con:
        con.execute("insert into signals values ('300308.SZ', '2026-03-01', 'quality', 1.5, 'sql')")
    with Database(db_copy) as d:
        cat = d.query("select signal, source, tickers from signal_catalog")
        assert cat.rows() == [("quality", "sql", 1)]
        assert "quality" in d.screen(weights="exposure=1,quality=1").columns
        sql = "select * from screen(weights := map {'exposure': 1.0, 'qualty': 1.0})"
        with pytest.raises(DatabaseError, match="unknown weight qualty"):
            d.query(sql)
        # loaded, but no value on or before the date: a known name (every raw value missing)
        sql = "select * from screen(as_of_date := '2026-01-01', weights := map {'exposure': 1.0, 'quality': 1.0})"
        assert d.query(sql).height > 0


def test_loading_a_key_again_replaces_it(db_copy, tmp_path):
    """No index keeps the keys (14_signals.sql): the loaders do - one row per key, the new value."""
    dates = days(5)
    load_signals(db_copy, [akshare(tmp_path / "a.csv", "300308", [10.0] * 5, dates)])
    later = akshare(tmp_path / "b.csv", "300308", [20.0] * 3, dates[2:])
    load_signals(db_copy, [later])
    px = dbm.query(
        db_copy, "select date, close, count(*) over (partition by date) n from prices order by date"
    )
    assert px["close"].to_list() == [10.0, 10.0, 20.0, 20.0, 20.0]
    assert set(px["n"]) == {1}
    sig = tmp_path / "s.csv"
    sig.write_text(
        "ticker,as_of,signal,value\n300308.SZ,2026-01-05,mom,1\n300308.SZ,2026-01-06,mom,2\n"
    )
    load_signals(db_copy, [sig])
    sig.write_text("ticker,as_of,signal,value\n300308.SZ,2026-01-06,mom,5\n")
    load_signals(db_copy, [sig])
    assert values(db_copy, "mom", "300308.SZ") == {date(2026, 1, 5): 1.0, date(2026, 1, 6): 5.0}


def _stored_dates(db: Path, where: str) -> list[date]:
    """The dates of the matching signal rows in the order the table stores them."""
    return dbm.query(db, f"select as_of from signals where {where} order by rowid")[
        "as_of"
    ].to_list()


def test_signals_are_stored_in_date_order(db_copy, tmp_path):
    """Loads, derived signals and build store signals sorted by date whatever order they came
    in (the screen's as-of lookup skips row groups by their dates: sql/14_signals.sql)."""
    import duckdb

    dates = days(30)
    wide = tmp_path / "wide.csv"  # ticker by ticker, each ticker's dates newest first
    rows = ["ticker,as_of,alpha,beta"]
    rows += [
        f"{t},{d},{i},{-i}"
        for t in ("300308.SZ", "000977.SZ")
        for i, d in enumerate(reversed(dates))
    ]
    wide.write_text("\n".join(rows) + "\n")
    load_signals(db_copy, [wide], source="mine")
    stored = _stored_dates(db_copy, "source = 'mine'")
    assert len(stored) == 120 and stored == sorted(stored)

    for code in ("300308", "000977"):
        f = akshare(tmp_path / f"{code}.csv", code, [10 * 1.01**i for i in range(40)], days(40))
        load_signals(db_copy, [f], source="akshare")
    assert derive_signals(db_copy) > 0
    stored = _stored_dates(db_copy, "source = 'derived'")
    assert stored == sorted(stored)

    with duckdb.connect(str(db_copy)) as con:  # out of order, by SQL
        con.execute("insert into signals values ('300308.SZ', '2025-01-02', 'alpha', 1, 'sql')")
    assert _stored_dates(db_copy, "true") != sorted(_stored_dates(db_copy, "true"))
    dbm.build(db_copy)
    stored = _stored_dates(db_copy, "true")
    assert len(stored) > 121 and stored == sorted(stored)


@pytest.mark.parametrize(
    ("rows", "order", "dated"),
    [
        (300_000, "d", True),  # three row groups, each after the one before
        (300_000, "d desc", False),
        (300_000, "i % 7, d", False),  # every group spans every date
        (1_000, "d", False),  # one row group: too small to skip the sort
    ],
)
def test_build_copies_signals_already_in_date_order_as_they_are(tmp_path, rows, order, dated):
    """`build` skips the sort when the old table's row groups are in date order already (by
    their zone-map statistics), and sorts when in doubt."""
    import duckdb

    old = tmp_path / "old.duckdb"
    with duckdb.connect(str(old)) as con:
        con.execute(
            "create table signals as select i, date '2020-01-01' + (i // 500)::int as d "
            f"from range({rows}) t(i) order by {order}"
        )
        con.execute("alter table signals rename d to as_of")
        con.execute("checkpoint")
    with duckdb.connect() as con:
        con.execute(f"attach '{old}' as {dbm.PREVIOUS} (read_only)")
        assert dbm._row_groups_dated(con, "signals") is dated


def test_an_unknown_weight_is_told_with_the_loaded_signals(db_copy, tmp_path):
    from screener.api import Database
    from screener.errors import UsageError

    sig = tmp_path / "s.csv"
    sig.write_text(
        "ticker,as_of,signal,value\n300308.SZ,2026-01-05,mom,1\n0981.HK,2026-01-05,val,2\n"
    )
    load_signals(db_copy, [sig])
    with Database(db_copy) as d, pytest.raises(UsageError) as caught:
        d.screen(as_of="2026-03-31", weights={"exposure": 1, "nope": 1})
    assert "unknown signal 'nope'" in str(caught.value)
    assert str(caught.value).endswith("valid names: exposure, mom, val")
