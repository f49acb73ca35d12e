"""The schemas of ``data/cues.toml`` and ``data/scoring.toml``, validated at load: a misspelt or missing key is an error
naming the file and the key, never a KeyError deep in the extractor."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from screener.errors import InputError

Words = list[str]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Roles(_Strict):
    supplier: Words
    spender: Words
    spender_strong: Words
    not_spender: Words
    customer: Words
    supplier_of_buyer: Words
    peer: Words
    customer_list: Words
    subject_list: Words
    ranking: Words
    off_topic: Words
    benchmark: Words


class Structure(_Strict):
    supply_heading: Words
    demand_heading: Words
    pick_heading: Words
    usage_column: Words
    anaphora: Words
    list_joiners: Words
    list_markers: Words


class Currency(_Strict):
    suffix: dict[str, str]
    prefix: dict[str, str]


class Capex(_Strict):
    cues: Words
    non_capex: Words
    aggregates: Words
    scope_infrastructure: Words
    at_least: Words
    at_least_after: Words
    about: Words
    about_after: Words
    at_most: Words
    estimate: Words
    quarter_series: Words
    units: dict[str, float]
    currency: Currency


class Cues(_Strict):
    roles: Roles
    structure: Structure
    capex: Capex


class Scoring(_Strict):
    """data/scoring.toml: component weights, the exposure parts' weights, the recency setting."""

    weights: dict[str, float]
    exposure: dict[Literal["breadth", "strength", "recency", "capex_flow", "spender_growth"], float]
    recency: dict[Literal["half_life_days"], float]


def load_scoring(path: Path) -> dict[str, Any]:
    """scoring.toml as dicts, validated (a misspelt part or a non-number names the key)."""
    return _load(path, Scoring)


def load_cues(path: Path) -> dict[str, Any]:
    """cues.toml as plain dicts (what the extractor indexes), after validating its shape."""
    return _load(path, Cues)


def _load(path: Path, model: type[BaseModel]) -> dict[str, Any]:
    import tomllib

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
