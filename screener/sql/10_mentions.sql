-- Every accepted company mention; offsets index the decoded document text [start, end).
create table mentions (
    doc_id     varchar not null,  -- documents.doc_id (no FK: DuckDB cannot delete a parent and its children in one transaction)
    company_id varchar not null references companies (company_id),
    start_pos  integer not null,
    end_pos    integer not null,
    matched    varchar not null,
    via        varchar not null check (via in ('alias', 'ticker')),
    alias_kind varchar not null,
    ticker     varchar
);
