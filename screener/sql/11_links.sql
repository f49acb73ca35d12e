-- A company's role in a document, per theme (theme is null for analysts and for spenders
-- whose clause names no theme). Only supplier links feed the ranking.
-- evidence: table, list, paren, ticker, sentence (strongest first).
create table links (
    doc_id     varchar not null,  -- documents.doc_id (no FK: DuckDB cannot delete a parent and its children in one transaction)
    company_id varchar not null references companies (company_id),
    theme      varchar references themes (theme),
    role       varchar not null check (role in ('supplier', 'spender', 'customer', 'analyst', 'peer', 'other')),
    evidence   varchar not null,
    start_pos  integer not null,
    end_pos    integer not null,
    snippet    varchar not null,
    confidence double not null,
    mentions   integer not null,
    page       integer  -- the PDF page of start_pos; null for documents without pages
);
