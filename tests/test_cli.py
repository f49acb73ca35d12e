"""The CLI in process: exit codes, stdout for data, stderr for messages."""

import json

import polars as pl
import pytest

from screener.cli import app

from .conftest import DATA

COMMANDS = [
    ["build"],
    ["ingest"],
    ["screen"],
    ["explain"],
    ["themes"],
    ["capex"],
    ["query"],
    ["export"],
    ["signals", "load"],
    ["signals", "list"],
]


@pytest.mark.parametrize("cmd", COMMANDS)
def test_every_command_has_help_with_an_example(runner, cmd):
    r = runner.invoke(app, [*cmd, "--help"])
    assert r.exit_code == 0
    assert "Example:" in r.output
    assert "--db" in r.output


def test_screen_builds_the_missing_default_database_and_prints_a_table(
    runner, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SCREENER_DB", raising=False)
    db = tmp_path / "screener.duckdb"
    r = runner.invoke(app, ["screen", "--top", "3"])
    assert r.exit_code == 0, r.output
    assert db.exists()
    lines = r.stdout.splitlines()
    assert lines[0].split()[:4] == ["rank", "ticker", "name_zh", "name_en"]
    assert len(lines) == 2 + 3
    assert "building" in r.stderr and "building" not in r.stdout


def test_a_misspelt_db_is_an_error_not_a_new_database(runner, tmp_path):
    db = tmp_path / "reserch.duckdb"
    for cmd in (["screen"], ["explain", "300308"], ["query", "select 1"], ["signals", "list"]):
        r = runner.invoke(app, [*cmd, "--db", str(db)])
        assert r.exit_code == 4, (cmd, r.output)
        assert r.stderr.startswith(f"screener: error: {db}: no such database")
        assert not db.exists()


def test_screen_csv_is_clean_on_stdout(runner, built_db):
    r = runner.invoke(
        app, ["screen", "--db", str(built_db), "--format", "csv", "--theme", "optical_modules"]
    )
    assert r.exit_code == 0
    df = pl.read_csv(r.stdout.encode())
    assert set(df["ticker"]) == {"300308.SZ", "002281.SZ", "000988.SZ"}
    assert df["rank"].to_list() == [1, 2, 3]


def test_explain_json_shape_and_ticker_forms(runner, built_db):
    outs = [
        runner.invoke(app, ["explain", t, "--db", str(built_db), "--format", "json"])
        for t in ("300308", "sz300308", "300308.SZ")
    ]
    assert all(o.exit_code == 0 for o in outs)
    r = json.loads(outs[0].stdout)
    assert {"ticker", "score", "rank", "components", "evidence"} <= set(r)
    assert r["ticker"] == "300308.SZ"
    assert {"name", "value", "weight", "contribution"} <= set(r["components"][0])
    assert {"doc_id", "published_on", "theme", "role", "evidence", "snippet"} <= set(
        r["evidence"][0]
    )
    assert json.loads(outs[1].stdout) == r


def test_explain_hk_forms(runner, built_db):
    for t in ("09698.HK", "HKG:9698", "9698"):
        r = runner.invoke(app, ["explain", t, "--db", str(built_db), "--format", "json"])
        assert r.exit_code == 0, (t, r.output)
        assert json.loads(r.stdout)["ticker"] == "9698.HK"
    r = runner.invoke(app, ["explain", "NASDAQ:GDS", "--db", str(built_db), "--format", "json"])
    assert json.loads(r.stdout)["ticker"] == "GDS.O"


def test_themes_and_stock_to_themes(runner, built_db):
    r = runner.invoke(app, ["themes", "--db", str(built_db), "--format", "json"])
    rows = json.loads(r.stdout)
    assert [x["theme"] for x in rows] == sorted(
        [
            "idc",
            "power",
            "liquid_cooling",
            "switches",
            "optical_modules",
            "servers",
            "copper_interconnect",
            "chips",
            "compute",
            "compute_leasing",
            "pcb",
            "equipment",
        ]
    )
    r = runner.invoke(
        app, ["themes", "--ticker", "000977", "--db", str(built_db), "--format", "json"]
    )
    servers = next(x for x in json.loads(r.stdout) if x["theme"] == "servers")
    assert servers["docs"] == 2


def test_capex_and_export_formats(runner, built_db, tmp_path):
    r = runner.invoke(
        app, ["capex", "--db", str(built_db), "--spender", "alibaba", "--format", "csv"]
    )
    assert r.exit_code == 0
    assert "2025-2027" in r.stdout
    for suffix in ("csv", "json", "parquet"):
        out = tmp_path / f"exposure.{suffix}"
        r = runner.invoke(app, ["export", "exposure", "--db", str(built_db), "--out", str(out)])
        assert r.exit_code == 0, r.output
        assert out.stat().st_size > 0
    assert (
        pl.read_parquet(tmp_path / "exposure.parquet").height
        == pl.read_csv(tmp_path / "exposure.csv").height
    )


def test_query_writes_are_refused(runner, built_db):
    r = runner.invoke(app, ["query", "delete from links", "--db", str(built_db)])
    assert r.exit_code == 4
    assert r.stderr.startswith("screener: error: query is read-only")
    assert r.stdout == ""


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (
            ["screen", "--theme", "gpu"],
            2,
            "unknown theme 'gpu'; valid themes: chips, compute, compute_leasing, copper_interconnect",
        ),
        (["screen", "--market", "JP"], 2, "unknown market 'JP'; valid: A, HK, US"),
        (["screen", "--exchange", "LSE"], 2, "unknown exchange 'LSE'"),
        (["screen", "--weights", "exposure"], 2, "expected name=number"),
        (["screen", "--weights", "exposure=x"], 2, "'x' is not a number"),
        (
            ["screen", "--weights", "momentum=1"],
            2,
            "unknown signal 'momentum'; valid names: exposure",
        ),
        (["screen", "--weights", "exposure=nan"], 2, "finite"),
        (["screen", "--min-docs", "0"], 2, "--min-docs 0"),
        (["screen", "--top", "0"], 2, "--top 0"),
        (["screen", "--as-of", "2025-02-30"], 2, "expected a date as YYYY-MM-DD"),
        (["screen", "--format", "xml"], 2, "--format 'xml'"),
        (["screen", "--out", "x.xlsx"], 2, "cannot tell the format"),
        (["explain", "ZZZZ"], 5, "not a listing"),
        (["explain", "300308", "--format", "xml"], 2, "expected one of table, csv, json, jsonl"),
        (["export", "secrets", "--out", "x.csv"], 2, "unknown table or view 'secrets'"),
        (["ingest", "/no/such/file.txt"], 3, "no such file"),
        (["query", "select * from nope"], 4, "query failed"),
        (["signals", "load", "/no/such.csv"], 3, "no such file"),
    ],
)
def test_bad_values_get_one_clear_line_and_an_exit_code(
    runner, built_db, tmp_path, monkeypatch, args, code, message
):
    monkeypatch.chdir(tmp_path)
    r = runner.invoke(app, [*args, "--db", str(built_db)])
    assert r.exit_code == code, r.output
    assert message in r.stderr
    assert r.stderr.startswith("screener: error: ")
    assert "Traceback" not in r.output


def test_ingest_via_cli(runner, db_copy):
    r = runner.invoke(
        app,
        [
            "ingest",
            str(DATA / "report_2026_04.md"),
            "--published",
            "2026-04-10",
            "--db",
            str(db_copy),
        ],
    )
    assert r.exit_code == 0
    assert "ingested 1 documents (1 new" in r.stderr
    r = runner.invoke(app, ["explain", "920808", "--db", str(db_copy), "--format", "json"])
    ev = json.loads(r.stdout)["evidence"]
    assert ev[0]["published_on"] == "2026-04-10"
    assert ev[0]["theme"] == "liquid_cooling"


def test_version_short_help_and_db_before_the_command(built_db):
    from importlib.metadata import version

    from tests.test_reliability import run

    r = run("--version")
    assert (r.returncode, r.stdout) == (0, f"screener {version('screener')}\n")
    assert run("-h").stdout.startswith("Usage: screener [OPTIONS] COMMAND")
    assert run("screen", "-h").stdout.startswith("Usage: screener screen [OPTIONS]")
    before = run("--db", str(built_db), "screen", "--top", "2", "--format", "csv")
    after = run("screen", "--top", "2", "--format", "csv", "--db", str(built_db))
    assert before.returncode == 0 and before.stdout == after.stdout


def test_help_lists_every_command_with_its_whole_sentence_and_no_python_types():
    import re

    from tests.test_reliability import run

    top = run("--help").stdout
    for name, cmd in typer_commands().items():
        first = " ".join((cmd.help or "").strip().split("\n\n")[0].split())
        listed = re.search(rf"^  {name}\s+(.*?)(?=^  \S|\Z)", top, re.M | re.S)
        assert listed, name
        assert " ".join(listed.group(1).split()) == first, name
        text = run(*name.split(), "--help").stdout if name != "signals" else ""
        assert not re.search(r"<(str|int|float|path|bool|list\[\w+\])>|\{[a-z]+\}", text, re.I), (
            name,
            text,
        )
    for sub in ("load", "list"):
        text = run("signals", sub, "--help").stdout
        assert not re.search(r"<(str|int|float|path|bool|list\[\w+\])>", text, re.I), text


def typer_commands():
    from screener.cli import command

    return command().commands


def test_explain_writes_its_evidence_as_csv_and_jsonl(built_db, tmp_path):
    from tests.test_reliability import run

    r = run("explain", "300308", "--db", str(built_db), "--format", "csv")
    assert r.returncode == 0, r.stderr
    df = pl.read_csv(r.stdout.encode())
    assert {"ticker", "theme", "role", "evidence", "snippet"} <= set(df.columns)
    assert set(df["ticker"]) == {"300308.SZ"}
    out = tmp_path / "why.jsonl"
    r = run("explain", "中际旭创", "--db", str(built_db), "--out", str(out))
    assert r.returncode == 0, r.stderr
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert rows and all(x["ticker"] == "300308.SZ" for x in rows)
    txt = tmp_path / "why.txt"
    assert run("explain", "300308", "--db", str(built_db), "--out", str(txt)).returncode == 0
    assert txt.read_text(encoding="utf-8").startswith("300308.SZ")


def test_export_screen_takes_the_screen_options(built_db, tmp_path):
    from tests.test_reliability import run

    out = tmp_path / "power.parquet"
    r = run(
        "export",
        "screen",
        "--theme",
        "power",
        "--top",
        "3",
        "--out",
        str(out),
        "--db",
        str(built_db),
    )
    assert r.returncode == 0, r.stderr
    df = pl.read_parquet(out)
    assert df.height == 3 and all("power" in t for t in df["themes"].to_list())
    r = run(
        "export",
        "links",
        "--theme",
        "power",
        "--out",
        str(tmp_path / "x.csv"),
        "--db",
        str(built_db),
    )
    assert r.returncode == 2 and "only for `export screen`" in r.stderr


def _imported(*args: str, env: dict[str, str] | None = None) -> list[str]:
    """The modules a CLI command imports, from ``python -X importtime`` (it must succeed)."""
    import subprocess
    import sys

    cmd = [sys.executable, "-X", "importtime", "-m", "screener", *args]
    r = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 0, r.stderr
    return [line.rsplit("|", 1)[-1].strip() for line in r.stderr.splitlines()]


def test_a_read_command_imports_no_pydantic(built_db):
    """The command line parses with typer's own types: a command that loads no reference data
    imports no pydantic (typer 0.29 imports it and builds a validator per parameter, ~0.15 s of
    every command)."""
    imported = _imported("--db", str(built_db), "themes")
    assert "screener.db" in imported
    assert not [m for m in imported if m.split(".")[0] == "pydantic"]


def test_ingesting_a_note_imports_no_pydantic_pyarrow_numpy_opencc_or_polars(kb, db_copy, tmp_path):
    """With the reference data and the script table in the cache, `ingest` validates no file
    (pydantic is for the files' schemas, screener/cue_schema.py), hands a few documents' rows
    to DuckDB as list parameters (polars frames only for large batches, over the Arrow C
    stream interface: no pyarrow), reads a short text in Python (numpy's tables pay only over
    a few hundred thousand characters) and classifies characters from the kept table, not by
    OpenCC (screener/text.py): together ~0.55 s of ingesting one note."""
    import os

    from screener import cache
    from screener.text import _script_table

    _script_table()  # in the suite's cache, if it has one

    env = dict(os.environ)
    runs = 1
    if cache.cache_dir() is None:  # no suite cache: the first ingest fills one of its own
        env["SCREENER_CACHE_DIR"] = str(tmp_path / "cache")
        runs = 2
    for i in range(runs):
        note = tmp_path / "note.md"
        body = "中际旭创与新易盛为光模块龙头。NVIDIA 800G demand.\n" * 20  # > 256: a whole text
        note.write_text(f"# 周报 {i}\n\n{body}", encoding="utf-8")
        imported = _imported("--db", str(db_copy), "ingest", str(note), env=env)
    assert "screener.extract" in imported
    banned = ("pydantic", "pyarrow", "numpy", "opencc", "polars")
    assert not [m for m in imported if m.split(".")[0] in banned]
