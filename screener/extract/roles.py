"""Roles: a company named in a document is a supplier (what the screen ranks), a spender, a
customer, an analyst, a peer, or other. The theme comes from the structure rules (rules.py);
the role from the company's category, its clause and the cues around it (a recommendation
cue in its sentence or a heading over it, a buyer in its clause, a customer list ...)."""

from __future__ import annotations

from screener.extract.anaphora import anaphora_links
from screener.extract.document import Doc, has, prefer, strip_words, themes_in
from screener.extract.evidence import make_link, merge
from screener.extract.headings import context_theme
from screener.extract.joiners import left_bounded
from screener.extract.layout import Layout, span
from screener.extract.lists import in_customer_list, labelled_list, subject_list
from screener.extract.model import Keywords, Link, Mention
from screener.extract.rules import theme_of
from screener.extract.sentence import buyer_role, own_capex, sells_to_a_buyer
from screener.extract.table import customer_column
from screener.reference import ANALYST_CATEGORIES, DEMAND_CATEGORIES, Knowledge


def link_document(
    text: str, folded: str, kb: Knowledge, mentions: list[Mention], keywords: Keywords, lay: Layout
) -> list[Link]:
    doc = Doc(text, folded, kb, mentions, keywords, lay)
    raw: list[Link] = []
    for idx in range(len(mentions)):
        raw.extend(links_of(doc, idx))
    raw.extend(anaphora_links(doc))
    return merge(raw, kb)


def links_of(doc: Doc, idx: int) -> list[Link]:
    """The links of mention ``idx``: its theme from the first structure rule that answers,
    its role from its category, its clause and the cues around it."""
    site = doc.site(idx)
    mnt = site.mention
    cid = mnt.company_id
    cat = doc.kb.category(cid)
    ss, se, cs, ce, line_no, sec = site.ss, site.se, site.cs, site.ce, site.line_no, site.sec
    if cat in ANALYST_CATEGORIES:
        return [make_link(mnt, None, "analyst", "sentence", doc.text, ss, se)]
    if has(doc.folded[max(0, mnt.start - 6) : mnt.start], doc.role_cues["benchmark"]):
        return [make_link(mnt, None, "peer", "sentence", doc.text, ss, se)]  # a yardstick
    heading = doc.heading(sec)
    prior = doc.kb.priors.get(cid, set())
    curated = doc.kb.curated_themes.get(cid, set())
    found = theme_of(doc, site)
    themes, ev = (found.themes, found.evidence) if found else ([], "sentence")
    if not (found and found.stated):
        themes = prefer(themes, prior, mnt.start, doc.keywords)
    if mnt.via == "ticker" and ev == "sentence":
        ev = "ticker"
    clause = strip_words(doc.folded[cs:ce], doc.role_cues["not_spender"])
    sentence = strip_words(doc.folded[ss:se], doc.role_cues["not_spender"])
    if sec >= 0 and has(heading, doc.struct["demand_heading"]) and not doc.names_a_company(sec):
        role = "customer"
    elif cat in DEMAND_CATEGORIES or (cat == "telecom" and has(sentence, doc.role_cues["spender"])):
        role = buyer_role(doc, clause, sentence)
        # a buyer's themes come from what its own clause or sentence says it buys
        themes = themes_in(doc.keywords, cs, ce) or themes_in(doc.keywords, ss, se)
        themes = themes if role in ("spender", "customer") else []
        ev = "sentence"
    elif own_capex(doc, idx, cs, ce):
        return [make_link(mnt, None, "spender", "sentence", doc.text, ss, se)]
    elif (
        ev in ("table", "list", "paren")
        or (sec >= 0 and has(heading, doc.struct["supply_heading"]))
        or themes
        and has(sentence, doc.role_cues["supplier"])
    ):
        role = "supplier"
    else:
        role = "other"
    if (
        role == "other"
        and not in_customer_list(doc, idx, ss)
        and sells_to_a_buyer(doc, idx, cs, ce)
    ):
        # "阿里巴巴是万国数据的主要客户": the company the buyer is a customer of supplies it
        themes = themes or context_theme(doc, idx, line_no, sec) or doc.known_theme(cid)
        ev, role = ("context", "supplier") if themes else (ev, role)
    if (role == "other" or not themes) and recommended(doc, idx, line_no, sec, sentence):
        # a sentence that names only a context word (数据中心) yields to a nearer label
        weak = not [k for k in doc.keywords.between(ss, se) if not k.weak]
        if not themes or weak:
            label = context_theme(doc, idx, line_no, sec)
            if label:
                themes, ev = label, "context"
        if not themes and labelled_list(doc, idx, line_no):
            # "- **云计算配套**：奥飞数据、高澜股份": a segment label that is no theme of ours
            themes, ev = doc.known_theme(cid), "prior"
        role = "supplier"
    if role == "supplier":
        if in_customer_list(doc, idx, ss) or customer_column(doc, line_no, mnt.start):
            return [make_link(mnt, None, "customer", "list", doc.text, ss, se)]
        if doc.off_topic(idx, line_no, cs, ss):
            role = "other"
        # a company is not a supplier of a theme its curated profile excludes
        # (Intel named beside liquid cooling is a partner, not a cooling supplier); a
        # generic theme (算力) names no segment to exclude
        themes = [t for t in themes if not curated or t in curated or t in doc.kb.generic_themes]
    if role == "supplier" and themes and all(t in doc.kb.generic_themes for t in themes):
        # "国产算力厂商: 沐曦": a generic label (算力) says no segment; the company's one
        # known segment does
        themes = doc.known_theme(cid) or themes
    if role == "supplier" and not themes:
        role = "other"
    if not themes:
        return [make_link(mnt, None, role, ev, doc.text, ss, se)] if role != "other" else []
    return [make_link(mnt, t, role, ev, doc.text, ss, se) for t in themes]


def recommended(doc: Doc, idx: int, line_no: int, sec: int, sentence: str) -> bool:
    """A name the document recommends: a cue stands in its sentence or in a heading over
    it, it is what its line is about, and the document puts it in no other story."""
    cat = doc.kb.category(doc.mentions[idx].company_id)
    if cat in DEMAND_CATEGORIES or cat == "telecom":
        return False
    if doc.mentions[idx].company_id in doc.off_topic_companies():
        return False  # the document puts it in another story (its satellite picks ...)
    heads = doc.chain(sec)
    if any(has(doc.heading(h), doc.role_cues["off_topic"]) for h in heads[:-1]):
        return False
    cued = (
        has(sentence, doc.role_cues["supplier"])
        or any(has(doc.heading(h), doc.struct["pick_heading"]) for h in heads)
        or (subject_list(doc, idx) and doc.has_pick_heading())
    )
    first = doc.mentions[doc.run[idx]]
    ss = span(doc.lay.sent_starts, first.start, doc.n)[0]
    if has(doc.folded[ss : first.start], doc.role_cues["ranking"]):
        return False
    return cued and is_subject(doc, idx, line_no)


def is_subject(doc: Doc, idx: int, line_no: int) -> bool:
    """The company is what its line is about: it opens the line (after bullet marks, a
    number, emphasis or a short label), or it stands in a list of names."""
    m = doc.mentions[idx]
    run = doc.run[idx]
    if doc.run_last[run] > run or left_bounded(doc.text, m.start):
        return True
    if has(doc.folded[max(0, m.start - 6) : m.start], doc.role_cues["supplier"]):
        return True  # "相关标的奥特维"
    ls = doc.lay.line_starts[line_no]
    lead = doc.text[ls : m.start]
    if any(doc.mentions[j].start >= ls for j in range(max(0, idx - 1), idx) if j != idx):
        return False
    return len(lead.strip(" \t-*•·#>✅✔️【[（(0123456789.、）)")) <= 12 and not any(
        p in lead for p in "。！？!?，,"
    )
