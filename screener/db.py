"""The DuckDB database: schema from ``sql/``, atomic build, transactional ingest, read-only query.

Never imports the CLI. Every ``duckdb.Error`` leaves as a ``DatabaseError`` with a message a
user can act on.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import duckdb

from screener.errors import DatabaseError, InputError, NotFoundError, UsageError
from screener.reference import DATA_DIR, Knowledge, load
from screener.text import fold

if TYPE_CHECKING:
    import polars as pl

    from screener.catalog import AcrossBuild

SQL_DIR = Path(str(resources.files("screener"))) / "sql"
# 2: aliases.folded and aliases.source, themes.kind, market TW. 3-4: documents.format,
# document_pages, prices. 5: no key index on signals and prices (the loaders keep the keys),
# screen(check_weights := ...). A database of an older version is migrated by `screener
# build`, which carries its user tables over by the columns both versions share; every other
# command asks for that build first.
SCHEMA_VERSION = "6"
DEFAULT_DB = "screener.duckdb"
# Set when a write transaction has committed in this process: an interrupt after it must not
# claim the database was left unchanged.
COMMITTED: list[str] = []


def default_db_path() -> Path:
    return Path(os.environ.get("SCREENER_DB") or DEFAULT_DB)


def connect(path: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """A connection; a read-only one is sandboxed (``SANDBOX``: the database file only)."""
    if read_only and not path.exists():
        raise DatabaseError(f"{path}: no database here (run `screener build` first)")
    try:
        if read_only:
            return duckdb.connect(str(path), read_only=True, config=dict(SANDBOX))
        return duckdb.connect(str(path))
    except duckdb.Error as e:
        raise DatabaseError(f"{path}: cannot open database: {_first_line(e)}") from e


# types polars cannot read from an Arrow stream without panicking
_NOT_STREAMED = re.compile(r"\bINTERVAL\b|\bUNION\(")


class _ArrowStream:
    """A DuckDB relation or a polars frame seen only through the Arrow C stream interface, a
    new stream each time one is asked for. Each side reads the other's data itself, without
    pyarrow: polars reading a relation (``frame``), DuckDB scanning a frame registered as a view
    (``_insert``; handed a polars frame as it is, DuckDB makes it a pyarrow table, importing
    pyarrow: ~0.04 s of a one-note ingest)."""

    __slots__ = ("source",)

    def __init__(self, source: duckdb.DuckDBPyRelation | pl.DataFrame):
        self.source = source

    def __arrow_c_stream__(self, requested_schema: object = None) -> object:
        return self.source.__arrow_c_stream__(requested_schema)


def frame(rel: duckdb.DuckDBPyRelation, bulk: bool = False) -> pl.DataFrame:
    """A relation's result as a polars frame, read over the Arrow C stream interface.

    ``rel.pl()`` goes through pyarrow, whose import costs ~0.1 s of every command that
    reads a frame (benchmarks/README.md); polars reads the stream itself. The relation is
    wrapped because polars handed the relation directly keeps DuckDB objects alive to
    interpreter exit (nanobind then prints "leaked instances" on stderr).

    Three kinds of result still take ``rel.pl()``:
    - a type polars cannot hold (an interval or a union; ``_plain`` turns them to text for
      user queries): pyarrow's way raises polars' ComputeError where the stream reader
      panics (nested in a list or a struct, an interval panics either way);
    - names that repeat, case aside (a join's two ``doc_id``): renamed as DuckDB does
      (``doc_id``, ``doc_id_1``), where polars would refuse the frame;
    - ``bulk`` (a whole table exported): polars converts the stream's text columns in one
      thread, pyarrow's table in parallel (14.8 M signal rows: 1.5 s against 1.0-1.2 s).
    """
    import polars as pl

    names = [c.lower() for c in rel.columns]
    if bulk or len(set(names)) < len(names) or any(_NOT_STREAMED.search(str(t)) for t in rel.types):
        return rel.pl()
    return pl.DataFrame(_ArrowStream(rel))


def check_schema(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """Refuse a database of another schema version with what to do about it."""
    try:
        rows = con.execute("select value from meta where key = 'schema_version'").fetchall()
    except duckdb.Error as e:
        raise DatabaseError(f"{path}: not a screener database (no meta table)") from e
    version = str(rows[0][0]) if rows else "?"
    if version == SCHEMA_VERSION:
        return
    if version.isdigit() and int(version) < int(SCHEMA_VERSION):
        raise DatabaseError(
            f"{path}: schema version {version} is older than this screener's ({SCHEMA_VERSION}); "
            "run `screener build` to migrate it (your documents and signals are kept)"
        )
    raise DatabaseError(
        f"{path}: schema version {version} is not this screener's ({SCHEMA_VERSION}); upgrade screener"
    )


def interrupted(e: BaseException) -> bool:
    """Ctrl-C or SIGTERM (which the CLI turns into KeyboardInterrupt), also when it came
    inside DuckDB: during a statement its Python client raises RuntimeError("Query
    interrupted") in the interrupt's place, and during Python code DuckDB called (a frame's
    Arrow stream) a duckdb.Error that names the KeyboardInterrupt."""
    if isinstance(e, KeyboardInterrupt):
        return True
    if type(e) is RuntimeError:
        return str(e) == "Query interrupted"
    return isinstance(e, duckdb.Error) and "failed: KeyboardInterrupt" in str(e)


def _first_line(e: BaseException) -> str:
    return str(e).strip().split("\n")[0]


@contextlib.contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """BEGIN ... COMMIT, or ROLLBACK on any error (the database is left as it was)."""
    con.execute("begin transaction")
    try:
        yield
    except BaseException:
        with contextlib.suppress(duckdb.Error):  # the real cause is what the user must see
            con.execute("rollback")
        raise
    try:
        con.execute("commit")
    except BaseException:
        with contextlib.suppress(duckdb.Error):
            con.execute("rollback")
        raise
    COMMITTED.append(str(con))


@contextlib.contextmanager
def sql_errors(what: str) -> Iterator[None]:
    try:
        yield
    except duckdb.Error as e:
        if interrupted(e):
            raise KeyboardInterrupt from e
        raise DatabaseError(f"{what}: {_first_line(e)}") from e


def create_schema(con: duckdb.DuckDBPyConnection) -> None:
    for f in sorted(SQL_DIR.glob("*.sql")):
        with sql_errors(f"sql/{f.name}"):
            con.execute(f.read_text(encoding="utf-8"))


class Rows(NamedTuple):
    """A table's rows as tuples, with the polars names of its columns' types (one of
    ``corpus.TABLE_SCHEMAS``): what a few documents are inserted as. DuckDB takes each column
    as a list parameter and unnests them together (~0.5 us a value against ~0.1 through a
    polars frame, but no polars to import: ~0.12 s of ingesting one note)."""

    schema: dict[str, str]
    rows: list[tuple[Any, ...]]


_DUCKDB_TYPES = {"String": "VARCHAR", "Int32": "INTEGER", "Float64": "DOUBLE", "Date": "DATE"}
# a write batch of at most this many rows, all tables together, is inserted as Rows
SMALL_BATCH_ROWS = 5_000


def _height(data: pl.DataFrame | Rows) -> int:
    return len(data.rows) if isinstance(data, Rows) else data.height


@contextlib.contextmanager
def _scan(
    con: duckdb.DuckDBPyConnection, data: pl.DataFrame | Rows
) -> Iterator[tuple[str, dict[str, Any]]]:
    """A SELECT of ``data`` and its parameters: Rows unnested from list parameters, a polars
    frame registered as the view ``_frame`` over the Arrow C stream (while in the block)."""
    if isinstance(data, Rows):
        columns = list(zip(*data.rows, strict=True))
        params = {f"c{i}": list(col) for i, col in enumerate(columns)}
        select = ", ".join(
            f'unnest($c{i}::{_DUCKDB_TYPES[t]}[]) as "{name}"'
            for i, (name, t) in enumerate(data.schema.items())
        )
        yield f"select {select}", params
        return
    con.register("_frame", _ArrowStream(data))
    try:
        yield "select * from _frame", {}
    finally:
        # in a transaction a failed statement aborted, the unregister fails too: that error
        # must not replace the statement's (an interrupted insert said "transaction aborted")
        with contextlib.suppress(duckdb.Error):
            con.unregister("_frame")


def _insert(con: duckdb.DuckDBPyConnection, table: str, data: pl.DataFrame | Rows) -> None:
    if _height(data) == 0:
        return
    with _scan(con, data) as (select, params):
        con.execute(f'insert into "{table}" by name {select}', params)


def load_reference(con: duckdb.DuckDBPyConnection, kb: Knowledge) -> None:
    import polars as pl

    _insert(con, "themes", pl.DataFrame(kb.themes))
    _insert(con, "theme_keywords", pl.DataFrame(kb.keywords).unique(["theme", "keyword"]))
    comp = pl.DataFrame(
        [
            {
                k: c[k]
                for k in (
                    "company_id",
                    "name_zh",
                    "name_en",
                    "listed",
                    "category",
                    "industry",
                    "curated",
                    "note",
                )
            }
            for c in kb.companies.values()
        ]
    ).with_columns(pl.col("name_zh", "name_en", "industry", "note").replace("", None))
    _insert(con, "companies", comp)
    lst = pl.DataFrame(kb.listings).with_columns(
        pl.col("list_date").replace("", None).str.to_date(strict=False),
        pl.col("is_primary") == "true",
        pl.col("board").replace("", None),
    )
    _insert(con, "listings", lst)
    al = (
        pl.DataFrame(kb.aliases)
        .select("alias", "company_id", "lang", "kind", "ambiguous", "source")
        .unique(["alias", "company_id"])
    )
    folded = fold("\n".join(al["alias"])).split("\n")  # one pass: fold keeps every character
    _insert(con, "aliases", al.with_columns(pl.Series("folded", folded)))
    curated = {c for c, v in kb.companies.items() if v["curated"]}
    prior_rows = [
        {"company_id": cid, "theme": t, "source": "curated" if cid in curated else "concept_boards"}
        for cid, ts in kb.priors.items()
        for t in sorted(ts)
    ]
    if prior_rows:
        _insert(con, "company_themes", pl.DataFrame(prior_rows).unique())
    _insert(con, "theme_allocation", pl.read_csv(DATA_DIR / "theme_allocation.csv"))
    _insert(con, "score_weights", scoring_frame(DATA_DIR / "scoring.toml"))
    _insert(
        con,
        "fx",
        pl.DataFrame(kb.fx).with_columns(
            pl.col("cny_per_unit").cast(pl.Float64), pl.col("as_of").str.to_date()
        ),
    )


def scoring_frame(path: Path) -> pl.DataFrame:
    """data/scoring.toml as rows of score_weights."""
    import polars as pl

    from screener.cues import load_scoring

    cfg = load_scoring(path)
    rows = [{"kind": "component", "name": k, "weight": float(v)} for k, v in cfg["weights"].items()]
    rows += [
        {"kind": "exposure_part", "name": k, "weight": float(v)} for k, v in cfg["exposure"].items()
    ]
    rows.append(
        {
            "kind": "setting",
            "name": "half_life_days",
            "weight": float(cfg["recency"]["half_life_days"]),
        }
    )
    return pl.DataFrame(rows)


def insert_facts(
    con: duckdb.DuckDBPyConnection, fr: Mapping[str, pl.DataFrame | Rows], bundled: bool
) -> None:
    """Insert documents with their mentions, links and capex (FX-normalised here, in SQL), and
    their pages and texts where given; each table as a polars frame or as Rows."""
    if not _height(fr["documents"]):
        return
    with _scan(con, fr["documents"]) as (select, params):
        con.execute(
            "insert into documents by name "
            f"select *, $bundled as bundled, $now as ingested_at from ({select})",
            {**params, "bundled": bundled, "now": datetime.now()},
        )
    for table in ("document_text", "mentions", "links", "document_pages"):
        if table in fr:
            _insert(con, table, fr[table])
    cap = fr["capex"]
    if _height(cap):
        with _scan(con, cap) as (select, params):
            missing = con.execute(
                f"select distinct currency from ({select}) anti join fx using (currency)", params
            ).fetchall()
            if missing:
                raise InputError(f"screener/data/fx.csv: no rate for currency {missing[0][0]!r}")
            con.execute(
                f"""
                insert into capex by name
                select k.*, k.amount * fx.cny_per_unit as amount_cny,
                       k.amount * fx.cny_per_unit / usd.cny_per_unit as amount_usd
                from ({select}) as k
                join fx using (currency)
                cross join (select cny_per_unit from fx where currency = 'USD') as usd
                """,
                params,
            )


def delete_document(con: duckdb.DuckDBPyConnection, doc_id: str) -> None:
    for table in ("mentions", "links", "capex", "document_pages", "document_text", "documents"):
        con.execute(f"delete from {table} where doc_id = ?", [doc_id])


def _set_meta(con: duckdb.DuckDBPyConnection, **kv: str) -> None:
    for k, v in kv.items():
        con.execute("insert or replace into meta values (?, ?)", [k, v])


# ---------------------------------------------------------------- build

# Tables whose rows only the user puts in: `build` carries them over as they are (the columns
# the old and new schema share), and `build --fresh` says how many rows it drops.
USER_TABLES = ("signals", "prices")
_MAGIC = b"DUCK"
PREVIOUS = "screener_previous_build"  # the old database's name while build reads it (attached)  # bytes 8-11 of every DuckDB database file


@dataclass
class BuildReport:
    path: Path
    documents: int
    companies: int
    listings: int
    links: int
    capex: int
    carried_over: int
    kept: dict[str, int] = field(default_factory=dict)  # user table -> rows carried over
    dropped: dict[str, int] = field(default_factory=dict)  # with --fresh: what was dropped


def _quote_literal(value: str) -> str:
    """A SQL string literal (for ATTACH, which takes no bound parameters)."""
    return "'" + value.replace("'", "''") + "'"


def check_screener_file(path: Path) -> None:
    """Refuse a path that exists and is not a screener database (it is never replaced)."""
    if path.is_dir():
        raise DatabaseError(f"{path}: is a folder, not a database file")
    try:
        with path.open("rb") as f:
            head = f.read(16)
    except OSError as e:
        raise DatabaseError(f"{path}: cannot read: {e.strerror}") from e
    if head[8:12] != _MAGIC:
        raise DatabaseError(
            f"{path}: exists and is not a DuckDB database; refusing to replace it (choose another --db)"
        )


def _old_state(path: Path, kept_catalog: AcrossBuild) -> tuple[str, dict[str, int], str | None]:
    """Open the old database read-write (which checkpoints its WAL into the file, so no stale
    WAL can outlive the swap), check it is a screener database and count its user rows.
    Returns its schema version, those counts and the fingerprint its extractions were made
    with (None before fingerprints were kept)."""
    check_screener_file(path)
    try:
        con = duckdb.connect(str(path))
    except duckdb.Error as e:
        raise DatabaseError(
            f"{path}: cannot open the existing database to carry over your data "
            f"({_first_line(e)}); nothing was changed"
        ) from e
    kept_catalog.opened(path)
    try:
        try:
            row = con.execute("select value from meta where key = 'schema_version'").fetchone()
        except duckdb.Error:
            row = None
        if row is None:
            raise DatabaseError(
                f"{path}: a DuckDB database but not a screener database; refusing to replace it"
            )
        version = str(row[0])
        if int(version) > int(SCHEMA_VERSION):
            raise DatabaseError(
                f"{path}: schema version {version} is newer than this screener's "
                f"({SCHEMA_VERSION}); upgrade screener"
            )
        tables = {r[0] for r in con.execute("select table_name from duckdb_tables()").fetchall()}
        counts = {
            "documents": con.execute("select count(*) from documents where not bundled").fetchall()[
                0
            ][0]
        }
        for t in USER_TABLES:
            if t in tables:
                counts[t] = con.execute(f'select count(*) from "{t}"').fetchall()[0][0]
        fp = con.execute("select value from meta where key = 'extraction_fingerprint'").fetchall()
        con.execute("checkpoint")
        kept_catalog.old_checkpointed(path)
        return version, counts, (str(fp[0][0]) if fp else None)
    except duckdb.Error as e:
        raise DatabaseError(
            f"{path}: cannot read the existing database ({_first_line(e)}); nothing was changed"
        ) from e
    finally:
        con.close()


Progress = Callable[[int, int], None]  # (done, total): long work reports as it goes


def build(
    path: Path,
    data_dir: Path = DATA_DIR,
    keep_ingested: bool = True,
    progress: Progress | None = None,
) -> BuildReport:
    """Rebuild the database from data/ into a new file, then swap it in.

    User state is carried over or the build fails: documents the user ingested (re-extracted
    with the current reference knowledge) and every table in ``USER_TABLES``. If the old file
    cannot be read, the build stops and leaves it as it was. ``keep_ingested=False`` drops
    that state and reports what it dropped. Killed at any moment, the previous database stays
    whole: the new one is written to a temporary file beside it and renamed over it only once
    complete. A symlinked path is followed, never replaced; a path that holds anything but a
    screener database is refused. Holds the writer lock throughout.
    """
    from screener.catalog import AcrossBuild
    from screener.corpus import read_corpus
    from screener.lock import real_path, writer_lock

    shown = Path(path)
    real = real_path(shown)
    if real.is_dir():
        raise DatabaseError(f"{shown}: is a folder, not a database file")
    try:
        real.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise DatabaseError(f"{real.parent}: cannot create folder: {e.strerror}") from e
    if real.exists():
        check_screener_file(real)  # before the lock file is made beside it
    with writer_lock(real):
        kb = load(data_dir)
        fingerprint = kb.fingerprint  # hashed once, when the knowledge was loaded
        old: dict[str, int] = {}
        old_fingerprint = None
        version = SCHEMA_VERSION
        # `signals list`'s kept result, carried when the signals copied are the same rows
        kept_catalog = AcrossBuild()
        if real.exists():
            version, old, old_fingerprint = _old_state(real, kept_catalog)
        carry = keep_ingested and bool(old)
        if not carry or version != SCHEMA_VERSION:  # not copied, or by the columns both share
            kept_catalog.drop()
        # the stored extractions are what this code and data would make: copy them as they
        # are; else re-extract the stored texts on every core
        reuse = carry and old_fingerprint == fingerprint
        for stale in real.parent.glob(real.name + ".tmp-*"):
            stale.unlink(missing_ok=True)
        tmp = real.with_name(f"{real.name}.tmp-{os.getpid()}")
        kept: dict[str, int] = {}
        carried = 0
        try:
            stored = _stored_documents(real) if carry and not reuse else []
            # the workers fork here, before this process opens the new database
            with _extractor(stored, kb) as extracted:
                con = connect(tmp)
                try:
                    create_schema(con)
                    load_reference(con, kb)
                    insert_facts(con, read_corpus(data_dir / "corpus"), bundled=True)
                    if carry:
                        con.execute(f"attach {_quote_literal(str(real))} as {PREVIOUS} (read_only)")
                        _check_texts(con)
                        if reuse:
                            carried = _copy_extractions(con)
                            if progress is not None and carried:
                                progress(carried, carried)
                        else:
                            carried = _write_extracted(con, extracted, len(stored), progress)
                        kept = _carry_tables(con)
                        kept_catalog.copied(real)
                        con.execute(f"detach {PREVIOUS}")
                    _set_meta(
                        con,
                        schema_version=SCHEMA_VERSION,
                        built_at=datetime.now().isoformat(timespec="seconds"),
                        extraction_fingerprint=fingerprint,
                    )
                    counts = {
                        t: con.execute(f"select count(*) from {t}").fetchall()[0][0]
                        for t in ("documents", "companies", "listings", "links", "capex")
                    }
                    con.execute("checkpoint")
                    kept_catalog.new_written(tmp)
                finally:
                    con.close()
            _fsync(tmp)
            if Path(str(real) + ".wal").exists():
                raise DatabaseError(
                    f"{shown}: was changed by another program while building; nothing was changed"
                )
            os.replace(tmp, real)
            COMMITTED.append(str(real))
            _fsync(real.parent)
        except duckdb.Error as e:
            if interrupted(e):
                raise KeyboardInterrupt from e
            raise DatabaseError(
                f"{shown}: build failed ({_first_line(e)}); nothing was changed"
            ) from e
        except OSError as e:
            raise DatabaseError(
                f"{shown}: build failed ({e.strerror or e}); nothing was changed"
            ) from e
        finally:
            tmp.unlink(missing_ok=True)
            Path(str(tmp) + ".wal").unlink(missing_ok=True)
        kept_catalog.swapped(real)
    return BuildReport(
        shown,
        counts["documents"],
        counts["companies"],
        counts["listings"],
        counts["links"],
        counts["capex"],
        carried,
        kept=kept,
        dropped={} if keep_ingested else {k: v for k, v in old.items() if v},
    )


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


_DOC_COLS = (
    "doc_id",
    "path",
    "title",
    "publisher",
    "published_on",
    "date_source",
    "language",
    "encoding",
    "format",
    "sha256",
    "n_chars",
)


def _tables(con: duckdb.DuckDBPyConnection, catalog: str) -> set[str]:
    rows = con.execute(
        "select table_name from duckdb_tables() where database_name = ?", [catalog]
    ).fetchall()
    return {r[0] for r in rows}


def _columns(con: duckdb.DuckDBPyConnection, catalog: str, table: str) -> set[str]:
    rows = con.execute(
        "select column_name from duckdb_columns() where database_name = ? and table_name = ?",
        [catalog, table],
    ).fetchall()
    return {r[0] for r in rows}


def _stored_documents(path: Path) -> list[tuple[dict[str, Any], str, list[int]]]:
    """The user's documents of the old database: registry row, stored text, page starts."""
    con = duckdb.connect()
    try:
        con.execute(f"attach {_quote_literal(str(path))} as {PREVIOUS} (read_only)")
        old_tables = _tables(con, PREVIOUS)
        old_cols = _columns(con, PREVIOUS, "documents")
        # columns a v2 database lacks get their default (every v2 document was read as text)
        cols = ", ".join(f"d.{c}" if c in old_cols else f"'text' as {c}" for c in _DOC_COLS)
        pages = (
            f"(select list(start_pos order by page) from {PREVIOUS}.document_pages p "
            "where p.doc_id = d.doc_id)"
            if "document_pages" in old_tables
            else "null"
        )
        rows = con.execute(
            f"select {cols}, t.text, {pages} from {PREVIOUS}.documents d "
            f"join {PREVIOUS}.document_text t using (doc_id) "
            "where not d.bundled order by d.doc_id"
        ).fetchall()
    except duckdb.Error as e:
        raise DatabaseError(
            f"{path}: cannot read the existing database ({_first_line(e)}); nothing was changed"
        ) from e
    finally:
        con.close()
    return [(dict(zip(_DOC_COLS, r[:-2], strict=True)), r[-2], list(r[-1] or [])) for r in rows]


def _extract_stored(i: int) -> Any:
    from screener.corpus import Document
    from screener.extract import extract

    row, text, pages = _WORKER["stored"][i]
    ext = extract(text, _WORKER["kb"], row["published_on"].isoformat())
    return Document(row, text, ext, pages).packed()


@contextlib.contextmanager
def _extractor(stored: list[Any], kb: Knowledge) -> Iterator[Iterator[Any]]:
    """Extract the stored documents, on every core when there are many (forked workers
    inherit the texts and the matcher); an iterator of Documents in order."""
    import multiprocessing

    _WORKER.update(kb=kb, stored=stored)
    try:
        procs = min(os.cpu_count() or 1, 8)
        if len(stored) < 32 or procs < 2 or "fork" not in multiprocessing.get_all_start_methods():
            yield map(_extract_stored, range(len(stored)))
            return
        with _fork_pool(procs, kb) as pool:
            yield pool.imap(_extract_stored, range(len(stored)), chunksize=16)
    finally:
        _WORKER.pop("stored", None)


def _check_texts(con: duckdb.DuckDBPyConnection) -> None:
    missing = con.execute(
        f"select count(*) from {PREVIOUS}.documents d anti join {PREVIOUS}.document_text t "
        "using (doc_id) where not d.bundled"
    ).fetchall()[0][0]
    if missing:
        raise DatabaseError(
            f"{missing} ingested documents have no stored text; cannot carry them over"
        )


def _write_extracted(
    con: duckdb.DuckDBPyConnection, docs: Iterator[Any], total: int, progress: Progress | None
) -> int:
    """Write re-extracted documents in batches; returns how many."""
    pending: list[Any] = []
    n = 0
    for n, doc in enumerate(docs, 1):
        pending.append(doc)
        if len(pending) >= 2000:
            _write_batch(con, pending)
            pending = []
        if progress is not None:
            progress(n, total)
    _write_batch(con, pending)
    return n


def _copy_from_previous(
    con: duckdb.DuckDBPyConnection, table: str, where: str = "", order: str = ""
) -> None:
    """Insert the attached old database's rows of ``table`` by the columns both schemas share
    (``order``: an ORDER BY clause the rows are stored in)."""
    old_cols = _columns(con, PREVIOUS, table)
    new_cols = [
        r[0]
        for r in con.execute(
            "select column_name from duckdb_columns() where database_name = current_database() "
            "and table_name = ? order by column_index",
            [table],
        ).fetchall()
    ]
    cols = ", ".join(f'"{c}"' for c in new_cols if c in old_cols)
    con.execute(
        f'insert into "{table}" ({cols}) select {cols} from {PREVIOUS}."{table}" {where} {order}'
    )


def _copy_extractions(con: duckdb.DuckDBPyConnection) -> int:
    """Copy the user's documents with their text, pages, mentions, links and capex as the
    old database holds them (same fingerprint: extracting again would give the same rows)."""
    user_docs = f"where doc_id in (select doc_id from {PREVIOUS}.documents where not bundled)"
    for t in ("documents", "document_text", "document_pages", "mentions", "links", "capex"):
        _copy_from_previous(con, t, user_docs)
    return int(con.execute("select count(*) from documents where not bundled").fetchall()[0][0])


def _carry_tables(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Copy every user table of the attached old database, by the columns both schemas share."""
    kept = {}
    for t in USER_TABLES:
        if not _columns(con, PREVIOUS, t):
            continue
        # signals back in date order (sql/14_signals.sql): rows inserted out of order since,
        # or by an older version, are sorted here (copying 104M rows: 17.7 -> 22.5 s); a
        # table whose row groups are in date order already is copied as it is
        order = "order by as_of" if t == "signals" and not _row_groups_dated(con, t) else ""
        _copy_from_previous(con, t, order=order)
        n = con.execute(f'select count(*) from "{t}"').fetchall()[0][0]
        if n:
            kept[t] = n
    return kept


def _row_groups_dated(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    """The old database's ``table`` spans several row groups and each one's dates come on or
    after the previous one's (by the zone-map statistics of ``as_of``: metadata only, 0.3 s for
    the ~850 row groups of 104M rows). Any doubt (one row group, a group without statistics,
    statistics this DuckDB words otherwise) answers False: the rows are sorted."""
    sql = f"""
        select count(*) > 1 and count(*) filter (where n = 1 or lo >= prev_hi) = count(*)
        from (
            select lo, lag(hi) over (order by row_group_id) as prev_hi,
                   row_number() over (order by row_group_id) as n
            from (
                select row_group_id, min(stats.min::date) as lo, max(stats.max::date) as hi
                from pragma_storage_info('{PREVIOUS}.{table}')
                where column_name = 'as_of' and segment_type = 'DATE'
                group by row_group_id
            )
        )
    """
    try:
        return bool(con.execute(sql).fetchall()[0][0])
    except duckdb.Error:
        return False


def ensure_built(path: Path) -> None:
    if not Path(path).exists():
        build(path)


# ---------------------------------------------------------------- ingest


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # one message per file

    @property
    def ingested(self) -> int:
        return len(self.added) + len(self.replaced)


def expand_paths(paths: list[Path]) -> tuple[list[Path], list[str]]:
    """The files named, a folder standing for the files under it (hidden ones and those in
    hidden folders left out; symlinked folders not entered), in path order; and what could
    not be read, one message each."""
    files: list[Path] = []
    errors: list[str] = []
    for p in paths:
        if str(p) == "-":
            files.append(p)
        elif p.is_dir():
            found = _files_under(p, errors)
            if not found:
                errors.append(f"{p}: folder holds no files")
            files.extend(found)
        elif p.exists():
            files.append(p)
        else:
            errors.append(f"{p}: no such file or folder")
    return files, errors


def _files_under(top: Path, errors: list[str]) -> list[Path]:
    """The files under a folder in path order (what sorting the paths gives). Each folder
    is listed once with ``os.scandir``, whose entries know whether they are files (no stat
    per file), and the order is that of the paths' parts, compared as tuples: at 20,000 files
    ``os.walk`` with a stat and a Path comparison per file took 0.29-0.45 s, the first part
    of an ingest, when one core works."""
    found: list[Path] = []
    pending = [top]
    while pending:
        folder = pending.pop()
        try:
            with os.scandir(folder) as it:
                entries = [e for e in it if not e.name.startswith(".")]
        except OSError as err:  # a folder it cannot list is said, not skipped
            errors.append(f"{err.filename}: cannot read folder ({err.strerror})")
            continue
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    pending.append(folder / entry.name)
                elif entry.is_file():
                    found.append(folder / entry.name)
            except OSError:  # gone or unreadable between the listing and the check
                continue
    found.sort(key=lambda f: f.parts)
    return found


STDIN_NAME = "<stdin>"
_WORKER: dict[str, Any] = {}  # what forked extraction workers inherit from the parent


def _read_one(f: Path) -> tuple[str, Any]:
    from screener.corpus import read_document

    try:
        if str(f) == "-":
            raw = _WORKER["stdin"]
            doc = read_document(Path(STDIN_NAME), _WORKER["kb"], raw=raw, **_WORKER["opts"])
            return "ok", doc.packed()
        return "ok", read_document(f, _WORKER["kb"], **_WORKER["opts"]).packed()
    except InputError as e:
        return "error", str(e)


@contextlib.contextmanager
def document_reader(
    files: list[Path], kb: Knowledge, **opts: Any
) -> Iterator[Iterator[tuple[str, Any]]]:
    """Decode and extract files, on every core when there are many (fork: the loaded
    reference data and matcher are shared, not rebuilt). Gives an iterator of ("ok", Document)
    or ("error", message) in file order. Enter it before opening a DuckDB connection: the
    workers are forked on entry, while this process has no database threads to copy."""
    import multiprocessing

    _WORKER.update(kb=kb, opts=opts)
    procs = min(os.cpu_count() or 1, 8)
    if len(files) < 32 or procs < 2 or "fork" not in multiprocessing.get_all_start_methods():
        yield map(_read_one, files)
        return
    with _fork_pool(procs, kb) as pool:
        yield pool.imap(_read_one, files, chunksize=16)


def _fork_pool(procs: int, kb: Knowledge) -> Any:
    """Forked extraction workers (``screener.workers``). The matcher's automaton (0.1-0.3 s),
    the code-point tables (numpy, 5 MB) and the script table are made first, so that the
    workers share this process's copy instead of each making its own."""
    from screener.extract import get_matcher
    from screener.text import warm
    from screener.workers import fork_pool

    get_matcher(kb).automaton()
    warm()
    return fork_pool(procs)


def ingest(
    path: Path,
    inputs: list[Path],
    *,
    published_on: date | None = None,
    title: str | None = None,
    publisher: str | None = None,
    batch: int = 2000,
    stdin: bytes | None = None,
    progress: Progress | None = None,
) -> IngestReport:
    """Add documents in one transaction; idempotent by content hash.

    A file whose content is already in the database is left alone; a changed file at a
    path already ingested replaces its old version. Files that cannot be read are reported
    and skipped; if none could be ingested the database is untouched and NotFoundError or
    InputError is raised. Documents are written in batches (bounded memory), all inside the
    one transaction. ``-`` among ``inputs`` is the document in ``stdin`` (its bytes).
    """
    from screener.lock import writer_lock

    files, errors = expand_paths(inputs)
    if any(str(f) == "-" for f in files):
        if stdin is None:
            raise UsageError("`-` reads a document from standard input, but none was given")
        _WORKER["stdin"] = stdin
    report = IngestReport(failed=list(errors))
    with writer_lock(path):
        kb = load(DATA_DIR)
        ensure_built(path)
        _ingest_locked(path, files, kb, report, published_on, title, publisher, batch, progress)
    if not report.ingested and not report.unchanged:
        if report.failed:
            raise InputError("; ".join(report.failed) + " (nothing ingested)")
        raise NotFoundError("no documents found to ingest")
    return report


def _ingest_locked(
    path: Path,
    files: list[Path],
    kb: Knowledge,
    report: IngestReport,
    published_on: date | None,
    title: str | None,
    publisher: str | None,
    batch: int,
    progress: Progress | None = None,
) -> None:
    from screener.catalog import Keeper

    opts = {"published_on": published_on, "title": title, "publisher": publisher}
    with document_reader(files, kb, **opts) as results:
        con = connect(path)
        try:
            keeper = Keeper(path)
            if progress is not None:
                results = _counted(results, len(files), progress)
            paths = [str(f) for f in files if str(f) != "-"]
            _ingest_into(con, path, results, paths, report, batch, kb.fingerprint)
            keeper.carry(con)  # documents only: what `signals list` shows is unchanged
        finally:
            con.close()


class _KnownContent:
    """The path of the document holding each content hash: the database's (inside the ingest's
    transaction: without the versions it replaced, with the batches it wrote) and this
    ingest's own. The first ``ONE_BY_ONE`` hashes are looked up one by one (~1 ms each), so
    that ingesting a note does not read the hash of every document (~10 ms for each 20 k);
    past that every hash is read at once."""

    ONE_BY_ONE = 64

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self.con = con
        self.mine: dict[str, str] = {}
        self.everything: dict[str, str] | None = None
        self.asked = 0

    def get(self, sha: str) -> str | None:
        if sha in self.mine:
            return self.mine[sha]
        if self.everything is None:
            self.asked += 1
            if self.asked <= self.ONE_BY_ONE:
                row = self.con.execute(
                    "select path from documents where sha256 = ?", [sha]
                ).fetchone()
                return None if row is None else str(row[0])
            self.everything = dict(
                self.con.execute("select sha256, path from documents").fetchall()
            )
        return self.everything.get(sha)

    def add(self, sha: str, path: str) -> None:
        self.mine[sha] = path

    def drop(self, sha: str) -> None:
        if self.everything is not None:
            self.everything.pop(sha, None)


def _ingest_into(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    results: Iterator[tuple[str, Any]],
    paths: list[str],
    report: IngestReport,
    batch: int,
    fingerprint: str,
) -> None:
    check_schema(con, path)
    with sql_errors(f"{path}: ingest failed, database unchanged"):
        # the user's documents at the paths given: a changed file replaces its old version
        old_by_path: dict[str, list[tuple[str, str]]] = {}
        for doc_id, sha, p in con.execute(
            "select doc_id, sha256, path from documents "
            "where not bundled and path in (select unnest($paths::varchar[]))",
            {"paths": paths},
        ).fetchall():
            old_by_path.setdefault(p, []).append((doc_id, sha))
        known = _KnownContent(con)
        with transaction(con):
            # documents extracted by other code or data than the database was built with:
            # the next build cannot trust the stored extractions to be its own
            stored = con.execute(
                "select value from meta where key = 'extraction_fingerprint'"
            ).fetchall()
            if stored and stored[0][0] != fingerprint:
                _set_meta(con, extraction_fingerprint="mixed")
            pending: list[Any] = []
            for status, item in results:
                if status == "error":
                    report.failed.append(item)
                    continue
                sha, p = item.row["sha256"], str(item.row["path"])
                held_by = known.get(sha)
                if held_by is not None:
                    report.unchanged.append(f"{p} (already in the database as {held_by})")
                    continue
                known.add(sha, p)
                # standard input has no path to replace: each document is its own
                old = old_by_path.pop(p, []) if p != STDIN_NAME else []
                for doc_id, old_sha in old:
                    delete_document(con, doc_id)
                    known.drop(old_sha)
                (report.replaced if old else report.added).append(p)
                pending.append(item)
                if len(pending) >= batch:
                    _write_batch(con, pending)
                    pending = []
            _write_batch(con, pending)


def _counted(items: Iterator[Any], total: int, progress: Progress) -> Iterator[Any]:
    for i, item in enumerate(items, 1):
        yield item
        progress(i, total)


def _write_batch(con: duckdb.DuckDBPyConnection, docs: list[Any]) -> None:
    """Insert documents with their texts and facts: as Rows up to ``SMALL_BATCH_ROWS`` rows
    (no polars imported), else as polars frames."""
    from screener.corpus import TABLE_SCHEMAS, table_rows, to_frame

    if not docs:
        return
    rows = table_rows(docs)
    if sum(map(len, rows.values())) <= SMALL_BATCH_ROWS:
        data: dict[str, pl.DataFrame | Rows] = {
            k: Rows(TABLE_SCHEMAS[k], v) for k, v in rows.items()
        }
    else:
        data = {k: to_frame(TABLE_SCHEMAS[k], v) for k, v in rows.items()}
    insert_facts(con, data, bundled=False)


# ---------------------------------------------------------------- read-only query

# Reading connections (the API's and every `query`) can reach nothing but the database file:
# no other file, no extension install, and no statement can switch that back on.
SANDBOX = {
    "enable_external_access": False,
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "allow_community_extensions": False,
    "lock_configuration": True,
}
QUERY_STATEMENTS = ("SELECT", "EXPLAIN", "PRAGMA")
DEFAULT_TIMEOUT = 60.0
# DuckDB types that polars and every output format take as they are; others become text
_PLAIN_TYPES = re.compile(
    r"^(BOOLEAN|TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|"
    r"UHUGEINT|FLOAT|DOUBLE|DECIMAL\(\d+,\d+\)|VARCHAR|TIME)$"
)
_DATED_TYPES = re.compile(r"^(DATE|TIMESTAMP.*)$")


def query(
    path: Path,
    sql: str,
    params: list[Any] | dict[str, Any] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> pl.DataFrame:
    """Run one read-only statement in the sandbox (see ``run_query``)."""
    con = connect(path, read_only=True)
    try:
        return run_query(con, sql, params, timeout)
    finally:
        con.close()


def run_query(
    con: duckdb.DuckDBPyConnection,
    sql: str,
    params: list[Any] | dict[str, Any] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> pl.DataFrame:
    """One SELECT/EXPLAIN/PRAGMA on a fresh cursor of a sandboxed read-only connection (so no
    temporary object outlives it), interrupted after ``timeout`` seconds. Values of types the
    output formats cannot hold (INTERVAL, MAP, UNION, BLOB ...) come back as text."""
    import threading

    cur = con.cursor()
    timer = threading.Timer(timeout, cur.interrupt)
    try:
        try:
            statements = cur.extract_statements(sql)
        except duckdb.Error as e:
            raise DatabaseError(f"query failed: {_first_line(e)}") from e
        if len(statements) != 1:
            raise DatabaseError(
                f"query takes one statement, got {len(statements)}; nothing was run"
            )
        kind = statements[0].type.name
        if kind not in QUERY_STATEMENTS:
            raise DatabaseError(
                f"query is read-only: a {kind} statement is refused "
                f"({', '.join(QUERY_STATEMENTS)} only); nothing was changed"
            )
        timer.start()
        rel = cur.sql(sql, params=params)
        if rel is None:
            import polars as pl

            return pl.DataFrame()
        return frame(_plain(rel))
    except duckdb.InterruptException as e:
        raise DatabaseError(f"query stopped after {timeout:g} s (raise it with --timeout)") from e
    except duckdb.Error as e:
        msg = _first_line(e)
        if "read-only" in msg or "read only" in msg or "disabled by configuration" in msg:
            raise DatabaseError(
                f"query is read-only and sandboxed: {msg}; nothing was changed"
            ) from e
        raise DatabaseError(f"query failed: {msg}") from e
    finally:
        timer.cancel()
        cur.close()


def _plain(rel: duckdb.DuckDBPyRelation) -> duckdb.DuckDBPyRelation:
    """Cast columns whose type polars or CSV cannot carry to VARCHAR (and infinite dates to
    NULL, which polars cannot hold either)."""
    exprs, changed = [], False
    for name, typ in zip(rel.columns, rel.types, strict=True):
        q = '"' + name.replace('"', '""') + '"'
        t = str(typ)
        if _PLAIN_TYPES.match(t):
            exprs.append(q)
        elif _DATED_TYPES.match(t):
            exprs.append(f"if(isfinite({q}), {q}, NULL) as {q}")
            changed = True
        else:
            exprs.append(f"cast({q} as varchar) as {q}")
            changed = True
    return rel.project(", ".join(exprs)) if changed else rel
