"""Capex figures: amount, unit, currency, spender, period and qualifier, from one document."""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from screener.extract.evidence import evidence_span
from screener.extract.layout import Layout
from screener.extract.model import Mention
from screener.reference import DEMAND_CATEGORIES, Knowledge

_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_CN_DIGIT = {
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "十": 10,
}
_WORD_NUM = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "ten": 10}


@lru_cache(maxsize=4)
def _amount_regex(kb: Knowledge) -> re.Pattern[str]:
    c = kb.cues["capex"]
    units = sorted(c["units"], key=len, reverse=True)
    pre = sorted(c["currency"]["prefix"], key=len, reverse=True)
    suf = sorted(c["currency"]["suffix"], key=len, reverse=True)
    alt = lambda xs: "|".join(re.escape(x) for x in xs)  # noqa: E731
    # every amount starts with a digit or a currency prefix: the lookahead lets the engine skip
    # the text between amounts without trying each prefix at each character (3-4x faster)
    first = "".join(sorted({re.escape(x[0]) for x in pre}))
    return re.compile(
        rf"(?=[0-9{first}])"
        rf"(?:(?P<pre>{alt(pre)})\s?)?"
        rf"(?P<n1>{_NUM})(?:\s*(?P<dash>[-–~至到])\s*(?P<n2>{_NUM}))?"
        rf"\s*(?P<unit>{alt(units)})(?![a-z])"
        rf"(?:\s*(?P<suf>{alt(suf)})(?![a-z]))?"
    )


_PERIOD = re.compile(
    # the first character of every alternative below (digits, the folded Latin words' initials,
    # the Chinese openers, whitespace before "3年内"): the engine skips other text at once
    r"(?=[\d\sfqplotid过此未今接一二两三四五六七八九十本该单])(?:"
    r"(?P<fyq>(?:fy\s?(?P<fy1>\d{4})|(?P<fy2>\d{4})\s*财年)\s*(?:第(?P<qcn>[一二三四])季度|q(?P<qd>[1-4])))"
    r"|(?P<fy>fy\s?(?P<fy3>\d{4})|(?P<fy4>\d{4})\s*财年|fiscal\s+(?:year\s+)?(?P<fy5>\d{4}))"
    r"|(?P<q>(?P<qy>\d{2}|\d{4})\s?q(?P<qn>[1-4])(?![0-9])|q(?P<qn2>[1-4])\s+(?P<qy2>\d{4})|(?P<qy3>\d{4})\s*年\s*第?(?P<qcn2>[一二三四1-4])\s*季度)"
    r"|(?P<past>(?:过去|此前|past|last)\s*(?P<pcn>[一二两三四五六七八九十]+|\d{1,2}|\w+)\s*(?:年|years))"
    r"|(?P<multi>(?:未来|今后|接下来)?\s*(?<!\d)(?P<ycn>[一二两三四五六七八九十]+|\d{1,2})\s*年(?!\d)"
    r"(?=[^\d]{0,6}(?:内|计划|规划|将|投|共|合计|里|中|逾|超))"
    r"|(?:over|in)\s+the\s+(?:next|coming)\s+(?P<yen>\w+)\s+years)"
    r"|(?P<rel>本季度|该季度|单季度?|this quarter|the quarter)"
    r"|(?P<year>(?P<y>(?:19|20)\d{2})\s*(?:年|全年|年度)|(?:in|for|during)\s+(?P<y2>(?:19|20)\d{2})(?![\d,]))"
    r")"
)


# a plain alternation of literal-led words: the engine skips to their first characters in C
# (3-4x faster than the same words behind a lookahead, which it tries at every character)
_QUARTER_HINT = re.compile(r"q[1-4]|季度")


def _cn_int(s: str) -> int | None:
    if s.isdigit():
        return int(s)
    if s in _CN_DIGIT:
        return _CN_DIGIT[s]
    if len(s) == 2 and s[0] == "十":
        return 10 + _CN_DIGIT.get(s[1], 0)
    return None


def _period(m: re.Match[str], pub_year: int, last_quarter: str | None) -> str | None:
    g = m.groupdict()
    if g["fyq"]:
        fy = g["fy1"] or g["fy2"]
        q = g["qd"] or str(" 一二三四".index(g["qcn"]))
        return f"FY{fy}Q{q}"
    if g["fy"]:
        return f"FY{g['fy3'] or g['fy4'] or g['fy5']}"
    if g["q"]:
        if g["qy"]:
            y = int(g["qy"]) + (2000 if len(g["qy"]) == 2 else 0)
            return f"{y}Q{g['qn']}"
        if g["qy2"]:
            return f"{g['qy2']}Q{g['qn2']}"
        q = g["qcn2"]
        return f"{g['qy3']}Q{q if q.isdigit() else ' 一二三四'.index(q)}"
    if g["past"]:
        w = g["pcn"]
        n = _cn_int(w) or _WORD_NUM.get(w.lower()) or (10 if w in ("decade",) else None)
        return f"{pub_year - n}-{pub_year - 1}" if n else None
    if g["multi"]:
        n = _cn_int(g["ycn"]) if g["ycn"] else _WORD_NUM.get((g["yen"] or "").lower())
        if not n or n > 20:
            return None
        return f"{pub_year}-{pub_year + n - 1}"
    if g["rel"]:
        return last_quarter
    if g["year"]:
        return g["y"] or g["y2"]
    return None


def _qualifier(folded: str, start: int, end: int, c: dict[str, Any]) -> str | None:
    before = folded[max(0, start - 12) : start]
    after = folded[end : end + 4]
    for q in ("at_most", "at_least", "about", "estimate"):
        if any(w in before for w in c[q]):
            return q
    if any(after.startswith(w) for w in c["at_least_after"]):
        return "at_least"
    if any(after.startswith(w) for w in c["about_after"]):
        return "about"
    return None


def extract_capex(
    text: str,
    folded: str,
    kb: Knowledge,
    mentions: list[Mention],
    lay: Layout,
    published_on: str | None,
) -> list[dict[str, Any]]:
    c = kb.cues["capex"]
    rx = _amount_regex(kb)
    pub_year = int(published_on[:4]) if published_on else 2025
    n = len(text)
    amounts = list(rx.finditer(folded))
    if not amounts:
        return []
    found = _cue_words(kb)(folded)
    negative = sorted((i, i + len(w)) for w, i in found["non_capex"])
    neg_starts = [a for a, _ in negative]
    covered: set[int] = set()
    for a, b in negative:
        covered.update(range(a, b))
    cue_hits = sorted(
        [(i, True) for _, i in found["cues"] if i not in covered] + [(a, False) for a in neg_starts]
    )
    # periods are read only in the sentences holding an amount (an amount's period is in its
    # sentence), and in those that can give a quarter (for "本季度" to find the quarter
    # meant; every quarter form has "q1"-"q4" or 季度): the period regex is the costly part
    sents = lay.sent_starts
    wanted = {bisect.bisect_right(sents, a.start()) - 1 for a in amounts}
    wanted.update(bisect.bisect_right(sents, q.start()) - 1 for q in _QUARTER_HINT.finditer(folded))
    periods: list[tuple[int, int, str]] = []
    last_q: str | None = None
    for i in sorted(wanted):
        end = sents[i + 1] if i + 1 < len(sents) else n
        for pm in _PERIOD.finditer(folded, sents[i], end):
            p = _period(pm, pub_year, last_q)
            if p:
                periods.append((pm.start(), pm.end(), p))
                if "Q" in p:
                    last_q = p
    spenders = [m for m in mentions if kb.category(m.company_id) in DEMAND_CATEGORIES | {"telecom"}]
    agg = sorted((i, w) for w, i in found["aggregates"])
    doc_spender = _dominant(spenders)
    out: list[dict[str, Any]] = []
    seen: set[tuple[Any, ...]] = set()
    prev: dict[str, Any] | None = None  # the last accepted headline amount
    series: dict[str, Any] = {}  # an open "(各季度分别为 a、b、c、d)" list after it
    carry: dict[str, Any] = {}  # spender and period of the paragraph so far
    for am in amounts:
        s, e = am.span()
        if s > 0 and folded[s - 1].isascii() and folded[s - 1].isalnum():
            continue
        ss, se = _bounds(lay.sent_starts, s, n)
        cs, ce = _bounds(lay.clause_starts, s, n)
        para = _para_start(text, s)
        currency = _currency(am, c)
        paren = _open_paren(folded, s, ss)
        near_prev = prev is not None and prev["_sent"] == ss
        # "(US$53 billion)" right after an amount restates it in another currency
        if (
            near_prev
            and currency is not None
            and paren >= 0
            and 0 <= paren - prev["_end"] <= 2  # type: ignore[index]
            and currency != prev["currency"]  # type: ignore[index]
        ):
            continue
        if currency is None:
            # a bare "246.0 亿" inherits the currency of the amount it elaborates
            if not near_prev or not prev["currency"]:  # type: ignore[index]
                continue
            currency = prev["currency"]  # type: ignore[index]
        quarter = None
        if (
            near_prev
            and paren >= prev["_end"]  # type: ignore[index]
            and any(w in folded[paren:s] for w in c["quarter_series"])
        ):
            k = series.get("k", 0) + 1 if series.get("paren") == paren else 1
            series = {"paren": paren, "k": k}
            year = (prev["period"] or "")[:4]  # type: ignore[index]
            quarter = f"{year}Q{k}" if year.isdigit() and k <= 4 else None
        if quarter is None and not _is_capex(cue_hits, s, e, cs, ce, ss):
            continue
        unit = c["units"][am.group("unit")]
        amount = _num(am.group("n1")) * unit
        low = high = None
        qual = _qualifier(folded, s, e, c)
        if am.group("n2"):
            low, high = amount, _num(am.group("n2")) * unit
            amount = (low + high) / 2
            qual = "range"
        period: str | None
        if quarter is not None:
            company, label, period = prev["company_id"], prev["spender_label"], quarter  # type: ignore[index]
        else:
            company, label = _spender(text, folded, spenders, agg, s, cs, ss)
            if company is None and label is None:
                company = carry.get("company") if carry.get("para") == para else None
                company = company or doc_spender
            if company is None and label is None:
                continue
            period = _nearest_period(periods, s, e, cs, ce, ss, se)
            if period is None and carry.get("para") == para:
                period = carry.get("period")
        # "infrastructure" marks the part of a larger total the same paragraph just gave
        scope = "total"
        if (
            quarter is None
            and any(w in folded[cs:ce] for w in c["scope_infrastructure"])
            and carry.get("para") == para
            and carry.get("company") == company
            and carry.get("currency") == currency
            and carry.get("amount", 0) > amount
        ):
            scope = "infrastructure"
        row = {
            "company_id": company,
            "spender_label": label,
            "period": period,
            "amount": amount,
            "amount_low": low,
            "amount_high": high,
            "currency": currency,
            "qualifier": qual,
            "scope": scope,
            "start_pos": s,
            "end_pos": e,
            "matched": text[s:e],
            "snippet": evidence_span(text, ss, se, s, e),
        }
        if quarter is None:
            prev = {**row, "_end": e, "_sent": ss}
            if scope == "total":
                carry = {
                    "company": company,
                    "period": period,
                    "para": para,
                    "amount": amount,
                    "currency": currency,
                }
        key = (company, label, period, round(amount), currency, qual, scope)
        if key in seen:
            continue
        seen.add(key)
        out.append(row)
    # a figure repeated without its period (a headline) adds nothing to the dated one
    dated = {(r["company_id"], r["amount"], r["currency"]) for r in out if r["period"]}
    return [
        r for r in out if r["period"] or (r["company_id"], r["amount"], r["currency"]) not in dated
    ]


def _spender(
    text: str,
    folded: str,
    spenders: list[Mention],
    agg: list[tuple[int, str]],
    s: int,
    cs: int,
    ss: int,
) -> tuple[str | None, str | None]:
    """Nearest spender before the amount in its clause (else sentence), or an aggregate phrase
    ("北美四家云计算厂商", "global") when that stands nearer."""
    sp = _nearest_before(spenders, s, cs) or _nearest_before(spenders, s, ss)
    ags = agg[bisect.bisect_left(agg, (ss, "")) : bisect.bisect_left(agg, (s, ""))]
    if ags and (sp is None or sp.start < ags[-1][0]):
        return None, _phrase(text, folded, ags[-1][1], ss, s)
    return (sp.company_id if sp else None), None


_WORD_LISTS = ("non_capex", "cues", "aggregates")


@lru_cache(maxsize=4)
def _cue_words(kb: Knowledge) -> Callable[[str], dict[str, list[tuple[str, int]]]]:
    """Every occurrence (overlapping ones included) of every word of the capex cue lists, as
    (word, offset) per list, in one Aho-Corasick pass: searching the text once per word (68
    words) was a third of the capex pass. A word in two lists, or twice in one, is reported
    once per listing."""
    import ahocorasick_rs

    c = kb.cues["capex"]
    owners: dict[str, list[str]] = {}
    for name in _WORD_LISTS:
        for w in c[name]:
            if w:
                owners.setdefault(w, []).append(name)
    words = list(owners)
    lists = [owners[w] for w in words]
    auto = ahocorasick_rs.AhoCorasick(words, matchkind=ahocorasick_rs.MatchKind.Standard)

    def find(folded: str) -> dict[str, list[tuple[str, int]]]:
        out: dict[str, list[tuple[str, int]]] = {name: [] for name in _WORD_LISTS}
        for k, start, _ in auto.find_matches_as_indexes(folded, overlapping=True):
            for name in lists[k]:
                out[name].append((words[k], start))
        return out

    return find


def _bounds(starts: list[int], pos: int, n: int) -> tuple[int, int]:
    i = bisect.bisect_right(starts, pos) - 1
    return starts[i], (starts[i + 1] if i + 1 < len(starts) else n)


def _para_start(text: str, pos: int) -> int:
    return text.rfind("\n", 0, pos) + 1


def _currency(m: re.Match[str], c: dict[str, Any]) -> str | None:
    if m.group("suf"):
        return str(c["currency"]["suffix"][m.group("suf")])
    if m.group("pre"):
        return str(c["currency"]["prefix"][m.group("pre")])
    return None


def _open_paren(folded: str, s: int, ss: int) -> int:
    """Position of the parenthesis enclosing position s in its sentence, or -1."""
    o = max(folded.rfind("(", ss, s), folded.rfind("（", ss, s))
    if o < 0 or any(ch in folded[o:s] for ch in ")）"):
        return -1
    return o


def _is_capex(cue_hits: list[tuple[int, bool]], s: int, e: int, cs: int, ce: int, ss: int) -> bool:
    """The metric word nearest the amount in its clause (else before it in the sentence)."""
    lo = bisect.bisect_left(cue_hits, (cs, False))
    hi = bisect.bisect_left(cue_hits, (ce, False))
    in_clause = [(abs(i - s) if i < s else abs(i - e), ok) for i, ok in cue_hits[lo:hi]]
    if in_clause:
        return min(in_clause)[1]
    lo = bisect.bisect_left(cue_hits, (ss, False))
    hi = bisect.bisect_left(cue_hits, (s, False))
    before = [(s - i, ok) for i, ok in cue_hits[lo:hi]]
    return bool(before) and min(before)[1]


def _num(s: str) -> float:
    return float(s.replace(",", ""))


def _nearest_before(ms: list[Mention], pos: int, lo: int) -> Mention | None:
    """The last of ``ms`` (in text order) starting in [lo, pos)."""
    i = bisect.bisect_left(ms, pos, key=lambda m: m.start) - 1
    return ms[i] if i >= 0 and ms[i].start >= lo else None


def _nearest_period(
    periods: list[tuple[int, int, str]], s: int, e: int, cs: int, ce: int, ss: int, se: int
) -> str | None:
    """The period before the amount in its clause, after it in the clause, then the sentence.
    ``periods`` do not overlap and are in text order (starts and ends both ascending), so
    each look is a binary search, not a pass over every period of the document."""
    for lo, hi, before in ((cs, ce, True), (cs, ce, False), (ss, se, True), (ss, se, False)):
        if before:  # the last period starting at lo or later that ends by s + 1
            i = bisect.bisect_right(periods, s + 1, key=lambda p: p[1]) - 1
            if i >= 0 and periods[i][0] >= lo:
                return periods[i][2]
        else:  # the first period starting at e or later, if it ends by hi
            j = bisect.bisect_left(periods, e, key=lambda p: p[0])
            if j < len(periods) and periods[j][1] <= hi:
                return periods[j][2]
    return None


def _dominant(spenders: list[Mention]) -> str | None:
    if not spenders:
        return None
    counts: dict[str, int] = {}
    for m in spenders:
        counts[m.company_id] = counts.get(m.company_id, 0) + 1
    top = sorted(counts.items(), key=lambda kv: -kv[1])
    if len(top) == 1 or top[0][1] >= 2 * top[1][1]:
        return top[0][0]
    return None


_PHRASE_STOP = ("的", "将", "在", "有", "相关", "投", "资本", "capex", "年", "于", "对")


def _phrase(text: str, folded: str, word: str, lo: int, hi: int) -> str:
    """The aggregate's noun phrase: the cue plus what follows it up to a verb, digit or cue."""
    i = folded.rfind(word, lo, hi)
    j = i + len(word)
    while j < hi and j - i < 12 and not text[j].isdigit() and text[j] not in " ，,。(（":
        if folded.startswith(_PHRASE_STOP, j):
            break
        j += 1
    return text[i:j].strip()
