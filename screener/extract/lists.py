"""Lists of names: after a colon or "such as" (光模块龙头：A、B), after a label that opens the
line (交换机：…, 交换机及服务器代工 —— A), bullets under a themed heading; and what a list's
header says about its names (customers, the document's subjects)."""

from __future__ import annotations

import bisect
import itertools
import re

from screener.extract.document import Doc, Found, Site, has, strong
from screener.extract.joiners import line_is_list, list_run_start
from screener.extract.layout import span
from screener.text import fold

_LABEL_END = re.compile(r"[：:]|\s*(?:——|—|－{1,2}|--)\s*")  # "交换机：A" or "交换机 —— A"
_COORDINATED = re.compile(r"\s*(?:及|和|与|以及|、|/|&|and)?\s*", re.I)


def after_marker(doc: Doc, site: Site) -> Found | None:
    """2. A list after a colon or "such as": its header names the theme, else the item's
    own keyword, else a keyword earlier in the sentence."""
    marker = list_run_start(doc.text, doc.mentions, site.idx, site.ss, doc.list_words)
    if marker is None:
        return None
    hs, _ = span(doc.lay.clause_starts, marker, doc.n)
    header = strong([k for k in doc.keywords.between(hs, marker) if k.end <= marker])
    item = doc.item_theme(site.first, site.last, site.cs, site.ce)
    if header:
        return Found([header[-1].theme], "list")
    if item:
        return Found([item.theme], "list")
    before = strong([k for k in doc.keywords.between(site.ss, marker) if k.end <= marker])
    return Found([before[-1].theme], "list") if before else None


def line_label(doc: Doc, site: Site) -> Found | None:
    """2b. The themes of a short label ending in a colon at the start of the line, before the name,
    when the label names a segment and no company."""
    ls, pos = site.ls, site.mention.start
    head = doc.text[ls:pos]
    found = [m.start() for m in (_LABEL_END.search(head),) if m]
    if not found or min(found) > 24:
        return None
    colon = min(found)
    first = bisect.bisect_left(doc.mention_starts, ls)
    if first < len(doc.mentions) and doc.mentions[first].start < ls + colon:
        return None  # the label is a company's name
    ks = [k for k in doc.keywords.between(ls, ls + colon) if not k.weak]
    # "交换机及服务器代工 —— A": segments joined by 及/和/、 are all the label's
    joined = all(
        _COORDINATED.fullmatch(doc.text[a.end : b.start]) for a, b in itertools.pairwise(ks)
    )
    themes = list(dict.fromkeys(k.theme for k in ks))
    if not themes:
        return None
    if joined:
        return Found(themes, "list", stated=len(themes) > 1)
    return Found(themes[-1:], "list")


def under_heading(doc: Doc, site: Site) -> Found | None:
    """2c. A bullet (or a line that is a list of names) under a themed heading: the item's
    own keyword, else the heading's themes."""
    line_list = doc.lay.bullet_line[site.line_no] or line_is_list(doc.text[site.ls : site.le])
    if not (line_list and site.heading_themes):
        return None
    item = doc.item_theme(site.first, site.last, site.ls, site.le)
    return Found([item.theme] if item else site.heading_themes, "list")


def labelled_list(doc: Doc, idx: int, line_no: int) -> bool:
    """The name stands in a list of names after a short label that opens its line."""
    ls = doc.lay.line_starts[line_no]
    head = doc.folded[ls : doc.mentions[doc.run[idx]].start].rstrip(" *")
    return (
        head.endswith((":", "："))
        and len(head.strip(" -*•·#")) <= 16
        and doc.run_last[doc.run[idx]] > doc.run[idx]
        and not has(head, doc.role_cues["off_topic"])
    )


def subject_list(doc: Doc, idx: int) -> bool:
    """The name is in a list that the words after it call the document's subjects
    ("A、B、C 这三家公司")."""
    run = doc.run[idx]
    last = doc.mentions[doc.run_last[run]]
    if doc.run_last[run] > run and has(
        doc.folded[last.end : last.end + 12], doc.role_cues["subject_list"]
    ):
        return True
    # "当中有五家企业…：" then one bullet a company: the label over the bullets says so
    line_no = bisect.bisect_right(doc.lay.line_starts, doc.mentions[idx].start) - 1
    j = doc.bullets_label(line_no)
    return j >= 0 and has(fold(doc.lay.lines[j]), doc.role_cues["subject_list"])


def in_customer_list(doc: Doc, idx: int, ss: int) -> bool:
    """ "客户包括 A、B": the list's header says these are customers."""
    first = doc.mentions[doc.run[idx]]
    header = doc.folded[max(ss, first.start - 16) : first.start]
    return has(header, doc.role_cues["customer_list"])
