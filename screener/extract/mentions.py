"""Mentions: the names and tickers the matcher found, kept when they are a company here (an
ambiguous short name needs a ticker beside it, a list of companies, or an earlier
unambiguous mention), and the document's likely publisher."""

from __future__ import annotations

import bisect
import itertools
import re
from collections import Counter

from screener.extract.joiners import left_bounded, right_bounded
from screener.extract.layout import Layout
from screener.extract.matcher import GENERIC_WORDS, LATIN_WORD, get_matcher
from screener.extract.model import Hit, Keywords, Mention, NameHit
from screener.reference import ANALYST_CATEGORIES, Knowledge
from screener.tickers import TEXT_TICKER, market_of, ticker_from_match

# the Latin words written right before "(" of "Jereh Group (002535.SZ)"
_NAME_BEFORE_PAREN = re.compile(r"((?:[A-Z][A-Za-z&'.,-]*\s+){1,5})[(（]\s*$")


def ticker_mentions(text: str, kb: Knowledge, alias_ends: dict[int, str]) -> list[Mention]:
    found: list[Mention] = []
    for mt in TEXT_TICKER.finditer(text):
        ticker, bare = ticker_from_match(mt)
        if not ticker:
            continue
        if ticker.isdigit():  # a 4-5 digit code in parentheses: the name before it decides
            owner = next(
                (
                    alias_ends[p]
                    for p in range(mt.start() - 1, mt.start() - 6, -1)
                    if p in alias_ends
                ),
                None,
            )
            ticker = next(
                (
                    t
                    for t in kb.company_tickers.get(owner or "", [])
                    if t.split(".")[0].lstrip("0") == ticker.lstrip("0")
                ),
                "",
            )
            if not ticker:
                continue
            bare = False
        if market_of(ticker) == "US" and ticker not in kb.ticker_company:
            ticker = kb.us_symbol.get(ticker.split(".")[0], ticker)
        cid = kb.ticker_company.get(ticker)
        if cid is None:
            continue
        s, e = mt.span()
        if misprinted(text, s, cid, kb, alias_ends):
            continue  # "Jereh Group (002535.SZ)": the code is not the named company's
        if bare:
            before = text[max(0, s - 3) : s].rstrip()
            after = text[e : e + 2].lstrip()
            in_paren = (
                before.endswith(("(", "（", "[", ",", "，", "、")) and after[:1] in ")）],，、;；"
            )
            after_name = any(alias_ends.get(p) for p in range(max(0, s - 2), s + 1))
            if not (in_paren or after_name):
                continue
        found.append(Mention(cid, s, e, text[s:e], "ticker", "ticker", False, ticker))
    return found


def misprinted(text: str, start: int, cid: str, kb: Knowledge, alias_ends: dict[int, str]) -> bool:
    """A code in parentheses after an English name that is another company's (its distinctive
    words are all in that company's names) and shares none with the code's company: the
    writer printed the wrong code."""
    named = next(
        (alias_ends[p] for p in range(start, max(-1, start - 3), -1) if p in alias_ends), None
    )
    if named is not None:
        return named != cid  # "奥飞数据SH603881": a code right after another company's name
    m = _NAME_BEFORE_PAREN.search(text[max(0, start - 60) : start])
    if not m:
        return False
    written = set(LATIN_WORD.findall(m.group(1).lower())) - GENERIC_WORDS
    matcher = get_matcher(kb)
    if not written or not written.isdisjoint(matcher.latin_words.get(cid, ())):
        return False
    others = set.intersection(*(set(matcher.latin_index.get(w, ())) for w in written))
    return bool(others) and cid not in others


def accept(
    text: str, folded: str, kb: Knowledge, hits: list[Hit], lay: Layout, keywords: Keywords
) -> list[Mention]:
    names = [h for h in hits if isinstance(h, NameHit)]
    cands = [
        Mention(
            cid, h.start, h.end, text[h.start : h.end], "alias", h.entry.kind, h.entry.ambiguous
        )
        for h in names
        if not h.entry.nickname
        for cid in h.entry.company_ids
    ]
    cands += [  # a nickname of several companies is a mention of each
        Mention(cid, h.start, h.end, text[h.start : h.end], "alias", "nickname")
        for h in names
        if h.entry.nickname
        for cid in h.entry.company_ids
    ]
    auto_short = {
        (h.start, h.entry.company_ids[0])
        for h in names
        if not h.entry.nickname and h.entry.auto_short
    }
    strict = {
        (h.start, h.entry.company_ids[0]) for h in names if not h.entry.nickname and h.entry.strict
    }
    alias_ends = {c.end: c.company_id for c in cands}
    tickers = ticker_mentions(text, kb, alias_ends)
    # a name overlapping a ticker is the ticker's: the tickers by start, with the furthest
    # end reached so far, answer "does any ticker overlap [start, end)" by binary search
    taken = sorted((t.start, t.end) for t in tickers)
    taken_starts = [a for a, _ in taken]
    reach = list(itertools.accumulate((b for _, b in taken), max))
    cands = [
        c
        for c in cands
        if not (k := bisect.bisect_left(taken_starts, c.end)) or reach[k - 1] <= c.start
    ]

    strong = [c for c in cands if not c.ambiguous] + tickers
    established = {c.company_id for c in strong}
    kw_clauses = {bisect.bisect_right(lay.clause_starts, k.start) for k in keywords}
    accepted = list(strong)
    tickers_of: dict[str, list[Mention]] = {}
    for t in tickers:
        tickers_of.setdefault(t.company_id, []).append(t)
    by_clause: dict[int, list[Mention]] = {}  # every name and ticker by its clause
    for o in cands + tickers:
        by_clause.setdefault(bisect.bisect_right(lay.clause_starts, o.start), []).append(o)
    for c in cands:
        if not c.ambiguous:
            continue
        # (A) a ticker of the same company right after the name
        if any(0 <= t.start - c.end <= 3 for t in tickers_of.get(c.company_id, ())):
            accepted.append(c)
            continue
        left = left_bounded(text, c.start)
        right = right_bounded(text, c.end)
        if (c.start, c.company_id) in strict:
            if c.company_id in established and left:
                accepted.append(c)
            continue
        clause = bisect.bisect_right(lay.clause_starts, c.start)
        siblings = [
            o
            for o in by_clause[clause]
            if o is not c
            and o.company_id != c.company_id
            and (not o.ambiguous or (o.start, o.company_id) not in auto_short)
        ]
        # (B) an item of a list of companies (or of a list in a theme clause)
        if left and right:
            if (c.start, c.company_id) in auto_short:
                if any(not o.ambiguous for o in siblings):
                    accepted.append(c)
                    continue
            elif siblings or clause in kw_clauses:
                accepted.append(c)
                continue
        # (C) the company is already named unambiguously here and this use stands alone
        if c.company_id in established and left and (c.start, c.company_id) not in auto_short:
            accepted.append(c)
    accepted.sort(key=lambda x: (x.start, x.end))
    return accepted


def publisher(kb: Knowledge, mentions: list[Mention]) -> str | None:
    counts = Counter(
        m.company_id for m in mentions if kb.category(m.company_id) in ANALYST_CATEGORIES
    )
    if not counts:
        return None
    cid, n = counts.most_common(1)[0]
    others = sum(counts.values()) - n
    if n >= 3 and n > others:
        c = kb.companies[cid]
        return str(c["name_zh"] or c["name_en"])
    return None
