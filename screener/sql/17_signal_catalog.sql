-- What is loaded in signals, one row per signal and source. A view: signals inserted by any
-- means (signals load, signals derive, SQL from another client) appear here at once.
create view signal_catalog as
select
    signal,
    source,
    count(distinct ticker) as tickers,
    count(*) as "values",
    min(as_of) as first,
    max(as_of) as last
from signals
group by signal, source;
