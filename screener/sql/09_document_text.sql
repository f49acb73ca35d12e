-- Text (as the reader made it: decoded, or extracted from PDF/HTML/Word) of documents the user ingested (never of the bundled corpus), so that
-- `screener build` can re-extract them with the current reference knowledge.
create table document_text (
    doc_id varchar primary key,  -- documents.doc_id
    text   varchar not null
);
