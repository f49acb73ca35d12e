-- supplier_map: theme -> companies named as suppliers (listed or not), with their tickers,
-- the documents naming them and the strongest evidence. The map a reader defends.
create view supplier_map as
with sup as (
    select l.theme, l.company_id, l.doc_id, l.evidence, l.confidence, d.published_on
    from links as l
    join documents as d using (doc_id)
    where l.role = 'supplier' and l.theme is not null
),

tickers as (
    select company_id, string_agg(ticker, ',' order by is_primary desc, ticker) as tickers
    from listings
    group by company_id
),

final as (
    select
        s.theme,
        s.company_id,
        c.name_zh,
        c.name_en,
        c.listed,
        t.tickers,
        count(distinct s.doc_id) as docs,
        arg_max(s.evidence, s.confidence) as best_evidence,
        min(s.published_on) as first_seen,
        max(s.published_on) as last_seen
    from sup as s
    join companies as c using (company_id)
    left join tickers as t using (company_id)
    group by all
)

select * from final
