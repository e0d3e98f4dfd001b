"""Rewrite README.md's configuration reference from the settings (``make readme``).

``mockserver/tests/test_docs.py`` fails when the table in README.md is stale.
"""

from __future__ import annotations

from pathlib import Path

from mockserver.config import all_settings
from mockserver.settings import markdown_table

README = Path(__file__).resolve().parents[1] / "README.md"
HEADER = "| flag | environment variable | default | meaning |"


def main() -> None:
    lines = README.read_text(encoding="utf-8").split("\n")
    start = lines.index(HEADER)
    end = start
    while end < len(lines) and lines[end].startswith("|"):
        end += 1
    lines[start:end] = markdown_table(all_settings()).split("\n")
    README.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {README.name}: {end - start} table lines replaced")


if __name__ == "__main__":
    main()
