-- Share of a hyperscaler's AI capex that flows to each theme (data/theme_allocation.csv,
-- with source and reasoning; users may edit the file and rebuild).
create table theme_allocation (
    theme     varchar primary key references themes (theme),
    share     double not null,
    source    varchar not null,
    reasoning varchar not null
);
