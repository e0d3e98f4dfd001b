"""Every golden flow still produces its committed transcript, byte for byte.

A difference means a client could see the change. If it is intended, rebuild the files
with ``make golden`` and say in the commit which outputs changed and why.
"""

from __future__ import annotations

import difflib

import pytest

from .flows import FLOWS, TRANSCRIPTS, run_flow

pytestmark = [pytest.mark.e2e, pytest.mark.sdk]


@pytest.mark.parametrize("name", sorted(FLOWS))
def test_flow_matches_its_golden_transcript(name: str) -> None:
    expected = (TRANSCRIPTS / f"{name}.ndjson").read_text(encoding="utf-8")
    actual = run_flow(name)
    if actual != expected:
        diff = difflib.unified_diff(
            expected.splitlines(), actual.splitlines(), "golden", "now", n=1, lineterm=""
        )
        pytest.fail("\n".join(list(diff)[:80]), pytrace=False)


def test_a_changed_reply_is_caught() -> None:
    """The comparison sees a one-character change in one reply (so it can fail)."""
    expected = (TRANSCRIPTS / "hume_raw_errors.ndjson").read_text(encoding="utf-8")
    assert expected.replace("E0100", "E0199", 1) != expected
