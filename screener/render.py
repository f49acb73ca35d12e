"""Output formats, defined once: table (tabulate, CJK-aligned), csv, json, jsonl, parquet."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import polars as pl

from screener.errors import OutputError, UsageError

FORMATS = ("table", "csv", "json", "jsonl")
SUFFIX_FORMAT = {
    ".csv": "csv",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".parquet": "parquet",
    ".txt": "table",
    ".tsv": "csv",
}


def format_for(fmt: str | None, out: Path | None) -> str:
    if fmt is not None:
        if fmt not in FORMATS and not (fmt == "parquet" and out is not None):
            valid = ", ".join(FORMATS) + (
                ", parquet" if out is not None else " (parquet needs --out FILE)"
            )
            raise UsageError(f"--format {fmt!r}: expected one of {valid}")
        return fmt
    if out is not None:
        suffix = out.suffix.lower()
        if suffix not in SUFFIX_FORMAT:
            raise UsageError(
                f"--out {out}: cannot tell the format from {suffix or 'no suffix'!r}; use .csv, .json, .jsonl, .parquet or --format"
            )
        return SUFFIX_FORMAT[suffix]
    return "table"


def _cell(v: Any) -> Any:
    if v is None:
        return ""
    if isinstance(v, float):
        if math.isnan(v):
            return ""
        return f"{v:.4f}".rstrip("0").rstrip(".") if abs(v) < 1e6 else f"{v:,.0f}"
    if isinstance(v, list):
        return ",".join(str(x) for x in v)
    if isinstance(v, dict):
        return ", ".join(f"{k}={_cell(x)}" for k, x in v.items())
    return v


def _flat(df: pl.DataFrame) -> pl.DataFrame:
    """Lists become comma-joined text, maps/structs JSON, for CSV."""
    exprs = []
    for name, dtype in df.schema.items():
        if isinstance(dtype, pl.List):
            exprs.append(pl.col(name).list.eval(pl.element().cast(pl.String)).list.join(","))
        elif isinstance(dtype, pl.Struct | pl.Object):
            exprs.append(
                pl.col(name).map_elements(
                    lambda x: json.dumps(x, ensure_ascii=False, default=str), return_dtype=pl.String
                )
            )
        else:
            exprs.append(pl.col(name))
    return df.select(exprs)


def to_text(df: pl.DataFrame, fmt: str) -> str:
    if fmt == "csv":
        return _flat(df).write_csv()
    if fmt == "json":
        return json.dumps(df.to_dicts(), ensure_ascii=False, indent=2, default=_json_default) + "\n"
    if fmt == "jsonl":  # JSON Lines: one object a row
        return "".join(
            json.dumps(r, ensure_ascii=False, default=_json_default) + "\n" for r in df.to_dicts()
        )
    import tabulate

    tabulate.WIDE_CHARS_MODE = True  # wcwidth: a Chinese character is two columns
    rows = [[_cell(v) for v in r] for r in df.iter_rows()]
    return (
        tabulate.tabulate(rows, headers=df.columns, tablefmt="simple", disable_numparse=True) + "\n"
    )


def _json_default(v: Any) -> Any:
    if isinstance(v, date | datetime):
        return v.isoformat()
    return str(v)


def emit(df: pl.DataFrame, fmt: str | None = None, out: Path | None = None) -> str | None:
    """Render ``df``; write to ``out`` (returns None) or return the text for stdout."""
    f = format_for(fmt, out)
    if out is not None:
        write_file(
            out,
            lambda tmp: (
                df.write_parquet(tmp)
                if f == "parquet"
                else tmp.write_text(to_text(df, f), encoding="utf-8")
            ),
        )
        return None
    return to_text(df, f)


def write_file(out: Path, write: Callable[[Path], Any]) -> None:
    """Write ``out`` through a temporary file beside it and a rename, so a failed or
    interrupted write leaves the old file as it was. A database (by content or by its
    ``.duckdb`` name) is never a target; a symlink is followed, not replaced."""
    import os

    real = Path(os.path.realpath(out))
    if real.suffix.lower() in (".duckdb", ".wal", ".lock") or _is_duckdb(real):
        raise OutputError(f"--out {out}: is a database file; refusing to overwrite it")
    if real.is_dir():
        raise OutputError(f"--out {out}: is a folder (expected a file name)")
    tmp = real.with_name(f".{real.name}.tmp-{os.getpid()}")
    try:
        real.parent.mkdir(parents=True, exist_ok=True)
        write(tmp)
        os.replace(tmp, real)
    except OSError as e:
        raise OutputError(f"--out {out}: cannot write: {e.strerror or e}") from e
    except pl.exceptions.PolarsError as e:
        raise OutputError(f"--out {out}: cannot write: {str(e).splitlines()[0]}") from e
    finally:
        tmp.unlink(missing_ok=True)


def _is_duckdb(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            return fh.read(12)[8:12] == b"DUCK"
    except OSError:
        return False


def json_text(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=2, default=_json_default) + "\n"
