"""The pytest plugin writes an HTML report next to the journal of a failed test."""

from __future__ import annotations

import json
import re

import pytest

from mockserver.journal import Journal
from mockserver.tests.conftest import PYTESTER_INI

pytest_plugins = ["pytester"]

TESTS = """
import json

from websockets.sync.client import connect


def exchange(mock_hume):
    with connect(mock_hume.url, additional_headers=mock_hume.headers) as ws:
        ws.send(json.dumps({"models": {"language": {}}, "raw_text": True, "data": "Hi there"}))
        return json.loads(ws.recv(timeout=30))


def test_fails(mock_hume, mockserver_journal):
    exchange(mock_hume)
    mockserver_journal.assert_received({"language": {"predictions": []}})


def test_passes(mock_hume):
    exchange(mock_hume)
"""


def test_a_failed_test_gets_an_html_report_next_to_its_journal(pytester: pytest.Pytester) -> None:
    pytester.makeini(PYTESTER_INI)
    pytester.makepyfile(test_inner=TESTS)
    result = pytester.runpytest_subprocess("--mockserver-journal-dir", "journals", "-rA")
    result.assert_outcomes(passed=1, failed=1)
    folder = pytester.path / "journals"
    assert sorted(p.name for p in folder.iterdir()) == [
        "test_inner.py_test_fails.html",
        "test_inner.py_test_fails.ndjson",
    ]
    result.stdout.fnmatch_lines(
        [
            "*mockserver journal*",
            "written to *test_inner.py_test_fails.ndjson",
            "HTML report: *test_inner.py_test_fails.html",
        ]
    )
    page = (folder / "test_inner.py_test_fails.html").read_text(encoding="utf-8")
    match = re.search(r'id="mockserver-report">(.*?)</script>', page, re.S)
    assert match is not None
    data = json.loads(match.group(1))
    journal = Journal.read_ndjson(folder / "test_inner.py_test_fails.ndjson")
    assert data["title"] == "test_inner.py::test_fails"
    assert data["entries"] == [entry.to_json() for entry in journal.entries()]
    assert {e["kind"] for e in data["entries"]} >= {"handshake", "text"}
    assert "mock-hume-key" not in page
