"""docs/contract.md gives every obligation (and check) its source quote and how it is
checked; docs/howto-certify.md and the command agree."""

from __future__ import annotations

from pathlib import Path

from mockserver.cli import command_parser
from mockserver.contract.conformance import conformance_kit
from mockserver.contract.kits import CERTIFY_KITS, CONFORMANCE_KITS, certify_kit

DOCS = Path(__file__).resolve().parents[3] / "docs"


def test_every_obligation_is_documented_with_its_source_and_check() -> None:
    text = (DOCS / "contract.md").read_text(encoding="utf-8")
    for name in CERTIFY_KITS:
        kit = certify_kit(name)
        for obligation in kit.obligations:
            assert f"#### `{obligation.id}`" in text, obligation.id
            assert obligation.quote in text, obligation.id
            assert obligation.how in text, obligation.id
        for kind in (*kit.valid, *kit.faults):
            assert f"| `{kind.name}` | {kind.family} | {kind.doc} |" in text, kind.name


def test_every_certify_option_is_in_the_howto() -> None:
    text = (DOCS / "howto-certify.md").read_text(encoding="utf-8")
    parser = command_parser("certify")
    options = [o for a in parser._actions for o in a.option_strings if o.startswith("--")]
    assert [o for o in options if f"`{o}" not in text and o != "--help"] == []


def test_every_check_is_documented_with_its_source_and_check() -> None:
    text = (DOCS / "contract.md").read_text(encoding="utf-8")
    for name in CONFORMANCE_KITS:
        for check in conformance_kit(name).checks:
            assert f"#### `{check.id}`" in text, check.id
            assert check.quote in text and check.how in text, check.id
