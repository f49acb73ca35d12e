-- screen(...): the ranking, one row per ticker. Same parameters as screen_components.
-- score = sum of the components' contributions (z-score x weight); ties break on the
-- exposure component's raw value, then on the ticker. components / raw: MAP(name -> value).
-- Example: select * from screen(as_of_date := '2025-06-30', themes := ['optical_modules']);
create macro screen(
    as_of_date := current_date,
    weights := null,
    themes := [],
    markets := [],
    exchanges := [],
    min_docs := 1,
    signal_table := 'signals',
    check_weights := true
) as table
with comp as (
    select * from screen_components(
        as_of_date := as_of_date, weights := weights, themes := themes, markets := markets,
        exchanges := exchanges, min_docs := min_docs, signal_table := signal_table,
        check_weights := check_weights
    )
    where kind = 'component'
),

scored as (
    select
        ticker,
        company_id,
        sum(contribution) as score,
        max(raw) filter (where component = 'exposure') as exposure_raw,
        map_from_entries(list((component, value) order by component)) as components,
        map_from_entries(list((component, raw) order by component)) as raw
    from comp
    group by ticker, company_id
),

evidence as (
    select l.company_id,
           list(distinct l.theme order by l.theme) as themes,
           count(distinct l.doc_id) as docs
    from links as l
    join documents as d using (doc_id)
    where l.role = 'supplier' and l.theme is not null
      and d.published_on <= cast(as_of_date as date)
      and (len(themes) = 0 or list_contains(themes, l.theme))
    group by l.company_id
),

final as (
    select
        -- rounded: parallel float sums differ in the last bits; ties must not flip
        row_number() over (order by round(s.score, 9) desc, round(s.exposure_raw, 9) desc, s.ticker) as rank,
        s.ticker,
        c.name_zh,
        c.name_en,
        li.market,
        li.exchange,
        e.themes,
        e.docs,
        round(s.score, 6) as score,
        s.components,
        s.raw
    from scored as s
    join companies as c using (company_id)
    join listings as li using (ticker)
    join evidence as e using (company_id)
)

select * from final order by rank
