-- Text (as the reader made it: decoded, or extracted from PDF/HTML/Word) of documents the user ingested (never of the bundled corpus), so that
-- `screener build` can re-extract them with the current reference knowledge.
create table document_text (
    doc_id varchar primary key,  -- documents.doc_id
    -- zstd: DuckDB's default analysis (dictionary/FSST) of 104 MB of notes took 5 s of the
    -- ingest's commit, serial after the extraction; zstd takes 0.15 s and a smaller file
    text   varchar not null using compression zstd
);
