"""Scripted expectations, checked against the journal ("the client sent exactly one
message with models.language", "no more than N handshakes").

Each expectation counts the journal entries its vendor's expectation kind selects
(``what``), filtered by ``where``, and compares the count with ``exactly`` / ``at_least``
/ ``at_most``. The pytest plugin calls ``MockServer.unmet_expectations()`` at teardown
and fails the test with the messages.
"""

from __future__ import annotations

from typing import Any

from mockserver.journal import Journal

from .model import Expectation
from .part import ExpectationKind

__all__ = ["describe_count", "unmet_message"]


def describe_count(expectation: Expectation) -> str:
    """E.g. ``exactly 1 hume.messages where model='language'``."""
    parts = []
    if expectation.exactly is not None:
        parts.append(f"exactly {expectation.exactly}")
    if expectation.at_least is not None:
        parts.append(f"at least {expectation.at_least}")
    if expectation.at_most is not None:
        parts.append(f"at most {expectation.at_most}")
    text = f"{' and '.join(parts)} {expectation.what}"
    if expectation.where:
        text += " where " + ", ".join(f"{k}={v!r}" for k, v in expectation.where.items())
    return text


def unmet_message(
    expectation: Expectation,
    kind: ExpectationKind,
    journal: Journal,
    settings: Any,
    *,
    where: str,
) -> str | None:
    """The failure message if the journal does not satisfy ``expectation``, else None.

    Args:
        expectation: The expectation.
        kind: Its vendor's expectation kind (what it counts).
        journal: The server's journal (since the last reset).
        settings: The vendor's settings (or None).
        where: Names the expectation, e.g. ``scenario 'x', expect[0]``.
    """
    got = len(kind.count(journal, expectation.where, settings))
    ok = (
        (expectation.exactly is None or got == expectation.exactly)
        and (expectation.at_least is None or got >= expectation.at_least)
        and (expectation.at_most is None or got <= expectation.at_most)
    )
    if ok:
        return None
    title = f" ({expectation.name})" if expectation.name else ""
    return f"{where}{title}: expected {describe_count(expectation)}, got {got}"
