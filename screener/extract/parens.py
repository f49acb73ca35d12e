"""Parentheses: "服务器(中兴、烽火)" (the label before them names the theme), "中恒电气(HVDC)"
(the theme inside them), and parentheses whose owner decides instead ("运营商(中国移动)",
"通富微电（AMD/英特尔）")."""

from __future__ import annotations

from screener.extract.document import STOP_RULES, Doc, Found, Site
from screener.extract.model import Keywords, Mention


def in_parens(doc: Doc, site: Site) -> Found | None | object:
    """3. Parentheses around or after the name; a parenthesis that belongs to a label or a
    company naming no theme ends the search (the sentence does not decide)."""
    p = paren_keyword_theme(doc.text, site.mention, doc.keywords, site.cs)
    if p:
        return Found(p, "paren")
    if paren_owner(doc, site.idx, site.cs) is not None:
        return STOP_RULES
    return None


def paren_keyword_theme(
    text: str, mnt: Mention, keywords: Keywords, clause_start: int
) -> list[str] | None:
    open_pos = max(
        text.rfind("(", clause_start, mnt.start), text.rfind("（", clause_start, mnt.start)
    )
    if open_pos >= 0 and not any(c in text[open_pos : mnt.start] for c in ")）"):
        before = [
            k
            for k in keywords.between(clause_start, open_pos)
            if open_pos - 10 <= k.end <= open_pos
        ]
        if before:
            return [before[-1].theme]
    j = mnt.end
    while j < len(text) and text[j] in " \u3000":
        j += 1
    if j < len(text) and text[j] in "(（":
        close = min([x for x in (text.find(")", j), text.find("）", j)) if x >= 0] or [j])
        inside = [k.theme for k in keywords.between(j + 1, close)]
        if inside:
            return list(dict.fromkeys(inside))
    return None


def paren_owner(doc: Doc, idx: int, cs: int) -> str | None:
    """The label or company a parenthesis holding this mention belongs to, when that label
    names no theme: "运营商(中国移动、中国电信)" -> "运营商"; "通富微电（AMD/英特尔）" -> the
    company (its customers or partners). None when the mention is not in parentheses."""
    text, m = doc.text, doc.mentions[idx]
    open_pos = max(text.rfind("(", cs, m.start), text.rfind("（", cs, m.start))
    if open_pos < 0 or any(c in text[open_pos : m.start] for c in ")）"):
        return None
    owner = [o for o in doc.mentions[max(0, idx - 8) : idx] if o.end == open_pos]
    if owner:  # "通富微电（AMD/英特尔）"; but "中兴通讯(0763.HK)" is the company's own code
        return None if owner[-1].company_id == m.company_id else "company"
    label = text[max(cs, open_pos - 8) : open_pos]
    for sep in "、,，;；:：)）":
        label = label.rsplit(sep, 1)[-1]
    label = label.strip()
    return label if label and not label.isdigit() else None
