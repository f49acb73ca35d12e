"""Write tests/data/formats/note.pdf: a two-page broker-style note with a segment table,
the PDF the README ingests (text written for this project; reportlab, a dev dependency).

Run: uv run python scripts/make_samples.py
"""

from __future__ import annotations

from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "tests" / "data" / "formats" / "note.pdf"


def main() -> None:
    from reportlab import rl_config
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Table, TableStyle

    rl_config.invariant = 1  # no timestamp or random id: the same bytes on every run
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    body = ParagraphStyle("zh", fontName="STSong-Light", fontSize=11, leading=17)
    head = ParagraphStyle("h", fontName="STSong-Light", fontSize=17, leading=24)
    rows = [
        ["细分环节", "相关公司", "看点"],
        ["光模块", "中际旭创、新易盛、天孚通信", "1.6T 放量"],
        ["液冷", "英维克、申菱环境", "冷板渗透率提升"],
        ["电源", "麦格米特、欧陆通", "服务器电源升级"],
    ]
    table = Table(rows)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), "STSong-Light"),
                ("GRID", (0, 0), (-1, -1), 0.5, "black"),
            ]
        )
    )
    doc = SimpleDocTemplate(str(OUT), pagesize=A4, title="算力产业链月报：十月")
    doc.build(
        [
            Paragraph("算力产业链月报：十月", head),
            Paragraph("2026年10月12日", body),
            Paragraph(
                "国内头部云厂商在三季度继续上调资本开支指引，智算中心建设节奏加快，网络与"
                "散热环节的订单能见度随之提升。我们维持行业推荐评级，交换机方向建议关注"
                "锐捷网络，服务器方向关注浪潮信息。",
                body,
            ),
            PageBreak(),
            Paragraph("分环节受益标的：", body),
            table,
        ]
    )
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
