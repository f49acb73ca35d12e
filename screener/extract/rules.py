"""The order in which the structure rules are tried to find a mention's theme: the first
that answers decides. To add a pattern: write its rule in the module of its structure
(``rule(doc, site) -> Found | None``), put its words in ``screener/data/cues.toml``, and
give it its place here."""

from __future__ import annotations

from collections.abc import Callable

from screener.extract import lists, parens, sentence, table
from screener.extract.document import STOP_RULES, Doc, Found, Site

Rule = Callable[[Doc, Site], "Found | None | object"]

THEME_RULES: tuple[Rule, ...] = (
    table.row_theme,  # | 光模块 | 中际旭创、新易盛 |
    lists.after_marker,  # 光模块龙头：A、B / suppliers such as A and B
    lists.line_label,  # 交换机：…建议关注紫光股份 / 交换机及服务器代工 —— 工业富联
    lists.under_heading,  # ## 光模块 then - 中际旭创（300308）
    parens.in_parens,  # 服务器(中兴、烽火) / 中恒电气(HVDC); 运营商(中国移动) stops here
    sentence.in_sentence,  # the item's keyword, the clause's, the sentence's
)


def theme_of(doc: Doc, site: Site) -> Found | None:
    """The first rule's answer, in THEME_RULES order."""
    for rule in THEME_RULES:
        found = rule(doc, site)
        if found is STOP_RULES:
            return None
        if isinstance(found, Found):
            return found
    return None
