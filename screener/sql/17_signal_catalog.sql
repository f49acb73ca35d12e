-- What is loaded in signals, one row per signal and source (refreshed on every load), so
-- that checking weight names and listing signals never scans the whole signal table.
create table signal_catalog (
    signal  varchar not null,
    source  varchar not null,
    tickers bigint not null,
    "values" bigint not null,
    first   date not null,
    last    date not null,
    primary key (signal, source)
);
