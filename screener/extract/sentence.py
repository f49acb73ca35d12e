"""The sentence: the keyword of the company's own list item, else any in its clause, else the
segment the sentence named last before it; and what a clause says about a buyer (spends,
buys, is the customer of a supplier) or about a company's own capex."""

from __future__ import annotations

import bisect

from screener.extract.document import Doc, Found, Site, has, strong, themes_in
from screener.reference import ANALYST_CATEGORIES, DEMAND_CATEGORIES


def in_sentence(doc: Doc, site: Site) -> Found | None:
    """4. The keyword of the company's own list item, else any in the clause or sentence; a
    context word (数据中心) decides only if the sentence names no segment."""
    mnt, ss, se = site.mention, site.ss, site.se
    sentence_segments = [k for k in doc.keywords.between(ss, se) if not k.weak]
    item = doc.item_theme(site.first, site.last, site.cs, site.ce)
    clause = strong(doc.keywords.between(site.cs, site.ce))
    if item and not (item.weak and sentence_segments):
        return Found([item.theme], "sentence")
    if clause and not (clause[0].weak and sentence_segments):
        return Found(list(dict.fromkeys(k.theme for k in clause)), "sentence")
    # "交换网络方向推荐A、B,并关注C;光器件方向推荐D": a clause naming no theme continues
    # the segment named last before it in the sentence
    before = [k for k in sentence_segments if k.end <= mnt.start]
    if before and any(k.start > mnt.end for k in sentence_segments):
        return Found([before[-1].theme], "sentence")
    themes = themes_in(doc.keywords, ss, se)
    return Found(themes, "sentence") if themes else None


def sells_to_a_buyer(doc: Doc, idx: int, cs: int, ce: int) -> bool:
    """A buyer (hyperscaler, platform) named in the same clause as this company, with a
    customer word between or after them."""
    m = doc.mentions[idx]
    if doc.kb.category(m.company_id) in DEMAND_CATEGORIES | ANALYST_CATEGORIES:
        return False
    lo = bisect.bisect_left(doc.mention_starts, cs)
    hi = bisect.bisect_left(doc.mention_starts, ce)
    buyers = [o for o in doc.mentions[lo:hi] if doc.kb.category(o.company_id) in DEMAND_CATEGORIES]
    return bool(buyers) and has(doc.folded[cs:ce], doc.role_cues["customer"])


def own_capex(doc: Doc, idx: int, cs: int, ce: int) -> bool:
    """ "台积电上调资本开支指引": the company is the subject of a capex clause (it spends)."""
    m = doc.mentions[idx]
    if not has(doc.folded[m.end : ce], doc.role_cues["spender_strong"]):
        return False
    return not any(m.end <= o.start < ce for o in doc.mentions[idx + 1 : idx + 4])


def buyer_role(doc: Doc, clause: str, sentence: str) -> str:
    rc = doc.role_cues
    checks = (
        (clause, "spender", "spender"),
        (clause, "customer", "customer"),
        (clause, "supplier_of_buyer", "customer"),  # a buyer speaking of its suppliers
        (sentence, "spender_strong", "spender"),
        (sentence, "peer", "peer"),
        (sentence, "customer", "customer"),
    )
    for text, key, role in checks:
        if has(text, rc[key]):
            return role
    return "other"
