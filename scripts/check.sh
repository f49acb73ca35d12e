#!/usr/bin/env bash
# Every standing check in one place: lint, format, types, tests.
set -euo pipefail
cd "$(dirname "$0")/.."
uv run ruff check .
uv run ruff format --check .
uv run mypy screener
uv run pytest "$@"
