-- Words that name a theme, in Simplified (zh-Hans), Traditional (zh-Hant) and English (en).
-- strength: segment (names the segment) or context (数据中心: decides only when alone).
create table theme_keywords (
    theme   varchar not null references themes (theme),
    keyword varchar not null,
    lang     varchar not null,
    strength varchar not null,
    primary key (theme, keyword)
);
