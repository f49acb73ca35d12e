"""The backtest on prices we generate, where the right answer is known."""

from __future__ import annotations

import math
from datetime import date

import polars as pl
import pytest

from screener.api import Database
from screener.db import ingest
from screener.signals import load_signals
from tests.test_prices import days as trading_days


@pytest.fixture
def market(db_copy, tmp_path):
    """Prices from 2027-01-04 for 120 trading days: 300308 and 300502 rise 1% a day, 000977
    and 603019 and 601138 stay flat. A note dated 2027-02-15 names the two risers as
    optical-module picks; a note dated 2027-04-05 names 工业富联 (601138), which no bundled
    document names, as a server pick."""
    days = trading_days(120, date(2027, 1, 4))
    rows = ["date,code,close"]
    for code, rise in (
        ("sz.300308", 1.01),
        ("sz.300502", 1.01),
        ("sz.000977", 1.0),
        ("sh.603019", 1.0),
        ("sh.601138", 1.0),
    ):
        rows += [f"{d},{code},{100 * rise**i:.8f}" for i, d in enumerate(days)]
    (tmp_path / "px.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    load_signals(db_copy, [tmp_path / "px.csv"])
    a = tmp_path / "a.txt"
    a.write_text("光模块方向建议关注中际旭创、新易盛。\n", encoding="utf-8")
    b = tmp_path / "b.txt"
    b.write_text("服务器方向推荐工业富联。\n", encoding="utf-8")
    ingest(db_copy, [a], published_on=date(2027, 2, 15))
    ingest(db_copy, [b], published_on=date(2027, 4, 5))
    return db_copy, days


def test_a_basket_of_names_rising_one_percent_a_day_shows_it(market):
    path, days = market
    with Database(path) as db:
        r = db.backtest(start="2027-02-15", every="month", top=2, theme="optical_modules")
    p = r.periods
    assert p["basket"].to_list()[0] == "300308.SZ,300502.SZ"
    for row in p.iter_rows(named=True):
        held = sum(1 for d in days if row["start"] < d <= row["end"])
        assert math.isclose(row["return"], 1.01**held - 1, rel_tol=1e-9)
    summary = dict(r.summary.iter_rows())
    assert summary["hit_rate"] == 1.0 and summary["max_drawdown"] == 0.0
    assert r.themes.row(0, named=True)["theme"] == "optical_modules"


def test_no_look_ahead_a_later_document_does_not_change_an_earlier_basket(market):
    path, _ = market
    with Database(path) as db:
        r = db.backtest(start="2027-01-04", every="month", top=3, theme="servers")
    baskets = dict(zip(r.periods["start"].to_list(), r.periods["basket"].to_list(), strict=True))
    # 601138 is first named on 2027-04-05: no basket before that day holds it, later ones do
    assert all("601138.SH" not in b for d, b in baskets.items() if d < date(2027, 4, 5))
    assert all("601138.SH" in b for d, b in baskets.items() if d >= date(2027, 4, 5))
    assert any(d < date(2027, 4, 5) for d in baskets)


def test_benchmark_cap_score_weights_and_event_study(market, tmp_path):
    path, days = market
    bench = tmp_path / "csi300.csv"
    bench.write_text(
        "日期,收盘\n"
        + "\n".join(f"{d.strftime('%Y%m%d')},{4000 * 1.002**i}" for i, d in enumerate(days)),
        encoding="utf-8",
    )
    with Database(path) as db:
        r = db.backtest(every="month", top=2, cap=0.5, weighting="score", benchmark=bench)
        assert all(
            math.isclose(x, 1.002 ** sum(1 for d in days if s < d <= e) - 1)
            for s, e, x in r.periods.select("start", "end", "benchmark").iter_rows()
        )
        ev = {h: m for h, _, m in r.events.iter_rows()}
        # the risers beat the equal-weighted universe after they were named
        assert ev[5] is not None and ev[5] > 0
        with pytest.raises(Exception, match="cannot add up to 1"):
            db.backtest(top=2, cap=0.3)
    assert isinstance(r.periods, pl.DataFrame)
