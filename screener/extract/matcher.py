"""One Aho-Corasick automaton over every alias and theme keyword, on the folded form, built
once per knowledge base."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from screener.extract.model import Hit, KeywordEntry, KeywordHit, NameEntry, NameHit
from screener.reference import Knowledge, merge_ambiguity
from screener.text import fold

LATIN_WORD = re.compile(r"[a-z]{2,}")
# words of English legal names that say nothing about which company it is
GENERIC_WORDS = frozenset(
    ["co", "ltd", "limited", "group", "holdings", "holding", "inc", "corp", "corporation"]
    + ["company", "the", "and", "of", "technology", "technologies", "tech", "electronics"]
    + ["electronic", "international", "china", "shares", "stock"]
)


class Matcher:
    """One automaton over every alias and theme keyword, on the folded form."""

    def __init__(self, kb: Knowledge):
        import ahocorasick

        self.kb = kb
        self.auto = ahocorasick.Automaton()
        # the distinctive Latin words of each company's names (a printed code checks against them)
        self.latin_words: dict[str, set[str]] = {}
        for a in kb.aliases:
            words = set(LATIN_WORD.findall(a["alias"].lower())) - GENERIC_WORDS
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
            amb = merge_ambiguity(rows)
            # only Latin aliases need their written form for the case check
            orig = next(
                (x["alias"] for x in rows if x["alias"].isascii() and x["kind"] != "exchange"), None
            )
            orig = orig or next((x["alias"] for x in rows if x["alias"].isascii()), r["alias"])
            self.auto.add_word(
                key,
                NameEntry(
                    (r["company_id"],),
                    r["kind"],
                    amb,
                    key.isascii(),
                    orig,
                    # an everyday word that is only an exchange short name needs another
                    # company beside it
                    amb and all(x["kind"] == "exchange" for x in rows),
                    # a name that is also an everyday word abroad (國產, 三星 on the TWSE)
                    # counts only with its ticker beside it or after an unambiguous mention
                    any(bool(x.get("strict")) for x in rows),
                    len(key),
                ),
            )
        for nick, members in kb.groups.items():  # one name, several companies
            key = fold(nick)
            self.auto.add_word(
                key,
                NameEntry(
                    tuple(members),
                    "nickname",
                    False,
                    key.isascii(),
                    nick,
                    False,
                    False,
                    len(key),
                    nickname=True,
                ),
            )
        for k in kb.keywords:
            key = fold(k["keyword"])
            if self.auto.get(key, None) is None:
                weak = k.get("strength") == "context"
                self.auto.add_word(key, KeywordEntry(k["theme"], key.isascii(), weak, len(key)))
        self.auto.make_automaton()

    def scan(self, folded: str, original: str) -> list[Hit]:
        """Leftmost-longest among the valid matches: a Latin match that fails its word
        boundary or case check must not hide a shorter or later one ("Ethernet switches")."""
        cands: list[tuple[int, int, KeywordEntry | NameEntry]] = []
        for end, entry in self.auto.iter(folded):
            start = end - entry.length + 1
            if entry.latin:
                if not _word_bounded(folded, start, end + 1):
                    continue
                if (
                    isinstance(entry, NameEntry)
                    and not entry.nickname
                    and not _case_ok(original[start : end + 1], entry.written)
                ):
                    continue
            cands.append((start, end + 1, entry))
        cands.sort(key=lambda c: (c[0], -(c[1] - c[0])))
        hits: list[Hit] = []
        taken_to = -1
        for start, end, entry in cands:
            if start >= taken_to:
                if isinstance(entry, KeywordEntry):
                    hits.append(KeywordHit(start, end, entry))
                else:
                    hits.append(NameHit(start, end, entry))
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
