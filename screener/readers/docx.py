"""Word (.docx) -> text in document order (python-docx, MIT): headings as Markdown headings,
list paragraphs as bullets, tables as ``| a | b |`` rows; title and date from the core
properties."""

from __future__ import annotations

import io
from typing import Any

from screener.errors import InputError
from screener.readers import Source, table_rows


def read_docx(raw: bytes, name: str) -> Source:
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        doc = docx.Document(io.BytesIO(raw))
    except Exception as e:  # a damaged package raises zipfile/KeyError/lxml errors
        raise InputError(f"{name}: not a readable Word document ({type(e).__name__}: {e})") from e
    lines: list[str] = []
    for block in doc.iter_inner_content():
        if isinstance(block, Paragraph):
            s = block.text.strip()
            if s:
                lines.append(_prefix(block) + s)
        elif isinstance(block, Table):
            rows = [[cell.text for cell in row.cells] for row in block.rows]
            lines.extend(table_rows(_dedupe_merged(rows)))
    props: Any = doc.core_properties
    created = props.created
    return Source(
        "\n".join(lines) + "\n",
        "docx",
        "docx",
        title=(props.title or "").strip() or None,
        published_on=created.date() if created is not None else None,
        publisher=(props.author or "").strip() or None,
        date_is_fallback=True,
    )


def _prefix(p: Any) -> str:
    style = (p.style.name if p.style is not None else "") or ""
    if style.startswith("Heading") and style[-1:].isdigit():
        return "#" * int(style[-1]) + " "
    if style == "Title":
        return "# "
    if "List" in style:
        return "- "
    return ""


def _dedupe_merged(rows: list[list[str]]) -> list[list[str | None]]:
    """A merged cell repeats in every grid column it spans; keep it once."""
    out: list[list[str | None]] = []
    for r in rows:
        row: list[str | None] = []
        for i, c in enumerate(r):
            row.append(None if i and c == r[i - 1] else c)
        out.append(row)
    return out
