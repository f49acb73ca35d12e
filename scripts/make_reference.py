"""Regenerate data/reference/*.csv from ../shared/reference (public market data).

Run: uv run python scripts/make_reference.py [SHARED_REFERENCE_DIR]

Keeps only facts (codes, exchange short names, industry, board, listing date, concept
membership for the concepts mapped to our themes in data/theme_concepts.csv). The
project builds from data/ alone; this script is how those files were made.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BOARD = {"主板": "main", "创业板": "chinext", "科创板": "star", "北交所": "bse"}


def main(src: Path) -> None:
    out = ROOT / "screener" / "data" / "reference"
    out.mkdir(parents=True, exist_ok=True)

    with (
        (src / "a_shares.csv").open(encoding="utf-8") as f,
        (out / "a_shares.csv").open("w", encoding="utf-8", newline="") as g,
    ):
        w = csv.writer(g)
        w.writerow(["ticker", "name", "industry", "board", "list_date"])
        for r in csv.DictReader(f):
            d = r["list_date"]
            w.writerow(
                [
                    r["ts_code"],
                    r["name"],
                    r["industry"],
                    BOARD.get(r["market"], r["market"]),
                    f"{d[:4]}-{d[4:6]}-{d[6:]}" if len(d) == 8 else "",
                ]
            )

    zh: dict[str, str] = {}
    with (src / "hk_shares_zh_partial.csv").open(encoding="utf-8") as f:
        for r in csv.DictReader(f):
            zh[r["ticker"]] = r["name"]
    with (
        (src / "hk_shares_en.csv").open(encoding="utf-8") as f,
        (out / "hk_shares.csv").open("w", encoding="utf-8", newline="") as g,
    ):
        w = csv.writer(g)
        w.writerow(["ticker", "name_en", "name_zh"])
        seen: set[str] = set()
        for r in csv.DictReader(f):
            t, name = r["Symbol"], r["Name"]
            # "-R" rows are RMB counters: same code as a row already written
            if t in seen:
                continue
            seen.add(t)
            w.writerow([t, name, zh.get(t, "")])

    wanted: dict[str, str] = {}
    with (ROOT / "screener" / "data" / "theme_concepts.csv").open(encoding="utf-8") as f:
        for r in csv.DictReader(f):
            wanted[r["concept"]] = r["theme"]
    with (
        (src / "concept_boards_em.csv").open(encoding="utf-8") as f,
        (out / "concept_members.csv").open("w", encoding="utf-8", newline="") as g,
    ):
        w = csv.writer(g)
        w.writerow(["concept", "ticker"])
        rows = sorted(
            {(r["concept"], r["ts_code"]) for r in csv.DictReader(f) if r["concept"] in wanted}
        )
        w.writerows(rows)


# jieba part-of-speech tags of proper names; any other tag means an everyday word
PROPER = {"nt", "nz", "nr", "nrt", "nrfg"}


def common_word_names(out: Path) -> None:
    """Exchange short names that are everyday words or places (驱动力, 太阳能, 长白山):
    the extractor accepts them only with context. Judged by jieba's dictionary: a word
    tagged other than a proper name, or any word more frequent than 1000."""
    import os
    import unicodedata

    import jieba

    info: dict[str, tuple[int, str]] = {}
    with open(os.path.join(os.path.dirname(jieba.__file__), "dict.txt"), encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            info[parts[0]] = (int(parts[1]), parts[2] if len(parts) > 2 else "")
    sys.path.insert(0, str(ROOT))
    from screener.reference import strip_exchange_name

    rows = set()
    for src in ("a_shares.csv", "hk_shares.csv"):
        with (out / src).open(encoding="utf-8") as f:
            for r in csv.DictReader(f):
                name = r.get("name") or r.get("name_zh") or ""
                s = strip_exchange_name(unicodedata.normalize("NFKC", name))
                if s in info:
                    freq, tag = info[s]
                    if tag not in PROPER or freq >= 1000:
                        rows.add((s, tag, freq))
    with (out / "common_word_names.csv").open("w", encoding="utf-8", newline="") as g:
        w = csv.writer(g)
        w.writerow(["name", "jieba_tag", "jieba_freq"])
        w.writerows(sorted(rows))


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "reference")
    common_word_names(ROOT / "screener" / "data" / "reference")
