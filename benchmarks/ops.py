"""One measured operation per process: prints JSON {"seconds": [...], ...} as its last line.

Run by benchmarks/run.py, which samples the memory of the whole process tree (workers
included) while each runs in a fresh interpreter.

    python benchmarks/ops.py ingest DB CORPUS
    python benchmarks/ops.py limit CORPUS
    python benchmarks/ops.py sizes CORPUS BYTES...
    python benchmarks/ops.py screen|sql|parquet|polars|pandas DB SIGNALS_PARQUET AS_OF REPEATS
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from pathlib import Path

WEIGHTS = {"exposure": 1.0, "momentum": 0.5, "pe_ttm": -0.2, "revision": 0.3, "turnover": 0.1}


def peak_mb() -> float:
    """Peak resident memory of this process. VmHWM belongs to the address space and starts
    afresh at exec; ru_maxrss would carry the parent's peak across fork and exec."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def op_ingest(db: str, corpus: str) -> dict:
    from screener.db import ingest

    t = time.perf_counter()
    r = ingest(Path(db), [Path(corpus)])
    return {"seconds": [time.perf_counter() - t], "documents": r.ingested, "failed": len(r.failed)}


def _limit_one(f: Path) -> int:
    from screener.text import decode, fold

    text = decode(f.read_bytes(), str(f)).text
    return len(_LIMIT["auto"].find_matches_as_indexes(fold(text), overlapping=True))


_LIMIT: dict = {}


def op_limit(corpus: str) -> dict:
    """The honest limit of ingest: the same files read, decoded (the real decoder: BOMs,
    UTF-8, GB18030, Big5), folded (the real fold) and searched with one Aho-Corasick pass over
    the same patterns with the fastest matcher at hand (ahocorasick_rs), on every core, the
    automaton built inside the timer. Nothing else: no layout, rules, or database."""
    import multiprocessing

    from screener.extract.matcher import automaton, get_matcher
    from screener.reference import load

    patterns = get_matcher(load()).patterns
    files = sorted(Path(corpus).iterdir())
    t = time.perf_counter()
    _LIMIT["auto"] = automaton(patterns)
    with multiprocessing.get_context("fork").Pool(os.cpu_count() or 1) as pool:
        hits = sum(pool.imap_unordered(_limit_one, files, chunksize=16))
    return {"seconds": [time.perf_counter() - t], "hits": hits}


def op_sizes(corpus: str, *sizes: str) -> dict:
    """CPU seconds per MB of extraction by document size, every size over the same text.

    The pool is the corpus's first documents up to the largest size; for each size the pool is
    cut into documents of that size (consecutive notes joined) and every one is extracted, so
    the sizes differ in length only, not in content (one process, caches warm; the pool
    repeated until a second of CPU at the small scales)."""
    from screener.extract import extract, get_matcher
    from screener.reference import load
    from screener.text import decode, detect_language, fold

    kb = load()
    get_matcher(kb)
    files = sorted(Path(corpus).iterdir())
    texts: list[str] = []
    total = 0
    want = max(int(x) for x in sizes)
    for f in files * (1 + want // max(1, sum(f.stat().st_size for f in files))):
        if total >= want:
            break
        texts.append(decode(f.read_bytes(), str(f)).text)
        total += len(texts[-1].encode())
    # warm: every character of the corpus learned (fold and script tables), as they are a
    # few documents into an ingest; otherwise the first size measured pays for the learning
    joined = "\n\n".join(texts)
    detect_language(joined)
    fold(joined)
    extract(texts[0] * 2, kb, "2025-06-30")
    out = {}
    for size in sizes:
        docs, parts, n = [], [], 0
        for t in texts:
            parts.append(t)
            n += len(t.encode())
            if n >= int(size):
                docs.append("\n\n".join(parts))
                parts, n = [], 0
        if parts:
            docs.append("\n\n".join(parts))
        mb = sum(len(d.encode()) for d in docs) / 1e6
        runs, spent = 0, 0.0
        while runs == 0 or spent < 1.0:
            t0 = time.process_time()
            for d in docs:
                extract(d, kb, "2025-06-30")
            spent += time.process_time() - t0
            runs += 1
        out[size] = round(spent / runs / mb, 3)
    return {"seconds": [0.0], "cpu_s_per_mb": out}


def op_screen(db: str, _sig: str, as_of: str, repeats: int) -> dict:
    """The project's screen through the Python API (the CLI's path), warm: one process,
    one connection, ``repeats`` runs."""
    import screener

    d = screener.open(db, build_if_missing=False)
    times, out = [], None
    for _ in range(repeats):
        t = time.perf_counter()
        out = d.screen(as_of=as_of, weights=WEIGHTS)
        times.append(time.perf_counter() - t)
    assert out is not None
    return {"seconds": times, "rows": out.height, "ranking": out["ticker"].to_list()}


HAND_SQL = """
with docs as (select doc_id, published_on from documents where published_on <= $d),
pd as (select l.company_id, l.theme, l.doc_id, max(l.confidence) s, any_value(d.published_on) p
       from links l join docs d using (doc_id) where l.role = 'supplier' and l.theme is not null group by all),
annual as (select company_id, yr, arg_max(usd, {'prio': prio, 'published_on': published_on, 'doc': doc_id, 'usd': usd}) usd from (
       select company_id, cast(period as int) as yr, amount_usd usd, 2 prio, published_on, doc_id from capex join docs using (doc_id)
       where company_id is not null and scope = 'total' and regexp_full_match(period, '\\d{4}')
       union all
       select company_id, cast(left(period, 4) as int), amount_usd / (cast(right(period, 4) as int) - cast(left(period, 4) as int) + 1), 1, published_on, doc_id
       from capex join docs using (doc_id)
       where company_id is not null and scope = 'total' and regexp_full_match(period, '\\d{4}-\\d{4}')) group by all),
latest as (select company_id, max(yr) as yr, arg_max(usd, yr) usd from annual group by all),
growth as (select l.company_id, l.usd / p.usd - 1 g from latest l join annual p on p.company_id = l.company_id and p.yr = l.yr - 1 where p.usd > 0),
tc as (select theme, (select sum(usd) from latest) * share usd from theme_allocation),
ts as (select theme, count(distinct company_id) n from pd group by theme),
pc as (select company_id, count(distinct doc_id) breadth, sum(s) strength,
       sum(s * pow(0.5, ($d - p) / 180.0)) recency from pd group by all),
cf as (select x.company_id, sum(tc.usd / ts.n) / 1e9 capex_flow from (select distinct company_id, theme from pd) x join tc using (theme) join ts using (theme) group by all),
sg as (select x.company_id, avg(g.g) spender_growth from (select distinct company_id, doc_id from pd) x
       join links s on s.doc_id = x.doc_id and s.role = 'spender' join growth g on g.company_id = s.company_id group by all),
u as (select li.ticker, pc.*, cf.capex_flow, sg.spender_growth from listings li join pc using (company_id)
      left join cf using (company_id) left join sg using (company_id)),
z as (select ticker,
      coalesce((breadth - avg(breadth) over ()) / nullif(stddev_pop(breadth) over (), 0), 0) * 0.25
    + coalesce((strength - avg(strength) over ()) / nullif(stddev_pop(strength) over (), 0), 0) * 0.25
    + coalesce((recency - avg(recency) over ()) / nullif(stddev_pop(recency) over (), 0), 0) * 0.25
    + coalesce((capex_flow - avg(capex_flow) over ()) / nullif(stddev_pop(capex_flow) over (), 0), 0) * 0.125
    + coalesce((spender_growth - avg(spender_growth) over ()) / nullif(stddev_pop(spender_growth) over (), 0), 0) * 0.125 as exposure
    from u),
probe as (select z.ticker, s.signal, $d as d from z cross join (select unnest(['momentum', 'pe_ttm', 'revision', 'turnover']) signal) s),
sv as (select p.ticker, p.signal, v.value from probe p left join (
       select ticker, signal, arg_max(value, as_of) as value from signals
       where as_of <= $d and signal in ('momentum', 'pe_ttm', 'revision', 'turnover') and ticker in (select ticker from z)
       group by all) v on p.ticker = v.ticker and p.signal = v.signal),
comp as (select ticker, 'exposure' c, exposure x from z union all select ticker, signal, value from sv),
cz as (select ticker, c, x, coalesce((x - avg(x) over w) / nullif(stddev_pop(x) over w, 0), 0) v from comp window w as (partition by c))
select ticker, sum(v * case c when 'exposure' then 1.0 when 'momentum' then 0.5 when 'pe_ttm' then -0.2
                          when 'revision' then 0.3 else 0.1 end) score, max(x) filter (where c = 'exposure') e
from cz group by ticker order by round(score, 9) desc, round(e, 9) desc, ticker
"""


def op_sql(db: str, _sig: str, as_of: str, repeats: int) -> dict:
    from datetime import date

    import duckdb

    con = duckdb.connect(db, read_only=True)
    times, rows = [], []
    for _ in range(repeats):
        t = time.perf_counter()
        rows = con.execute(HAND_SQL, {"d": date.fromisoformat(as_of)}).fetchall()
        times.append(time.perf_counter() - t)
    return {"seconds": times, "rows": len(rows), "ranking": [r[0] for r in rows]}


# DuckDB over the Parquet file as a DuckDB user writes it: the wide file read in place, the
# as-of value of every signal in one filtered arg_max per ticker, then long form
PARQUET_SIGNALS = """
sv as (select ticker, signal, value from (
         select ticker, arg_max(momentum, as_of) momentum, arg_max(pe_ttm, as_of) pe_ttm,
                arg_max(revision, as_of) revision, arg_max(turnover, as_of) turnover
         from read_parquet($sig) where as_of <= $d and ticker in (select ticker from z)
         group by ticker)
       unpivot (value for signal in (momentum, pe_ttm, revision, turnover))),
"""


def parquet_sql() -> str:
    """HAND_SQL with the signals read from the Parquet file instead of the signals table
    (a ticker with no value before the date gets no row: the z-score's missing = mean)."""
    head, tail = HAND_SQL.split("probe as (", 1)
    tail = tail.split("comp as (", 1)[1]
    return head + PARQUET_SIGNALS + "comp as (" + tail


def op_parquet(db: str, sig: str, as_of: str, repeats: int) -> dict:
    from datetime import date

    import duckdb

    con = duckdb.connect()
    con.execute(f"attach '{db}' as s (read_only)")
    con.execute("use s")
    times, rows = [], []
    for _ in range(repeats):
        t = time.perf_counter()
        rows = con.execute(parquet_sql(), {"d": date.fromisoformat(as_of), "sig": sig}).fetchall()
        times.append(time.perf_counter() - t)
    return {"seconds": times, "rows": len(rows), "ranking": [r[0] for r in rows]}


def op_pandas(db: str, sig: str, as_of: str, repeats: int) -> dict:
    """The same screen as a pandas user writes it: tables from the database, signals from
    the Parquet file, groupby/merge/transform. Times the signal read and the compute."""
    from datetime import date

    import duckdb
    import numpy as np
    import pandas as pd

    con = duckdb.connect(db, read_only=True)
    tables = {
        t: con.execute(f"select * from {t}").df()
        for t in ("documents", "links", "listings", "capex", "theme_allocation")
    }
    d = pd.Timestamp(date.fromisoformat(as_of))
    times, compute, ranking = [], [], []
    for _ in range(repeats):
        t0 = time.perf_counter()
        docs = tables["documents"][pd.to_datetime(tables["documents"]["published_on"]) <= d][
            ["doc_id", "published_on"]
        ]
        lk = tables["links"]
        sup = lk[(lk.role == "supplier") & lk.theme.notna()].merge(docs, on="doc_id")
        pdoc = sup.groupby(["company_id", "theme", "doc_id"], as_index=False).agg(
            s=("confidence", "max"), p=("published_on", "first")
        )
        cap = tables["capex"].merge(docs, on="doc_id")
        cap = cap[cap.company_id.notna() & (cap.scope == "total")]
        one = cap[cap.period.str.fullmatch(r"\d{4}")].assign(
            year=lambda x: x.period.astype(int), usd=lambda x: x.amount_usd, prio=2
        )
        multi = cap[cap.period.str.fullmatch(r"\d{4}-\d{4}")].copy()
        multi["year"] = multi.period.str[:4].astype(int)
        multi["usd"] = multi.amount_usd / (multi.period.str[-4:].astype(int) - multi.year + 1)
        multi["prio"] = 1
        ann = (
            pd.concat([one, multi])
            .sort_values(["prio", "published_on", "doc_id", "usd"])
            .groupby(["company_id", "year"], as_index=False)
            .last()
        )
        latest = ann.sort_values("year").groupby("company_id", as_index=False).last()
        prev = ann.assign(year=ann.year + 1)[["company_id", "year", "usd"]].rename(
            columns={"usd": "pusd"}
        )
        growth = latest.merge(prev, on=["company_id", "year"])
        growth = growth[growth.pusd > 0].assign(g=lambda x: x.usd / x.pusd - 1)[["company_id", "g"]]
        total_usd = latest.usd.sum()
        alloc = tables["theme_allocation"].assign(usd=tables["theme_allocation"].share * total_usd)
        nsup = pdoc.groupby("theme").company_id.nunique().rename("n").reset_index()
        age = (d - pd.to_datetime(pdoc.p)).dt.days
        pdoc["r"] = pdoc.s * np.power(0.5, age / 180.0)
        pc = pdoc.groupby("company_id").agg(
            breadth=("doc_id", "nunique"), strength=("s", "sum"), recency=("r", "sum")
        )
        ct = (
            pdoc[["company_id", "theme"]]
            .drop_duplicates()
            .merge(alloc, on="theme")
            .merge(nsup, on="theme")
        )
        pc["capex_flow"] = (ct.usd / ct.n).groupby(ct.company_id).sum() / 1e9
        cd = pdoc[["company_id", "doc_id"]].drop_duplicates()
        sp = lk[lk.role == "spender"][["doc_id", "company_id"]].rename(
            columns={"company_id": "spender"}
        )
        sg = cd.merge(sp, on="doc_id").merge(
            growth, left_on="spender", right_on="company_id", suffixes=("", "_s")
        )
        pc["spender_growth"] = sg.groupby("company_id").g.mean()
        u = tables["listings"][["ticker", "company_id"]].merge(pc.reset_index(), on="company_id")

        def z(s: pd.Series) -> pd.Series:
            sd = s.std(ddof=0)
            return ((s - s.mean()) / sd).fillna(0) if sd and not np.isnan(sd) else s * 0 + 0.0

        parts = {
            "breadth": 0.25,
            "strength": 0.25,
            "recency": 0.25,
            "capex_flow": 0.125,
            "spender_growth": 0.125,
        }
        u["exposure"] = sum(z(u[c]).fillna(0) * w for c, w in parts.items())
        # the signals read with both filters pushed into the Parquet reader, the as-of row of
        # each ticker by idxmax (no sort)
        t1 = time.perf_counter()
        values = pd.read_parquet(
            sig, filters=[("as_of", "<=", d.date()), ("ticker", "in", list(u.ticker))]
        )
        t_read = time.perf_counter() - t1
        last = values.loc[values.groupby("ticker").as_of.idxmax()].set_index("ticker")
        u = u.merge(last.drop(columns="as_of"), left_on="ticker", right_index=True, how="left")
        u["score"] = sum(z(u[c]).fillna(0) * w for c, w in WEIGHTS.items())
        u = u.assign(rs=u.score.round(9), re=u.exposure.round(9)).sort_values(
            ["rs", "re", "ticker"], ascending=[False, False, True]
        )
        t2 = time.perf_counter()
        times.append(t2 - t0)
        compute.append(t2 - t0 - t_read)
        ranking = u.ticker.tolist()
    return {"seconds": times, "compute_seconds": compute, "rows": len(u), "ranking": ranking}


def op_polars(db: str, sig: str, as_of: str, repeats: int) -> dict:
    """The same screen as a polars user writes it: lazy frames over the tables (read from
    the database once, as the pandas user does) and over the Parquet file (scan_parquet:
    the filters and columns pushed into the reader), collected once."""
    from datetime import date

    import duckdb
    import polars as pl

    con = duckdb.connect(db, read_only=True)
    tables = {
        t: con.sql(f"select * from {t}").pl().lazy()
        for t in ("documents", "links", "listings", "capex", "theme_allocation")
    }
    d = date.fromisoformat(as_of)
    signals = list(WEIGHTS)[1:]
    times, ranking, rows = [], [], 0
    for _ in range(repeats):
        t0 = time.perf_counter()
        docs = (
            tables["documents"].filter(pl.col("published_on") <= d).select("doc_id", "published_on")
        )
        lk = tables["links"]
        pdoc = (
            lk.filter((pl.col("role") == "supplier") & pl.col("theme").is_not_null())
            .join(docs, on="doc_id")
            .group_by("company_id", "theme", "doc_id")
            .agg(s=pl.col("confidence").max(), p=pl.col("published_on").first())
        )
        cap = (
            tables["capex"]
            .join(docs, on="doc_id")
            .filter(pl.col("company_id").is_not_null() & (pl.col("scope") == "total"))
        )
        one = cap.filter(pl.col("period").str.contains(r"^\d{4}$")).select(
            "company_id",
            pl.col("period").cast(pl.Int32).alias("yr"),
            pl.col("amount_usd").alias("usd"),
            pl.lit(2).alias("prio"),
            "published_on",
            "doc_id",
        )
        multi = cap.filter(pl.col("period").str.contains(r"^\d{4}-\d{4}$")).select(
            "company_id",
            pl.col("period").str.slice(0, 4).cast(pl.Int32).alias("yr"),
            (
                pl.col("amount_usd")
                / (
                    pl.col("period").str.slice(5, 4).cast(pl.Int32)
                    - pl.col("period").str.slice(0, 4).cast(pl.Int32)
                    + 1
                )
            ).alias("usd"),
            pl.lit(1).alias("prio"),
            "published_on",
            "doc_id",
        )
        annual = (
            pl.concat([one, multi])
            .sort("prio", "published_on", "doc_id", "usd")
            .group_by("company_id", "yr")
            .agg(pl.col("usd").last())
        )
        latest = (
            annual.sort("yr").group_by("company_id").agg(pl.col("yr").last(), pl.col("usd").last())
        )
        growth = (
            latest.join(
                annual.with_columns(pl.col("yr") + 1).rename({"usd": "pusd"}),
                on=["company_id", "yr"],
            )
            .filter(pl.col("pusd") > 0)
            .select("company_id", g=pl.col("usd") / pl.col("pusd") - 1)
        )
        total = latest.select(pl.col("usd").sum())
        tc = (
            tables["theme_allocation"]
            .join(total, how="cross")
            .select("theme", usd=pl.col("share") * pl.col("usd"))
        )
        ts = pdoc.group_by("theme").agg(n=pl.col("company_id").n_unique())
        age = (pl.lit(d) - pl.col("p")).dt.total_days()
        pc = pdoc.group_by("company_id").agg(
            breadth=pl.col("doc_id").n_unique(),
            strength=pl.col("s").sum(),
            recency=(pl.col("s") * 0.5 ** (age / 180.0)).sum(),
        )
        cf = (
            pdoc.select("company_id", "theme")
            .unique()
            .join(tc, on="theme")
            .join(ts, on="theme")
            .group_by("company_id")
            .agg(capex_flow=(pl.col("usd") / pl.col("n")).sum() / 1e9)
        )
        sp = lk.filter(pl.col("role") == "spender").select("doc_id", spender=pl.col("company_id"))
        sg = (
            pdoc.select("company_id", "doc_id")
            .unique()
            .join(sp, on="doc_id")
            .join(growth.rename({"company_id": "spender"}), on="spender")
            .group_by("company_id")
            .agg(spender_growth=pl.col("g").mean())
        )
        u = (
            tables["listings"]
            .select("ticker", "company_id")
            .join(pc, on="company_id")
            .join(cf, on="company_id", how="left")
            .join(sg, on="company_id", how="left")
        )

        def z(c: str) -> pl.Expr:
            sd = pl.col(c).std(ddof=0)
            return (
                pl.when(sd > 0)
                .then((pl.col(c) - pl.col(c).mean()) / sd)
                .otherwise(0.0)
                .fill_null(0.0)
            )

        parts = {"breadth": 0.25, "strength": 0.25, "recency": 0.25}
        parts |= {"capex_flow": 0.125, "spender_growth": 0.125}
        u = u.with_columns(exposure=pl.sum_horizontal([z(c) * w for c, w in parts.items()]))
        last = (
            pl.scan_parquet(sig)
            .filter(pl.col("as_of") <= d)
            .join(u.select("ticker"), on="ticker", how="semi")
            .group_by("ticker")
            .agg(pl.col(signals).get(pl.col("as_of").arg_max()))
        )
        out = (
            u.join(last, on="ticker", how="left")
            .with_columns(score=pl.sum_horizontal([z(c) * w for c, w in WEIGHTS.items()]))
            .sort(
                [pl.col("score").round(9), pl.col("exposure").round(9), "ticker"],
                descending=[True, True, False],
            )
            .collect()
        )
        times.append(time.perf_counter() - t0)
        ranking, rows = out["ticker"].to_list(), out.height
    return {"seconds": times, "rows": rows, "ranking": ranking}


if __name__ == "__main__":
    op, *args = sys.argv[1:]
    fn = {
        "ingest": op_ingest,
        "limit": op_limit,
        "sizes": op_sizes,
        "screen": op_screen,
        "sql": op_sql,
        "parquet": op_parquet,
        "polars": op_polars,
        "pandas": op_pandas,
    }[op]
    if op in ("screen", "sql", "parquet", "polars", "pandas"):
        result = fn(args[0], args[1], args[2], int(args[3]))
    else:
        result = fn(*args)
    result["peak_mb"] = round(peak_mb(), 1)
    print(json.dumps(result))
