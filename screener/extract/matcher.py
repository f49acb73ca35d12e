"""Every alias and theme keyword, found on the folded form: by an Aho-Corasick automaton over
all of them, built once per process when the texts are long enough to pay for it, else by
looking up each place's candidates in a table of the patterns by their first two characters."""

from __future__ import annotations

import re
from collections.abc import Iterable
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
        self.kb = kb
        # key -> entry; a later entry for the same key replaces the earlier (a group's nickname
        # over an alias of the same spelling)
        self.entries: dict[str, KeywordEntry | NameEntry] = {}
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
            self.entries[key] = NameEntry(
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
            )
        for nick, members in kb.groups.items():  # one name, several companies
            key = fold(nick)
            self.entries[key] = NameEntry(
                tuple(members),
                "nickname",
                False,
                key.isascii(),
                nick,
                False,
                False,
                len(key),
                nickname=True,
            )
        for k in kb.keywords:
            key = fold(k["keyword"])
            if key not in self.entries:
                weak = k.get("strength") == "context"
                self.entries[key] = KeywordEntry(k["theme"], key.isascii(), weak, len(key))
        self.patterns = list(self.entries)
        self._values = [self.entries[k] for k in self.patterns]
        self.lengths = _lengths_by_prefix(self.patterns)
        self._auto: Any = None
        self._lookup_left = LOOKUP_CHARS

    def automaton(self) -> Any:
        """The automaton over every pattern, built on first use (~0.3 s; it cannot be kept in
        the cache: ahocorasick_rs's automata do not pickle)."""
        if self._auto is None:
            self._auto = automaton(self.patterns)
        return self._auto

    def _matches(self, folded: str) -> Iterable[tuple[int, int, KeywordEntry | NameEntry]]:
        """Every occurrence of every pattern in ``folded``, overlapping ones included, as
        (start, end, entry), in no particular order."""
        if self._auto is None and len(folded) <= self._lookup_left:
            self._lookup_left -= len(folded)
            return _lookup(folded, self.lengths, self.entries)
        values = self._values
        found = self.automaton().find_matches_as_indexes(folded, overlapping=True)
        return ((start, end, values[i]) for i, start, end in found)

    def scan(self, folded: str, original: str) -> list[Hit]:
        """Leftmost-longest among the valid matches: a Latin match that fails its word
        boundary or case check must not hide a shorter or later one ("Ethernet switches")."""
        cands: list[tuple[int, int, KeywordEntry | NameEntry]] = []
        for start, end, entry in self._matches(folded):
            if entry.latin:
                if not _word_bounded(folded, start, end):
                    continue
                if (
                    isinstance(entry, NameEntry)
                    and not entry.nickname
                    and not _case_ok(original[start:end], entry.written)
                ):
                    continue
            cands.append((start, end, entry))
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


# Characters a process searches by lookup before it builds the automaton. On the 54 eval
# documents the lookup costs 0.9-1.1 us a character, the automaton ~0.13 us after 0.1-0.3 s
# to build: even at 120-350 k characters. Stopping below that bounds the time lost when a
# process reads on (a note of ~2-5 k characters: 2-5 ms instead of 0.1-0.3 s).
LOOKUP_CHARS = 100_000


def _lengths_by_prefix(patterns: list[str]) -> dict[str, tuple[int, ...]]:
    """The lengths, ascending, of the patterns that begin with each two characters (one-
    character patterns under their character)."""
    by: dict[str, set[int]] = {}
    for p in patterns:
        by.setdefault(p[:2], set()).add(len(p))
    return {k: tuple(sorted(v)) for k, v in by.items()}


def _lookup(
    folded: str, lengths: dict[str, tuple[int, ...]], entries: dict[str, Any]
) -> list[tuple[int, int, Any]]:
    """What the automaton finds, found by looking up, at each place, the substrings of the
    lengths that patterns beginning with its two characters have: linear in the text (at most
    as many lookups a place as a prefix has lengths, 52 for the busiest)."""
    out: list[tuple[int, int, Any]] = []
    n = len(folded)
    lengths_of = lengths.get
    entry_of = entries.get
    for i in range(n - 1):
        for size in lengths_of(folded[i : i + 2], ()):
            if i + size > n:
                break
            entry = entry_of(folded[i : i + size])
            if entry is not None:
                out.append((i, i + size, entry))
    if any(len(k) == 1 for k in lengths):
        out.extend((i, i + 1, entries[c]) for i, c in enumerate(folded) if c in entries)
    return out


def automaton(patterns: list[str]) -> Any:
    """Every match of every pattern, overlapping, by character offsets: ahocorasick_rs (Rust,
    Apache-2.0) searches 6x faster than pyahocorasick over the same ~20k patterns (0.06 s
    against 0.35 s on 1.5 M characters). The contiguous NFA builds in 0.17 s and searches as
    fast as the DFA, which takes 1.1 s to build."""
    import ahocorasick_rs

    return ahocorasick_rs.AhoCorasick(
        patterns,
        matchkind=ahocorasick_rs.MatchKind.Standard,
        implementation=ahocorasick_rs.Implementation.ContiguousNFA,
    )


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
    """The matcher of a knowledge base, built once per process (Knowledge hashes by identity)
    and kept between runs under the knowledge's fingerprint (all but the automaton, which
    is built again when a process's texts are long enough to need it)."""
    from screener import cache

    if kb.fingerprint:
        state = cache.get("matcher", kb.fingerprint)
        if isinstance(state, dict):
            m = Matcher.__new__(Matcher)
            m.__dict__.update(state)
            m.kb = kb
            m._auto = None
            m._lookup_left = LOOKUP_CHARS
            return m
    m = Matcher(kb)
    if kb.fingerprint:
        cache.put(
            "matcher",
            kb.fingerprint,
            {k: v for k, v in m.__dict__.items() if k not in ("kb", "_auto", "_lookup_left")},
        )
    return m
