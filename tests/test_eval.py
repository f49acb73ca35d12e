"""Precision and recall on the labelled sets written for this project (tests/eval/)."""

import importlib.util
from pathlib import Path

HERE = Path(__file__).resolve().parent / "eval"
spec = importlib.util.spec_from_file_location("evaluate", HERE / "evaluate.py")
evaluate = importlib.util.module_from_spec(spec)
spec.loader.exec_module(evaluate)


def test_development_set():
    r = evaluate.evaluate(HERE)
    assert r["precision"] >= 0.95 and r["recall"] >= 0.95, r
    assert r["non_suppliers_as_supplier"] == []


def test_holdout_set():
    r = evaluate.evaluate(HERE / "holdout")
    assert r["precision"] >= 0.9 and r["recall"] >= 0.9, r
    assert r["non_suppliers_as_supplier"] == []


def test_encodings_of_the_set():
    r = evaluate.evaluate(HERE)
    assert r["encodings"]["23_gbk.txt"] == "gb18030"
    assert r["encodings"]["24_big5.txt"] == "big5"
    assert r["encodings"]["25_utf16.txt"] == "utf-16"
