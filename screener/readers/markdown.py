"""Markdown -> text: YAML front matter gives title, date and source; the body is kept as
written (headings, bullets and tables are what the extractor's structure rules read)."""

from __future__ import annotations

import re
from typing import Any

from screener.errors import InputError
from screener.readers import Source, normalise_newlines, parse_date
from screener.text import decode

_FRONT = re.compile(r"\A---[ \t]*\n(.*?\n)?(---|\.\.\.)[ \t]*(\n|\Z)", re.S)
DATE_KEYS = ("publishedAt", "published_at", "published", "date", "pubDate", "created")
TITLE_KEYS = ("title",)
SOURCE_KEYS = ("source", "publisher", "author")


def read_markdown(raw: bytes, name: str) -> Source:
    d = decode(raw, name)
    text = normalise_newlines(d.text).lstrip("\ufeff")
    meta, body = split_front_matter(text, name)
    title = _first_str(meta, TITLE_KEYS)
    first = next((ln.strip().lstrip("#").strip() for ln in body.split("\n") if ln.strip()), "")
    if title and first != title:
        # the title opens the text as its heading: the topic that labels the whole document
        body = f"# {title}\n\n{body.lstrip(chr(10))}"
    return Source(
        body,
        "markdown",
        d.encoding,
        title=title,
        published_on=next((parse_date(meta[k]) for k in DATE_KEYS if meta.get(k)), None),
        publisher=_first_str(meta, SOURCE_KEYS),
    )


def split_front_matter(text: str, name: str) -> tuple[dict[str, Any], str]:
    """(the front matter as a dict, the body after it); ({}, text) when there is none."""
    m = _FRONT.match(text)
    if not m:
        return {}, text
    import yaml

    try:
        meta = yaml.safe_load(m.group(1) or "") or {}
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" line {mark.line + 2}" if mark is not None else ""
        raise InputError(
            f"{name}:{where}: the YAML front matter does not parse ({getattr(e, 'problem', e)})"
        ) from e
    if not isinstance(meta, dict):
        return {}, text  # a thematic break (---) that opens the file, not front matter
    return meta, text[m.end() :]


def _first_str(meta: dict[str, Any], keys: tuple[str, ...]) -> str | None:
    for k in keys:
        v = meta.get(k)
        if isinstance(v, str) and v.strip():
            return v.strip()
    return None
