"""The readers: PDF (text and tables, pages), HTML (the article, not the navigation), Markdown
front matter, Word, standard input; each on documents written here, generated in the test."""

from __future__ import annotations

import contextlib
import io
import os
import sys
from datetime import date
from pathlib import Path
from unittest import mock

import pytest

from screener.corpus import header_date, read_document
from screener.errors import InputError
from screener.readers import read_source, sniff

ROOT = Path(__file__).resolve().parents[1]
EVAL_DOCS = ROOT.parent / "shared" / "eval" / "docs"

# one note, written for these tests: a dateline, a recommendation in prose, and a segment
# table on the second page
TITLE = "算力基础设施跟踪（第12期）"
PROSE = "国内云厂商上调资本开支，网络设备需求旺盛，交换机方向建议关注紫光股份。"
SEGMENTS = [["细分环节", "相关公司"], ["光模块", "中际旭创、新易盛"], ["液冷", "英维克、高澜股份"]]


def make_pdf(path: Path, *, encrypt: str | None = None, wrap_prose: bool = False) -> Path:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Table, TableStyle

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    body = ParagraphStyle("zh", fontName="STSong-Light", fontSize=11, leading=16)
    head = ParagraphStyle("h", fontName="STSong-Light", fontSize=16, leading=22)
    table = Table(SEGMENTS)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), "STSong-Light"),
                ("GRID", (0, 0), (-1, -1), 0.5, "black"),
            ]
        )
    )
    filler = "算力投资持续加码，产业链景气度维持高位，" * 4 if wrap_prose else ""
    doc = SimpleDocTemplate(str(path), pagesize=A4, title=TITLE, encrypt=encrypt)
    doc.build(
        [
            Paragraph(f"{TITLE} 2026年10月8日", head),
            Paragraph(filler + PROSE, body),
            PageBreak(),
            Paragraph("分环节受益标的如下：", body),
            table,
        ]
    )
    return path


def text_note() -> str:
    rows = ["| " + " | ".join(r) + " |" for r in SEGMENTS]
    rows.insert(1, "|---|---|")
    return "\n".join([f"{TITLE} 2026年10月8日", PROSE, "", "分环节受益标的如下：", *rows]) + "\n"


def supplier_links(doc) -> set[tuple[str, str | None]]:
    return {(lk.company_id, lk.theme) for lk in doc.extraction.links if lk.role == "supplier"}


def test_pdf_table_gives_the_links_of_the_same_note_in_text(tmp_path, kb):
    pdf = read_document(make_pdf(tmp_path / "note.pdf"), kb)
    (tmp_path / "note.txt").write_text(text_note(), encoding="utf-8")
    txt = read_document(tmp_path / "note.txt", kb)
    assert supplier_links(pdf) == supplier_links(txt)
    assert supplier_links(pdf) >= {
        ("a_300308", "optical_modules"),
        ("a_300502", "optical_modules"),
        ("a_002837", "liquid_cooling"),
        ("a_300499", "liquid_cooling"),
        ("a_000938", "switches"),
    }
    assert pdf.row["format"] == "pdf" and pdf.row["title"] == TITLE
    assert pdf.row["published_on"] == date(2026, 10, 8) and pdf.row["date_source"] == "content"
    pages = {lk.company_id: pdf.page_of(lk.start) for lk in pdf.extraction.links}
    assert pages["a_000938"] == 1 and pages["a_300308"] == 2 and pages["a_002837"] == 2
    # evidence offsets index the extracted text
    for lk in pdf.extraction.links:
        assert pdf.text[lk.start : lk.end]


def test_pdf_paragraph_wrapped_by_the_layout_reads_as_one_line(tmp_path, kb):
    doc = read_document(make_pdf(tmp_path / "wrapped.pdf", wrap_prose=True), kb)
    para = next(ln for ln in doc.text.split("\n") if "紫光股份" in ln)
    assert para.startswith("算力投资持续加码") and para.endswith("紫光股份。")
    assert ("a_000938", "switches") in supplier_links(doc)


def test_bad_pdfs_get_one_line_each(tmp_path, kb):
    good = make_pdf(tmp_path / "good.pdf").read_bytes()
    (tmp_path / "truncated.pdf").write_bytes(good[: len(good) // 3])
    make_pdf(tmp_path / "locked.pdf", encrypt="secret")
    image_only = tmp_path / "scan.pdf"
    _image_pdf(image_only)
    expected = {
        "truncated.pdf": "not a readable PDF",
        "locked.pdf": "encrypted with a password",
        "scan.pdf": "no text layer",
    }
    for name, words in expected.items():
        with pytest.raises(InputError) as e:
            read_document(tmp_path / name, kb)
        assert str(e.value).startswith(str(tmp_path / name)) and words in str(e.value)
        assert "\n" not in str(e.value)


def _image_pdf(path: Path) -> None:
    from PIL import Image
    from reportlab.pdfgen import canvas

    png = path.with_suffix(".png")
    Image.new("RGB", (200, 80), "white").save(png)
    c = canvas.Canvas(str(path))
    c.drawImage(str(png), 100, 600, 200, 80)
    c.save()


def test_cid_garbage_is_refused(monkeypatch):
    from screener.readers import pdf

    with pytest.raises(InputError, match="fonts do not map to Unicode"):
        pdf._check(["(cid:12)(cid:40)(cid:7) 2026"], 0, "x.pdf")


HTML = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="{charset}">
<title>光模块板块走强 - 示例财经</title>
<meta property="og:title" content="光模块板块走强，机构梳理算力链受益标的">
<meta property="article:published_time" content="2026-10-09T09:30:00+08:00">
</head><body>
<nav><ul><li><a href="/">首页</a></li><li><a href="/a">寒武纪专题</a></li>
<li><a href="/b">工业富联行情</a></li></ul></nav>
<article>
<h1>光模块板块走强，机构梳理算力链受益标的</h1>
<p>海外云厂商继续加大资本开支，高速光模块需求快速增长，八百G与一点六T产品放量在即，
相关公司订单饱满。下面是机构按环节整理的受益标的，供投资者参考。</p>
<h2>光模块</h2>
<ul><li>中际旭创（300308）</li><li>新易盛（300502）</li></ul>
<h2>交换机</h2>
<table><tr><th>公司</th><th>代码</th><th>环节</th></tr>
<tr><td>紫光股份</td><td>000938</td><td>交换机</td></tr>
<tr><td>锐捷网络</td><td>301165</td><td>交换机</td></tr></table>
<p>业内人士认为，国内大模型训练需求提升，数据中心网络升级将持续推进。</p>
</article>
<footer>相关阅读：<a href="/c">英维克最新消息</a></footer>
</body></html>
"""


@pytest.mark.parametrize(
    ("charset", "codec"), [("utf-8", "utf-8"), ("gbk", "gbk"), ("big5", "big5")]
)
def test_html_article_title_date_and_no_navigation(tmp_path, kb, charset, codec):
    page = HTML.format(charset=charset)
    if codec == "big5":
        import opencc

        page = opencc.OpenCC("s2tw").convert(page)  # a Taiwan page, in Traditional
    path = tmp_path / "page.html"
    path.write_bytes(page.encode(codec))
    doc = read_document(path, kb)
    assert doc.row["format"] == "html"
    assert doc.row["title"].startswith(("光模块板块走强", "光模塊板塊走強"))
    assert doc.row["published_on"] == date(2026, 10, 9) and doc.row["date_source"] == "metadata"
    assert supplier_links(doc) >= {
        ("a_300308", "optical_modules"),
        ("a_300502", "optical_modules"),
        ("a_000938", "switches"),
        ("a_301165", "switches"),
    }
    named = {m.company_id for m in doc.extraction.mentions}
    assert not named & {"a_688256", "a_601138", "a_002837"}  # navigation and footer
    assert "<" not in doc.text and "| 紫光股份 | 000938 |" in doc.text


def test_html_is_told_by_content_not_by_name(tmp_path, kb):
    path = tmp_path / "saved_page"  # no suffix
    path.write_text(HTML.format(charset="utf-8"), encoding="utf-8")
    assert read_document(path, kb).row["format"] == "html"
    assert sniff(b"\xef\xbb\xbf  <!doctype html><html>") == "html"
    assert sniff(b"%PDF-1.7\n") == "pdf"
    assert sniff(b"just text <b>bold</b>") == "text"
    assert sniff(b"---\ntitle: x\n---\nbody") == "markdown"
    with pytest.raises(InputError, match="not a Word document"):
        read_source(b"PK\x03\x04" + b"\x00" * 40, "a.zip")


MARKDOWN = """---
title: "液冷与电源周观察"
publishedAt: "2026-09-30T08:00:00+08:00"
source: "示例证券研究所"
tags: [液冷, 电源]
---
## 液冷

- 英维克（002837）
- 高澜股份（300499）

## 电源

相关标的：麦格米特、欧陆通。
"""


def test_markdown_front_matter(tmp_path, kb):
    path = tmp_path / "weekly.md"
    path.write_text(MARKDOWN, encoding="utf-8")
    doc = read_document(path, kb)
    assert doc.row["format"] == "markdown"
    assert (doc.row["title"], doc.row["publisher"]) == ("液冷与电源周观察", "示例证券研究所")
    assert doc.row["published_on"] == date(2026, 9, 30) and doc.row["date_source"] == "metadata"
    assert "publishedAt" not in doc.text and doc.text.startswith("# 液冷与电源周观察\n")
    assert supplier_links(doc) >= {
        ("a_002837", "liquid_cooling"),
        ("a_300499", "liquid_cooling"),
        ("a_002851", "power"),
        ("a_300870", "power"),
    }


def test_markdown_bad_front_matter_names_the_line(tmp_path, kb):
    path = tmp_path / "bad.md"
    path.write_text('---\ntitle: "open quote\ndate: [\n---\nbody\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"bad\.md:.*front matter"):
        read_document(path, kb)


def test_a_markdown_thematic_break_is_not_front_matter(tmp_path, kb):
    path = tmp_path / "notes.md"
    path.write_text("---\n\n液冷方向建议关注英维克。\n\n---\n", encoding="utf-8")
    doc = read_document(path, kb)
    assert ("a_002837", "liquid_cooling") in supplier_links(doc)


def test_docx_paragraphs_lists_and_tables(tmp_path, kb):
    import docx

    d = docx.Document()
    d.core_properties.title = "服务器与交换机跟踪"
    d.add_heading("服务器", level=2)
    d.add_paragraph("浪潮信息（000977）", style="List Bullet")
    d.add_paragraph("中科曙光（603019）", style="List Bullet")
    t = d.add_table(rows=2, cols=2)
    for cell, value in zip(
        t.rows[0].cells + t.rows[1].cells, ["环节", "公司", "交换机", "紫光股份"], strict=True
    ):
        cell.text = value
    path = tmp_path / "note.docx"
    d.save(str(path))
    doc = read_document(path, kb)
    assert doc.row["format"] == "docx" and doc.row["title"] == "服务器与交换机跟踪"
    assert "## 服务器\n- 浪潮信息（000977）" in doc.text and "| 交换机 | 紫光股份 |" in doc.text
    assert supplier_links(doc) >= {
        ("a_000977", "servers"),
        ("a_603019", "servers"),
        ("a_000938", "switches"),
    }


def test_english_datelines():
    assert header_date("SHANGHAI, Oct 8, 2026 (Reuters) - Chinese cloud ...") == date(2026, 10, 8)
    assert header_date("Data centres\n8 October 2026\nBody") == date(2026, 10, 8)
    assert header_date("TAIPEI, Sept. 3, 2026 - ...") == date(2026, 9, 3)
    assert header_date("Revenue rose in May 2026") is None


def _run_with_stdin(data: bytes, *args: str) -> tuple[int, str]:
    from screener.cli import main

    err = io.StringIO()
    stdin = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8")
    code: int | str | None = 0
    with (
        contextlib.redirect_stderr(err),
        contextlib.redirect_stdout(io.StringIO()),
        mock.patch.object(sys, "argv", ["screener", *args]),
        mock.patch.object(sys, "stdin", stdin),
    ):
        os.environ.pop("SCREENER_DB", None)
        try:
            main()
        except SystemExit as e:
            code = e.code
    return int(code or 0), err.getvalue()


def test_ingest_reads_standard_input_and_pdfs(db_copy, tmp_path):
    import duckdb

    pdf = make_pdf(tmp_path / "note.pdf").read_bytes()
    code, err = _run_with_stdin(pdf, "ingest", "-", "--db", str(db_copy))
    assert code == 0, err
    code, err = _run_with_stdin(MARKDOWN.encode(), "ingest", "-", "--db", str(db_copy))
    assert code == 0 and "ingested 1 documents (1 new" in err, err
    with duckdb.connect(str(db_copy), read_only=True) as con:
        docs = con.execute(
            "select path, format from documents where not bundled order by format"
        ).fetchall()
        assert docs == [
            ("<stdin>", "markdown"),
            ("<stdin>", "pdf"),
        ]  # the second did not replace the first
        pages = con.execute(
            "select l.page, count(*) from links l join documents d using (doc_id) "
            "where d.format = 'pdf' and l.role = 'supplier' group by 1 order by 1"
        ).fetchall()
        assert pages == [(1, 1), (2, 4)]
        n_pages = con.execute("select count(*) from document_pages").fetchone()
        assert n_pages == (2,)


def test_a_bad_pdf_leaves_the_database_as_it_was(db_copy, tmp_path):
    from tests.test_reliability import digest, run

    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.7\n1 0 obj <<\n")
    before = digest(db_copy)
    r = run("ingest", str(tmp_path / "broken.pdf"), "--db", str(db_copy))
    assert r.returncode == 3
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "broken.pdf" in lines[0] and "PDF" in lines[0]
    assert digest(db_copy) == before


def test_build_keeps_a_pdf_with_its_pages(db_copy, tmp_path):
    import duckdb

    from screener.db import build, ingest

    ingest(db_copy, [make_pdf(tmp_path / "note.pdf")])
    build(db_copy)
    with duckdb.connect(str(db_copy), read_only=True) as con:
        got = con.execute(
            "select d.format, count(distinct p.page), max(l.page) from documents d "
            "join document_pages p using (doc_id) join links l using (doc_id) "
            "where not d.bundled group by 1"
        ).fetchall()
    assert got == [("pdf", 2, 2)]


@pytest.mark.skipif(not EVAL_DOCS.is_dir(), reason="../shared/eval is not here")
def test_real_markdown_notes_read_their_front_matter(kb):
    import yaml

    notes = sorted(EVAL_DOCS.glob("*.md"))
    assert len(notes) >= 30
    for p in notes:
        raw = p.read_bytes()
        src = read_source(raw, p.name, p.suffix)
        meta = yaml.safe_load(raw.decode("utf-8").split("---")[1])
        assert src.format == "markdown"
        assert src.title == meta["title"].strip()
        assert src.published_on == date.fromisoformat(meta["publishedAt"][:10])
        assert not src.text.startswith("---") and "publishedAt:" not in src.text[:2000]


def test_ingest_help_lists_the_formats(runner):
    from screener.cli import app

    r = runner.invoke(app, ["ingest", "--help"])
    for word in ("Markdown", "HTML", "PDF", ".docx", "standard input"):
        assert word in r.output


def _two_column_pdf(path: Path) -> Path:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import BaseDocTemplate, Frame, FrameBreak, PageTemplate, Paragraph

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    body = ParagraphStyle("zh", fontName="STSong-Light", fontSize=10.5, leading=16)
    w, h = A4
    frames = [
        Frame(50, h - 110, w - 100, 60, id="title"),
        Frame(50, 80, 130, h - 200, id="sidebar"),
        Frame(200, 80, w - 250, h - 200, id="body"),
    ]
    doc = BaseDocTemplate(str(path), pagesize=A4, pageTemplates=[PageTemplate("p", frames)])
    sidebar = ["评级：增持", "分析师：某某", "执业证书编号", "联系电话", "相关报告"]
    prose = (
        "本周北美云厂商再度上调资本开支预期，带动高速互联需求持续走高，"
        "柜内连接方案加速切换，我们看好铜连接环节的业绩弹性，建议关注沃尔核材与神宇股份，"
        "两家公司高速线缆产品均已批量出货，订单饱满。"
    )
    doc.build(
        [Paragraph("铜连接行业周报 2026年10月20日", body), FrameBreak()]
        + [Paragraph(s, body) for s in sidebar]
        + [FrameBreak(), Paragraph(prose, body)]
    )
    return path


def test_pdf_columns_are_read_one_after_the_other(tmp_path, kb):
    doc = read_document(_two_column_pdf(tmp_path / "cols.pdf"), kb)
    lines = doc.text.split("\n")
    body = next(ln for ln in lines if "沃尔核材" in ln)
    # the body paragraph is whole: not interleaved with the sidebar's lines
    assert body.startswith("本周北美云厂商") and body.endswith("订单饱满。")
    assert lines.index("评级：增持") < lines.index(body)
    assert {("a_002130", "copper_interconnect"), ("a_300563", "copper_interconnect")} <= (
        supplier_links(doc)
    )
