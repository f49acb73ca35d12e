"""One self-contained HTML page: who spends how much, which themes it flows to, which listed
names sit in each theme, on how much evidence, and how they rank.

Charts are plotly figures with plotly.js inlined once (the page opens offline: no CDN, no
network). Each is written as the figure JSON plotly.js draws (data, layout, and the
"plotly_white" template) and put in the page as ``plotly.io.to_html`` puts it, without
plotly.py's graph objects: building and validating those (the template deep-copied into
every figure) took ~0.3 s of a 1.4 s report at full scale. The tests validate every figure
through ``plotly.graph_objects.Figure``, so a misspelt property still fails there.

Sections: a header (as-of date, weights, what data it rests on), the capex flow
(spenders -> themes -> suppliers, a Sankey in USD bn through ``theme_allocation``), the
exposure map (theme x ticker heatmap), the ranking with each component and a link to its
evidence, a timeline of when each supplier was first and last named, and the capex series
per spender.
"""

from __future__ import annotations

import functools
import html
import json
import pkgutil
from datetime import date
from typing import Any

import polars as pl

from screener.api import Database, parse_date, parse_weights

CJK_FONTS = (
    '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "PingFang SC", '
    '"Microsoft YaHei", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "Droid Sans Fallback", '
    "sans-serif"
)
TOP_SUPPLIERS = 6  # per theme in the Sankey; the rest flow to "others"
TOP_TICKERS = 30  # rows of the heatmap and the timeline
RANK_ROWS = 50

Figure = dict[str, Any]  # {"data": [trace, ...], "layout": {...}}, as plotly.js takes it


def build_report(
    db: Database,
    as_of: str | date | None = None,
    theme: list[str] | None = None,
    weights: str | dict[str, float] | None = None,
) -> str:
    """The report as one HTML string.

    The screen runs while another thread reads what does not depend on it (the suppliers,
    the capex, the header's facts, the Sankey) through a second cursor: at full scale the two
    took 0.35-0.43 s one after the other, 0.31-0.36 s side by side."""
    from concurrent.futures import ThreadPoolExecutor

    d = parse_date(as_of) or date.today()
    side_db = db.cursor()
    try:
        with ThreadPoolExecutor(1) as pool:
            side = pool.submit(_unranked_parts, side_db, d, theme, weights)
            ranking = db.screen(theme=theme, as_of=d, weights=weights)
            suppliers, capex, header, sankey = side.result()
    finally:
        side_db.close()
    evidence = _evidence(db, d, ranking["ticker"].head(RANK_ROWS).to_list(), theme)
    charts = [
        ("Capex flow: spenders → themes → suppliers (USD bn)", sankey),
        ("Exposure map: documents naming each supplier, per theme", _heatmap(suppliers, ranking)),
        ("When each supplier was first and last named", _timeline(suppliers, ranking)),
        ("Capex per spender (USD bn)", _capex_series(capex)),
    ]
    parts = [header]
    first = True
    for i, (title, fig) in enumerate(charts):
        parts.append(f"<h2>{html.escape(title)}</h2>")
        if fig is None:
            parts.append('<p class="empty">No data for this chart as of this date.</p>')
            continue
        parts.append(_chart_html(fig, f"chart-{i + 1}", first))
        first = False
    parts.append("<h2>Ranking</h2>")
    parts.append(_ranking_table(ranking.head(RANK_ROWS)))
    parts.append("<h2>Evidence</h2>")
    parts.append(_evidence_html(evidence))
    return _page("screener report " + d.isoformat(), "\n".join(parts))


# ---------------------------------------------------------------- data


def _unranked_parts(
    db: Database, d: date, theme: list[str] | None, weights: Any
) -> tuple[pl.DataFrame, pl.DataFrame, str, Figure | None]:
    """What the report shows independently of the ranking: the suppliers, the capex, the
    header and the Sankey."""
    suppliers = _suppliers(db, d, theme)
    capex = db.capex(as_of=d)
    return suppliers, capex, _header(db, d, theme, weights), _sankey(db, d, suppliers)


def _suppliers(db: Database, d: date, theme: list[str] | None) -> pl.DataFrame:
    """Listed suppliers per theme as of ``d``: documents, confidence, first and last seen.
    Grouped by (theme, company) before the names and tickers are joined: grouping by the
    text columns, with every title aggregated, took 0.35-0.44 s at full scale against 0.09-0.17
    (the titles are read for the Sankey's few suppliers only, `_titles`)."""
    return db.select(
        """
        with s as (
            select l.theme, l.company_id, count(distinct l.doc_id) as docs,
                   max(l.confidence) as strength, min(dd.published_on) as first_seen,
                   max(dd.published_on) as last_seen
            from links l
            join documents dd using (doc_id)
            where l.role = 'supplier' and l.theme is not null and dd.published_on <= $d
              and (len($th) = 0 or list_contains($th, l.theme))
            group by l.theme, l.company_id
        )
        select s.theme, li.ticker, s.company_id, c.name_zh, c.name_en, s.docs, s.strength,
               s.first_seen, s.last_seen
        from s
        join companies c using (company_id)
        join listings li on li.company_id = s.company_id and li.is_primary
        order by s.theme, s.docs desc, s.strength desc, li.ticker
        """,
        {"d": d, "th": theme or []},
    )


def _titles(db: Database, d: date, pairs: list[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """The titles of the documents naming each (theme, company) as supplier as of ``d``,
    sorted and joined by " | "."""
    if not pairs:
        return {}
    df = db.select(
        """
        select l.theme, l.company_id, string_agg(distinct dd.title, ' | ' order by dd.title) as titles
        from links l
        join documents dd using (doc_id)
        join (select unnest($themes) as theme, unnest($companies) as company_id) as k
          using (theme, company_id)
        where l.role = 'supplier' and dd.published_on <= $d
        group by l.theme, l.company_id
        """,
        {"d": d, "themes": [t for t, _ in pairs], "companies": [c for _, c in pairs]},
    )
    return {(t, c): x for t, c, x in df.iter_rows()}


def _evidence(db: Database, d: date, tickers: list[str], theme: list[str] | None) -> pl.DataFrame:
    return db.select(
        """
        select li.ticker, c.name_zh, c.name_en, l.theme, l.evidence, l.confidence, l.page, l.snippet,
               dd.title, dd.published_on, dd.path
        from links l
        join documents dd using (doc_id)
        join companies c using (company_id)
        join listings li on li.company_id = l.company_id  -- every listing the ranking shows
        where l.role = 'supplier' and dd.published_on <= $d and list_contains($t, li.ticker)
          and (len($th) = 0 or list_contains($th, l.theme))
        -- a total order: the same page every time (ties of date and confidence are common)
        order by li.ticker, dd.published_on desc, l.confidence desc, l.doc_id, l.start_pos, l.theme
        """,
        {"d": d, "t": tickers, "th": theme or []},
    )


def _label(name_zh: str | None, name_en: str | None, ticker: str) -> str:
    return f"{name_zh or name_en or ticker} {ticker}"


# ---------------------------------------------------------------- charts


def _sankey(db: Database, d: date, suppliers: pl.DataFrame) -> Figure | None:
    """Each spender's latest full-year capex, split over the themes by ``theme_allocation``,
    each theme's share split over its suppliers by the documents naming them."""
    # one figure a company (group totals such as 北美四大CSP would count twice): its latest
    # full year, the latest document's total
    latest = db.select(
        """
        select k.spender, k.period, round(k.amount_usd / 1e9, 2) as usd_bn, k.published_on,
               k.snippet, d.title
        from capex_asof($d) k join documents d using (doc_id)
        where k.company_id is not null and k.scope = 'total'
          and regexp_matches(k.period, '^(FY)?[0-9]{4}$')
        qualify row_number() over (
            partition by k.company_id
            order by regexp_extract(k.period, '[0-9]{4}') desc, k.published_on desc,
                     k.amount_usd desc, k.doc_id
        ) = 1
        order by usd_bn desc, k.spender
        """,
        {"d": d},
    )
    if latest.height == 0 or suppliers.height == 0:
        return None
    shares = dict(db.select("select theme, share from theme_allocation").iter_rows())
    named = set(suppliers["theme"].to_list())
    themes = [t for t in shares if t in named]
    nodes: list[str] = []
    index: dict[str, int] = {}

    def node(name: str) -> int:
        if name not in index:
            index[name] = len(nodes)
            nodes.append(name)
        return index[name]

    src, dst, val, hover = [], [], [], []
    theme_in: dict[str, float] = {}
    for r in latest.iter_rows(named=True):
        for t in themes:
            v = float(r["usd_bn"]) * float(shares[t])
            src.append(node(str(r["spender"])))
            dst.append(node(t))
            val.append(round(v, 2))
            hover.append(
                f"{r['spender']} {r['period']}: {r['usd_bn']} bn × {shares[t]:.0%} to {t}"
                f"<br>{html.escape(str(r['title'] or '')[:60])} ({r['published_on']})"
            )
            theme_in[t] = theme_in.get(t, 0.0) + v
    per_theme = {t: suppliers.filter(pl.col("theme") == t) for t in themes}
    titles = _titles(
        db,
        d,
        [(t, c) for t in themes for c in per_theme[t]["company_id"].head(TOP_SUPPLIERS).to_list()],
    )
    for t in themes:
        rows = per_theme[t]
        total_docs = float(rows["docs"].sum())
        top = rows.head(TOP_SUPPLIERS)
        for r in top.iter_rows(named=True):
            v = theme_in[t] * r["docs"] / total_docs
            src.append(node(t))
            dst.append(node(_label(r["name_zh"], r["name_en"], r["ticker"])))
            val.append(round(v, 2))
            joined = titles.get((t, r["company_id"]))
            hover.append(f"{r['docs']} documents: {html.escape(str(joined)[:120])}")
        rest = rows.height - top.height
        if rest > 0:
            v = theme_in[t] * float(rows.tail(rest)["docs"].sum()) / total_docs
            src.append(node(t))
            dst.append(node(f"{t}: {rest} others"))
            val.append(round(v, 2))
            hover.append(f"{rest} more suppliers")
    sankey = {
        "type": "sankey",
        "arrangement": "snap",
        "node": {"label": nodes, "pad": 12, "thickness": 14},
        "link": {
            "source": src,
            "target": dst,
            "value": val,
            "customdata": hover,
            "hovertemplate": "%{customdata}<extra>%{value:.1f} bn</extra>",
        },
    }
    return _figure([sankey], {}, height=max(500, 22 * len(nodes)))


def _top_tickers(suppliers: pl.DataFrame, ranking: pl.DataFrame) -> list[str]:
    named = set(suppliers["ticker"].to_list())  # once, not once per ranked ticker
    ranked = [t for t in ranking["ticker"].to_list() if t in named]
    return ranked[:TOP_TICKERS]


def _heatmap(suppliers: pl.DataFrame, ranking: pl.DataFrame) -> Figure | None:
    from plotly.colors import make_colorscale, sequential

    tickers = _top_tickers(suppliers, ranking)
    if not tickers:
        return None
    sub = suppliers.filter(pl.col("ticker").is_in(tickers))
    themes = sorted(set(sub["theme"].to_list()))
    names = {
        r["ticker"]: _label(r["name_zh"], r["name_en"], r["ticker"])
        for r in sub.iter_rows(named=True)
    }
    cells = {(r["ticker"], r["theme"]): r for r in sub.iter_rows(named=True)}
    z = [[cells[(t, th)]["docs"] if (t, th) in cells else None for th in themes] for t in tickers]
    text = [
        [
            f"{cells[(t, th)]['docs']} docs, strongest evidence {cells[(t, th)]['strength']:.2f}"
            if (t, th) in cells
            else ""
            for th in themes
        ]
        for t in tickers
    ]
    heatmap = {
        "type": "heatmap",
        "z": z,
        "x": themes,
        "y": [names[t] for t in tickers],
        "text": text,
        # plotly.py's "Blues" (ColorBrewer); plotly.js's own "Blues" is another scale
        "colorscale": make_colorscale(sequential.Blues),
        "zmin": 0,
        "zmax": max([v for row in z for v in row if v is not None] or [1]),
        "hovertemplate": "%{y} · %{x}<br>%{text}<extra></extra>",
        "colorbar": {"title": {"text": "docs"}},
    }
    layout = {"yaxis": {"autorange": "reversed"}}
    return _figure([heatmap], layout, height=max(420, 24 * len(tickers)))


def _timeline(suppliers: pl.DataFrame, ranking: pl.DataFrame) -> Figure | None:
    tickers = _top_tickers(suppliers, ranking)
    if not tickers:
        return None
    sub = suppliers.filter(pl.col("ticker").is_in(tickers))
    traces = []
    for th in sorted(set(sub["theme"].to_list())):
        rows = sub.filter(pl.col("theme") == th)
        xs: list[Any] = []
        ys: list[Any] = []
        for r in rows.iter_rows(named=True):
            label = _label(r["name_zh"], r["name_en"], r["ticker"])
            xs += [r["first_seen"].isoformat(), r["last_seen"].isoformat(), None]
            ys += [label, label, None]
        traces.append({"type": "scatter", "x": xs, "y": ys, "mode": "lines+markers", "name": th})
    order = [_label(*_names(sub, t), t) for t in reversed(tickers)]
    layout = {"yaxis": {"categoryorder": "array", "categoryarray": order}}
    return _figure(traces, layout, height=max(420, 24 * len(tickers)))


def _names(df: pl.DataFrame, ticker: str) -> tuple[str | None, str | None]:
    r = df.filter(pl.col("ticker") == ticker).row(0, named=True)
    return r["name_zh"], r["name_en"]


def _capex_series(capex: pl.DataFrame) -> Figure | None:
    """Per spender: the annual figures and the quarterly figures, the latest published
    figure of each period (USD bn; CNY in the hover), side by side as
    ``make_subplots(rows=1, cols=2)`` lays them out."""
    rows = capex.filter(
        pl.col("usd_bn").is_not_null() & pl.col("scope").is_in(["total", "infrastructure"])
    )
    annual = rows.filter(pl.col("period").str.contains(r"^\d{4}$"))
    quarterly = rows.filter(pl.col("period").str.contains(r"^\d{4}Q[1-4]$"))
    if annual.height == 0 and quarterly.height == 0:
        return None
    in_annual = set(annual["spender"].to_list())  # their legend entry is the annual bar's
    traces = []
    layout: dict[str, Any] = {"barmode": "group", "annotations": []}
    for col, (name, df) in enumerate((("annual", annual), ("quarterly", quarterly)), start=1):
        x, y = ("x", "y") if col == 1 else (f"x{col}", f"y{col}")
        left, right = (0.0, 0.45) if col == 1 else (0.55, 1.0)  # plotly's spacing of 0.1
        layout[f"xaxis{col if col > 1 else ''}"] = {"anchor": y, "domain": [left, right]}
        layout[f"yaxis{col if col > 1 else ''}"] = {"anchor": x, "domain": [0.0, 1.0]}
        layout["annotations"].append(
            {
                "text": name,
                "font": {"size": 16},
                "showarrow": False,
                "x": (left + right) / 2,
                "xanchor": "center",
                "xref": "paper",
                "y": 1.0,
                "yanchor": "bottom",
                "yref": "paper",
            }
        )
        latest = df.sort("published_on").group_by(["spender", "period"], maintain_order=True).last()
        for sp in sorted(set(latest["spender"].to_list())):
            s = latest.filter(pl.col("spender") == sp).sort("period")
            bars = {
                "type": "bar",
                "x": s["period"].to_list(),
                "y": s["usd_bn"].to_list(),
                "name": str(sp),
                "legendgroup": str(sp),
                "showlegend": col == 1 or sp not in in_annual,
                "customdata": [
                    [c, q]
                    for c, q in zip(s["cny_yi"].to_list(), s["qualifier"].to_list(), strict=True)
                ],
                "hovertemplate": f"{html.escape(str(sp))} %{{x}}: %{{y}} bn USD"
                "<br>%{customdata[0]} 亿元 %{customdata[1]}<extra></extra>",
                "xaxis": x,
                "yaxis": y,
            }
            traces.append(bars)
    return _figure(traces, layout, height=460)


def _figure(data: list[dict[str, Any]], layout: dict[str, Any], height: int) -> Figure:
    style = {
        "height": height,
        "margin": {"l": 10, "r": 10, "t": 30, "b": 10},
        "font": {"family": CJK_FONTS, "size": 12},
        "template": _template(),
    }
    return {"data": data, "layout": layout | style}


@functools.cache
def _template() -> dict[str, Any]:
    """plotly's "plotly_white" template as JSON, read from the file plotly ships it in (plotly
    builds a validated object from the same file, ~0.1 s)."""
    return dict(json.loads(_plotly_data("templates/plotly_white.json")))


def _plotly_data(name: str) -> bytes:
    data = pkgutil.get_data("plotly", f"package_data/{name}")
    if data is None:  # pragma: no cover - a plotly installed without its package data
        raise RuntimeError(f"plotly's package_data/{name} is missing: reinstall plotly")
    return data


# as plotly.io does: no "</script>" (or any tag) can end the script a figure sits in
_UNSAFE_IN_SCRIPT = str.maketrans({"<": "\\u003c", ">": "\\u003e", "/": "\\u002f"})


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":")).translate(_UNSAFE_IN_SCRIPT)


def _chart_html(fig: Figure, div_id: str, include_plotlyjs: bool) -> str:
    """The figure's <div> and the script drawing it, as ``plotly.io.to_html(full_html=False)``
    writes them, with plotly.js (the copy plotly ships) inlined before the first chart. Written
    here because plotly.io's serializer imports plotly.py's validators (~0.05 s cold); the ids
    are fixed, so the same database gives the same page."""
    config = {"displaylogo": False, "responsive": True}
    plotlyjs = ""
    if include_plotlyjs:
        plotlyjs = (
            "<script>window.PlotlyConfig = {MathJaxConfig: 'local'};</script>"
            f"<script>{_plotly_data('plotly.min.js').decode('utf-8')}</script>"
        )
    return (
        f'<div style="height:{fig["layout"]["height"]}px; width:100%;">{plotlyjs}'
        f'<div id="{div_id}" class="plotly-graph-div" style="height:100%; width:100%;"></div>'
        f"<script>if (document.getElementById({_json(div_id)})) {{ Plotly.newPlot("
        f"{_json(div_id)}, {_json(fig['data'])}, {_json(fig['layout'])}, {_json(config)}) }};"
        "</script></div>"
    )


# ---------------------------------------------------------------- tables and page


def _header(db: Database, d: date, theme: list[str] | None, weights: Any) -> str:
    facts = db.select(
        """
        select count(*) as documents, count(*) filter (where not bundled) as ingested,
               min(published_on) as first_doc, max(published_on) as last_doc
        from documents where published_on <= $d
        """,
        {"d": d},
    ).row(0, named=True)
    facts |= _signal_facts(db, d)
    default = dict(
        db.select("select name, weight from score_weights where kind = 'component'").iter_rows()
    )
    w = parse_weights(weights) or default
    items = [
        ("as of", d.isoformat()),
        ("themes", ", ".join(theme) if theme else "all"),
        ("weights", ", ".join(f"{k}={v:g}" for k, v in w.items())),
        (
            "documents",
            f"{facts['documents']} ({facts['ingested']} ingested), "
            f"{facts['first_doc']} to {facts['last_doc']}",
        ),
        (
            "signals",
            f"{facts['signal_rows']} values, {facts['first_signal']} to {facts['last_signal']}"
            if facts["signal_rows"]
            else "none loaded",
        ),
        ("database", str(db.path)),
    ]
    dl = "".join(f"<dt>{html.escape(k)}</dt><dd>{html.escape(v)}</dd>" for k, v in items)
    return f'<h1>AI-capex beneficiaries</h1><dl class="facts">{dl}</dl>'


def _signal_facts(db: Database, d: date) -> dict[str, Any]:
    """How many signal values were known on ``d``, from when to when. The whole table's count
    and dates come from DuckDB's statistics (4 ms at full scale). Signals are stored in date
    order, so DuckDB's zone maps skip the row groups a date filter excludes: a date nearer the
    start is counted directly; one nearer the end counts the rows after it and subtracts, and
    looks for its last date in the 92 days up to it first. At 2025-06-30 in the full
    benchmark that reads the last 5% of the table (0.01-0.03 s warm) where counting every date
    up to it read 95% (0.03-0.1 s warm, 0.1-0.4 s from disk)."""
    sig = (
        "select count(*) as signal_rows, min(as_of) as first_signal,"
        " max(as_of) as last_signal from signals"
    )
    whole = db.select(sig).row(0, named=True)
    first, last = whole["first_signal"], whole["last_signal"]
    if last is None or last <= d:
        return whole
    if d - first < last - d:  # nearer the start: count what comes before
        return db.select(sig + " where as_of <= $d", {"d": d}).row(0, named=True)
    later = db.select("select count(*) from signals where as_of > $d", {"d": d}).item()
    recent = db.select(
        "select max(as_of) from signals where as_of <= $d and as_of > $d - 92", {"d": d}
    ).item()
    if recent is None:  # nothing in the 92 days before: every earlier date
        recent = db.select("select max(as_of) from signals where as_of <= $d", {"d": d}).item()
    return {
        "signal_rows": whole["signal_rows"] - later,
        "first_signal": first,
        "last_signal": recent,
    }


def _ranking_table(df: pl.DataFrame) -> str:
    if df.height == 0:
        return '<p class="empty">Nothing ranked as of this date.</p>'
    cols = df.columns
    head = "".join(f"<th>{html.escape(c)}</th>" for c in cols)
    body = []
    for r in df.iter_rows(named=True):
        cells = []
        for c in cols:
            v = r[c]
            if c == "ticker":
                cells.append(f'<td><a href="#ev-{html.escape(v)}">{html.escape(v)}</a></td>')
            elif isinstance(v, float):
                cells.append(f'<td class="num">{v:.3f}</td>')
            elif isinstance(v, list):
                cells.append(f"<td>{html.escape(', '.join(map(str, v)))}</td>")
            else:
                cells.append(f"<td>{html.escape('' if v is None else str(v))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f'<table class="ranking"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


_HTML_ESCAPES = (["&", "<", ">", '"', "'"], ["&amp;", "&lt;", "&gt;", "&quot;", "&#x27;"])


def _escaped(col: str | pl.Expr) -> pl.Expr:
    """``html.escape`` over a column: one pass, so an "&" put in is not escaped again."""
    e = pl.col(col) if isinstance(col, str) else col
    return e.fill_null("").str.replace_many(*_HTML_ESCAPES)


def _evidence_html(ev: pl.DataFrame) -> str:
    """A section per ticker with every quote naming it. Built as polars columns: 16,439 quotes
    at full scale took 0.10-0.15 s as a Python loop over rows, 0.03 s so."""
    if ev.height == 0:
        return '<p class="empty">No evidence as of this date.</p>'
    # each distinct confidence formatted once, as "{:.2f}" does (rounding the binary value)
    conf = {v: f"{v:.2f}" for v in ev["confidence"].unique().to_list()}
    title = pl.when(pl.col("title").fill_null("") != "").then("title").otherwise("path")
    page = pl.when(pl.col("page").fill_null(0) != 0)
    items = ev.lazy().select(
        "ticker",
        heading=pl.coalesce(
            pl.col("name_zh").replace("", None), pl.col("name_en").replace("", None), "ticker"
        ),
        item=pl.concat_str(
            pl.lit("<li><q>"),
            _escaped("snippet"),
            pl.lit('</q> <span class="src">'),
            pl.col("published_on").cast(pl.String),  # a date: nothing to escape
            pl.lit(" · "),
            _escaped(title),
            pl.lit(" · "),
            _escaped("theme"),
            page.then(pl.lit(" · p.") + pl.col("page").cast(pl.String)).otherwise(pl.lit("")),
            pl.lit(" · "),
            _escaped("evidence"),
            pl.lit(" "),
            pl.col("confidence").replace_strict(conf, return_dtype=pl.String),
            pl.lit("</span></li>"),
        ),
    )
    sections = (
        items.group_by("ticker", maintain_order=True)
        .agg(pl.first("heading"), pl.col("item").str.join(""))
        .select(
            pl.concat_str(
                pl.lit('<section id="ev-'),
                _escaped("ticker"),
                pl.lit('"><h3>'),
                _escaped("heading"),
                pl.lit(" "),
                _escaped("ticker"),
                pl.lit("</h3><ul>"),
                "item",
                pl.lit("</ul></section>"),
            )
        )
        .collect()
        .to_series()
    )
    return "\n".join(sections.to_list())


def _page(title: str, body: str) -> str:
    style = f"""
body {{ font-family: {CJK_FONTS}; margin: 24px auto; max-width: 1200px; color: #1b1f24; }}
h1 {{ font-size: 24px; }} h2 {{ font-size: 18px; margin-top: 32px; border-bottom: 1px solid #ddd; }}
dl.facts {{ display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; }}
dl.facts dt {{ color: #57606a; }} dl.facts dd {{ margin: 0; }}
table.ranking {{ border-collapse: collapse; font-size: 13px; width: 100%; }}
table.ranking th, table.ranking td {{ border-bottom: 1px solid #eee; padding: 3px 6px; text-align: left; }}
td.num {{ text-align: right; font-variant-numeric: tabular-nums; }}
section h3 {{ font-size: 15px; margin-bottom: 4px; }} q {{ quotes: "「" "」"; }}
.src {{ color: #57606a; font-size: 12px; }} .empty {{ color: #57606a; }}
"""
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{style}</style></head>"
        f"<body>{body}<script>window.screenerReport = {json.dumps({'title': title})};</script>"
        "</body></html>\n"
    )
