-- One row per document version. doc_id is the first 16 hex digits of sha256 (raw bytes).
-- date_source: given (registry or --published), metadata (HTML/Markdown/PDF/Word metadata),
-- content (a dateline in the first lines), ingest_time (no date known).
-- format: the reader that made the text (text, markdown, html, pdf, docx).
create table documents (
    doc_id       varchar primary key,
    path         varchar not null,
    title        varchar,
    publisher    varchar,
    published_on date not null,
    date_source  varchar not null,
    language     varchar not null check (language in ('zh-Hans', 'zh-Hant', 'en', 'mixed')),
    encoding     varchar not null,
    format       varchar not null default 'text' check (format in ('text', 'markdown', 'html', 'pdf', 'docx')),
    sha256       varchar not null unique,
    n_chars      integer not null,
    bundled      boolean not null,
    ingested_at  timestamp not null
);
