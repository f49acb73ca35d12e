-- Capex figures. company_id is the spender (null for aggregates such as "北美四家云计算厂商",
-- named in spender_label). period: 2025, 2025Q4, FY2025, FY2025Q3, 2025-2027.
-- qualifier: at_least, about, at_most, estimate, range (amount = midpoint of low..high).
create table capex (
    doc_id        varchar not null,  -- documents.doc_id
    company_id    varchar references companies (company_id),
    spender_label varchar,
    period        varchar,
    amount        double not null,
    amount_low    double,
    amount_high   double,
    currency      varchar not null,
    amount_cny    double not null,
    amount_usd    double not null,
    qualifier     varchar,
    scope         varchar not null,
    start_pos     integer not null,
    end_pos       integer not null,
    matched       varchar not null,
    snippet       varchar not null,
    page          integer  -- the PDF page of start_pos; null for documents without pages
);
