"""Re-run every `$ uv run screener ...` command shown in README.md, in order, in a scratch
folder, and write their real output back under each command (stdout and stderr, in order).

Run: uv run python scripts/readme_outputs.py [--check]

With --check it only reports the commands whose output differs (recency moves scores day by
day, so a difference in scores alone is expected over time).
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(check: bool) -> int:
    readme = ROOT / "README.md"
    lines = readme.read_text(encoding="utf-8").split("\n")
    work = Path(tempfile.mkdtemp(prefix="screener-readme-"))
    shutil.copytree(ROOT / "tests" / "data", work / "tests" / "data")
    env = {k: v for k, v in os.environ.items() if k != "SCREENER_DB"}
    out: list[str] = []
    changed = []
    i = 0
    while i < len(lines):
        line = lines[i]
        out.append(line)
        i += 1
        if not line.startswith("$ uv run screener "):
            continue
        args = shlex.split(line[len("$ uv run screener ") :])
        r = subprocess.run(
            [sys.executable, "-u", "-m", "screener", *args],
            cwd=work,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,  # as a terminal shows them, in the order written
            text=True,
        )
        new = r.stdout.rstrip("\n").split("\n") if r.stdout.strip() else []
        old = []
        while i < len(lines) and not lines[i].startswith("$ ") and lines[i] != "```":
            old.append(lines[i])
            i += 1
        if old != new:
            changed.append(line)
        out.extend(new)
    shutil.rmtree(work, ignore_errors=True)
    for c in changed:
        print(f"changed: {c}", file=sys.stderr)
    if not check:
        readme.write_text("\n".join(out), encoding="utf-8")
    return 1 if check and changed else 0


if __name__ == "__main__":
    sys.exit(main("--check" in sys.argv))
