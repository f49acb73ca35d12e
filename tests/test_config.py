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
