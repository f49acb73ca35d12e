"""The knowledge and matcher cache (screener/cache.py): a second run reads what the first
built, a change to the data makes a new entry, and a damaged cache is rebuilt, never an error."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from screener import cache
from screener.extract import extract
from screener.extract.matcher import Matcher, get_matcher
from screener.reference import _load

TEXT = "光模块龙头：中际旭创(300308)、新易盛。英伟达将采购 800G 光模块。"


def _fresh(data_dir: Path, user: Path | None):
    _load.cache_clear()
    get_matcher.cache_clear()
    kb = _load(data_dir, user)
    return kb, get_matcher(kb)


def test_a_second_run_reads_the_cache_and_extracts_the_same(tmp_path, monkeypatch):
    from screener.reference import DATA_DIR

    monkeypatch.setenv("SCREENER_CACHE_DIR", str(tmp_path / "c"))
    kb1, m1 = _fresh(DATA_DIR, None)
    files = sorted(p.name.split("-")[0] for p in (tmp_path / "c").iterdir())
    # and the script table, when this process had not made it yet (run alone, it has not)
    assert [f for f in files if f != "scripts"] == ["knowledge", "matcher"]
    # the matcher is kept as plain rows, strings and tuples (quick to load), no entry objects
    state = cache.get("matcher", kb1.fingerprint)
    assert set(state) == set(Matcher.KEPT)
    assert {type(r) for r in state["rows"]} == {tuple}
    assert {type(v) for v in [*state["latin_words"].values(), *state["latin_index"].values()]} == {
        tuple
    }
    built = Matcher.__init__
    monkeypatch.setattr(Matcher, "__init__", lambda *a: (_ for _ in ()).throw(AssertionError))
    kb2, m2 = _fresh(DATA_DIR, None)  # from the cache: no matcher is built
    monkeypatch.setattr(Matcher, "__init__", built)
    assert kb2 is not kb1 and kb2.fingerprint == kb1.fingerprint
    assert m2.patterns == m1.patterns and m2.rows == m1.rows and m2.lengths == m1.lengths
    a, b = extract(TEXT, kb1, "2025-01-01"), extract(TEXT, kb2, "2025-01-01")
    assert a.links == b.links and a.mentions == b.mentions and a.links


def test_new_user_data_is_a_new_fingerprint_and_damage_is_rebuilt(tmp_path, monkeypatch):
    from screener.reference import DATA_DIR

    user = tmp_path / "user"
    user.mkdir()
    base = cache.fingerprint(DATA_DIR, None)
    (user / "aliases.csv").write_text(
        "alias,company_id,lang,kind,ambiguous\n小冷科技,a_002837,zh-Hans,short,no\n",
        encoding="utf-8",
    )
    assert cache.fingerprint(DATA_DIR, user) != base
    session = cache.cache_dir()  # the suite's cache (conftest): copied, so nothing is built twice
    (tmp_path / "c").mkdir()
    for f in session.glob(f"*-{base}.pickle") if session else []:
        shutil.copy(f, tmp_path / "c" / f.name)
    monkeypatch.setenv("SCREENER_CACHE_DIR", str(tmp_path / "c"))
    cache.put("matcher", "k", {"patterns": ["a"]})
    assert cache.get("matcher", "k") == {"patterns": ["a"]}
    (tmp_path / "c" / "matcher-k.pickle").write_bytes(b"not a pickle")
    assert cache.get("matcher", "k") is None  # damaged: a miss, never an error
    # a damaged matcher entry is rebuilt from the knowledge (equal to the first)
    kb, m1 = _fresh(DATA_DIR, None)
    for f in (tmp_path / "c").glob("matcher-*.pickle"):
        f.write_bytes(b"\x80\x05truncated")
    get_matcher.cache_clear()
    m2 = get_matcher(kb)
    assert m2.rows == m1.rows and m2.patterns == m1.patterns


def test_the_cache_can_be_turned_off(tmp_path, monkeypatch):
    monkeypatch.setenv("SCREENER_CACHE_DIR", "off")
    assert cache.cache_dir() is None
    cache.put("knowledge", "x", 1)
    assert cache.get("knowledge", "x") is None


def test_a_cache_folder_that_cannot_be_written_is_skipped(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"  # where the folder should be, a file: every write fails
    blocker.write_text("")
    monkeypatch.setenv("SCREENER_CACHE_DIR", str(blocker))
    cache.put("knowledge", "x", 1)  # raised NotADirectoryError removing its temporary file
    assert cache.get("knowledge", "x") is None


def test_knowledge_from_the_cache_unpickles_the_build_only_rows_when_asked(tmp_path, monkeypatch):
    """Aliases and listings (read by `build` and a new matcher, never by extraction) stay
    pickled inside the cached knowledge until first read, and are then what was built."""
    import pickle

    from screener.reference import DATA_DIR, DEFERRED

    monkeypatch.setenv("SCREENER_CACHE_DIR", str(tmp_path / "c"))
    built, _ = _fresh(DATA_DIR, None)
    assert built.aliases and built.listings
    kb = pickle.loads(pickle.dumps(built))
    assert not set(DEFERRED) & set(vars(kb))
    again = pickle.loads(pickle.dumps(kb))  # pickled again before they were read: still there
    for k in (kb, again):
        assert k.aliases == built.aliases and k.listings == built.listings
        assert set(DEFERRED) <= set(vars(k)) and not any(n.startswith("_pickled") for n in vars(k))
    assert kb.companies == built.companies and kb.fingerprint == built.fingerprint
    with pytest.raises(AttributeError, match="no_such_field"):
        kb.no_such_field  # noqa: B018
