"""The DuckDB database: schema from ``sql/``, atomic build, transactional ingest, read-only query.

Never imports the CLI. Every ``duckdb.Error`` leaves as a ``DatabaseError`` with a message a
user can act on.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from screener.errors import DatabaseError, InputError, NotFoundError
from screener.reference import DATA_DIR, Knowledge, load

SQL_DIR = Path(__file__).resolve().parent.parent / "sql"
SCHEMA_VERSION = "1"
DEFAULT_DB = "screener.duckdb"


def default_db_path() -> Path:
    return Path(os.environ.get("SCREENER_DB") or DEFAULT_DB)


def connect(path: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    if read_only and not path.exists():
        raise DatabaseError(f"{path}: no database here (run `screener build` first)")
    try:
        return duckdb.connect(str(path), read_only=read_only)
    except duckdb.Error as e:
        raise DatabaseError(f"{path}: cannot open database: {_first_line(e)}") from e


def _first_line(e: BaseException) -> str:
    return str(e).strip().split("\n")[0]


@contextlib.contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """BEGIN ... COMMIT, or ROLLBACK on any error (the database is left as it was)."""
    con.execute("begin transaction")
    try:
        yield
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


@contextlib.contextmanager
def sql_errors(what: str) -> Iterator[None]:
    try:
        yield
    except duckdb.Error as e:
        raise DatabaseError(f"{what}: {_first_line(e)}") from e


def create_schema(con: duckdb.DuckDBPyConnection) -> None:
    for f in sorted(SQL_DIR.glob("*.sql")):
        with sql_errors(f"sql/{f.name}"):
            con.execute(f.read_text(encoding="utf-8"))


def _insert(con: duckdb.DuckDBPyConnection, table: str, df: pl.DataFrame) -> None:
    if df.height == 0:
        return
    con.register("_frame", df.to_arrow())
    try:
        con.execute(f'insert into "{table}" by name select * from _frame')
    finally:
        con.unregister("_frame")


def load_reference(con: duckdb.DuckDBPyConnection, kb: Knowledge) -> None:
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
    _insert(
        con, "aliases", pl.DataFrame(kb.aliases).drop("explicit").unique(["alias", "company_id"])
    )
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
    import tomllib

    with path.open("rb") as f:
        cfg = tomllib.load(f)
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
    con: duckdb.DuckDBPyConnection, fr: dict[str, pl.DataFrame], bundled: bool
) -> None:
    """Insert documents with their mentions, links and capex (FX-normalised here, in SQL)."""
    docs = fr["documents"].with_columns(
        pl.lit(bundled).alias("bundled"), pl.lit(datetime.now()).alias("ingested_at")
    )
    _insert(con, "documents", docs)
    _insert(con, "mentions", fr["mentions"])
    _insert(con, "links", fr["links"])
    cap = fr["capex"]
    if cap.height:
        con.register("_capex", cap.to_arrow())
        try:
            missing = con.execute(
                "select distinct currency from _capex anti join fx using (currency)"
            ).fetchall()
            if missing:
                raise InputError(f"data/fx.csv: no rate for currency {missing[0][0]!r}")
            con.execute(
                """
                insert into capex by name
                select k.*, k.amount * fx.cny_per_unit as amount_cny,
                       k.amount * fx.cny_per_unit / usd.cny_per_unit as amount_usd
                from _capex as k
                join fx using (currency)
                cross join (select cny_per_unit from fx where currency = 'USD') as usd
                """
            )
        finally:
            con.unregister("_capex")


def delete_document(con: duckdb.DuckDBPyConnection, doc_id: str) -> None:
    for table in ("mentions", "links", "capex", "document_text", "documents"):
        con.execute(f"delete from {table} where doc_id = ?", [doc_id])


def _set_meta(con: duckdb.DuckDBPyConnection, **kv: str) -> None:
    for k, v in kv.items():
        con.execute("insert or replace into meta values (?, ?)", [k, v])


# ---------------------------------------------------------------- build


@dataclass
class BuildReport:
    path: Path
    documents: int
    companies: int
    listings: int
    links: int
    capex: int
    carried_over: int


def build(path: Path, data_dir: Path = DATA_DIR, keep_ingested: bool = True) -> BuildReport:
    """Rebuild the database from data/ into a new file, then swap it in.

    Killed at any moment, the previous database stays whole: the new one is written to a
    temporary file beside it and renamed over it only once complete. Documents the user had
    ingested are carried over and re-extracted with the current reference knowledge.
    """
    from screener.corpus import Document, frames, read_corpus

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    kb = load(data_dir)
    carried: list[Document] = []
    if keep_ingested and path.exists():
        carried = _carry_over(path, kb)
    for stale in path.parent.glob(path.name + ".tmp-*"):
        stale.unlink(missing_ok=True)
    tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}")
    try:
        con = connect(tmp)
        try:
            create_schema(con)
            load_reference(con, kb)
            insert_facts(con, read_corpus(data_dir / "corpus"), bundled=True)
            if carried:
                insert_facts(con, frames(carried), bundled=False)
                _insert(
                    con,
                    "document_text",
                    pl.DataFrame([{"doc_id": d.doc_id, "text": d.text} for d in carried]),
                )
            _set_meta(
                con,
                schema_version=SCHEMA_VERSION,
                built_at=datetime.now().isoformat(timespec="seconds"),
            )
            counts = {
                t: con.execute(f"select count(*) from {t}").fetchall()[0][0]
                for t in ("documents", "companies", "listings", "links", "capex")
            }
            con.execute("checkpoint")
        finally:
            con.close()
        os.replace(tmp, path)
        Path(str(path) + ".wal").unlink(missing_ok=True)
    except BaseException:
        tmp.unlink(missing_ok=True)
        Path(str(tmp) + ".wal").unlink(missing_ok=True)
        raise
    return BuildReport(
        path,
        counts["documents"],
        counts["companies"],
        counts["listings"],
        counts["links"],
        counts["capex"],
        len(carried),
    )


def _carry_over(path: Path, kb: Knowledge) -> list[Any]:
    """User-ingested documents of the old database, re-extracted with ``kb``."""
    from screener.corpus import Document
    from screener.extract import extract

    try:
        con = connect(path, read_only=True)
    except DatabaseError:
        return []
    try:
        rows = con.execute(
            "select d.doc_id, d.path, d.title, d.publisher, d.published_on, d.date_source, d.language, "
            "d.encoding, d.sha256, d.n_chars, t.text from documents d join document_text t using (doc_id) "
            "where not d.bundled"
        ).fetchall()
    except duckdb.Error:
        return []
    finally:
        con.close()
    cols = [
        "doc_id",
        "path",
        "title",
        "publisher",
        "published_on",
        "date_source",
        "language",
        "encoding",
        "sha256",
        "n_chars",
    ]
    out = []
    for r in rows:
        row = dict(zip(cols, r[:-1], strict=True))
        out.append(Document(row, r[-1], extract(r[-1], kb, row["published_on"].isoformat())))
    return out


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
    files: list[Path] = []
    errors: list[str] = []
    for p in paths:
        if p.is_dir():
            found = sorted(
                f
                for f in p.rglob("*")
                if f.is_file() and not any(part.startswith(".") for part in f.relative_to(p).parts)
            )
            if not found:
                errors.append(f"{p}: folder holds no files")
            files.extend(found)
        elif p.exists():
            files.append(p)
        else:
            errors.append(f"{p}: no such file or folder")
    return files, errors


_WORKER: dict[str, Any] = {}  # what forked extraction workers inherit from the parent


def _read_one(f: Path) -> tuple[str, Any]:
    from screener.corpus import read_document

    try:
        return "ok", read_document(f, _WORKER["kb"], **_WORKER["opts"])
    except InputError as e:
        return "error", str(e)


def read_documents(files: list[Path], kb: Knowledge, **opts: Any) -> Iterator[tuple[str, Any]]:
    """Decode and extract files, on every core when there are many (fork: the loaded
    reference data and matcher are shared, not rebuilt). Yields ("ok", Document) or
    ("error", message) in file order."""
    import multiprocessing

    from screener.extract import get_matcher

    get_matcher(kb)
    _WORKER.update(kb=kb, opts=opts)
    procs = min(os.cpu_count() or 1, 8)
    if len(files) < 32 or procs < 2 or "fork" not in multiprocessing.get_all_start_methods():
        yield from map(_read_one, files)
        return
    with multiprocessing.get_context("fork").Pool(procs) as pool:
        yield from pool.imap(_read_one, files, chunksize=16)


def ingest(
    path: Path,
    inputs: list[Path],
    *,
    published_on: date | None = None,
    title: str | None = None,
    publisher: str | None = None,
    batch: int = 2000,
) -> IngestReport:
    """Add documents in one transaction; idempotent by content hash.

    A file whose content is already in the database is left alone; a changed file at a
    path already ingested replaces its old version. Files that cannot be read are reported
    and skipped; if none could be ingested the database is untouched and NotFoundError or
    InputError is raised. Documents are written in batches (bounded memory), all inside the
    one transaction.
    """
    from screener.corpus import frames

    kb = load(DATA_DIR)
    files, errors = expand_paths(inputs)
    report = IngestReport(failed=list(errors))
    ensure_built(path)
    con = connect(path)
    try:
        with sql_errors(f"{path}: ingest failed, database unchanged"):
            known = dict(con.execute("select sha256, path from documents").fetchall())
            old_by_path: dict[str, list[str]] = {}
            for doc_id, p in con.execute(
                "select doc_id, path from documents where not bundled"
            ).fetchall():
                old_by_path.setdefault(p, []).append(doc_id)
            with transaction(con):
                pending: list[Any] = []
                for status, item in read_documents(
                    files, kb, published_on=published_on, title=title, publisher=publisher
                ):
                    if status == "error":
                        report.failed.append(item)
                        continue
                    sha, p = item.row["sha256"], str(item.row["path"])
                    if sha in known:
                        report.unchanged.append(f"{p} (already in the database as {known[sha]})")
                        continue
                    known[sha] = p
                    old = old_by_path.pop(p, [])
                    for doc_id in old:
                        delete_document(con, doc_id)
                    (report.replaced if old else report.added).append(p)
                    pending.append(item)
                    if len(pending) >= batch:
                        _write_batch(con, pending, frames)
                        pending = []
                _write_batch(con, pending, frames)
    finally:
        con.close()
    if not report.ingested and not report.unchanged:
        if report.failed:
            raise InputError("; ".join(report.failed) + " (nothing ingested)")
        raise NotFoundError("no documents found to ingest")
    return report


def _write_batch(con: duckdb.DuckDBPyConnection, docs: list[Any], frames: Any) -> None:
    if docs:
        insert_facts(con, frames(docs), bundled=False)
        _insert(
            con, "document_text", pl.DataFrame([{"doc_id": d.doc_id, "text": d.text} for d in docs])
        )


# ---------------------------------------------------------------- read-only query


def query(path: Path, sql: str, params: list[Any] | dict[str, Any] | None = None) -> pl.DataFrame:
    """Run SQL on a read-only connection: a statement that would write is refused."""
    con = connect(path, read_only=True)
    try:
        return run_query(con, sql, params)
    finally:
        con.close()


def run_query(
    con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | dict[str, Any] | None = None
) -> pl.DataFrame:
    """SQL on an open (read-only) connection, errors as DatabaseError."""
    try:
        rel = con.sql(sql, params=params)
        if rel is None:  # a statement with no result (SET, PRAGMA ...)
            return pl.DataFrame()
        return rel.pl()
    except duckdb.Error as e:
        msg = _first_line(e)
        if "read-only" in msg or "read only" in msg:
            raise DatabaseError(f"query is read-only, the database was not changed ({msg})") from e
        raise DatabaseError(f"query failed: {msg}") from e
