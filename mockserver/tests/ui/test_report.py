"""The HTML report of a journal: content, self-containment, determinism, and the command."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from mockserver.cli import main
from mockserver.journal import Journal, JournalEntry
from mockserver.report import render_report, write_report
from mockserver.resources import fixture_path
from mockserver.ui import read_asset

SAMPLE = fixture_path("journals/sample-session.ndjson")

#: URL-like strings a report may contain: the SVG namespace, an identifier the browser never
#: fetches (``document.createElementNS``).
ALLOWED_URLS = {"http://www.w3.org/2000/svg"}


class _Elements(HTMLParser):
    """Every start tag with its attributes, and the text of script and style elements."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.texts: dict[str, list[str]] = {"script": [], "style": []}
        self._open: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._open = tag if tag in self.texts else None

    def handle_endtag(self, tag: str) -> None:
        self._open = None

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self.texts[self._open].append(data)


def parse(page: str) -> _Elements:
    parser = _Elements()
    parser.feed(page)
    parser.close()
    return parser


def report_data(page: str) -> dict[str, Any]:
    match = re.search(
        r'<script type="application/json" id="mockserver-report">(.*?)</script>', page, re.S
    )
    assert match, "no embedded journal"
    data: dict[str, Any] = json.loads(match.group(1))
    return data


def external_references(page: str) -> list[str]:
    """What in a page could make a browser fetch something: absolute URLs anywhere (but the
    allowed identifiers), and ``src``/``href``/``action`` attributes, CSS ``url()`` and
    ``@import`` that point anywhere but at inline ``data:`` or a fragment."""
    found = [
        url
        for url in re.findall(r"(?i)\b[a-z][a-z0-9+.-]*://[^\s\"'<>)\\]*", page)
        if url not in ALLOWED_URLS
    ]
    found += re.findall(r"(?i)//[a-z0-9-]+\.[a-z0-9.-]+/", page.replace("://", ":"))
    for tag, attrs in parse(page).tags:
        for name in ("src", "href", "action", "srcset", "poster", "data"):
            value = attrs.get(name)
            if value is not None and not value.startswith(("data:", "#")):
                found.append(f"<{tag} {name}={value!r}>")
    found += re.findall(r"(?i)url\(\s*['\"]?(?!data:|#)[^)]*\)|@import", page)
    return found


def csp_hash(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()


@pytest.fixture(scope="module")
def sample() -> Journal:
    return Journal.read_ndjson(SAMPLE)


def test_the_report_holds_the_journal_and_the_dashboard_code(sample: Journal) -> None:
    page = render_report(sample, title="sample <run> & co", highlight={21: "no retry"})
    data = report_data(page)
    assert data["title"] == "sample <run> & co"
    assert data["entries"] == [entry.to_json() for entry in sample.entries()]
    assert data["highlight"] == {"21": "no retry"}
    assert "<title>sample &lt;run&gt; &amp; co</title>" in page
    elements = parse(page)
    assert elements.texts["style"] == [read_asset("app.css")]
    assert read_asset("app.js") in elements.texts["script"]  # the dashboard's code, as is
    assert ("link", {"rel": "stylesheet", "href": "/ui/app.css"}) not in elements.tags
    # What the fixed journal holds, as the report's views will show it.
    connections = {entry["connection"] for entry in data["entries"]}
    assert {"hume-ws-1", "hume-ws-2", "hume-ws-3", "behavioral-grpc-1", "behavioral-grpc-2"} <= (
        connections
    )
    faults = {(e["connection"], e["fault"]) for e in data["entries"] if "fault" in e}
    assert faults == {
        ("hume-ws-3", "close-after-first-reply"),
        ("behavioral-grpc-2", "abort-second-stream"),
    }
    hume_out = [e["data"] for e in data["entries"] if e["connection"] == "hume-ws-1"
                and e["direction"] == "out" and e["kind"] == "text"]  # fmt: skip
    assert {model for reply in hume_out for model in reply} >= {"language", "prosody", "face"}
    levels = {row["level"] for e in data["entries"] if e["connection"] == "behavioral-grpc-1"
              and e["direction"] == "out" and e["kind"] == "message"
              for row in e["data"]["result"]}  # fmt: skip
    assert levels == {"segment", "utterance"}


def test_the_report_is_self_contained(sample: Journal) -> None:
    page = render_report(sample, highlight={1: "x"})
    assert external_references(page) == []
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page)
    assert policy is not None
    directives = dict(d.strip().split(" ", 1) for d in policy.group(1).split(";"))
    assert directives["default-src"] == "'none'"  # no fetch, no image, no font, no frame
    elements = parse(page)
    (style,) = elements.texts["style"]
    code = next(s for s in elements.texts["script"] if "use strict" in s)
    assert directives["script-src"] == f"'{csp_hash(code)}'"  # only the inlined code runs
    assert directives["style-src"] == f"'{csp_hash(style)}'"


@pytest.mark.parametrize(
    "addition",
    [
        '<img src="https://cdn.example.com/x.png">',
        '<link rel="stylesheet" href="//fonts.example.com/css">',
        "<style>@import 'theme.css';</style>",
        "<style>body { background: url(bg.png) }</style>",
        "<script src=app2.js></script>",
        "fetch('http://192.0.2.1:8790/journal')",
    ],
)
def test_the_self_containment_check_catches_an_added_reference(
    sample: Journal, addition: str
) -> None:
    page = render_report(sample)
    assert external_references(page.replace("</body>", addition + "</body>")) != []


def test_journal_data_cannot_close_the_script_element() -> None:
    journal = Journal.from_ndjson(SAMPLE.read_text(encoding="utf-8"))
    hostile = journal.record(
        vendor="hume", transport="websocket", connection="hume-ws-9", direction="in",
        kind="text", data={"data": "</script><script>alert(1)</script><!--"},
    )  # fmt: skip
    page = render_report(journal)
    assert "</script><script>alert(1)" not in page
    entries = report_data(page)["entries"]
    assert entries[-1]["data"] == hostile.data
    assert len(parse(page).texts["script"]) == 2  # the data and the code, nothing injected


def test_the_same_journal_gives_the_same_bytes_whatever_its_form(sample: Journal) -> None:
    from_journal = render_report(sample, title="t", highlight={3: "a", 1: "b"})
    entries = sample.entries()
    assert render_report(entries, title="t", highlight={1: "b", 3: "a"}) == from_journal
    lines = [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines()]
    assert render_report(lines, title="t", highlight={1: "b", 3: "a"}) == from_journal
    assert render_report(entries, title="other") != from_journal
    with pytest.raises(ValueError, match="not a journal entry"):
        render_report([{"seq": 1}])


def test_write_report(sample: Journal, tmp_path: Path) -> None:
    path = write_report(sample, tmp_path / "r.html", title="x")
    assert path.read_text(encoding="utf-8") == render_report(sample, title="x")


def test_an_empty_journal_still_gives_a_page() -> None:
    data = report_data(render_report([]))
    assert data == {"title": "journal report", "entries": [], "highlight": {}}


# -- mockserver journal report -------------------------------------------------------------


def test_the_command_writes_the_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "run.ndjson"
    source.write_bytes(SAMPLE.read_bytes())
    assert main(["journal", "report", str(source), "-o", str(tmp_path / "out.html")]) == 0
    page = (tmp_path / "out.html").read_text(encoding="utf-8")
    assert report_data(page)["title"] == "run.ndjson"
    assert len(report_data(page)["entries"]) == len(Journal.read_ndjson(SAMPLE))
    assert capsys.readouterr().out.strip() == f"{tmp_path / 'out.html'}: 92 entries"
    assert main(["journal", "report", str(source), "--title", "Nightly"]) == 0  # default path
    assert report_data((tmp_path / "run.html").read_text(encoding="utf-8"))["title"] == "Nightly"


def test_the_command_explains_a_bad_journal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["journal", "report", str(tmp_path / "missing.ndjson")]) == 2
    assert "cannot read" in capsys.readouterr().err
    bad = tmp_path / "bad.ndjson"
    first = SAMPLE.read_text(encoding="utf-8").splitlines()[0]
    bad.write_text(first + "\n{not json\n", encoding="utf-8")
    assert main(["journal", "report", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "line 2: not JSON" in err and not (tmp_path / "bad.html").exists()
    invalid = tmp_path / "invalid.ndjson"
    invalid.write_text(json.dumps({"seq": 0, "kind": "text"}) + "\n", encoding="utf-8")
    assert main(["journal", "report", str(invalid)]) == 2
    assert "line 1: invalid journal entry" in capsys.readouterr().err


def test_entries_are_normalised_like_journal_entries() -> None:
    entry = JournalEntry(
        seq=1, t=0.5, wall="2026-01-01T00:00:00Z", vendor="hume", transport="websocket",
        connection="hume-ws-1", direction="in", kind="text", data={"a": 1},
    )  # fmt: skip
    raw = dict(entry.to_json(), extra="dropped")
    assert report_data(render_report([raw]))["entries"] == [entry.to_json()]
