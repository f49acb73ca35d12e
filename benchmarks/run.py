"""Benchmarks at market scale: uv run python benchmarks/run.py --scale small|full [--json OUT]

Generates a deterministic corpus and signal table (benchmarks/generate.py), then measures, each
figure the median of several runs (the operations run in fresh processes, benchmarks/ops.py):
ingest vs a bare multi-pattern scan, the screen vs a hand-written SQL query and vs pandas,
`screener build`, `screener --help`, and peak memory. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

SCALES = {
    # docs, corpus bytes, signal tickers (None = every listing), trading days, repeats
    "small": {
        "docs": 120,
        "bytes": 1_000_000,
        "tickers": 300,
        "days": 250,
        "repeats": 2,
        "ingest_repeats": 1,
    },
    "full": {
        "docs": 20_000,
        "bytes": 105_000_000,
        "tickers": None,
        "days": 2_500,
        "repeats": 5,
        "ingest_repeats": 3,
    },
}
AS_OF = "2025-06-30"


def _op(*args: str) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, str(HERE / "ops.py"), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
    )
    if out.returncode != 0:
        raise SystemExit(f"benchmark op {args[0]} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _timed(cmd: list[str], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True, cwd=ROOT)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def run(scale: str, work: Path) -> dict:
    from benchmarks import generate
    from screener.reference import load

    cfg = SCALES[scale]
    work.mkdir(parents=True, exist_ok=True)
    kb = load()
    corpus = work / "corpus"
    stamp = work / "corpus.json"
    want = {"docs": cfg["docs"], "bytes": cfg["bytes"]}
    if not stamp.exists() or json.loads(stamp.read_text()) != want:
        shutil.rmtree(corpus, ignore_errors=True)
        t = time.perf_counter()
        generate.corpus(corpus, cfg["docs"], cfg["bytes"], kb=kb)
        print(f"generated corpus in {time.perf_counter() - t:.1f}s", file=sys.stderr)
        stamp.write_text(json.dumps(want))
    corpus_mb = sum(f.stat().st_size for f in corpus.iterdir()) / 1e6

    exe = str(Path(sys.executable).with_name("screener"))
    base = work / "base.duckdb"
    build_s = _timed([exe, "build", "--fresh", "--db", str(base)], cfg["repeats"])
    help_s = _timed([exe, "--help"], 5)

    ingests = []
    db = work / "ingested.duckdb"
    for _ in range(cfg["ingest_repeats"]):
        shutil.copy(base, db)
        ingests.append(_op("ingest", str(db), str(corpus)))
    ingest_s = statistics.median(r["seconds"][0] for r in ingests)
    scan_s = statistics.median(
        _op("scan", str(corpus))["seconds"][0] for _ in range(cfg["repeats"])
    )

    sig = work / "signals.parquet"
    tickers = sorted(r["ticker"] for r in kb.listings)
    if cfg["tickers"]:
        tickers = tickers[: cfg["tickers"]]
    sig_stamp = work / "signals.json"
    swant = {"tickers": len(tickers), "days": cfg["days"]}
    if not sig.exists() or not sig_stamp.exists() or json.loads(sig_stamp.read_text()) != swant:
        generate.signals(sig, tickers, cfg["days"])
        sig_stamp.write_text(json.dumps(swant))
    import duckdb

    con = duckdb.connect(str(db))
    con.execute("delete from signals")
    con.execute(
        f"insert into signals select ticker, as_of, signal, value, 'bench' from "
        f"(unpivot read_parquet('{sig}') on momentum, pe_ttm, revision, turnover into name signal value value)"
    )
    signal_rows = con.execute("select count(*) from signals").fetchall()[0][0]
    con.execute("checkpoint")
    con.close()

    scr = _op("screen", str(db), str(sig), AS_OF, str(cfg["repeats"]))
    sql = _op("sql", str(db), str(sig), AS_OF, str(cfg["repeats"]))
    pds = _op("pandas", str(db), str(sig), AS_OF, str(max(1, cfg["repeats"] // 2)))
    screen_s, sql_s = statistics.median(scr["seconds"]), statistics.median(sql["seconds"])
    pandas_s = statistics.median(pds["seconds"])
    return {
        "scale": scale,
        "corpus_mb": round(corpus_mb, 2),
        "documents": cfg["docs"],
        "signal_rows": signal_rows,
        "screened_tickers": scr["rows"],
        "ingest_s": round(ingest_s, 3),
        "ingest_mb_s": round(corpus_mb / ingest_s, 3),
        "scan_mb_s": round(corpus_mb / scan_s, 3),
        "ingest_ratio": round((corpus_mb / ingest_s) / (corpus_mb / scan_s), 4),
        "screen_s": round(screen_s, 4),
        "screen_sql_s": round(sql_s, 4),
        "screen_pandas_s": round(pandas_s, 4),
        "screen_pandas_compute_s": round(statistics.median(pds["compute_seconds"]), 4),
        "screen_ratio": round(screen_s / sql_s, 3),
        "pandas_ratio": round(pandas_s / screen_s, 2),
        "rankings_agree": scr["top"] == sql["top"] == pds["top"],
        "build_s": round(build_s, 3),
        "help_s": round(help_s, 3),
        "ingest_peak_mb": max(r["peak_mb"] for r in ingests),
        "screen_peak_mb": scr["peak_mb"],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", choices=sorted(SCALES), default="small")
    ap.add_argument("--json", type=Path, help="write the figures to this file")
    ap.add_argument("--work", type=Path, help="working folder (default benchmarks/out/SCALE)")
    a = ap.parse_args()
    figures = run(a.scale, a.work or HERE / "out" / a.scale)
    from tabulate import tabulate

    print(
        tabulate(
            list(figures.items()),
            headers=["figure", "value"],
            tablefmt="simple",
            disable_numparse=True,
        )
    )
    if a.json:
        a.json.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
