"""Bytes of a file -> the text the extractor reads, with what the file says about itself.

One reader per format, chosen by content (magic bytes, markup), the file name's suffix only
breaking ties between plain text and Markdown:

- ``text``     plain text in UTF-8/16, GB18030 or Big5 (``screener.text.decode``);
- ``markdown`` YAML front matter gives title, date and source; the body is kept as written;
- ``html``     the article without navigation (trafilatura), headings, lists and tables
               written back as Markdown; title and date from the page's metadata;
- ``pdf``      text per page in reading order with tables as ``| a | b |`` rows (pdfplumber);
               page start offsets kept so evidence can say its page;
- ``docx``     paragraphs, headings, lists and tables in document order (python-docx).

Every reader returns a ``Source`` whose ``text`` is what gets stored and extracted: evidence
offsets index it. Each format's library is imported only when a file of that format comes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from screener.errors import InputError

FORMATS = ("text", "markdown", "html", "pdf", "docx")


@dataclass
class Source:
    """What a reader made of one file."""

    text: str
    format: str
    encoding: str  # the text encoding, or the container (pdf, docx)
    title: str | None = None
    published_on: date | None = None
    publisher: str | None = None
    # True when the date is weaker than a dateline in the text (a PDF's creation date)
    date_is_fallback: bool = False
    # offset where each page starts in ``text`` (PDF only): page n starts at pages[n - 1]
    pages: list[int] = field(default_factory=list)


_HTML_START = re.compile(
    rb"^\s*(<\?xml[^>]*>\s*)?(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body)\b", re.I | re.S
)
_FRONT_MATTER = re.compile(rb"^(\xef\xbb\xbf)?---[ \t]*\r?\n")


def sniff(raw: bytes, suffix: str = "") -> str:
    """The format of ``raw`` from its content; ``suffix`` (".md") only tells Markdown from text."""
    head = raw[:1024]
    if head.startswith(b"%PDF") or (b"%PDF-" in head and suffix == ".pdf"):
        return "pdf"
    if raw.startswith(b"PK\x03\x04"):
        return "docx" if b"word/" in raw[:65536] or b"[Content_Types].xml" in raw[:4096] else "zip"
    if _HTML_START.match(_strip_bom(raw[:4096])):
        return "html"
    if suffix in (".htm", ".html", ".xhtml") and re.search(
        rb"<(html|body|p|div)\b", raw[:65536], re.I
    ):
        return "html"
    if suffix in (".md", ".markdown") or _FRONT_MATTER.match(raw):
        return "markdown"
    return "text"


def _strip_bom(raw: bytes) -> bytes:
    return raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw


def read_source(raw: bytes, name: str, suffix: str = "") -> Source:
    """Read ``raw`` (the bytes of file ``name``) with the reader its content calls for."""
    fmt = sniff(raw, suffix.lower())
    if fmt == "pdf":
        from screener.readers.pdf import read_pdf

        src = read_pdf(raw, name)
    elif fmt == "docx":
        from screener.readers.docx import read_docx

        src = read_docx(raw, name)
    elif fmt == "zip":
        raise InputError(
            f"{name}: a ZIP file that is not a Word document (.docx); expected a document"
        )
    elif fmt == "html":
        from screener.readers.html import read_html

        src = read_html(raw, name)
    elif fmt == "markdown":
        from screener.readers.markdown import read_markdown

        src = read_markdown(raw, name)
    else:
        from screener.text import decode

        d = decode(raw, name)
        src = Source(normalise_newlines(d.text), "text", d.encoding)
    if not src.text.strip():
        raise InputError(f"{name}: no text in this {fmt} file")
    return src


def normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def parse_date(value: object) -> date | None:
    """A date from metadata: a date, an ISO string (2026-10-08T09:30:00+08:00), 20261008,
    2026/10/08 or 2026年10月8日; None when it is not one."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if value is None:
        return None
    m = re.match(r"\s*(\d{4})\s*[-/.年]?\s*(\d{1,2})\s*[-/.月]?\s*(\d{1,2})", str(value))
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def table_rows(rows: list[list[str | None]]) -> list[str]:
    """Table cells as Markdown rows the extractor's table rule reads (a rule under the header)."""
    clean = [[_cell(c) for c in r] for r in rows]
    clean = [r for r in clean if any(r)]
    if not clean:
        return []
    out = ["| " + " | ".join(clean[0]) + " |", "|" + "---|" * len(clean[0])]
    out += ["| " + " | ".join(r) + " |" for r in clean[1:]]
    return out


_SEPARATOR = re.compile(r"[、,，;；/]")
_CJK_CHAR = re.compile(r"[\u3400-\u9fff\uff00-\uffef]")


def _cell(c: str | None) -> str:
    """One line per cell. Short lines with no separator are one item each (a name a line:
    joined with 、); other lines are a wrapped text (joined with nothing between CJK
    characters, a space between words)."""
    lines = [ln.strip() for ln in (c or "").replace("|", "/").split("\n") if ln.strip()]
    if (
        len(lines) > 1
        and not any(_SEPARATOR.search(ln) for ln in lines)
        and all(len(ln) <= 8 for ln in lines)
    ):
        return "、".join(lines)
    out = lines[0] if lines else ""
    for ln in lines[1:]:
        cjk = _CJK_CHAR.match(out[-1:]) or _CJK_CHAR.match(ln[:1])
        out += ("" if cjk or _SEPARATOR.match(out[-1:]) else " ") + ln
    return out
