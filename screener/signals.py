"""Investment signals from CSV or Parquet, long or wide form, validated before anything loads.

Long form: ``ticker, as_of, signal, value[, source]``. Wide form: ``ticker, as_of`` and one
column per signal. Tickers may be in any form users type (``300308``, ``sz300308``,
``09698.HK``, ``NASDAQ:GDS``); they are normalised to Wind style.

Rules (documented in README):
- every problem is reported with file, line and value; a file with any problem loads nothing;
- ``value`` must be a finite number (NaN, inf and blanks are errors); in wide form a blank
  cell means "no value" and is skipped;
- a ticker that is not a listing in the database is an error (listed, not dropped);
- the same (ticker, as_of, signal) twice in one load is an error; loading a key that is
  already in the database replaces its value (the newest load wins).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import duckdb
import polars as pl

from screener.errors import InputError, UsageError
from screener.tickers import normalise_ticker

MAX_REPORTED = 50
RESERVED = {"ticker", "as_of", "signal", "value", "source"}


class SignalsError(InputError):
    """Every problem found in the signal files, one per line."""

    multiline = True

    def __init__(self, problems: list[str]):
        self.problems = problems
        shown = problems[:MAX_REPORTED]
        more = len(problems) - len(shown)
        text = "\n".join(shown) + (f"\n... and {more} more problems" if more else "")
        super().__init__(text + "\nnothing was loaded")


def _read(path: Path) -> pl.DataFrame:
    suffix = path.suffix.lower()
    try:
        if suffix == ".parquet":
            df = pl.read_parquet(path)
            return df.with_columns(pl.all().cast(pl.String))
        if suffix in (".csv", ".tsv", ".txt"):
            sep = "\t" if suffix == ".tsv" else ","
            _check_header(path, sep)
            return pl.read_csv(path, infer_schema=False, separator=sep)
    except FileNotFoundError as e:
        raise InputError(f"{path}: no such file") from e
    except (pl.exceptions.PolarsError, OSError) as e:
        raise InputError(f"{path}: cannot read as {suffix[1:]}: {str(e).splitlines()[0]}") from e
    raise InputError(
        f"{path}: unsupported file type {suffix or '(none)'} (expected .csv, .tsv or .parquet)"
    )


def _check_header(path: Path, sep: str) -> None:
    """A column named twice is an error (polars would rename the second one silently)."""
    import csv

    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            header = next(csv.reader(f, delimiter=sep), [])
    except (OSError, UnicodeDecodeError, csv.Error):
        return  # reading it for real reports the problem
    seen: set[str] = set()
    for name in (h.strip() for h in header):
        if name in seen:
            raise InputError(f"{path}:1: column {name!r} appears twice in the header")
        seen.add(name)


def _long(path: Path, df: pl.DataFrame, source: str, problems: list[str]) -> pl.DataFrame | None:
    cols = [c.strip() for c in df.columns]
    df.columns = cols
    if "ticker" not in cols or "as_of" not in cols:
        problems.append(
            f"{path}: missing column(s) {', '.join(c for c in ('ticker', 'as_of') if c not in cols)} (expected ticker, as_of, then signal, value or one column per signal)"
        )
        return None
    df = df.with_row_index("line", offset=2 if path.suffix.lower() != ".parquet" else 1)
    if "signal" in cols or "value" in cols:
        missing = [c for c in ("signal", "value") if c not in cols]
        if missing:
            problems.append(
                f"{path}: long form needs columns signal and value; missing {', '.join(missing)}"
            )
            return None
        extra = [c for c in cols if c not in RESERVED]
        if extra:
            problems.append(f"{path}: unexpected column(s) {', '.join(extra)} in long form")
            return None
        if "source" not in cols:
            df = df.with_columns(pl.lit(source).alias("source"))
        else:
            df = df.with_columns(pl.col("source").fill_null(source))
        return df.select("line", "ticker", "as_of", "signal", "value", "source")
    signals = [c for c in cols if c not in RESERVED]
    if not signals:
        problems.append(f"{path}: no signal columns (wide form: ticker, as_of, <signal>...)")
        return None
    long = df.unpivot(
        index=["line", "ticker", "as_of"], on=signals, variable_name="signal", value_name="value"
    )
    long = long.filter(pl.col("value").is_not_null() & (pl.col("value").str.strip_chars() != ""))
    return long.with_columns(pl.lit(source).alias("source")).select(
        "line", "ticker", "as_of", "signal", "value", "source"
    )


PRICE_COLUMNS = ("open", "high", "low", "close", "volume", "amount", "turnover")
DATE_FORMATS = ("%Y-%m-%d", "%Y%m%d")


@dataclass
class MarketData:
    """What signal and price files hold, validated: signals in long form, daily prices."""

    signals: pl.DataFrame  # ticker, as_of, signal, value, source
    prices: pl.DataFrame  # ticker, date, open, high, low, close, volume, amount, turnover, source


def read_signals(
    files: list[Path],
    db_path: Path,
    source: str | None = None,
    con: duckdb.DuckDBPyConnection | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> pl.DataFrame:
    """Signal files (not prices) validated to long form; raise SignalsError listing every problem."""
    data = read_market_files(files, db_path, source, con, progress)
    if data.prices.height:
        raise UsageError(
            "price files cannot be joined for one command; load them with `screener signals "
            "load` and compute signals with `screener signals derive`"
        )
    return data.signals


def read_market_files(
    files: list[Path],
    db_path: Path,
    source: str | None = None,
    con: duckdb.DuckDBPyConnection | None = None,
    progress: Callable[[int, int], None] | None = None,
    columns: dict[str, str] | None = None,
) -> MarketData:
    """Read signal and price files in the shapes their tools export (columns.toml: AkShare,
    Tushare, Baostock, yfinance, ours), ``columns`` renaming any other column (``--map``);
    validate everything; raise SignalsError listing every problem, one line per kind."""
    from screener import db as dbm

    problems: list[str] = []
    parts, price_parts = [], []
    for i, f in enumerate(files, 1):
        df = _rename(f, _read(f), columns or {}, problems)
        if df is not None and "close" in df.columns and not {"signal", "value"} & set(df.columns):
            price = _price_rows(f, df, source or f.stem, problems)
            if price is not None:
                price_parts.append(price.with_columns(pl.lit(str(f)).alias("file")))
        elif df is not None:
            long = _long(f, df, source or f.stem, problems)
            if long is not None:
                parts.append(long.with_columns(pl.lit(str(f)).alias("file")))
        if progress is not None:
            progress(i, len(files))
    if problems and not (parts or price_parts):
        raise SignalsError(problems)
    if not (parts or price_parts):
        raise UsageError("no signal files given")
    own = con is None
    c = con or dbm.connect(db_path, read_only=True)
    try:
        signals = _check_signals(pl.concat(parts), c, problems) if parts else None
        prices = _check_prices(pl.concat(price_parts), c, problems) if price_parts else None
    finally:
        if own:
            c.close()
    if problems:
        raise SignalsError(problems)
    return MarketData(
        signals if signals is not None else pl.DataFrame(schema=SIGNAL_SCHEMA),
        prices if prices is not None else pl.DataFrame(schema=PRICE_SCHEMA),
    )


SIGNAL_SCHEMA = {
    "ticker": pl.String,
    "as_of": pl.Date,
    "signal": pl.String,
    "value": pl.Float64,
    "source": pl.String,
}
PRICE_SCHEMA = {
    "ticker": pl.String,
    "date": pl.Date,
    **{c: pl.Float64 for c in PRICE_COLUMNS},
    "source": pl.String,
}


@lru_cache(maxsize=1)
def _column_names() -> dict[str, str]:
    """Column name as exported -> ours, from data/columns.toml."""
    import tomllib

    from screener.reference import DATA_DIR

    with (DATA_DIR / "columns.toml").open("rb") as fh:
        table = tomllib.load(fh)
    return {name: ours for ours, names in table.items() for name in names}


def _rename(
    path: Path, df: pl.DataFrame, columns: dict[str, str], problems: list[str]
) -> pl.DataFrame | None:
    """Columns renamed by ``--map`` first, then by the known exports' names."""
    df.columns = [c.strip() for c in df.columns]
    missing = [c for c in columns if c not in df.columns]
    if missing:
        problems.append(
            f"{path}: --map names column(s) {', '.join(missing)} that the file does not have "
            f"(it has {', '.join(df.columns)})"
        )
        return None
    df = df.rename(columns)
    known = _column_names()
    lower = {k.lower(): v for k, v in known.items()}
    renames: dict[str, str] = {}
    for c in df.columns:
        target = known.get(c) or lower.get(c.lower())
        if target and target != c and target not in df.columns and target not in renames.values():
            renames[c] = target
    return df.rename(renames)


def _price_rows(
    path: Path, df: pl.DataFrame, source: str, problems: list[str]
) -> pl.DataFrame | None:
    missing = [c for c in ("ticker", "as_of") if c not in df.columns]
    if missing:
        problems.append(
            f"{path}: a price file needs a ticker and a date column; missing {', '.join(missing)} "
            "(use --map col=ticker or --map col=as_of)"
        )
        return None
    df = df.with_row_index("line", offset=2 if path.suffix.lower() != ".parquet" else 1)
    return df.select(
        "line",
        "ticker",
        "as_of",
        *[
            pl.col(c) if c in df.columns else pl.lit(None, pl.String).alias(c)
            for c in PRICE_COLUMNS
        ],
        pl.lit(source).alias("source"),
    )


def _dates(col: str) -> pl.Expr:
    """YYYY-MM-DD, YYYYMMDD or YYYY/MM/DD, with or without a time after it."""
    s = pl.col(col).str.strip_chars().str.replace_all("/", "-").str.slice(0, 10)
    return pl.coalesce(
        *[s.str.to_date(format=f, strict=False) for f in DATE_FORMATS],
        pl.col(col).str.strip_chars().str.slice(0, 8).str.to_date(format="%Y%m%d", strict=False),
    )


_BAOSTOCK = r"(?i)^(sh|sz|bj)\.(\d{6})$"


def _tickers(data: pl.DataFrame, c: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Add ``norm``: the listing each row's ticker names, or null. Forms: any a user types,
    Baostock's sh.600000, a company name, and codes that lost their leading zeros (977 from a
    spreadsheet) read as six-digit A-share codes in a file whose other codes have six digits."""
    raw = data["ticker"].drop_nulls().str.strip_chars()
    six = raw.str.contains(r"^\d{6}$").any() or raw.str.contains(r"(?i)^(sh|sz|bj)").any()
    mapping: dict[str, str | None] = {}
    for value in data["ticker"].drop_nulls().unique().to_list():
        t = re.sub(_BAOSTOCK, r"\1\2", value.strip())
        if six and t.isdigit() and len(t) < 6:
            t = t.zfill(6)
        try:
            mapping[value] = normalise_ticker(t)
        except UsageError:
            mapping[value] = None
    data = data.with_columns(
        pl.col("ticker").replace_strict(mapping, default=None, return_dtype=pl.String).alias("norm")
    )
    listed = {r[0] for r in c.execute("select ticker from listings").fetchall()}
    us = {
        r[0].split(".")[0]: r[0]
        for r in c.execute("select ticker from listings where market = 'US'").fetchall()
    }
    # a company name in any script (中际旭创, 中際旭創, Innolight) names its primary listing
    # when exactly one listed issuer goes by it
    unknown = [
        raw
        for raw, t in mapping.items()
        if t is None or (t not in listed and t.split(".")[0] not in us)
    ]
    by_name = _tickers_by_name(c, unknown)
    return data.with_columns(
        pl.when(pl.col("norm").is_in(list(listed)))
        .then(pl.col("norm"))
        .otherwise(pl.col("norm").replace_strict(us, default=None, return_dtype=pl.String))
        .fill_null(pl.col("ticker").replace_strict(by_name, default=None, return_dtype=pl.String))
        .alias("norm")
    )


def _check_tickers_and_dates(data: pl.DataFrame, problems: list[str]) -> None:
    _report(
        data,
        pl.col("ticker").is_null() | (pl.col("ticker").str.strip_chars() == ""),
        "missing ticker",
        "ticker",
        problems,
    )
    _report(
        data,
        pl.col("ticker").is_not_null() & pl.col("norm").is_null(),
        "unknown ticker (not a listing in the database)",
        "ticker",
        problems,
    )
    _report(
        data,
        pl.col("date").is_null(),
        "as_of is not a date (expected YYYY-MM-DD or YYYYMMDD)",
        "as_of",
        problems,
    )


def _check_signals(
    data: pl.DataFrame, c: duckdb.DuckDBPyConnection, problems: list[str]
) -> pl.DataFrame | None:
    if data.height == 0:
        problems.append(
            f"{', '.join(data['file'].unique().to_list()) or 'the files'}: no signal values "
            "(only a header, or blank cells)"
        )
        return None
    data = _tickers(data, c).with_columns(
        _dates("as_of").alias("date"),
        pl.col("value").str.strip_chars().cast(pl.Float64, strict=False).alias("num"),
    )
    _check_tickers_and_dates(data, problems)
    _report(
        data,
        pl.col("num").is_null() | pl.col("num").is_nan() | pl.col("num").is_infinite(),
        "value is not a finite number",
        "value",
        problems,
    )
    _report(
        data,
        pl.col("signal").is_null() | (pl.col("signal").str.strip_chars() == ""),
        "missing signal name",
        "signal",
        problems,
    )
    _report(
        data,
        pl.col("signal").is_in(["exposure"]),
        "signal name is reserved for the document-derived component",
        "signal",
        problems,
    )
    dup = data.filter(pl.col("norm").is_not_null() & pl.col("date").is_not_null()).filter(
        pl.struct("norm", "date", "signal").is_duplicated()
    )
    for r in dup.head(MAX_REPORTED).iter_rows(named=True):
        problems.append(
            f"{r['file']}:{r['line']}: duplicate (ticker, as_of, signal) = ({r['norm']}, {r['date']}, {r['signal']})"
        )
    return data.select(
        pl.col("norm").alias("ticker"),
        pl.col("date").alias("as_of"),
        pl.col("signal").str.strip_chars(),
        pl.col("num").alias("value"),
        "source",
    )


def _check_prices(
    data: pl.DataFrame, c: duckdb.DuckDBPyConnection, problems: list[str]
) -> pl.DataFrame | None:
    nums = [
        pl.col(col)
        .str.strip_chars()
        .str.replace_all(",", "")
        .cast(pl.Float64, strict=False)
        .alias(f"n_{col}")
        for col in PRICE_COLUMNS
    ]
    data = _tickers(data, c).with_columns(_dates("as_of").alias("date"), *nums)
    _check_tickers_and_dates(data, problems)
    close = pl.col("n_close")
    _report(
        data,
        close.is_null() | close.is_nan() | close.is_infinite() | (close <= 0),
        "close is not a positive number",
        "close",
        problems,
    )
    for col in PRICE_COLUMNS:
        if col == "close":
            continue
        given = pl.col(col).is_not_null() & (pl.col(col).str.strip_chars() != "")
        _report(data, given & pl.col(f"n_{col}").is_null(), f"{col} is not a number", col, problems)
    dup = data.filter(pl.col("norm").is_not_null() & pl.col("date").is_not_null()).filter(
        pl.struct("norm", "date").is_duplicated()
    )
    if dup.height:
        r = dup.row(0, named=True)
        problems.append(
            f"{r['file']}:{r['line']}: {dup.height} rows repeat a (ticker, date), first "
            f"({r['norm']}, {r['date']})"
        )
    return data.select(
        pl.col("norm").alias("ticker"),
        "date",
        *[pl.col(f"n_{col}").alias(col) for col in PRICE_COLUMNS],
        "source",
    )


def _report(data: pl.DataFrame, mask: pl.Expr, what: str, col: str, problems: list[str]) -> None:
    """One problem line per file and kind: its count and its first rows ("a file of 36 bad
    dates" is one line, not 36)."""
    bad = data.filter(mask).select("file", "line", col)
    for (file,), rows in bad.group_by(["file"], maintain_order=True):
        first = rows.head(3).iter_rows(named=True)
        if rows.height == 1:
            r = rows.row(0, named=True)
            problems.append(f"{file}:{r['line']}: {what} {r[col]!r}")
            continue
        shown = ", ".join(f"line {r['line']} {r[col]!r}" for r in first)
        more = f", and {rows.height - 3} more" if rows.height > 3 else ""
        problems.append(f"{file}: {rows.height} rows: {what}; {shown}{more}")


def _tickers_by_name(con: duckdb.DuckDBPyConnection, names: list[str]) -> dict[str, str]:
    """Spelling -> primary ticker of the one listed issuer whose alias it is."""
    from screener.text import fold

    if not names:
        return {}
    folded: dict[str, list[str]] = {}
    for n in names:
        folded.setdefault(fold(n.strip()), []).append(n)
    rows = con.execute(
        """
        select a.folded, first(l.ticker order by l.is_primary desc, l.ticker),
               count(distinct a.company_id)
        from aliases a join listings l using (company_id)
        where a.folded in (select unnest($names))
        group by a.folded
        """,
        {"names": list(folded)},
    ).fetchall()
    return {raw: t for f, t, n in rows if n == 1 for raw in folded[f]}


def load_signals(
    db_path: Path,
    files: list[Path],
    source: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    columns: dict[str, str] | None = None,
) -> MarketData:
    """Validate then load signals and prices in one transaction (existing keys are replaced).
    Returns what was loaded."""
    from screener.lock import writer_lock

    with writer_lock(db_path):
        data = read_market_files(files, db_path, source, progress=progress, columns=columns)
        _write(db_path, data)
    return data


def derive_signals(db_path: Path) -> int:
    """Replace the derived signals (source ``derived``) with ``derived_signals()`` computed
    from the prices table, in one transaction. Returns how many values it wrote."""
    from screener import catalog
    from screener import db as dbm
    from screener.lock import writer_lock

    with writer_lock(db_path):
        con = dbm.connect(db_path)
        try:
            keeper = catalog.Keeper(db_path)
            dbm.check_schema(con, db_path)
            n_prices = con.execute("select count(*) from prices").fetchall()[0][0]
            if not n_prices:
                raise UsageError(
                    "no prices loaded: load a daily-price export first (screener signals load)"
                )
            with (
                dbm.sql_errors(f"{db_path}: deriving signals failed, database unchanged"),
                dbm.transaction(con),
            ):
                con.execute("delete from signals where source = 'derived'")
                con.execute(
                    "insert into signals by name select ticker, as_of, signal, value, "
                    "'derived' as source from derived_signals() order by as_of"
                )
                n = con.execute("select count(*) from signals where source = 'derived'").fetchall()
            fine = keeper.fine()
            keeper.keep(con, catalog.derived(con, fine) if fine is not None else None)
            return int(n[0][0])
        finally:
            con.close()


def _write(db_path: Path, data: MarketData) -> None:
    from screener import db as dbm
    from screener.catalog import Keeper

    con = dbm.connect(db_path)
    try:
        keeper = Keeper(db_path)
        fine = keeper.fine(con) if data.signals.height else None
        dbm.check_schema(con, db_path)
        with (
            dbm.sql_errors(f"{db_path}: loading failed, database unchanged"),
            dbm.transaction(con),
        ):
            if data.signals.height:
                fine = _write_signals(con, data.signals, fine)
            if data.prices.height:
                con.register("_px", data.prices.to_arrow())
                con.execute(
                    "delete from prices using _px where prices.ticker = _px.ticker "
                    "and prices.date = _px.date"
                )
                con.execute("insert into prices by name select * from _px")
                con.unregister("_px")
        if data.signals.height:
            keeper.keep(con, fine)
        else:  # prices only: what `signals list` shows is unchanged
            keeper.carry(con)
    finally:
        con.close()


def _write_signals(
    con: duckdb.DuckDBPyConnection, data: pl.DataFrame, fine: pl.DataFrame | None
) -> pl.DataFrame | None:
    """Replace the keys ``data`` brings. Returns ``fine`` (the kept fine catalog of the table
    before, screener/catalog.py) updated with what was deleted and inserted, or None."""
    from screener import catalog

    gone = catalog.replaced(con, fine, data) if fine is not None else None
    con.register("_sig", data.to_arrow())
    con.execute(
        "delete from signals using _sig where signals.ticker = _sig.ticker "
        "and signals.as_of = _sig.as_of and signals.signal = _sig.signal"
    )
    con.execute(  # in date order: see sql/14_signals.sql
        "insert into signals select ticker, as_of, signal, value, source from _sig order by as_of"
    )
    con.unregister("_sig")
    if fine is None or gone is None:
        return None
    return catalog.updated(con, fine, gone, data)
