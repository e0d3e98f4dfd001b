"""Scripted expectations, checked against the journal (issue "scenarios": "the client sent
exactly one message with models.language", "no more than N handshakes").

Each expectation counts journal entries of one kind (``what``), filtered by ``where``, and
compares the count with ``exactly`` / ``at_least`` / ``at_most``. The pytest plugin calls
``MockServer.unmet_expectations()`` at teardown and fails the test with the messages.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable, Mapping
from typing import Any

from mockserver.journal import Journal, JournalEntry

from .model import Expectation

__all__ = ["count", "describe_count", "unmet_message"]


def _data(entry: JournalEntry) -> dict[str, Any]:
    return entry.data if isinstance(entry.data, dict) else {}


def _message_text(data: Mapping[str, Any]) -> str | None:
    payload = data.get("data")
    if not isinstance(payload, str):
        return None
    if data.get("raw_text") is True:
        return payload
    try:
        return base64.b64decode(payload, validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return None


def _handshakes(journal: Journal, where: Mapping[str, Any]) -> list[JournalEntry]:
    entries = journal.entries(vendor="hume", kind="handshake", direction="in")
    if "accepted" in where:
        accepted = {
            e.connection
            for e in journal.entries(vendor="hume", kind="handshake", direction="out")
            if e.code == 101
        }
        entries = [e for e in entries if (e.connection in accepted) == where["accepted"]]
    return entries


def _hume_messages(journal: Journal, where: Mapping[str, Any]) -> list[JournalEntry]:
    entries = [
        e for e in journal.entries(vendor="hume", direction="in") if e.kind in ("text", "binary")
    ]
    pattern = re.compile(where["text"]) if "text" in where else None

    def keep(entry: JournalEntry) -> bool:
        data = _data(entry)
        models = data.get("models")
        if "model" in where and not (isinstance(models, dict) and where["model"] in models):
            return False
        if "payload_id" in where and data.get("payload_id") != where["payload_id"]:
            return False
        if pattern is not None:
            text = _message_text(data)
            if text is None or pattern.search(text) is None:
                return False
        return True

    return [e for e in entries if keep(e)]


def _hume_responses(journal: Journal, where: Mapping[str, Any]) -> list[JournalEntry]:
    def kind(data: Mapping[str, Any]) -> str:
        return "error" if "error" in data else "warning" if "warning" in data else "predictions"

    return [
        e
        for e in journal.entries(vendor="hume", direction="out", kind="text")
        if ("type" not in where or kind(_data(e)) == where["type"])
        and ("code" not in where or _data(e).get("code") == where["code"])
        and ("payload_id" not in where or _data(e).get("payload_id") == where["payload_id"])
    ]


def _streams(journal: Journal, where: Mapping[str, Any]) -> list[JournalEntry]:
    entries = journal.entries(vendor="behavioral", transport="grpc", kind="call", direction="in")
    if "method" in where:
        suffix = "/" + where["method"]
        entries = [e for e in entries if str(_data(e).get("method", "")).endswith(suffix)]
    return entries


def _requests(journal: Journal, where: Mapping[str, Any]) -> list[JournalEntry]:
    pattern = re.compile(where["path"]) if "path" in where else None
    return [
        e
        for e in journal.entries(
            vendor="behavioral", transport="http", kind="request", direction="in"
        )
        if ("method" not in where or str(_data(e).get("method", "")).upper() == where["method"])
        and (pattern is None or pattern.search(str(_data(e).get("path", ""))) is not None)
    ]


_COUNTERS: dict[str, Callable[[Journal, Mapping[str, Any]], list[JournalEntry]]] = {
    "hume.handshakes": _handshakes,
    "hume.messages": _hume_messages,
    "hume.responses": _hume_responses,
    "behavioral.streams": _streams,
    "behavioral.requests": _requests,
}


def count(expectation: Expectation, journal: Journal) -> int:
    """How many journal entries the expectation counts."""
    return len(_COUNTERS[expectation.what](journal, expectation.where))


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


def unmet_message(expectation: Expectation, journal: Journal, *, where: str) -> str | None:
    """The failure message if the journal does not satisfy ``expectation``, else None.

    Args:
        expectation: The expectation.
        journal: The server's journal (since the last reset).
        where: Names the expectation, e.g. ``scenario 'x', expect[0]``.
    """
    got = count(expectation, journal)
    ok = (
        (expectation.exactly is None or got == expectation.exactly)
        and (expectation.at_least is None or got >= expectation.at_least)
        and (expectation.at_most is None or got <= expectation.at_most)
    )
    if ok:
        return None
    title = f" ({expectation.name})" if expectation.name else ""
    return f"{where}{title}: expected {describe_count(expectation)}, got {got}"
