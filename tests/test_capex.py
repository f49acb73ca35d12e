"""Capex figures from sentences written for these tests."""

import pytest

from screener.extract import extract


def facts(text, kb, published="2025-03-01"):
    return [
        (
            c["company_id"] or c["spender_label"],
            c["period"],
            c["amount"],
            c["currency"],
            c["qualifier"],
            c["scope"],
        )
        for c in extract(text, kb, published).capex
    ]


def test_multi_year_plan_with_qualifier_and_currency(kb):
    assert facts("腾讯表示，未来三年将投入超过2,000亿元人民币建设AI基础设施。", kb) == [
        ("tencent", "2025-2027", 2.0e11, "CNY", "at_least", "total")
    ]


def test_english_plan_and_restated_currency_is_one_fact(kb):
    got = facts(
        "Tencent aims to invest at least 150 billion yuan (US$21 billion) in the coming three years.",
        kb,
    )
    assert got == [("tencent", "2025-2027", 1.5e11, "CNY", "at_least", "total")]


def test_quarter_series_after_an_annual_total(kb):
    text = "百度2025年全年资本开支合计达 100.0 亿元（各季度分别为 20.0 亿、25.0 亿、25.0 亿、30.0 亿）。"
    got = facts(text, kb, "2026-02-01")
    assert got == [
        ("baidu", "2025", 1.0e10, "CNY", None, "total"),
        ("baidu", "2025Q1", 2.0e9, "CNY", None, "total"),
        ("baidu", "2025Q2", 2.5e9, "CNY", None, "total"),
        ("baidu", "2025Q3", 2.5e9, "CNY", None, "total"),
        ("baidu", "2025Q4", 3.0e9, "CNY", None, "total"),
    ]


def test_ranges_and_group_members(kb):
    text = "北美四大云厂商2025年资本开支将超过3000亿美元（亚马逊 1000 亿；Meta 600-650 亿；微软 800 亿）。"
    got = facts(text, kb)
    assert got[0][1:] == ("2025", 3.0e11, "USD", "at_least", "total")
    assert ("amazon", "2025", 1.0e11, "USD", None, "total") in got
    assert ("meta", "2025", 6.25e10, "USD", "range", "total") in got
    meta = next(c for c in extract(text, kb, "2025-03-01").capex if c["company_id"] == "meta")
    assert (meta["amount_low"], meta["amount_high"]) == (6.0e10, 6.5e10)


def test_fiscal_quarter_and_relative_quarter(kb):
    text = "阿里巴巴2026财年第二季度业绩公布。本季度资本开支为 386 亿元，主要用于AI基础设施。"
    assert facts(text, kb) == [("alibaba", "FY2026Q2", 3.86e10, "CNY", None, "total")]


def test_infrastructure_part_of_a_plan(kb):
    text = "字节跳动2026年规划资本开支约1600亿元。其中基础设施投入超过900亿元。"
    assert facts(text, kb) == [
        ("bytedance", "2026", 1.6e11, "CNY", "about", "total"),
        ("bytedance", "2026", 9.0e10, "CNY", "at_least", "infrastructure"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "腾讯本季度营收达1,800亿元，同比增长10%。",
        "Tencent reported revenue of 180 billion yuan for the quarter.",
        "港股单日成交额突破400亿港元。",
        "高盛将目标价从117美元上调至160美元。",
        "净利润(剔除投资收益)为500亿元。",
    ],
)
def test_non_capex_figures_are_ignored(kb, text):
    assert facts(text, kb) == []


def test_hkd_and_usd_units(kb):
    got = facts(
        "Meta will spend US$65 bn on capex in 2025; Kingsoft Cloud capex may reach HK$8 billion in 2025.",
        kb,
    )
    assert ("meta", "2025", 6.5e10, "USD", None, "total") in got
    assert ("kingsoft_cloud", "2025", 8.0e9, "HKD", "estimate", "total") in got


def test_cue_words_are_found_where_searching_each_word_finds_them(kb):
    """The one-pass search of the capex word lists reports every occurrence that searching
    the text once per word reports, overlapping ones included."""
    from screener.extract.capex import _WORD_LISTS, _cue_words

    c = kb.cues["capex"]
    text = "".join(w + "，" + w[::-1] for name in _WORD_LISTS for w in c[name]) * 2
    found = _cue_words(kb)(text)
    for name in _WORD_LISTS:
        want = []
        for w in c[name]:
            i = text.find(w)
            while i >= 0:
                want.append((w, i))
                i = text.find(w, i + 1)
        assert sorted(found[name]) == sorted(want), name
