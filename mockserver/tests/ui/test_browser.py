"""The dashboard and the report in a real browser: Debian's chromium driven by Playwright.

Few tests, each doing a lot: one browser per module (per xdist worker), one page per test.
Every request the browser makes is recorded, and each test checks that none went to a
host other than loopback (the dashboard) or anywhere at all (the report from file://), and
that the page logged no error. Screenshots go to the test's temporary directory.

Skipped only when ``/usr/bin/chromium`` is absent (``apt-get install chromium``); under
``CI=true`` that is a failure instead, since ``.ci/run`` installs it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import websockets
from behavioralsignals import Client, StreamingOptions
from behavioralsignals.utils import make_audio_stream
from hume import HumeClient
from hume.expression_measurement.stream import Config, StreamFace, StreamLanguage
from playwright.sync_api import expect, sync_playwright

from mockserver.journal import Journal, JournalEntry
from mockserver.redirect import behavioral_signals_redirect
from mockserver.report import write_report
from mockserver.resources import fixture_path
from mockserver.server import MockServer

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
pytestmark = pytest.mark.browser

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
TOKEN = "browser-token"
WAIT_MS = 15_000  # upper bound on waiting for the page to show something
COMPACT: dict[str, Any] = {"separators": (",", ":")}  # JSON.stringify\'s spacing


class Recorder:
    """What the browser did: every request's URL, and console or page errors."""

    def __init__(self) -> None:
        self.urls: list[str] = []
        self.errors: list[str] = []

    def hosts(self) -> set[str]:
        return {urlsplit(url).hostname or "" for url in self.urls if urlsplit(url).hostname}


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is not installed (Debian: apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(message + "; .ci/run should have installed it")
        pytest.skip(message)

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 800},
            color_scheme="light",
        )
        try:
            yield context
        finally:
            context.close()


@pytest.fixture
def page(browser: Any) -> Iterator[tuple[Any, Recorder]]:
    recorder = Recorder()
    page = browser.new_page()
    page.set_default_timeout(WAIT_MS)

    def on_request(request: Any) -> None:
        recorder.urls.append(request.url)

    def on_console(message: Any) -> None:
        if message.type == "error":
            recorder.errors.append(message.text)

    browser.on("request", on_request)
    page.on("console", on_console)
    page.on("pageerror", lambda error: recorder.errors.append(str(error)))
    try:
        yield page, recorder
    finally:
        browser.remove_listener("request", on_request)
        page.close()


def top_emotions(journal: Journal, connection: str, model: str, n: int = 5) -> list[str]:
    """The dashboard's ranking: the n emotions with the highest score anywhere (ties: name)."""
    best: dict[str, float] = {}
    for entry in journal.entries(connection=connection, direction="out", kind="text"):
        block = entry.data.get(model) if isinstance(entry.data, dict) else None
        for prediction in (block or {}).get("predictions", []):
            for emotion in prediction["emotions"]:
                name, score = emotion["name"], emotion["score"]
                best[name] = max(score, best.get(name, score))
    return [name for name, _ in sorted(best.items(), key=lambda item: (-item[1], item[0]))][:n]


def figure_series(page: Any, selector: str) -> list[str]:
    series: list[str] = json.loads(page.get_attribute(selector, "data-series"))
    drawn = page.eval_on_selector_all(
        selector + " path.series", "paths => paths.map(p => p.dataset.series)"
    )
    assert drawn == series  # one line per series, in legend order
    return series


def row_cells(page: Any, connection: str) -> list[str]:
    cells: list[str] = page.eval_on_selector_all(
        f"#sessions tbody tr[data-conn='{connection}'] td", "cells => cells.map(c => c.innerText)"
    )
    return cells


def test_the_dashboard_follows_live_sessions_and_injects_a_fault(
    page: tuple[Any, Recorder], tmp_path: Path
) -> None:

    tab, recorder = page
    media = fixture_path("media")
    with MockServer(seed=3, admin_token=TOKEN, hume={"handshake_rate_limit": 0}) as server:
        tab.goto(server.admin.url + "/ui")
        tab.wait_for_selector("#status:has-text('admin token required')")
        assert tab.evaluate("document.activeElement.id") == "token"
        tab.keyboard.type(TOKEN)
        tab.keyboard.press("Enter")
        tab.wait_for_selector("#status:has-text('live')")

        # Traffic while the page watches: a Hume SDK session and a Behavioral Signals stream.
        hume = HumeClient(api_key=server.hume.api_key, base_url=server.hume.base_url)
        with hume.expression_measurement.stream.connect() as socket:
            socket.send_text(
                "I am delighted to see you. This is awful.",
                config=Config(language=StreamLanguage()),
            )
            socket.send_file(str(media / "speech_16k.wav"), config=Config(prosody={}))
            socket.send_file(str(media / "face.png"), config=Config(face=StreamFace()))
        with behavioral_signals_redirect(server.behavioral):
            client = Client(cid=server.behavioral.cid, api_key=server.behavioral.token)
            audio, rate = make_audio_stream(str(media / "speech_pauses_16k.wav"), chunk_size=0.5)
            options = StreamingOptions(sample_rate=rate, encoding="LINEAR_PCM", level="all")
            results = list(client.behavioral.stream_audio(audio_stream=audio, options=options))
            client.close()
        assert results
        journal = server.journal
        journal.wait_for(kind="close", connection="hume-ws-1")
        journal.wait_for(kind="status", connection="behavioral-grpc-1")

        # Sessions: vendor, id, client, age, messages in and out, state.
        tab.wait_for_selector("#sessions tbody tr[data-conn='behavioral-grpc-1'] td:has-text('OK')")
        tab.wait_for_selector("#sessions tbody tr[data-conn='hume-ws-1'] td:has-text('closed')")
        vendor, conn, _client, age, sent, received, state = row_cells(tab, "hume-ws-1")
        assert (vendor, conn, state) == ("hume", "hume-ws-1", "closed 1000")
        assert age.endswith(" s")
        assert int(sent) == journal.count(connection="hume-ws-1", direction="in", kind="text") == 3
        assert int(received) == journal.count(connection="hume-ws-1", direction="out", kind="text")
        cells = row_cells(tab, "behavioral-grpc-1")
        assert cells[0] == "behavioral" and cells[-1] == "status OK"
        sent_audio = journal.count(connection="behavioral-grpc-1", direction="in", kind="message")
        assert int(cells[4]) == sent_audio
        assert int(cells[5]) == len(results)

        # The timeline of hume-ws-1: every frame, and a frame's JSON on click.
        tab.click("#sessions tbody tr[data-conn='hume-ws-1']")
        frames = journal.entries(connection="hume-ws-1")
        tab.wait_for_selector(f"#frames .frame[data-seq='{frames[-1].seq}']")
        shown = tab.eval_on_selector_all(
            "#frames .frame:not([hidden])", "rows => rows.map(r => Number(r.dataset.seq))"
        )
        assert shown == [entry.seq for entry in frames]
        assert tab.locator("#strip svg line[class^='tick-']").count() == len(frames)
        reply = journal.find({"language": dict}, connection="hume-ws-1")[0]
        tab.click(f"#frames .frame[data-seq='{reply.seq}']")
        assert json.loads(tab.inner_text("#detail-json")) == reply.to_json()
        assert tab.inner_text(f"#frames .frame[data-seq='{reply.seq}'] .kind") == "text"
        tab.screenshot(path=str(tmp_path / "timeline.png"))

        # Keyboard: down moves the frame selection, the sessions table follows arrows too.
        tab.focus("#frames")
        tab.keyboard.press("ArrowDown")  # the list re-renders on the next animation frame
        after = frames[frames.index(reply) + 1]
        tab.wait_for_selector(f"#frames .frame[data-seq='{after.seq}'][aria-selected='true']")
        assert json.loads(tab.inner_text("#detail-json"))["seq"] == after.seq

        # Charts: the top 5 emotions per Hume model; Behavioral Signals labels per task.
        tab.click("#tab-charts")
        language = "figure[data-vendor='hume'][data-model='language']"
        tab.wait_for_selector(language)
        assert figure_series(tab, language) == top_emotions(journal, "hume-ws-1", "language")
        prosody = "figure[data-model='prosody']"
        assert figure_series(tab, prosody) == top_emotions(journal, "hume-ws-1", "prosody")
        assert figure_series(tab, "figure[data-model='face']") == top_emotions(
            journal, "hume-ws-1", "face"
        )
        tab.fill("#top-n", "3")
        tab.press("#top-n", "Enter")
        top3 = top_emotions(journal, "hume-ws-1", "language", 3)
        expect(tab.locator(language)).to_have_attribute("data-series", json.dumps(top3, **COMPACT))
        assert figure_series(tab, language) == top3

        tab.focus("#sessions tbody tr[data-conn='hume-ws-1']")
        tab.keyboard.press("End")
        tab.wait_for_selector("#sessions tr[data-conn='behavioral-grpc-1'][aria-selected='true']")
        assert tab.evaluate("document.activeElement.dataset.conn") == "behavioral-grpc-1"
        emotion = "figure[data-vendor='behavioral'][data-task='emotion']"
        tab.wait_for_selector(emotion)
        replies = journal.entries(connection="behavioral-grpc-1", direction="out", kind="message")
        rows = [row for e in replies for row in e.data["result"] if row["task"] == "emotion"]
        segments = [row for row in rows if row["level"] == "segment"]
        segment_labels = {p["label"] for row in segments for p in row["prediction"]}
        assert set(figure_series(tab, emotion)) == segment_labels
        assert tab.get_attribute(emotion, "data-levels") == "utterance,segment"
        bands = tab.eval_on_selector_all(
            emotion + " g.band rect", "rects => rects.map(r => r.closest('g').dataset.level)"
        )
        assert sorted(bands) == sorted(row["level"] for row in rows)
        tab.screenshot(path=str(tmp_path / "charts.png"))

        # A fault added in the page fires on the next connection.
        tab.click("#tab-controls")
        tab.select_option("#fault-example", index=0)  # Hume: close 1011 instead of the reply
        tab.click("#fault-add")
        tab.wait_for_selector("#control-result.good")
        assert [f["type"] for f in server.runtime.faults.describe()] == ["close"]
        with (
            hume.expression_measurement.stream.connect() as socket,
            pytest.raises(websockets.exceptions.ConnectionClosedError) as closed,
        ):
            socket.send_text("Hello again.", config=Config(language=StreamLanguage()))
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1011
        (close,) = journal.find(connection="hume-ws-2", kind="close", direction="out")
        assert close.fault == "close-1" and close.code == 1011
        # "closed 1011 (fault), open" until the server forgets the connection, then:
        tab.wait_for_selector(
            "#sessions tbody tr[data-conn='hume-ws-2'] td:text-is('closed 1011 (fault)')"
        )
        tab.click("#fault-clear")
        tab.wait_for_selector("#faults-active:text-is('none')")
        tab.screenshot(path=str(tmp_path / "fault.png"))
        server.check()

    assert recorder.urls, "no request recorded"
    assert recorder.hosts() <= LOOPBACK, recorder.hosts()
    # the one error logged: the browser's note on the first stream, refused without the token
    assert len(recorder.errors) == 1 and "401 (Unauthorized)" in recorder.errors[0]
    assert (tmp_path / "charts.png").stat().st_size > 10_000


def test_the_report_works_offline_and_marks_violations(
    page: tuple[Any, Recorder], tmp_path: Path
) -> None:
    tab, recorder = page
    journal = Journal.read_ndjson(fixture_path("journals/sample-session.ndjson"))
    (close,) = journal.find(kind="close", fault="close-after-first-reply")
    report = write_report(
        journal, tmp_path / "report.html", title="sample", highlight={close.seq: "no retry"}
    )
    tab.goto(report.as_uri())
    tab.wait_for_selector("#frames .frame[aria-selected='true']")
    # The first violation is selected when the page opens, with its message.
    assert tab.inner_text("#tab-violations") == "Violations (1)"
    assert tab.get_attribute("#sessions tbody tr[aria-selected='true']", "data-conn") == (
        close.connection
    )
    assert tab.get_attribute("#frames .frame[aria-selected='true']", "data-seq") == str(close.seq)
    assert tab.inner_text("#detail-note") == "Violation: no retry"
    assert "m-violation" in (tab.get_attribute(f"#frame-{close.seq}", "class") or "")
    assert tab.locator("#strip path.mark-violation").count() == 1
    sessions = tab.eval_on_selector_all(
        "#sessions tbody tr", "rows => rows.map(r => r.dataset.conn)"
    )
    assert sessions == [
        "hume-ws-1", "hume-ws-2", "hume-ws-3", "behavioral REST",
        "behavioral-grpc-1", "behavioral-grpc-2",
    ]  # fmt: skip
    assert row_cells(tab, "behavioral-grpc-2")[-1] == "UNAVAILABLE (fault)"
    assert tab.is_hidden("#tab-controls") and tab.is_hidden("#token-form")
    tab.click("#sessions tbody tr[data-conn='behavioral-grpc-1']")
    tab.click("#tab-charts")
    tab.wait_for_selector("figure[data-task='emotion']")
    tasks = tab.eval_on_selector_all("figure[data-task]", "f => f.map(x => x.dataset.task)")
    assert {"gender", "age", "emotion", "positivity", "strength"} <= set(tasks)
    assert "features" not in tasks  # no labels, nothing to draw
    tab.screenshot(path=str(tmp_path / "report.png"))
    assert {urlsplit(url).scheme for url in recorder.urls} == {"file"}
    assert recorder.urls == [report.as_uri()]
    assert recorder.errors == []


def test_ten_thousand_frames_stay_a_short_list(page: tuple[Any, Recorder], tmp_path: Path) -> None:
    tab, recorder = page
    entries = [
        JournalEntry(
            seq=seq,
            t=seq / 100,
            wall="2026-01-01T00:00:00Z",
            vendor="hume",
            transport="websocket",
            connection="hume-ws-1",
            direction="in" if seq % 2 else "out",
            kind="text",
            data={"payload_id": str(seq)},
            size=20,
        )
        for seq in range(1, 10_001)
    ]
    report = write_report(entries, tmp_path / "big.html", highlight={9_000: "late"})
    tab.goto(report.as_uri())
    tab.wait_for_selector("#frames .frame[aria-selected='true']")
    assert tab.get_attribute("#frames .frame[aria-selected='true']", "data-seq") == "9000"
    rendered = tab.locator("#frames .frame").count()
    assert 0 < rendered < 100  # virtualised: only the rows in view exist
    assert tab.locator("#strip svg rect[class^='bin-']").count() < 2_000  # binned, not 10,000
    tab.focus("#frames")
    tab.keyboard.press("End")
    tab.wait_for_selector("#frames .frame[data-seq='10000'][aria-selected='true']")
    tab.keyboard.press("Home")
    tab.wait_for_selector("#frames .frame[data-seq='1'][aria-selected='true']")
    assert json.loads(tab.inner_text("#detail-json"))["data"] == {"payload_id": "1"}
    assert recorder.errors == []
