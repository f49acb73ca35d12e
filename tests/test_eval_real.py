"""The extractor on the real documents in ../shared/eval (54 hand-labelled notes and pages).

A ratchet: recall may not fall below the figure last reached, and no `must_not` company may
be linked as a supplier except the known, explained case below. Raise the floors when the
extractor improves (the figures: `uv run python tests/eval/real.py`).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent / "eval"
EVAL = HERE.parents[1].parent / "shared" / "eval"

# 0.960, reached 2026-11-22 (0.441 at the start, 0.907 after the first round)
MUST_RECALL_FLOOR = 237 / 247
CAPEX_RECALL_FLOOR = 57 / 111  # 0.514 (0.477 before)
# none left: d19's wrong code after "Jereh Group" is dropped (test_extract covers the rule)
KNOWN_VIOLATIONS: set[tuple[str, str]] = set()


@pytest.fixture(scope="module")
def result():
    if not (EVAL / "gold.csv").exists():
        pytest.skip("../shared/eval is not here")
    spec = importlib.util.spec_from_file_location("real", HERE / "real.py")
    assert spec and spec.loader
    real = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(real)
    return real.score(EVAL)


def test_must_recall_does_not_fall(result):
    assert result["must_recall"] >= MUST_RECALL_FLOOR - 1e-9, result["misses"]


def test_no_must_not_company_is_a_supplier(result):
    found = {(v[0], v[1]) for v in result["violations"]}
    assert found <= KNOWN_VIOLATIONS, sorted(found - KNOWN_VIOLATIONS)


def test_capex_recall_does_not_fall(result):
    assert result["capex"]["recall"] >= CAPEX_RECALL_FLOOR - 1e-9, result["capex"]["missed"]
