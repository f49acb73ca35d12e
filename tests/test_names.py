"""Every listing and every name: English, pinyin, legal, former names, nicknames, Hong Kong
Traditional names and Taiwan listings, in documents and wherever a ticker is accepted."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import DATA

NAMES = DATA / "names"


def suppliers(kb, name: str) -> dict[str, set[str]]:
    """ticker -> themes of the supplier links of one of our test documents."""
    from screener.corpus import read_document

    doc = read_document(NAMES / name, kb)
    out: dict[str, set[str]] = {}
    for lk in doc.extraction.links:
        if lk.role == "supplier":
            for t in kb.company_tickers.get(lk.company_id, []):
                out.setdefault(t, set()).add(lk.theme or "")
    return out


ENGLISH = {
    "300308.SZ": "optical_modules",
    "300502.SZ": "optical_modules",
    "300394.SZ": "optical_modules",
    "300383.SZ": "idc",
    "603881.SH": "idc",
    "300442.SZ": "idc",
    "300738.SZ": "idc",
    "601138.SH": "servers",
    "603296.SH": "servers",
    "603019.SH": "servers",
    "002837.SZ": "liquid_cooling",
    "300274.SZ": "power",
    "002335.SZ": "power",
    "688256.SH": "chips",
    "688041.SH": "chips",
    "688008.SH": "chips",
    "301165.SZ": "switches",
    "000938.SZ": "switches",
    "300913.SZ": "copper_interconnect",
    "002130.SZ": "copper_interconnect",
}


def test_twenty_suppliers_named_in_english(kb):
    found = suppliers(kb, "english_suppliers.txt")
    assert len(ENGLISH) == 20
    missing = {t: th for t, th in ENGLISH.items() if th not in found.get(t, set())}
    assert missing == {}


TAIWAN = {
    "2317.TW": "servers",
    "2382.TW": "servers",
    "3231.TW": "servers",
    "6669.TW": "servers",
    "3017.TW": "liquid_cooling",
    "3324.TWO": "liquid_cooling",
    "2308.TW": "power",
    "2330.TW": "chips",
}


def test_taiwan_suppliers_with_their_codes(kb):
    found = suppliers(kb, "tw_suppliers.txt")
    missing = {t: th for t, th in TAIWAN.items() if th not in found.get(t, set())}
    assert missing == {}


def test_former_names_and_a_nickname(kb):
    found = suppliers(kb, "former_and_nicknames.txt")
    assert "optical_modules" in found["300548.SZ"]  # 博创科技, now 长芯博创
    assert "power" in found["002335.SZ"]  # 科华恒盛, now 科华数据
    for t in ("300502.SZ", "300308.SZ", "300394.SZ"):  # 易中天
        assert "optical_modules" in found[t]


def test_coverage_of_the_universe(kb):
    english = {a["company_id"] for a in kb.aliases if a["lang"] == "en"}
    a_sh_sz = [x for x in kb.listings if x["ticker"].endswith((".SH", ".SZ"))]
    share = sum(x["company_id"] in english for x in a_sh_sz) / len(a_sh_sz)
    assert share >= 0.95
    # every listing of the HKEX list of 2026-07 has a Chinese name; the 25 without one are
    # in the English list of 2026-02 only (delisted since)
    import csv

    from screener.reference import DATA_DIR

    with (DATA_DIR / "reference" / "hk_names_zh_hant.csv").open(encoding="utf-8") as f:
        listed_2026_07 = {r["ticker"] for r in csv.DictReader(f)}
    chinese = {a["company_id"] for a in kb.aliases if a["lang"].startswith("zh")}
    hk = [x for x in kb.listings if x["market"] == "HK" and x["ticker"] in listed_2026_07]
    assert len(hk) > 2700 and all(x["company_id"] in chinese for x in hk)
    tw = [x for x in kb.listings if x["market"] == "TW"]
    assert {x["exchange"] for x in tw} == {"TWSE", "TPEx"} and len(tw) > 1900
    former = {(a["alias"], a["company_id"]) for a in kb.aliases if a["kind"] == "former"}
    assert ("博创科技", "a_300548") in former or any(a == "博创科技" for a, _ in former)
    assert kb.ticker_company["2330.TW"] == kb.ticker_company["TSM.N"] == "tsmc"


@pytest.mark.parametrize(
    "name", ["中际旭创", "中際旭創", "Innolight", "Zhongji Xuchuang", "300308", "sz300308"]
)
def test_names_are_accepted_wherever_a_ticker_is(built_db: Path, name: str) -> None:
    import screener

    with screener.open(built_db) as db:
        assert db.resolve_ticker(name) == "300308.SZ"


def test_a_name_several_issuers_share_lists_them(built_db: Path, runner) -> None:
    from screener.cli import app

    r = runner.invoke(app, ["explain", "中国", "--db", str(built_db)])
    r2 = runner.invoke(app, ["companies", "旭创", "--db", str(built_db)])
    assert r2.exit_code == 0 and "300308.SZ" in r2.stdout and "Zhongji Xuchuang" in r2.stdout
    assert r.exit_code in (2, 5)


def test_an_ambiguous_name_exits_2(built_db: Path, runner) -> None:
    import screener
    from screener.errors import UsageError

    with screener.open(built_db) as db:
        shared = db.query(
            "select folded from aliases group by folded having count(distinct company_id) > 1 "
            "and min(company_id) like 'a_%' order by folded limit 1"
        )["folded"][0]
        with pytest.raises(UsageError, match="names .* companies"):
            db.resolve_ticker(shared)


def test_taiwan_is_a_market(built_db: Path) -> None:
    import screener

    with screener.open(built_db) as db:
        assert set(db.query("select distinct market from listings")["market"]) == {
            "A",
            "HK",
            "US",
            "TW",
        }
        assert db.screen(market="TW").height >= 0
        assert db.resolve_ticker("2330.TW") == "2330.TW"
        assert db.resolve_ticker("台積電") == "2330.TW"


def test_signal_files_take_names(db_copy: Path, tmp_path: Path) -> None:
    from screener.signals import read_signals

    f = tmp_path / "by_name.csv"
    f.write_text(
        "ticker,as_of,momentum\n中际旭创,2026-01-05,0.1\n中際旭創,2026-02-05,0.2\n"
        "Innolight,2026-03-05,0.3\n台積電,2026-03-05,0.5\n",
        encoding="utf-8",
    )
    data = read_signals([f], db_copy)
    assert data["ticker"].to_list() == ["300308.SZ", "300308.SZ", "300308.SZ", "2330.TW"]
