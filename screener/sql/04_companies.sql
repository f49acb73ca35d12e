-- Issuers. A company may have several listings or none (unlisted: Huawei, OpenAI ...).
-- category steers roles: supplier, hyperscaler, platform, consumer_tech, ai_lab, telecom,
-- broker, bank, rating_agency, data_vendor, media, investor, insurer, financial, company.
create table companies (
    company_id varchar primary key,
    name_zh    varchar,
    name_en    varchar,
    listed     boolean not null,
    category   varchar not null,
    industry   varchar,
    curated    boolean not null,
    note       varchar
);
