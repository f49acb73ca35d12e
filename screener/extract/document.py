"""One document as the linking rules see it: its text and matching form, mentions and keyword
hits, layout, runs of names (a list), and the lookups every rule shares (the heading over a
line, a table column's header, a list item's extent, a company's known segment)."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from screener.cues import CueWords
from screener.extract.joiners import ListWords, only_joiners
from screener.extract.layout import CELL_SEP, TABLE_RULE, Layout, indent, span
from screener.extract.model import KeywordHit, Keywords, Mention
from screener.reference import Knowledge
from screener.text import fold

STOP = set("、,，;；。！？!?\n")


def has(s: str, cues: list[str]) -> bool:
    """Whether any of the cue words occurs in s (one regex pass for the cues.toml lists)."""
    if isinstance(cues, CueWords):
        return cues.found_in(s)
    return any(c in s for c in cues)


def strip_words(s: str, words: list[str]) -> str:
    """Blank out words that contain a cue without meaning it, keeping offsets."""
    if isinstance(words, CueWords) and not words.found_in(s):
        return s  # the common case: one regex pass instead of a replace per word
    for w in words:
        s = s.replace(w, " " * len(w))
    return s


def themes_in(keywords: Keywords, start: int, end: int) -> list[str]:
    """Themes named in [start, end); context words (数据中心, data center) count only when
    no segment word is there: every segment's equipment goes into data centres."""
    inside = strong(keywords.between(start, end))
    return list(dict.fromkeys(k.theme for k in inside))


def strong(ks: list[KeywordHit]) -> list[KeywordHit]:
    strong = [k for k in ks if not k.weak]
    return strong or ks


def prefer(themes: list[str], prior: set[str], pos: int, keywords: Keywords) -> list[str]:
    """Several themes in one context: keep those the company is known for; else the nearest."""
    if len(themes) <= 1:
        return themes
    known = [t for t in themes if t in prior]
    if known:
        return known
    near = min((k for k in keywords if k.theme in themes), key=lambda k: abs(k.start - pos))
    return [near.theme]


def head_of_first_cluster(hits: list[KeywordHit], text: str) -> str | None:
    """The theme of the first run of adjacent keywords, read by its head (the last segment
    word): "液冷服务器" -> servers, "液冷电源模块" -> power; a context word (智算中心, 机柜)
    is no head ("液冷机柜" -> liquid cooling)."""
    if not hits:
        return None
    cluster = [hits[0]]
    for k in hits[1:]:
        if k.start - cluster[-1].end > 1 or STOP & set(text[cluster[-1].end : k.start]):
            break
        cluster.append(k)
    return str(strong(cluster)[-1].theme)


STOP_RULES = object()  # a rule's answer that ends the search with no theme


@dataclass
class Found:
    """A rule's answer: the themes of a mention and the kind of evidence that gave them."""

    themes: list[str]
    evidence: str
    stated: bool = False  # every theme is stated ("交换机及服务器"): none to narrow by priors


@dataclass
class Site:
    """Where a mention stands: its sentence, clause, line, section and list run."""

    idx: int
    mention: Mention
    line_no: int
    sec: int  # the section heading's line, -1 for none
    ss: int  # sentence [ss, se)
    se: int
    cs: int  # clause [cs, ce)
    ce: int
    ls: int  # line [ls, le)
    le: int
    first: Mention  # the first and last names of its run ("A、B及C")
    last: Mention
    heading_themes: list[str] = field(default_factory=list)


class Doc:
    """A document's structure for theme and role assignment."""

    def __init__(
        self,
        text: str,
        folded: str,
        kb: Knowledge,
        mentions: list[Mention],
        keywords: Keywords,
        lay: Layout,
    ):
        self.text, self.folded, self.kb, self.mentions, self.keywords, self.lay = (
            text,
            folded,
            kb,
            mentions,
            keywords,
            lay,
        )
        self.n = len(text)
        self.role_cues = kb.cues["roles"]
        self.struct = kb.cues["structure"]
        self.list_words = ListWords.from_cues(self.struct)
        # runs: mentions separated only by joiners ("A、B及C", "A, B and C", "A(B)、C")
        self.run: list[int] = []
        for i, m in enumerate(mentions):
            if i and only_joiners(
                text[mentions[i - 1].end : m.start], self.list_words, parens=True
            ):
                self.run.append(self.run[-1])
            else:
                self.run.append(i)
        self._headings: dict[int, str] = {}
        self._elsewhere: set[str] | None = None
        self.mention_starts = [m.start for m in mentions]
        self._table_top: dict[int, int] = {}
        self._header_cells: dict[int, list[str]] = {}  # a table's header line, folded, by cell
        self._pick_heading: bool | None = None
        self.run_last: dict[int, int] = {}
        for i, r in enumerate(self.run):
            self.run_last[r] = i

    def site(self, idx: int) -> Site:
        m, lay = self.mentions[idx], self.lay
        line_no = bisect.bisect_right(lay.line_starts, m.start) - 1
        sec = lay.section_of_line[line_no]
        ss, se = span(lay.sent_starts, m.start, self.n)
        cs, ce = span(lay.clause_starts, m.start, self.n)
        ls, le = span(lay.line_starts, m.start, self.n)
        run = self.run[idx]
        return Site(
            idx,
            m,
            line_no,
            sec,
            ss,
            se,
            cs,
            ce,
            ls,
            le,
            self.mentions[run],
            self.mentions[self.run_last[run]],
            self.line_themes(sec) if sec >= 0 else [],
        )

    def heading(self, sec: int) -> str:
        """The folded text of section heading line ``sec`` ("" for none), folded once."""
        if sec < 0:
            return ""
        if sec not in self._headings:
            self._headings[sec] = fold(self.lay.lines[sec])
        return self._headings[sec]

    def chain(self, sec: int) -> list[int]:
        """The heading lines over a line, nearest first, then the title line."""
        out = []
        while sec >= 0 and sec not in out:
            out.append(sec)
            sec = self.lay.parent_heading.get(sec, -1)
        t = self.lay.title_line
        if t >= 0 and t not in out:
            out.append(t)
        return out

    def line_span(self, line_no: int) -> tuple[int, int]:
        ls = self.lay.line_starts[line_no]
        return ls, ls + len(self.lay.lines[line_no])

    def line_themes(self, line_no: int) -> list[str]:
        return themes_in(self.keywords, *self.line_span(line_no))

    def names_between(self, lo: int, hi: int) -> bool:
        """Some mention starts in [lo, hi) (a binary search over the sorted starts)."""
        return bisect.bisect_left(self.mention_starts, lo) < bisect.bisect_left(
            self.mention_starts, hi
        )

    def mentions_in(self, lo: int, hi: int) -> list[Mention]:
        """The mentions starting in [lo, hi), in order."""
        ms = self.mention_starts
        return self.mentions[bisect.bisect_left(ms, lo) : bisect.bisect_left(ms, hi)]

    def item_theme(self, first: Mention, last: Mention, lo: int, hi: int) -> KeywordHit | None:
        """The keyword that belongs to this run of names: the nearest one before it or after it
        with no list separator or other company in between ("光模組廠中際旭創與新易盛",
        "Sugon and Lenovo in servers"). Of adjacent keywords the last is the head
        ("数据中心UPS" -> UPS)."""
        text = self.text
        before = strong(
            [
                k
                for k in self.keywords.between(lo, first.start)
                if k.end <= first.start
                and not STOP & set(text[k.end : first.start])
                and not self.names_between(k.end, first.start)
            ]
        )
        after_all = strong(
            [
                k
                for k in self.keywords.between(last.end, hi)
                if not STOP & set(text[last.end : k.start])
                and not self.names_between(last.end, k.start)
            ]
        )
        after = None
        if after_all:
            after = after_all[0]
            for k in after_all[1:]:
                if k.start - after.end <= 1:
                    after = k
                else:
                    break
        b = before[-1] if before else None
        if b and after:
            return b if first.start - b.end <= after.start - last.end else after
        return b or after

    def item_end_line(self, line_no: int) -> int:
        """The last line of the list item opening at ``line_no``: the lines right below that
        carry on its text, and its sub-items (indented deeper, blank lines between allowed)."""
        lay = self.lay
        depth = indent(lay.lines[line_no])
        last, j = line_no, line_no + 1
        while j < len(lay.lines):
            ln = lay.lines[j]
            if not ln.strip():
                j += 1
                continue
            if indent(ln) > depth and not lay.heading_line[j]:
                last = j  # a sub-item or an indented continuation
            elif last == j - 1 and not (
                lay.bullet_line[j] or lay.heading_line[j] or lay.table_line[j]
            ):
                last = j  # the item's text wrapped onto the next line
            else:
                break
            j += 1
        return last

    def bullets_label(self, line_no: int) -> int:
        """The line ending in a colon over the bullet block holding ``line_no``, or -1."""
        lay = self.lay
        if not lay.bullet_line[line_no]:
            return -1
        j = line_no - 1
        while j >= 0 and (lay.bullet_line[j] or not lay.lines[j].strip()):
            j -= 1
        return j if j >= 0 and lay.lines[j].rstrip().endswith((":", "：")) else -1

    def has_pick_heading(self) -> bool:
        """A heading of the document says it names picks (核心标的, 推荐)."""
        if self._pick_heading is None:
            lay = self.lay
            self._pick_heading = any(
                has(self.heading(i), self.struct["pick_heading"])
                for i, h in enumerate(lay.heading_line)
                if h
            )
        return self._pick_heading

    def known_theme(self, cid: str) -> list[str]:
        """The company's one curated or reference theme, when it has exactly one; among
        several, the one its exchange industry also names (IT设备 -> servers)."""
        known = self.kb.curated_themes.get(cid) or self.kb.priors.get(cid, set())
        if len(known) > 1:
            industry = self.kb.companies[cid].get("industry") or ""
            known = known & self.kb.industry_themes.get(industry, set())
        return sorted(known) if len(known) == 1 else []

    def names_a_company(self, line_no: int) -> bool:
        """A heading that names a company is about that company ("宏景科技：…多客户覆盖"),
        not a demand-side section."""
        ls = self.lay.line_starts[line_no]
        le = ls + len(self.lay.lines[line_no])
        i = bisect.bisect_left(self.mention_starts, ls)
        return i < len(self.mentions) and self.mentions[i].start < le

    def column_header(self, line_no: int, pos: int) -> str:
        """The folded header cell of the table column holding ``pos`` ("" outside a table or
        on the header row itself)."""
        lay = self.lay
        if not lay.table_line[line_no]:
            return ""
        top = self._table_top.get(line_no)
        if top is None:  # walk up once per table, remembering the answer for every row
            top = line_no
            while top > 0 and (lay.table_line[top - 1] or TABLE_RULE.match(lay.lines[top - 1])):
                top -= 1
            for i in range(top, line_no + 1):
                self._table_top[i] = top
        if top == line_no:
            return ""
        ls = lay.line_starts[line_no]
        seg = self.text[ls:pos]
        col = seg.count("\t") + seg.count("|")
        cells = self._header_cells.get(top)
        if cells is None:
            cells = self._header_cells[top] = CELL_SEP.split(fold(lay.lines[top]))
        return cells[col] if col < len(cells) else ""

    def off_topic_companies(self) -> set[str]:
        """Companies this document names in a clause or list about another story."""
        if self._elsewhere is None:
            self._elsewhere = set()
            lay = self.lay
            for i, m in enumerate(self.mentions):
                line_no = bisect.bisect_right(lay.line_starts, m.start) - 1
                ss = span(lay.sent_starts, m.start, self.n)[0]
                cs = span(lay.clause_starts, m.start, self.n)[0]
                if self.off_topic(i, line_no, cs, ss):
                    self._elsewhere.add(m.company_id)
        return self._elsewhere

    def off_topic(self, idx: int, line_no: int, cs: int, ss: int) -> bool:
        """The clause, the list's header or the table row is about another story (energy
        storage, phones, satellites ...)."""
        first = self.mentions[self.run[idx]]
        words = self.role_cues["off_topic"]
        if self.lay.table_line[line_no]:
            ls = self.lay.line_starts[line_no]
            return has(self.folded[ls : ls + len(self.lay.lines[line_no])], words)
        ce = span(self.lay.clause_starts, self.mentions[idx].start, self.n)[1]
        return has(self.folded[min(cs, first.start) : ce], words) or has(
            self.folded[ss : first.start], words
        )
