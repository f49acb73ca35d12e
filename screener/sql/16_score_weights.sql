-- Default weights (data/scoring.toml). kind 'component': weights of the final score;
-- kind 'exposure_part': weights of the parts averaged into the exposure component;
-- kind 'setting': numeric settings such as recency.half_life_days.
create table score_weights (
    kind   varchar not null,
    name   varchar not null,
    weight double not null,
    primary key (kind, name)
);
