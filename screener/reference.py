"""Reference knowledge from ``data/``: themes, keywords, companies, listings, aliases, FX.

Curated rows (``data/companies.csv``, ``data/aliases.csv``) come first; every A-share and
Hong Kong listing in ``data/reference/`` that no curated company claims becomes a company of
its own, with its exchange short name (prefixes and suffixes stripped) as an alias.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from screener.cues import load_cues
from screener.errors import InputError
from screener.tickers import exchange_of, market_of

DATA_DIR = Path(str(resources.files("screener"))) / "data"

# Categories whose companies are never screened as beneficiaries on a passing mention.
# ("financial", the exchange's 多元金融, is not among them: it holds leasing and compute-rental
# companies that notes name as suppliers.)
ANALYST_CATEGORIES = frozenset(
    {"broker", "bank", "rating_agency", "data_vendor", "media", "investor", "insurer"}
)
DEMAND_CATEGORIES = frozenset({"hyperscaler", "platform", "consumer_tech", "ai_lab"})
INDUSTRY_CATEGORY = {
    "证券": "broker",
    "银行": "bank",
    "保险": "insurer",
    "多元金融": "financial",
    "电信运营": "telecom",
}

_A_PREFIX = re.compile(r"^(?:\*?S\*?ST|\*?ST|N|C|XD|XR|DR)(?=[\u4e00-\u9fff])")
_SUFFIX = re.compile(r"-(?:SWR|SW|WR|UW|W|U|S|R|WD|UWD)$")


def strip_exchange_name(name: str) -> str:
    """``*ST国华`` -> ``国华``; ``万科Ａ`` -> ``万科A``; ``GDS-SW`` -> ``GDS``."""
    s = unicodedata.normalize("NFKC", name).strip()
    s = _SUFFIX.sub("", s)
    s = _A_PREFIX.sub("", s)
    return s.strip()


def _cjk_len(s: str) -> int:
    return sum(1 for c in s if "\u4e00" <= c <= "\u9fff")


def _read_csv(path: Path) -> list[dict[str, str]]:
    try:
        with path.open(encoding="utf-8", newline="") as f:
            return [{k: (v or "").strip() for k, v in r.items()} for r in csv.DictReader(f)]
    except OSError as e:
        raise InputError(f"{path}: cannot read reference data ({e.strerror})") from e


@dataclass(eq=False)
class Knowledge:
    """Everything the extractor and the database build need, as plain rows."""

    themes: list[dict[str, str]]
    keywords: list[dict[str, str]]
    companies: dict[str, dict[str, Any]]
    listings: list[dict[str, str]]
    aliases: list[dict[str, Any]]
    priors: dict[str, set[str]]
    fx: list[dict[str, str]]
    cues: dict[str, Any]
    ticker_company: dict[str, str] = field(default_factory=dict)
    us_symbol: dict[str, str] = field(default_factory=dict)
    curated_themes: dict[str, set[str]] = field(default_factory=dict)

    def category(self, company_id: str) -> str:
        return str(self.companies[company_id]["category"])


def _alias_row(alias: str, cid: str, lang: str, kind: str, ambiguous: str | bool) -> dict[str, Any]:
    """An alias row; ``explicit`` records whether a curator marked it yes/no."""
    explicit = isinstance(ambiguous, str) and ambiguous in ("yes", "no")
    if isinstance(ambiguous, bool):
        amb = ambiguous
    elif explicit:
        amb = ambiguous == "yes"
    elif kind == "name":
        amb = False  # a curated full name is not a common word unless marked so
    else:
        # default: two CJK characters or fewer, or a short Latin token, needs context
        cjk = _cjk_len(alias)
        amb = (0 < cjk <= 2 and len(alias) <= 2) or (cjk == 0 and len(alias) <= 2)
    return {
        "alias": alias,
        "company_id": cid,
        "lang": lang,
        "kind": kind,
        "ambiguous": amb,
        "explicit": explicit,
    }


def merge_ambiguity(rows: list[dict[str, Any]]) -> bool:
    """One verdict for rows of the same alias: a curator's mark wins, then curated kinds,
    then the exchange-name default (an all-caps HK name must not make "Tencent" ambiguous)."""
    for pick in (lambda r: r["explicit"], lambda r: r["kind"] != "exchange", lambda r: True):
        chosen = [r for r in rows if pick(r)]
        if chosen:
            return any(r["ambiguous"] for r in chosen)
    return False


@lru_cache(maxsize=4)
def load(data_dir: Path = DATA_DIR) -> Knowledge:
    """Load and assemble the reference knowledge (cached per folder)."""
    from screener.text import opencc_converters

    themes = _read_csv(data_dir / "themes.csv")
    keywords = _read_csv(data_dir / "theme_keywords.csv")
    theme_ids = {t["theme"] for t in themes}
    for i, k in enumerate(keywords, start=2):
        if k["theme"] not in theme_ids:
            raise InputError(f"{data_dir / 'theme_keywords.csv'}:{i}: unknown theme {k['theme']!r}")

    companies: dict[str, dict[str, Any]] = {}
    listings: list[dict[str, str]] = []
    aliases: list[dict[str, Any]] = []
    priors: dict[str, set[str]] = {}
    ticker_company: dict[str, str] = {}
    curated_themes: dict[str, set[str]] = {}

    a_rows = {r["ticker"]: r for r in _read_csv(data_dir / "reference" / "a_shares.csv")}
    common = {r["name"] for r in _read_csv(data_dir / "reference" / "common_word_names.csv")}
    hk_rows = {r["ticker"]: r for r in _read_csv(data_dir / "reference" / "hk_shares.csv")}

    def add_listing(ticker: str, cid: str, primary: bool) -> None:
        ref = a_rows.get(ticker) or {}
        hk = hk_rows.get(ticker) or {}
        listings.append(
            {
                "ticker": ticker,
                "company_id": cid,
                "exchange": exchange_of(ticker),
                "market": market_of(ticker),
                "short_name": ref.get("name") or hk.get("name_zh") or hk.get("name_en") or "",
                "board": ref.get("board", ""),
                "list_date": ref.get("list_date", ""),
                "is_primary": "true" if primary else "false",
            }
        )
        ticker_company[ticker] = cid
        for zh in (ref.get("name"), hk.get("name_zh")):
            if zh:
                name = strip_exchange_name(zh)
                amb = "yes" if name in common else ""
                aliases.append(_alias_row(name, cid, "zh-Hans", "exchange", amb))
        if hk and hk.get("name_en"):
            aliases.append(
                _alias_row(strip_exchange_name(hk["name_en"]), cid, "en", "exchange", True)
            )

    for i, r in enumerate(_read_csv(data_dir / "companies.csv"), start=2):
        cid = r["company_id"]
        if not cid or cid in companies:
            raise InputError(
                f"{data_dir / 'companies.csv'}:{i}: missing or duplicate company_id {cid!r}"
            )
        tickers = [t for t in r["listings"].split(";") if t]
        companies[cid] = {
            "company_id": cid,
            "name_zh": r["name_zh"],
            "name_en": r["name_en"],
            "category": r["category"],
            "listed": bool(tickers),
            "curated": True,
            "industry": "",
            "note": r["note"],
        }
        for j, t in enumerate(tickers):
            add_listing(t, cid, j == 0)
        priors[cid] = {t for t in r["themes"].split(";") if t}
        if priors[cid]:
            curated_themes[cid] = set(priors[cid])
        for name, lang in ((r["name_zh"], "zh-Hans"), (r["name_en"], "en")):
            if name:
                aliases.append(_alias_row(name, cid, lang, "name", ""))

    for t, r in a_rows.items():
        if t in ticker_company:
            companies[ticker_company[t]]["industry"] = r["industry"]
            continue
        cid = "a_" + t.split(".")[0]
        companies[cid] = {
            "company_id": cid,
            "name_zh": strip_exchange_name(r["name"]),
            "name_en": "",
            "category": INDUSTRY_CATEGORY.get(r["industry"], "supplier"),
            "listed": True,
            "curated": False,
            "industry": r["industry"],
            "note": "",
        }
        add_listing(t, cid, True)
    # an H share whose Chinese short name is an A share's is the same issuer (中国平安)
    a_by_name = {strip_exchange_name(r["name"]): ticker_company[t] for t, r in a_rows.items()}
    for t, r in hk_rows.items():
        if t in ticker_company:
            continue
        same = a_by_name.get(strip_exchange_name(r["name_zh"])) if r["name_zh"] else None
        if same:
            add_listing(t, same, False)
            continue
        cid = "hk_" + t.split(".")[0]
        companies[cid] = {
            "company_id": cid,
            "name_zh": strip_exchange_name(r["name_zh"]) if r["name_zh"] else "",
            "name_en": strip_exchange_name(r["name_en"]),
            "category": "company",
            "listed": True,
            "curated": False,
            "industry": "",
            "note": "",
        }
        add_listing(t, cid, True)

    for i, r in enumerate(_read_csv(data_dir / "aliases.csv"), start=2):
        if r["company_id"] not in companies:
            raise InputError(
                f"{data_dir / 'aliases.csv'}:{i}: unknown company_id {r['company_id']!r}"
            )
        aliases.append(
            _alias_row(r["alias"], r["company_id"], r["lang"], r["kind"], r["ambiguous"])
        )
        if r["kind"] == "name" and r["lang"] == "en" and not companies[r["company_id"]]["name_en"]:
            companies[r["company_id"]]["name_en"] = r["alias"]

    # Traditional forms of every Simplified alias, for users reading the aliases table
    _, s2t = opencc_converters()
    hans = [a for a in aliases if a["lang"] == "zh-Hans"]
    trad = s2t.convert("\n".join(a["alias"] for a in hans)).split("\n")
    for a, t in zip(hans, trad, strict=True):
        if t != a["alias"]:
            aliases.append({**a, "alias": t, "lang": "zh-Hant"})
    # one row per (alias, company)
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for a in aliases:
        if a["alias"]:
            groups.setdefault((a["alias"], a["company_id"]), []).append(a)
    uniq = []
    for rows in groups.values():
        best = min(rows, key=lambda r: (r["kind"] == "exchange", not r["explicit"]))
        uniq.append(
            {
                **best,
                "ambiguous": merge_ambiguity(rows),
                "explicit": any(r["explicit"] for r in rows),
            }
        )

    concept_theme = {r["concept"]: r["theme"] for r in _read_csv(data_dir / "theme_concepts.csv")}
    for r in _read_csv(data_dir / "reference" / "concept_members.csv"):
        owner = ticker_company.get(r["ticker"])
        if owner:
            priors.setdefault(owner, set()).add(concept_theme[r["concept"]])

    # the exchange industry of A-shares is a coarse prior too (IT设备 -> servers ...)
    industry_themes: dict[str, set[str]] = {}
    for r in _read_csv(data_dir / "industry_themes.csv"):
        industry_themes.setdefault(r["industry"], set()).add(r["theme"])
    for cid, c in companies.items():
        if c["industry"] in industry_themes:
            priors.setdefault(cid, set()).update(industry_themes[c["industry"]])

    us_symbol = {t.split(".")[0]: t for t in ticker_company if market_of(t) == "US"}
    cues = load_cues(data_dir / "cues.toml")
    return Knowledge(
        themes=themes,
        keywords=keywords,
        companies=companies,
        listings=listings,
        aliases=uniq,
        priors=priors,
        fx=_read_csv(data_dir / "fx.csv"),
        cues=cues,
        ticker_company=ticker_company,
        us_symbol=us_symbol,
        curated_themes=curated_themes,
    )
