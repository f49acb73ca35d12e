-- Investment signals in long form, point in time: the value known as of as_of.
-- One value per (ticker, as_of, signal): loading the same key again replaces it. The key is
-- kept by the loaders (a file's duplicate keys are an error; a load deletes the keys it brings,
-- then inserts), not by a primary-key index: on 82.6M rows that index took 8x the table itself
-- (5.3 GB against 0.64 GB of Parquet), and no query here looks a single key up.
-- Stored in date order: the loaders insert each load sorted by as_of and `build` copies the
-- table back in that order, so that the zone maps of a row group's dates let the screen's
-- as-of lookup skip every row group outside its window (a cold screen reads a quarter's rows,
-- not the whole history). Rows inserted by other means go where they are put until the next
-- build.
create table signals (
    ticker varchar not null,
    as_of  date not null,
    signal varchar not null,
    value  double not null,
    source varchar not null
);
