"""Regenerate data/reference/*.csv from ../shared/reference (public market data).

Run: uv run python scripts/make_reference.py [SHARED_REFERENCE_DIR]

Keeps only facts (codes, exchange short names, industry, board, listing date, concept
membership for the concepts mapped to our themes in data/theme_concepts.csv). The
project builds from data/ alone; this script is how those files were made.
"""

from __future__ import annotations

import csv
import json
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


def _rows(path: Path) -> list[dict[str, str]]:
    """CSV rows; a UTF-8 BOM and a leading pandas index column (named "") are dropped."""
    with path.open(encoding="utf-8-sig", newline="") as f:
        return [{k: (v or "").strip() for k, v in r.items() if k} for r in csv.DictReader(f)]


def _wind(code: str) -> str:
    """``688041.XSHG`` / ``600000.SS`` / ``600000`` (SSE list) -> ``688041.SH``."""
    num, _, ex = code.partition(".")
    suffix = {"XSHG": "SH", "SS": "SH", "XSHE": "SZ", "SZ": "SZ", "SH": "SH", "BJ": "BJ"}
    return f"{num}.{suffix.get(ex.upper(), ex.upper())}" if ex else num


def names(src: Path, out: Path) -> None:
    """English short and legal names, Chinese legal names and former short names of
    A-shares; every Hong Kong listing's Traditional name; TWSE and TPEx listings."""
    current = {r["ts_code"]: r["name"] for r in _rows(src / "a_shares.csv")}
    en_short = {_wind(r["Symbol"]): r["Name"] for r in _rows(src / "a_shares_en_2026-02.csv")}
    legal_zh: dict[str, str] = {}
    legal_en: dict[str, str] = {}
    for f in ("a_shares_snapshot_2019-07.csv", "a_shares_names_2021-01.csv"):
        for r in _rows(src / f):
            if r.get("fullname"):
                legal_zh[r["ts_code"]] = r["fullname"]
            if r.get("enname"):
                legal_en[r["ts_code"]] = r["enname"]
    for r in _rows(src / "sse_a_shares_fullname_2023-09.csv"):
        legal_zh[f"{r['A股代码']}.SH"] = r["证券全称"]
    for f in ("financedatabase_SHH.csv", "financedatabase_SHZ.csv"):
        for r in _rows(src / f):
            t = _wind(r["symbol"])
            if t in current and r["name"]:
                legal_en.setdefault(t, r["name"])
    with (out / "a_names.csv").open("w", encoding="utf-8", newline="") as g:
        w = csv.writer(g)
        w.writerow(["ticker", "name_en", "legal_zh", "legal_en"])
        for t in sorted(current):
            row = [en_short.get(t, ""), legal_zh.get(t, ""), legal_en.get(t, "")]
            if any(row):
                w.writerow([t, *row])

    sys.path.insert(0, str(ROOT))
    from screener.reference import strip_exchange_name

    seen: dict[tuple[str, str], list[str]] = {}
    for f, when in (
        ("a_shares_snapshot_2019-07.csv", "2019-07"),
        ("a_shares_names_2021-01.csv", "2021-01"),
        ("a_shares_snapshot_2023-09.csv", "2023-09"),
        ("a_shares_snapshot_2025-06.csv", "2025-06"),
    ):
        for r in _rows(src / f):
            t, name = r["ts_code"], strip_exchange_name(r["name"])
            if t in current and name and name != strip_exchange_name(current[t]):
                seen.setdefault((t, name), []).append(when)
    with (out / "a_former_names.csv").open("w", encoding="utf-8", newline="") as g:
        w = csv.writer(g)
        w.writerow(["ticker", "name", "first_seen", "last_seen"])
        for (t, name), whens in sorted(seen.items()):
            w.writerow([t, name, min(whens), max(whens)])

    hk = json.loads((src / "hk_names_zh_hant_2026-07.json").read_text(encoding="utf-8"))
    with (out / "hk_names_zh_hant.csv").open("w", encoding="utf-8", newline="") as g:
        w = csv.writer(g)
        w.writerow(["ticker", "name_zh_hant"])
        for r in sorted(hk["symbols"], key=lambda r: int(r["code"])):
            w.writerow([f"{int(r['code']):04d}.HK", r["name"].strip()])

    with (out / "tw_shares.csv").open("w", encoding="utf-8", newline="") as g:
        w = csv.writer(g)
        w.writerow(["ticker", "name", "legal_zh", "name_en", "list_date"])
        # the two official lists name the same facts with different keys
        for fname, suffix, keys in (
            (
                "tw_twse_listed_2026-07.json",
                "TW",
                ("公司代號", "公司簡稱", "公司名稱", "英文簡稱", "上市日期"),
            ),
            (
                "tw_tpex_listed_2026-07.json",
                "TWO",
                (
                    "SecuritiesCompanyCode",
                    "CompanyAbbreviation",
                    "CompanyName",
                    "Symbol",
                    "DateOfListing",
                ),
            ),
        ):
            for r in json.loads((src / fname).read_text(encoding="utf-8")):
                code, short, legal, en, d = (r[k].strip() for k in keys)
                date = f"{d[:4]}-{d[4:6]}-{d[6:]}" if len(d) == 8 else ""
                w.writerow([f"{code}.{suffix}", short, legal, en, date])

    # pinyin of every A-share short name, as writers romanise names they have no English
    # for ("Zhongji Xuchuang", "Xinyisheng"): pairs of syllables make a word
    from pypinyin import lazy_pinyin

    with (out / "a_pinyin.csv").open("w", encoding="utf-8", newline="") as g:
        w = csv.writer(g)
        w.writerow(["ticker", "pinyin"])
        for t, name in sorted(current.items()):
            syl = lazy_pinyin(strip_exchange_name(name))
            if not syl or not all(x.isascii() and x.isalpha() and x.islower() for x in syl):
                continue
            words = [syl[:2], syl[2:]] if len(syl) >= 4 else [syl]
            w.writerow([t, " ".join("".join(p).capitalize() for p in words if p)])

    with (out / "us_names_zh.csv").open("w", encoding="utf-8", newline="") as g:
        w = csv.writer(g)
        w.writerow(["symbol", "name_en", "name_zh"])
        for r in _rows(src / "us_names_cn_2024-05.csv"):
            if (
                r["cname"]
                and r["cname"] != r["name"]
                and any("\u4e00" <= c <= "\u9fff" for c in r["cname"])
            ):
                w.writerow([r["symbol"], r["name"], r["cname"]])


if __name__ == "__main__":
    src = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "reference"
    main(src)
    names(src, ROOT / "screener" / "data" / "reference")
    common_word_names(ROOT / "screener" / "data" / "reference")
