-- The capex themes (stable ids; users may add their own). kind: segment (a part of the
-- chain), or generic (AI compute named without its segment).
create table themes (
    theme   varchar primary key,
    name_zh varchar not null,
    name_en varchar not null,
    covers  varchar,
    kind    varchar not null default 'segment' check (kind in ('segment', 'generic'))
);
