"""A text's structure, found once per document: sentence and clause starts, lines, and which
lines are table rows, bullets and headings (with each line's section heading, each heading's
parent, the title line and each line's paragraph)."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate
from typing import Any

from screener.text import numpy_for

BULLET = re.compile(r"^\s*(?:[-*•·▪►]|\d{1,2}[.)、．]|[（(]\d{1,2}[)）])\s*")

_ITEM_MARK = re.compile(r"^\s*[-*•·▪►]")

_CODE_ITEM = re.compile(r"[（(][A-Za-z]{0,2}\d{4,6}(?:\.[A-Za-z]{2})?[)）]")

_HEADING_MARK = re.compile(r"^\s*(?:#{1,6}\s|[◆■●▌【]|[一二三四五六七八九十]+[、.．])")

CELL_SEP = re.compile(r"\t|\|")  # between a table row's cells
TABLE_RULE = re.compile(r"^\s*\|?[\s:|-]*-[\s:|-]*$")  # a Markdown table's |---|---| line


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


# a "." can end a sentence only before a space, quote or the end and after no digit
# (_english_full_stop's first tests, done by the regex so that decimals cost nothing)
_DOT_RX = re.compile(r"\.(?<!\d\.)(?=[ \n\t\"'”’]|\Z)")


def layout(text: str) -> Layout:
    dots = [m.end() for m in _DOT_RX.finditer(text) if _english_full_stop(text, m.start())]
    sent, clause, starts = _breaks(text, dots)
    lines = text.split("\n")
    table = [_is_table_row(ln) for ln in lines]
    bullet = [bool(BULLET.match(ln)) and not t for ln, t in zip(lines, table, strict=True)]
    # a "- item" is a heading only when it labels what follows ("- 光模块："); a numbered
    # short line is one ("2. 新能源汽车") unless it is a name with its code ("1. 寒武纪(688256)")
    heading = [
        _is_heading(ln)
        and not t
        and not TABLE_RULE.match(ln)
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


# what ends a sentence, and what else ends a clause
SENTENCE_END = "。！？!?\n"
CLAUSE_END = "，,；;：:"
_SENTENCE_END = re.compile(f"[{re.escape(SENTENCE_END)}]")
_CLAUSE_END = re.compile(f"[{re.escape(SENTENCE_END + CLAUSE_END)}]")


@lru_cache(maxsize=1)
def _break_kind() -> Any:
    """Code point (BMP) -> 1 ends a sentence, 2 a clause, 0 neither."""
    import numpy as np

    kind = np.zeros(0x10000, dtype=np.uint8)  # U+FFFF is a noncharacter: stays 0
    kind[[ord(c) for c in SENTENCE_END]] = 1
    kind[[ord(c) for c in CLAUSE_END]] = 2
    return kind


def _breaks(text: str, dots: list[int]) -> tuple[list[int], list[int], list[int]]:
    """Sentence starts, clause starts and line starts (offsets after each break character;
    ``dots``: the full stops among the "."), in one numpy pass over the code points, or by
    regular expressions in a process that reads too little to import numpy (screener/text.py)."""
    if numpy_for(text):
        import numpy as np

        codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        k = _break_kind()[np.minimum(codes, 0xFFFF)]
        sent = [0, *(np.flatnonzero(k == 1) + 1).tolist()]
        clause = [0, *(np.flatnonzero(k != 0) + 1).tolist()]
        lines = [0, *(np.flatnonzero(codes == 10) + 1).tolist()]
    else:
        sent = [0, *(m.end() for m in _SENTENCE_END.finditer(text))]
        clause = [0, *(m.end() for m in _CLAUSE_END.finditer(text))]
        lines = [0, *accumulate(len(ln) + 1 for ln in text.split("\n")[:-1])]
    if dots:
        sent = sorted(sent + dots)
        clause = sorted(clause + dots)
    return sent, clause, lines


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
    cells = [c for c in CELL_SEP.split(s) if c.strip()]
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


def span(starts: list[int], pos: int, text_len: int) -> tuple[int, int]:
    i = bisect.bisect_right(starts, pos) - 1
    end = starts[i + 1] if i + 1 < len(starts) else text_len
    return starts[i], end


def indent(line: str) -> int:
    return len(line) - len(line.lstrip(" \t\u3000"))


def cell_span(line: str, pos: int) -> tuple[int, int]:
    start = max(line.rfind("\t", 0, pos), line.rfind("|", 0, pos)) + 1
    ends = [e for e in (line.find("\t", pos), line.find("|", pos)) if e >= 0]
    return start, (min(ends) if ends else len(line))
