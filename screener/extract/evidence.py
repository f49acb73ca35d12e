"""Evidence of a link: its short span of text, its kind's confidence, one link per
(company, theme, role)."""

from __future__ import annotations

from screener.extract.model import EVIDENCE, Link, Mention
from screener.reference import Knowledge

SNIPPET_MAX = 44  # evidence spans stay short: the match and a few characters around it


def evidence_span(
    text: str, lo: int, hi: int, start: int, end: int, limit: int = SNIPPET_MAX
) -> str:
    """The match plus up to ``limit`` characters in all, centred on it, within [lo, hi)."""
    room = max(0, limit - (end - start))
    a = max(lo, start - room // 2)
    b = min(hi, end + (room - (start - a)))
    a = max(lo, start - (room - (b - end)))
    return " ".join(text[a:b].split())


def make_link(
    m: Mention, theme: str | None, role: str, ev: str, text: str, ss: int, se: int
) -> Link:
    return Link(
        m.company_id,
        theme,
        role,
        ev,
        m.start,
        m.end,
        evidence_span(text, ss, se, m.start, m.end),
        EVIDENCE[ev],
    )


def merge(raw: list[Link], kb: Knowledge) -> list[Link]:
    """One link per (company, theme, role): strongest evidence, first position, mention count."""
    best: dict[tuple[str, str | None, str], Link] = {}
    for lk in raw:
        key = (lk.company_id, lk.theme, lk.role)
        cur = best.get(key)
        if cur is None:
            best[key] = lk
            continue
        cur.mentions += 1
        if EVIDENCE[lk.evidence] > EVIDENCE[cur.evidence]:
            lk.mentions = cur.mentions
            best[key] = lk
    for lk in best.values():
        prior = kb.priors.get(lk.company_id, set())
        if lk.theme and prior and lk.theme not in prior:
            lk.confidence = round(lk.confidence - 0.1, 2)
    return sorted(best.values(), key=lambda x: (x.start, x.company_id, x.theme or "", x.role))
