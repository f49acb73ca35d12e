"""Precision and recall of the extractor on the labelled set in tests/eval/.

Run: uv run python tests/eval/evaluate.py [--holdout] [--verbose]

Two sets: tests/eval/ (the development set the rules were tuned on) and
tests/eval/holdout/ (written after the rules were frozen; its first score is the honest one).

Supplier links are scored as (document, company_id, theme) triples: precision is the share
of predicted supplier links that are labelled, recall the share of labelled links found.
Roles in roles.csv are scored as (document, company_id, role), where role may list
alternatives (customer|spender), and those companies must never be suppliers. The documents were written for this set; they are not the seed documents.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from screener.corpus import read_document  # noqa: E402
from screener.reference import load  # noqa: E402


def evaluate(folder: Path = HERE) -> dict[str, object]:
    kb = load()
    with (folder / "labels.csv").open(encoding="utf-8") as f:
        gold = {(r["doc"], r["company_id"], r["theme"]) for r in csv.DictReader(f)}
    with (folder / "roles.csv").open(encoding="utf-8") as f:
        roles = {(r["doc"], r["company_id"], r["role"]) for r in csv.DictReader(f)}
    pred: set[tuple[str, str, str]] = set()
    pred_roles: set[tuple[str, str, str]] = set()
    encodings: dict[str, str] = {}
    for path in sorted((folder / "docs").iterdir()):
        doc = read_document(path, kb)
        encodings[path.name] = doc.row["encoding"]
        for lk in doc.extraction.links:
            pred_roles.add((path.name, lk.company_id, lk.role))
            if lk.role == "supplier" and lk.theme:
                pred.add((path.name, lk.company_id, lk.theme))
    tp = gold & pred
    role_hits = {
        (d, c, r) for d, c, r in roles if any((d, c, x) in pred_roles for x in r.split("|"))
    }
    role_as_supplier = {(d, c) for d, c, _ in roles} & {(d, c) for d, c, _ in pred}
    return {
        "documents": len(encodings),
        "labelled_links": len(gold),
        "predicted_links": len(pred),
        "precision": len(tp) / len(pred) if pred else 1.0,
        "recall": len(tp) / len(gold) if gold else 1.0,
        "false_positives": sorted(pred - gold),
        "false_negatives": sorted(gold - pred),
        "role_recall": len(role_hits) / len(roles) if roles else 1.0,
        "role_misses": sorted(roles - role_hits),
        "non_suppliers_as_supplier": sorted(role_as_supplier),
        "encodings": encodings,
    }


if __name__ == "__main__":
    r = evaluate(HERE / "holdout" if "--holdout" in sys.argv else HERE)
    print(
        f"documents {r['documents']}, labelled supplier links {r['labelled_links']}, predicted {r['predicted_links']}"
    )
    print(
        f"precision {r['precision']:.3f}  recall {r['recall']:.3f}  role recall {r['role_recall']:.3f}"
    )
    for k in ("false_positives", "false_negatives", "role_misses", "non_suppliers_as_supplier"):
        if r[k]:
            print(f"{k}:")
            for x in r[k]:  # type: ignore[attr-defined]
                print("  ", *x)
    if "--verbose" in sys.argv:
        print(r["encodings"])
