"""One measured operation per process: prints JSON {"seconds": [...], "peak_mb": ..., ...}.

Run by benchmarks/run.py; each operation runs in a fresh interpreter so that its peak resident
memory (ru_maxrss) is its own.

    python benchmarks/ops.py ingest DB CORPUS
    python benchmarks/ops.py scan CORPUS
    python benchmarks/ops.py screen|sql|pandas DB SIGNALS_PARQUET AS_OF REPEATS
"""

from __future__ import annotations

import json
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


def op_scan(corpus: str) -> dict:
    """The limit: one multi-pattern pass over the same bytes for the same aliases and keywords
    (decode + Aho-Corasick), nothing else."""
    from screener.extract import get_matcher
    from screener.reference import load

    auto = get_matcher(load()).auto
    files = sorted(Path(corpus).iterdir())
    t = time.perf_counter()
    hits = 0
    for f in files:
        raw = f.read_bytes()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("gb18030", errors="replace")
        hits += len(auto.find_matches_as_indexes(text.lower(), overlapping=True))
    return {"seconds": [time.perf_counter() - t], "hits": hits}


def op_screen(db: str, _sig: str, as_of: str, repeats: int) -> dict:
    import screener

    d = screener.open(db, build_if_missing=False)
    times, out = [], None
    for _ in range(repeats):
        t = time.perf_counter()
        out = d.screen(as_of=as_of, weights=WEIGHTS)
        times.append(time.perf_counter() - t)
    assert out is not None
    return {"seconds": times, "rows": out.height, "top": out["ticker"].head(20).to_list()}


HAND_SQL = """
with docs as (select doc_id, published_on from documents where published_on <= $d),
pd as (select l.company_id, l.theme, l.doc_id, max(l.confidence) s, any_value(d.published_on) p
       from links l join docs d using (doc_id) where l.role = 'supplier' and l.theme is not null group by all),
annual as (select company_id, yr, arg_max(usd, [prio, epoch(published_on)]) usd from (
       select company_id, cast(period as int) as yr, amount_usd usd, 2 prio, published_on from capex join docs using (doc_id)
       where company_id is not null and scope = 'total' and regexp_full_match(period, '\\d{4}')
       union all
       select company_id, cast(left(period, 4) as int), amount_usd / (cast(right(period, 4) as int) - cast(left(period, 4) as int) + 1), 1, published_on
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
    return {"seconds": times, "rows": len(rows), "top": [r[0] for r in rows[:20]]}


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
    times, compute, top = [], [], []
    for _ in range(repeats):
        t0 = time.perf_counter()
        values = pd.read_parquet(sig, filters=[("as_of", "<=", d.date())])
        t1 = time.perf_counter()
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
            .sort_values(["prio", "published_on"])
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
        last = values[values.ticker.isin(u.ticker)].sort_values("as_of").groupby("ticker").last()
        u = u.merge(last, left_on="ticker", right_index=True, how="left")
        u["score"] = sum(z(u[c]).fillna(0) * w for c, w in WEIGHTS.items())
        u = u.assign(rs=u.score.round(9), re=u.exposure.round(9)).sort_values(
            ["rs", "re", "ticker"], ascending=[False, False, True]
        )
        t2 = time.perf_counter()
        times.append(t2 - t0)
        compute.append(t2 - t1)
        top = u.ticker.head(20).tolist()
    return {"seconds": times, "compute_seconds": compute, "rows": len(u), "top": top}


if __name__ == "__main__":
    op, *args = sys.argv[1:]
    fn = {
        "ingest": op_ingest,
        "scan": op_scan,
        "screen": op_screen,
        "sql": op_sql,
        "pandas": op_pandas,
    }[op]
    if op in ("screen", "sql", "pandas"):
        result = fn(args[0], args[1], args[2], int(args[3]))
    else:
        result = fn(*args)
    result["peak_mb"] = round(peak_mb(), 1)
    print(json.dumps(result))
