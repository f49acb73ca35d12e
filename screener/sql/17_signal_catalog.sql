-- What is loaded in signals, one row per signal and source. A view: signals inserted by any
-- means (signals load, signals derive, SQL from another client) appear here at once.
create view signal_catalog as
-- per ticker first, then per signal: 1.5x faster than count(distinct ticker) on 100 M rows
select
    signal,
    source,
    count(*) as tickers,
    sum(n) as "values",
    min(first) as first,
    max(last) as last
from (
    select signal, source, ticker, count(*) as n, min(as_of) as first, max(as_of) as last
    from signals
    group by signal, source, ticker
)
group by signal, source;
