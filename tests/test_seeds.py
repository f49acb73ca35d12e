"""The seed documents: the shipped facts are what the extractor produces, and the product's
must-hold checks. Skips only where ../shared/seeds is absent."""

import polars as pl
import pytest

from screener.corpus import extract_seeds, read_corpus
from screener.db import query

# The broker note's segment table (seed 004): company -> (theme, tickers)
TABLE = {
    "idc": [
        "603881.SH",
        "GDS.O",
        "9698.HK",
        "VNET.O",
        "300383.SZ",
        "300442.SZ",
        "002929.SZ",
        "600126.SH",
        "600845.SH",
    ],
    "power": ["002364.SZ", "002335.SZ", "300693.SZ", "002851.SZ", "300274.SZ"],
    "liquid_cooling": ["002837.SZ", "301018.SZ"],
    "switches": ["301165.SZ", "000938.SZ"],
    "optical_modules": ["002281.SZ", "000988.SZ", "300308.SZ"],
    "servers": ["000977.SZ", "603019.SH", "603296.SH"],
    "copper_interconnect": ["300913.SZ"],
    "chips": ["688041.SH", "688256.SH", "300458.SZ", "688521.SH", "688018.SH", "688332.SH"],
}


def test_shipped_facts_equal_a_fresh_extraction(seeds, kb):
    fresh = extract_seeds(seeds, kb)
    shipped = read_corpus()
    for name in ("documents", "mentions", "links", "capex"):
        a = fresh[name].sort(fresh[name].columns)
        b = shipped[name].sort(shipped[name].columns)
        assert a.equals(b), (
            f"screener/data/corpus/{name}.csv differs from the extractor's output: run scripts/make_corpus.py"
        )


def test_shipped_sha256_is_of_the_raw_bytes(seeds):
    import hashlib

    docs = read_corpus()["documents"]
    for r in docs.iter_rows(named=True):
        raw = (seeds / r["path"].removeprefix("seeds/")).read_bytes()
        assert hashlib.sha256(raw).hexdigest() == r["sha256"]


def test_every_table_company_is_an_exposed_supplier(built_db):
    exp = query(built_db, "select theme, ticker from exposure")
    have = set(exp.iter_rows())
    for theme, tickers in TABLE.items():
        for t in tickers:
            assert (theme, t) in have, f"{t} missing from exposure under {theme}"


def test_prose_suppliers_of_the_news_article(built_db):
    rows = query(
        built_db,
        "select l.company_id, l.theme from links l join documents d using (doc_id) "
        "where d.path like '%000_%' and l.role = 'supplier'",
    )
    got = set(rows.iter_rows())
    assert {
        ("a_000977", "servers"),
        ("a_603019", "servers"),
        ("gds", "idc"),
        ("huawei", "chips"),
    } <= got


def test_no_spender_analyst_or_customer_is_a_supplier(built_db):
    never = [
        "alibaba",
        "tencent",
        "baidu",
        "apple",
        "microsoft",
        "alphabet",
        "amazon",
        "meta",
        "goldman_sachs",
        "morgan_stanley",
        "bank_of_america",
        "a_002736",
        "csc_financial",
        "the_information",
        "wind",
        "a_601519",
        "thepaper",
        "hawkinsight",
    ]
    bad = query(
        built_db,
        "select distinct company_id from links where role = 'supplier' and list_contains($n, company_id)".replace(
            "$n", str(never)
        ),
    )
    assert bad.height == 0, bad
    analysts = query(built_db, "select distinct company_id from links where role = 'analyst'")[
        "company_id"
    ].to_list()
    assert {"a_002736", "goldman_sachs", "morgan_stanley", "csc_financial"} <= set(analysts)
    spenders = query(built_db, "select distinct company_id from links where role = 'spender'")[
        "company_id"
    ].to_list()
    assert {"alibaba", "microsoft", "amazon", "meta", "alphabet"} <= set(spenders)


def test_traditional_seed_resolves_names_and_is_zh_hant(built_db):
    doc = query(built_db, "select doc_id, language from documents where path like '%003_%'")
    assert doc["language"][0] == "zh-Hant"
    m = query(
        built_db, f"select company_id, matched from mentions where doc_id = '{doc['doc_id'][0]}'"
    )
    names = dict(zip(m["matched"], m["company_id"], strict=False))
    for written, cid in {
        "騰訊": "tencent",
        "蘋果": "apple",
        "百度": "baidu",
        "微軟": "microsoft",
        "國信證券": "a_002736",
    }.items():
        assert names.get(written) == cid, written


def test_languages_of_the_seeds(built_db):
    langs = dict(
        query(built_db, "select split_part(path, '/', 2)[1:3], language from documents").iter_rows()
    )
    assert langs == {
        "000": "zh-Hans",
        "001": "zh-Hans",
        "002": "mixed",
        "003": "zh-Hant",
        "004": "zh-Hans",
    }


@pytest.mark.parametrize(
    ("spender", "period", "cny_yi", "usd_bn", "qualifier"),
    [
        ("alibaba", "2025-2027", 3800.0, None, "at_least"),
        ("alibaba", "2025", 1237.0, None, None),
        ("alibaba", "2024", 859.0, None, None),
        ("alibaba", "2025Q1", 246.0, None, None),
        ("alibaba", "2025Q2", 386.0, None, None),
        ("alibaba", "2025Q3", 315.0, None, None),
        ("alibaba", "2025Q4", 290.0, None, None),
        ("alibaba", "2024Q1", 121.0, None, None),
        ("alibaba", "2024Q4", 246.0, None, None),
        ("alibaba", "2026", 1500.0, None, "about"),
        ("amazon", "2025", None, 105.0, None),
        ("alphabet", "2025", None, 75.0, None),
        ("microsoft", "2025", None, 80.0, None),
        ("meta", "2025", None, 62.5, "range"),
    ],
)
def test_capex_facts(built_db, spender, period, cny_yi, usd_bn, qualifier):
    rows = query(
        built_db,
        "select amount_cny / 1e8 as yi, amount_usd / 1e9 as bn, qualifier, snippet from capex "
        "where company_id = ? and period = ? and scope = 'total'",
        [spender, period],
    )
    assert rows.height >= 1
    if cny_yi is not None:
        assert cny_yi in [round(x, 1) for x in rows["yi"]]
    if usd_bn is not None:
        assert usd_bn in [round(x, 1) for x in rows["bn"]]
    assert qualifier in rows["qualifier"].to_list()
    assert all(rows["snippet"].str.len_chars() > 0)


def test_capex_plan_usd_and_infrastructure_part_and_aggregate(built_db):
    plan = query(
        built_db,
        "select round(amount_usd / 1e9) as bn from capex where company_id = 'alibaba' and period = '2025-2027' and currency = 'CNY'",
    )
    assert set(plan["bn"]) == {53.0}  # 380 bn yuan at the FX table's 7.18
    infra = query(
        built_db,
        "select amount / 1e8 as yi, qualifier from capex where company_id = 'alibaba' and period = '2026' and scope = 'infrastructure'",
    )
    assert infra.rows() == [(1000.0, "at_least")]
    big4 = query(
        built_db,
        "select amount_usd / 1e9 as bn, qualifier from capex where company_id is null and period = '2025' and spender_label like '%北美%'",
    )
    assert big4.rows() == [(320.0, "at_least")]
    meta = query(
        built_db, "select amount_low / 1e8, amount_high / 1e8 from capex where company_id = 'meta'"
    )
    assert meta.rows() == [(600.0, 650.0)]


def test_revenue_and_profit_figures_are_not_capex(built_db):
    amounts = query(
        built_db, "select round(amount / 1e8, 2) as yi from capex where currency = 'CNY'"
    )["yi"].to_list()
    for not_capex in (2801.5, 432.84, 548.53, 464.34, 510.66, 105.6):
        assert not_capex not in amounts


def test_point_in_time_mid_2025_has_no_2026_suppliers(built_db):
    mid = query(built_db, "select distinct ticker from exposure_asof(date '2025-06-30')")[
        "ticker"
    ].to_list()
    assert set(mid) == {"000977.SZ", "603019.SH", "GDS.O", "9698.HK"}
    assert pl.DataFrame({"t": mid}).filter(pl.col("t") == "300308.SZ").height == 0
