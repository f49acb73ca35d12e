"""``data/cues.toml`` and ``data/scoring.toml``, validated at load against their schemas
(``screener.cue_schema``): a misspelt or missing key is an error naming the file and the key,
never a KeyError deep in the extractor. The schemas' pydantic is imported only to validate a
file, not by the extractor, which uses ``CueWords`` only."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from screener.errors import InputError

if TYPE_CHECKING:
    from pydantic import BaseModel


def load_scoring(path: Path) -> dict[str, Any]:
    """scoring.toml as dicts, validated (a misspelt part or a non-number names the key)."""
    from screener.cue_schema import Scoring

    return _load(path, Scoring)


def load_cues(path: Path) -> dict[str, Any]:
    """cues.toml as plain dicts (what the extractor indexes), after validating its shape."""
    from screener.cue_schema import Cues

    return _with_cue_words(_load(path, Cues))


def _load(path: Path, model: type[BaseModel]) -> dict[str, Any]:
    import tomllib

    from pydantic import ValidationError

    try:
        with path.open("rb") as f:
            raw = tomllib.load(f)
    except OSError as e:
        raise InputError(f"{path}: cannot read ({e.strerror})") from e
    except tomllib.TOMLDecodeError as e:
        raise InputError(f"{path}: not valid TOML: {e}") from e
    try:
        model.model_validate(raw)
    except ValidationError as e:
        err = e.errors()[0]
        where = ".".join(str(x) for x in err["loc"])
        raise InputError(f"{path}: {where}: {err['msg']}") from e
    return raw


class CueWords(list[str]):
    """A list of cue words that also answers "is any of them in this text?" in one regex pass.
    Testing each word with ``in`` costs a Python step per word (55 supplier cues); one
    alternation skips text that starts no word: 4-10x faster on a sentence (1.6-4.7 us
    against 0.3-0.8 us, measured on a cue miss, which is the common case)."""

    __slots__ = ("_rx",)

    def __init__(self, words: list[str]) -> None:
        super().__init__(words)
        self._rx: re.Pattern[str] | None = None

    @property
    def regex(self) -> re.Pattern[str]:
        """The words as one alternation, in the list's order (compiled once)."""
        rx = self._rx
        if rx is None:
            # an empty list matches nothing (an empty alternation would match everywhere)
            body = "|".join(re.escape(w) for w in self) if self else "(?!)"
            rx = self._rx = re.compile(body)
        return rx

    def found_in(self, s: str) -> bool:
        return self.regex.search(s) is not None


def _with_cue_words(raw: dict[str, Any]) -> dict[str, Any]:
    """Every list of words in the file as CueWords (the dicts and numbers as they are)."""
    out: dict[str, Any] = {}
    for k, v in raw.items():
        if isinstance(v, dict):
            out[k] = _with_cue_words(v)
        elif isinstance(v, list) and all(isinstance(w, str) for w in v):
            out[k] = CueWords(v)
        else:
            out[k] = v
    return out
