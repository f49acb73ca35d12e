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


Entry = KeywordEntry | NameEntry


class Matcher:
    """Every alias and theme keyword, on the folded form.

    The cache keeps what it takes to find them as plain rows, strings and tuples of strings
    (``KEPT``), which load in half the time of the 41 k entry objects and 24 k sets they stand
    for (0.08 against 0.12-0.17 s); an entry object is made the first time its pattern is found."""

    KEPT = ("index", "rows", "lengths", "latin_words", "latin_index", "collisions")

    def __init__(self, kb: Knowledge):
        self.kb = kb
        # key -> entry; a later entry for the same key replaces the earlier (a group's nickname
        # over an alias of the same spelling)
        entries: dict[str, Entry] = {}
        # the distinctive Latin words of each company's names (a printed code checks against them)
        latin_words: dict[str, set[str]] = {}
        for a in kb.aliases:
            words = set(LATIN_WORD.findall(a["alias"].lower())) - GENERIC_WORDS
            if words:
                latin_words.setdefault(a["company_id"], set()).update(words)
        latin_index: dict[str, set[str]] = {}  # word -> the companies whose names have it
        for cid, words in latin_words.items():
            for w in words:
                latin_index.setdefault(w, set()).add(cid)
        self.latin_words = {k: tuple(sorted(v)) for k, v in latin_words.items()}
        self.latin_index = {k: tuple(sorted(v)) for k, v in latin_index.items()}
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
            entries[key] = NameEntry(
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
            entries[key] = NameEntry(
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
            if key not in entries:
                weak = k.get("strength") == "context"
                entries[key] = KeywordEntry(k["theme"], key.isascii(), weak, len(key))
        # pattern -> its number; each entry's fields by number, after whether it is a name
        self.index = {key: i for i, key in enumerate(entries)}
        self.rows = [(isinstance(e, NameEntry), *e) for e in entries.values()]
        self.lengths = _lengths_by_prefix(list(entries))
        self._ready()

    def _ready(self) -> None:
        """What is made again in each process, not kept in the cache."""
        self.patterns = list(self.index)
        self._one_char = any(len(key) == 1 for key in self.lengths)
        self._entries: list[Entry | None] = [None] * len(self.rows)
        self._auto: Any = None
        self._lookup_left = LOOKUP_CHARS

    def entry(self, i: int) -> Entry:
        """The entry of pattern number ``i`` (one object per pattern and process)."""
        made = self._entries[i]
        if made is None:
            row = self.rows[i]
            made = self._entries[i] = NameEntry(*row[1:]) if row[0] else KeywordEntry(*row[1:])
        return made

    def automaton(self) -> Any:
        """The automaton over every pattern, built on first use (~0.3 s; it cannot be kept in
        the cache: ahocorasick_rs's automata do not pickle)."""
        if self._auto is None:
            self._auto = automaton(self.patterns)
        return self._auto

    def matches(self, folded: str) -> Iterable[tuple[int, int, int]]:
        """Every occurrence of every pattern in ``folded``, overlapping ones included, as
        (pattern number, start, end), in no particular order."""
        if self._auto is None and len(folded) <= self._lookup_left:
            self._lookup_left -= len(folded)
            return _lookup(folded, self.lengths, self.index, self._one_char)
        return self.automaton().find_matches_as_indexes(folded, overlapping=True)

    def scan(self, folded: str, original: str) -> list[Hit]:
        """Leftmost-longest among the valid matches: a Latin match that fails its word
        boundary or case check must not hide a shorter or later one ("Ethernet switches")."""
        cands: list[tuple[int, int, Entry]] = []
        made = self._entries
        for i, start, end in self.matches(folded):
            entry = made[i] or self.entry(i)
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
    folded: str,
    lengths: dict[str, tuple[int, ...]],
    index: dict[str, int],
    one_char: bool | None = None,
) -> list[tuple[int, int, int]]:
    """What the automaton finds, found by looking up, at each place, the substrings of the
    lengths that patterns beginning with its two characters have: linear in the text (at most
    as many lookups a place as a prefix has lengths, 52 for the busiest). ``one_char``: whether
    any pattern is one character long (the matcher knows; else found out here)."""
    out: list[tuple[int, int, int]] = []
    n = len(folded)
    lengths_of = lengths.get
    number_of = index.get
    for i in range(n - 1):
        for size in lengths_of(folded[i : i + 2], ()):
            if i + size > n:
                break
            k = number_of(folded[i : i + size])
            if k is not None:
                out.append((k, i, i + size))
    if one_char is None:
        one_char = any(len(key) == 1 for key in lengths)
    if one_char:
        out.extend((index[c], i, i + 1) for i, c in enumerate(folded) if c in index)
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
        if isinstance(state, dict) and set(state) == set(Matcher.KEPT):
            m = Matcher.__new__(Matcher)
            m.__dict__.update(state)
            m.kb = kb
            m._ready()
            return m
    m = Matcher(kb)
    if kb.fingerprint:
        cache.put("matcher", kb.fingerprint, {k: m.__dict__[k] for k in Matcher.KEPT})
    return m
