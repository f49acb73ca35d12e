"""The pydantic models of ``data/cues.toml`` and ``data/scoring.toml``: what ``screener.cues``
validates the files against. A module of its own, imported only when a file is validated
(building the reference knowledge, `build`): pydantic's import is ~0.05 s, and extraction, which
uses the cue words (``screener.cues.CueWords``) of knowledge loaded from the cache, needs none
of it."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

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
