"""HTML -> the article's text (trafilatura, Apache-2.0), navigation, footers and comments
left out; headings, lists and tables come back as Markdown so the structure rules read them.
Title and publication date come from the page's metadata (og:title, article:published_time,
<time>, JSON-LD), read by trafilatura and htmldate. The bytes are decoded by the charset the
page declares (a page saved as GBK or Big5), else as any text file is."""

from __future__ import annotations

import re
from typing import Any

from screener.errors import InputError
from screener.readers import Source, normalise_newlines, parse_date
from screener.text import decode

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
# what a page declares -> the codec that reads every byte of it (GB2312/GBK pages use GB18030
# characters in practice; Big5 pages use the HKSCS/CP950 extensions)
_CODECS = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "gb18030": "gb18030",
    "big5": "big5hkscs",
    "big5-hkscs": "big5hkscs",
    "x-gbk": "gb18030",
}


def read_html(raw: bytes, name: str) -> Source:
    html, encoding = _decode(raw, name)
    import trafilatura
    from trafilatura.settings import use_config

    config = use_config()
    # short news pages are articles too: below the default sizes trafilatura falls back to a
    # flat text that loses headings, lists and tables
    config.set("DEFAULT", "MIN_EXTRACTED_SIZE", "20")
    config.set("DEFAULT", "MIN_OUTPUT_SIZE", "1")
    options: dict[str, Any] = dict(
        output_format="markdown",
        include_tables=True,
        include_links=False,
        include_images=False,
        include_comments=False,
        deduplicate=False,
        config=config,
    )
    try:
        text = trafilatura.extract(html, fast=True, **options) or trafilatura.extract(
            html, **options
        )
        meta = trafilatura.extract_metadata(html)
    except Exception as e:  # lxml parse failures surface as assorted exceptions
        raise InputError(f"{name}: HTML that cannot be parsed ({type(e).__name__}: {e})") from e
    if not text or not text.strip():
        raise InputError(f"{name}: no article text found in this HTML page")
    title = meta.title if meta is not None else None
    return Source(
        _tidy(text),
        "html",
        encoding,
        title=title.strip() if title else None,
        published_on=parse_date(meta.date) if meta is not None and meta.date else None,
        publisher=(meta.sitename or None) if meta is not None else None,
    )


def _decode(raw: bytes, name: str) -> tuple[str, str]:
    m = _META_CHARSET.search(raw[:8192])
    if m:
        declared = m.group(1).decode("ascii").lower()
        codec = _CODECS.get(declared, declared)
        try:
            return raw.decode(codec), declared
        except (LookupError, UnicodeDecodeError):
            pass  # a wrong declaration: the content decides
    d = decode(raw, name)
    return d.text, d.encoding


def _tidy(text: str) -> str:
    """trafilatura's Markdown with the trailing spaces of table rows and surplus blank
    lines taken out."""
    lines = [ln.rstrip() for ln in normalise_newlines(text).split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"
