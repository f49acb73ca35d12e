-- Where each page of a paged document (PDF) starts and ends in its text: a link's page is
-- the page whose [start_pos, end_pos) holds the link's start_pos (links.page has it too).
create table document_pages (
    doc_id    varchar not null,  -- documents.doc_id
    page      integer not null,  -- 1-based
    start_pos integer not null,
    end_pos   integer not null,
    primary key (doc_id, page)
);
