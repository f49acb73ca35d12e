"""What extraction produces and the typed hits it works on."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Any, NamedTuple

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
class Extraction:
    text: str
    mentions: list[Mention] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    capex: list[dict[str, Any]] = field(default_factory=list)
    publisher_guess: str | None = None


class KeywordEntry(NamedTuple):
    """A theme keyword in the matcher."""

    theme: str
    latin: bool
    weak: bool  # a context word (数据中心): it counts only where no segment word is
    length: int


class NameEntry(NamedTuple):
    """A company name, or a nickname of several companies (易中天), in the matcher."""

    company_ids: tuple[str, ...]
    kind: str  # the alias kind (exchange, legal, english, former ...) or "nickname"
    ambiguous: bool
    latin: bool
    written: str  # the alias as written (the case check of Latin names)
    auto_short: bool  # an everyday word that is only an exchange short name
    strict: bool  # also an everyday word abroad (國產): only beside its ticker
    length: int
    nickname: bool = False


@dataclass
class KeywordHit:
    start: int
    end: int
    entry: KeywordEntry

    @property
    def theme(self) -> str:
        return self.entry.theme

    @property
    def weak(self) -> bool:
        return self.entry.weak


@dataclass
class NameHit:
    start: int
    end: int
    entry: NameEntry


Hit = KeywordHit | NameHit


class Keywords(list[KeywordHit]):
    """Keyword hits in text order, with a bisect window lookup."""

    def __init__(self, hits: list[KeywordHit]):
        super().__init__(hits)
        self.starts = [h.start for h in hits]

    def between(self, lo: int, hi: int) -> list[KeywordHit]:
        """Hits starting in [lo, hi)."""
        return self[bisect.bisect_left(self.starts, lo) : bisect.bisect_left(self.starts, hi)]
