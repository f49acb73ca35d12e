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
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
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


def _cjk_score(text: str) -> float:
    """Share of characters that are common CJK/ASCII text rather than rare or private-use."""
    good = 0
    for ch in text:
        o = ord(ch)
        if o < 0x80 or 0x4E00 <= o <= 0x9FFF or 0x3000 <= o <= 0x303F or 0xFF00 <= o <= 0xFFEF:
            good += 1
    return good / max(1, len(text))


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


def _learn(chars: set[str]) -> None:
    """Classify unseen CJK characters in one OpenCC call each way (joined, 1:1 per char)."""
    new = sorted(c for c in chars if c not in _T2S)
    if not new:
        return
    t2s, s2t = opencc_converters()
    joined = "\n".join(new)
    simp = t2s.convert(joined).split("\n")
    trad = s2t.convert(joined).split("\n")
    for c, s, t in zip(new, simp, trad, strict=True):
        _T2S[c] = s if len(s) == 1 else c
        _IS_HANT[c] = len(s) == 1 and s != c
        _IS_HANS[c] = len(t) == 1 and t != c


def _is_cjk(c: str) -> bool:
    return "\u4e00" <= c <= "\u9fff" or "\u3400" <= c <= "\u4dbf" or "\uf900" <= c <= "\ufaff"


def script_counts(text: str, counts: Counter[str] | None = None) -> tuple[int, int]:
    """(characters only Simplified writes, characters only Traditional writes)."""
    counts = counts if counts is not None else Counter(text)
    chars = {c for c in counts if _is_cjk(c)}
    _learn(chars)
    hans = sum(counts[c] for c in chars if _IS_HANS[c] and not _IS_HANT[c])
    hant = sum(counts[c] for c in chars if _IS_HANT[c])
    return hans, hant


_CJK_RUN = re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf\uf900-\ufaff]+")
_LATIN_RUN = re.compile(r"[A-Za-z]+")


def detect_language(text: str) -> str:
    """``zh-Hans``, ``zh-Hant``, ``en`` or ``mixed`` from the share of Latin letters against
    CJK characters (a CJK character carries about as much as three letters): 90% or more
    is ``en``, 30% or less Chinese (Traditional when its own characters outnumber
    Simplified two to one), between the two ``mixed``."""
    cjk = sum(map(len, _CJK_RUN.findall(text)))
    letters = sum(map(len, _LATIN_RUN.findall(text)))
    share = letters / max(1, letters + 3 * cjk)
    if share >= 0.9:
        return "en"
    if share > 0.3:
        return "mixed"
    hans, hant = script_counts(text)
    return "zh-Hant" if hant > hans * 2 else "zh-Hans"


# ---------------------------------------------------------------- folding


_FOLD: dict[int, str] = {}


def _fold_char(c: str) -> str:
    n = unicodedata.normalize("NFKC", c)
    if len(n) != 1:
        n = c
    n = n.lower() if len(n.lower()) == 1 else n
    return _T2S.get(n, n)


def fold(text: str) -> str:
    """Matching form of ``text`` with ``len(fold(text)) == len(text)``."""
    new = [c for c in set(text) if ord(c) not in _FOLD]
    if new:
        nfkc = [unicodedata.normalize("NFKC", c) for c in new]
        _learn({n for n in nfkc if len(n) == 1 and _is_cjk(n)})
        for c in new:
            _FOLD[ord(c)] = _fold_char(c)
    return text.translate(_FOLD)
