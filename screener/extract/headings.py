"""The nearest label of a recommended name whose own clause names no theme: the paragraph
before it, the label over its bullets, its list item's body, its own company heading's body,
the headings over it, the document's title."""

from __future__ import annotations

from screener.extract.document import Doc, head_of_first_cluster, prefer, strong


def context_theme(doc: Doc, idx: int, line_no: int, sec: int) -> list[str] | None:
    """The theme of the nearest label of a recommended name whose clause names none: the
    paragraph before it, the lines that continue its list item, the body of its own
    company heading, the headings over it, the document's title."""
    m, lay = doc.mentions[idx], doc.lay
    prior = doc.kb.priors.get(m.company_id, set())
    para = lay.line_starts[lay.para_start_line[line_no]]
    before = strong([k for k in doc.keywords.between(para, m.start) if k.end <= m.start])
    if before:
        return [before[-1].theme]
    label = doc.bullets_label(line_no)
    if label >= 0 and (over := strong(doc.keywords.between(*doc.line_span(label)))):
        return [over[-1].theme]
    body_end = None
    if lay.bullet_line[line_no]:  # an item's text may continue on the lines below it
        last = doc.item_end_line(line_no)
        body_end = lay.line_starts[last + 1] if last + 1 < len(lay.lines) else doc.n
    elif lay.heading_line[line_no]:  # a heading per company: its body says what it does
        body_end = next(
            (lay.line_starts[i] for i in range(line_no + 1, len(lay.lines)) if lay.heading_line[i]),
            doc.n,
        )
    body = doc.keywords.between(m.end, body_end) if body_end is not None else []
    if any(not k.weak for k in body):  # a segment word in its own text decides
        return [str(head_of_first_cluster(body, doc.text))]
    for h in doc.chain(sec):
        themes = doc.line_themes(h)
        if themes:
            return prefer(themes, prior, m.start, doc.keywords)[:1]
    return [str(body[0].theme)] if body else None
