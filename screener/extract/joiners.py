"""What stands between the names of one list: joiners (、, 和, and), codes printed with a
name, cashtag marks; where a list opens (a colon, 如, such as) and whether a name stands
bounded as a list item."""

from __future__ import annotations

import re
from dataclasses import dataclass

from screener.extract.model import Mention

_SENT_END = "。！？!?\n"
_LIST_LEFT = set("、,，;；:：(（/|\t[【 $*") | {"如", "和", "与", "及", "括"}
_LIST_RIGHT = set("、,，;；)）/|\t]】。.：: \n$*") | {"等", "和", "与", "及"}
_EN_LIST_WORDS = {"and", "or", "as", "like", "including", "alongside", "with", "between", "vs"}
_CODE_IN_GAP = re.compile(r"(?<![A-Za-z])(?:SZ|SH|BJ)?\d{4,6}(?:\.[A-Z]{2})?(?![A-Za-z\d])")
_ITEM_SEP = re.compile(r"[、,，/]")


@dataclass(frozen=True)
class ListWords:
    """The words that join list items and open a list (cues.toml [structure])."""

    chars: frozenset[str]  # one-character joiners (、 , 和)
    words: tuple[str, ...]  # longer joiners, longest first (以及, and)
    markers: tuple[str, ...]  # what opens a list (如, such as)

    @classmethod
    def from_cues(cls, structure: dict[str, list[str]]) -> ListWords:
        joiners = structure["list_joiners"]
        return cls(
            frozenset(j for j in joiners if len(j) == 1),
            tuple(sorted((j for j in joiners if len(j) > 1), key=len, reverse=True)),
            tuple(structure["list_markers"]),
        )


def only_joiners(gap: str, words: ListWords, parens: bool = False) -> bool:
    g = gap.strip()
    if parens:  # a code printed with the name, read or not ("奥飞数据SH603881、")
        g = _CODE_IN_GAP.sub("", g)
    for w in words.words:
        g = g.replace(w, "")
    # parenthesised codes and cashtag marks ("$A(SZ300442)$$B(SZ300738)$") sit between items
    allowed = words.chars | set("()（）$") if parens else words.chars
    return all(ch in allowed for ch in g)


def list_run_start(
    text: str, mentions: list[Mention], idx: int, sent_start: int, words: ListWords
) -> int | None:
    """Position of the colon or "such as" that opens the list of names holding mention idx."""
    i = idx
    while i > 0:
        prev = mentions[i - 1]
        if prev.end <= sent_start or not list_gap(text[prev.end : mentions[i].start], words):
            break
        i -= 1
    head = text[max(sent_start, mentions[i].start - 12) : mentions[i].start].rstrip(" \u3000")
    if head.endswith((":", "：")):
        k = mentions[i].start  # the colon stands before the spaces that precede the name
        while k > 0 and text[k - 1] in " \u3000":
            k -= 1
        return k - 1
    low = head.lower()
    for mk in words.markers:
        if low.endswith(mk):
            return mentions[i].start - len(mk) - (len(head) - len(head.rstrip()))
    return None


def list_gap(gap: str, words: ListWords) -> bool:
    """The text between two names of one list: joiners only, or joiners around names the
    universe does not know (玉柴国际、an unlisted peer) - short items, no sentence punctuation."""
    if only_joiners(gap, words, parens=True):
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


def line_is_list(line: str) -> bool:
    s = line.strip()
    return (
        bool(s)
        and len(s) <= 80
        and not any(p in s for p in "。！？!?")
        and ("、" in s or "," in s or "，" in s)
    )


def left_bounded(text: str, start: int) -> bool:
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


def right_bounded(text: str, end: int) -> bool:
    j = end
    while j < len(text) and text[j] in " \u3000":
        j += 1
    if j >= len(text) or text[j] in _LIST_RIGHT or text[j] in _SENT_END:
        return True
    word = re.match(r"[A-Za-z]+", text[j : j + 12])
    return word is not None and word.group(0).lower() in ("and", "or")
