-- screen_components(...): every component of every screened ticker, long form:
-- (ticker, company_id, component, kind, raw, value, weight, contribution).
--   kind 'component'      value = cross-sectional z-score of raw over the screened tickers
--                         (missing raw -> 0, the cross-sectional mean); contribution =
--                         value * weight; the contributions of a ticker add up to its score.
--   kind 'exposure_part'  the parts averaged into exposure: value = z-score, weight = the
--                         part's weight / sum of part weights; contribution = value * weight
--                         (they add up to exposure's raw value).
-- Parameters (all optional):
--   as_of_date     only documents published and signals dated on or before it (for each
--                  ticker and signal, the latest value dated on or before it)
--   weights        MAP(name -> weight) of components; NULL = score_weights defaults
--   themes         list of theme ids to screen; [] = all
--   markets, exchanges   lists of 'A'/'HK'/'US'/'TW' and 'SSE'/'SZSE'/...; [] = all
--   min_docs       minimum distinct documents naming the ticker as supplier
--   signal_table   table or view holding (ticker, as_of, signal, value)
--   check_weights  raise on a weight that names no loaded signal (a scan of the signal
--                  table's names; the Python API checks first, by index-free early exits,
--                  and passes false)
create macro screen_components(
    as_of_date := current_date,
    weights := null,
    themes := [],
    markets := [],
    exchanges := [],
    min_docs := 1,
    signal_table := 'signals',
    check_weights := true
) as table
with params as (
    select
        cast(as_of_date as date) as d,
        coalesce(
            cast(weights as map(varchar, double)),
            (select map_from_entries(list((name, weight))) from score_weights where kind = 'component')
        ) as w,
        (select weight from score_weights where kind = 'setting' and name = 'half_life_days') as half_life
),

visible_docs as (
    select doc_id, published_on from documents where published_on <= (select d from params)
),

per_doc as materialized (
    select l.company_id, l.theme, l.doc_id, max(l.confidence) as strength, any_value(d.published_on) as published_on
    from links as l
    join visible_docs as d using (doc_id)
    where l.role = 'supplier' and l.theme is not null
      and (len(themes) = 0 or list_contains(themes, l.theme))
    group by l.company_id, l.theme, l.doc_id
),

-- one capex figure per spender and year: a single-year figure, else a plan spread evenly;
-- among several, the one from the latest document; a total order (then the document id, then
-- the larger figure) so that ties never make the choice arbitrary
annual as (
    select company_id, year,
           arg_max(usd, {'prio': prio, 'published_on': published_on, 'doc': doc_id, 'usd': usd}) as usd
    from (
        select k.company_id, cast(k.period as integer) as year, k.amount_usd as usd, 2 as prio,
               published_on, k.doc_id
        from capex as k join visible_docs using (doc_id)
        where k.company_id is not null and k.scope = 'total' and regexp_full_match(k.period, '\d{4}')
        union all
        select k.company_id, cast(left(k.period, 4) as integer) as year,
               k.amount_usd / (cast(right(k.period, 4) as integer) - cast(left(k.period, 4) as integer) + 1),
               1 as prio, published_on, k.doc_id
        from capex as k join visible_docs using (doc_id)
        where k.company_id is not null and k.scope = 'total' and regexp_full_match(k.period, '\d{4}-\d{4}')
    )
    group by company_id, year
),

latest as (
    select company_id, max(year) as year, arg_max(usd, year) as usd from annual group by company_id
),

growth as (
    select l.company_id, l.usd / p.usd - 1 as g
    from latest as l
    join annual as p on p.company_id = l.company_id and p.year = l.year - 1
    where p.usd > 0
),

theme_capex as (
    select a.theme, coalesce((select sum(usd) from latest), 0) * a.share as usd
    from theme_allocation as a
),

theme_suppliers as (
    select theme, count(distinct company_id) as n from per_doc group by theme
),

per_company as (
    select
        company_id,
        list(distinct theme order by theme) as themes_list,
        count(distinct doc_id) as breadth,
        sum(strength) as strength,
        sum(strength * pow(0.5, ((select d from params) - published_on) / (select half_life from params))) as recency
    from per_doc
    group by company_id
),

capex_flow as (
    select p.company_id, sum(tc.usd / ts.n) / 1e9 as capex_flow
    from (select distinct company_id, theme from per_doc) as p
    join theme_capex as tc using (theme)
    join theme_suppliers as ts using (theme)
    group by p.company_id
),

spender_growth as (
    select p.company_id, avg(g.g) as spender_growth
    from (select distinct company_id, doc_id from per_doc) as p
    join links as s on s.doc_id = p.doc_id and s.role = 'spender'
    join growth as g on g.company_id = s.company_id
    group by p.company_id
),

universe as materialized (
    select li.ticker, li.company_id, pc.themes_list, pc.breadth, pc.strength, pc.recency,
           cf.capex_flow, sg.spender_growth
    from listings as li
    join per_company as pc using (company_id)
    left join capex_flow as cf using (company_id)
    left join spender_growth as sg using (company_id)
    where pc.breadth >= min_docs
      and (len(markets) = 0 or list_contains(markets, li.market))
      and (len(exchanges) = 0 or list_contains(exchanges, li.exchange))
),

parts_long as (
    select ticker, company_id, component, raw
    from universe
    unpivot include nulls (
        raw for component in (breadth, strength, recency, capex_flow, spender_growth)
    )
),

parts as (
    select
        p.ticker, p.company_id, p.component, cast(p.raw as double) as raw,
        -- a spread within rounding noise of the mean is no spread: those values are equal
        case
            when stddev_pop(p.raw) over w > 1e-9 * (abs(avg(p.raw) over w) + 1e-9)
                then coalesce((p.raw - avg(p.raw) over w) / stddev_pop(p.raw) over w, 0)
            else 0
        end as value,
        sw.weight / (select sum(weight) from score_weights where kind = 'exposure_part') as weight
    from parts_long as p
    join score_weights as sw on sw.kind = 'exposure_part' and sw.name = p.component
    window w as (partition by p.component)
),

exposure as (
    select ticker, company_id, 'exposure' as component, sum(value * weight) as raw
    from parts group by ticker, company_id
),

-- the weighted signals (every weight but exposure's), numbered
signal_ids as materialized (
    select name, row_number() over () as sid
    from (select unnest(map_keys((select w from params))) as name)
    where name <> 'exposure'
),

signal_probe as (
    select u.ticker, u.company_id, n.name as component
    from universe as u
    cross join signal_ids as n
),

-- the latest value of each weighted signal on or before the as-of date. One as-of date for
-- every ticker, so a filtered arg_max (a hash aggregate) does what an ASOF join would, 4x
-- faster on 82.6M rows (benchmarks/README.md). The date filters use the macro's own parameter
-- so that DuckDB pushes them into the scan of the signal table. Tickers and names are joined
-- to integer ids and the rows grouped by those: a group-by on two text columns hashes both
-- strings of every row, a join probes a dictionary-compressed column once per distinct value
-- (a screen on 104M signal rows, median of six runs: CPU 1.30 -> 1.18 s warm, 1.95 -> 1.62 s
-- cold; wall 0.67 -> 0.60 s warm, 1.00 -> 0.84 s cold; benchmarks/README.md).
ticker_ids as materialized (
    select ticker, row_number() over () as tid from universe
),

-- Recent values first: a pair (ticker, signal) with any value in the 92 days up to the date
-- has its latest value among them, so only those rows are grouped (the scan's date filter
-- drops the rest before any other column is read; zone maps skip whole row groups when the
-- table is in date order). Only the pairs with no value in that window (a suspended ticker, a
-- signal published less often than quarterly) are looked up in the older rows; when there
-- are none that scan stops at once. The API screen on 104M rows, warm: 0.61-0.77 -> 0.30-0.39 s
-- wall; the first in a process 1.08-1.16 -> 0.66-0.74 s (benchmarks/README.md).
recent_by_id as materialized (  -- read twice: the stale pairs and the result
    select t.tid, n.sid, arg_max(v.value, v.as_of) as value
    from query_table(signal_table) as v
    join ticker_ids as t on v.ticker = t.ticker
    join signal_ids as n on v.signal = n.name
    where v.as_of <= cast(as_of_date as date)
      and v.as_of > cast(as_of_date as date) - 92
    group by t.tid, n.sid
),

stale_pairs as (
    select t.tid, n.sid, t.ticker, n.name
    from ticker_ids as t
    cross join signal_ids as n
    anti join recent_by_id as r on r.tid = t.tid and r.sid = n.sid
),

older_by_id as (
    select s.tid, s.sid, arg_max(v.value, v.as_of) as value
    from query_table(signal_table) as v
    join stale_pairs as s on v.ticker = s.ticker and v.signal = s.name
    where v.as_of <= cast(as_of_date as date) - 92
    group by s.tid, s.sid
),

latest_by_id as (
    select * from recent_by_id
    union all
    select * from older_by_id
),

latest_signals as (
    select t.ticker, n.name as signal, x.value
    from latest_by_id as x
    join ticker_ids as t using (tid)
    join signal_ids as n using (sid)
),

signal_values as (
    select p.ticker, p.company_id, p.component, s.value as raw
    from signal_probe as p
    left join latest_signals as s on p.ticker = s.ticker and p.component = s.signal
),

components as (
    select
        c.ticker, c.company_id, c.component, c.raw,
        case
            when stddev_pop(c.raw) over w > 1e-9 * (abs(avg(c.raw) over w) + 1e-9)
                then coalesce((c.raw - avg(c.raw) over w) / stddev_pop(c.raw) over w, 0)
            else 0
        end as value,
        (select w from params)[c.component] as weight
    from (select * from exposure union all select * from signal_values) as c
    window w as (partition by c.component)
),

-- a weight that names no loaded signal is an error, not a silent zero. A name with a value
-- for a screened ticker is loaded; only the others are looked up in the whole signal table,
-- and when there are none that scan stops at once (a semi-join with nothing to match):
-- 0.24 of 1.58 CPU-s of a screen on 104M signal rows went to reading every name.
unvalued as (
    select k
    from (select unnest(map_keys((select w from params))) as k)
    where check_weights and k <> 'exposure'
      and k not in (select signal from latest_signals)
),

unknown_weight as (
    select error(
        'screen: unknown weight ' || k || '; valid names: exposure and the loaded signals'
    ) as e
    from unvalued
    where k not in (
        select distinct signal from query_table(signal_table)
        where signal in (select k from unvalued)
    )
),

final as (
    select ticker, company_id, component, 'component' as kind, round(raw, 12) as raw, round(value, 12) as value,
           weight, round(value * weight, 12) as contribution
    from components
    union all
    select ticker, company_id, component, 'exposure_part' as kind, round(raw, 12) as raw, round(value, 12) as value,
           weight, round(value * weight, 12) as contribution
    from parts
)

select * from final where (select max(e) from unknown_weight) is null
