"""Write the sample files the README uses: tests/data/formats/note.pdf, a two-page
broker-style note with a segment table (text written for this project; reportlab, a dev
dependency), and tests/data/akshare_daily.csv, synthetic daily prices in AkShare's export
shape (a seeded random walk per ticker; no real prices).

Run: uv run python scripts/make_samples.py
"""

from __future__ import annotations

from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "tests" / "data"
OUT = DATA / "formats" / "note.pdf"


def prices() -> None:
    import random
    from datetime import date, timedelta

    rng = random.Random(20261122)
    days, d = [], date(2026, 1, 5)
    while len(days) < 140:
        if d.weekday() < 5:
            days.append(d)
        d += timedelta(days=1)
    # code, start price, daily drift: each a different path
    codes = [
        ("300308", 120.0, 0.004),
        ("300502", 80.0, 0.002),
        ("000977", 45.0, -0.001),
        ("603019", 60.0, 0.0),
        ("002837", 30.0, 0.003),
        ("000938", 25.0, -0.002),
    ]
    rows = ["日期,股票代码,开盘,收盘,最高,最低,成交量,成交额,换手率"]
    for code, price, drift in codes:
        for day in days:
            open_ = price
            price = round(price * (1 + drift + rng.gauss(0, 0.02)), 2)
            hi, lo = max(open_, price) * 1.01, min(open_, price) * 0.99
            vol = rng.randint(50_000, 200_000)
            turn = round(rng.uniform(0.5, 4.0), 2)
            rows.append(
                f"{day.strftime('%Y%m%d')},{code},{open_:.2f},{price:.2f},{hi:.2f},{lo:.2f},"
                f"{vol},{vol * price * 100:.0f},{turn}"
            )
    out = DATA / "akshare_daily.csv"
    out.write_text("\n".join(rows) + "\n", encoding="utf-8")
    print(f"wrote {out}")


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
    prices()


if __name__ == "__main__":
    main()
