"""The screener: weights, signals, point in time, explanations."""

import math
import shutil
from datetime import date

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import screener
from screener import db as dbm
from screener.errors import InputError, UsageError
from screener.signals import SignalsError, load_signals

from .conftest import DATA


@pytest.fixture(scope="module")
def sig_db(tmp_path_factory, built_db):
    path = tmp_path_factory.mktemp("sig") / "s.duckdb"
    shutil.copy(built_db, path)
    load_signals(path, [DATA / "signals_long.csv", DATA / "signals_wide.csv"], source="test")
    return path


def test_weights_rank_by_one_signal_alone(sig_db):
    db = screener.open(sig_db)
    df = db.screen(weights="exposure=0,momentum=1", as_of="2026-06-30")
    momentum = {
        "688256.SH": 0.55,
        "300308.SZ": 0.40,
        "688041.SH": 0.30,
        "000977.SZ": 0.25,
        "GDS.O": 0.07,
        "9698.HK": 0.05,
        "603019.SH": -0.10,
    }
    order = df["ticker"].to_list()
    with_value = [t for t in order if t in momentum]
    assert with_value == sorted(momentum, key=lambda t: -momentum[t])
    # a missing value scores 0, the mean (0.217): between 000977.SZ (0.25) and GDS.O (0.07)
    missing = [i for i, t in enumerate(order) if t not in momentum]
    assert order.index("000977.SZ") < min(missing) and max(missing) < order.index("GDS.O")
    # ties among the missing break on exposure, then ticker
    assert df.filter(~pl.col("ticker").is_in(list(momentum)))["score"].unique().to_list() == [0.0]


def test_score_is_the_weighted_sum_of_z_scores(sig_db):
    db = screener.open(sig_db)
    df = db.screen(weights={"exposure": 1.0, "momentum": 0.5, "pe_ttm": -0.2}, as_of="2026-06-30")
    recomputed = df["exposure"] * 1.0 + df["momentum"] * 0.5 + df["pe_ttm"] * -0.2
    assert all(
        math.isclose(a, b, abs_tol=1e-5) for a, b in zip(df["score"], recomputed, strict=True)
    )
    # z-scores: mean 0 over the screened tickers
    assert abs(df["momentum"].mean()) < 1e-9


def test_missing_signal_scores_the_mean(sig_db):
    db = screener.open(sig_db)
    df = db.screen(weights="exposure=0,pe_ttm=1", as_of="2026-06-30")
    # 寒武纪 has no pe_ttm: its component is 0
    row = df.filter(pl.col("ticker") == "688256.SH")
    assert row["pe_ttm"][0] == 0.0


def test_signals_after_as_of_change_nothing(sig_db, tmp_path):
    db = screener.open(sig_db)
    before = db.screen(weights="exposure=1,momentum=1", as_of="2026-03-10")
    later = tmp_path / "later.csv"
    later.write_text(
        "ticker,as_of,signal,value\n300308.SZ,2026-05-01,momentum,-9\n000977.SZ,2026-03-11,momentum,9\n"
    )
    after = db.screen(weights="exposure=1,momentum=1", as_of="2026-03-10", signals=[later])
    assert before.equals(after)
    moved = db.screen(weights="exposure=1,momentum=1", as_of="2026-06-30", signals=[later])
    assert not moved.equals(db.screen(weights="exposure=1,momentum=1", as_of="2026-06-30"))


def test_asof_picks_the_latest_value_on_or_before(sig_db):
    db = screener.open(sig_db)
    early = db.explain("300308", as_of="2026-02-01", weights="exposure=1,momentum=1")
    late = db.explain("300308", as_of="2026-06-01", weights="exposure=1,momentum=1")
    raw = {c["name"]: c["raw"] for c in early["components"]}
    assert (
        raw.get("momentum") is None
    )  # the 2026-01-05 value is visible, but 300308 is not screened before 2026-03-20
    assert {c["name"]: c["raw"] for c in late["components"]}["momentum"] == 0.40


def test_documents_after_as_of_change_nothing(db_copy):
    db = screener.open(db_copy)
    before = db.screen(as_of="2025-06-30")
    db.close()  # the writer needs the file
    dbm.ingest(db_copy, [DATA / "report_2026_04.md"], published_on=date(2026, 4, 10))
    assert db.screen(as_of="2025-06-30").equals(before)
    assert db.screen(as_of="2026-06-30").height > before.height


def test_mid_2025_screen_has_no_suppliers_first_named_in_2026(built_db):
    df = screener.open(built_db).screen(as_of="2025-06-30")
    assert set(df["ticker"]) == {"000977.SZ", "603019.SH", "9698.HK", "GDS.O"}


def test_filters(built_db):
    db = screener.open(built_db)
    # 3296.HK is 华勤技术's H share (華勤技術 in the HK list): one issuer, A + H
    assert set(db.screen(market="HK")["ticker"]) == {"9698.HK", "3296.HK"}
    assert set(db.screen(exchange="NASDAQ")["ticker"]) == {"GDS.O", "VNET.O"}
    assert set(db.screen(min_docs=2)["ticker"]) == {"000977.SZ", "603019.SH", "9698.HK", "GDS.O"}
    assert db.screen(top=3).height == 3
    assert set(db.screen(theme=["power", "liquid_cooling"])["ticker"]) == {
        "002364.SZ",
        "002335.SZ",
        "300693.SZ",
        "002851.SZ",
        "300274.SZ",
        "002837.SZ",
        "301018.SZ",
    }


def test_ties_break_deterministically(built_db):
    db = screener.open(built_db)
    a, b = db.screen(), db.screen()
    assert a.equals(b)
    chips = a.filter(pl.col("themes").list.contains("chips"))
    assert chips["ticker"].to_list() == sorted(chips["ticker"].to_list())


@settings(max_examples=12, deadline=None)
@given(
    w_exp=st.floats(-2, 2, allow_nan=False),
    w_mom=st.floats(-2, 2, allow_nan=False),
    as_of=st.sampled_from(["2025-03-01", "2025-12-31", "2026-03-20", "2026-06-30"]),
)
def test_explain_contributions_add_up_to_the_score(sig_db, w_exp, w_mom, as_of):
    db = screener.open(sig_db)
    weights = {"exposure": w_exp, "momentum": w_mom}
    df = db.screen(weights=weights, as_of=as_of)
    for row in df.head(6).iter_rows(named=True):
        t = row["ticker"]
        e = db.explain(t, as_of=as_of, weights=weights)
        # explain ranks from one computation of the components, in screen()'s order
        assert (e["rank"], e["score"]) == (row["rank"], row["score"])
        assert math.isclose(
            sum(c["contribution"] for c in e["components"]), e["score"], abs_tol=1e-5
        )
        exp = next(c for c in e["components"] if c["name"] == "exposure")
        assert math.isclose(
            sum(p["contribution"] for p in e["exposure_parts"]), exp["raw"], abs_tol=1e-9
        )


def test_signal_validation_reports_every_problem(built_db):
    with pytest.raises(SignalsError) as err:
        load_signals(built_db, [DATA / "signals_bad.csv"])
    text = str(err.value)
    assert "signals_bad.csv:2: as_of is not a date" in text
    assert "signals_bad.csv:3: unknown ticker" in text and "999999.XX" in text
    # one line per kind of problem: its count and its first rows
    assert (
        "signals_bad.csv: 2 rows: value is not a finite number; line 4 'abc', line 5 'NaN'" in text
    )
    assert "duplicate (ticker, as_of, signal)" in text
    assert text.endswith("nothing was loaded")
    assert dbm.query(built_db, "select count(*) from signals").row(0)[0] == 0


def test_signal_files_missing_columns(built_db, tmp_path):
    f = tmp_path / "s.csv"
    f.write_text("instrument,day,momentum\n300308,2026-01-01,1\n")
    with pytest.raises(SignalsError, match="missing column"):
        load_signals(built_db, [f])
    # known export names are read (code, date), and what is still missing is said
    f.write_text("code,date,value\n300308,2026-01-01,1\n")
    with pytest.raises(SignalsError, match="long form needs columns signal and value"):
        load_signals(built_db, [f])
    g = tmp_path / "s.xlsx"
    g.write_text("x")
    with pytest.raises(InputError, match="unsupported file type"):
        load_signals(built_db, [g])


def test_parquet_signals_round_trip(built_db, tmp_path):
    path = tmp_path / "p.duckdb"
    shutil.copy(built_db, path)
    pq = tmp_path / "s.parquet"
    pl.DataFrame(
        {
            "ticker": ["300308.SZ", "GDS.O"],
            "as_of": ["2026-03-02", "2026-03-02"],
            "momentum": [0.1, 0.2],
        }
    ).write_parquet(pq)
    assert load_signals(path, [pq]).signals.height == 2
    got = dbm.query(path, "select ticker, value from signals order by ticker").rows()
    assert got == [("300308.SZ", 0.1), ("GDS.O", 0.2)]


def test_usage_errors_from_the_api(built_db):
    db = screener.open(built_db)
    with pytest.raises(UsageError, match="valid themes"):
        db.screen(theme="gpu")


def test_export_is_point_in_time(built_db):
    db = screener.open(built_db)
    assert db.export("documents", as_of="2025-06-30").height == 3
    early = db.export("links", as_of="2025-06-30")
    assert 0 < early.height < db.export("links").height
    assert set(db.export("exposure", as_of="2025-06-30")["ticker"]) == {
        "000977.SZ",
        "603019.SH",
        "9698.HK",
        "GDS.O",
    }
    assert db.export("companies", as_of="2025-06-30").height == db.export("companies").height
    with pytest.raises(UsageError, match="unknown table or view"):
        db.export("links; drop table links")


def test_capex_ties_are_broken_the_same_way_every_time(db_copy, tmp_path):
    """Two documents of one day give one spender two figures for one year: the choice is
    total (document id, then the larger figure), so the ranking is the same on every run."""
    from datetime import date

    a = tmp_path / "a.txt"
    a.write_text(
        "阿里巴巴预计2027年资本开支约1000亿元，服务器方向建议关注浪潮信息。\n", encoding="utf-8"
    )
    b = tmp_path / "b.txt"
    b.write_text(
        "阿里巴巴2027年资本开支或达1500亿元，交换机方向建议关注紫光股份。\n", encoding="utf-8"
    )
    dbm.ingest(db_copy, [a, b], published_on=date(2027, 1, 5))
    runs = {
        tuple(
            dbm.query(
                db_copy,
                "select ticker, score from screen(as_of_date := '2027-02-01') order by rank",
            ).rows()
        )
        for _ in range(5)
    }
    assert len(runs) == 1


@pytest.fixture(scope="module")
def random_sig_db(tmp_path_factory, built_db):
    """The bundled database with random signal histories: screened and unscreened tickers, a
    name with no values for some tickers, and dates before and after the as-of dates tested."""
    import random

    path = tmp_path_factory.mktemp("rsig") / "r.duckdb"
    shutil.copy(built_db, path)
    rnd = random.Random(7)
    con = dbm.connect(path)
    try:
        screened = con.execute(
            "select ticker from screen(as_of_date := '2027-01-01', weights := map {'exposure': 1.0})"
        ).fetchall()
        others = con.execute("select ticker from listings order by ticker").fetchall()
        rows = []
        start = date(2025, 1, 2).toordinal()
        for (t,) in sorted({*screened, *rnd.sample(others, 100)}):
            for name in ("alpha", "beta", "gamma"):
                if name == "gamma" and rnd.random() < 0.5:
                    continue
                for day in rnd.sample(range(start, start + 700), 6):
                    rows.append((t, date.fromordinal(day), name, rnd.gauss(0, 1)))
        df = pl.DataFrame(rows, schema=["ticker", "as_of", "signal", "value"], orient="row")
        df = df.unique(["ticker", "as_of", "signal"]).with_columns(source=pl.lit("rnd"))
        con.register("_r", df.to_arrow())
        con.execute("insert into signals by name select * from _r")
        con.unregister("_r")
    finally:
        con.close()
    return path, df


@settings(max_examples=8, deadline=None)
@given(
    as_of=st.dates(date(2025, 3, 1), date(2027, 1, 1)),  # the bundled notes name suppliers
    names=st.lists(st.sampled_from(["alpha", "beta", "gamma"]), min_size=1, unique=True),
)
def test_screen_signal_values_are_the_latest_on_or_before(random_sig_db, as_of, names):
    """Every screened ticker's raw signal value is its latest on or before the as-of date,
    as polars finds it by sorting; no value there is a missing raw (fails when the id join of
    tickers or names pairs a value with the wrong ticker or name, or when a pair whose latest
    value is older than the screen's 92-day recent window loses it: six values over 700 days
    leave gaps of months, and dates after the last value have only old ones)."""
    path, df = random_sig_db
    expect = (
        df.filter(pl.col("as_of") <= as_of, pl.col("signal").is_in(names))
        .sort("as_of")
        .group_by("ticker", "signal")
        .agg(pl.col("value").last())
    )
    want = {(t, s): v for t, s, v in expect.iter_rows()}
    con = dbm.connect(path, read_only=True)
    try:
        got = con.execute(
            "select ticker, component, raw from screen_components("
            "as_of_date := $d, weights := $w) where kind = 'component' and component <> 'exposure'",
            {"d": as_of, "w": {"exposure": 1.0, **{n: 1.0 for n in names}}},
        ).fetchall()
    finally:
        con.close()
    assert got  # the bundled database screens suppliers
    screened = {t for t, _, _ in got}
    assert {(t, s): v for t, s, v in got if v is not None} == {
        k: round(v, 12) for k, v in want.items() if k[0] in screened
    }
    assert {s for _, s, _ in got} == set(names)
