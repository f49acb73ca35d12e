"""Ticker forms: normalise what users type and what documents write to Wind style.

Wind style: ``300308.SZ``, ``603881.SH``, ``920808.BJ``, ``9698.HK`` (4 digits),
``GDS.O`` (NASDAQ), ``BABA.N`` (NYSE), ``2330.TW`` (TWSE), ``3324.TWO`` (TPEx).
"""

from __future__ import annotations

import re

from screener.errors import UsageError

US_EXCHANGE = {"NASDAQ": "O", "NASDAQGS": "O", "NASDAQGM": "O", "NYSE": "N", "NYSEAMERICAN": "N"}
HK_PREFIX = {"HKG", "HKEX", "HK", "SEHK"}
TW_SUFFIX = {"TW": "TW", "TWO": "TWO", "TWSE": "TW", "TPEX": "TWO", "TPE": "TW"}
A_SUFFIX = {"SZ": "SZ", "SH": "SH", "SS": "SH", "BJ": "BJ", "SZSE": "SZ", "SSE": "SH", "BSE": "BJ"}


def a_share_exchange(code: str) -> str:
    """Exchange suffix of a six-digit A-share code, from its number range."""
    if code.startswith(("60", "68", "90")):
        return "SH"
    if code.startswith(("00", "30", "20")):
        return "SZ"
    if code.startswith(("92", "43", "83", "87", "88", "4", "8")):
        return "BJ"
    raise UsageError(f"ticker {code!r}: not a known A-share code range (expected e.g. 300308.SZ)")


def hk_code(digits: str) -> str:
    n = int(digits)
    if not 0 < n < 100000:
        raise UsageError(f"ticker {digits!r}: Hong Kong codes are 1 to 5 digits")
    return f"{n:04d}.HK"


_PREFIXED = re.compile(r"^([A-Za-z]+)\s*[:：]\s*([A-Za-z0-9.]+)$")
_SUFFIXED = re.compile(r"^([A-Za-z0-9]+)[.\s-]([A-Za-z]{1,4})$")


def normalise_ticker(raw: str) -> str:
    """Return the Wind-style form of a ticker typed by a user.

    >>> normalise_ticker("sz300308"), normalise_ticker("09698.HK"), normalise_ticker("NASDAQ:GDS")
    ('300308.SZ', '9698.HK', 'GDS.O')
    """
    s = raw.strip().replace("\u3000", " ")
    if not s:
        raise UsageError("empty ticker (expected e.g. 300308.SZ, 9698.HK, GDS.O)")
    if re.fullmatch(r"\d{6}", s):
        return f"{s}.{a_share_exchange(s)}"
    m = re.fullmatch(r"(?i)(sz|sh|bj)(\d{6})", s)
    if m:
        return f"{m.group(2)}.{m.group(1).upper()}"
    m = _PREFIXED.match(s)
    if m:
        ex, code = m.group(1).upper(), m.group(2)
        if ex in HK_PREFIX and code.isdigit():
            return hk_code(code)
        if ex in US_EXCHANGE:
            return f"{code.upper()}.{US_EXCHANGE[ex]}"
        if ex in A_SUFFIX and re.fullmatch(r"\d{6}", code):
            return f"{code}.{A_SUFFIX[ex]}"
        if ex in TW_SUFFIX and re.fullmatch(r"\d{4}", code):
            return f"{code}.{TW_SUFFIX[ex]}"
        raise UsageError(f"ticker {raw!r}: unknown exchange prefix {m.group(1)!r}")
    m = _SUFFIXED.match(s)
    if m:
        code, suf = m.group(1), m.group(2).upper()
        if suf == "HK" and code.isdigit():
            return hk_code(code)
        if suf in A_SUFFIX and re.fullmatch(r"\d{6}", code):
            return f"{code}.{A_SUFFIX[suf]}"
        if suf in TW_SUFFIX and re.fullmatch(r"\d{4}", code):
            return f"{code}.{TW_SUFFIX[suf]}"
        if suf in {"O", "OQ", "N", "US"} and code.isalpha():
            return f"{code.upper()}.{'N' if suf == 'N' else 'O'}" if suf != "US" else code.upper()
    if re.fullmatch(r"\d{1,5}", s):
        return hk_code(s)
    if re.fullmatch(r"[A-Za-z]{1,5}", s):
        return s.upper()  # a bare US symbol: resolved against the listings by the caller
    raise UsageError(
        f"ticker {raw!r}: expected a form such as 300308.SZ, 300308, sz300308, 9698.HK, "
        "HKG:9698, GDS.O, NASDAQ:GDS or 2330.TW"
    )


def market_of(ticker: str) -> str:
    if ticker.endswith((".SZ", ".SH", ".BJ")):
        return "A"
    if ticker.endswith(".HK"):
        return "HK"
    if ticker.endswith((".TW", ".TWO")):
        return "TW"
    return "US"


def exchange_of(ticker: str) -> str:
    return {
        "SZ": "SZSE",
        "SH": "SSE",
        "BJ": "BSE",
        "HK": "HKEX",
        "O": "NASDAQ",
        "N": "NYSE",
        "TW": "TWSE",
        "TWO": "TPEx",
    }[ticker.rsplit(".", 1)[1]]


# Tickers written inside a text. Each pattern yields (code, exchange-or-suffix).
TEXT_TICKER = re.compile(
    # every form starts with a digit or a capital: the lookahead lets the engine skip the
    # Chinese text between tickers without trying each alternative at each character
    r"(?=[0-9A-Z])(?:"
    r"(?P<hkp>(?:HKG|HKEX|SEHK|HK)\s*[:：]\s*(?P<hkc>\d{1,5}))(?![\d.])"
    r"|(?P<usp>(?:NASDAQ|Nasdaq|NYSE)\s*[:：]\s*(?P<usc>[A-Z]{1,5}))(?![A-Za-z])"
    # "SZ: 300442", "SSE:600589" and the cashtag form with no colon, "$润泽科技(SZ300442)$"
    r"|(?<![A-Za-z])(?P<ap>(?P<apx>SZSE|SSE|SZ|SH|BJ)\s*[:：]?\s*(?P<ac>\d{6}))(?!\d)"
    r"|(?<![\dA-Za-z])(?P<asc>\d{6})\.(?P<asx>SZ|SH|SS|BJ|sz|sh|ss|bj)(?![A-Za-z])"
    r"|(?<![\dA-Za-z.])(?P<hks>\d{4,5})\.(?:HK|hk)(?![A-Za-z])"
    r"|(?<![\dA-Za-z.])(?P<uss>[A-Z]{1,5})\.(?P<usx>O|N|OQ)(?![A-Za-z])"
    r"|(?<![\dA-Za-z.])(?P<twc>\d{4})[.\-](?P<twx>TWO|TW)(?![A-Za-z])"
    r"|(?<=[(（])(?P<bare4>\d{4,5})(?=[)）])"
    r"|(?<![\dA-Za-z.\-])(?P<bare>\d{6})(?![\d.%])"
    r")"
)


def ticker_from_match(m: re.Match[str]) -> tuple[str, bool]:
    """(Wind ticker, is_bare) for a TEXT_TICKER match; bare six-digit codes need context."""
    g = m.groupdict()
    if g["hkc"]:
        return hk_code(g["hkc"]), False
    if g["usc"]:
        ex = "O" if g["usp"].upper().startswith("NASDAQ") else "N"
        return f"{g['usc']}.{ex}", False
    if g["ac"]:
        return f"{g['ac']}.{A_SUFFIX[g['apx'].upper()]}", False
    if g["asc"]:
        return f"{g['asc']}.{A_SUFFIX[g['asx'].upper()]}", False
    if g["hks"]:
        return hk_code(g["hks"]), False
    if g["uss"]:
        return f"{g['uss']}.{'N' if g['usx'] == 'N' else 'O'}", False
    if g["twc"]:
        return f"{g['twc']}.{g['twx']}", False
    if g["bare4"]:  # "廣達（2382）", "万国数据-SW(09698)": the name before it decides the market
        return g["bare4"], True
    code = g["bare"]
    try:
        return f"{code}.{a_share_exchange(code)}", True
    except UsageError:
        return "", True
