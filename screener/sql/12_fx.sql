-- Conversion rates used for amount_cny / amount_usd, with their date and source.
create table fx (
    currency     varchar primary key,
    cny_per_unit double not null,
    as_of        date not null,
    source       varchar not null
);
