-- Reference priors: themes a company is known for (Eastmoney concept boards snapshot of
-- 2026-07-02, mapped by data/theme_concepts.csv, and curated themes). Not document evidence.
create table company_themes (
    company_id varchar not null references companies (company_id),
    theme      varchar not null references themes (theme),
    source     varchar not null,
    primary key (company_id, theme, source)
);
