"""One self-contained HTML page of a journal: the dashboard's views, working offline.

:func:`render_report` inlines the dashboard's page, script and style sheet
(``mockserver/ui/static/``) and the journal's entries into one HTML file that opens from
``file://`` with no server and no network: the sessions, each session's timeline with
its frames' JSON, and the emotion charts. A Content-Security-Policy in the page forbids
every request (only the inlined script and style, identified by their SHA-256, may run).

``mockserver journal report FILE.ndjson -o report.html`` calls it, the pytest plugin
writes one next to the journal of a failed test (``--mockserver-journal-dir``), and other
tools can make per-run pages with it, marking entries as violations::

    from mockserver.report import write_report

    write_report(server.journal, "run.html", title="certify hume",
                 highlight={12: "reply without payload_id"})

The output depends only on the arguments: the same journal gives the same bytes.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from mockserver.journal import Journal, JournalEntry
from mockserver.ui import read_asset
from mockserver.version import __version__

__all__ = ["render_report", "write_report"]

_DEFAULT_TITLE = "journal report"
_STYLE = re.compile(r"<!--mockserver:style-->.*?<!--/mockserver:style-->", re.S)
_SCRIPT = re.compile(r"<!--mockserver:script-->.*?<!--/mockserver:script-->", re.S)
_TITLE = re.compile(r"<title>.*?</title>", re.S)
_HEAD = "<!--mockserver:head-->"
_DATA = "<!--mockserver:data-->"


def render_report(
    source: Journal | Iterable[JournalEntry | Mapping[str, Any]],
    *,
    title: str | None = None,
    highlight: Mapping[int, str] | None = None,
) -> str:
    """The HTML report of a journal.

    Args:
        source: A :class:`~mockserver.journal.Journal`, or its entries as
            :class:`~mockserver.journal.JournalEntry` objects or as parsed NDJSON lines.
        title: Shown as the page's title and heading (default "journal report").
        highlight: Journal ``seq`` -> message: entries to mark as violations. They are
            listed under a "Violations" tab, marked on the timeline, and the first one is
            selected when the page opens. A ``seq`` absent from the journal is listed as
            such.

    Returns:
        One HTML document with everything inlined (UTF-8 text).

    Raises:
        ValueError: A mapping in ``source`` is not a journal entry.
    """
    items = source.entries() if isinstance(source, Journal) else source
    entries = [_entry_json(item) for item in items]
    shown_title = title or _DEFAULT_TITLE
    data = {
        "title": shown_title,
        "entries": entries,
        "highlight": {str(seq): str(message) for seq, message in sorted((highlight or {}).items())},
    }
    script = _inline_safe(read_asset("app.js"), "script")
    style = _inline_safe(read_asset("app.css"), "style")
    policy = (
        "default-src 'none'; "
        f"script-src '{_sha256(script)}'; style-src '{_sha256(style)}'; "
        "img-src data:; base-uri 'none'; form-action 'none'"
    )
    head = (
        f'<meta http-equiv="Content-Security-Policy" content="{policy}">\n'
        f'<meta name="generator" content="affect-mockserver {html.escape(__version__)}">'
    )
    page = read_asset("index.html")
    page = page.replace(_HEAD, head, 1)
    page = _TITLE.sub(lambda _: f"<title>{html.escape(shown_title)}</title>", page, count=1)
    page = _STYLE.sub(lambda _: f"<style>{style}</style>", page, count=1)
    page = page.replace(
        _DATA,
        f'<script type="application/json" id="mockserver-report">{_json_for_html(data)}</script>',
        1,
    )
    return _SCRIPT.sub(lambda _: f"<script>{script}</script>", page, count=1)


def write_report(
    source: Journal | Iterable[JournalEntry | Mapping[str, Any]],
    path: str | Path,
    *,
    title: str | None = None,
    highlight: Mapping[int, str] | None = None,
) -> Path:
    """Write :func:`render_report` to ``path`` (UTF-8) and return the path."""
    target = Path(path)
    target.write_text(render_report(source, title=title, highlight=highlight), encoding="utf-8")
    return target


def _entry_json(item: JournalEntry | Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(item, JournalEntry):
        return item.to_json()
    try:
        return JournalEntry.from_json(item).to_json()
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"not a journal entry: {exc!r}") from None


def _json_for_html(data: Any) -> str:
    """JSON that cannot end its ``<script>`` element: every ``<`` is escaped as ``\\u003c``."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c")


def _inline_safe(text: str, element: str) -> str:
    """An asset's text, checked not to close the element it is inlined into."""
    if f"</{element}" in text.lower():
        raise ValueError(f"a dashboard asset contains '</{element}' and cannot be inlined")
    return text


def _sha256(text: str) -> str:
    """A CSP hash source (https://www.w3.org/TR/CSP3/#grammardef-hash-source)."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "sha256-" + base64.b64encode(digest).decode("ascii")
