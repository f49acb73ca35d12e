"""Configuration in data/ is validated at load: a misspelt key names the file and the key."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from screener.cues import load_cues, load_scoring
from screener.errors import InputError, UsageError
from screener.reference import DATA_DIR


def test_bundled_config_is_valid() -> None:
    assert "supplier" in load_cues(DATA_DIR / "cues.toml")["roles"]
    assert load_scoring(DATA_DIR / "scoring.toml")["weights"]["exposure"] == 1.0


def test_a_misspelt_cue_key_names_the_file_and_key(tmp_path: Path) -> None:
    text = (
        (DATA_DIR / "cues.toml")
        .read_text(encoding="utf-8")
        .replace("supply_heading", "suply_heading")
    )
    bad = tmp_path / "cues.toml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=r"cues.toml: structure\.(supply_heading|suply_heading)"):
        load_cues(bad)


def test_a_scoring_part_that_does_not_exist_is_an_error(tmp_path: Path) -> None:
    bad = tmp_path / "scoring.toml"
    bad.write_text(
        "[weights]\nexposure = 1\n[exposure]\nbreath = 1\n[recency]\nhalf_life_days = 180\n"
    )
    with pytest.raises(InputError, match=r"scoring.toml: exposure\.breath"):
        load_scoring(bad)


@pytest.mark.parametrize("w", [math.nan, math.inf, "x"])
def test_weights_given_to_the_api_must_be_finite(w: object) -> None:
    from screener.api import parse_weights

    with pytest.raises(UsageError):
        parse_weights({"exposure": w})  # type: ignore[dict-item]


def test_cue_lists_answer_like_testing_each_word() -> None:
    """CueWords' one-pass search says what `any(w in s for w in words)` says, metacharacters
    and an empty list included, and survives pickling (the knowledge cache pickles it)."""
    import pickle

    from screener.cues import CueWords
    from screener.extract.document import has, strip_words

    words = CueWords(["a.b", "(x", "供应商", "us$", "ab"])
    for s in ("a.b", "axb", "(x)", "主要供应商为", "us$5", "u s$", "", "cab", "a"):
        assert has(s, words) == any(w in s for w in words), s
        assert strip_words(s, words) == strip_words(s, list(words)), s
    assert not has("anything", CueWords([]))
    back = pickle.loads(pickle.dumps(words))
    assert back == list(words) and has("zz(xzz", back) and not has("zz", back)
    cues = load_cues(DATA_DIR / "cues.toml")
    assert isinstance(cues["roles"]["supplier"], CueWords)
    assert isinstance(cues["capex"]["units"], dict)  # numbers stay numbers
