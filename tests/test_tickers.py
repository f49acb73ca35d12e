import pytest

from screener.errors import UsageError
from screener.tickers import TEXT_TICKER, normalise_ticker, ticker_from_match


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("300308.SZ", "300308.SZ"),
        ("300308", "300308.SZ"),
        ("sz300308", "300308.SZ"),
        ("SZ300308", "300308.SZ"),
        ("603881.SS", "603881.SH"),
        ("603881", "603881.SH"),
        ("920808", "920808.BJ"),
        ("9698.HK", "9698.HK"),
        ("09698.HK", "9698.HK"),
        ("700.HK", "0700.HK"),
        ("HKG:9698", "9698.HK"),
        ("HKG: 0700", "0700.HK"),
        ("NASDAQ:GDS", "GDS.O"),
        ("NYSE: BABA", "BABA.N"),
        ("GDS.O", "GDS.O"),
        ("BABA.N", "BABA.N"),
        (" 300308.sz ", "300308.SZ"),
    ],
)
def test_user_forms_normalise_to_wind_style(raw, expected):
    assert normalise_ticker(raw) == expected


@pytest.mark.parametrize("raw", ["", "ABC:123", "12345678", "30-0308", "LSE:VOD"])
def test_bad_tickers_are_usage_errors(raw):
    with pytest.raises(UsageError):
        normalise_ticker(raw)


def test_tickers_written_in_text():
    text = "阿里巴巴集团(NYSE:BABA,09988.HK)、万国数据(HKG:9698)、NASDAQ: VNET 与 300308.SZ"
    found = [ticker_from_match(m) for m in TEXT_TICKER.finditer(text)]
    assert [t for t, _ in found] == ["BABA.N", "9988.HK", "9698.HK", "VNET.O", "300308.SZ"]
    assert not any(bare for _, bare in found)


def test_bare_six_digits_are_marked_as_needing_context():
    m = next(TEXT_TICKER.finditer("邮编 603881 "))
    assert ticker_from_match(m) == ("603881.SH", True)
