-- Words that name a theme, in Simplified (zh-Hans), Traditional (zh-Hant) and English (en).
create table theme_keywords (
    theme   varchar not null references themes (theme),
    keyword varchar not null,
    lang    varchar not null,
    primary key (theme, keyword)
);
