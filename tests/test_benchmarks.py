"""The benchmark harness still works at the small scale (figures are not asserted: benchmarks
are not tests)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
KEYS = {
    "ingest_mb_s",
    "limit_mb_s",
    "ingest_ratio",
    "cpu_s_per_mb_by_size",
    "build_fresh_s",
    "build_carry_copy_s",
    "build_carry_reextract_s",
    "screen_s",
    "peer_sql_s",
    "peer_parquet_s",
    "peer_polars_s",
    "peer_pandas_s",
    "screen_vs_fastest_peer",
    "rankings_agree",
    "ingest_peak_mb",
    "screen_peak_mb",
    "signals_storage_ratio",
    "cli_cold_s",
}


@pytest.mark.slow
def test_small_benchmark_runs_and_the_five_screens_agree(tmp_path):
    out = tmp_path / "figures.json"
    r = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "run.py"),
            "--scale",
            "small",
            "--json",
            str(out),
            "--work",
            str(tmp_path / "w"),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
    )
    assert r.returncode == 0, r.stderr[-2000:]
    figures = json.loads(out.read_text())
    assert set(figures) >= KEYS
    assert figures["rankings_agree"] is True  # the whole ranking, all five screens
    assert set(figures["cli_cold_s"]) >= {
        "help",
        "screen",
        "explain",
        "capex",
        "report",
        "signals_list_first",
        "signals_load_one",
        "signals_list_after_load",
        "ingest_one",
    }
    assert figures["screened_tickers"] > 100
    assert figures["signal_rows"] == 300_000
