"""Statuses in docs/fidelity.md that a public source settles (beyond test_docs' name check)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def rows() -> dict[str, tuple[str, str, str, str]]:
    """``behaviour -> (our choice, status, source, test)`` of every five-column table row."""
    out: dict[str, tuple[str, str, str, str]] = {}
    for line in (ROOT / "docs" / "fidelity.md").read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split(" | ")]
        if line.startswith("| ") and len(cells) == 5 and cells[0] not in ("behaviour", "fault"):
            out[cells[0]] = (cells[1], cells[2], cells[3], cells[4])
    return out


def test_the_record_parses() -> None:
    assert len(rows()) > 100


def test_what_hume_s_websocket_guide_states_is_verified_from_it() -> None:
    """https://dev.hume.ai/docs/expression-measurement/websocket (key S24) states the "in a
    row" error limit, the 5000 ms video limit, the 50/s handshake rate and the idle minute."""
    record = rows()
    for behaviour, quote in (
        ("Ten identical errors", "in a row"),
        ("Video over 5000 ms", "5000 milliseconds"),
        ("Handshake rate limit", "fifty (50) requests per second"),
        ("Inactivity timeout", "one (1) minute of inactivity"),
    ):
        _, status, source, _ = record[behaviour]
        verified = status.split(" / INFERRED")[0]
        assert verified.startswith("VERIFIED") and quote in verified, behaviour
        assert "3rd-party" not in verified, behaviour
        assert "S24" in source.split(", "), behaviour
    assert "consecutive" not in record["Ten identical errors"][1].split("INFERRED")[-1]


def test_refused_upgrade_bodies_are_marked_as_this_project_s_choice() -> None:
    record = rows()
    for behaviour in ("Bad key", "Handshake 401/429/500"):
        choice, status, _, _ = record[behaviour]
        assert "fault" in choice
        assert "INFERRED: the body is this project's choice" in status, behaviour
        assert "VERIFIED 3rd-party" not in status, behaviour
