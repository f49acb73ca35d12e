-- One row per listed security, Wind-style ticker (300308.SZ, 9698.HK, GDS.O, BABA.N).
create table listings (
    ticker     varchar primary key,
    company_id varchar not null references companies (company_id),
    exchange   varchar not null,  -- SSE, SZSE, BSE, HKEX, NASDAQ, NYSE
    market     varchar not null check (market in ('A', 'HK', 'US', 'TW')),
    short_name varchar,
    board      varchar,           -- main, chinext, star, bse (A-shares)
    list_date  date,
    is_primary boolean not null
);
