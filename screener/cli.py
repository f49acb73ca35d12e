"""Command line: parse options, open the database, call the library, render. Nothing else.

Heavy modules (duckdb, polars, the extractor) are imported inside the commands so that
``screener --help`` starts fast.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from screener.errors import ExitCode, NotFoundError, ScreenerError, UsageError

HELP = {"help_option_names": ["-h", "--help"]}
app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings=HELP,
    help="AI-capex supply-chain beneficiary screener: themes -> listed tickers, with evidence.",
)
signals_app = typer.Typer(
    no_args_is_help=True, context_settings=HELP, help="Load and inspect investment signals."
)
app.add_typer(signals_app, name="signals")

DbOpt = Annotated[
    Path | None,
    typer.Option(
        "--db",
        help="Database file (default: $SCREENER_DB or ./screener.duckdb).",
        show_default=False,
    ),
]
FormatOpt = Annotated[
    str | None,
    typer.Option("--format", "-f", help="Output format: table, csv or json (parquet with --out)."),
]
OutOpt = Annotated[
    Path | None,
    typer.Option(
        "--out", "-o", help="Write to FILE; format from its suffix (.csv .json .parquet .txt)."
    ),
]
AsOfOpt = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        help="Point in time YYYY-MM-DD: only documents published and signals dated by then.",
    ),
]
ThemeOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--theme",
        "-t",
        help="Theme id (repeatable): idc, power, liquid_cooling, switches, optical_modules, servers, copper_interconnect, chips.",
    ),
]
WeightsOpt = Annotated[
    str | None,
    typer.Option(
        "--weights",
        help="Component weights, e.g. exposure=1,momentum=0.5,pe_ttm=-0.2 (default in screener/data/scoring.toml).",
    ),
]
SignalsOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--signals", help="Signal file (CSV/Parquet) joined for this command only (repeatable)."
    ),
]


# --db given before the command ("screener --db x.duckdb screen"); a command's own wins
_GLOBAL: dict[str, Any] = {}


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        typer.echo(f"screener {version('screener')}")
        raise typer.Exit()


@app.callback()
def _root(
    db: DbOpt = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No progress bars on long work.")
    ] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """AI-capex supply-chain beneficiary screener: themes -> listed tickers, with evidence."""
    _GLOBAL.clear()
    _GLOBAL.update(db=db, quiet=quiet)


MarketOpt = Annotated[
    list[str] | None, typer.Option("--market", help="Market (repeatable): A, HK, US or TW.")
]
ExchangeOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--exchange",
        help="Exchange (repeatable): SSE, SZSE, BSE, HKEX, NASDAQ, NYSE, TWSE, TPEx.",
    ),
]
MinDocsOpt = Annotated[
    int,
    typer.Option("--min-docs", help="Only tickers named as a supplier in at least N documents."),
]
TopOpt = Annotated[int | None, typer.Option("--top", help="Show the first N rows.")]


def _db(path: Path | None) -> Path:
    from screener.db import default_db_path

    return path or _GLOBAL.get("db") or default_db_path()


def _explicit_db(path: Path | None) -> bool:
    """A database named by --db or $SCREENER_DB (not the default ./screener.duckdb)."""
    return bool(path or _GLOBAL.get("db") or os.environ.get("SCREENER_DB"))


def _say(msg: str) -> None:
    typer.echo(msg, err=True)


def _fail(e: ScreenerError) -> NoReturn:
    # one problem a line: only a list of problems spans lines; a newline inside a value (a file
    # name) is shown escaped, so it cannot forge a second error line
    text = str(e) if e.multiline else str(e).replace("\n", "\\n")
    lines = text.splitlines() or [type(e).__name__]
    for line in lines:
        typer.echo(f"screener: error: {line}", err=True)
    raise typer.Exit(int(e.exit_code))


@contextmanager
def _progress(label: str) -> Iterator[Any]:
    """A progress bar on stderr for long work, given to the library as a (done, total)
    callback; None (no bar) when stderr is not a terminal or with --quiet."""
    if _GLOBAL.get("quiet") or not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    with Progress(
        f"[progress.description]{label}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def _read_stdin() -> bytes:
    """The bytes of standard input, at most the document size limit + 1 (the reader refuses
    more); a terminal is refused rather than waited on."""
    from screener.corpus import MAX_BYTES

    if sys.stdin is None or sys.stdin.isatty():
        _fail(
            UsageError(
                "`-` reads a document from standard input; pipe one in (… | screener ingest -)"
            )
        )
    return sys.stdin.buffer.read(MAX_BYTES + 1)


def _run(fn: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return fn(*args, **kwargs)
    except ScreenerError as e:
        _fail(e)


def _output(df: Any, fmt: str | None, out: Path | None) -> None:
    from screener.render import emit

    text = _run(emit, df, fmt, out)
    if text is None:
        _say(f"wrote {df.height} rows to {out}")
    else:
        sys.stdout.write(text)


def _open(ctx: typer.Context, db: Path | None) -> Any:
    """The database, closed when the command ends. The default one is built from the bundled
    data first if it does not exist; a database named by --db or $SCREENER_DB must exist (a
    misspelt name is an error, not a new empty database)."""
    from screener.api import Database
    from screener.db import build as build_db
    from screener.errors import DatabaseError

    path = _db(db)
    if not path.exists():
        if _explicit_db(db):
            _fail(
                DatabaseError(
                    f"{path}: no such database (create it with `screener build --db {path}`)"
                )
            )
        _say(f"building {path} from the bundled data ...")
        _run(build_db, path)
    database = Database(path)
    ctx.call_on_close(database.close)
    return database


@app.command()
def build(
    db: DbOpt = None,
    fresh: Annotated[
        bool,
        typer.Option(
            "--fresh", help="Drop your ingested documents and loaded signals (says how many)."
        ),
    ] = False,
) -> None:
    """Rebuild the database from the bundled data, atomically, keeping your data.

    The new database is written beside the old one and swapped in when complete, so a
    killed build leaves the previous database whole. Documents you ingested (re-extracted
    with the current reference data) and signals you loaded are carried over; if the old
    database cannot be read the build stops and changes nothing. --fresh drops them and
    says how many.

    Example: screener build --db research.duckdb
    """
    from screener.db import build as build_db

    with _progress("re-extracting your documents") as progress:
        r = _run(build_db, _db(db), keep_ingested=not fresh, progress=progress)
    for table, n in r.dropped.items():
        what = "ingested documents" if table == "documents" else f"rows of {table}"
        _say(f"--fresh: dropped {n} {what}")
    kept = "".join(f", {n} {t} rows kept" for t, n in r.kept.items() if n)
    _say(
        f"built {r.path}: {r.documents} documents ({r.carried_over} carried over), {r.companies} companies, "
        f"{r.listings} listings, {r.links} links, {r.capex} capex facts{kept}"
    )


@app.command()
def ingest(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="Files or folders of documents: text, Markdown, HTML, PDF, Word (.docx); "
            "- reads one from standard input.",
            show_default=False,
        ),
    ],
    db: DbOpt = None,
    published: Annotated[
        str | None,
        typer.Option(
            "--published",
            help="Publication date YYYY-MM-DD of these documents (default: the file's metadata, "
            "else a dateline in its first lines, else today).",
        ),
    ] = None,
    title: Annotated[
        str | None,
        typer.Option("--title", help="Title (default: the file's metadata, else its first line)."),
    ] = None,
    publisher: Annotated[
        str | None,
        typer.Option(
            "--publisher", help="Publisher (default: the broker the document names most)."
        ),
    ] = None,
) -> None:
    """Add documents to the database in one transaction (idempotent by content hash).

    Formats are told by content: plain text (UTF-8/16, GB18030, Big5), Markdown (YAML front
    matter gives title, date, source), HTML pages (the article, not the navigation; title and
    date from the page metadata), PDF (text per page, tables kept as rows; scanned or
    encrypted PDFs are refused) and Word .docx. A changed file at a path already ingested
    replaces its old version. Files that cannot be read are reported and skipped; the exit
    code is non-zero if nothing was ingested.

    Example: screener ingest reports/ note.pdf page.html --published 2026-03-20
    """
    from screener.db import ingest as ingest_db
    from screener.options import parse_date

    d = _run(parse_date, published, "--published")
    path = _db(db)
    if not path.exists():
        _say(f"building {path} from the bundled data ...")
    stdin = _read_stdin() if any(str(p) == "-" for p in paths) else None
    with _progress("reading documents") as progress:
        r = _run(
            ingest_db,
            path,
            paths,
            published_on=d,
            title=title,
            publisher=publisher,
            stdin=stdin,
            progress=progress,
        )
    for msg in r.failed:
        _say(f"screener: skipped: {msg}")
    for p in r.unchanged:
        _say(f"unchanged: {p}")
    _say(
        f"ingested {r.ingested} documents ({len(r.added)} new, {len(r.replaced)} replaced, {len(r.unchanged)} unchanged, {len(r.failed)} skipped)"
    )
    if r.failed:
        raise typer.Exit(int(ExitCode.INPUT) if not r.ingested and not r.unchanged else 0)


@app.command()
def screen(
    ctx: typer.Context,
    theme: ThemeOpt = None,
    market: MarketOpt = None,
    exchange: ExchangeOpt = None,
    min_docs: MinDocsOpt = 1,
    top: TopOpt = None,
    as_of: AsOfOpt = None,
    weights: WeightsOpt = None,
    signals: SignalsOpt = None,
    db: DbOpt = None,
    fmt: FormatOpt = None,
    out: OutOpt = None,
) -> None:
    """Rank listed beneficiaries: exposure from the documents joined with your signals.

    score = sum over components of weight x z-score (cross-sectional, over the screened
    tickers; a missing value scores 0, the mean). Builds the bundled database if none exists.

    Example: screener screen --theme optical_modules --weights exposure=1,momentum=0.5 --signals my.csv
    """
    d = _open(ctx, db)
    df = _run(
        d.screen,
        theme=theme,
        market=market,
        exchange=exchange,
        min_docs=min_docs,
        top=top,
        as_of=as_of,
        weights=weights,
        signals=signals,
    )
    _output(df, fmt, out)


@app.command()
def explain(
    ctx: typer.Context,
    ticker: Annotated[
        str,
        typer.Argument(
            help="Ticker in any usual form (300308.SZ, 300308, 9698.HK, HKG:9698, GDS.O, 2330.TW) or a company name (中际旭创, Innolight)."
        ),
    ],
    theme: ThemeOpt = None,
    as_of: AsOfOpt = None,
    weights: WeightsOpt = None,
    signals: SignalsOpt = None,
    db: DbOpt = None,
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            help="table (the report) or json (all of it); csv, jsonl or parquet give the "
            "evidence rows.",
        ),
    ] = None,
    out: OutOpt = None,
) -> None:
    """Why a ticker is on the list: its documents, the quoted evidence, each part of the score.

    Example: screener explain 300308 --format json
    """
    import polars as pl

    from screener.render import format_for, json_text, write_file

    f = _run(format_for, fmt, out)
    d = _open(ctx, db)
    r = _run(d.explain, ticker, theme=theme, as_of=as_of, weights=weights, signals=signals)
    if f in ("table", "json"):
        text = json_text(r) if f == "json" else _explain_text(r)
        if out is None:
            sys.stdout.write(text)
        else:
            _run(write_file, out, lambda tmp: tmp.write_text(text, encoding="utf-8"))
            _say(f"wrote the explanation of {r['ticker']} to {out}")
        return
    head = {k: r[k] for k in ("ticker", "name_zh", "name_en", "rank", "score")}
    rows = [{**head, **e} for e in r["evidence"]]
    _output(pl.DataFrame(rows) if rows else pl.DataFrame(schema=list(head)), f, out)


def _explain_text(r: dict[str, Any]) -> str:
    import polars as pl

    from screener.render import to_text

    name = " / ".join(x for x in (r["name_zh"], r["name_en"]) if x)
    lines = [
        f"{r['ticker']}  {name}  ({r['category']})",
        f"as of {r['as_of']}: rank {r['rank']}, score {r['score']}"
        if r["rank"]
        else f"as of {r['as_of']}: not ranked (no supplier evidence)",
        "",
    ]
    lines.append("listings:")
    lines.append(to_text(pl.DataFrame(r["listings"]), "table"))
    if r["components"]:
        lines.append("score = sum of contributions (value = z-score across the screened tickers):")
        lines.append(to_text(pl.DataFrame(r["components"]), "table"))
        lines.append("exposure = sum of its parts' contributions:")
        lines.append(to_text(pl.DataFrame(r["exposure_parts"]), "table"))
    lines.append(f"evidence ({len(r['evidence'])} links):")
    if r["evidence"]:
        ev = pl.DataFrame(r["evidence"])
        cols = [
            "published_on",
            "doc_id",
            "page",
            "theme",
            "role",
            "evidence",
            "confidence",
            "snippet",
        ]
        # the page column only when some evidence comes from a paged document (a PDF)
        ev = ev.select([c for c in cols if c != "page" or ev["page"].is_not_null().any()])
        lines.append(to_text(ev, "table"))
    if r["capex"]:
        lines.append("capex facts in the documents naming it as a supplier:")
        lines.append(
            to_text(
                pl.DataFrame(r["capex"]).select(
                    "published_on", "spender", "period", "usd_bn", "qualifier", "scope"
                ),
                "table",
            )
        )
    return "\n".join(lines)


@app.command()
def themes(
    ctx: typer.Context,
    ticker: Annotated[
        str | None,
        typer.Option("--ticker", help="Show the themes of this stock instead (stock -> themes)."),
    ] = None,
    as_of: AsOfOpt = None,
    db: DbOpt = None,
    fmt: FormatOpt = None,
    out: OutOpt = None,
) -> None:
    """The capex themes with the companies and tickers the documents name as suppliers.

    Example: screener themes --ticker 300308
    """
    d = _open(ctx, db)
    _output(_run(d.themes, as_of=as_of, ticker=ticker), fmt, out)


@app.command()
def capex(
    ctx: typer.Context,
    spender: Annotated[
        str | None,
        typer.Option(
            "--spender", help="Filter by spender name or company id (e.g. 阿里巴巴, Meta, alibaba)."
        ),
    ] = None,
    as_of: AsOfOpt = None,
    top: Annotated[
        int | None, typer.Option("--top", help="Only the N latest figures (by publication date).")
    ] = None,
    db: DbOpt = None,
    fmt: FormatOpt = None,
    out: OutOpt = None,
) -> None:
    """Capex figures from the documents: who spends how much, for which period.

    Amounts are normalised to CNY (cny_yi, 亿元) and USD (usd_bn) through screener/data/fx.csv.

    Example: screener capex --spender alibaba --format csv
    """
    d = _open(ctx, db)
    if top is not None and top < 1:
        _fail(UsageError(f"--top {top}: expected a whole number of at least 1"))
    df = _run(d.capex, as_of=as_of, spender=spender)
    _output(df.tail(top) if top is not None else df, fmt, out)


@app.command()
def companies(
    ctx: typer.Context,
    query: Annotated[
        str,
        typer.Argument(
            help="Name, alias or code in any script: 中际旭创, 中際旭創, Innolight, 300308."
        ),
    ],
    limit: Annotated[int, typer.Option("--limit", help="Show at most N companies.")] = 20,
    db: DbOpt = None,
    fmt: FormatOpt = None,
    out: OutOpt = None,
) -> None:
    """Find issuers by name, alias or code: listings, the alias that matched, themes.

    With a single match the table is followed by every alias of the company, with its kind
    and where it comes from.

    Example: screener companies 旭创
    """
    d = _open(ctx, db)
    df = _run(d.companies, query, limit)
    if df.height == 0:
        _fail(NotFoundError(f"no company matches {query!r}"))
    _output(df, fmt, out)
    if df.height == 1 and out is None and (fmt or "table") == "table":
        from screener.render import to_text

        sys.stdout.write("\naliases:\n" + to_text(d.aliases_of(df["company_id"][0]), "table"))


@app.command()
def query(
    ctx: typer.Context,
    sql: Annotated[
        str | None,
        typer.Argument(
            help="SQL to run read-only; - reads it from standard input.", show_default=False
        ),
    ] = None,
    file: Annotated[
        Path | None, typer.Option("--file", help="Read the SQL from this file.", show_default=False)
    ] = None,
    timeout: Annotated[
        float, typer.Option("--timeout", help="Stop the query after this many seconds.")
    ] = 60.0,
    db: DbOpt = None,
    fmt: FormatOpt = None,
    out: OutOpt = None,
) -> None:
    """Run one SQL statement against the database, read-only and sandboxed.

    Only SELECT, EXPLAIN and PRAGMA run; the statement can read the database and nothing
    else (no files, no extensions) and is stopped after --timeout seconds.

    Example: screener query "select theme, count(*) from exposure group by theme"
    """
    if (sql is None) == (file is None):
        _fail(
            UsageError("query: give the SQL as an argument, - for standard input, or --file FILE")
        )
    if file is not None:
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            _fail(UsageError(f"--file {file}: cannot read: {getattr(e, 'strerror', None) or e}"))
    elif sql == "-":
        text = sys.stdin.read()
    else:
        text = str(sql)
    d = _open(ctx, db)
    _output(_run(d.query, text, timeout=timeout), fmt, out)


@app.command()
def export(
    ctx: typer.Context,
    name: Annotated[
        str,
        typer.Argument(
            help="Table or view: exposure, links, mentions, capex, companies, listings, screen, ..."
        ),
    ],
    out: Annotated[
        Path,
        typer.Option(
            "--out", "-o", help="File to write; format from its suffix (.csv .json .parquet)."
        ),
    ],
    as_of: AsOfOpt = None,
    theme: ThemeOpt = None,
    market: MarketOpt = None,
    exchange: ExchangeOpt = None,
    min_docs: MinDocsOpt = 1,
    top: TopOpt = None,
    weights: WeightsOpt = None,
    signals: SignalsOpt = None,
    db: DbOpt = None,
    fmt: FormatOpt = None,
) -> None:
    """Write a table or view to a file (CSV, JSON, JSON Lines or Parquet).

    `export screen` takes the options of `screen` (--theme, --market, --weights ...).

    Example: screener export screen --theme power --top 20 --out power.parquet
    """
    d = _open(ctx, db)
    screen_options = {
        "theme": theme,
        "market": market,
        "exchange": exchange,
        "top": top,
        "weights": weights,
        "signals": signals,
    }
    if min_docs != 1:
        screen_options["min_docs"] = min_docs
    _output(_run(d.export, name, as_of=as_of, **screen_options), fmt, out)


@app.command()
def report(
    ctx: typer.Context,
    out: Annotated[
        Path, typer.Option("--out", "-o", help="The HTML file to write (one file, opens offline).")
    ],
    as_of: AsOfOpt = None,
    theme: ThemeOpt = None,
    weights: WeightsOpt = None,
    db: DbOpt = None,
) -> None:
    """One offline HTML page: capex flows, the exposure map, the ranking with its evidence.

    Charts (plotly, inlined: no network needed): spenders -> themes -> suppliers as a
    Sankey, a theme x ticker heatmap, when each supplier was first and last named, the capex
    series per spender; the ranking with each component and links to the quoted evidence.

    Example: screener report --theme power --as-of 2026-06-30 --out power.html
    """
    from screener.render import write_file

    d = _open(ctx, db)
    page = _run(d.report, as_of=as_of, theme=theme, weights=weights)
    _run(write_file, out, lambda tmp: tmp.write_text(page, encoding="utf-8"))
    _say(f"wrote {out} ({len(page.encode()) // 1024} KiB)")


@app.command()
def backtest(
    ctx: typer.Context,
    start: Annotated[
        str | None,
        typer.Option(
            "--start",
            metavar="DATE",
            help="First rebalance on or after this day (default: the first price).",
        ),
    ] = None,
    end: Annotated[
        str | None,
        typer.Option("--end", metavar="DATE", help="Last day (default: the last price)."),
    ] = None,
    every: Annotated[
        str,
        typer.Option(
            "--every",
            metavar="PERIOD",
            help="Rebalance on the last trading day of each week, month or quarter.",
        ),
    ] = "month",
    top: Annotated[int, typer.Option("--top", metavar="N", help="Names in the basket.")] = 10,
    weighting: Annotated[
        str, typer.Option("--weighting", metavar="HOW", help="equal or score.")
    ] = "equal",
    cap: Annotated[
        float | None,
        typer.Option("--cap", metavar="W", help="Largest weight of one name, e.g. 0.2."),
    ] = None,
    theme: ThemeOpt = None,
    weights: WeightsOpt = None,
    benchmark: Annotated[
        Path | None,
        typer.Option(
            "--benchmark",
            metavar="FILE",
            help="A date,close series (e.g. CSI 300); default: the equal-weighted universe.",
        ),
    ] = None,
    db: DbOpt = None,
    fmt: FormatOpt = None,
    out: OutOpt = None,
) -> None:
    """Backtest the screen point in time: does a theme basket pay, and what did names do after
    the first document named them?

    On each rebalance date the basket is the screen's top N with only the documents and
    signals known that day; it is held to the next rebalance at the loaded prices. Prints the
    summary, each theme's contribution, the event study and the periods; --out writes the
    periods.

    Example: screener backtest --theme optical_modules --top 5 --every month --cap 0.3
    """
    from screener.render import to_text

    d = _open(ctx, db)
    with _progress("backtesting") as progress:
        r = _run(
            d.backtest,
            progress=progress,
            start=start,
            end=end,
            every=every,
            top=top,
            weighting=weighting,
            cap=cap,
            theme=theme,
            weights=weights,
            benchmark=benchmark,
        )
    if out is not None or (fmt not in (None, "table")):
        _output(r.periods, fmt, out)
        return
    sys.stdout.write(
        "summary:\n"
        + to_text(r.summary, "table")
        + "\ncontribution by theme:\n"
        + to_text(r.themes, "table")
        + "\nafter the first document naming a supplier "
        "(excess over the equal-weighted universe):\n"
        + to_text(r.events, "table")
        + "\nperiods:\n"
        + to_text(r.periods.drop("basket"), "table")
    )


@signals_app.command("load")
def signals_load(
    ctx: typer.Context,
    files: Annotated[
        list[Path],
        typer.Argument(
            help="CSV or Parquet files: signals long (ticker,as_of,signal,value) or wide "
            "(ticker,as_of,<signal>...), or daily prices (AkShare, Tushare, Baostock, yfinance "
            "exports)."
        ),
    ],
    source: Annotated[
        str | None,
        typer.Option(
            "--source", help="Source label stored with the values (default: the file name)."
        ),
    ] = None,
    mapping: Annotated[
        list[str] | None,
        typer.Option(
            "--map",
            metavar="COLUMN=NAME",
            help="Read a column under one of our names (ticker, as_of, close, volume ...); "
            "repeatable.",
        ),
    ] = None,
    db: DbOpt = None,
) -> None:
    """Validate and load signals and daily prices; a file with any problem loads nothing.

    Column names of the usual exports are known (日期/股票代码/收盘 of AkShare, ts_code and
    trade_date of Tushare, sh.600000 codes of Baostock, Date/Close of yfinance); dates as
    YYYY-MM-DD or YYYYMMDD; codes that lost their leading zeros are read as A-share codes.
    Prices go to the prices table (screener signals derive computes signals from them).

    Example: screener signals load akshare_daily.csv --source akshare
    """
    from screener.signals import load_signals

    columns: dict[str, str] = {}
    for m in mapping or []:
        col, eq, name = m.partition("=")
        if not eq or not col.strip() or not name.strip():
            _fail(UsageError(f"--map {m!r}: expected COLUMN=NAME, e.g. --map 收盘价=close"))
        columns[col.strip()] = name.strip()
    path = _open(ctx, db).path
    with _progress("reading signal files") as progress:
        r = _run(load_signals, path, files, source, progress=progress, columns=columns)
    loaded = []
    if r.signals.height or not r.prices.height:
        loaded.append(f"{r.signals.height} signal values")
    if r.prices.height:
        loaded.append(
            f"{r.prices.height} daily prices of {r.prices['ticker'].n_unique()} tickers "
            f"({r.prices['date'].min()} to {r.prices['date'].max()})"
        )
    _say(f"loaded {' and '.join(loaded)} into {path}")


@signals_app.command("derive")
def signals_derive(ctx: typer.Context, db: DbOpt = None) -> None:
    """Compute momentum, volatility, drawdown and turnover signals from the loaded prices.

    Point in time: the value on a day uses only prices up to that day. momentum_20/60/120 =
    close / close n trading days earlier - 1; volatility_20 = stdev of the last 20 daily
    returns x sqrt(252); drawdown_120 = close / highest close of the last 120 days - 1;
    turnover_20 = mean turnover of the last 20 days. They replace earlier derived values
    (source 'derived') and are ranked like any signal (--weights momentum_60=0.5).

    Example: screener signals derive
    """
    from screener.signals import derive_signals

    path = _open(ctx, db).path
    n = _run(derive_signals, path)
    _say(f"derived {n} signal values from the prices in {path}")


@signals_app.command("list")
def signals_list(
    ctx: typer.Context, db: DbOpt = None, fmt: FormatOpt = None, out: OutOpt = None
) -> None:
    """The loaded signals: name, source, tickers, date range.

    Example: screener signals list
    """
    d = _open(ctx, db)
    df = _run(d.signal_catalog)
    _output(df, fmt, out)


def _interrupted(e: BaseException) -> NoReturn:
    from screener.db import COMMITTED

    state = (
        "the changes committed before it are in the database"
        if COMMITTED
        else "nothing was changed"
    )
    print(f"screener: interrupted; {state}", file=sys.stderr)
    sys.exit(int(ExitCode.INTERRUPTED))


def _terminate(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # SIGTERM ends a command the way Ctrl-C does: cleanly, exit 130


# what a value is, shown in help instead of the Python type (<list[str]>, <path>, {paths})
METAVARS = {
    "db": "FILE",
    "out": "FILE",
    "file": "FILE",
    "signals": "FILE",
    "as_of": "DATE",
    "published": "DATE",
    "theme": "THEME",
    "market": "MARKET",
    "exchange": "EXCHANGE",
    "min_docs": "N",
    "top": "N",
    "weights": "NAME=W,...",
    "fmt": "FORMAT",
    "timeout": "SECONDS",
}


def command() -> Any:
    """The click command of the app, its help showing what each value is rather than its
    Python type: option values by a metavar, arguments by their name."""
    from typer.core import TyperArgument, TyperOption

    cmd = typer.main.get_command(app)

    def tidy(c: Any) -> None:
        for p in c.params:
            if isinstance(p, TyperOption) and not p.is_flag and p.metavar is None:
                p.metavar = METAVARS.get(p.name or "", (p.name or "value").upper())
            elif isinstance(p, TyperArgument):
                name = (p.name or "value").upper()
                many = p.nargs != 1
                # typer braces an argument's name in the usage line ({paths}...); the name
                # alone says it
                shown = name + ("..." if many else "")
                p.get_usage_pieces = lambda ctx, shown=shown: [shown]  # type: ignore[method-assign,misc]
        for sub in getattr(c, "commands", {}).values():
            # the command list shows each command's whole first sentence, not a cut one
            if sub.help and not sub.short_help:
                sub.short_help = " ".join(sub.help.strip().split("\n\n")[0].split())
            tidy(sub)

    tidy(cmd)
    return cmd


def main() -> None:
    import signal

    signal.signal(signal.SIGTERM, _terminate)
    from typer.exceptions import TyperException

    try:
        code = command().main(prog_name="screener", standalone_mode=False)
    except TyperException as e:  # the parser's usage errors, as the project's one line
        ctx = getattr(e, "ctx", None)
        if type(e).__name__ == "NoArgsIsHelpError" and ctx is not None:
            print(ctx.get_help())
        else:
            print(f"screener: error: {' '.join(e.format_message().split())}", file=sys.stderr)
        sys.exit(int(ExitCode.USAGE))
    except KeyboardInterrupt as e:
        _interrupted(e)
    except ScreenerError as e:  # raised outside a command's own handling
        for line in str(e).splitlines():
            print(f"screener: error: {line}", file=sys.stderr)
        sys.exit(int(e.exit_code))
    except Exception as e:  # a bug: say what, not a traceback, unless asked
        from screener.db import interrupted

        if interrupted(e):  # Ctrl-C inside a DuckDB statement
            _interrupted(e)
        if os.environ.get("SCREENER_DEBUG"):
            raise
        print(f"screener: internal error: {type(e).__name__}: {e}", file=sys.stderr)
        sys.exit(int(ExitCode.ERROR))
    if code == int(ExitCode.INTERRUPTED):  # the parser turns Ctrl-C into exit 130
        _interrupted(KeyboardInterrupt())
    sys.exit(code if isinstance(code, int) else 0)
