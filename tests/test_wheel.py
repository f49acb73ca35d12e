"""The package installs: a built wheel in a fresh virtual environment runs `screener screen`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_wheel_installs_and_screens(tmp_path: Path) -> None:
    uv = shutil.which("uv")
    if uv is None:
        pytest.skip("uv is not on PATH")
    dist = tmp_path / "dist"
    subprocess.run(
        [uv, "build", "--wheel", "--out-dir", str(dist)], cwd=ROOT, check=True, capture_output=True
    )
    wheels = list(dist.glob("screener-*.whl"))
    assert len(wheels) == 1
    venv = tmp_path / "venv"
    subprocess.run(
        [uv, "venv", "--python", sys.executable, str(venv)], check=True, capture_output=True
    )
    py = venv / "bin" / "python"
    subprocess.run(
        [uv, "pip", "install", "--python", str(py), str(wheels[0])], check=True, capture_output=True
    )
    work = tmp_path / "work"  # not the repository: nothing may be read from the checkout
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("SCREENER_DB", "PYTHONPATH")}
    r = subprocess.run(
        [str(venv / "bin" / "screener"), "screen", "--top", "3", "--format", "csv"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stderr
    lines = r.stdout.strip().splitlines()
    assert lines[0].startswith("rank,ticker,")
    assert len(lines) == 4
    assert (work / "screener.duckdb").exists()
