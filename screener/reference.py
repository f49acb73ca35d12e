"""Reference knowledge from ``data/``: themes, keywords, companies, listings, aliases, FX.

Curated rows (``data/companies.csv``, ``data/aliases.csv``) come first; every A-share and
Hong Kong listing in ``data/reference/`` that no curated company claims becomes a company of
its own, with its exchange short name (prefixes and suffixes stripped) as an alias.
"""

from __future__ import annotations

import csv
import os
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

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
    company_tickers: dict[str, list[str]] = field(default_factory=dict)
    groups: dict[str, list[str]] = field(default_factory=dict)  # nickname -> company ids
    us_symbol: dict[str, str] = field(default_factory=dict)
    curated_themes: dict[str, set[str]] = field(default_factory=dict)
    generic_themes: frozenset[str] = frozenset()
    industry_themes: dict[str, set[str]] = field(default_factory=dict)  # 软件服务 -> {idc}
    fingerprint: str = ""  # of the files and code it was built from (screener/cache.py)

    def category(self, company_id: str) -> str:
        return str(self.companies[company_id]["category"])

    # Pickled (the cache, screener/cache.py), the rows only `build` and a new matcher read are
    # kept as pickles inside the pickle and unpickled on first use: extraction never reads them,
    # and they were 0.05-0.09 s of the 0.09-0.13 s that loading the knowledge took.
    def __getstate__(self) -> dict[str, Any]:
        import pickle

        state = dict(self.__dict__)
        for name in DEFERRED:
            if name in state:
                state[f"_pickled_{name}"] = pickle.dumps(state.pop(name), pickle.HIGHEST_PROTOCOL)
        return state

    if not TYPE_CHECKING:  # every other attribute stays checked

        def __getattr__(self, name: str) -> Any:
            """Only asked for what the instance lacks: a deferred field, unpickled now (by
            each thread that asks at once; the blob goes only once the field is in place)."""
            blob = self.__dict__.get(f"_pickled_{name}")
            if blob is None:
                raise AttributeError(name)
            import pickle

            value = self.__dict__[name] = pickle.loads(blob)
            self.__dict__.pop(f"_pickled_{name}", None)
            return value


DEFERRED = ("aliases", "listings")


# ---------------------------------------------------------------- name forms
# Legal-form words a writer leaves out, and the places a legal name opens with.
_EN_SUFFIX = re.compile(
    r"(?:[,.]?\s+(?:co\.?,?\s*ltd|company\s+limited|co\.?,?\s*limited|corporation\s+limited|"
    r"limited|ltd|inc|incorporated|corp|corporation|plc|joint\s+stock|stock|shares?|"
    r"holdings?|group|\(group\)|co)\.?)+\s*$",
    re.IGNORECASE,
)
_ZH_SUFFIX = re.compile(r"(?:集团)?(?:股份)?有限(?:责任)?公司$|股份公司$")
_ZH_PLACES = [
    "北京",
    "上海",
    "天津",
    "重庆",
    "河北",
    "山西",
    "辽宁",
    "吉林",
    "黑龙江",
    "江苏",
    "浙江",
    "安徽",
    "福建",
    "江西",
    "山东",
    "河南",
    "湖北",
    "湖南",
    "广东",
    "海南",
    "四川",
    "贵州",
    "云南",
    "陕西",
    "甘肃",
    "青海",
    "台湾",
    "内蒙古",
    "广西",
    "西藏",
    "宁夏",
    "新疆",
    "香港",
    "澳门",
    "深圳",
    "广州",
    "杭州",
    "南京",
    "苏州",
    "无锡",
    "常州",
    "宁波",
    "厦门",
    "青岛",
    "大连",
    "武汉",
    "成都",
    "西安",
    "长沙",
    "合肥",
    "郑州",
    "济南",
    "福州",
    "珠海",
    "东莞",
    "佛山",
    "厦门",
]
_ZH_PLACE = re.compile(
    "^(?:" + "|".join(sorted(set(_ZH_PLACES), key=len, reverse=True)) + ")(?:省|市)?"
)


# Which kind an alias row shows when several sources give the same name for one company:
# a curator's word, then the exchange's, a former name, then the derived forms.
# Alias kinds made from the exchange and reference files (every other kind is a curator's).
DERIVED_KINDS = frozenset({"exchange", "former", "english", "legal", "legal_en", "pinyin"})
_KIND_ORDER = {"exchange": 1, "former": 2, "english": 3, "legal": 4, "legal_en": 5, "pinyin": 6}


def _cap(m: re.Match[str]) -> str:
    return m.group(0).capitalize()


def english_forms(name: str) -> list[str]:
    """The forms of an English company name that writers use: the name without its legal
    form (``Zhongji Innolight Co., Ltd.`` -> ``Zhongji Innolight``), exchange upper case read
    as a name (``BEIJING SINNET TECHNOLOGY`` -> ``Beijing Sinnet Technology``), and that name
    without a trailing Technology/Technologies."""
    s = " ".join(name.replace("\u3000", " ").split()).strip(" ,.")
    if not s or not s.isascii():
        return []
    if s.upper() == s and not (" " not in s and len(s) <= 5):  # TSMC, QCI stay acronyms
        s = " ".join(
            w if len(w) <= 3 and not w.isalpha() else re.sub(r"[A-Za-z]+", _cap, w)
            for w in s.split()
        )
        s = " ".join(
            w.upper() if len(w) <= 3 and w.lower() not in _EN_SMALL else w for w in s.split()
        )
    core = _EN_SUFFIX.sub("", s).strip(" ,.")
    out = [core] if core else []
    short = re.sub(r"\s+(?:Technology|Technologies|Tech)$", "", core, flags=re.IGNORECASE)
    if short != core and " " in short:
        out += [short, short + " Tech"]
    return [f for f in out if len(f) >= 3]


_EN_SMALL = {"of", "and", "the", "new", "sun", "sky", "top", "big", "one", "win", "art", "ever"}


def chinese_legal_forms(legal: str) -> list[str]:
    """``北京光环新网科技股份有限公司`` -> itself, ``北京光环新网科技``, ``光环新网科技``."""
    s = legal.strip()
    if not s:
        return []
    out = [s]
    core = _ZH_SUFFIX.sub("", s)
    if core != s and _cjk_len(core) >= 4:
        out.append(core)
    bare = _ZH_PLACE.sub("", core)
    if bare != core and _cjk_len(bare) >= 4:
        out.append(bare)
    return out


def name_is_ambiguous(alias: str, kind: str) -> bool:
    """The one rule for aliases no curator marked: a name needs context (a ticker beside it, a
    list of other companies, an earlier unambiguous mention) when it is short (two CJK
    characters or fewer, two Latin letters or fewer) or, in English, a single word ("Range",
    "Kstar", "Athub" are words or could be)."""
    cjk = _cjk_len(alias)
    if kind == "name":
        return False  # a curated full name is not a common word unless marked so
    if cjk:
        return cjk <= 2 and len(alias) <= 2
    return len(alias) <= 2 or (
        kind in ("english", "legal_en", "pinyin") and " " not in alias.strip()
    )


# Where each derived kind of alias comes from (../shared/reference, see its README).
KIND_SOURCE = {
    "exchange": "exchange short name (Tushare stock_basic 2026-06; HKEX list 2026-07; TWSE/TPEx 2026-07)",
    "english": "English short name (Stock Connect list 2026-02; TWSE/TPEx English short name)",
    "legal": "legal name (Tushare fullname 2019/2021; SSE list 2023-09; TWSE/TPEx 公司名稱)",
    "legal_en": "English legal name (Tushare enname 2019/2021; FinanceDatabase 2026-08)",
    "former": "former short name (Tushare snapshots 2019-07, 2021-01, 2023-09, 2025-06)",
    "pinyin": "pinyin of the exchange short name (pypinyin)",
}


def _alias_row(alias: str, cid: str, lang: str, kind: str, ambiguous: str | bool) -> dict[str, Any]:
    """An alias row; ``explicit`` records whether a curator marked it yes/no."""
    explicit = isinstance(ambiguous, str) and ambiguous in ("yes", "no")
    if isinstance(ambiguous, bool):
        amb = ambiguous
    elif explicit:
        amb = ambiguous == "yes"
    else:
        amb = name_is_ambiguous(alias, kind)
    return {
        "alias": alias,
        "company_id": cid,
        "lang": lang,
        "kind": kind,
        "ambiguous": amb,
        "explicit": explicit,
        "source": KIND_SOURCE.get(kind, "curated (screener/data/aliases.csv, companies.csv)"),
    }


def merge_ambiguity(rows: list[dict[str, Any]]) -> bool:
    """One verdict for rows of the same alias: a curator's mark wins, then curated kinds,
    then the exchange-name default (an all-caps HK name must not make "Tencent" ambiguous)."""
    for pick in (lambda r: r["explicit"], lambda r: r["kind"] not in DERIVED_KINDS, lambda r: True):
        chosen = [r for r in rows if pick(r)]
        if chosen:
            return any(r["ambiguous"] for r in chosen)
    return False


# Files a user may add in their own folder ($SCREENER_USER_DATA), merged over the bundled ones:
# their rows come after the bundled rows (a company or theme id may not repeat).
USER_FILES = ("themes.csv", "theme_keywords.csv", "companies.csv", "aliases.csv", "groups.csv")


def user_data_dir() -> Path | None:
    """The user's own data folder, from $SCREENER_USER_DATA (None when unset)."""
    v = os.environ.get("SCREENER_USER_DATA")
    return Path(v) if v else None


def _layered(
    data_dir: Path, user_dir: Path | None, name: str
) -> list[tuple[Path, int, dict[str, str]]]:
    """Rows of the bundled file, then of the user's file of the same name, each with its file
    and line (so an error names the file a user can fix)."""
    out = []
    for folder in (data_dir, user_dir):
        if folder is None or (folder is user_dir and not (folder / name).exists()):
            continue
        out += [(folder / name, i, r) for i, r in enumerate(_read_csv(folder / name), start=2)]
    return out


def _groups(
    rows: list[tuple[Path, int, dict[str, str]]], ticker_company: dict[str, str]
) -> dict[str, list[str]]:
    """Nicknames that name several companies at once (易中天 = 新易盛, 中际旭创, 天孚通信)."""
    out: dict[str, list[str]] = {}
    for path, i, r in rows:
        cids = []
        for t in r["members"].split(";"):
            if t not in ticker_company:
                raise InputError(f"{path}:{i}: {t!r} is not a listing (expected e.g. 300308.SZ)")
            cids.append(ticker_company[t])
        out[r["alias"]] = cids
    return out


def load(data_dir: Path = DATA_DIR) -> Knowledge:
    """The reference knowledge of ``data_dir`` with the user's folder ($SCREENER_USER_DATA)
    merged over it (cached per pair of folders)."""
    return _load(data_dir, user_data_dir())


@lru_cache(maxsize=4)
def _load(data_dir: Path, user_dir: Path | None) -> Knowledge:
    """Built once per process, and kept between runs under the fingerprint of the files and
    the code (screener/cache.py)."""
    from screener import cache

    if user_dir is not None and not user_dir.is_dir():
        raise InputError(f"$SCREENER_USER_DATA {user_dir}: no such folder")
    fp = cache.fingerprint(data_dir, user_dir)
    kb = cache.get("knowledge", fp)
    if not isinstance(kb, Knowledge):
        kb = _build(data_dir, user_dir)
        kb.fingerprint = fp
        cache.put("knowledge", fp, kb)
    return kb


def _build(data_dir: Path, user_dir: Path | None) -> Knowledge:
    from screener.text import opencc_converters

    theme_rows = _layered(data_dir, user_dir, "themes.csv")
    themes, seen_themes = [], set()
    for path, i, row in theme_rows:
        if not row.get("theme") or row["theme"] in seen_themes:
            raise InputError(f"{path}:{i}: missing or duplicate theme id {row.get('theme')!r}")
        seen_themes.add(row["theme"])
        themes.append({**row, "kind": row.get("kind") or "segment"})
    by_word: dict[str, dict[str, str]] = {}  # a user's row for a bundled keyword replaces it
    for path, i, k in _layered(data_dir, user_dir, "theme_keywords.csv"):
        if k["theme"] not in seen_themes:
            raise InputError(f"{path}:{i}: unknown theme {k['theme']!r}")
        by_word[k["keyword"].casefold()] = {**k, "strength": k.get("strength") or "segment"}
    keywords = list(by_word.values())

    companies: dict[str, dict[str, Any]] = {}
    listings: list[dict[str, str]] = []
    aliases: list[dict[str, Any]] = []
    priors: dict[str, set[str]] = {}
    ticker_company: dict[str, str] = {}
    company_tickers: dict[str, list[str]] = {}
    curated_themes: dict[str, set[str]] = {}

    a_rows = {r["ticker"]: r for r in _read_csv(data_dir / "reference" / "a_shares.csv")}
    common = {r["name"] for r in _read_csv(data_dir / "reference" / "common_word_names.csv")}
    hk_rows = {r["ticker"]: r for r in _read_csv(data_dir / "reference" / "hk_shares.csv")}
    t2s, s2t = opencc_converters()
    for r in _read_csv(data_dir / "reference" / "hk_names_zh_hant.csv"):
        if unicodedata.normalize("NFKC", r["name_zh_hant"]).endswith("-R"):
            continue  # an RMB counter (騰訊控股－Ｒ, 80700): the same shares as the HKD line
        row = hk_rows.setdefault(r["ticker"], {"ticker": r["ticker"], "name_en": "", "name_zh": ""})
        row["name_zh_hant"] = r["name_zh_hant"]
        if not row["name_zh"]:
            row["name_zh"] = t2s.convert(r["name_zh_hant"])
    a_names = {r["ticker"]: r for r in _read_csv(data_dir / "reference" / "a_names.csv")}
    current_names = {strip_exchange_name(r["name"]) for r in a_rows.values()}
    former: dict[str, list[str]] = {}
    for r in _read_csv(data_dir / "reference" / "a_former_names.csv"):
        # a former name another listing now carries is that listing's, not this one's
        if r["name"] not in current_names and _cjk_len(r["name"]) > 2 and r["name"] not in common:
            former.setdefault(r["ticker"], []).append(r["name"])
    pinyin = {r["ticker"]: r["pinyin"] for r in _read_csv(data_dir / "reference" / "a_pinyin.csv")}
    tw_rows = {r["ticker"]: r for r in _read_csv(data_dir / "reference" / "tw_shares.csv")}
    us_zh = {
        r["symbol"]: r["name_zh"] for r in _read_csv(data_dir / "reference" / "us_names_zh.csv")
    }

    def add_listing(ticker: str, cid: str, primary: bool) -> None:
        ref = a_rows.get(ticker) or {}
        hk = hk_rows.get(ticker) or {}
        tw = tw_rows.get(ticker) or {}
        listings.append(
            {
                "ticker": ticker,
                "company_id": cid,
                "exchange": exchange_of(ticker),
                "market": market_of(ticker),
                "short_name": ref.get("name")
                or hk.get("name_zh_hant")
                or hk.get("name_zh")
                or tw.get("name")
                or hk.get("name_en")
                or "",
                "board": ref.get("board", ""),
                "list_date": ref.get("list_date") or tw.get("list_date") or "",
                "is_primary": "true" if primary else "false",
            }
        )
        ticker_company[ticker] = cid
        company_tickers.setdefault(cid, []).append(ticker)
        for zh in (ref.get("name"), hk.get("name_zh")):
            if zh:
                name = strip_exchange_name(zh)
                amb = "yes" if name in common else ""
                aliases.append(_alias_row(name, cid, "zh-Hans", "exchange", amb))
        if hk.get("name_zh_hant"):
            name = strip_exchange_name(hk["name_zh_hant"])
            aliases.append(_alias_row(name, cid, "zh-Hant", "exchange", ""))
        if hk and hk.get("name_en"):
            aliases.append(
                _alias_row(strip_exchange_name(hk["name_en"]), cid, "en", "exchange", True)
            )
        names = a_names.get(ticker) or {}
        for form in english_forms(names.get("name_en", "")):
            aliases.append(_alias_row(form, cid, "en", "english", ""))
        for form in english_forms(names.get("legal_en", "")):
            aliases.append(_alias_row(form, cid, "en", "legal_en", ""))
        for form in chinese_legal_forms(names.get("legal_zh", "")):
            aliases.append(_alias_row(form, cid, "zh-Hans", "legal", ""))
        if ticker in pinyin:
            aliases.append(_alias_row(pinyin[ticker], cid, "en", "pinyin", ""))
        for old in former.get(ticker, []):
            aliases.append(_alias_row(old, cid, "zh-Hans", "former", ""))
        if tw:
            row = _alias_row(tw["name"], cid, "zh-Hant", "exchange", "")
            row["strict"] = _cjk_len(tw["name"]) <= 2  # 國產, 三星, 亞力 are words in Chinese text
            aliases.append(row)
            for form in chinese_legal_forms(tw["legal_zh"]):
                aliases.append(_alias_row(form, cid, "zh-Hant", "legal", ""))
            for form in english_forms(tw["name_en"]):
                row = _alias_row(form, cid, "en", "english", "")
                row["strict"] = " " not in form  # QCI, TCC: acronyms need their code beside
                aliases.append(row)
        if market_of(ticker) == "US" and ticker.split(".")[0] in us_zh:
            aliases.append(_alias_row(us_zh[ticker.split(".")[0]], cid, "zh-Hans", "exchange", ""))

    for path, i, r in _layered(data_dir, user_dir, "companies.csv"):
        cid = r["company_id"]
        if not cid or cid in companies:
            raise InputError(f"{path}:{i}: missing or duplicate company_id {cid!r}")
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
        en = english_forms((a_names.get(t) or {}).get("name_en", "")) or english_forms(
            (a_names.get(t) or {}).get("legal_en", "")
        )
        companies[cid] = {
            "company_id": cid,
            "name_zh": strip_exchange_name(r["name"]),
            "name_en": en[0] if en else "",
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

    for t, r in tw_rows.items():
        if t in ticker_company:
            continue
        cid = "tw_" + t.split(".")[0]
        en = english_forms(r["name_en"])
        companies[cid] = {
            "company_id": cid,
            "name_zh": r["name"],
            "name_en": en[0] if en else "",
            "category": "supplier",
            "listed": True,
            "curated": False,
            "industry": "",
            "note": "",
        }
        add_listing(t, cid, True)

    curated_en = {cid for cid, c in companies.items() if c["curated"] and c["name_en"]}
    for path, i, r in _layered(data_dir, user_dir, "aliases.csv"):
        if r["company_id"] not in companies:
            raise InputError(f"{path}:{i}: unknown company_id {r['company_id']!r}")
        aliases.append(
            _alias_row(r["alias"], r["company_id"], r["lang"], r["kind"], r["ambiguous"])
        )
        if r["kind"] == "name" and r["lang"] == "en" and r["company_id"] not in curated_en:
            companies[r["company_id"]]["name_en"] = r["alias"]  # a curator's English name wins
            curated_en.add(r["company_id"])

    # Traditional forms of every Simplified alias, for users reading the aliases table
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
        best = min(rows, key=lambda r: (_KIND_ORDER.get(r["kind"], 0), not r["explicit"]))
        uniq.append(
            {
                **best,
                "ambiguous": merge_ambiguity(rows),
                "explicit": any(r["explicit"] for r in rows),
                "strict": any(r.get("strict") for r in rows),
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
    from screener.cues import load_cues  # pydantic's models: only when data is loaded

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
        company_tickers=company_tickers,
        groups=_groups(_layered(data_dir, user_dir, "groups.csv"), ticker_company),
        us_symbol=us_symbol,
        curated_themes=curated_themes,
        generic_themes=frozenset(t["theme"] for t in themes if t.get("kind") == "generic"),
        industry_themes=industry_themes,
    )
