"""Build, ingest and query: atomic, idempotent, read-only, and nothing lost on bad input."""

import hashlib
import shutil

import pytest

from screener import db as dbm
from screener.errors import DatabaseError, InputError, NotFoundError
from screener.reference import load

from .conftest import DATA


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def count(path, sql):
    return dbm.query(path, sql).row(0)[0]


def test_build_counts(built_db):
    assert count(built_db, "select count(*) from documents") == 5
    assert count(built_db, "select count(*) from listings where market = 'A'") == 5524
    assert count(built_db, "select count(*) from themes") == 12
    assert (
        count(built_db, "select value from meta where key = 'schema_version'")
        == dbm.SCHEMA_VERSION
        == "6"
    )
    # one issuer, several listings
    assert set(
        dbm.query(built_db, "select ticker from listings where company_id = 'alibaba'")["ticker"]
    ) == {"BABA.N", "9988.HK"}
    assert set(
        dbm.query(built_db, "select ticker from listings where company_id = 'gds'")["ticker"]
    ) == {"GDS.O", "9698.HK"}
    assert count(built_db, "select count(*) from companies where not listed") >= 10


def test_failed_build_leaves_the_previous_database_whole(db_copy, monkeypatch):
    before = digest(db_copy)

    def boom(*a, **k):
        raise RuntimeError("killed mid-build")

    monkeypatch.setattr(dbm, "insert_facts", boom)
    with pytest.raises(RuntimeError):
        dbm.build(db_copy)
    assert digest(db_copy) == before
    assert not list(db_copy.parent.glob("*.tmp-*"))


def test_a_stale_temporary_file_from_a_killed_build_is_cleared(db_copy):
    stale = db_copy.with_name(db_copy.name + ".tmp-99999")
    stale.write_bytes(b"half a database")
    dbm.build(db_copy)
    assert not stale.exists()
    assert count(db_copy, "select count(*) from documents") == 5


def test_ingest_adds_is_idempotent_and_replaces_changed_files(db_copy, tmp_path):
    doc = tmp_path / "weekly.md"
    shutil.copy(DATA / "report_2026_04.md", doc)
    r = dbm.ingest(db_copy, [doc], published_on=__import__("datetime").date(2026, 4, 10))
    assert (len(r.added), len(r.replaced), len(r.unchanged)) == (1, 0, 0)
    assert count(db_copy, "select count(*) from documents") == 6
    links = count(db_copy, "select count(*) from links")
    r = dbm.ingest(db_copy, [doc])
    assert (len(r.added), len(r.unchanged)) == (0, 1)
    assert count(db_copy, "select count(*) from links") == links
    doc.write_text(doc.read_text(encoding="utf-8") + "\n光模块：中际旭创。\n", encoding="utf-8")
    r = dbm.ingest(db_copy, [doc])
    assert len(r.replaced) == 1
    assert count(db_copy, "select count(*) from documents") == 6
    assert count(db_copy, f"select count(*) from documents where path = '{doc}'") == 1


@pytest.mark.parametrize("one_by_one", [64, 0])
def test_content_already_held_is_looked_up_in_the_database_as_it_is_now(
    built_db, tmp_path, monkeypatch, seeds, one_by_one
):
    """A hash is looked up one by one for the first documents, in one read of every hash past
    that; either way a file is `unchanged` when the database holds its content now: a bundled
    seed, a file ingested earlier in the same run, but not the old version of a file this run
    replaced (it is gone)."""
    monkeypatch.setattr(dbm._KnownContent, "ONE_BY_ONE", one_by_one)
    db = tmp_path / "db.duckdb"
    shutil.copy(built_db, db)
    a, b, c, seed = (tmp_path / n for n in ("a.md", "b.md", "c.md", "seed.txt"))
    old = "# 周报\n\n光模块：中际旭创。\n"
    a.write_text(old, encoding="utf-8")
    assert len(dbm.ingest(db, [a]).added) == 1
    a.write_text(old + "服务器：浪潮信息。\n", encoding="utf-8")
    b.write_text(old, encoding="utf-8")  # what a.md held
    c.write_text(old + "服务器：浪潮信息。\n", encoding="utf-8")  # what a.md holds now
    src = sorted(seeds.glob("*.txt"))[0]
    shutil.copy(src, seed)
    r = dbm.ingest(db, [a, b, c, seed], batch=1)
    assert (r.replaced, r.added) == ([str(a)], [str(b)])
    assert r.unchanged == [
        f"{c} (already in the database as {a})",
        f"{seed} (already in the database as seeds/{src.name})",
    ]
    assert count(db, "select count(*) from documents where not bundled") == 2


def test_ingested_documents_survive_a_rebuild(db_copy):
    dbm.ingest(db_copy, [DATA / "report_2026_04.md"])
    r = dbm.build(db_copy)
    assert r.carried_over == 1
    assert (
        count(
            db_copy,
            "select count(*) from links l join documents d using (doc_id) where not d.bundled and l.company_id = 'a_002837'",
        )
        == 1
    )


def test_folder_of_mixed_files_skips_the_bad_ones_by_name(db_copy, tmp_path):
    (tmp_path / "in").mkdir()
    shutil.copy(DATA / "report_2026_04.md", tmp_path / "in" / "good.md")
    (tmp_path / "in" / "chart.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (tmp_path / "in" / "empty.txt").write_bytes(b"")
    r = dbm.ingest(db_copy, [tmp_path / "in"])
    assert len(r.added) == 1
    assert sorted(m.split(":")[0].rsplit("/", 1)[1] for m in r.failed) == ["chart.png", "empty.txt"]


@pytest.mark.parametrize("content", [b"", b"\x00\x01\x02\x03" * 10, b"%PDF-1.7\n..."])
def test_nothing_ingested_is_an_error_and_the_database_is_unchanged(db_copy, tmp_path, content):
    before = digest(db_copy)
    bad = tmp_path / "bad.txt"
    bad.write_bytes(content)
    with pytest.raises(InputError, match="bad.txt"):
        dbm.ingest(db_copy, [bad])
    assert digest(db_copy) == before


def test_missing_path_and_empty_folder(db_copy, tmp_path):
    with pytest.raises(InputError, match="no such file"):
        dbm.ingest(db_copy, [tmp_path / "nope.txt"])
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="holds no files"):
        dbm.ingest(db_copy, [tmp_path / "empty"])


def test_a_folder_stands_for_its_files_in_path_order(tmp_path, monkeypatch):
    """Hidden files and folders left out, a symlinked folder not entered (a linked file is
    read), in the order sorting the paths gives; a folder it cannot list is named."""
    import os

    top = tmp_path / "notes"
    for d in ("a", "b-c", "b/d", ".hidden", "e", "locked"):
        (top / d).mkdir(parents=True)
    for f in (
        "a/1.txt",
        "a/10.txt",
        "a/2.txt",
        "b-c/x",
        "b/d/y",
        "b/z",
        ".hidden/q",
        ".h",
        "e/.g",
        "top.md",
        "b c",
        "locked/w",
    ):
        (top / f).write_text("x")
    (top / "linked").symlink_to(top / "a", target_is_directory=True)
    (top / "link.md").symlink_to(top / "top.md")
    (top / "broken").symlink_to(top / "nowhere")
    want = [
        "a/1.txt",
        "a/10.txt",
        "a/2.txt",
        "b/d/y",
        "b/z",
        "b c",
        "b-c/x",
        "link.md",
        "locked/w",
        "top.md",
    ]
    files, errors = dbm.expand_paths([top])
    assert [f.relative_to(top).as_posix() for f in files] == want
    assert files == sorted(files) and errors == []

    scandir = os.scandir

    def refuse(path):  # what a folder without read permission gives (root may read anyway)
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", str(path))
        return scandir(path)

    monkeypatch.setattr(os, "scandir", refuse)
    files, errors = dbm.expand_paths([top])
    assert [f.relative_to(top).as_posix() for f in files] == [w for w in want if "locked" not in w]
    assert errors == [f"{top / 'locked'}: cannot read folder (Permission denied)"]


def test_query_is_read_only_and_leaves_the_file_untouched(built_db):
    before = digest(built_db)
    for sql in (
        "delete from links",
        "drop table links",
        "insert into meta values ('x', 'y')",
        "create table t (a int)",
    ):
        with pytest.raises(DatabaseError, match="read-only"):
            dbm.query(built_db, sql)
    assert digest(built_db) == before


def test_query_errors_are_database_errors(built_db):
    with pytest.raises(DatabaseError, match="query failed"):
        dbm.query(built_db, "select * from no_such_table")


def test_query_on_a_missing_database(tmp_path):
    with pytest.raises(DatabaseError, match="no database"):
        dbm.query(tmp_path / "none.duckdb", "select 1")


def test_frames_read_over_the_arrow_stream_equal_the_pyarrow_path():
    """``frame`` (polars reading DuckDB's Arrow C stream) gives what ``rel.pl()`` (through
    pyarrow) gives, for every kind of column the library's queries and ``_plain`` return."""
    import duckdb

    con = duckdb.connect()
    rel = con.sql(
        "select 1::tinyint a, 2::ubigint b, 3::hugeint c, 1.5::float d, 2.25::decimal(18,4) e, "
        "'中际旭创' f, true g, date '2025-06-30' h, timestamp '2025-06-30 01:02:03' i, "
        "time '01:02:03' j, ['idc', 'servers'] k, {'t': 'idc', 'n': 2} l, "
        "map {'momentum': 0.5} m, null::double n, [1.5, null] o "
        "from range(3)"
    )
    got, want = dbm.frame(rel), rel.pl()
    assert got.schema == want.schema
    assert got.equals(want)
    # names repeated by a join, in any case, renamed as DuckDB's own conversion does
    for sql in (
        "select 1 a, 2 a, 3 a, 4 a_1",
        "select 1 a, 2 A",
        "select * from range(2) x, range(2) y",
    ):
        assert dbm.frame(con.sql(sql)).columns == con.sql(sql).pl().columns
    assert dbm.frame(con.sql("select 1 a, 2 A")).columns == ["a", "A_1"]
    # a type polars cannot hold is polars' error, as through pyarrow, not a panic of the reader
    import polars as pl

    for sql in (
        "select interval 3 day v",
        "select union_value(k := 1)::union(k int, s varchar) v",
    ):
        with pytest.raises(pl.exceptions.PolarsError):
            dbm.frame(con.sql(sql))


def test_a_small_batch_inserted_as_rows_equals_the_polars_frames(built_db, tmp_path, monkeypatch):
    """A few documents go to DuckDB as list parameters (``Rows``: no polars imported), many as
    polars frames: both give the same tables, values and types, NULLs, dates, pages and the
    capex's FX columns included."""
    note = tmp_path / "capex.md"
    note.write_text(
        "# 周报\n\n2026-03-20\n\n阿里巴巴 2026 年资本开支 1200 亿元；Microsoft plans US$80 billion "
        "of AI capex in FY2026. 中际旭创、新易盛受益于 800G 光模块。\n",
        encoding="utf-8",
    )
    inputs = [note, DATA / "weekly.txt", DATA / "report_2026_04.md", DATA / "formats"]
    kinds = []
    scan = dbm._scan

    def spy(con, data):
        kinds.append(type(data).__name__)
        return scan(con, data)

    monkeypatch.setattr(dbm, "_scan", spy)
    tables = ("documents", "document_text", "document_pages", "mentions", "links", "capex")
    got = {}
    for limit in (0, 10**9):
        monkeypatch.setattr(dbm, "SMALL_BATCH_ROWS", limit)
        path = tmp_path / f"rows-{limit}.duckdb"
        shutil.copy(built_db, path)
        dbm.ingest(path, inputs)
        con = dbm.connect(path, read_only=True)
        try:
            got[limit] = {
                t: con.execute(
                    f"select * exclude (ingested_at) from {t} where doc_id in "
                    "(select doc_id from documents where not bundled) order by all"
                    if t == "documents"
                    else f"select * from {t} where doc_id in "
                    "(select doc_id from documents where not bundled) order by all"
                ).fetchall()
                for t in tables
            }
            got[limit]["usd"] = con.execute(
                "select count(amount_usd), count(distinct currency) from capex "
                "where doc_id in (select doc_id from documents where not bundled)"
            ).fetchall()
        finally:
            con.close()
    assert "Rows" in kinds and "DataFrame" in kinds
    frames_, rows = got[0], got[10**9]
    assert all(frames_[t] for t in tables), {t: len(v) for t, v in frames_.items()}
    assert frames_["usd"][0][0] > 0 and frames_["usd"][0][1] >= 2
    assert rows == frames_


def test_reading_frames_needs_no_pyarrow_and_leaves_stderr_empty(built_db):
    """A read command imports no pyarrow (~0.1 s of every command) and exits without
    DuckDB's binding reporting objects alive at exit (what polars given the relation itself,
    not the stream wrapper, leaves behind)."""
    import subprocess
    import sys

    script = (
        "import sys, screener.api as a\n"
        f"d = a.open({str(built_db)!r})\n"
        "d.themes(); d.query('select * from capex'); d.screen()\n"
        "print('pyarrow' in sys.modules)\n"
    )
    r = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "False"
    assert r.stderr == ""


def test_not_found_exit_code_class():
    assert NotFoundError("x").exit_code == 5


def test_dateline_dates_a_document_else_the_ingest_day(db_copy, tmp_path):
    from datetime import date

    from screener.corpus import header_date

    assert header_date("# 光模块周报（2025年3月14日）\n正文") == date(2025, 3, 14)
    assert header_date("Title\nBEIJING, 2025-03-14 - text") == date(2025, 3, 14)
    assert header_date("标题\n第二行\n\n第三行\n第四行 2025-03-14") is None
    a = tmp_path / "a.txt"
    a.write_text("光模块周报 2025/05/06\n光模块龙头：中际旭创、新易盛。\n", encoding="utf-8")
    b = tmp_path / "b.txt"
    b.write_text("光模块龙头：天孚通信。\n", encoding="utf-8")
    dbm.ingest(db_copy, [a, b])
    got = dict(
        dbm.query(db_copy, "select path, date_source from documents where not bundled").iter_rows()
    )
    assert got == {str(a): "content", str(b): "ingest_time"}


def test_ingest_and_build_report_progress(db_copy, tmp_path):
    docs = []
    for i in range(3):
        p = tmp_path / f"n{i}.txt"
        p.write_text(f"第{i}期：液冷方向建议关注英维克。\n", encoding="utf-8")
        docs.append(p)
    seen: list[tuple[int, int]] = []
    dbm.ingest(db_copy, docs, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(1, 3), (2, 3), (3, 3)]
    seen.clear()
    dbm.build(db_copy, progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (3, 3)


def test_build_copies_extractions_it_would_make_again_and_re_extracts_when_data_changes(
    db_copy, tmp_path, monkeypatch
):
    """Same code and data (the fingerprint): the stored rows are copied as they are. A user's
    new alias changes the fingerprint: every carried document is extracted again, here by
    forked workers (40 documents), and the new name is linked."""
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(40):
        (folder / f"n{i:02d}.md").write_text(
            f"第{i}期：液冷方向建议关注英维克、小冷科技。\n", encoding="utf-8"
        )
    dbm.ingest(db_copy, [folder])
    before = dbm.query(db_copy, "select * from links order by all")

    def no_extraction(i):
        raise AssertionError("extracted again with an unchanged fingerprint")

    monkeypatch.setattr(dbm, "_extract_stored", no_extraction)
    r = dbm.build(db_copy)
    assert r.carried_over == 40
    assert dbm.query(db_copy, "select * from links order by all").equals(before)
    monkeypatch.undo()

    user = tmp_path / "user"
    user.mkdir()
    (user / "aliases.csv").write_text(
        "alias,company_id,lang,kind,ambiguous\n小冷科技,a_002837,zh-Hans,short,no\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("SCREENER_USER_DATA", str(user))
    r = dbm.build(db_copy)
    assert r.carried_over == 40
    n = count(
        db_copy,
        "select count(distinct doc_id) from mentions where matched = '小冷科技'",
    )
    assert n == 40


def test_ingest_by_other_code_makes_the_next_build_extract_again(db_copy):
    """A database built by one version and ingested into by another holds extractions of
    both: its fingerprint no longer vouches for them."""
    con = dbm.connect(db_copy)
    con.execute("update meta set value = 'older' where key = 'extraction_fingerprint'")
    con.close()
    dbm.ingest(db_copy, [DATA / "report_2026_04.md"])
    fp = dbm.query(db_copy, "select value from meta where key = 'extraction_fingerprint'")
    assert fp["value"].to_list() == ["mixed"]
    dbm.build(db_copy)
    fp = dbm.query(db_copy, "select value from meta where key = 'extraction_fingerprint'")
    assert fp["value"].to_list() == [load().fingerprint]  # of the reference and code
