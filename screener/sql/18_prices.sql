-- Daily prices the user loads (AkShare, Tushare, Baostock, yfinance exports), point in time:
-- the bar of `date`. `screener signals derive` computes standard signals from them
-- (derived_signals()).
create table prices (
    ticker   varchar not null,
    date     date not null,
    open     double,
    high     double,
    low      double,
    close    double not null,
    volume   double,
    amount   double,
    turnover double,  -- percent of free float traded that day, as the source gives it
    source   varchar not null
    -- one bar per (ticker, date), kept by the loader as for signals (no index: see 14_signals)
);
