"""A user's own themes, keywords, aliases and nicknames ($SCREENER_USER_DATA) merged over the
bundled data."""

from __future__ import annotations

from pathlib import Path

import pytest

from screener.errors import InputError


def _write(folder: Path, name: str, text: str) -> None:
    (folder / name).write_text(text, encoding="utf-8")


def test_a_user_theme_with_its_keywords_and_an_alias(tmp_path: Path, monkeypatch) -> None:
    from screener.corpus import read_document
    from screener.reference import load

    _write(
        tmp_path, "themes.csv", "theme,name_zh,name_en,covers\nmemory,存储,Memory,HBM and DRAM\n"
    )
    _write(
        tmp_path,
        "theme_keywords.csv",
        "theme,keyword,lang,strength\nmemory,存储芯片,zh-Hans,segment\nmemory,HBM,en,segment\n",
    )
    _write(
        tmp_path,
        "aliases.csv",
        "alias,company_id,lang,kind,ambiguous\n兆易,a_603986,zh-Hans,short,no\n",
    )
    monkeypatch.setenv("SCREENER_USER_DATA", str(tmp_path))
    kb = load()
    assert "memory" in {t["theme"] for t in kb.themes}
    doc = tmp_path / "note.txt"
    doc.write_text("HBM 与存储芯片受益标的：兆易、澜起科技。\n", encoding="utf-8")
    links = read_document(doc, kb).extraction.links
    assert ("a_603986", "memory") in {
        (lk.company_id, lk.theme) for lk in links if lk.role == "supplier"
    }


def test_a_mistake_in_a_user_file_names_that_file_and_line(tmp_path: Path, monkeypatch) -> None:
    from screener.reference import load

    _write(tmp_path, "theme_keywords.csv", "theme,keyword,lang,strength\nmemroy,HBM,en,segment\n")
    monkeypatch.setenv("SCREENER_USER_DATA", str(tmp_path))
    with pytest.raises(InputError, match=r"theme_keywords.csv:2: unknown theme 'memroy'"):
        load()
    monkeypatch.setenv("SCREENER_USER_DATA", str(tmp_path / "missing"))
    with pytest.raises(InputError, match="no such folder"):
        load()
