"""Does a theme basket pay? A point-in-time backtest of the screen, and an event study.

On each rebalance date the basket is what ``screen`` returns with the documents published and
the signals dated by that day (top N, equal- or score-weighted, an optional weight cap); it is
held until the next rebalance, its return taken from the loaded prices (the last close on or
before each date). The benchmark is a series the user gives (date, close: CSI 300 ...) or the
equal-weighted universe of every priced ticker. The event study asks what a ticker did over
the 5, 20 and 60 trading days after the first document naming it as a supplier, against the
equal-weighted universe.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from screener.errors import InputError, UsageError

if TYPE_CHECKING:
    from screener.api import Database

EVENT_HORIZONS = (5, 20, 60)


@dataclass
class Backtest:
    periods: pl.DataFrame  # one row a holding period: dates, basket, returns, turnover
    summary: pl.DataFrame  # metric, value
    themes: pl.DataFrame  # theme, contribution (sum over periods of weight x return)
    events: pl.DataFrame  # horizon, tickers, mean excess return


def backtest(
    db: Database,
    start: date | None = None,
    end: date | None = None,
    every: str = "month",
    top: int = 10,
    weighting: str = "equal",
    cap: float | None = None,
    theme: list[str] | None = None,
    weights: str | dict[str, float] | None = None,
    benchmark: Path | pl.DataFrame | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Backtest:
    if every not in ("week", "month", "quarter"):
        raise UsageError(f"--every {every!r}: expected week, month or quarter")
    if weighting not in ("equal", "score"):
        raise UsageError(f"--weighting {weighting!r}: expected equal or score")
    if top < 1:
        raise UsageError(f"--top {top}: expected at least 1")
    if cap is not None and not 0 < cap <= 1:
        raise UsageError(f"--cap {cap}: expected a weight between 0 and 1")
    prices = db.select("select ticker, date, close from prices order by ticker, date")
    if prices.height == 0:
        raise UsageError(
            "no prices loaded: load a daily-price export first (screener signals load)"
        )
    days = prices["date"].unique().sort()
    lo: date = start or days.to_list()[0]
    hi: date = end or days.to_list()[-1]
    dates = _rebalance_dates(days.filter((days >= lo) & (days <= hi)), every)
    if len(dates) < 2:
        raise UsageError(f"{lo} to {hi}: fewer than two rebalance dates ({every}ly) in the prices")
    if cap is not None and cap * top < 1:
        raise UsageError(f"--cap {cap} with --top {top}: the weights cannot add up to 1")
    closes = _closes_on(prices, dates)
    bench = _benchmark(benchmark, closes, dates)
    rows: list[dict[str, Any]] = []
    contrib: dict[str, float] = {}
    prev: dict[str, float] = {}
    for i, (r, nxt) in enumerate(zip(dates, dates[1:], strict=False), 1):
        if progress is not None:
            progress(i, len(dates) - 1)
        basket = db.screen(as_of=r, theme=theme, weights=weights).filter(
            pl.col("ticker").is_in(closes.filter(pl.col("date") == r)["ticker"].implode())
        )
        basket = basket.head(top)
        w = _weights(basket, weighting, cap)
        rets = _returns(closes, r, nxt)
        period = sum(w[t] * rets.get(t, 0.0) for t in w)
        for t, x in w.items():
            th = _first_theme(basket, t)
            contrib[th] = contrib.get(th, 0.0) + x * rets.get(t, 0.0)
        names = set(w) | set(prev)
        # one-way turnover; the first basket is bought from cash (1)
        turnover = sum(abs(w.get(t, 0.0) - prev.get(t, 0.0)) for t in names) / (2 if prev else 1)
        rows.append(
            {
                "start": r,
                "end": nxt,
                "tickers": len(w),
                "basket": ",".join(w),
                "return": period,
                "benchmark": bench[(r, nxt)],
                "excess": period - bench[(r, nxt)],
                "turnover": turnover,
            }
        )
        prev = w
    periods = pl.DataFrame(rows).with_columns(
        ((1 + pl.col("return")).cum_prod() - 1).alias("cumulative"),
        ((1 + pl.col("benchmark")).cum_prod() - 1).alias("benchmark_cumulative"),
    )
    return Backtest(
        periods,
        _summary(periods),
        pl.DataFrame(
            {"theme": list(contrib), "contribution": list(contrib.values())},
            schema={"theme": pl.String, "contribution": pl.Float64},
        ).sort("contribution", descending=True),
        event_study(db, prices, hi),
    )


def _rebalance_dates(days: pl.Series, every: str) -> list[date]:
    """The last trading day of each week, month or quarter."""
    df = pl.DataFrame({"date": days})
    key = {
        "week": pl.col("date").dt.truncate("1w"),
        "month": pl.col("date").dt.truncate("1mo"),
        "quarter": pl.col("date").dt.truncate("1q"),
    }[every]
    return df.group_by(key.alias("k")).agg(pl.col("date").max()).sort("date")["date"].to_list()


def _closes_on(prices: pl.DataFrame, dates: list[date]) -> pl.DataFrame:
    """Each ticker's last close on or before each date (an as-of join: no look-ahead)."""
    grid = pl.DataFrame({"date": dates}).join(prices.select("ticker").unique(), how="cross")
    return (
        grid.sort("date")
        .join_asof(
            prices.sort("date"), on="date", by="ticker", strategy="backward", check_sortedness=False
        )
        .drop_nulls("close")
    )


def _returns(closes: pl.DataFrame, a: date, b: date) -> dict[str, float]:
    x = closes.filter(pl.col("date") == a).select("ticker", pl.col("close").alias("c0"))
    y = closes.filter(pl.col("date") == b).select("ticker", pl.col("close").alias("c1"))
    j = x.join(y, on="ticker")
    return dict(zip(j["ticker"], (j["c1"] / j["c0"] - 1).to_list(), strict=True))


def _benchmark(
    given: Path | pl.DataFrame | None, closes: pl.DataFrame, dates: list[date]
) -> dict[tuple[date, date], float]:
    pairs = list(zip(dates, dates[1:], strict=False))
    if given is None:  # the equal-weighted universe of every priced ticker
        out = {}
        for a, b in pairs:
            r = _returns(closes, a, b)
            out[(a, b)] = sum(r.values()) / len(r) if r else 0.0
        return out
    series = _read_benchmark(given)
    on = (
        pl.DataFrame({"date": dates}).sort("date").join_asof(series, on="date", strategy="backward")
    )
    level = dict(zip(on["date"], on["close"], strict=True))
    missing = [d for d in dates if level.get(d) is None]
    if missing:
        raise InputError(f"benchmark: no close on or before {missing[0]}")
    return {(a, b): level[b] / level[a] - 1 for a, b in pairs}


def _read_benchmark(given: Path | pl.DataFrame) -> pl.DataFrame:
    """A (date, close) series: a file with a date column (日期, trade_date, Date ...) and a
    close column, dates as YYYY-MM-DD or YYYYMMDD."""
    from screener.signals import _column_names, _dates

    df = given if isinstance(given, pl.DataFrame) else pl.read_csv(given, infer_schema=False)
    names = _column_names()
    df = df.rename({c: names[c] for c in df.columns if names.get(c) in ("as_of", "close")})
    if not {"as_of", "close"} <= set(df.columns):
        where = given if isinstance(given, Path) else "benchmark"
        raise InputError(
            f"{where}: expected a date and a close column (got {', '.join(df.columns)})"
        )
    out = df.select(
        _dates("as_of").alias("date")
        if df["as_of"].dtype == pl.String
        else pl.col("as_of").cast(pl.Date).alias("date"),
        pl.col("close").cast(pl.Float64, strict=False),
    ).drop_nulls()
    return out.sort("date")


def _weights(basket: pl.DataFrame, weighting: str, cap: float | None) -> dict[str, float]:
    if basket.height == 0:
        return {}
    tickers = basket["ticker"].to_list()
    if weighting == "score":
        raw = [max(float(s), 0.0) for s in basket["score"].to_list()]
        raw = raw if sum(raw) > 0 else [1.0] * len(raw)
    else:
        raw = [1.0] * len(tickers)
    w = [x / sum(raw) for x in raw]
    if cap is not None and len(w) * cap >= 1:
        for _ in range(len(w)):  # clip at the cap, give the excess to the others pro rata
            over = sum(max(0.0, x - cap) for x in w)
            if over <= 1e-12:
                break
            free = sum(x for x in w if x < cap)
            w = [cap if x >= cap else x + over * x / free for x in w]
    return dict(zip(tickers, w, strict=True))


def _first_theme(basket: pl.DataFrame, ticker: str) -> str:
    themes = basket.filter(pl.col("ticker") == ticker)["themes"].to_list()[0]
    return str(themes[0]) if themes else "(none)"


def _summary(p: pl.DataFrame) -> pl.DataFrame:
    rets = p["return"].to_list()
    n = len(rets)
    first_day: date = p["start"].to_list()[0]
    last_day: date = p["end"].to_list()[-1]
    days = (last_day - first_day).days or 1
    per_year = n * 365.25 / days
    cum = float(p["cumulative"].to_list()[-1])
    curve = [1.0] + [1 + c for c in p["cumulative"].to_list()]
    peak, mdd = curve[0], 0.0
    for v in curve:
        peak = max(peak, v)
        mdd = min(mdd, v / peak - 1)
    mean = sum(rets) / n
    sd = math.sqrt(sum((r - mean) ** 2 for r in rets) / (n - 1)) if n > 1 else 0.0
    metrics = {
        "periods": float(n),
        "cumulative_return": cum,
        "benchmark_cumulative": float(p["benchmark_cumulative"].to_list()[-1]),
        "annualised_return": (1 + cum) ** (365.25 / days) - 1,
        "annualised_volatility": sd * math.sqrt(per_year),
        "max_drawdown": mdd,
        "hit_rate": sum(1 for e in p["excess"].to_list() if e > 0) / n,
        "mean_turnover": float(p["turnover"].mean() or 0.0),  # type: ignore[arg-type]
    }
    return pl.DataFrame({"metric": list(metrics), "value": list(metrics.values())})


def event_study(db: Database, prices: pl.DataFrame, until: date | Any) -> pl.DataFrame:
    """Mean excess return (over the equal-weighted universe) of each ticker over the 5, 20 and
    60 trading days after the first document naming it as a supplier."""
    first = db.select(
        """
        select li.ticker, min(d.published_on) as named_on
        from links l join documents d using (doc_id) join listings li using (company_id)
        where l.role = 'supplier' and d.published_on <= $u
        group by li.ticker
        """,
        {"u": until},
    )
    px = prices.sort("ticker", "date").with_columns(
        (pl.col("close") / pl.col("close").shift(1).over("ticker") - 1).alias("ret")
    )
    market = px.group_by("date").agg(pl.col("ret").mean().alias("mkt")).sort("date")
    days = market["date"].to_list()
    excess = (
        px.join(market, on="date")
        .with_columns((pl.col("ret") - pl.col("mkt")).alias("ex"))
        .drop_nulls("ex")
    )
    rows = []
    for h in EVENT_HORIZONS:
        values = []
        for t, named in first.iter_rows():
            start = next((i for i, d in enumerate(days) if d > named), None)
            if start is None or start + h > len(days):
                continue
            window = set(days[start : start + h])
            ex = excess.filter((pl.col("ticker") == t) & pl.col("date").is_in(list(window)))
            if ex.height == h:
                values.append(math.prod(1 + x for x in ex["ex"].to_list()) - 1)
        rows.append(
            {
                "horizon_days": h,
                "tickers": len(values),
                "mean_excess_return": sum(values) / len(values) if values else None,
            }
        )
    return pl.DataFrame(
        rows,
        schema={"horizon_days": pl.Int64, "tickers": pl.Int64, "mean_excess_return": pl.Float64},
    )
