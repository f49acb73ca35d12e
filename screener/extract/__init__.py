"""Text -> mentions (company, offsets), links (company, theme, role, evidence) and capex facts.

The flow, one module a step:

- ``matcher``   one Aho-Corasick pass over every alias and theme keyword (folded form);
- ``layout``    sentences, clauses, lines: table rows, bullets, headings, paragraphs;
- ``mentions``  which names and printed tickers are a company here;
- ``document``  the document as the rules see it (runs of names, shared lookups);
- the structure rules, tried in the order ``rules.THEME_RULES`` keeps: ``table`` (a row),
  ``lists`` (after a colon or "such as", a line label, bullets under a heading), ``parens``,
  ``sentence``; then ``headings`` (the nearest label of a recommended name) and
  ``anaphora`` ("both companies");
- ``roles``     supplier, spender, customer, analyst, peer or other, from the cues around a
  name (every cue word in ``screener/data/cues.toml``);
- ``evidence``  one link per (company, theme, role), its snippet and confidence;
- ``capex``     capex figures with spender, period and qualifier.
"""

from __future__ import annotations

import gc

from screener.extract.capex import extract_capex
from screener.extract.evidence import evidence_span
from screener.extract.layout import Layout, layout
from screener.extract.matcher import Matcher, get_matcher
from screener.extract.mentions import accept, publisher
from screener.extract.model import EVIDENCE, Extraction, KeywordHit, Keywords, Link, Mention
from screener.extract.roles import link_document
from screener.reference import Knowledge
from screener.text import fold

__all__ = [
    "EVIDENCE",
    "Extraction",
    "Layout",
    "Link",
    "Matcher",
    "Mention",
    "evidence_span",
    "extract",
    "get_matcher",
    "layout",
]


def extract(text: str, kb: Knowledge, published_on: str | None = None) -> Extraction:
    """Mentions, links and capex facts of one document.

    Python's cyclic garbage collector is paused for the call. Extraction makes no reference
    cycles (everything it drops is freed by reference counting: a collection after 3,000
    notes, or after one 15 MB document, finds nothing), but a long document keeps its hits and
    mentions alive until the end, and every collection walks them again: 12% of the CPU of a
    10 MB document, a cost per MB that grows with the document (50 MB: 0.263 CPU-s/MB with
    the collector, 0.227 without, the same notes one by one 0.226). The collector's state is
    restored on the way out (left off if it was off).
    """
    paused = gc.isenabled()
    if paused:
        gc.disable()
    try:
        return _extract(text, kb, published_on)
    finally:
        if paused:
            gc.enable()


def _extract(text: str, kb: Knowledge, published_on: str | None) -> Extraction:
    folded = fold(text)
    hits = get_matcher(kb).scan(folded, text)
    lay = layout(text)
    keywords = Keywords([h for h in hits if isinstance(h, KeywordHit)])
    mentions = accept(text, folded, kb, hits, lay, keywords)
    out = Extraction(text=text, mentions=mentions)
    out.links = link_document(text, folded, kb, mentions, keywords, lay)
    out.capex = extract_capex(text, folded, kb, mentions, lay, published_on)
    out.publisher_guess = publisher(kb, mentions)
    return out
