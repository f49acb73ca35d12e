"""Bytes -> text -> matching form.

``decode`` turns raw bytes into text and names the encoding; ``detect_language`` labels the
text ``zh-Hans``, ``zh-Hant``, ``en`` or ``mixed``; ``fold`` makes the matching form: NFKC
(full-width -> half-width), case-folded, Traditional -> Simplified, **one character for one
character**, so an offset into the folded text is the same offset into the decoded original.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from screener.errors import InputError


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str


_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _utf16_without_bom(raw: bytes) -> str | None:
    """UTF-16 with no BOM shows as NULs in every other byte (ASCII) or a steady high byte."""
    if len(raw) < 4 or len(raw) % 2:
        return None
    even, odd = raw[0::2], raw[1::2]
    for enc, zeros in (("utf-16-le", odd.count(0)), ("utf-16-be", even.count(0))):
        if zeros >= len(raw) // 8:
            try:
                return enc if raw.decode(enc) else None
            except UnicodeDecodeError:
                continue
    return None


@cache
def _char_class(ranges: str) -> re.Pattern[str]:
    """A character class, compiled on first use: one over wide ranges takes ~2 ms to compile,
    which every command that imports this module (all of them) would pay."""
    return re.compile(f"[{ranges}]")


_COMMON_CHARS = "\x00-\x7f\u4e00-\u9fff\u3000-\u303f\uff00-\uffef"
_CJK_CHARS = "\u4e00-\u9fff\u3400-\u4dbf\uf900-\ufaff"


def _cjk_score(text: str) -> float:
    """Share of characters that are common CJK/ASCII text rather than rare or private-use.
    Counted over the code points as a numpy array (which ``_hant_bias`` then reuses): a
    Python loop per character took ~0.16 ms per candidate decoding of a benchmark note,
    this ~0.016 ms."""
    if not numpy_for(text):
        return len(_char_class(_COMMON_CHARS).findall(text)) / max(1, len(text))
    np = _tables().np
    c = _codes(text)
    good = np.count_nonzero(
        (c < 0x80)
        | ((c >= 0x4E00) & (c <= 0x9FFF))
        | ((c >= 0x3000) & (c <= 0x303F))
        | ((c >= 0xFF00) & (c <= 0xFFEF))
    )
    return int(good) / max(1, len(text))


_MAGIC = (
    (b"%PDF", "a PDF file (convert it to text first, e.g. with pdftotext)"),
    (b"PK\x03\x04", "a ZIP/Office file (save it as text first)"),
    (b"\xd0\xcf\x11\xe0", "an old Office file (save it as text first)"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "gzip data"),
)


# control characters (but tab, newlines, form feed), private use, surrogates, U+FFFD
_NOT_TEXT = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ue000-\uf8ff\ud800-\udfff\ufffd]")


def _looks_like_text(text: str) -> bool:
    """At most 1% control, private-use or replacement characters."""
    return len(_NOT_TEXT.findall(text)) <= len(text) // 100


def decode(raw: bytes, name: str = "<bytes>") -> Decoded:
    """Decode document bytes; raise InputError naming ``name`` when they are not text."""
    if not raw.strip():
        raise InputError(f"{name}: empty file (expected a text document)")
    for magic, what in _MAGIC:
        if raw.startswith(magic):
            raise InputError(f"{name}: binary data, {what}; expected a text document")
    d = _decode(raw, name)
    if not _looks_like_text(d.text):
        raise InputError(
            f"{name}: binary data or undecodable text (decoded as {d.encoding} it is mostly control characters)"
        )
    return d


def _decode(raw: bytes, name: str) -> Decoded:
    for bom, enc in _BOMS:
        if raw.startswith(bom):
            label = "utf-8-bom" if enc == "utf-8-sig" else enc
            try:
                return Decoded(raw.decode(enc), label)
            except UnicodeDecodeError as e:
                raise InputError(
                    f"{name}: has a {label} byte-order mark but is not {enc} text "
                    f"({e.reason} at byte {e.start})"
                ) from e
    enc16 = _utf16_without_bom(raw)
    if enc16:
        return Decoded(raw.decode(enc16), enc16)
    if b"\x00" in raw:
        raise InputError(f"{name}: binary data (NUL bytes), not a text document")
    try:
        return Decoded(raw.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    candidates: list[tuple[float, str, str]] = []
    for enc in ("gb18030", "big5"):
        try:
            text = raw.decode(enc)
        except UnicodeDecodeError:
            continue
        candidates.append((_cjk_score(text) + _hant_bias(text, enc), enc, text))
    if not candidates:
        best = _charset_normalizer_guess(raw)
        if best is None:
            raise InputError(f"{name}: cannot decode: not UTF-8/UTF-16, GB18030 or Big5 text")
        return best
    candidates.sort(reverse=True)
    _, enc, text = candidates[0]
    return Decoded(text, enc)


def _hant_bias(text: str, enc: str) -> float:
    """Big5 bytes decoded as GB18030 give valid but Simplified-looking noise, and vice versa:
    prefer the reading whose script is consistent (Big5 -> Traditional, GB -> Simplified)."""
    hans, hant = script_counts(text)
    total = hans + hant
    if not total:
        return 0.0
    share = (hant if enc == "big5" else hans) / total
    return 0.5 * share


def _charset_normalizer_guess(raw: bytes) -> Decoded | None:
    from charset_normalizer import from_bytes

    best: Any = from_bytes(raw).best()
    if best is None or best.encoding is None:
        return None
    return Decoded(str(best), str(best.encoding).replace("_", "-"))


# ---------------------------------------------------------------- script and language


@lru_cache(maxsize=1)
def opencc_converters() -> tuple[Any, Any]:
    """OpenCC t2s and s2t, created once."""
    import opencc

    return opencc.OpenCC("t2s"), opencc.OpenCC("s2t")


_T2S: dict[str, str] = {}
_IS_HANT: dict[str, bool] = {}
_IS_HANS: dict[str, bool] = {}


class _Tables:
    """Per code point, as arrays (numpy, indexed by the code point): whether a character is
    learned, what it folds to, and whether it is written only in Traditional / Simplified.
    Long texts are folded and counted through them in a few vectorised passes instead of a
    Python dict lookup per character (fold 6x faster, the script count 10x on 1.5 M
    characters); short strings keep str.translate, which is cheaper below a few dozen."""

    def __init__(self) -> None:
        import numpy as np

        self.np = np
        self.learned = np.zeros(0x110000, dtype=bool)
        self.fold = np.arange(0x110000, dtype=np.uint32)
        self.hant = np.zeros(0x10000, dtype=bool)  # CJK ideographs are all in the BMP
        self.hans = np.zeros(0x10000, dtype=bool)
        self.classified = np.zeros(0x10000, dtype=bool)  # hant/hans known (looked up)
        # what the dicts learned before the tables were made (short strings only)
        for code, f in _FOLD.items():
            self.learned[code] = True
            self.fold[code] = ord(f)
        for c in _T2S:
            self.note(c)

    def note(self, c: str) -> None:
        if ord(c) < 0x10000:
            self.hant[ord(c)] = _IS_HANT[c]
            self.hans[ord(c)] = _IS_HANS[c]
            self.classified[ord(c)] = True


_TB: list[_Tables] = []  # made on the first long text: short ones never import numpy

# Characters a process reads in Python (str.translate, regular expressions) before it turns
# to the numpy tables. Folding, the language and the sentence breaks of the 54 eval documents
# cost 0.31 us a character that way and 0.065 us through the tables, which take 0.07-0.13 s to
# import numpy and make: even at 300-500 k characters. Stopping below that bounds the time
# lost when a process reads on; a process that reads one note never imports numpy.
PYTHON_CHARS = 200_000
_PYTHON_LEFT = [PYTHON_CHARS]


def numpy_for(text: str) -> bool:
    """Whether to read ``text`` through the numpy tables: yes once they exist (made now when
    ``text`` is longer than what is left of the allowance)."""
    if not _TB:
        if len(text) <= _PYTHON_LEFT[0]:
            return False
        _tables()
    return True


def warm() -> None:
    """Make the code-point tables (numpy imported, 5 MB) and load the script table now: a
    parent calls this before it forks extraction workers, so they share one copy instead of
    each making its own."""
    _script_table()
    _tables()


def _tables() -> _Tables:
    if not _TB:
        _TB.append(_Tables())
    return _TB[0]


def _learn(chars: set[str]) -> None:
    """Classify unseen CJK characters: their Simplified form, and whether only Traditional
    or only Simplified writes them. From the script table (the CJK blocks), else OpenCC."""
    new = sorted(c for c in chars if c not in _T2S)
    if not new:
        return
    simp_of, trad_of = _script_table()
    forms = [(simp_of[i], trad_of[i]) for i in map(_block_position, new) if i is not None]
    if len(forms) < len(new):  # a character outside the blocks (the extractor sends none)
        forms = _opencc_forms(new)
    for c, (s, t) in zip(new, forms, strict=True):
        _T2S[c] = s
        _IS_HANT[c] = s != c
        _IS_HANS[c] = t != c
        if _TB:
            _TB[0].note(c)


# The CJK blocks whose characters are classified (``_is_cjk``), in the script table's order.
_CJK_BLOCKS = ((0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0xF900, 0xFAFF))


def _block_position(c: str) -> int | None:
    code, at = ord(c), 0
    for lo, hi in _CJK_BLOCKS:
        if lo <= code <= hi:
            return at + code - lo
        at += hi - lo + 1
    return None


def _opencc_forms(chars: list[str]) -> list[tuple[str, str]]:
    """Each character's Simplified and Traditional form by OpenCC, each converted on its own
    (joined by newlines: no phrase spans two); one that converts to several characters or
    none stands for itself."""
    t2s, s2t = opencc_converters()
    joined = "\n".join(chars)
    simp = t2s.convert(joined).split("\n")
    trad = s2t.convert(joined).split("\n")
    return [
        (s if len(s) == 1 else c, t if len(t) == 1 else c)
        for c, s, t in zip(chars, simp, trad, strict=True)
    ]


@lru_cache(maxsize=1)
def _script_table() -> tuple[str, str]:
    """The Simplified and the Traditional form of every character of the CJK blocks (28 k),
    position by position. Made once by OpenCC (its dictionaries take 0.1-0.2 s to load and
    ~0.07 s to free at exit; the 28 k characters 0.02 s) and kept in the cache under the state
    of OpenCC's files, so that a process that finds it there never loads OpenCC."""
    from screener import cache

    key = _opencc_key()
    kept = cache.get("scripts", key) if key else None
    size = sum(hi - lo + 1 for lo, hi in _CJK_BLOCKS)
    if isinstance(kept, tuple) and [len(x) for x in kept] == [size, size]:
        return kept
    chars = [chr(code) for lo, hi in _CJK_BLOCKS for code in range(lo, hi + 1)]
    forms = _opencc_forms(chars)
    table = ("".join(s for s, _ in forms), "".join(t for _, t in forms))
    if key:
        cache.put("scripts", key, table)
    return table


def _opencc_key() -> str | None:
    """The state (name, size, time) of OpenCC's installed files, and of how the table is
    made (``1``): a new OpenCC or its dictionaries make a new table."""
    import hashlib
    import importlib.util
    from pathlib import Path

    spec = importlib.util.find_spec("opencc")
    if spec is None or not spec.submodule_search_locations:
        return None
    root = Path(next(iter(spec.submodule_search_locations)))
    h = hashlib.sha256(b"1")
    for f in sorted(root.rglob("*")):
        if f.is_file() and "__pycache__" not in f.parts:
            st = f.stat()
            h.update(f"{f.relative_to(root).as_posix()} {st.st_size} {st.st_mtime_ns}\n".encode())
    return h.hexdigest()


def _is_cjk(c: str) -> bool:
    return "\u4e00" <= c <= "\u9fff" or "\u3400" <= c <= "\u4dbf" or "\uf900" <= c <= "\ufaff"


# the last long text and its code points, one tuple (read and replaced whole, so a thread
# never pairs one text with another's codes): fold follows detect_language on the same text
_LAST: list[tuple[str, Any] | None] = [None]


def _codes(text: str) -> Any:
    """The code points of ``text`` as a numpy array (UTF-32, lone surrogates kept)."""
    last = _LAST[0]
    if last is not None and last[0] is text:
        return last[1]
    np = _tables().np
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    _LAST[0] = (text, codes)
    return codes


def _cjk_codes(codes: Any) -> Any:
    return codes[
        ((codes >= 0x4E00) & (codes <= 0x9FFF))
        | ((codes >= 0x3400) & (codes <= 0x4DBF))
        | ((codes >= 0xF900) & (codes <= 0xFAFF))
    ]


def script_counts(text: str) -> tuple[int, int]:
    """(characters only Simplified writes, characters only Traditional writes)."""
    if not numpy_for(text):
        return _script_counts_of(_char_class(_CJK_CHARS).findall(text))
    np = _tables().np
    return _script_counts(_cjk_codes(_codes(text)), np)


def _script_counts_of(cjk: list[str]) -> tuple[int, int]:
    """``_script_counts`` over a list of CJK characters, in Python."""
    _learn(set(cjk))
    hans, hant = _IS_HANS, _IS_HANT
    return sum(1 for c in cjk if hans[c] and not hant[c]), sum(1 for c in cjk if hant[c])


def _script_counts(cjk: Any, np: Any) -> tuple[int, int]:
    tb = _tables()
    unseen = cjk[~tb.classified[cjk]]  # only characters never classified are looked up
    if len(unseen):
        _learn({chr(c) for c in np.unique(unseen).tolist()})
    hant = tb.hant[cjk]
    return int(np.count_nonzero(tb.hans[cjk] & ~hant)), int(np.count_nonzero(hant))


def detect_language(text: str) -> str:
    """``zh-Hans``, ``zh-Hant``, ``en`` or ``mixed`` from the share of Latin letters against
    CJK characters (a CJK character carries about as much as three letters): 90% or more
    is ``en``, 30% or less Chinese (Traditional when its own characters outnumber
    Simplified two to one), between the two ``mixed``."""
    tables = numpy_for(text)
    if tables:
        np = _tables().np
        codes = _codes(text)
        cjk = _cjk_codes(codes)
        lower = codes | 0x20  # A-Z -> a-z, and nothing else into a-z
        letters = int(np.count_nonzero((lower >= 0x61) & (lower <= 0x7A)))
    else:
        cjk = _char_class(_CJK_CHARS).findall(text)
        letters = len(_char_class("A-Za-z").findall(text))
    share = letters / max(1, letters + 3 * len(cjk))
    if share >= 0.9:
        return "en"
    if share > 0.3:
        return "mixed"
    hans, hant = _script_counts(cjk, np) if tables else _script_counts_of(cjk)
    return "zh-Hant" if hant > hans * 2 else "zh-Hans"


# ---------------------------------------------------------------- folding


_FOLD: dict[int, str] = {}


def _fold_char(c: str) -> str:
    n = unicodedata.normalize("NFKC", c)
    if len(n) != 1:
        n = c
    n = n.lower() if len(n.lower()) == 1 else n
    return _T2S.get(n, n)


def _learn_folds(new: list[str]) -> None:
    nfkc = [unicodedata.normalize("NFKC", c) for c in new]
    _learn({n for n in nfkc if len(n) == 1 and _is_cjk(n)})
    for c in new:
        f = _fold_char(c)
        _FOLD[ord(c)] = f
        if _TB:
            _TB[0].fold[ord(c)] = ord(f)
            _TB[0].learned[ord(c)] = True


def fold(text: str) -> str:
    """Matching form of ``text`` with ``len(fold(text)) == len(text)``."""
    if len(text) < 256 or not numpy_for(text):
        if len(text) >= 256:
            _PYTHON_LEFT[0] -= len(text)  # a document's text (not a name or a heading)
        new = [c for c in set(text) if ord(c) not in _FOLD]
        if new:
            _learn_folds(new)
        return text.translate(_FOLD)
    tb = _tables()
    np = tb.np
    codes = _codes(text)
    _LAST[0] = None  # fold is the last reader of a document's code points
    unseen = codes[~tb.learned[codes]]
    if len(unseen):
        _learn_folds([chr(c) for c in np.unique(unseen).tolist()])
    return str(tb.fold[codes].tobytes().decode("utf-32-le", "surrogatepass"))
