"""Tables: a row pairs a segment with names (| 光模块 | 中际旭创、新易盛 |); a column headed
客户 holds customers; a column headed 应用场景/下游 says where a product goes, not what it is."""

from __future__ import annotations

from screener.extract.document import Doc, Found, Site, has
from screener.extract.layout import cell_span


def row_theme(doc: Doc, site: Site) -> Found | None:
    """1. A table row: keywords in the row's other cells (not a usage column's), else the
    section heading's themes."""
    if not doc.lay.table_line[site.line_no]:
        return None
    ls, le = site.ls, site.le
    own = cell_span(doc.text[ls:le], site.mention.start - ls)
    row = [
        k.theme
        for k in doc.keywords.between(ls, le)
        if not (own[0] <= k.start - ls < own[1])
        and not has(doc.column_header(site.line_no, k.start), doc.struct["usage_column"])
    ]
    themes = list(dict.fromkeys(row)) or site.heading_themes
    return Found(themes, "table") if themes else None


def customer_column(doc: Doc, line_no: int, pos: int) -> bool:
    """A table cell under a column whose header names customers (客户, customers)."""
    return has(doc.column_header(line_no, pos), doc.role_cues["customer"])
