-- capex_asof(d): capex facts announced in documents published on or before d, with the
-- spender's name and the document's date.
create macro capex_asof(as_of_date) as table
with visible as (
    select k.*, d.published_on, d.title as doc_title
    from capex as k
    join documents as d using (doc_id)
    where d.published_on <= cast(as_of_date as date)
),

final as (
    select
        v.doc_id,
        v.published_on,
        v.company_id,
        coalesce(c.name_zh, c.name_en, v.spender_label) as spender,
        c.name_en as spender_en,
        v.period,
        v.amount,
        v.amount_low,
        v.amount_high,
        v.currency,
        v.amount_cny,
        v.amount_usd,
        v.qualifier,
        v.scope,
        v.snippet
    from visible as v
    left join companies as c using (company_id)
)

select * from final
