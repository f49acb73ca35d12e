"""Regenerate data/corpus/{documents,mentions,links,capex}.csv from the seed documents.

Run: uv run python scripts/make_corpus.py [SEEDS_DIR]

The files hold facts only (offsets, names, figures, short evidence spans); the seed text
stays in ../shared/seeds. tests/test_corpus.py checks these files equal a fresh extraction.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from screener.corpus import CORPUS_DIR, extract_seeds, write_corpus  # noqa: E402
from screener.reference import load  # noqa: E402

if __name__ == "__main__":
    seeds = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "seeds"
    out = extract_seeds(seeds, load())
    write_corpus(out, CORPUS_DIR)
    print({k: v.height for k, v in out.items()})
