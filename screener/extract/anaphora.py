"""Anaphora: "Both companies supply 800G modules" links the previous sentence's companies."""

from __future__ import annotations

import bisect

from screener.cues import CueWords
from screener.extract.document import Doc, has, prefer, themes_in
from screener.extract.evidence import evidence_span
from screener.extract.model import EVIDENCE, Link
from screener.reference import ANALYST_CATEGORIES, DEMAND_CATEGORIES


def anaphora_links(doc: Doc) -> list[Link]:
    """ "Both companies are suppliers of 800G modules": a sentence that opens with an
    anaphor, names a theme and a supplier cue links the previous sentence's companies."""
    out: list[Link] = []
    starts = doc.lay.sent_starts
    anaphora: CueWords = doc.struct["anaphora"]
    rx = anaphora.regex
    candidates = sorted(
        {bisect.bisect_right(starts, m.start()) - 1 for m in rx.finditer(doc.folded)}
    )
    for si in candidates:
        if si < 1:
            continue
        ss = starts[si]
        se = starts[si + 1] if si + 1 < len(starts) else doc.n
        head = doc.folded[ss : ss + 24].lstrip()
        if not any(head.startswith(a) for a in anaphora):
            continue
        sentence = doc.folded[ss:se]
        themes = themes_in(doc.keywords, ss, se)
        if not themes or not has(sentence, doc.role_cues["supplier"]):
            continue
        pi = si - 1
        while pi > 0 and not doc.text[starts[pi] : starts[pi + 1]].strip():
            pi -= 1
        prev = doc.mentions_in(starts[pi], starts[pi + 1])
        for m in prev:
            cat = doc.kb.category(m.company_id)
            if cat in ANALYST_CATEGORIES or cat in DEMAND_CATEGORIES:
                continue
            prior = doc.kb.priors.get(m.company_id, set())
            curated = doc.kb.curated_themes.get(m.company_id, set())
            for t in prefer(themes, prior, ss, doc.keywords):
                if curated and t not in curated:
                    continue
                span_text = evidence_span(doc.text, ss, se, ss, min(se, ss + 20))
                out.append(
                    Link(
                        m.company_id,
                        t,
                        "supplier",
                        "sentence",
                        m.start,
                        m.end,
                        span_text,
                        EVIDENCE["sentence"],
                    )
                )
    return out
