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

    source = page.filter(outside) if boxes else page
    lines = source.extract_text_lines(return_chars=True)
    items: list[dict[str, Any]] = [
        seg for ln in lines for seg in _segments(ln) if seg["text"].strip()
    ]
    for t in tables:  # a table stands where its box is, as one block of rows
        x0, top, x1, bottom = t.bbox
        rows = "\n".join(table_rows(t.extract()))
        items.append({"text": rows, "x0": x0, "x1": x1, "top": top, "bottom": bottom, "table": 1})
    out: list[str] = []
    for block in _reading_order(items):
        out.extend(_join_wrapped(block))
    return "\n".join(out)


def _segments(line: dict[str, Any]) -> list[dict[str, Any]]:
    """A text line cut where its characters leave a gap wider than 1.5 em: pdfplumber reads
    a sidebar and the body beside it on one baseline as one line."""
    chars = sorted(line.get("chars") or [], key=lambda c: c["x0"])
    if not chars:
        return [line]
    parts: list[list[dict[str, Any]]] = [[chars[0]]]
    for c in chars[1:]:
        prev = parts[-1][-1]
        size = max(float(prev.get("size") or 0), float(c.get("size") or 0), 1.0)
        if c["x0"] - prev["x1"] > 1.5 * size:
            parts.append([c])
        else:
            parts[-1].append(c)
    if len(parts) == 1:
        return [line]
    return [
        {
            "text": "".join(c["text"] for c in p),
            "x0": p[0]["x0"],
            "x1": max(c["x1"] for c in p),
            "top": min(c["top"] for c in p),
            "bottom": max(c["bottom"] for c in p),
        }
        for p in parts
    ]


def _reading_order(items: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Blocks of lines in reading order. Where the page has two columns (a gutter no line
    crosses, with lines on both sides: a broker note's sidebar and body), each band between
    lines that span the page is read left column first, then right."""
    items = sorted(items, key=lambda it: (it["top"], it["x0"]))
    gutter = _gutter(items)
    if gutter is None:
        return [items]
    blocks: list[list[dict[str, Any]]] = []
    left: list[dict[str, Any]] = []
    right: list[dict[str, Any]] = []
    for it in items:
        if it["x0"] < gutter < it["x1"]:  # spans both columns: ends the band
            blocks += [b for b in (left, right) if b]
            blocks.append([it])
            left, right = [], []
        elif it["x1"] <= gutter:
            left.append(it)
        else:
            right.append(it)
    blocks += [b for b in (left, right) if b]
    return blocks


def _gutter(items: list[dict[str, Any]]) -> float | None:
    """The x just left of a second column: a left edge where at least three lines start,
    with at least three lines ending left of it in the same height range and none crossing
    it there."""
    if len(items) < 6:
        return None
    margin = min(it["x0"] for it in items)
    edges: dict[int, list[dict[str, Any]]] = {}
    for it in items:
        edges.setdefault(round(it["x0"] / 2), []).append(it)
    for key in sorted(edges):
        col = edges[key]
        x = min(it["x0"] for it in col) - 4
        if len(col) < 3 or x - margin < 24:
            continue
        top, bottom = min(it["top"] for it in col), max(it["bottom"] for it in col)
        beside = [it for it in items if it["bottom"] > top and it["top"] < bottom]
        if any(it["x0"] < x < it["x1"] for it in beside):
            continue
        if sum(1 for it in beside if it["x1"] <= x) >= 3:
            return x
    return None


def _join_wrapped(block: list[dict[str, Any]]) -> list[str]:
    """The block's lines, a line that continues the paragraph above it joined to it."""
    lines = [it for it in block if not it.get("table")]
    right = max((ln["x1"] for ln in lines), default=0.0)
    left = min((ln["x0"] for ln in lines), default=0.0)
    # a right margin exists only where at least two lines reach it (a wrapped paragraph)
    wraps = sum(1 for ln in lines if right - ln["x1"] <= 1.5 * _size(ln)) >= 2
    out: list[str] = []
    prev: dict[str, Any] | None = None
    for it in block:
        s = it["text"].rstrip()
        if it.get("table"):
            out.append(s)
            prev = None
            continue
        if wraps and prev is not None and out and _continues(prev, it, left, right):
            sep = "" if _CJK.search(out[-1][-1:]) or _CJK.search(s[:1]) else " "
            out[-1] = out[-1] + sep + s.lstrip()
        else:
            out.append(s)
        prev = it
    return out


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
