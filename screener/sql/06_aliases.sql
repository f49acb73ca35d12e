-- Names a company goes by. kind: name, exchange, short, english, former, subsidiary, product.
-- ambiguous aliases (浪潮, 曙光, 苹果 ...) count only with context (a list, a ticker).
create table aliases (
    alias      varchar not null,
    company_id varchar not null references companies (company_id),
    lang       varchar not null,
    kind       varchar not null,
    ambiguous  boolean not null,
    primary key (alias, company_id)
);
