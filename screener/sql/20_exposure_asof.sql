-- exposure_asof(d): one row per ticker x theme from supplier links in documents published
-- on or before d. score = sum over documents of the strongest link's confidence there
-- (table 0.95 > list 0.9 > paren 0.85 > ticker 0.8 > sentence 0.65; -0.1 when the theme is
-- outside the company's reference themes). Unlisted companies have no ticker: not here.
create macro exposure_asof(as_of_date) as table
with visible_docs as (
    select doc_id, published_on
    from documents
    where published_on <= cast(as_of_date as date)
),

supplier_links as (
    select l.company_id, l.theme, l.doc_id, l.evidence, l.confidence, l.mentions, d.published_on
    from links as l
    join visible_docs as d using (doc_id)
    where l.role = 'supplier' and l.theme is not null
),

per_doc as (
    select
        company_id,
        theme,
        doc_id,
        any_value(published_on) as published_on,
        max(confidence) as strength,
        count(*) as n_links,
        sum(mentions) as n_mentions,
        arg_max(evidence, confidence) as evidence
    from supplier_links
    group by company_id, theme, doc_id
),

per_company as (
    select
        company_id,
        theme,
        count(*) as docs,
        sum(n_links) as links,
        sum(n_mentions) as mentions,
        min(published_on) as first_seen,
        max(published_on) as last_seen,
        arg_max(evidence, strength) as best_evidence,
        sum(strength) as score
    from per_doc
    group by company_id, theme
),

final as (
    select
        li.ticker,
        pc.company_id,
        c.name_zh,
        c.name_en,
        li.market,
        li.exchange,
        pc.theme,
        pc.docs,
        pc.links,
        pc.mentions,
        pc.first_seen,
        pc.last_seen,
        pc.best_evidence,
        round(pc.score, 4) as score
    from per_company as pc
    join companies as c using (company_id)
    join listings as li using (company_id)
)

select * from final
