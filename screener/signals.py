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

from collections.abc import Callable
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


def read_signals(
    files: list[Path],
    db_path: Path,
    source: str | None = None,
    con: duckdb.DuckDBPyConnection | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> pl.DataFrame:
    """Read and validate signal files; raise SignalsError listing every problem."""
    from screener import db as dbm

    problems: list[str] = []
    parts = []
    for i, f in enumerate(files, 1):
        df = _read(f)
        long = _long(f, df, source or f.stem, problems)
        if long is not None:
            parts.append(long.with_columns(pl.lit(str(f)).alias("file")))
        if progress is not None:
            progress(i, len(files))
    if problems and not parts:
        raise SignalsError(problems)
    if not parts:
        raise UsageError("no signal files given")
    data = pl.concat(parts)

    # tickers: normalise each distinct spelling once
    mapping: dict[str, str | None] = {}
    for raw in data["ticker"].drop_nulls().unique().to_list():
        try:
            mapping[raw] = normalise_ticker(raw)
        except UsageError:
            mapping[raw] = None
    if data.height == 0:
        raise SignalsError(
            [
                f"{', '.join(str(f) for f in files)}: no signal values (only a header, or blank cells)"
            ]
        )
    data = data.with_columns(
        pl.col("ticker").replace_strict(mapping, default=None, return_dtype=pl.String).alias("norm")
    )
    own = con is None
    c = con or dbm.connect(db_path, read_only=True)
    try:
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
    finally:
        if own:
            c.close()
    data = data.with_columns(
        pl.when(pl.col("norm").is_in(list(listed)))
        .then(pl.col("norm"))
        .otherwise(pl.col("norm").replace_strict(us, default=None, return_dtype=pl.String))
        .fill_null(pl.col("ticker").replace_strict(by_name, default=None, return_dtype=pl.String))
        .alias("norm")
    )
    data = data.with_columns(
        pl.col("as_of")
        .str.strip_chars()
        .str.to_date(format="%Y-%m-%d", strict=False)
        .alias("date"),
        pl.col("value").str.strip_chars().cast(pl.Float64, strict=False).alias("num"),
    )

    def report(mask: pl.Expr, what: str, col: str) -> None:
        bad = data.filter(mask).select("file", "line", col).head(MAX_REPORTED + 1)
        for r in bad.iter_rows(named=True):
            problems.append(f"{r['file']}:{r['line']}: {what} {r[col]!r}")

    report(
        pl.col("ticker").is_null() | (pl.col("ticker").str.strip_chars() == ""),
        "missing ticker",
        "ticker",
    )
    report(
        pl.col("ticker").is_not_null() & pl.col("norm").is_null(),
        "unknown ticker (not a listing in the database)",
        "ticker",
    )
    report(pl.col("date").is_null(), "as_of is not a date (expected YYYY-MM-DD)", "as_of")
    report(
        pl.col("num").is_null() | pl.col("num").is_nan() | pl.col("num").is_infinite(),
        "value is not a finite number",
        "value",
    )
    report(
        pl.col("signal").is_null() | (pl.col("signal").str.strip_chars() == ""),
        "missing signal name",
        "signal",
    )
    report(
        pl.col("signal").is_in(["exposure"]),
        "signal name is reserved for the document-derived component",
        "signal",
    )
    dup = data.filter(pl.col("norm").is_not_null() & pl.col("date").is_not_null()).filter(
        pl.struct("norm", "date", "signal").is_duplicated()
    )
    for r in dup.head(MAX_REPORTED).iter_rows(named=True):
        problems.append(
            f"{r['file']}:{r['line']}: duplicate (ticker, as_of, signal) = ({r['norm']}, {r['date']}, {r['signal']})"
        )
    if problems:
        raise SignalsError(problems)
    return data.select(
        pl.col("norm").alias("ticker"),
        pl.col("date").alias("as_of"),
        pl.col("signal").str.strip_chars(),
        pl.col("num").alias("value"),
        "source",
    )


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


def refresh_catalog(con: duckdb.DuckDBPyConnection) -> None:
    """Rebuild signal_catalog from signals (call after any bulk change to signals)."""
    con.execute("delete from signal_catalog")
    con.execute(
        "insert into signal_catalog select signal, source, count(distinct ticker), count(*), "
        "min(as_of), max(as_of) from signals group by signal, source"
    )


def load_signals(
    db_path: Path,
    files: list[Path],
    source: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Validate then load in one transaction (existing keys are replaced). Returns rows loaded."""
    from screener.lock import writer_lock

    with writer_lock(db_path):
        data = read_signals(files, db_path, source, progress=progress)
        _write_signals(db_path, data)
    return data.height


def _write_signals(db_path: Path, data: pl.DataFrame) -> None:
    from screener import db as dbm

    con = dbm.connect(db_path)
    try:
        dbm.check_schema(con, db_path)
        with (
            dbm.sql_errors(f"{db_path}: loading signals failed, database unchanged"),
            dbm.transaction(con),
        ):
            con.register("_sig", data.to_arrow())
            con.execute(
                "delete from signals using _sig where signals.ticker = _sig.ticker and signals.as_of = _sig.as_of and signals.signal = _sig.signal"
            )
            con.execute("insert into signals select ticker, as_of, signal, value, source from _sig")
            refresh_catalog(con)
    finally:
        con.close()
