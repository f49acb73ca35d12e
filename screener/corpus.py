"""Documents -> rows: read a file, decode it, extract, and shape the facts as the tables' rows.

Used by ``ingest`` (user documents) and by ``scripts/make_corpus.py`` (the bundled facts of
the seed documents in ``data/corpus/``). Both go through ``read_document``, so the bundled
facts are exactly what the extractor produces.
"""

from __future__ import annotations

import csv
import hashlib
import re
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from screener.errors import InputError
from screener.extract import Extraction, extract
from screener.reference import DATA_DIR, Knowledge
from screener.text import detect_language

if TYPE_CHECKING:
    import polars as pl

MAX_BYTES = 50 * 1024 * 1024

# The tables' columns in order, with polars' names of their types: names, not polars' types,
# so that a few documents go to the database without importing polars (``Rows``)
MENTION_SCHEMA = {
    "doc_id": "String",
    "company_id": "String",
    "start_pos": "Int32",
    "end_pos": "Int32",
    "matched": "String",
    "via": "String",
    "alias_kind": "String",
    "ticker": "String",
}
LINK_SCHEMA = {
    "doc_id": "String",
    "company_id": "String",
    "theme": "String",
    "role": "String",
    "evidence": "String",
    "start_pos": "Int32",
    "end_pos": "Int32",
    "snippet": "String",
    "confidence": "Float64",
    "mentions": "Int32",
    "page": "Int32",
}
CAPEX_SCHEMA = {
    "doc_id": "String",
    "company_id": "String",
    "spender_label": "String",
    "period": "String",
    "amount": "Float64",
    "amount_low": "Float64",
    "amount_high": "Float64",
    "currency": "String",
    "qualifier": "String",
    "scope": "String",
    "start_pos": "Int32",
    "end_pos": "Int32",
    "matched": "String",
    "snippet": "String",
    "page": "Int32",
}
PAGE_SCHEMA = {"doc_id": "String", "page": "Int32", "start_pos": "Int32", "end_pos": "Int32"}
DOCUMENT_SCHEMA = {
    "doc_id": "String",
    "path": "String",
    "title": "String",
    "publisher": "String",
    "published_on": "Date",
    "date_source": "String",
    "language": "String",
    "encoding": "String",
    "format": "String",
    "sha256": "String",
    "n_chars": "Int32",
}


@dataclass
class Document:
    """One decoded, extracted document and its registry row."""

    row: dict[str, Any]
    text: str
    extraction: Extraction
    # where each page starts in ``text`` (PDF); empty for documents without pages
    pages: list[int] = field(default_factory=list)
    # the facts as row tuples in the tables' column order, once packed (see packed())
    rows: dict[str, list[tuple[Any, ...]]] | None = None

    def packed(self) -> Document:
        """The document as a worker sends it to the parent: its facts as row tuples, not
        Mention/Link objects - pickled and unpickled several times faster, and the parent
        builds its DataFrames from them without a dict per row."""
        return Document(
            self.row, self.text, Extraction(text=self.text), self.pages, fact_rows(self)
        )

    def page_of(self, pos: int) -> int | None:
        """The 1-based page holding offset ``pos``, or None for a document without pages."""
        return bisect_right(self.pages, pos) if self.pages else None

    @property
    def doc_id(self) -> str:
        return str(self.row["doc_id"])


def read_document(
    path: Path,
    kb: Knowledge,
    *,
    published_on: date | None = None,
    title: str | None = None,
    publisher: str | None = None,
    display_path: str | None = None,
    raw: bytes | None = None,
) -> Document:
    """Read one file (or ``raw``, its bytes already read: standard input) with the reader its
    content calls for, and extract it. Raises InputError naming the file.

    The date is the one given, else the file's own metadata (HTML, Markdown front matter),
    else a dateline in the text's first lines, else a PDF's or Word file's creation date,
    else today (``date_source`` says which)."""
    from screener.readers import read_source

    name = display_path or str(path)
    if raw is None:
        try:
            raw = read_capped(path, name)
        except FileNotFoundError as e:
            raise InputError(f"{name}: no such file") from e
        except IsADirectoryError as e:
            raise InputError(f"{name}: is a directory (expected a document)") from e
        except PermissionError as e:
            raise InputError(f"{name}: permission denied") from e
    elif len(raw) > MAX_BYTES:
        raise InputError(f"{name}: larger than {MAX_BYTES // 2**20} MiB, not a document")
    src = read_source(raw, name, path.suffix)
    text = src.text
    sha = hashlib.sha256(raw).hexdigest()
    date_source = "given"
    if published_on is None:
        found = None if src.date_is_fallback else src.published_on
        if found is not None:
            published_on, date_source = found, "metadata"
        elif (found := header_date(text)) is not None:
            published_on, date_source = found, "content"
        elif src.published_on is not None:
            published_on, date_source = src.published_on, "metadata"
        else:
            published_on, date_source = datetime.now().date(), "ingest_time"
    ext = extract(text, kb, published_on.isoformat())
    row = {
        "doc_id": sha[:16],
        "path": name,
        "title": title or src.title or _title(text),
        "publisher": publisher or src.publisher or ext.publisher_guess,
        "published_on": published_on,
        "date_source": date_source,
        "language": detect_language(text),
        "encoding": src.encoding,
        "format": src.format,
        "sha256": sha,
        "n_chars": len(text),
    }
    return Document(row, text, ext, src.pages)


def read_capped(path: Path, name: str) -> bytes:
    """The bytes of a regular file, reading at most ``MAX_BYTES`` + 1 (a size from ``stat``
    can lie: /dev/zero, a growing file). Devices, FIFOs and sockets are refused."""
    import os
    import stat

    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        st = os.fstat(fd)
        mode = st.st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(path)
        if not stat.S_ISREG(mode):
            raise InputError(f"{name}: not a regular file (a device, FIFO or socket)")
        # read what stat says plus one byte, then on in 1 MiB steps while more comes: a
        # single read(MAX_BYTES + 1) allocates a 50 MiB buffer for every file (2,000 notes of
        # 5 KB read in 0.074 s that way, 0.02 s this way)
        chunks = []
        total = 0
        step = st.st_size + 1
        while total <= MAX_BYTES:
            chunk = os.read(fd, min(step, MAX_BYTES + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            step = 1 << 20
        raw = b"".join(chunks)
    finally:
        os.close(fd)
    if len(raw) > MAX_BYTES:
        raise InputError(f"{name}: larger than {MAX_BYTES // 2**20} MiB, not a document")
    return raw


_DATELINE = re.compile(r"(20\d{2}|19\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?!\d)")


_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
    )
}
_MONTH = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
# English datelines: "SHANGHAI, Oct 8, 2026", "October 8, 2026", "8 October 2026"
_DATELINE_EN = re.compile(
    rf"\b(?:{_MONTH}\s+(\d{{1,2}}),?\s+(20\d{{2}})|(\d{{1,2}})\s+{_MONTH},?\s+(20\d{{2}}))\b", re.I
)


def header_date(text: str, lines: int = 3) -> date | None:
    """A full date (2026-03-20, 2026/3/20, 2026年3月20日, Oct 8, 2026, 8 October 2026) in the
    first non-empty lines: the dateline or title date of a report. Dates further down are
    about events, not the document, and are not used."""
    head = [ln for ln in text.split("\n", 40)[:40] if ln.strip()][:lines]
    for ln in head:
        for y, mo, d in _dates_in(ln):
            try:
                return date(y, mo, d)
            except ValueError:
                continue
    return None


def _dates_in(line: str) -> list[tuple[int, int, int]]:
    found = [(m.start(), (int(m[1]), int(m[2]), int(m[3]))) for m in _DATELINE.finditer(line)]
    for m in _DATELINE_EN.finditer(line):
        if m[1]:
            found.append((m.start(), (int(m[3]), _MONTHS[m[1][:3].lower()], int(m[2]))))
        else:
            found.append((m.start(), (int(m[6]), _MONTHS[m[5][:3].lower()], int(m[4]))))
    return [ymd for _, ymd in sorted(found)]


def _title(text: str) -> str:
    """The first line if it is short enough to be a title, else the start of the first line."""
    for line in text.split("\n"):
        s = line.strip().lstrip("#").strip()
        if len(s) >= 4:
            return s if len(s) <= 60 else s[:30].rstrip() + "…"
    return ""


def fact_rows(d: Document) -> dict[str, list[tuple[Any, ...]]]:
    """One document's mentions, links, capex and pages as row tuples, columns in the order
    of MENTION_SCHEMA, LINK_SCHEMA, CAPEX_SCHEMA and PAGE_SCHEMA."""
    x, doc_id = d.extraction, d.doc_id
    capex_cols = [k for k in CAPEX_SCHEMA if k not in ("doc_id", "page")]
    return {
        "mentions": [
            (doc_id, m.company_id, m.start, m.end, m.matched, m.via, m.kind, m.ticker or None)
            for m in x.mentions
        ],
        "links": [
            (
                doc_id,
                lk.company_id,
                lk.theme,
                lk.role,
                lk.evidence,
                lk.start,
                lk.end,
                lk.snippet,
                lk.confidence,
                lk.mentions,
                d.page_of(lk.start),
            )
            for lk in x.links
        ],
        "capex": [
            (doc_id, *(c[k] for k in capex_cols), d.page_of(c["start_pos"])) for c in x.capex
        ],
        "document_pages": [
            (doc_id, i + 1, s, e)
            for i, (s, e) in enumerate(zip(d.pages, [*d.pages[1:], len(d.text)], strict=True))
        ]
        if d.pages
        else [],
    }


TEXT_SCHEMA = {"doc_id": "String", "text": "String"}
# what ingesting documents writes, table by table (capex without its FX columns)
TABLE_SCHEMAS = {
    "documents": DOCUMENT_SCHEMA,
    "document_text": TEXT_SCHEMA,
    "mentions": MENTION_SCHEMA,
    "links": LINK_SCHEMA,
    "capex": CAPEX_SCHEMA,
    "document_pages": PAGE_SCHEMA,
}


def table_rows(docs: list[Document]) -> dict[str, list[tuple[Any, ...]]]:
    """The documents, their texts and their facts as row tuples, table by table, columns in
    the order of ``TABLE_SCHEMAS``."""
    rows: dict[str, list[tuple[Any, ...]]] = {
        "documents": [tuple(d.row[c] for c in DOCUMENT_SCHEMA) for d in docs],
        "document_text": [(d.doc_id, d.text) for d in docs],
        "mentions": [],
        "links": [],
        "capex": [],
        "document_pages": [],
    }
    for d in docs:
        for k, v in (d.rows if d.rows is not None else fact_rows(d)).items():
            rows[k].extend(v)
    return rows


def polars_schema(schema: dict[str, str]) -> dict[str, Any]:
    """One of ``TABLE_SCHEMAS`` with polars' types."""
    import polars as pl

    return {k: getattr(pl, t) for k, t in schema.items()}


def to_frame(schema: dict[str, str], rows: list[tuple[Any, ...]]) -> pl.DataFrame:
    """Row tuples as a polars frame of ``schema`` (one of ``TABLE_SCHEMAS``)."""
    import polars as pl

    return pl.DataFrame(rows, schema=polars_schema(schema), orient="row")


def frames(docs: list[Document]) -> dict[str, pl.DataFrame]:
    """The documents' rows as polars frames shaped like the tables (see ``table_rows``)."""
    return {k: to_frame(TABLE_SCHEMAS[k], v) for k, v in table_rows(docs).items()}


# ---------------------------------------------------------------- the bundled seed corpus

CORPUS_DIR = DATA_DIR / "corpus"


def seed_registry(data_dir: Path = DATA_DIR) -> list[dict[str, str]]:
    """Hand-kept facts about the seed documents: file, title, publisher, published_on."""
    with (data_dir / "corpus" / "registry.csv").open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def extract_seeds(
    seeds_dir: Path, kb: Knowledge, data_dir: Path = DATA_DIR
) -> dict[str, pl.DataFrame]:
    """Run the extractor over the seed documents listed in the registry."""
    docs = []
    for r in seed_registry(data_dir):
        docs.append(
            read_document(
                seeds_dir / r["file"],
                kb,
                published_on=date.fromisoformat(r["published_on"]),
                title=r["title"] or None,
                publisher=r["publisher"] or None,
                display_path=f"seeds/{r['file']}",
            )
        )
    return frames(docs)


def write_corpus(out: dict[str, pl.DataFrame], corpus_dir: Path = CORPUS_DIR) -> None:
    for name in ("documents", "mentions", "links", "capex"):
        out[name].write_csv(corpus_dir / f"{name}.csv")


def read_corpus(corpus_dir: Path = CORPUS_DIR) -> dict[str, pl.DataFrame]:
    import polars as pl

    return {
        name: pl.read_csv(corpus_dir / f"{name}.csv", schema=polars_schema(TABLE_SCHEMAS[name]))
        for name in ("documents", "mentions", "links", "capex")
    }
