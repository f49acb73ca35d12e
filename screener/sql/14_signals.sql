-- Investment signals in long form, point in time: the value known as of as_of.
-- One value per (ticker, as_of, signal): loading the same key again replaces it.
create table signals (
    ticker varchar not null,
    as_of  date not null,
    signal varchar not null,
    value  double not null,
    source varchar not null,
    primary key (ticker, as_of, signal)
);
