"""Benchmarks at market scale: uv run python benchmarks/run.py --scale small|medium|full [--json OUT]

Generates a deterministic corpus and signal table (benchmarks/generate.py), then measures
(the operations run in fresh processes, benchmarks/ops.py, with the memory of each whole
process tree sampled): ingest against the honest limit (read, decode, fold and one
Aho-Corasick pass on every core), CPU seconds per MB by document size, `build` with the
ingested documents carried over, the screen against DuckDB over the table and over the Parquet
file, polars and pandas, every CLI command in a fresh process, and the signal storage. See
benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import sysconfig
import threading
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

SCALES = {
    # docs, corpus bytes, signal tickers (None = every listing), trading days, repeats,
    # ingest repeats, document sizes for CPU-s per MB
    "small": {
        "docs": 120,
        "bytes": 1_000_000,
        "tickers": 300,
        "days": 250,
        "repeats": 2,
        "ingest_repeats": 1,
        "sizes": [10_000, 100_000],
    },
    "medium": {
        "docs": 2_000,
        "bytes": 10_000_000,
        "tickers": 1_000,
        "days": 250,
        "repeats": 3,
        "ingest_repeats": 1,
        "sizes": [10_000, 100_000, 1_000_000, 5_000_000],
    },
    "full": {
        "docs": 20_000,
        "bytes": 105_000_000,
        "tickers": None,
        "days": 2_500,
        "repeats": 5,
        "ingest_repeats": 3,
        "sizes": [10_000, 100_000, 1_000_000, 10_000_000, 50_000_000],
    },
}
AS_OF = "2025-06-30"
PEERS = ("sql", "parquet", "polars", "pandas")


def _tree_pss_mb(pid: int) -> float:
    """Proportional set size of a process and all its descendants, MB (shared pages of forked
    workers counted once, split between them)."""
    todo, total = [pid], 0
    while todo:
        p = todo.pop()
        try:
            for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
                    break
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, ValueError):
            continue
    return total / 1024


def _run_sampled(cmd: list[str], env: dict[str, str] | None = None) -> tuple[str, float]:
    """Run a command, sampling its process tree's memory every 50 ms; (stdout, peak MB)."""
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT
    )
    peak = [0.0]

    def sample() -> None:
        while proc.poll() is None:
            peak[0] = max(peak[0], _tree_pss_mb(proc.pid))
            time.sleep(0.05)

    t = threading.Thread(target=sample, daemon=True)
    t.start()
    out, err = proc.communicate()
    t.join()
    if proc.returncode != 0:
        raise SystemExit(f"benchmark command {cmd[1:3]} failed:\n{err[-3000:]}")
    return out, round(peak[0], 1)


def _ops(*args: str) -> tuple[list[str], dict[str, str]]:
    """The command and environment that run one operation of ops.py in a fresh process."""
    return [sys.executable, str(HERE / "ops.py"), *args], {**os.environ, "PYTHONPATH": str(ROOT)}


def _op(*args: str) -> dict:
    """One operation of ops.py, unobserved: sampling a process tree's memory reads each
    process's page tables under its memory lock, which took 1.2-2.5 s from an 11.2-11.4 s
    ingest of the full corpus (two runs each way). Its memory is ``_peak_mb``'s."""
    cmd, env = _ops(*args)
    r = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT)
    if r.returncode != 0:
        raise SystemExit(f"benchmark command {args[:2]} failed:\n{r.stderr[-3000:]}")
    return json.loads(r.stdout.strip().splitlines()[-1])


def _peak_mb(*args: str) -> float:
    """Peak memory of the process tree of one operation of ops.py, run again to be sampled."""
    return _run_sampled(*_ops(*args))[1]


def _timed(cmd: list[str], repeats: int, before: Callable[[], None] | None = None) -> float:
    times = []
    for _ in range(repeats):
        if before is not None:
            before()
        t = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True, cwd=ROOT)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def _cli(exe: str, db: Path, work: Path) -> dict[str, float]:
    """Every command a user runs at this scale, each in a fresh process (cold: interpreter,
    imports, opening the database), median of 3. `signals list` three times: with its kept
    result removed before each run (as after another program's write to the database), as
    repeated, and after a `signals load` (of one value the table holds: the same table after).
    That load is timed too. Last, a write: `ingest` of one new note (what an analyst does with
    each note that comes in), a different one each run, into the full database."""
    import itertools

    import duckdb

    from screener import cache

    def forget_catalog() -> None:
        folder = cache.cache_dir()
        for p in folder.glob("signal-*") if folder is not None else ():
            p.unlink()

    # one value of the latest date, loaded again as it is: appended where it was (date order)
    with duckdb.connect(str(db), read_only=True) as con:
        row = con.execute(
            "select ticker, as_of, signal, value, source from signals "
            "where as_of = (select max(as_of) from signals) "
            "and ticker in (select ticker from listings) order by all limit 1"
        ).fetchone()
    assert row is not None
    one = work / "one-signal.csv"
    one.write_text(f"ticker,as_of,signal,value\n{row[0]},{row[1]},{row[2]},{row[3]!r}\n")
    load_one = [exe, "--db", str(db), "signals", "load", str(one), "--source", str(row[4])]

    def signals_loaded() -> None:
        subprocess.run(load_one, check=True, capture_output=True, cwd=ROOT)

    # a note of the corpus's median size (UTF-8 ones only, so that a line can be added)
    def utf8(f: Path) -> bool:
        try:
            f.read_bytes().decode("utf-8")
        except UnicodeDecodeError:
            return False
        return True

    notes = sorted(
        ((f.stat().st_size, f.name, f) for f in (work / "corpus").iterdir() if utf8(f)),
        key=lambda t: (t[0], t[1]),
    )
    body = notes[len(notes) // 2][2].read_text(encoding="utf-8")
    note = work / "one-note.txt"
    issue = itertools.count(1)

    def new_note() -> None:
        # the same path each run, new content: the first run adds it, the next replace it
        note.write_text(f"{body}\n（第{next(issue)}版）\n", encoding="utf-8")

    w = "exposure=1,momentum=0.5,pe_ttm=-0.2,revision=0.3,turnover=0.1"
    cmds = {
        "help": ["--help"],
        "screen": ["screen", "--as-of", AS_OF, "--weights", w, "--top", "20"],
        "explain": ["explain", "300308.SZ", "--as-of", AS_OF, "--weights", w],
        "themes": ["themes"],
        "capex": ["capex", "--top", "20"],
        "companies": ["companies", "中际旭创"],
        "query": ["query", "select signal, count(*) from signals group by all"],
        "signals_list_first": ["signals", "list"],
        "signals_list": ["signals", "list"],
        "signals_load_one": load_one[3:],
        "signals_list_after_load": ["signals", "list"],
        "export_screen": ["export", "screen", "--as-of", AS_OF, "--out", str(work / "s.parquet")],
        "report": ["report", "--as-of", AS_OF, "--out", str(work / "r.html")],
        "ingest_one": ["ingest", str(note)],  # last: it writes to the database
    }
    hooks = {
        "signals_list_first": forget_catalog,
        "signals_list_after_load": signals_loaded,
        "ingest_one": new_note,
    }
    out = {}
    for name, args in cmds.items():
        cmd = [exe, *args] if name == "help" else [exe, "--db", str(db), *args]
        before = hooks.get(name)
        out[name] = round(_timed(cmd, 3, before), 3)
    return out


def run(scale: str, work: Path) -> dict:
    from benchmarks import generate
    from screener.reference import load

    cfg = SCALES[scale]
    work.mkdir(parents=True, exist_ok=True)
    # what an installed package and its dependencies have: their bytecode compiled, as pip
    # does on install (this machine sets PYTHONDONTWRITEBYTECODE and uv does not compile by
    # default, so every fresh process would otherwise compile polars', DuckDB's and the
    # project's sources again: ~0.7 s a command)
    site = sysconfig.get_paths()["purelib"]
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", "-j", "0", str(ROOT / "screener"), site],
        check=True,
        stdout=subprocess.DEVNULL,
    )
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
    base.unlink(missing_ok=True)
    build_s = _timed([exe, "build", "--fresh", "--db", str(base)], cfg["repeats"])

    # ingest and the limit, alternated so that both see the same machine
    ingests, limits = [], []
    db = work / "ingested.duckdb"
    for _ in range(cfg["ingest_repeats"]):
        shutil.copy(base, db)
        ingests.append(_op("ingest", str(db), str(corpus)))
        limits.append(_op("limit", str(corpus)))
    ingest_s = statistics.median(r["seconds"][0] for r in ingests)
    limit_s = statistics.median(r["seconds"][0] for r in limits)
    shutil.copy(base, db)
    ingest_peak_mb = _peak_mb("ingest", str(db), str(corpus))
    sizes = _op("sizes", str(corpus), *map(str, cfg["sizes"]))["cpu_s_per_mb"]

    # build with every ingested document carried over: the extractions copied (same
    # fingerprint), then extracted again (the fingerprint cleared, as after an upgrade)
    carry = work / "carry.duckdb"
    shutil.copy(db, carry)
    t = time.perf_counter()
    subprocess.run([exe, "build", "--db", str(carry)], check=True, capture_output=True)
    build_copy_s = time.perf_counter() - t
    import duckdb

    con = duckdb.connect(str(carry))
    con.execute("delete from meta where key = 'extraction_fingerprint'")
    con.close()
    t = time.perf_counter()
    subprocess.run([exe, "build", "--db", str(carry)], check=True, capture_output=True)
    build_reextract_s = time.perf_counter() - t

    sig = work / "signals.parquet"
    tickers = sorted(r["ticker"] for r in kb.listings)
    if cfg["tickers"]:
        tickers = tickers[: cfg["tickers"]]
    sig_stamp = work / "signals.json"
    swant = {
        "tickers": len(tickers),
        "days": cfg["days"],
        "order": "as_of",
        "compression": "snappy",
    }
    if not sig.exists() or not sig_stamp.exists() or json.loads(sig_stamp.read_text()) != swant:
        generate.signals(sig, tickers, cfg["days"])
        sig_stamp.write_text(json.dumps(swant))
    before_mb = db.stat().st_size / 1e6
    con = duckdb.connect(str(db))
    con.execute("delete from signals")
    con.execute(
        f"insert into signals select ticker, as_of, signal, value, 'bench' from "
        f"(unpivot read_parquet('{sig}') on momentum, pe_ttm, revision, turnover into name signal value value) "
        "order by as_of"  # in date order, as `signals load` stores them (sql/14_signals.sql)
    )
    signal_rows = con.execute("select count(*) from signals").fetchall()[0][0]
    con.execute("checkpoint")
    con.close()
    signals_mb = db.stat().st_size / 1e6 - before_mb
    parquet_mb = sig.stat().st_size / 1e6

    scr = _op("screen", str(db), str(sig), AS_OF, str(cfg["repeats"]))
    peers = {
        name: _op(name, str(db), str(sig), AS_OF, str(cfg["repeats"] if name != "pandas" else 2))
        for name in PEERS
    }
    screen_s = statistics.median(scr["seconds"])
    peer_s = {k: statistics.median(v["seconds"]) for k, v in peers.items()}
    fastest = min(("sql", "parquet", "polars"), key=lambda k: peer_s[k])
    peaks = {name: _peak_mb(name, str(db), str(sig), AS_OF, "1") for name in ("screen", *PEERS)}
    cli = _cli(exe, db, work)
    cold_peer = {k: v["seconds"][0] for k, v in peers.items()}
    return {
        "scale": scale,
        "corpus_mb": round(corpus_mb, 2),
        "documents": cfg["docs"],
        "signal_rows": signal_rows,
        "screened_tickers": scr["rows"],
        "ingest_s": round(ingest_s, 3),
        "ingest_mb_s": round(corpus_mb / ingest_s, 3),
        "limit_mb_s": round(corpus_mb / limit_s, 3),
        "ingest_ratio": round(limit_s / ingest_s, 4),
        "cpu_s_per_mb_by_size": sizes,
        "ingest_peak_mb": ingest_peak_mb,
        "build_fresh_s": round(build_s, 3),
        "build_carry_copy_s": round(build_copy_s, 3),
        "build_carry_reextract_s": round(build_reextract_s, 3),
        "build_reextract_vs_ingest": round(build_reextract_s / ingest_s, 3),
        "screen_s": round(screen_s, 4),
        "screen_cold_s": cli["screen"],
        **{f"peer_{k}_s": round(v, 4) for k, v in peer_s.items()},
        "peer_pandas_compute_s": round(statistics.median(peers["pandas"]["compute_seconds"]), 4),
        **{f"peer_{k}_first_s": round(v, 4) for k, v in cold_peer.items()},
        "fastest_peer": fastest,
        "screen_vs_fastest_peer": round(screen_s / peer_s[fastest], 3),
        "screen_first_vs_fastest_first": round(scr["seconds"][0] / cold_peer[fastest], 3),
        "rankings_agree": all(scr["ranking"] == p["ranking"] for p in peers.values()),
        "screen_peak_mb": peaks["screen"],
        **{f"peer_{k}_peak_mb": peaks[k] for k in PEERS},
        "signals_table_mb": round(signals_mb, 1),
        "signals_parquet_mb": round(parquet_mb, 1),
        "signals_storage_ratio": round(signals_mb / parquet_mb, 3),
        "cli_cold_s": cli,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", choices=list(SCALES), default="small")
    ap.add_argument("--json", type=Path, help="write the figures to this file")
    ap.add_argument("--work", type=Path, help="working folder (default benchmarks/out/SCALE)")
    a = ap.parse_args()
    figures = run(a.scale, a.work or HERE / "out" / a.scale)
    from tabulate import tabulate

    rows = [
        (k, json.dumps(v, ensure_ascii=False) if isinstance(v, dict) else v)
        for k, v in figures.items()
    ]
    print(tabulate(rows, headers=["figure", "value"], tablefmt="simple", disable_numparse=True))
    if a.json:
        a.json.write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
