"""The extractor on documents written for these tests (not the seeds)."""

from hypothesis import given, settings
from hypothesis import strategies as st

from screener.extract import extract


def suppliers(x):
    return {(lk.company_id, lk.theme) for lk in x.links if lk.role == "supplier"}


def roles(x):
    return {(lk.company_id, lk.role) for lk in x.links}


def test_table_rows_make_suppliers(kb):
    doc = "环节\t相关标的\n光模块\t中际旭创、新易盛\n液冷\t英维克\n"
    x = extract(doc, kb)
    assert suppliers(x) == {
        ("a_300308", "optical_modules"),
        ("a_300502", "optical_modules"),
        ("a_002837", "liquid_cooling"),
    }
    assert {lk.evidence for lk in x.links} == {"table"}


def test_markdown_table_with_company_first(kb):
    doc = "| 公司 | 代码 | 环节 |\n|---|---|---|\n| 兆龙互连 | 300913.SZ | 铜缆 |\n| 海光信息 | 688041.SH | CPU芯片 |\n"
    assert suppliers(extract(doc, kb)) == {
        ("a_300913", "copper_interconnect"),
        ("a_688041", "chips"),
    }


def test_list_after_a_segment_cue(kb):
    x = extract("交换机龙头：锐捷网络、紫光股份(新华三)、菲菱科思。", kb)
    assert suppliers(x) == {
        ("a_301165", "switches"),
        ("a_000938", "switches"),
        ("h3c", "switches"),
        ("a_301191", "switches"),
    }
    assert {lk.evidence for lk in x.links if lk.role == "supplier"} == {"list"}


def test_parentheses_both_ways(kb):
    x = extract("服务器(中兴、烽火)订单饱满；中恒电气(HVDC)与科士达(UPS)也是受益者。", kb)
    assert suppliers(x) == {
        ("zte", "servers"),
        ("a_600498", "servers"),
        ("a_002364", "power"),
        ("a_002518", "power"),
    }


def test_each_name_takes_its_own_items_keyword(kb):
    x = extract("伺服器代工廠工業富聯、光模組廠中際旭創與新易盛訂單能見度高，均為受惠者。", kb)
    assert suppliers(x) == {
        ("a_601138", "servers"),
        ("a_300308", "optical_modules"),
        ("a_300502", "optical_modules"),
    }


def test_inline_tickers_resolve_companies(kb):
    x = extract(
        "GDS Holdings (NASDAQ: GDS) and VNET Group (NASDAQ: VNET) are IDC providers set to benefit.",
        kb,
    )
    assert suppliers(x) == {("gds", "idc"), ("vnet", "idc")}
    assert {m.ticker for m in x.mentions if m.via == "ticker"} == {"GDS.O", "VNET.O"}


def test_bare_code_in_parentheses_after_a_name(kb):
    x = extract("博创科技(300548)获得硅光模块大额订单，有望受益。", kb)
    assert ("a_300548", "optical_modules") in suppliers(x)
    assert any(m.ticker == "300548.SZ" for m in x.mentions)


def test_a_code_printed_after_another_companys_name_is_dropped(kb):
    # 002535.SZ is 林州重机's code; the words before it name 杰瑞股份 (Yantai Jereh)
    doc = "Power picks: Jereh Group (002535.SZ) and Shanghai Electric (601727.SH) as gas turbine suppliers."
    x = extract(doc, kb)
    named = {m.company_id for m in x.mentions}
    assert "a_002535" not in named and "a_601727" in named
    # an unknown English word before a code does not make it wrong
    ok = extract("Gas turbine supplier Acmeturbo (601727.SH) beneficiary.", kb)
    assert "a_601727" in {m.company_id for m in ok.mentions}


def test_former_name_resolves_to_the_listing(kb):
    x = extract("科华恒盛深耕数据中心UPS多年，将受益于算力中心建设。", kb)
    assert suppliers(x) == {("a_002335", "power")}


def test_demand_side_section_makes_customers(kb):
    doc = "## 上游：设备供应商\n- 服务器：浪潮信息\n\n## 下游：需求方\n- 中国移动、字节跳动\n"
    x = extract(doc, kb)
    assert suppliers(x) == {("a_000977", "servers")}
    assert ("china_mobile", "customer") in roles(x)
    assert ("bytedance", "customer") in roles(x)


def test_ambiguous_short_names_need_context(kb):
    x = extract("这一轮AI浪潮正在重塑格局，行业终于迎来曙光。民族中兴需要科技自立。", kb)
    assert x.mentions == []
    y = extract("服务器方面，浪潮、曙光、中兴等厂商有望受益。", kb)
    assert suppliers(y) == {("a_000977", "servers"), ("a_603019", "servers"), ("zte", "servers")}


def test_everyday_word_exchange_names_are_not_companies(kb):
    # 驱动力 and 太阳能 are A-share short names and everyday words
    x = extract("增长的核心驱动力来自太阳能与数据中心。", kb)
    assert x.mentions == []


def test_analysts_spenders_customers_are_never_suppliers(kb):
    doc = (
        "中信证券认为，光模块龙头中际旭创将受益。"
        "Tencent said it would raise capex for data centers; Apple, a customer of cloud providers, declined to comment. "
        "Both companies are suppliers of 800G optical transceivers to Nvidia, Jefferies said."
    )
    x = extract(doc, kb)
    r = roles(x)
    assert ("citic_securities_co", "analyst") in r
    assert ("tencent", "spender") in r
    assert ("jefferies", "analyst") in r
    assert not {c for c, _ in suppliers(x)} & {
        "citic_securities_co",
        "tencent",
        "apple",
        "jefferies",
        "nvidia",
    }


def test_english_list_with_trailing_segment(kb):
    x = extract(
        "Beneficiaries include Inspur, Sugon and Lenovo in servers, and Accelink and Innolight in optical modules.",
        kb,
    )
    assert suppliers(x) == {
        ("a_000977", "servers"),
        ("a_603019", "servers"),
        ("lenovo", "servers"),
        ("a_002281", "optical_modules"),
        ("a_300308", "optical_modules"),
    }


def test_unlisted_companies_are_in_the_map(kb):
    x = extract("国产算力芯片：寒武纪、摩尔线程、沐曦等厂商受益于国产替代。", kb)
    assert {("moore_threads", "chips"), ("metax", "chips"), ("a_688256", "chips")} <= suppliers(x)


def test_market_news_names_no_suppliers(kb):
    x = extract("A股午评：中国平安涨逾3%，贵州茅台小幅回落，招商银行成交活跃。", kb)
    assert suppliers(x) == set()
    assert {m.company_id for m in x.mentions} >= {"a_601318", "a_600519"}


@settings(max_examples=150, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(
            list(
                "光模块中际旭创、新易盛浪潮曙光：(HKG:9698)300308.SZ ,.\n\t|受益IDC液冷亿元美元3800超过约"
            )
        ),
        max_size=120,
    )
)
def test_extractor_never_crashes_and_offsets_point_at_the_match(kb, text):
    x = extract(text, kb)
    for m in x.mentions:
        assert text[m.start : m.end] == m.matched
    for lk in x.links:
        assert 0 <= lk.start <= lk.end <= len(text)
    for c in x.capex:
        assert text[c["start_pos"] : c["end_pos"]] == c["matched"]


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=300))
def test_extractor_survives_any_unicode(kb, text):
    extract(text, kb)


def test_bullets_under_a_themed_heading_are_items_not_headings(kb):
    doc = "# 周报\n\n以下为受益标的。\n\n## 光模块\n\n- 中际旭创（300308）\n- 新易盛（300502）\n"
    assert suppliers(extract(doc, kb)) == {
        ("a_300308", "optical_modules"),
        ("a_300502", "optical_modules"),
    }


def test_a_usage_column_does_not_set_the_theme(kb):
    doc = (
        "## 国产算力芯片\n\n| 公司 | 型号 | 应用场景 |\n|---|---|---|\n"
        "| 海光信息（688041.SH） | 某型号 | 推理服务器 |\n"
    )
    assert suppliers(extract(doc, kb)) == {("a_688041", "chips")}


def test_segments_joined_in_a_dash_label_are_all_stated(kb):
    x = extract("可分的几块：\n交换机及服务器代工 —— 工业富联。\n", kb)
    assert suppliers(x) == {("a_601138", "switches"), ("a_601138", "servers")}


def test_cashtag_codes_and_a_subject_list(kb):
    doc = (
        "今晚聊聊数据中心。我们对$润泽科技(SZ300442)$$光环新网(SZ300383)$ 这两家公司做个梳理。\n"
        "二、核心标的\n"
    )
    x = extract(doc, kb)
    assert {m.ticker for m in x.mentions if m.via == "ticker"} == {"300442.SZ", "300383.SZ"}
    assert suppliers(x) == {("a_300442", "idc"), ("a_300383", "idc")}
    # without a heading that says the document names picks, a list of subjects is no pick
    assert suppliers(extract(doc.split("\n")[0], kb)) == set()


def test_a_code_right_after_another_companys_name_is_not_read(kb):
    x = extract("看好光环新网SH603881、奥飞数据(SZ300738)。", kb)
    assert "a_603881" not in {m.company_id for m in x.mentions}


def test_a_label_over_bullets_names_the_subjects_and_the_theme(kb):
    doc = (
        "调研显示，有三家企业的AI服务器订单最多：\n\n"
        "  • 中科曙光：订单同比翻倍\n  • 浪潮信息：份额第一\n\n"
        "二、核心标的\n"
    )
    assert suppliers(extract(doc, kb)) == {("a_603019", "servers"), ("a_000977", "servers")}


def test_a_generic_label_takes_the_companys_one_segment(kb):
    # 算力 names no segment; 中科曙光's exchange industry (IT设备) and its boards agree on servers
    doc = "#### 国产算力厂商\n\n1. **中科曙光**：订单饱满，交付提速。\n"
    assert suppliers(extract(doc, kb)) == {("a_603019", "servers")}


def test_sub_bullets_belong_to_their_numbered_item(kb):
    doc = (
        "二、核心标的\n\n1. 海光信息(688041)：生态破局者\n\n"
        "  • 产品：新一代DCU芯片量产\n\n2. 紫光股份(000938)：网络龙头\n\n  • 产品：数据中心交换机\n"
    )
    assert suppliers(extract(doc, kb)) == {("a_688041", "chips"), ("a_000938", "switches")}


def test_a_yardstick_is_not_a_supplier(kb):
    x = extract("## AI 与算力\n\n- 某国产 CPU 芯片流片成功，性能达 Intel 486 水平。\n", kb)
    assert ("intel", "peer") in roles(x) and not suppliers(x)


@given(st.text(alphabet=st.sampled_from(list(" .\n\t\"'”9aA。！?!LtdCo,：;，")), max_size=80))
@settings(max_examples=300, deadline=None)
def test_sentence_clause_and_line_starts_follow_their_rules(text):
    """layout() finds the "." that may end a sentence with a regex before asking
    _english_full_stop, and the other breaks with numpy: the starts are those found by asking
    it about every dot and testing every character, short text and long."""
    from screener.extract.layout import _english_full_stop, layout

    for t in (text, (text + "。") * (300 // (len(text) + 1) + 1)):  # the second is >= 256
        sent = [0] + [
            i + 1
            for i, ch in enumerate(t)
            if ch in "。！？!?\n" or (ch == "." and _english_full_stop(t, i))
        ]
        lay = layout(t)
        assert lay.sent_starts == sent
        assert lay.clause_starts == sorted(
            set(sent) | {i + 1 for i, ch in enumerate(t) if ch in "，,；;：:"}
        )
        assert lay.line_starts == [0] + [i + 1 for i, ch in enumerate(t) if ch == "\n"]


def test_no_garbage_collection_runs_inside_an_extraction_and_its_state_is_restored(kb):
    """A long document keeps its hits and mentions alive to the end; collections during the
    extraction would walk them again and again (a cost per MB that grows with length), and
    extraction makes no cycles for them to find. The collector's state comes back as it was."""
    import gc

    from .conftest import DATA

    doc = "\n\n".join([(DATA / "report_2026_04.md").read_text(encoding="utf-8")] * 60)
    started: list[int] = []

    def seen(phase: str, info: dict) -> None:
        if phase == "start":
            started.append(info["generation"])

    gc.callbacks.append(seen)
    try:
        assert gc.isenabled()
        extract(doc, kb)
        assert started == []
        assert gc.isenabled()
        gc.disable()
        try:
            extract("中际旭创是光模块龙头。", kb)
            assert not gc.isenabled()
        finally:
            gc.enable()
    finally:
        gc.callbacks.remove(seen)


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_the_lookup_finds_what_the_automaton_finds(kb, data):
    """A process with little to read finds names by lookup instead of building the automaton:
    the two must find the same occurrences, overlapping ones and those at either end included."""
    from screener.extract.matcher import _lookup, get_matcher

    m = get_matcher(kb)
    piece = st.one_of(
        st.sampled_from(m.patterns),
        st.sampled_from(m.patterns).map(lambda p: p[: max(1, len(p) - 1)]),
        st.text(alphabet=st.sampled_from(list("光模块中际旭创科技 ab-()\n,")), max_size=3),
    )
    folded = "".join(data.draw(st.lists(piece, max_size=12)))
    by_lookup = sorted(_lookup(folded, m.lengths, m.index))
    by_auto = sorted(m.automaton().find_matches_as_indexes(folded, overlapping=True))
    assert by_lookup == by_auto
    assert all(m.patterns[i] == folded[s:e] for i, s, e in by_lookup)


def test_one_character_patterns_are_found_by_lookup_too():
    from screener.extract.matcher import _lengths_by_prefix, _lookup

    patterns = ["a", "ab", "abc", "bc", "c"]
    index = {p: i for i, p in enumerate(patterns)}
    found = sorted((s, e) for _, s, e in _lookup("abcab", _lengths_by_prefix(patterns), index))
    assert found == [(0, 1), (0, 2), (0, 3), (1, 3), (2, 3), (3, 4), (3, 5)]


def test_a_short_read_builds_no_automaton_and_a_long_one_does(kb):
    """The automaton is built once a process has read more than the lookup's allowance; the
    extraction is the same either way."""
    from screener.extract.matcher import LOOKUP_CHARS, Matcher, get_matcher

    fresh = Matcher.__new__(Matcher)
    fresh.__dict__.update({k: getattr(get_matcher(kb), k) for k in Matcher.KEPT})
    fresh._ready()
    doc = "光模块龙头：中际旭创(300308)、新易盛；液冷：英维克。NVIDIA buys 800G modules.\n"
    short = fresh.scan(doc, doc)
    assert fresh._auto is None and fresh._lookup_left == LOOKUP_CHARS - len(doc)
    long_doc = doc * (LOOKUP_CHARS // len(doc) + 1)
    fresh.scan(long_doc, long_doc)
    assert fresh._auto is not None
    assert fresh.scan(doc, doc) == short
