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
    "scan_mb_s",
    "ingest_ratio",
    "screen_s",
    "screen_sql_s",
    "screen_pandas_s",
    "screen_ratio",
    "pandas_ratio",
    "build_s",
    "help_s",
    "ingest_peak_mb",
    "screen_peak_mb",
}


@pytest.mark.slow
def test_small_benchmark_runs_and_the_three_screens_agree(tmp_path):
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
    assert figures["rankings_agree"] is True
    assert figures["screened_tickers"] > 100
    assert figures["signal_rows"] == 300_000
