-- Key/value facts about this database: schema version, when and from what it was built.
create table meta (
    key   varchar primary key,
    value varchar not null
);
