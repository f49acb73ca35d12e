"""The HTML report: one self-contained page (no network), with its charts and evidence; the
browser test opens it in headless Chromium and keeps a screenshot."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.test_reliability import run

ARTIFACTS = Path(os.environ.get("SCREENER_ARTIFACTS", Path(__file__).parent / "artifacts"))


@pytest.fixture(scope="module")
def report(built_db, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("report") / "report.html"
    r = run("report", "--out", str(out), "--db", str(built_db), "--as-of", "2026-06-30")
    assert r.returncode == 0, r.stderr
    assert r.stderr.startswith(f"wrote {out}")
    return out


def test_the_report_is_one_offline_page(report):
    page = report.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    # every script inline: nothing fetched from a CDN or anywhere else
    assert not re.search(r"<script[^>]+src=", page)
    markup = re.sub(r"<script[^>]*>.*?</script>", "", page, flags=re.S)  # plotly.js's own strings
    assert not re.search(r"""(src|href)=["']https?://""", markup)
    assert "Plotly.newPlot" in page
    for trace in ('"type":"sankey"', '"type":"heatmap"', '"type":"bar"', '"type":"scatter"'):
        assert trace in page, trace
    assert "as of</dt><dd>2026-06-30" in page
    # the ranking links each ticker to its quoted evidence
    tickers = re.findall(r'<a href="#ev-([^"]+)">', page)
    assert tickers and all(f'id="ev-{t}"' in page for t in tickers)
    assert "中际旭创" in page and "Noto Sans CJK SC" in page


def test_the_report_filters_by_theme_and_date(built_db, tmp_path):
    out = tmp_path / "power.html"
    r = run("report", "--theme", "power", "--out", str(out), "--db", str(built_db))
    assert r.returncode == 0, r.stderr
    page = out.read_text(encoding="utf-8")
    assert "themes</dt><dd>power" in page and "中恒电气" in page and "中际旭创" not in page
    early = tmp_path / "early.html"
    assert (
        run(
            "report", "--as-of", "2020-01-01", "--out", str(early), "--db", str(built_db)
        ).returncode
        == 0
    )
    assert "No data for this chart as of this date." in early.read_text(encoding="utf-8")
    bad = run("report", "--theme", "nope", "--out", str(tmp_path / "x.html"), "--db", str(built_db))
    assert bad.returncode == 2 and not (tmp_path / "x.html").exists()


def test_the_report_header_counts_the_signals_known_on_its_date(db_copy):
    """The whole table's count comes from statistics; a date inside it is counted directly
    when nearer the first value, by subtracting the later rows when nearer the last (its last
    date looked for in the 92 days before it, then in every earlier date): each way must say
    what was known on the date."""
    import duckdb

    from screener.api import Database

    with duckdb.connect(str(db_copy)) as con:
        con.execute(
            "insert into signals values ('300308.SZ', '2026-03-01', 'q', 1, 't'), "
            "('300502.SZ', '2026-05-01', 'q', 2, 't'), ('300308.SZ', '2027-03-01', 'q', 3, 't'), "
            "('300502.SZ', '2027-02-01', 'q', 4, 't')"
        )
    days = ("2026-01-01", "2026-04-01", "2026-12-01", "2027-02-15", "2027-12-31")
    with Database(db_copy) as d:
        pages = {day: d.report(as_of=day) for day in days}
    assert "<dt>signals</dt><dd>none loaded" in pages["2026-01-01"]
    assert "<dt>signals</dt><dd>1 values, 2026-03-01 to 2026-03-01" in pages["2026-04-01"]
    assert "<dt>signals</dt><dd>2 values, 2026-03-01 to 2026-05-01" in pages["2026-12-01"]
    assert "<dt>signals</dt><dd>3 values, 2026-03-01 to 2027-02-01" in pages["2027-02-15"]
    assert "<dt>signals</dt><dd>4 values, 2026-03-01 to 2027-03-01" in pages["2027-12-31"]


def test_every_chart_is_the_figure_plotly_would_write(built_db):
    """The charts are written as plotly.js JSON, without plotly.py's graph objects: plotly's
    validators check each here (a misspelt property or a bad value raises), and plotly's own
    figure from the same JSON must serialize to the same thing (a value plotly would coerce,
    such as a colorbar title given as a bare string, fails)."""
    import json
    from datetime import date

    import plotly.graph_objects as go
    import plotly.io as pio

    import screener
    from screener import report as R

    d = date(2026, 6, 30)
    with screener.open(built_db) as db:
        ranking = db.screen(as_of=d)
        suppliers = R._suppliers(db, d, None)
        figures = [
            R._sankey(db, d, suppliers),
            R._heatmap(suppliers, ranking),
            R._timeline(suppliers, ranking),
            R._capex_series(db.capex(as_of=d)),
        ]
    for fig in figures:
        assert fig is not None
        assert json.loads(pio.to_json(go.Figure(fig))) == json.loads(R._json(fig))
    assert figures[0]["layout"]["template"]["layout"]["plot_bgcolor"] == "white"  # plotly_white


def _chromium() -> str | None:
    return next(
        (b for b in ("chromium", "chromium-browser", "google-chrome") if shutil.which(b)), None
    )


@pytest.mark.slow
def test_the_report_renders_in_a_browser_offline(report):
    browser = _chromium()
    if browser is None:
        pytest.skip("no Chromium here (.ci/run installs Debian's chromium)")
    base = [
        browser,
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--hide-scrollbars",
        # the network is off: any request would fail and show as a console error
        "--proxy-server=127.0.0.1:9",
        "--host-resolver-rules=MAP * ~NOTFOUND",
        "--enable-logging=stderr",
        "--v=0",
        "--virtual-time-budget=20000",
    ]
    dom = subprocess.run(
        [*base, "--dump-dom", report.as_uri()], capture_output=True, text=True, timeout=180
    )
    assert dom.returncode == 0, dom.stderr[-2000:]
    console = [ln for ln in dom.stderr.splitlines() if ":CONSOLE" in ln]
    assert not console, console
    assert dom.stdout.count('class="sankey-node"') >= 10
    assert 'class="hm"' in dom.stdout  # the heatmap drew
    assert re.search(r"<text[^>]*>[^<]*中际旭创 300308\.SZ", dom.stdout)  # a name in the chart
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "report.png"
    snap = subprocess.run(
        [*base, "--window-size=1300,2200", f"--screenshot={shot}", report.as_uri()],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert snap.returncode == 0 and shot.stat().st_size > 50_000, snap.stderr[-2000:]
    fonts = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True)
    assert fonts.stdout.strip(), "no CJK font: Chinese names would render as boxes"


def test_the_report_is_the_same_page_every_time(report, built_db, tmp_path):
    """Built twice from one database, the page is the same (the document titles in the
    Sankey's hover text were an unordered string_agg; the chart ids were random uuids)."""
    again = tmp_path / "again.html"
    r = run("report", "--out", str(again), "--db", str(built_db), "--as-of", "2026-06-30")
    assert r.returncode == 0, r.stderr
    assert report.read_bytes() == again.read_bytes()


def test_the_sankey_hover_names_the_documents_of_each_supplier(report, built_db):
    """Each supplier link's hover starts with the title of a document in the database (the
    titles are read for the Sankey's suppliers only; a supplier left without them shows
    "None")."""
    import html
    import json

    import duckdb

    page = report.read_text(encoding="utf-8")
    hovers = re.findall(r'"(\d+) documents: ([^"]*)"', page)
    assert hovers
    con = duckdb.connect(str(built_db), read_only=True)
    try:
        titles = {t for (t,) in con.execute("select title from documents").fetchall() if t}
    finally:
        con.close()
    for _, raw in hovers:
        text = html.unescape(json.loads(f'"{raw}"'))  # a JSON string in the page, HTML-escaped
        first = text.split(" | ")[0]
        assert first and first != "None", text
        assert any(t.startswith(first) or first.startswith(t[:120]) for t in titles), first


def test_the_evidence_list_escapes_every_field_once():
    """The evidence sections are built as polars columns; each field must come out as
    ``html.escape`` gives it (an "&" escaped once, quotes too), a missing title falls back
    to the path, page 0 or none shows no page, and a company without a Chinese name is
    headed by its English name."""
    import html
    from datetime import date

    import polars as pl

    from screener import report as R

    ev = pl.DataFrame(
        {
            "ticker": ["NVDA.O", "NVDA.O", "300308.SZ"],
            "name_zh": [None, None, "中际旭创"],
            "name_en": ["NVIDIA", "NVIDIA", "Innolight"],
            "theme": ["chips", None, "optical_modules"],
            "evidence": ["supplier_list", "headline", "a<b"],
            "confidence": [0.125, 0.9, 1.0],
            "page": [None, 0, 3],
            "snippet": ["<script>\"x\" & 'y'</script>", "A&amp;B", "800G 光模块"],
            "title": [None, "", "R&D <note>"],
            "published_on": [date(2025, 6, 30), date(2025, 1, 2), date(2024, 12, 31)],
            "path": ["/n/a&b.md", "/n/c.pdf", "/n/d.html"],
        }
    )

    def item(snippet, day, source, theme, page, evidence, conf):
        p = f" · p.{page}" if page else ""
        e = html.escape
        src = f"{e(day)} · {e(source)} · {e(theme or '')}{p} · {e(evidence)} {conf:.2f}"
        return f'<li><q>{e(snippet)}</q> <span class="src">{src}</span></li>'

    expected = "\n".join(
        [
            '<section id="ev-NVDA.O"><h3>NVIDIA NVDA.O</h3><ul>'
            + item(
                "<script>\"x\" & 'y'</script>",
                "2025-06-30",
                "/n/a&b.md",
                "chips",
                None,
                "supplier_list",
                0.125,
            )
            + item("A&amp;B", "2025-01-02", "/n/c.pdf", None, 0, "headline", 0.9)
            + "</ul></section>",
            '<section id="ev-300308.SZ"><h3>中际旭创 300308.SZ</h3><ul>'
            + item("800G 光模块", "2024-12-31", "R&D <note>", "optical_modules", 3, "a<b", 1.0)
            + "</ul></section>",
        ]
    )
    assert R._evidence_html(ev) == expected
    assert "0.12</span>" in expected  # "{:.2f}" rounds the binary value of 0.125 down
    assert R._evidence_html(ev.clear()) == '<p class="empty">No evidence as of this date.</p>'


def test_a_cursor_reads_beside_its_database_and_closes_alone(built_db):
    """The report reads through a second cursor on another thread: it sees the same data,
    and closing it leaves the database's own connection open."""
    from concurrent.futures import ThreadPoolExecutor

    import screener

    with screener.open(built_db) as db:
        side = db.cursor()
        with ThreadPoolExecutor(1) as pool:
            theirs = pool.submit(side.select, "select count(*) as n from links")
            ours = db.select("select count(*) as n from links")
            assert theirs.result().item() == ours.item() > 0
        side.close()
        assert db.select("select count(*) as n from documents").item() > 0
