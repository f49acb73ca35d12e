"""PDF -> text per page in reading order, tables as Markdown rows (pdfplumber, MIT).

A page's ruled tables are found first (``find_tables``); the text outside them is read as
lines, and a line that runs to the right margin and is continued by the next line is joined
to it (a paragraph wrapped by the layout, not a new line: names and figures split by a wrap
would otherwise be missed). Each table is written as ``| cell | cell |`` rows where it stands
on the page. What came out is checked: a PDF with no text layer (scanned), or whose CJK fonts
decode to CID codes or private-use characters, is refused with the reason rather than
ingested as noise.
"""

from __future__ import annotations

import io
import re
from datetime import date
from typing import Any

from screener.errors import InputError
from screener.readers import Source, parse_date, table_rows

_CID = re.compile(r"\(cid:\d+\)")
_PRIVATE = re.compile("[\ue000-\uf8ff\ufffd]")
_ENDS_SENTENCE = re.compile(r"[。！？!?；;：:]$|[.)]$")
_CJK = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")


def read_pdf(raw: bytes, name: str) -> Source:
    import pdfplumber
    from pdfminer.pdfdocument import PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFSyntaxError
    from pdfminer.psparser import PSException

    try:
        with pdfplumber.open(io.BytesIO(raw)) as pdf:
            pages = [_page_text(p) for p in pdf.pages]
            meta = dict(pdf.metadata or {})
            n_images = sum(len(p.images) for p in pdf.pages)
    except Exception as e:  # pdfplumber wraps pdfminer's errors; some damage raises bare ones
        cause = _cause(e)
        if isinstance(cause, PDFPasswordIncorrect):
            raise InputError(
                f"{name}: the PDF is encrypted with a password; save an unlocked copy"
            ) from e
        what = "truncated or damaged" if isinstance(cause, (PDFSyntaxError, PSException)) else ""
        detail = f"{type(cause).__name__}: {cause}".rstrip(": ")
        raise InputError(f"{name}: not a readable PDF ({what or detail})") from e
    _check(pages, n_images, name)
    starts, parts, pos = [], [], 0
    for i, t in enumerate(pages):
        if i:
            parts.append("\n\f\n")  # a form feed between pages, on its own line
            pos += 3
        starts.append(pos)
        parts.append(t)
        pos += len(t)
    return Source(
        "".join(parts),
        "pdf",
        "pdf",
        title=_meta_str(meta.get("Title")),
        published_on=_pdf_date(meta.get("CreationDate")),
        publisher=None,
        pages=starts,
        date_is_fallback=True,
    )


def _cause(e: BaseException) -> BaseException:
    """The pdfminer error inside pdfplumber's wrapper."""
    seen = 0
    while seen < 5:
        inner = e.args[0] if e.args and isinstance(e.args[0], BaseException) else e.__cause__
        if inner is None:
            return e
        e, seen = inner, seen + 1
    return e


def _page_text(page: Any) -> str:
    tables = page.find_tables()
    boxes = [t.bbox for t in tables]

    def outside(obj: dict[str, Any]) -> bool:
        if obj.get("object_type") != "char":
            return True
        cx, cy = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
        return not any(x0 <= cx <= x1 and top <= cy <= bottom for x0, top, x1, bottom in boxes)

    lines = (
        page.filter(outside).extract_text_lines(return_chars=False)
        if boxes
        else page.extract_text_lines(return_chars=False)
    )
    blocks: list[tuple[float, list[str]]] = [(t.bbox[1], table_rows(t.extract())) for t in tables]
    right = max((ln["x1"] for ln in lines), default=0.0)
    left = min((ln["x0"] for ln in lines), default=0.0)
    # a right margin exists only where at least two lines reach it (a wrapped paragraph)
    at_margin = sum(1 for ln in lines if right - ln["x1"] <= 1.5 * _size(ln))
    wraps = at_margin >= 2
    text_lines: list[tuple[float, str]] = []
    prev: dict[str, Any] | None = None
    for ln in lines:
        s = ln["text"].rstrip()
        if not s:
            continue
        if wraps and prev is not None and text_lines and _continues(prev, ln, left, right):
            top, before = text_lines[-1]
            sep = "" if _CJK.search(before[-1:]) or _CJK.search(s[:1]) else " "
            text_lines[-1] = (top, before + sep + s.lstrip())
        else:
            text_lines.append((ln["top"], s))
        prev = ln
    for top, rows in blocks:
        text_lines.append((top, "\n".join(rows)))
    text_lines.sort(key=lambda t: t[0])
    return "\n".join(s for _, s in text_lines)


def _continues(prev: dict[str, Any], ln: dict[str, Any], left: float, right: float) -> bool:
    """``ln`` carries on ``prev``'s paragraph: prev reaches the right margin without ending
    a sentence, ln starts at the left margin right below it."""
    size = _size(prev)
    return (
        abs(_size(ln) - size) <= 0.5
        and right - prev["x1"] <= 1.5 * size
        and abs(ln["x0"] - left) <= 1.5 * size
        and 0 <= ln["top"] - prev["bottom"] <= 1.2 * size
        and not _ENDS_SENTENCE.search(prev["text"].rstrip())
    )


def _size(ln: dict[str, Any]) -> float:
    return max(float(ln["bottom"] - ln["top"]), 1.0)


def _check(pages: list[str], n_images: int, name: str) -> None:
    text = "".join(pages)
    visible = len(re.sub(r"\s", "", text))
    if visible == 0:
        what = "images only, no text layer (a scanned PDF?)" if n_images else "no text at all"
        raise InputError(f"{name}: the PDF has {what}; run OCR on it first (e.g. ocrmypdf)")
    bad = sum(len(m) for m in _CID.findall(text)) + len(_PRIVATE.findall(text))
    if bad > visible // 10:
        raise InputError(
            f"{name}: the PDF's fonts do not map to Unicode ({bad} of {visible} characters are "
            "CID codes or private-use); its text cannot be read reliably"
        )


def _meta_str(v: object) -> str | None:
    if isinstance(v, bytes):
        try:
            v = (
                v.decode("utf-16")
                if v.startswith((b"\xfe\xff", b"\xff\xfe"))
                else v.decode("latin-1")
            )
        except UnicodeDecodeError:
            return None
    s = str(v).strip() if v is not None else ""
    return s or None


def _pdf_date(v: object) -> date | None:
    """A PDF date string (D:20261008093000+08'00'). Creation date is the best a PDF says."""
    s = _meta_str(v)
    if not s:
        return None
    return parse_date(s.removeprefix("D:")[:8])
