"""Values given to options, checked: dates (``--as-of``, ``--published``) and score weights.

Kept apart from ``screener.api`` so that a command which needs no frames (``ingest``) can
parse its options without importing polars.
"""

from __future__ import annotations

from datetime import date

from screener.errors import UsageError


def parse_date(value: str | date | None, what: str = "--as-of") -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except ValueError as e:
        raise UsageError(f"{what} {value!r}: expected a date as YYYY-MM-DD") from e


def parse_weights(spec: str | dict[str, float] | None) -> dict[str, float] | None:
    """``exposure=1,momentum=0.5,pe_ttm=-0.2`` -> dict; names checked by the caller."""
    if spec is None:
        return None
    if isinstance(spec, dict):
        for name, w in spec.items():
            if not isinstance(w, int | float) or w != w or w in (float("inf"), float("-inf")):
                raise UsageError(f"weights: {name}={w!r}: weight must be a finite number")
        return {k: float(v) for k, v in spec.items()}
    out: dict[str, float] = {}
    for part in [p.strip() for p in spec.split(",") if p.strip()]:
        name, eq, val = part.partition("=")
        name = name.strip()
        if not eq or not name:
            raise UsageError(
                f"--weights {part!r}: expected name=number, e.g. exposure=1,momentum=0.5"
            )
        try:
            w = float(val)
        except ValueError as e:
            raise UsageError(f"--weights {part!r}: {val.strip()!r} is not a number") from e
        if w != w or w in (float("inf"), float("-inf")):
            raise UsageError(f"--weights {part!r}: weight must be a finite number")
        if name in out:
            raise UsageError(f"--weights: {name!r} given twice")
        out[name] = w
    if not out:
        raise UsageError("--weights: empty (expected e.g. exposure=1,momentum=0.5)")
    return out
