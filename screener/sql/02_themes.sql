-- The eight capex themes (fixed ids).
create table themes (
    theme   varchar primary key,
    name_zh varchar not null,
    name_en varchar not null,
    covers  varchar
);
