"""Company mentions and theme links from one decoded document.

The flow: ``Matcher.scan`` finds alias, keyword and ticker hits in the folded text (one
Aho-Corasick pass, leftmost-longest); ``_accept`` keeps short or ambiguous aliases only where
context supports them; ``_link`` gives each accepted mention a theme and a role from the
document's structure (table rows, lists after a cue, parentheses, section headings, clauses)
and the company's category. Offsets always index the decoded original text.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from screener.reference import ANALYST_CATEGORIES, DEMAND_CATEGORIES, Knowledge, merge_ambiguity
from screener.text import fold
from screener.tickers import TEXT_TICKER, market_of, ticker_from_match

# Evidence kinds, strongest first; the number is the link's base confidence.
EVIDENCE = {
    "table": 0.95,
    "list": 0.9,
    "paren": 0.85,
    "ticker": 0.8,
    "sentence": 0.65,
    "context": 0.55,  # a recommendation whose theme comes from the paragraph, headings or title
    "prior": 0.5,  # a recommendation whose only theme is the company's one reference theme
}

_SENT_END = "。！？!?\n"
_CLAUSE_END = _SENT_END + "，,；;：:"
_LIST_LEFT = set("、,，;；:：(（/|\t[【 $*") | {"如", "和", "与", "及", "括"}
_LIST_RIGHT = set("、,，;；)）/|\t]】。.：: \n$*") | {"等", "和", "与", "及"}
_EN_LIST_WORDS = {"and", "or", "as", "like", "including", "alongside", "with", "between", "vs"}
_LIST_MARKERS = ("如", "包括", "例如", "比如", "such as", "including", "like")
_BULLET = re.compile(r"^\s*(?:[-*•·▪►]|\d{1,2}[.)、．]|[（(]\d{1,2}[)）])\s*")
_ITEM_MARK = re.compile(r"^\s*[-*•·▪►]")
_CODE_ITEM = re.compile(r"[（(][A-Za-z]{0,2}\d{4,6}(?:\.[A-Za-z]{2})?[)）]")
_HEADING_MARK = re.compile(r"^\s*(?:#{1,6}\s|[◆■●▌【]|[一二三四五六七八九十]+[、.．])")


@dataclass
class Mention:
    company_id: str
    start: int
    end: int
    matched: str
    via: str  # "alias" or "ticker"
    kind: str  # alias kind, or "ticker"
    ambiguous: bool = False
    ticker: str = ""


@dataclass
class Link:
    company_id: str
    theme: str | None
    role: str
    evidence: str
    start: int
    end: int
    snippet: str
    confidence: float
    mentions: int = 1


@dataclass
class Hit:
    start: int
    end: int
    payload: tuple[Any, ...]


class Keywords(list[Hit]):
    """Keyword hits in text order, with a bisect window lookup."""

    def __init__(self, hits: list[Hit]):
        super().__init__(hits)
        self.starts = [h.start for h in hits]

    def between(self, lo: int, hi: int) -> list[Hit]:
        """Hits starting in [lo, hi)."""
        return self[bisect.bisect_left(self.starts, lo) : bisect.bisect_left(self.starts, hi)]


@dataclass
class Layout:
    """Sentence, clause and line boundaries plus section context of a text."""

    text: str
    sent_starts: list[int]
    clause_starts: list[int]
    line_starts: list[int]
    lines: list[str]
    table_line: list[bool]
    bullet_line: list[bool]
    heading_line: list[bool]
    section_of_line: list[int]  # index of the governing heading line, -1 if none
    parent_heading: dict[int, int] = field(default_factory=dict)  # heading -> enclosing one
    title_line: int = -1  # front-matter title, else the first heading, else the first line
    para_start_line: list[int] = field(default_factory=list)  # first line of each line's paragraph


@dataclass
class Extraction:
    text: str
    mentions: list[Mention] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    capex: list[dict[str, Any]] = field(default_factory=list)
    publisher_guess: str | None = None


# ---------------------------------------------------------------- matcher


_LATIN_WORD = re.compile(r"[a-z]{2,}")
_GENERIC_WORDS = frozenset(
    ["co", "ltd", "limited", "group", "holdings", "holding", "inc", "corp", "corporation"]
    + ["company", "the", "and", "of", "technology", "technologies", "tech", "electronics"]
    + ["electronic", "international", "china", "shares", "stock"]
)
# the Latin words written right before "(" of "Jereh Group (002535.SZ)"
_NAME_BEFORE_PAREN = re.compile(r"((?:[A-Z][A-Za-z&'.,-]*\s+){1,5})[(（]\s*$")


class Matcher:
    """One automaton over every alias and theme keyword, on the folded form."""

    def __init__(self, kb: Knowledge):
        import ahocorasick

        self.kb = kb
        self.auto = ahocorasick.Automaton()
        # the distinctive Latin words of each company's names (a printed code checks against them)
        self.latin_words: dict[str, set[str]] = {}
        for a in kb.aliases:
            words = set(_LATIN_WORD.findall(a["alias"].lower())) - _GENERIC_WORDS
            if words:
                self.latin_words.setdefault(a["company_id"], set()).update(words)
        self.latin_index: dict[str, set[str]] = {}  # word -> the companies whose names have it
        for cid, words in self.latin_words.items():
            for w in words:
                self.latin_index.setdefault(w, set()).add(cid)
        by_key: dict[str, list[dict[str, Any]]] = {}
        keywords = {fold(k["keyword"]) for k in kb.keywords}
        for a in kb.aliases:
            key = fold(a["alias"]).strip()
            if len(key) < 2:
                continue
            # a theme word is a theme word: "AIDC" is not 漢翔's English ticker name here
            if key in keywords and not kb.companies[a["company_id"]]["curated"]:
                continue
            by_key.setdefault(key, []).append(a)
        self.collisions: list[str] = []
        for key, rows in by_key.items():
            cids = {r["company_id"] for r in rows}
            if len(cids) > 1:
                curated = {c for c in cids if kb.companies[c]["curated"]}
                if len(curated) != 1:
                    self.collisions.append(key)
                    continue
                cid = curated.pop()
                rows = [r for r in rows if r["company_id"] == cid]
            r = min(rows, key=lambda r: (r["kind"] == "exchange", not r["explicit"]))
            latin = key.isascii()
            amb = merge_ambiguity(rows)
            # only Latin aliases need their written form for the case check
            orig = next(
                (x["alias"] for x in rows if x["alias"].isascii() and x["kind"] != "exchange"), None
            )
            orig = orig or next((x["alias"] for x in rows if x["alias"].isascii()), r["alias"])
            # an everyday word that is only an exchange short name needs another company beside it
            auto_short = amb and all(x["kind"] == "exchange" for x in rows)
            # a name that is also an everyday word abroad (國產, 三星 on the TWSE) counts only
            # with its ticker beside it or after an unambiguous mention of the company
            strict = any(x.get("strict") for x in rows)
            self.auto.add_word(
                key,
                ("c", r["company_id"], r["kind"], amb, latin, orig, auto_short, strict, len(key)),
            )
        for nick, members in kb.groups.items():  # one name, several companies
            key = fold(nick)
            self.auto.add_word(
                key,
                (
                    "g",
                    tuple(members),
                    "nickname",
                    False,
                    key.isascii(),
                    nick,
                    False,
                    False,
                    len(key),
                ),
            )
        for k in kb.keywords:
            key = fold(k["keyword"])
            if self.auto.get(key, None) is None:
                weak = k.get("strength") == "context"
                self.auto.add_word(key, ("k", k["theme"], key.isascii(), weak, len(key)))
        self.auto.make_automaton()

    def scan(self, folded: str, original: str) -> list[Hit]:
        """Leftmost-longest among the valid matches: a Latin match that fails its word
        boundary or case check must not hide a shorter or later one ("Ethernet switches")."""
        hits: list[Hit] = []
        cands: list[tuple[int, int, tuple[Any, ...]]] = []
        for end, payload in self.auto.iter(folded):
            start = end - payload[-1] + 1
            latin = payload[4] if payload[0] == "c" else payload[2]
            if latin:
                if not _word_bounded(folded, start, end + 1):
                    continue
                if payload[0] == "c" and not _case_ok(original[start : end + 1], payload[5]):
                    continue
            cands.append((start, end + 1, payload))
        cands.sort(key=lambda c: (c[0], -(c[1] - c[0])))
        taken_to = -1
        for start, end, payload in cands:
            if start >= taken_to:
                hits.append(Hit(start, end, payload))
                taken_to = end
        return hits


def _word_bounded(s: str, start: int, end: int) -> bool:
    before = s[start - 1] if start > 0 else " "
    after = s[end] if end < len(s) else " "
    return not (before.isascii() and before.isalnum()) and not (after.isascii() and after.isalnum())


def _case_ok(written: str, alias: str) -> bool:
    """English names are proper nouns: capitalised; short acronyms must be in capitals."""
    if not written[:1].isalpha():
        return True
    if alias.isupper() and len(alias) <= 5:
        return written == written.upper()
    return written[:1].isupper()


@lru_cache(maxsize=4)
def get_matcher(kb: Knowledge) -> Matcher:
    """The matcher of a knowledge base, built once (Knowledge hashes by identity)."""
    return Matcher(kb)


# ---------------------------------------------------------------- layout


_SENT_RX = re.compile(r"[。！？!?\n]|\.")
_CLAUSE_RX = re.compile(r"[，,；;：:]")


def layout(text: str) -> Layout:
    sent = [0]
    for m in _SENT_RX.finditer(text):
        i = m.start()
        if text[i] != "." or _english_full_stop(text, i):
            sent.append(i + 1)
    clause = sorted(set(sent) | {m.end() for m in _CLAUSE_RX.finditer(text)})
    lines = text.split("\n")
    starts, pos = [], 0
    for ln in lines:
        starts.append(pos)
        pos += len(ln) + 1
    table = [_is_table_row(ln) for ln in lines]
    bullet = [bool(_BULLET.match(ln)) and not t for ln, t in zip(lines, table, strict=True)]
    # a "- item" is a heading only when it labels what follows ("- 光模块："); a numbered
    # short line is one ("2. 新能源汽车") unless it is a name with its code ("1. 寒武纪(688256)")
    heading = [
        _is_heading(ln)
        and not t
        and not _TABLE_RULE.match(ln)
        and not (
            b and (_ITEM_MARK.match(ln) or _CODE_ITEM.search(ln)) and ln.rstrip()[-1:] not in ":："
        )
        for ln, t, b in zip(lines, table, bullet, strict=True)
    ]
    section, cur = [], -1
    for i, h in enumerate(heading):
        if h:
            cur = i
        section.append(cur)
    parent: dict[int, int] = {}
    stack: list[tuple[int, int]] = []  # (level, line) of the open headings
    for i, h in enumerate(heading):
        if not h:
            continue
        lvl = _heading_level(lines[i])
        while stack and stack[-1][0] >= lvl:
            stack.pop()
        parent[i] = stack[-1][1] if stack else -1
        stack.append((lvl, i))
    para, cur = [], 0
    for i, ln in enumerate(lines):
        if not ln.strip() or heading[i]:
            cur = i + 1 if not ln.strip() else i
        para.append(cur)
    return Layout(
        text,
        sent,
        clause,
        starts,
        lines,
        table,
        bullet,
        heading,
        section,
        parent,
        _title_line(lines),
        para,
    )


_MD_LEVEL = re.compile(r"^\s*(#{1,6})\s")


def _heading_level(line: str) -> int:
    """Markdown ``#`` count; other headings (numbered, bracketed, short lines) sit below them."""
    m = _MD_LEVEL.match(line)
    return len(m.group(1)) if m else 7


def _title_line(lines: list[str]) -> int:
    """The line holding the document's title: YAML front matter's ``title:``, else the first
    Markdown heading in the first lines, else the first non-empty line."""
    if lines and lines[0].strip() == "---":
        for i, ln in enumerate(lines[1:60], 1):
            if ln.strip() == "---":
                break
            if ln.lower().startswith("title:"):
                return i
    for i, ln in enumerate(lines[:12]):
        if _MD_LEVEL.match(ln):
            return i
    first = next((i for i, ln in enumerate(lines) if ln.strip()), -1)
    return first if first >= 0 and len(lines[first].strip()) <= 60 else -1  # a title, not prose


_ABBREVIATIONS = re.compile(r"(?:^|[^A-Za-z])(?:Ltd|Co|Inc|Corp|Mr|Ms|Dr|No|vs|St|Jr|Sr|etc)$")


def _english_full_stop(text: str, i: int) -> bool:
    nxt = text[i + 1] if i + 1 < len(text) else " "
    prev = text[i - 1] if i > 0 else " "
    if _ABBREVIATIONS.search(text[max(0, i - 6) : i]):
        return False  # "Co.,Ltd. does not", "Inc. said"
    return (
        nxt in " \n\t\"'”’"
        and not prev.isdigit()
        and not (prev.isupper() and i > 1 and text[i - 2] in " .")
    )


def _is_table_row(line: str) -> bool:
    if "\t" not in line and line.count("|") < 2:
        return False
    s = line.strip()
    if not s or set(s) <= set("|-: \t"):
        return False
    cells = [c for c in re.split(r"\t|\|", s) if c.strip()]
    return len(cells) >= 2 and ("\t" in s or s.count("|") >= 2)


def _is_heading(line: str) -> bool:
    s = line.strip()
    if not s:
        return False
    if _HEADING_MARK.match(s):
        return True
    if len(s) <= 30 and s[-1] in ":：":
        return True
    return len(s) <= 24 and not any(p in s for p in "，。,；;！!？?、")


def _span(starts: list[int], pos: int, text_len: int) -> tuple[int, int]:
    i = bisect.bisect_right(starts, pos) - 1
    end = starts[i + 1] if i + 1 < len(starts) else text_len
    return starts[i], end


# ---------------------------------------------------------------- extraction


def extract(text: str, kb: Knowledge, published_on: str | None = None) -> Extraction:
    """Mentions, links and capex facts of one document."""
    from screener.capex import extract_capex

    folded = fold(text)
    m = get_matcher(kb)
    hits = m.scan(folded, text)
    lay = layout(text)
    keywords = Keywords([h for h in hits if h.payload[0] == "k"])
    mentions = _accept(text, folded, kb, hits, lay, keywords)
    out = Extraction(text=text, mentions=mentions)
    out.links = _link(text, folded, kb, mentions, keywords, lay)
    out.capex = extract_capex(text, folded, kb, mentions, lay, published_on)
    out.publisher_guess = _publisher(kb, mentions)
    return out


def _ticker_mentions(text: str, kb: Knowledge, alias_ends: dict[int, str]) -> list[Mention]:
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
        if _misprinted(text, s, cid, kb, alias_ends):
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


def _misprinted(text: str, start: int, cid: str, kb: Knowledge, alias_ends: dict[int, str]) -> bool:
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
    written = set(_LATIN_WORD.findall(m.group(1).lower())) - _GENERIC_WORDS
    matcher = get_matcher(kb)
    if not written or written & matcher.latin_words.get(cid, set()):
        return False
    others = set.intersection(*(matcher.latin_index.get(w, set()) for w in written))
    return bool(others) and cid not in others


def _accept(
    text: str, folded: str, kb: Knowledge, hits: list[Hit], lay: Layout, keywords: Keywords
) -> list[Mention]:
    cands = [
        Mention(
            h.payload[1], h.start, h.end, text[h.start : h.end], "alias", h.payload[2], h.payload[3]
        )
        for h in hits
        if h.payload[0] == "c"
    ]
    cands += [  # a nickname of several companies is a mention of each
        Mention(cid, h.start, h.end, text[h.start : h.end], "alias", "nickname")
        for h in hits
        if h.payload[0] == "g"
        for cid in h.payload[1]
    ]
    auto_short = {(h.start, h.payload[1]) for h in hits if h.payload[0] == "c" and h.payload[6]}
    strict = {(h.start, h.payload[1]) for h in hits if h.payload[0] == "c" and h.payload[7]}
    alias_ends = {c.end: c.company_id for c in cands}
    tickers = _ticker_mentions(text, kb, alias_ends)
    taken = [(t.start, t.end) for t in tickers]
    cands = [c for c in cands if not any(s < c.end and c.start < e for s, e in taken)]

    strong = [c for c in cands if not c.ambiguous] + tickers
    established = {c.company_id for c in strong}
    kw_clauses = {bisect.bisect_right(lay.clause_starts, k.start) for k in keywords}
    accepted = list(strong)
    for c in cands:
        if not c.ambiguous:
            continue
        # (A) a ticker of the same company right after the name
        if any(t.company_id == c.company_id and 0 <= t.start - c.end <= 3 for t in tickers):
            accepted.append(c)
            continue
        left = _left_bounded(text, c.start)
        right = _right_bounded(text, c.end)
        if (c.start, c.company_id) in strict:
            if c.company_id in established and left:
                accepted.append(c)
            continue
        clause = bisect.bisect_right(lay.clause_starts, c.start)
        siblings = [
            o
            for o in cands + tickers
            if o is not c
            and o.company_id != c.company_id
            and bisect.bisect_right(lay.clause_starts, o.start) == clause
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


def _left_bounded(text: str, start: int) -> bool:
    j = start - 1
    while j >= 0 and text[j] in " \u3000":
        j -= 1
    if j < 0:
        return True
    ch = text[j]
    if ch in _LIST_LEFT or ch in _SENT_END:
        return True
    if ch.isascii() and ch.isalpha():  # an English list: "alongside A and B", "such as A"
        word = re.search(r"([A-Za-z]+)$", text[max(0, j - 12) : j + 1])
        return word is not None and word.group(1).lower() in _EN_LIST_WORDS
    return text[max(0, j - 1) : j + 1] in ("包括", "例如", "比如")


def _right_bounded(text: str, end: int) -> bool:
    j = end
    while j < len(text) and text[j] in " \u3000":
        j += 1
    if j >= len(text) or text[j] in _LIST_RIGHT or text[j] in _SENT_END:
        return True
    word = re.match(r"[A-Za-z]+", text[j : j + 12])
    return word is not None and word.group(0).lower() in ("and", "or")


def _publisher(kb: Knowledge, mentions: list[Mention]) -> str | None:
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


# ---------------------------------------------------------------- themes and roles


def _has(s: str, cues: list[str]) -> bool:
    return any(c in s for c in cues)


def _strip(s: str, words: list[str]) -> str:
    """Blank out words that contain a cue without meaning it, keeping offsets."""
    for w in words:
        s = s.replace(w, " " * len(w))
    return s


def _link(
    text: str, folded: str, kb: Knowledge, mentions: list[Mention], keywords: Keywords, lay: Layout
) -> list[Link]:
    ctx = _Ctx(text, folded, kb, mentions, keywords, lay)
    raw: list[Link] = []
    for idx in range(len(mentions)):
        raw.extend(ctx.links_of(idx))
    raw.extend(ctx.anaphora_links())
    return _merge(raw, kb)


def _themes_in(keywords: Keywords, start: int, end: int) -> list[str]:
    """Themes named in [start, end); context words (数据中心, data center) count only when
    no segment word is there: every segment's equipment goes into data centres."""
    inside = _strong(keywords.between(start, end))
    return list(dict.fromkeys(k.payload[1] for k in inside))


def _strong(ks: list[Hit]) -> list[Hit]:
    strong = [k for k in ks if not k.payload[3]]
    return strong or ks


_LABEL_END = re.compile(r"[：:]|\s*(?:——|—|－{1,2}|--)\s*")  # "交换机：A" or "交换机 —— A"
_COORDINATED = re.compile(r"\s*(?:及|和|与|以及|、|/|&|and)?\s*", re.I)
_STOP = set("、,，;；。！？!?\n")


class _Ctx:
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
        # runs: mentions separated only by joiners ("A、B及C", "A, B and C", "A(B)、C")
        self.run: list[int] = []
        for i, m in enumerate(mentions):
            if i and _only_joiners(text[mentions[i - 1].end : m.start], parens=True):  # noqa: SIM114
                self.run.append(self.run[-1])
            else:
                self.run.append(i)
        self._headings: dict[int, str] = {}
        self._elsewhere: set[str] | None = None
        self.mention_starts = [m.start for m in mentions]
        self._table_top: dict[int, int] = {}
        self._pick_heading: bool | None = None
        self.stated = False  # set by line_label_theme: segments joined by 及/和 are all stated
        self.run_last: dict[int, int] = {}
        for i, r in enumerate(self.run):
            self.run_last[r] = i

    def heading(self, sec: int) -> str:
        """The folded text of section heading line ``sec`` ("" for none), folded once."""
        if sec < 0:
            return ""
        if sec not in self._headings:
            self._headings[sec] = fold(self.lay.lines[sec])
        return self._headings[sec]

    # ---------------------------------------------------------------- per mention

    def links_of(self, idx: int) -> list[Link]:
        mnt = self.mentions[idx]
        cid = mnt.company_id
        cat = self.kb.category(cid)
        ss, se = _span(self.lay.sent_starts, mnt.start, self.n)
        cs, ce = _span(self.lay.clause_starts, mnt.start, self.n)
        if cat in ANALYST_CATEGORIES:
            return [_mk(mnt, None, "analyst", "sentence", self.text, ss, se)]
        line_no = bisect.bisect_right(self.lay.line_starts, mnt.start) - 1
        sec = self.lay.section_of_line[line_no]
        heading = self.heading(sec)
        prior = self.kb.priors.get(cid, set())
        curated = self.kb.curated_themes.get(cid, set())
        self.stated = False
        found = self.theme_of(idx, line_no, sec, cs, ce, ss, se)
        themes, ev = found if found else ([], "sentence")
        if not self.stated:
            themes = _prefer(themes, prior, mnt.start, self.keywords)
        if mnt.via == "ticker" and ev == "sentence":
            ev = "ticker"
        clause = _strip(self.folded[cs:ce], self.role_cues["not_spender"])
        sentence = _strip(self.folded[ss:se], self.role_cues["not_spender"])
        if (
            sec >= 0
            and _has(heading, self.struct["demand_heading"])
            and not self.names_a_company(sec)
        ):
            role = "customer"
        elif cat in DEMAND_CATEGORIES or (
            cat == "telecom" and _has(sentence, self.role_cues["spender"])
        ):
            role = self._buyer_role(clause, sentence)
            # a buyer's themes come from what its own clause or sentence says it buys
            themes = _themes_in(self.keywords, cs, ce) or _themes_in(self.keywords, ss, se)
            themes = themes if role in ("spender", "customer") else []
            ev = "sentence"
        elif self.own_capex(idx, cs, ce):
            return [_mk(mnt, None, "spender", "sentence", self.text, ss, se)]
        elif (
            ev in ("table", "list", "paren")
            or (sec >= 0 and _has(heading, self.struct["supply_heading"]))
            or themes
            and _has(sentence, self.role_cues["supplier"])
        ):
            role = "supplier"
        else:
            role = "other"
        if (
            role == "other"
            and not self.in_customer_list(idx, ss)
            and self.sells_to_a_buyer(idx, cs, ce)
        ):
            # "阿里巴巴是万国数据的主要客户": the company the buyer is a customer of supplies it
            themes = themes or self.context_theme(idx, line_no, sec) or self.known_theme(cid)
            ev, role = ("context", "supplier") if themes else (ev, role)
        if (role == "other" or not themes) and self.recommended(idx, line_no, sec, sentence):
            # a sentence that names only a context word (数据中心) yields to a nearer label
            weak = not [k for k in self.keywords.between(ss, se) if not k.payload[3]]
            if not themes or weak:
                label = self.context_theme(idx, line_no, sec)
                if label:
                    themes, ev = label, "context"
            if not themes and self.labelled_list(idx, line_no):
                # "- **云计算配套**：奥飞数据、高澜股份": a segment label that is no theme of ours
                themes, ev = self.known_theme(cid), "prior"
            role = "supplier"
        if role == "supplier":
            if self.in_customer_list(idx, ss) or self.customer_column(line_no, mnt.start):
                return [_mk(mnt, None, "customer", "list", self.text, ss, se)]
            if self.off_topic(idx, line_no, cs, ss):
                role = "other"
            # a company is not a supplier of a theme its curated profile excludes
            # (Intel named beside liquid cooling is a partner, not a cooling supplier); a
            # generic theme (算力) names no segment to exclude
            themes = [
                t for t in themes if not curated or t in curated or t in self.kb.generic_themes
            ]
        if role == "supplier" and themes and all(t in self.kb.generic_themes for t in themes):
            # "国产算力厂商: 沐曦": a generic label (算力) says no segment; the company's one
            # known segment does
            themes = self.known_theme(cid) or themes
        if role == "supplier" and not themes:
            role = "other"
        if not themes:
            return [_mk(mnt, None, role, ev, self.text, ss, se)] if role != "other" else []
        return [_mk(mnt, t, role, ev, self.text, ss, se) for t in themes]

    # ---------------------------------------------------------------- context rules

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
        return _themes_in(self.keywords, *self.line_span(line_no))

    def is_subject(self, idx: int, line_no: int) -> bool:
        """The company is what its line is about: it opens the line (after bullet marks, a
        number, emphasis or a short label), or it stands in a list of names."""
        m = self.mentions[idx]
        run = self.run[idx]
        if self.run_last[run] > run or _left_bounded(self.text, m.start):
            return True
        if _has(self.folded[max(0, m.start - 6) : m.start], self.role_cues["supplier"]):
            return True  # "相关标的奥特维"
        ls = self.lay.line_starts[line_no]
        lead = self.text[ls : m.start]
        if any(self.mentions[j].start >= ls for j in range(max(0, idx - 1), idx) if j != idx):
            return False
        return len(lead.strip(" \t-*•·#>✅✔️【[（(0123456789.、）)")) <= 12 and not any(
            p in lead for p in "。！？!?，,"
        )

    def recommended(self, idx: int, line_no: int, sec: int, sentence: str) -> bool:
        """A name the document recommends: a cue stands in its sentence or in a heading over
        it, it is what its line is about, and the document puts it in no other story."""
        cat = self.kb.category(self.mentions[idx].company_id)
        if cat in DEMAND_CATEGORIES or cat == "telecom":
            return False
        if self.mentions[idx].company_id in self.off_topic_companies():
            return False  # the document puts it in another story (its satellite picks ...)
        heads = self.chain(sec)
        if any(_has(self.heading(h), self.role_cues["off_topic"]) for h in heads[:-1]):
            return False
        cued = (
            _has(sentence, self.role_cues["supplier"])
            or any(_has(self.heading(h), self.struct["pick_heading"]) for h in heads)
            or (self.subject_list(idx) and self.has_pick_heading())
        )
        first = self.mentions[self.run[idx]]
        ss = _span(self.lay.sent_starts, first.start, self.n)[0]
        if _has(self.folded[ss : first.start], self.role_cues["ranking"]):
            return False
        return cued and self.is_subject(idx, line_no)

    def subject_list(self, idx: int) -> bool:
        """The name is in a list that the words after it call the document's subjects
        ("A、B、C 这三家公司")."""
        run = self.run[idx]
        last = self.mentions[self.run_last[run]]
        if self.run_last[run] > run and _has(
            self.folded[last.end : last.end + 12], self.role_cues["subject_list"]
        ):
            return True
        # "当中有五家企业…：" then one bullet a company: the label over the bullets says so
        line_no = bisect.bisect_right(self.lay.line_starts, self.mentions[idx].start) - 1
        j = self.bullets_label(line_no)
        return j >= 0 and _has(fold(self.lay.lines[j]), self.role_cues["subject_list"])

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
                _has(self.heading(i), self.struct["pick_heading"])
                for i, h in enumerate(lay.heading_line)
                if h
            )
        return self._pick_heading

    def context_theme(self, idx: int, line_no: int, sec: int) -> list[str] | None:
        """The theme of the nearest label of a recommended name whose clause names none: the
        paragraph before it, the lines that continue its list item, the body of its own
        company heading, the headings over it, the document's title."""
        m, lay = self.mentions[idx], self.lay
        prior = self.kb.priors.get(m.company_id, set())
        para = lay.line_starts[lay.para_start_line[line_no]]
        before = _strong([k for k in self.keywords.between(para, m.start) if k.end <= m.start])
        if before:
            return [before[-1].payload[1]]
        label = self.bullets_label(line_no)
        if label >= 0 and (over := _strong(self.keywords.between(*self.line_span(label)))):
            return [over[-1].payload[1]]
        body_end = None
        if lay.bullet_line[line_no]:  # an item's text may continue on the lines below it
            last = self.item_end_line(line_no)
            body_end = lay.line_starts[last + 1] if last + 1 < len(lay.lines) else self.n
        elif lay.heading_line[line_no]:  # a heading per company: its body says what it does
            body_end = next(
                (
                    lay.line_starts[i]
                    for i in range(line_no + 1, len(lay.lines))
                    if lay.heading_line[i]
                ),
                self.n,
            )
        body = self.keywords.between(m.end, body_end) if body_end is not None else []
        if any(not k.payload[3] for k in body):  # a segment word in its own text decides
            return [str(_head_of_first_cluster(body, self.text))]
        for h in self.chain(sec):
            themes = self.line_themes(h)
            if themes:
                return _prefer(themes, prior, m.start, self.keywords)[:1]
        return [str(body[0].payload[1])] if body else None

    def item_end_line(self, line_no: int) -> int:
        """The last line of the list item opening at ``line_no``: the lines right below that
        carry on its text, and its sub-items (indented deeper, blank lines between allowed)."""
        lay = self.lay
        depth = _indent(lay.lines[line_no])
        last, j = line_no, line_no + 1
        while j < len(lay.lines):
            ln = lay.lines[j]
            if not ln.strip():
                j += 1
                continue
            if _indent(ln) > depth and not lay.heading_line[j]:
                last = j  # a sub-item or an indented continuation
            elif last == j - 1 and not (
                lay.bullet_line[j] or lay.heading_line[j] or lay.table_line[j]
            ):
                last = j  # the item's text wrapped onto the next line
            else:
                break
            j += 1
        return last

    def line_label_theme(self, line_no: int, pos: int) -> list[str] | None:
        """Themes of a short label ending in a colon at the start of the line, before ``pos``,
        when the label names a segment and no company."""
        ls = self.lay.line_starts[line_no]
        head = self.text[ls:pos]
        found = [m.start() for m in (_LABEL_END.search(head),) if m]
        if not found or min(found) > 24:
            return None
        colon = min(found)
        first = bisect.bisect_left(self.mention_starts, ls)
        if first < len(self.mentions) and self.mentions[first].start < ls + colon:
            return None  # the label is a company's name
        ks = [k for k in self.keywords.between(ls, ls + colon) if not k.payload[3]]
        # "交换机及服务器代工 —— A": segments joined by 及/和/、 are all the label's
        joined = all(
            _COORDINATED.fullmatch(self.text[a.end : b.start]) for a, b in itertools.pairwise(ks)
        )
        themes = list(dict.fromkeys(k.payload[1] for k in ks))
        self.stated = joined and len(themes) > 1  # every theme is stated: none to prefer
        return (themes if joined else themes[-1:]) or None

    def sells_to_a_buyer(self, idx: int, cs: int, ce: int) -> bool:
        """A buyer (hyperscaler, platform) named in the same clause as this company, with a
        customer word between or after them."""
        m = self.mentions[idx]
        if self.kb.category(m.company_id) in DEMAND_CATEGORIES | ANALYST_CATEGORIES:
            return False
        lo = bisect.bisect_left(self.mention_starts, cs)
        hi = bisect.bisect_left(self.mention_starts, ce)
        buyers = [
            o for o in self.mentions[lo:hi] if self.kb.category(o.company_id) in DEMAND_CATEGORIES
        ]
        return bool(buyers) and _has(self.folded[cs:ce], self.role_cues["customer"])

    def labelled_list(self, idx: int, line_no: int) -> bool:
        """The name stands in a list of names after a short label that opens its line."""
        ls = self.lay.line_starts[line_no]
        head = self.folded[ls : self.mentions[self.run[idx]].start].rstrip(" *")
        return (
            head.endswith((":", "："))
            and len(head.strip(" -*•·#")) <= 16
            and self.run_last[self.run[idx]] > self.run[idx]
            and not _has(head, self.role_cues["off_topic"])
        )

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

    def own_capex(self, idx: int, cs: int, ce: int) -> bool:
        """ "台积电上调资本开支指引": the company is the subject of a capex clause (it spends)."""
        m = self.mentions[idx]
        if not _has(self.folded[m.end : ce], self.role_cues["spender_strong"]):
            return False
        return not any(m.end <= o.start < ce for o in self.mentions[idx + 1 : idx + 4])

    def paren_owner(self, idx: int, cs: int) -> str | None:
        """The label or company a parenthesis holding this mention belongs to, when that label
        names no theme: "运营商(中国移动、中国电信)" -> "运营商"; "通富微电（AMD/英特尔）" -> the
        company (its customers or partners). None when the mention is not in parentheses."""
        text, m = self.text, self.mentions[idx]
        open_pos = max(text.rfind("(", cs, m.start), text.rfind("（", cs, m.start))
        if open_pos < 0 or any(c in text[open_pos : m.start] for c in ")）"):
            return None
        owner = [o for o in self.mentions[max(0, idx - 8) : idx] if o.end == open_pos]
        if owner:  # "通富微电（AMD/英特尔）"; but "中兴通讯(0763.HK)" is the company's own code
            return None if owner[-1].company_id == m.company_id else "company"
        label = text[max(cs, open_pos - 8) : open_pos]
        for sep in "、,，;；:：)）":
            label = label.rsplit(sep, 1)[-1]
        label = label.strip()
        return label if label and not label.isdigit() else None

    def column_header(self, line_no: int, pos: int) -> str:
        """The folded header cell of the table column holding ``pos`` ("" outside a table or
        on the header row itself)."""
        lay = self.lay
        if not lay.table_line[line_no]:
            return ""
        top = self._table_top.get(line_no)
        if top is None:  # walk up once per table, remembering the answer for every row
            top = line_no
            while top > 0 and (lay.table_line[top - 1] or _TABLE_RULE.match(lay.lines[top - 1])):
                top -= 1
            for i in range(top, line_no + 1):
                self._table_top[i] = top
        if top == line_no:
            return ""
        ls = lay.line_starts[line_no]
        col = len(re.findall(r"\t|\|", self.text[ls:pos]))
        cells = re.split(r"\t|\|", fold(lay.lines[top]))
        return cells[col] if col < len(cells) else ""

    def customer_column(self, line_no: int, pos: int) -> bool:
        """A table cell under a column whose header names customers (客户, customers)."""
        return _has(self.column_header(line_no, pos), self.role_cues["customer"])

    def in_customer_list(self, idx: int, ss: int) -> bool:
        """ "客户包括 A、B": the list's header says these are customers."""
        first = self.mentions[self.run[idx]]
        header = self.folded[max(ss, first.start - 16) : first.start]
        return _has(header, self.role_cues["customer_list"])

    def off_topic_companies(self) -> set[str]:
        """Companies this document names in a clause or list about another story."""
        if self._elsewhere is None:
            self._elsewhere = set()
            lay = self.lay
            for i, m in enumerate(self.mentions):
                line_no = bisect.bisect_right(lay.line_starts, m.start) - 1
                ss = _span(lay.sent_starts, m.start, self.n)[0]
                cs = _span(lay.clause_starts, m.start, self.n)[0]
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
            return _has(self.folded[ls : ls + len(self.lay.lines[line_no])], words)
        ce = _span(self.lay.clause_starts, self.mentions[idx].start, self.n)[1]
        return _has(self.folded[min(cs, first.start) : ce], words) or _has(
            self.folded[ss : first.start], words
        )

    def _buyer_role(self, clause: str, sentence: str) -> str:
        rc = self.role_cues
        checks = (
            (clause, "spender", "spender"),
            (clause, "customer", "customer"),
            (clause, "supplier_of_buyer", "customer"),  # a buyer speaking of its suppliers
            (sentence, "spender_strong", "spender"),
            (sentence, "peer", "peer"),
            (sentence, "customer", "customer"),
        )
        for text, key, role in checks:
            if _has(text, rc[key]):
                return role
        return "other"

    def theme_of(
        self, idx: int, line_no: int, sec: int, cs: int, ce: int, ss: int, se: int
    ) -> tuple[list[str], str] | None:
        mnt, lay, text = self.mentions[idx], self.lay, self.text
        heading_themes = (
            _themes_in(
                self.keywords, lay.line_starts[sec], lay.line_starts[sec] + len(lay.lines[sec])
            )
            if sec >= 0
            else []
        )
        ls, le = _span(lay.line_starts, mnt.start, self.n)
        # 1. table row: keywords in the row's other cells, else the section heading's themes
        if lay.table_line[line_no]:
            own = _cell_span(text[ls:le], mnt.start - ls)
            # a cell under 应用场景/下游/用途 says where the product goes, not what it is
            row = [
                k.payload[1]
                for k in self.keywords.between(ls, le)
                if not (own[0] <= k.start - ls < own[1])
                and not _has(self.column_header(line_no, k.start), self.struct["usage_column"])
            ]
            themes = list(dict.fromkeys(row)) or heading_themes
            if themes:
                return themes, "table"
        first, last = self.mentions[self.run[idx]], self.mentions[self.run_last[self.run[idx]]]
        # 2. a list after a colon or "such as": its header names the theme
        marker = _list_run_start(text, self.mentions, idx, ss)
        if marker is not None:
            hs, _ = _span(lay.clause_starts, marker, self.n)
            header = _strong([k for k in self.keywords.between(hs, marker) if k.end <= marker])
            item = self.item_theme(first, last, cs, ce)
            if header:
                return [header[-1].payload[1]], "list"
            if item:
                return [item.payload[1]], "list"
            before = _strong([k for k in self.keywords.between(ss, marker) if k.end <= marker])
            if before:
                return [before[-1].payload[1]], "list"
        # 2b. the label that opens the line: "- **国产芯片受益**：…", "交换机：…建议关注紫光股份"
        label = self.line_label_theme(line_no, mnt.start)
        if label:
            return label, "list"
        if (lay.bullet_line[line_no] or _line_is_list(text[ls:le])) and heading_themes:
            item = self.item_theme(first, last, ls, le)
            return ([item.payload[1]] if item else heading_themes), "list"
        # 3. parentheses: "服务器(中兴、烽火)" or "中恒电气(HVDC)"
        p = _paren_theme(text, mnt, self.keywords, cs)
        if p:
            return p, "paren"
        if self.paren_owner(idx, cs) is not None:
            return None  # "运营商(中国移动)", "通富微电（AMD/英特尔）": the label decides, not the sentence
        # 4. the keyword of the company's own list item, else any in the clause or sentence;
        # a context word (数据中心) decides only if the sentence names no segment
        sentence_segments = [k for k in self.keywords.between(ss, se) if not k.payload[3]]
        item = self.item_theme(first, last, cs, ce)
        clause = _strong(self.keywords.between(cs, ce))
        if item and not (item.payload[3] and sentence_segments):
            return [item.payload[1]], "sentence"
        if clause and not (clause[0].payload[3] and sentence_segments):
            return list(dict.fromkeys(k.payload[1] for k in clause)), "sentence"
        # "交换网络方向推荐A、B,并关注C;光器件方向推荐D": a clause naming no theme continues
        # the segment named last before it in the sentence
        before = [k for k in sentence_segments if k.end <= mnt.start]
        if before and any(k.start > mnt.end for k in sentence_segments):
            return [before[-1].payload[1]], "sentence"
        themes = _themes_in(self.keywords, ss, se)
        return (themes, "sentence") if themes else None

    def item_theme(self, first: Mention, last: Mention, lo: int, hi: int) -> Hit | None:
        """The keyword that belongs to this run of names: the nearest one before it or after it
        with no list separator or other company in between ("光模組廠中際旭創與新易盛",
        "Sugon and Lenovo in servers"). Of adjacent keywords the last is the head
        ("数据中心UPS" -> UPS)."""
        text = self.text
        before = _strong(
            [
                k
                for k in self.keywords.between(lo, first.start)
                if k.end <= first.start
                and not _STOP & set(text[k.end : first.start])
                and not any(k.end <= m.start < first.start for m in self.mentions)
            ]
        )
        after_all = _strong(
            [
                k
                for k in self.keywords.between(last.end, hi)
                if not _STOP & set(text[last.end : k.start])
                and not any(last.end <= m.start < k.start for m in self.mentions)
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

    # ---------------------------------------------------------------- anaphora

    def anaphora_links(self) -> list[Link]:
        """ "Both companies are suppliers of 800G modules": a sentence that opens with an
        anaphor, names a theme and a supplier cue links the previous sentence's companies."""
        out: list[Link] = []
        starts = self.lay.sent_starts
        anaphora = self.struct["anaphora"]
        rx = re.compile("|".join(re.escape(a) for a in anaphora))
        candidates = sorted(
            {bisect.bisect_right(starts, m.start()) - 1 for m in rx.finditer(self.folded)}
        )
        for si in candidates:
            if si < 1:
                continue
            ss = starts[si]
            se = starts[si + 1] if si + 1 < len(starts) else self.n
            head = self.folded[ss : ss + 24].lstrip()
            if not any(head.startswith(a) for a in anaphora):
                continue
            sentence = self.folded[ss:se]
            themes = _themes_in(self.keywords, ss, se)
            if not themes or not _has(sentence, self.role_cues["supplier"]):
                continue
            pi = si - 1
            while pi > 0 and not self.text[starts[pi] : starts[pi + 1]].strip():
                pi -= 1
            prev = [m for m in self.mentions if starts[pi] <= m.start < starts[pi + 1]]
            for m in prev:
                cat = self.kb.category(m.company_id)
                if cat in ANALYST_CATEGORIES or cat in DEMAND_CATEGORIES:
                    continue
                prior = self.kb.priors.get(m.company_id, set())
                curated = self.kb.curated_themes.get(m.company_id, set())
                for t in _prefer(themes, prior, ss, self.keywords):
                    if curated and t not in curated:
                        continue
                    snippet = _snippet(self.text, ss, se, ss, min(se, ss + 20))
                    out.append(
                        Link(
                            m.company_id,
                            t,
                            "supplier",
                            "sentence",
                            m.start,
                            m.end,
                            snippet,
                            EVIDENCE["sentence"],
                        )
                    )
        return out


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" \t\u3000"))


def _head_of_first_cluster(hits: list[Hit], text: str) -> str | None:
    """The theme of the first run of adjacent keywords, read by its head (the last segment
    word): "液冷服务器" -> servers, "液冷电源模块" -> power; a context word (智算中心, 机柜)
    is no head ("液冷机柜" -> liquid cooling)."""
    if not hits:
        return None
    cluster = [hits[0]]
    for k in hits[1:]:
        if k.start - cluster[-1].end > 1 or _STOP & set(text[cluster[-1].end : k.start]):
            break
        cluster.append(k)
    return str(_strong(cluster)[-1].payload[1])


def _cell_span(line: str, pos: int) -> tuple[int, int]:
    start = max(line.rfind("\t", 0, pos), line.rfind("|", 0, pos)) + 1
    ends = [e for e in (line.find("\t", pos), line.find("|", pos)) if e >= 0]
    return start, (min(ends) if ends else len(line))


_TABLE_RULE = re.compile(r"^\s*\|?[\s:|-]*-[\s:|-]*$")  # a Markdown table's |---|---| line
_CODE_IN_GAP = re.compile(r"(?<![A-Za-z])(?:SZ|SH|BJ)?\d{4,6}(?:\.[A-Z]{2})?(?![A-Za-z\d])")
_JOIN = set("、,，;；/ \u3000\t和与及或&")


def _only_joiners(gap: str, parens: bool = False) -> bool:
    g = gap.strip()
    if parens:  # a code printed with the name, read or not ("奥飞数据SH603881、")
        g = _CODE_IN_GAP.sub("", g)
    for w in ("以及", "and", "or", "&"):
        g = g.replace(w, "")
    # parenthesised codes and cashtag marks ("$A(SZ300442)$$B(SZ300738)$") sit between items
    allowed = _JOIN | set("()（）$") if parens else _JOIN
    return all(ch in allowed for ch in g)


def _list_run_start(text: str, mentions: list[Mention], idx: int, sent_start: int) -> int | None:
    """Position of the colon or "such as" that opens the list of names holding mention idx."""
    i = idx
    while i > 0:
        prev = mentions[i - 1]
        if prev.end <= sent_start or not _list_gap(text[prev.end : mentions[i].start]):
            break
        i -= 1
    head = text[max(sent_start, mentions[i].start - 12) : mentions[i].start].rstrip(" \u3000")
    if head.endswith((":", "：")):
        return (
            mentions[i].start
            - (len(text[: mentions[i].start]) - len(text[: mentions[i].start].rstrip(" \u3000")))
            - 1
        )
    low = head.lower()
    for mk in _LIST_MARKERS:
        if low.endswith(mk):
            return mentions[i].start - len(mk) - (len(head) - len(head.rstrip()))
    return None


_ITEM_SEP = re.compile(r"[、,，/]")


def _list_gap(gap: str) -> bool:
    """The text between two names of one list: joiners only, or joiners around names the
    universe does not know (玉柴国际、an unlisted peer) - short items, no sentence punctuation."""
    if _only_joiners(gap, parens=True):
        return True
    parts = _ITEM_SEP.split(gap)
    return (
        len(parts) >= 3
        and not parts[0].strip()
        and not parts[-1].strip()
        and all(
            0 < len(p.strip()) <= 8 and not set(p) & set("。；;：:！？!?\n") for p in parts[1:-1]
        )
    )


def _line_is_list(line: str) -> bool:
    s = line.strip()
    return (
        bool(s)
        and len(s) <= 80
        and not any(p in s for p in "。！？!?")
        and ("、" in s or "," in s or "，" in s)
    )


def _paren_theme(
    text: str, mnt: Mention, keywords: Keywords, clause_start: int
) -> list[str] | None:
    open_pos = max(
        text.rfind("(", clause_start, mnt.start), text.rfind("（", clause_start, mnt.start)
    )
    if open_pos >= 0 and not any(c in text[open_pos : mnt.start] for c in ")）"):
        before = [
            k
            for k in keywords.between(clause_start, open_pos)
            if open_pos - 10 <= k.end <= open_pos
        ]
        if before:
            return [before[-1].payload[1]]
    j = mnt.end
    while j < len(text) and text[j] in " \u3000":
        j += 1
    if j < len(text) and text[j] in "(（":
        close = min([x for x in (text.find(")", j), text.find("）", j)) if x >= 0] or [j])
        inside = [k.payload[1] for k in keywords.between(j + 1, close)]
        if inside:
            return list(dict.fromkeys(inside))
    return None


def _prefer(themes: list[str], prior: set[str], pos: int, keywords: Keywords) -> list[str]:
    """Several themes in one context: keep those the company is known for; else the nearest."""
    if len(themes) <= 1:
        return themes
    known = [t for t in themes if t in prior]
    if known:
        return known
    near = min((k for k in keywords if k.payload[1] in themes), key=lambda k: abs(k.start - pos))
    return [near.payload[1]]


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


def _snippet(text: str, ss: int, se: int, start: int, end: int) -> str:
    return evidence_span(text, ss, se, start, end)


def _mk(m: Mention, theme: str | None, role: str, ev: str, text: str, ss: int, se: int) -> Link:
    return Link(
        m.company_id,
        theme,
        role,
        ev,
        m.start,
        m.end,
        _snippet(text, ss, se, m.start, m.end),
        EVIDENCE[ev],
    )


def _merge(raw: list[Link], kb: Knowledge) -> list[Link]:
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
