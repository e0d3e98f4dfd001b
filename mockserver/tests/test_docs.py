"""The README's configuration reference matches the settings table exactly."""

from __future__ import annotations

import re
from pathlib import Path

from mockserver.config import all_settings
from mockserver.settings import markdown_table

ROOT = Path(__file__).resolve().parents[2]


def test_readme_configuration_reference_is_current() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert markdown_table(all_settings()) in readme, "regenerate with make readme"


def test_readme_gives_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make serve" in readme and "make test" in readme
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_every_test_named_in_the_fidelity_record_exists() -> None:

    text = (ROOT / "docs" / "fidelity.md").read_text(encoding="utf-8")
    names = re.findall(r"`([\w/]+\.py)::(\w+)`", text)
    assert names, "no tests referenced"
    missing = [
        f"{path}::{name}"
        for path, name in names
        if not re.search(rf"def {name}\(", (ROOT / path).read_text(encoding="utf-8"))
    ]
    assert not missing, missing
