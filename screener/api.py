"""The Python API: ``screener.open(path)`` -> ``Database``; every method returns polars.

The CLI is a thin layer over this class; a notebook gets the same results::

    import screener
    db = screener.open("screener.duckdb")
    db.screen(theme=["optical_modules"], as_of="2026-03-31", weights={"exposure": 1})
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from screener import db as dbm
from screener.errors import NotFoundError, UsageError
from screener.options import parse_date, parse_weights
from screener.text import fold
from screener.tickers import normalise_ticker

MARKETS = ("A", "HK", "US", "TW")
EXCHANGES = ("SSE", "SZSE", "BSE", "HKEX", "NASDAQ", "NYSE", "TWSE", "TPEx")
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def open(path: str | Path | None = None, build_if_missing: bool = True) -> Database:  # noqa: A001
    """Open a screener database (building the bundled one first if it does not exist)."""
    p = Path(path) if path is not None else dbm.default_db_path()
    if not p.exists():
        if not build_if_missing:
            raise dbm.DatabaseError(f"{p}: no database here (run `screener build` first)")
        dbm.build(p)
    return Database(p)


class Database:
    """A screener database, read-only. It keeps one DuckDB connection open (so repeated screens
    reuse DuckDB's cache); call ``close()``, or use ``with screener.open(...) as db:``, before
    another process writes to the file (``screener ingest``, ``build``)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._conn: duckdb.DuckDBPyConnection | None = None

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def cursor(self) -> Database:
        """Another handle on this open database, for another thread: a DuckDB cursor (its own
        connection to the same database instance, which one connection must not be shared
        across threads for). Close it when done; closing it leaves this one open."""
        with self._con() as con:
            other = Database(self.path)
            other._conn = con.cursor()
        return other

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---------------------------------------------------------------- plumbing

    @contextlib.contextmanager
    def _con(self) -> Iterator[duckdb.DuckDBPyConnection]:
        if self._conn is None:
            con = dbm.connect(self.path, read_only=True)
            try:
                dbm.check_schema(con, self.path)
            except BaseException:
                con.close()
                raise
            self._conn = con
        yield self._conn

    def _df(
        self, con: duckdb.DuckDBPyConnection, sql: str, params: Any = None, bulk: bool = False
    ) -> pl.DataFrame:
        with dbm.sql_errors(f"{self.path}"):
            return dbm.frame(con.sql(sql, params=params), bulk=bulk)

    def query(self, sql: str, timeout: float = dbm.DEFAULT_TIMEOUT) -> pl.DataFrame:
        """One read-only statement (SELECT, EXPLAIN, PRAGMA) in the sandbox: it can read the
        database only, leaves nothing behind, and is interrupted after ``timeout`` seconds."""
        if not timeout > 0:
            raise UsageError(f"--timeout {timeout!r}: expected a positive number of seconds")
        with self._con() as con:
            return dbm.run_query(con, sql, timeout=timeout)

    def signal_catalog(self) -> pl.DataFrame:
        """The ``signal_catalog`` view, one row per signal and source, ordered by both. The
        view groups every row of ``signals`` (0.8 s at 100 M rows): its result is kept between
        commands and kept current by the screener's writers (``screener.catalog``)."""
        from screener import catalog

        with self._con() as con:
            return catalog.read(con, self.path)

    def select(self, sql: str, params: dict[str, Any] | None = None) -> pl.DataFrame:
        """A SELECT with bound ``$name`` parameters (the library's own queries: the report)."""
        with self._con() as con:
            return self._df(con, sql, params)

    def report(
        self,
        as_of: str | date | None = None,
        theme: Sequence[str] | str | None = None,
        weights: str | dict[str, float] | None = None,
    ) -> str:
        """The one-page HTML report (see ``screener.report``)."""
        from screener.report import build_report

        themes = self._check_themes([theme] if isinstance(theme, str) else theme)
        return build_report(self, as_of=as_of, theme=themes or None, weights=weights)

    def backtest(
        self,
        start: str | date | None = None,
        end: str | date | None = None,
        every: str = "month",
        top: int = 10,
        weighting: str = "equal",
        cap: float | None = None,
        theme: Sequence[str] | str | None = None,
        weights: str | dict[str, float] | None = None,
        benchmark: str | Path | pl.DataFrame | None = None,
        progress: Any = None,
    ) -> Any:
        """A point-in-time backtest of the screen's top names, and an event study (see
        ``screener.backtest``); returns polars frames: periods, summary, themes, events."""
        from screener.backtest import backtest

        themes = self._check_themes([theme] if isinstance(theme, str) else theme)
        bench = Path(benchmark) if isinstance(benchmark, str) else benchmark
        return backtest(
            self,
            start=parse_date(start, "--start"),
            end=parse_date(end, "--end"),
            every=every,
            top=top,
            weighting=weighting,
            cap=cap,
            theme=themes or None,
            weights=weights,
            benchmark=bench,
            progress=progress,
        )

    def valid_themes(self) -> list[str]:
        with self._con() as con:
            return [r[0] for r in con.execute("select theme from themes order by theme").fetchall()]

    def _check_themes(self, themes: Sequence[str] | None) -> list[str]:
        if not themes:
            return []
        valid = self.valid_themes()
        bad = [t for t in themes if t not in valid]
        if bad:
            raise UsageError(f"unknown theme {bad[0]!r}; valid themes: {', '.join(valid)}")
        return list(dict.fromkeys(themes))

    @staticmethod
    def _check_choice(values: Sequence[str] | None, valid: Sequence[str], what: str) -> list[str]:
        out = []
        canonical = {x.upper(): x for x in valid}
        for v in values or []:
            if v.upper() not in canonical:
                raise UsageError(f"unknown {what} {v!r}; valid: {', '.join(valid)}")
            out.append(canonical[v.upper()])
        return out

    def resolve_ticker(self, raw: str) -> str:
        """A ticker in any form users type, or a company name in any script (中际旭创,
        中際旭創, Innolight, Zhongji Xuchuang) -> the Wind ticker of a listing in the database.
        A name several issuers share lists them (UsageError); an unlisted company is refused."""
        try:
            t: str | None = normalise_ticker(raw)
        except UsageError:
            t = None
        with self._con() as con:
            if t and "." not in t:  # a bare US symbol
                hits = con.execute(
                    "select ticker from listings where split_part(ticker, '.', 1) = ? and market = 'US'",
                    [t],
                ).fetchall()
                if len(hits) == 1:
                    return str(hits[0][0])
            elif t and con.execute("select 1 from listings where ticker = ?", [t]).fetchall():
                return t
            rows = con.execute(
                """
                select c.company_id, coalesce(c.name_zh, c.name_en) as name,
                       (select l.ticker from listings l where l.company_id = c.company_id
                        order by l.is_primary desc, l.ticker limit 1) as ticker
                from companies c
                where c.company_id in (select company_id from aliases where folded = ?)
                order by c.company_id
                """,
                [fold(raw.strip())],
            ).fetchall()
        if len(rows) > 1:
            shown = ", ".join(f"{name} ({tk or 'unlisted'})" for _, name, tk in rows[:8])
            raise UsageError(f"{raw!r} names {len(rows)} companies: {shown}; give a ticker")
        if rows:
            cid, name, ticker = rows[0]
            if ticker is None:
                raise NotFoundError(f"{raw!r} is {name} ({cid}), which has no listing")
            return str(ticker)
        what = f"ticker {raw!r} ({t})" if t else f"{raw!r}"
        raise NotFoundError(f"{what}: not a listing or company name in {self.path}")

    def companies(self, query: str, limit: int = 50) -> pl.DataFrame:
        """Issuers whose name, alias or code contains ``query`` (any script, any case): their
        listings, the alias that matched (with its kind) and their themes, best match first."""
        q = query.strip()
        if not q:
            raise UsageError("companies: give a name, alias or code to look for")
        code = q.upper()
        with self._con() as con:
            return self._df(
                con,
                """
                with hits as (
                    select company_id, alias as matched, kind,
                           case when folded = $f then 0 when starts_with(folded, $f) then 1 else 2 end as rank
                    from aliases where contains(folded, $f)
                    union all
                    select company_id, ticker, 'ticker', 0 from listings
                    where ticker = $c or split_part(ticker, '.', 1) = $c
                ),
                best as (select company_id, first(matched order by rank, matched) as matched,
                                first(kind order by rank, matched) as kind, min(rank) as rank
                         from hits group by company_id)
                select c.company_id, c.name_zh, c.name_en, c.category,
                       (select string_agg(l.ticker, ',' order by l.is_primary desc, l.ticker)
                        from listings l where l.company_id = c.company_id) as tickers,
                       b.matched, b.kind as matched_kind,
                       (select string_agg(distinct t.theme, ',' order by t.theme) from company_themes t
                        where t.company_id = c.company_id) as themes
                from best b join companies c using (company_id)
                order by b.rank, c.listed desc, c.company_id
                limit $n
                """,
                {"f": fold(q), "c": code, "n": limit},
            )

    def aliases_of(self, company_id: str) -> pl.DataFrame:
        """Every alias of one company with its kind and language."""
        with self._con() as con:
            return self._df(
                con,
                "select alias, kind, lang, ambiguous, source from aliases where company_id = ? "
                "order by kind, alias",
                [company_id],
            )

    # ---------------------------------------------------------------- reads

    def themes(self, as_of: str | date | None = None, ticker: str | None = None) -> pl.DataFrame:
        """Themes with their named suppliers; with ``ticker``, the themes of that stock."""
        d = parse_date(as_of) or date.max
        with self._con() as con:
            if ticker:
                t = self.resolve_ticker(ticker)
                return self._df(
                    con,
                    """
                    select th.theme, th.name_zh, th.name_en,
                           coalesce(e.docs, 0) as docs, e.best_evidence, e.first_seen, e.last_seen,
                           (ct.company_id is not null) as reference_theme
                    from themes th
                    left join exposure_asof($d) e on e.theme = th.theme and e.ticker = $t
                    left join (select distinct ct.company_id, ct.theme from company_themes ct
                               join listings li using (company_id) where li.ticker = $t) ct
                           on ct.theme = th.theme
                    where e.ticker is not null or ct.company_id is not null
                    order by docs desc, th.theme
                    """,
                    {"d": d, "t": t},
                )
            return self._df(
                con,
                """
                with sup as (
                    select l.theme, l.company_id, l.doc_id from links l join documents d using (doc_id)
                    where l.role = 'supplier' and l.theme is not null and d.published_on <= $d
                ),
                per_theme as (
                    select theme, count(distinct company_id) as companies, count(distinct doc_id) as docs
                    from sup group by theme
                ),
                listed as (
                    select theme, count(distinct ticker) as tickers,
                           string_agg(distinct coalesce(name_zh, name_en), '、' order by coalesce(name_zh, name_en)) as names
                    from exposure_asof($d) group by theme
                )
                select t.theme, t.name_zh, t.name_en, coalesce(p.companies, 0) as companies,
                       coalesce(l.tickers, 0) as tickers, coalesce(p.docs, 0) as docs, l.names
                from themes t left join per_theme p using (theme) left join listed l using (theme)
                order by t.theme
                """,
                {"d": d},
            )

    def capex(self, as_of: str | date | None = None, spender: str | None = None) -> pl.DataFrame:
        d = parse_date(as_of) or date.max
        with self._con() as con:
            df = self._df(
                con,
                """
                select published_on, spender, period, amount, currency, round(amount_cny / 1e8, 2) as cny_yi,
                       round(amount_usd / 1e9, 2) as usd_bn, qualifier, scope, amount_low, amount_high,
                       doc_id, snippet
                from capex_asof($d)
                where $s is null or spender ilike '%' || $s || '%' or spender_en ilike '%' || $s || '%'
                   or company_id = $s
                order by published_on, spender, period, scope desc, amount desc, doc_id, snippet
                """,
                {"d": d, "s": spender},
            )
        return df

    def screen(
        self,
        theme: Sequence[str] | str | None = None,
        market: Sequence[str] | str | None = None,
        exchange: Sequence[str] | str | None = None,
        min_docs: int = 1,
        top: int | None = None,
        as_of: str | date | None = None,
        weights: str | dict[str, float] | None = None,
        signals: Sequence[str | Path | pl.DataFrame] | str | Path | pl.DataFrame | None = None,
    ) -> pl.DataFrame:
        """The ranking: rank, ticker, names, themes, docs, score, then one column per component
        (its cross-sectional z-score; score = sum of z x weight)."""
        if top is not None and top < 1:
            raise UsageError(f"--top {top}: expected a whole number of at least 1")
        opts = (theme, market, exchange, min_docs, as_of, weights, signals)
        with self._screen_args(*opts) as (con, args):
            sql = (
                "select rank, ticker, name_zh, name_en, market, exchange, themes, docs, score, components "
                "from screen(as_of_date := $d, weights := $w, themes := $th, markets := $m, "
                "exchanges := $x, min_docs := $n, signal_table := $tbl, check_weights := false) "
                "order by rank"
            )
            if top:
                sql += " limit $top"
                args["top"] = top
            df = self._df(con, sql, args)
        return _wide(df)

    @contextlib.contextmanager
    def _screen_args(
        self,
        theme: Any,
        market: Any,
        exchange: Any,
        min_docs: int,
        as_of: Any,
        weights: Any,
        signals: Any,
    ) -> Iterator[tuple[duckdb.DuckDBPyConnection, dict[str, Any]]]:
        """Validate the screen's options and open a connection whose signal table (with any
        --signals files joined in) is ready; yields (connection, bound parameters)."""
        themes = self._check_themes([theme] if isinstance(theme, str) else theme)
        markets = self._check_choice(
            [market] if isinstance(market, str) else market, MARKETS, "market"
        )
        exchanges = self._check_choice(
            [exchange] if isinstance(exchange, str) else exchange, EXCHANGES, "exchange"
        )
        if min_docs < 1:
            raise UsageError(f"--min-docs {min_docs}: expected a whole number of at least 1")
        d = parse_date(as_of) or date.today()
        w = parse_weights(weights)
        given = [signals] if isinstance(signals, str | Path | pl.DataFrame) else list(signals or [])
        with self._con() as con, _as_files(given) as files:
            table = "signals"
            known: set[str] = set()
            if files:
                from screener.signals import read_signals

                extra = read_signals([Path(f) for f in files], self.path, con=con)
                known |= set(extra["signal"].unique().to_list())
                con.register("_cli_signals_file", extra.to_arrow())
                con.execute(
                    "create or replace temp view _cli_signals as select ticker, as_of, signal, value from signals "
                    "anti join _cli_signals_file using (ticker, as_of, signal) "
                    "union all select ticker, as_of, signal, value from _cli_signals_file"
                )
                table = "_cli_signals"
            # every weight must name a loaded signal (the defaults too: score_weights is a
            # table a user may edit). One early-exit probe per name - "select 1 ... limit 1"
            # stops at the first row of a loaded signal - instead of the distinct names of
            # the whole table (0.5 s on 20 M rows); those are read only to word the error.
            weighted = w if w is not None else self._default_weights(con)
            bad = [
                k
                for k in weighted
                if k != "exposure"
                and k not in known
                and not con.execute(
                    "select 1 from signals where signal = ? limit 1", [k]
                ).fetchall()
            ]
            if bad:
                names = known | {"exposure"}
                # one text column's distinct values: 0.11 s on 104 M rows (the view: 1.0-1.6 s)
                names |= {
                    r[0] for r in con.execute("select distinct signal from signals").fetchall()
                }
                raise UsageError(
                    f"--weights: unknown signal {bad[0]!r}; valid names: {', '.join(sorted(names))}"
                )
            args = {
                "d": d,
                "w": w,
                "th": themes,
                "m": markets,
                "x": exchanges,
                "n": min_docs,
                "tbl": table,
            }
            try:
                yield con, args
            finally:
                if files:
                    con.execute("drop view if exists _cli_signals")
                    con.unregister("_cli_signals_file")

    @staticmethod
    def _default_weights(con: duckdb.DuckDBPyConnection) -> dict[str, float]:
        rows = con.execute(
            "select name, weight from score_weights where kind = 'component'"
        ).fetchall()
        return {str(k): float(v) for k, v in rows}

    def _components(
        self, ticker: str, theme: Any, as_of: Any, weights: Any, signals: Any
    ) -> pl.DataFrame:
        """Every component of one ticker's score, with its rank and score, long form. The
        screen is computed once (screen_components into a temp table); the rank is read from
        it with the order screen() uses (31_screen.sql), which the tests hold equal."""
        with self._screen_args(theme, None, None, 1, as_of, weights, signals) as (con, args):
            con.execute(
                """
                create or replace temp table _explain_components as
                select * from screen_components(as_of_date := $d, weights := $w, themes := $th,
                    markets := $m, exchanges := $x, min_docs := $n, signal_table := $tbl,
                    check_weights := false)
                """,
                args,
            )
            try:
                return self._df(
                    con,
                    """
                    with scored as (
                        select ticker, sum(contribution) as score,
                               max(raw) filter (where component = 'exposure') as exposure_raw
                        from _explain_components where kind = 'component' group by ticker
                    ),
                    ranked as (
                        select ticker, round(score, 6) as score,
                               row_number() over (order by round(score, 9) desc,
                                                  round(exposure_raw, 9) desc, ticker) as rank
                        from scored
                    )
                    select r.rank, r.score, c.component, c.kind, c.raw, c.value, c.weight,
                           c.contribution
                    from ranked as r join _explain_components as c using (ticker)
                    where r.ticker = $t
                    order by c.kind, c.component
                    """,
                    {"t": ticker},
                )
            finally:
                con.execute("drop table if exists _explain_components")

    def explain(
        self,
        ticker: str,
        theme: Sequence[str] | str | None = None,
        as_of: str | date | None = None,
        weights: str | dict[str, float] | None = None,
        signals: Sequence[str | Path | pl.DataFrame] | str | Path | pl.DataFrame | None = None,
    ) -> dict[str, Any]:
        """Why a ticker is on the list: company, listings, links, capex, score components."""
        t = self.resolve_ticker(ticker)
        themes = self._check_themes([theme] if isinstance(theme, str) else theme)
        d = parse_date(as_of) or date.today()
        with self._con() as con:
            company = con.execute(
                "select c.company_id, c.name_zh, c.name_en, c.category, c.industry from companies c "
                "join listings l using (company_id) where l.ticker = ?",
                [t],
            ).fetchall()[0]
            cid = company[0]
            listings = self._df(
                con,
                "select ticker, exchange, market, short_name, board, list_date from listings where company_id = ? order by not is_primary, ticker",
                [cid],
            )
            evidence = self._df(
                con,
                """
                select l.doc_id, d.published_on, d.title, l.page, l.theme, l.role, l.evidence, l.confidence, l.snippet
                from links l join documents d using (doc_id)
                where l.company_id = $c and d.published_on <= $d
                  and (len($th) = 0 or list_contains($th, l.theme))
                order by d.published_on, l.doc_id, l.start_pos, l.theme, l.role
                """,
                {"c": cid, "d": d, "th": themes},
            )
            capex = self._df(
                con,
                """
                select distinct k.published_on, k.spender, k.period, round(k.amount_usd / 1e9, 2) as usd_bn,
                       k.qualifier, k.scope, k.doc_id, k.snippet
                from capex_asof($d) k
                where k.doc_id in (select doc_id from links where company_id = $c and role = 'supplier'
                                   and (len($th) = 0 or list_contains($th, theme)))
                order by k.published_on, k.period, k.scope desc, k.amount_usd desc, k.doc_id, k.snippet
                """,
                {"c": cid, "d": d, "th": themes},
            )
        comp = self._components(t, themes, d, weights, signals)
        top = comp.filter(pl.col("kind") == "component")
        parts = comp.filter(pl.col("kind") == "exposure_part")
        return {
            "ticker": t,
            "company_id": cid,
            "name_zh": company[1],
            "name_en": company[2],
            "category": company[3],
            "as_of": d.isoformat(),
            "score": float(top["score"][0]) if top.height else None,
            "rank": int(top["rank"][0]) if top.height else None,
            "listings": listings.to_dicts(),
            "components": [
                {k: r[k] for k in ("name", "raw", "value", "weight", "contribution")}
                for r in top.rename({"component": "name"}).to_dicts()
            ],
            "exposure_parts": [
                {k: r[k] for k in ("name", "raw", "value", "weight", "contribution")}
                for r in parts.rename({"component": "name"}).to_dicts()
            ],
            "evidence": [
                {**r, "published_on": r["published_on"].isoformat()} for r in evidence.to_dicts()
            ],
            "capex": [
                {**r, "published_on": r["published_on"].isoformat()} for r in capex.to_dicts()
            ],
        }

    def table_names(self) -> list[str]:
        with self._con() as con:
            rows = con.execute(
                "select table_name from information_schema.tables where table_schema = 'main' order by 1"
            ).fetchall()
        return [r[0] for r in rows]

    def export(
        self, name: str, as_of: str | date | None = None, **screen_options: Any
    ) -> pl.DataFrame:
        """A table or view by name (checked against the catalog, never interpolated raw), as
        of a date where the object is dated. ``screen`` takes the options of ``screen()``
        (theme, market, weights ...); other names take none."""
        d = parse_date(as_of)
        given = {k: v for k, v in screen_options.items() if v not in (None, [], ())}
        if name != "screen" and given:
            opts = ", ".join(f"--{k.replace('_', '-')}" for k in given)
            raise UsageError(f"{opts}: only for `export screen`, not for {name!r}")
        names = self.table_names() + ["screen"]
        if name not in names or not _IDENT.match(name):
            raise UsageError(
                f"unknown table or view {name!r}; valid names: {', '.join(sorted(names))}"
            )
        if name == "screen":
            return self.screen(as_of=d, **screen_options)
        sql = f'select * from "{name}"'
        if d is not None:
            dated = "select doc_id from documents where published_on <= $d"
            sql = {
                "exposure": "select * from exposure_asof($d)",
                "capex": "select * from capex_asof($d)",
                "documents": "select * from documents where published_on <= $d",
                "signals": "select * from signals where as_of <= $d",
            }.get(name, sql + f" where doc_id in ({dated})" if name in _DOC_TABLES else sql)
        with self._con() as con:
            return self._df(con, sql, {"d": d} if "$d" in sql else None, bulk=True)


_DOC_TABLES = {"links", "mentions", "document_text"}


@contextlib.contextmanager
def _as_files(items: list[Any]) -> Iterator[list[Path]]:
    """Signal files as paths; a DataFrame (long or wide, as a file would be) goes through a
    temporary Parquet file so it is validated exactly like one."""
    import tempfile

    frames = [x for x in items if isinstance(x, pl.DataFrame)]
    if not frames:
        yield [Path(x) for x in items]
        return
    with tempfile.TemporaryDirectory(prefix="screener-signals-") as tmp:
        out: list[Path] = []
        for i, x in enumerate(items):
            if isinstance(x, pl.DataFrame):
                p = Path(tmp) / f"dataframe_{i + 1}.parquet"
                x.write_parquet(p)
                out.append(p)
            else:
                out.append(Path(x))
        yield out


def _wide(df: pl.DataFrame) -> pl.DataFrame:
    """Expand the components MAP into one column per component, exposure first."""
    base = ["rank", "ticker", "name_zh", "name_en", "market", "exchange", "themes", "docs", "score"]
    if df.height == 0:
        return df.select(base)
    maps = df["components"].to_list()
    names = sorted({k for m in maps for k in _entries(m)}, key=lambda k: (k != "exposure", k))
    cols = {n: [_entries(m).get(n) for m in maps] for n in names}
    return df.select(base).with_columns(
        [pl.Series(n, v, dtype=pl.Float64) for n, v in cols.items()]
    )


def _entries(m: Any) -> dict[str, float]:
    """A DuckDB MAP as polars gives it (a list of key/value structs) or as a dict."""
    if isinstance(m, dict):
        return m
    return {e["key"]: e["value"] for e in m}
