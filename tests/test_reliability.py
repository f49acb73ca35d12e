"""Nothing lost, nothing written by a read: user state survives build, one writer at a time,
query in a sandbox, --out never onto a database, bounded input, documented exit codes.

The CLI runs in a subprocess here where the exit code, the lock or a second process matter.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from .conftest import DATA

SCREENER = [sys.executable, "-m", "screener"]


def run_process(*args: str) -> subprocess.CompletedProcess:
    """The CLI in its own process: for what needs one (a lock held by another process)."""
    env = {k: v for k, v in os.environ.items() if k != "SCREENER_DB"}
    env["SCREENER_LOCK_WAIT"] = "0.2"
    return subprocess.run([*SCREENER, *args], capture_output=True, text=True, env=env, timeout=120)


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    """The CLI's real entry point (main(), with its exit codes and one-line errors), in process."""
    import contextlib
    import io
    from unittest import mock

    from screener.cli import main

    out, err = io.StringIO(), io.StringIO()
    code: int | str | None = 0
    with (
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
        mock.patch.object(sys, "argv", ["screener", *args]),
        mock.patch.object(sys, "stdin", io.StringIO(stdin or "")),
        mock.patch.dict(os.environ, {}, clear=False),
    ):
        os.environ.pop("SCREENER_DB", None)
        try:
            main()
        except SystemExit as e:
            code = e.code
    return subprocess.CompletedProcess(list(args), int(code or 0), out.getvalue(), err.getvalue())


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def state(db: Path) -> tuple[list[str], int]:
    """User state: ingested documents (by hash) and signal values."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        docs = [
            r[0]
            for r in con.execute(
                "select sha256 from documents where not bundled order by 1"
            ).fetchall()
        ]
        n = con.execute("select count(*) from signals").fetchall()[0][0]
        return docs, n
    finally:
        con.close()


@pytest.fixture
def user_db(db_copy: Path, tmp_path: Path) -> Path:
    """A database with two ingested documents and 9 signal values."""
    from screener.db import ingest
    from screener.signals import load_signals

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("光模块龙头：中际旭创、新易盛。\n", encoding="utf-8")
    (docs / "b.txt").write_text("液冷方面受益标的：英维克。\n", encoding="utf-8")
    ingest(db_copy, [docs])
    load_signals(db_copy, [DATA / "signals_long.csv"])
    return db_copy


def test_build_carries_documents_and_signals(user_db: Path) -> None:
    from screener.db import build

    before = state(user_db)
    assert len(before[0]) == 2 and before[1] == 9
    r = build(user_db)
    assert r.carried_over == 2 and r.kept == {"signals": 9}
    assert state(user_db) == before
    con = duckdb.connect(str(user_db), read_only=True)
    assert con.execute("select count(*) from signal_catalog").fetchall()[0][0] > 0
    con.close()


def test_build_fresh_says_what_it_drops(user_db: Path) -> None:
    r = run("build", "--fresh", "--db", str(user_db))
    assert r.returncode == 0, r.stderr
    assert "dropped 2 ingested documents" in r.stderr
    assert "dropped 9 rows of signals" in r.stderr
    assert state(user_db) == ([], 0)


def _hold_open(db: Path) -> subprocess.Popen:
    """Another process with the database open read-write (as `duckdb screener.duckdb` does)."""
    code = "import duckdb,sys,time; c=duckdb.connect(sys.argv[1]); print('ready',flush=True); time.sleep(60)"
    p = subprocess.Popen([sys.executable, "-c", code, str(db)], stdout=subprocess.PIPE, text=True)
    assert p.stdout is not None and p.stdout.readline().strip() == "ready"
    return p


def test_build_stops_when_the_old_database_cannot_be_read(user_db: Path) -> None:
    before = digest(user_db)
    holder = _hold_open(user_db)
    try:
        r = run_process("build", "--db", str(user_db))
    finally:
        holder.kill()
        holder.wait()
    assert r.returncode == 4
    assert r.stderr.count("\n") == 1 and "nothing was changed" in r.stderr
    assert digest(user_db) == before
    assert len(state(user_db)[0]) == 2


def test_build_refuses_what_is_not_a_screener_database(tmp_path: Path) -> None:
    notes = tmp_path / "notes.duckdb"
    notes.write_text("my notes\n")
    other = tmp_path / "other.duckdb"
    duckdb.connect(str(other)).execute("create table t as select 1 as x").close()
    for target in (notes, other):
        before = digest(target)
        r = run("build", "--db", str(target))
        assert r.returncode == 4 and "refusing to replace it" in r.stderr, r.stderr
        assert digest(target) == before
    r = run("build", "--db", str(tmp_path))
    assert r.returncode == 4 and "is a folder" in r.stderr


def test_build_follows_a_symlink(db_copy: Path, tmp_path: Path) -> None:
    from screener.db import build

    link = tmp_path / "link.duckdb"
    link.symlink_to(db_copy)
    build(link)
    assert link.is_symlink() and link.resolve() == db_copy.resolve()


def test_a_second_writer_is_told_who_holds_the_lock(user_db: Path, tmp_path: Path) -> None:
    from screener.lock import writer_lock

    doc = tmp_path / "c.txt"
    doc.write_text("交换机：锐捷网络。\n", encoding="utf-8")
    before = digest(user_db)
    with writer_lock(user_db):
        for args in (
            ("ingest", str(doc)),
            ("build",),
            ("signals", "load", str(DATA / "signals_wide.csv")),
        ):
            r = run_process(*args, "--db", str(user_db))
            assert r.returncode == 4, (args, r.stderr)
            assert f"(PID {os.getpid()})" in r.stderr
    assert digest(user_db) == before


SANDBOX_PROBES = [
    "copy (select 1) to '{out}'",
    "copy (select * from documents) to '{db}'",
    "export database '{dir}'",
    "attach '{out}.duckdb' as x",
    "attach '{db}' as x (read_write)",
    "pragma profiling_output='{out}'",
    "set enable_external_access=true",
    "install httpfs",
    "set extension_directory='{dir}'",
    "select * from read_text('/etc/passwd')",
    "select * from read_csv('/etc/passwd')",
    "select * from read_blob('/etc/hostname')",
    "select * from glob('/etc/*')",
    "create temp view documents as select 1",
    "delete from signals",
    "drop table signals",
    "insert into meta values ('x', 'y')",
    "checkpoint",
    "select 1; delete from signals",
    "create table t as select 1",
    "load httpfs",
    "call enable_logging()",
]


@pytest.mark.parametrize("probe", SANDBOX_PROBES)
def test_query_probe_is_refused_and_nothing_changes(
    user_db: Path, tmp_path: Path, probe: str
) -> None:
    from screener.api import Database
    from screener.errors import DatabaseError

    out, folder = tmp_path / "probe.out", tmp_path / "exported"
    sql = probe.format(out=out, db=user_db, dir=folder)
    before = digest(user_db)
    listing = sorted(p.name for p in tmp_path.rglob("*"))
    d = Database(user_db)
    try:
        with pytest.raises(DatabaseError):
            d.query(sql)
        assert d.screen(top=1).height == 1  # the session is as it was
    finally:
        d.close()
    assert digest(user_db) == before
    assert sorted(p.name for p in tmp_path.rglob("*")) == listing


def test_query_times_out_and_renders_every_type(built_db: Path) -> None:
    r = run(
        "query",
        "--db",
        str(built_db),
        "--timeout",
        "0.5",
        "select count(*) from range(10000000000) a, range(1000) b",
    )
    assert r.returncode == 4 and "stopped after 0.5 s" in r.stderr
    sql = "select interval 3 day i, map([1],[2]) m, '\\xAA'::blob b, [1,2]::int[2] a, union_value(k := 1) u, 'infinity'::date d"
    for fmt in ("table", "csv", "json"):
        r = run("query", "--db", str(built_db), "--format", fmt, sql)
        assert r.returncode == 0, r.stderr
        assert "3 days" in r.stdout
    r = run("query", "--db", str(built_db), "-", stdin="select 41 + 1 as answer")
    assert r.returncode == 0 and "42" in r.stdout


def test_out_never_overwrites_a_database(built_db: Path, tmp_path: Path) -> None:
    before = digest(built_db)
    for target in (built_db, tmp_path / "new.duckdb"):
        r = run("screen", "--db", str(built_db), "--format", "csv", "--out", str(target))
        assert r.returncode == 6 and "database" in r.stderr
    assert digest(built_db) == before
    assert not (tmp_path / "new.duckdb").exists()
    r = run("screen", "--db", str(built_db), "--out", "/proc/nowhere/x.csv")
    assert r.returncode == 6 and r.stderr.count("\n") == 1


def test_unbounded_and_special_files_are_refused(built_db: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    before = digest(built_db)
    for f in ("/dev/zero", str(fifo)):
        r = run("ingest", "--db", str(built_db), f)
        assert r.returncode == 3 and "not a regular file" in r.stderr
    assert digest(built_db) == before


@pytest.mark.parametrize(
    "content, expected",
    [
        ("ticker,as_of,momentum\n", "no signal values"),
        ("ticker,as_of,momentum\n,,\n,,\n", "no signal values"),
        ("ticker,as_of,momentum\nZZZZ,2026-01-01,1\n", "unknown ticker"),
        ("ticker,as_of,m,m\n300308,2026-01-01,1,2\n", "appears twice"),
    ],
)
def test_bad_signal_files_get_one_clear_error(
    built_db: Path, tmp_path: Path, content: str, expected: str
) -> None:
    f = tmp_path / "s.csv"
    f.write_text(content)
    before = digest(built_db)
    r = run("signals", "load", "--db", str(built_db), str(f))
    assert r.returncode == 3 and expected in r.stderr
    assert "internal error" not in r.stderr
    assert digest(built_db) == before


@pytest.mark.parametrize(
    "args",
    [["screen", "--top", "1e20"], ["screen", "--bogus"], ["nosuchcommand"], ["explain"]],
)
def test_parser_errors_are_one_line_exit_2(built_db: Path, args: list[str]) -> None:
    r = run(*args, "--db", str(built_db)) if args[0] != "nosuchcommand" else run(*args)
    assert r.returncode == 2
    assert r.stderr.startswith("screener: error: ") and r.stderr.count("\n") == 1


def test_interrupt_exits_130_and_says_the_database_is_unchanged(
    user_db: Path, tmp_path: Path
) -> None:
    docs = tmp_path / "many"
    docs.mkdir()
    for i in range(400):
        (docs / f"{i}.txt").write_text(
            f"第{i}篇：光模块龙头：中际旭创、新易盛。\n" * 200, encoding="utf-8"
        )
    before = state(user_db)
    p = subprocess.Popen(
        [*SCREENER, "ingest", "--db", str(user_db), str(docs)], stderr=subprocess.PIPE, text=True
    )
    time.sleep(2.0)
    p.send_signal(2)
    _, err = p.communicate(timeout=30)
    if p.returncode == 0:
        pytest.skip("ingest finished before the interrupt")
    assert p.returncode == 130, err
    assert err.strip().splitlines()[-1].startswith("screener: interrupted")
    assert "Traceback" not in err
    assert state(user_db) == before


class _Interrupting:
    """An object whose Arrow stream is cut by Ctrl-C (DuckDB reads it at register)."""

    def __arrow_c_stream__(self, requested_schema: object = None) -> object:
        raise KeyboardInterrupt


def test_an_interrupt_inside_duckdb_is_an_interrupt() -> None:
    from screener.db import interrupted, sql_errors

    con = duckdb.connect()
    with pytest.raises(duckdb.Error) as caught:
        con.register("_frame", _Interrupting())
    assert interrupted(caught.value)  # DuckDB's words for it, from the installed DuckDB
    assert interrupted(KeyboardInterrupt())
    assert interrupted(RuntimeError("Query interrupted"))  # the client's, during a statement
    assert not interrupted(RuntimeError("something else"))
    assert not interrupted(duckdb.InterruptException("INTERRUPT Error: Interrupted!"))  # timeout
    with pytest.raises(KeyboardInterrupt), sql_errors("ingest failed"):
        con.register("_frame", _Interrupting())


def test_a_failed_insert_from_a_frame_reports_its_own_error() -> None:
    # in a transaction the failure aborts, the frame's cleanup fails too; the error the user
    # sees is the insert's (an interrupted insert was reported as "transaction is aborted")
    import polars as pl

    from screener.db import _insert

    con = duckdb.connect()
    con.execute("create table t (a varchar not null)")
    con.execute("begin transaction")
    with pytest.raises(duckdb.ConstraintException):
        _insert(con, "t", pl.DataFrame({"a": ["x", None]}, schema={"a": pl.String}))


# ---------------------------------------------------------------- slow: kills and races


def _kill_loop(db: Path, args: list[str], tries: int, seed: int) -> tuple[int, int]:
    """kill -9 each run at a seeded random moment; the state after is the old one or the new one."""
    import random

    rnd = random.Random(seed)
    old = state(db)
    survived = mid = 0
    for _ in range(tries):
        p = subprocess.Popen(
            [*SCREENER, *args, "--db", str(db)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rnd.uniform(0.05, 3.0))
        mid += p.poll() is None
        p.kill()
        p.wait()
        now = state(db)
        assert now == old or now[1] >= old[1] and set(old[0]) <= set(now[0]), (args, old, now)
        survived += 1
        old = now
    print(f"kill -9 {args[0]}: {tries} tries, {mid} mid-run, {survived} survived")
    return tries, survived


@pytest.mark.slow
def test_kill_minus_nine_never_loses_state(user_db: Path, tmp_path: Path) -> None:
    docs = tmp_path / "k"
    docs.mkdir()
    for i in range(60):
        (docs / f"{i}.txt").write_text(
            f"第{i}号：交换机：锐捷网络、紫光股份。\n" * 50, encoding="utf-8"
        )
    base = state(user_db)
    for args, seed in (
        (["build"], 1),
        (["ingest", str(docs)], 2),
        (["signals", "load", str(DATA / "signals_wide.csv")], 3),
    ):
        tried, ok = _kill_loop(user_db, args, 20, seed)
        assert ok == tried
    final = state(user_db)
    assert set(base[0]) <= set(final[0]) and final[1] >= base[1]


@pytest.mark.slow
def test_build_racing_ingest_loses_nothing(user_db: Path, tmp_path: Path) -> None:
    for round_ in range(4):
        docs = tmp_path / f"r{round_}"
        docs.mkdir()
        for i in range(40):
            (docs / f"{i}.txt").write_text(
                f"轮{round_}篇{i}：光模块：中际旭创。\n" * 20, encoding="utf-8"
            )
        b = subprocess.Popen(
            [*SCREENER, "build", "--db", str(user_db)], stderr=subprocess.PIPE, text=True
        )
        i = subprocess.Popen(
            [*SCREENER, "ingest", "--db", str(user_db), str(docs)],
            stderr=subprocess.PIPE,
            text=True,
        )
        _, berr = b.communicate(timeout=120)
        _, ierr = i.communicate(timeout=120)
        docs_now = state(user_db)[0]
        if i.returncode == 0:
            hashes = {hashlib.sha256(f.read_bytes()).hexdigest() for f in docs.iterdir()}
            assert hashes <= set(docs_now), "an ingest that reported success lost documents"
        else:
            assert i.returncode == 4 and "in use" in ierr, ierr
        assert b.returncode in (0, 4), berr
        print(f"race {round_}: build exit {b.returncode}, ingest exit {i.returncode}")
        assert state(user_db)[1] == 9


def test_an_older_schema_is_refused_until_build_migrates_it(user_db: Path) -> None:
    from screener.db import SCHEMA_VERSION, build

    con = duckdb.connect(str(user_db))
    con.execute("update meta set value = '1' where key = 'schema_version'")
    con.close()
    before = state(user_db)
    r = run("screen", "--db", str(user_db))
    assert r.returncode == 4 and "run `screener build` to migrate it" in r.stderr
    r = run("ingest", "--db", str(user_db), str(DATA / "weekly.txt"))
    assert r.returncode == 4 and "older than" in r.stderr
    build(user_db)
    assert state(user_db) == before
    con = duckdb.connect(str(user_db), read_only=True)
    assert con.execute("select value from meta where key = 'schema_version'").fetchone() == (
        SCHEMA_VERSION,
    )
    con.close()


def test_read_capped_reads_whole_files_and_refuses_past_the_cap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from screener import corpus
    from screener.errors import InputError

    big = tmp_path / "big.txt"
    data = bytes(range(256)) * (3 * 4096 + 7)  # over 3 MiB: several 1 MiB steps
    big.write_bytes(data)
    assert corpus.read_capped(big, "big.txt") == data
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    assert corpus.read_capped(empty, "empty.txt") == b""
    # stat says 0 bytes for a /proc file: the content must still be read to its end
    status = Path("/proc/self/status")
    if status.exists():
        assert corpus.read_capped(status, "status").startswith(b"Name:")
    monkeypatch.setattr(corpus, "MAX_BYTES", 1000)
    exact = tmp_path / "exact.txt"
    exact.write_bytes(b"x" * 1000)
    assert len(corpus.read_capped(exact, "exact.txt")) == 1000
    with pytest.raises(InputError, match="big.txt: larger than"):
        corpus.read_capped(big, "big.txt")


@pytest.mark.parametrize(
    "args, message",
    [
        (["screen", "--top", "abc"], "Invalid value for '--top': 'abc' is not a valid int."),
        (["capex", "--top", "1.5"], "Invalid value for '--top': '1.5' is not a valid int."),
        (["screen", "--fmt", "csv"], "No such option: --fmt"),
        (["export", "screen"], "Missing option '--out'"),
    ],
)
def test_the_parsers_errors_are_one_line_naming_the_value(built_db, args, message):
    """What the parser itself refuses (a value of the wrong type, an unknown or missing option)
    is one line on stderr, exit 2, like the project's own checks."""
    r = run(*args, "--db", str(built_db))
    assert r.returncode == 2
    assert r.stderr.startswith(f"screener: error: {message}"), r.stderr
    assert r.stderr.count("\n") == 1
