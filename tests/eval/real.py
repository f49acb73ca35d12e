"""Score the extractor on the real documents in ../shared/eval (54 hand-labelled documents).

Run: uv run python tests/eval/real.py [--docs] [--misses] [--unlabelled] [--json OUT]

Scoring follows ../shared/eval/README.md: a `must` row counts when the document has a
`supplier` link to any listing of that company under the row's theme (any theme for `*`);
a must_not violation is any supplier link to that company in that document; unlabelled
suppliers are supplier links to listed companies the labels do not mention. Capex recall is
(spender, period, amount within 1%) against capex_gold.csv, the spender matched by name.
"""

from __future__ import annotations

import csv
import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
EVAL = ROOT.parent / "shared" / "eval"
sys.path.insert(0, str(ROOT))

from screener.corpus import read_document  # noqa: E402
from screener.reference import load  # noqa: E402
from screener.text import fold  # noqa: E402


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def extract_all(folder: Path = EVAL) -> dict[str, Any]:
    kb = load()
    out = {}
    for p in sorted((folder / "docs").iterdir()):
        out[p.name] = read_document(p, kb)
    return out


def score(folder: Path = EVAL, docs: dict[str, Any] | None = None) -> dict[str, Any]:
    kb = load()
    docs = docs if docs is not None else extract_all(folder)
    by_ticker = kb.ticker_company
    gold = _rows(folder / "gold.csv")
    labelled: dict[str, set[str]] = defaultdict(set)
    for g in gold:
        cid = by_ticker.get(g["ticker"])
        if cid:
            labelled[g["doc"]].add(cid)
    supplier: dict[str, dict[str, set[str]]] = {}  # doc -> company -> themes
    for name, d in docs.items():
        s: dict[str, set[str]] = defaultdict(set)
        for lk in d.extraction.links:
            if lk.role == "supplier":
                s[lk.company_id].add(lk.theme or "")
        supplier[name] = s
    per_doc: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    per_theme: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    misses, violations, stretch_hits, unknown = [], [], 0, []
    n = {"must": 0, "must_hit": 0, "stretch": 0, "must_not": 0}
    for g in gold:
        doc, kind, theme = g["doc"], g["kind"], g["theme"]
        cid = by_ticker.get(g["ticker"])
        if cid is None:
            unknown.append((doc, g["ticker"]))
        themes = supplier.get(doc, {}).get(cid or "", set())
        if kind == "must":
            n["must"] += 1
            hit = bool(themes) if theme in ("*", "") else theme in themes
            per_doc[doc]["must"] += 1
            per_theme[theme]["must"] += 1
            if hit:
                n["must_hit"] += 1
                per_doc[doc]["hit"] += 1
                per_theme[theme]["hit"] += 1
            else:
                misses.append((doc, g["ticker"], theme, sorted(themes), g["note"][:70]))
        elif kind == "stretch":
            n["stretch"] += 1
            if themes:
                stretch_hits += 1
        elif kind == "must_not":
            n["must_not"] += 1
            if themes:
                violations.append((doc, g["ticker"], sorted(themes), g["note"][:70]))
                per_doc[doc]["violations"] += 1
    listed = {lst["company_id"] for lst in kb.listings}
    unlabelled = sorted(
        (doc, cid, kb.companies[cid].get("name_zh") or cid, sorted(ts))
        for doc, s in supplier.items()
        for cid, ts in s.items()
        if cid in listed and cid not in labelled.get(doc, set())
    )
    cap = capex_score(folder, docs)
    return {
        "documents": len(docs),
        "must": n["must"],
        "must_hit": n["must_hit"],
        "must_recall": n["must_hit"] / n["must"] if n["must"] else 1.0,
        "stretch": n["stretch"],
        "stretch_recall": stretch_hits / n["stretch"] if n["stretch"] else 1.0,
        "must_not": n["must_not"],
        "violations": violations,
        "unlabelled": unlabelled,
        "misses": misses,
        "unknown_tickers": unknown,
        "per_doc": {k: dict(v) for k, v in sorted(per_doc.items())},
        "per_theme": {k: dict(v) for k, v in sorted(per_theme.items())},
        "capex": cap,
    }


def _spender_key(label: str) -> str:
    return fold(label).replace(" ", "")


def capex_score(folder: Path, docs: dict[str, Any]) -> dict[str, Any]:
    kb = load()
    gold = _rows(folder / "capex_gold.csv")
    names: dict[str, set[str]] = defaultdict(set)  # company_id -> folded names
    for a in kb.aliases:
        names[a["company_id"]].add(_spender_key(a["alias"]))
    found = []
    for doc, d in docs.items():
        for c in d.extraction.capex:
            keys = set(names.get(c.get("company_id") or "", set()))
            keys.add(_spender_key(c.get("spender_label") or ""))
            found.append((doc, keys, c.get("period"), c.get("amount"), c))
    hit, matched = 0, set()
    missed = []
    for g in gold:
        amount = float(g["amount"])
        sk = _spender_key(g["spender"])
        ok = None
        for i, (doc, keys, period, amt, _) in enumerate(found):
            if doc != g["doc"] or (period or "") != g["period"]:
                continue
            if not (amt and abs(amt - amount) <= 0.01 * amount):
                continue
            if any(sk in k or (k and k in sk) for k in keys):
                ok = i
                break
        if ok is None:
            missed.append((g["doc"], g["spender"], g["period"], g["amount"], g["qualifier"]))
        else:
            hit += 1
            matched.add(ok)
    extra = [
        (doc, c.get("spender_label") or c.get("company_id"), period, amt)
        for i, (doc, _, period, amt, c) in enumerate(found)
        if i not in matched
    ]
    return {
        "gold": len(gold),
        "hit": hit,
        "recall": hit / len(gold) if gold else 1.0,
        "missed": missed,
        "unmatched_extracted": extra,
    }


def report(r: dict[str, Any], show: set[str]) -> str:
    lines = [
        f"documents {r['documents']}  must recall {r['must_recall']:.3f} ({r['must_hit']}/{r['must']})  "
        f"stretch recall {r['stretch_recall']:.3f}  must_not violations {len(r['violations'])}/{r['must_not']}  "
        f"unlabelled suppliers {len(r['unlabelled'])}  capex recall {r['capex']['recall']:.3f} "
        f"({r['capex']['hit']}/{r['capex']['gold']}, {len(r['capex']['unmatched_extracted'])} extracted unmatched)",
        f"labelled tickers not in the universe (Taiwan, Korea, US listings not curated): {len(r['unknown_tickers'])}",
        "per theme: "
        + "  ".join(f"{t or '-'} {v.get('hit', 0)}/{v['must']}" for t, v in r["per_theme"].items()),
    ]
    if "--docs" in show:
        for d, v in r["per_doc"].items():
            lines.append(
                f"  {d:48s} must {v.get('hit', 0)}/{v.get('must', 0)}  violations {v.get('violations', 0)}"
            )
    for key, flag in (("misses", "--misses"), ("violations", None), ("unlabelled", "--unlabelled")):
        if (flag is None or flag in show) and r[key]:
            lines.append(f"{key}:")
            lines.extend(f"  {x}" for x in r[key])
    if "--capex" in show:
        lines.append("capex missed:")
        lines.extend(f"  {x}" for x in r["capex"]["missed"])
        lines.append("capex extracted, unmatched:")
        lines.extend(f"  {x}" for x in r["capex"]["unmatched_extracted"])
    return "\n".join(lines)


if __name__ == "__main__":
    result = score()
    print(report(result, set(sys.argv[1:])))
    if "--json" in sys.argv:
        out = Path(sys.argv[sys.argv.index("--json") + 1])
        out.write_text(
            json.dumps({k: v for k, v in result.items()}, ensure_ascii=False, indent=1, default=str)
        )
