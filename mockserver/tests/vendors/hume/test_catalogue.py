"""The Hume warning catalogue against Hume's published texts and the user docs' table."""

from __future__ import annotations

import re
from pathlib import Path

from mockserver.vendors.hume.errors import WARNINGS, model_warning

ROOT = Path(__file__).resolve().parents[4]

#: The "Warnings" table of Hume's streaming API docs (v0.3.0), as far as it is readable.
PUBLISHED = {
    "W0101": "No vocal bursts could be detected in the streamed media.",
    "W0102": "No facemeshes could be detected in the streamed media.",
    "W0103": "No faces could be",  # the readable copy ends here
}


def docs_warning_rows() -> dict[str, tuple[str, str, str]]:
    """``code -> (model, text, source)`` from the warning table of docs/hume.md."""
    text = (ROOT / "docs" / "hume.md").read_text(encoding="utf-8")
    section = text[text.index("## Warnings") :]
    section = section[: section.index("\n## ", 1)]
    rows = re.findall(r"^\| (W\d{4}) \| (\w+) \| ([^|]+) \| ([^|]+) \|$", section, re.M)
    return {code: (model, text.strip(), source.strip()) for code, model, text, source in rows}


def test_published_warnings_use_hume_s_texts() -> None:
    by_code = {entry.code: entry for entry in WARNINGS.values()}
    for code, published in PUBLISHED.items():
        assert by_code[code].template.startswith(published), code
        assert by_code[code].verified
    assert model_warning("face") == {
        "warning": "No faces could be detected in the streamed media.",
        "code": "W0103",
    }


def test_docs_table_matches_the_catalogue_and_marks_our_own_codes() -> None:
    rows = docs_warning_rows()
    assert rows == {
        entry.code: (model, entry.template, rows[entry.code][2])
        for model, entry in WARNINGS.items()
    }
    for model, entry in WARNINGS.items():
        source = rows[entry.code][2]
        if entry.verified:
            assert "this project" not in source, entry.code
        else:  # the table itself says the code is ours and what it may collide with
            assert "this project's code" in source and "real W010" in source, entry.code
            assert model in ("language", "prosody")
