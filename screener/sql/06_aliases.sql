-- Names a company goes by. kind: name, short, subsidiary, product (curated); exchange,
-- english, legal, legal_en, former, pinyin (from the reference files). folded is the matching
-- form (NFKC, lower case, Traditional -> Simplified): look names up by it.
-- ambiguous aliases (浪潮, 曙光, 苹果, single English words ...) count only with context.
create table aliases (
    alias      varchar not null,
    company_id varchar not null references companies (company_id),
    lang       varchar not null,
    kind       varchar not null,
    ambiguous  boolean not null,
    folded     varchar not null,
    source     varchar,
    primary key (alias, company_id)
);
