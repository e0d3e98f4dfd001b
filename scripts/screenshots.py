"""Regenerate the screenshots of the dashboard and of a journal report in ``docs/images/``.

Usage (normally through ``make screenshots``)::

    .venv/bin/python scripts/screenshots.py [--out docs/images]
    .venv/bin/python scripts/screenshots.py --record-journal fixtures/journals/sample-session.ndjson

The dashboard shot runs an in-process server with the sample traffic below (official
Hume and Behavioral Signals SDKs, a fault, an error) and photographs ``/ui`` in Debian's
``chromium`` (``apt-get install chromium``) driven by Playwright, at 1280 x 800. The
report shot renders ``fixtures/journals/sample-session.ndjson`` (the committed journal the
report tests read) with :func:`mockserver.report.render_report` and opens it from
``file://``. ``--record-journal`` re-records that journal from the same sample traffic
instead (then review and commit it: the report tests assert on its content).

Nothing but loopback is contacted; the browser runs headless with a fresh profile and its
background networking off.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import grpc
import websockets
from behavioralsignals import Client, StreamingOptions
from behavioralsignals.utils import make_audio_stream
from hume import HumeClient
from hume.expression_measurement.stream import Config, StreamFace, StreamLanguage
from playwright.sync_api import sync_playwright
from websockets.sync.client import connect

from mockserver import MockServer
from mockserver.journal import Journal
from mockserver.redirect import behavioral_signals_redirect
from mockserver.report import write_report
from mockserver.resources import fixture_path

if TYPE_CHECKING:
    from playwright.sync_api import ViewportSize

ROOT = Path(__file__).resolve().parents[1]
JOURNAL = ROOT / "fixtures" / "journals" / "sample-session.ndjson"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
VIEWPORT: ViewportSize = {"width": 1280, "height": 800}


def sample_traffic(server: Any) -> None:
    """Drive the emulators like a small application would, with one fault and one error.

    Hume: an SDK session with language, prosody and burst, and face; a raw client sending
    an invalid payload (E0101); an SDK session closed by a fault after its first reply.
    Behavioral Signals: a stream with segment and utterance results, an upload polled to
    its results, and a stream aborted by a fault after its first result.
    """

    media = fixture_path("media")
    server.add_faults(
        [
            {
                "name": "close-after-first-reply",
                "vendor": "hume",
                "type": "close",
                "code": 1011,
                "reason": "Internal server error.",
                "when": {"connection": 3, "after_results": 1},
            },
            {
                "name": "abort-second-stream",
                "vendor": "behavioral",
                "type": "grpc_abort",
                "status": "UNAVAILABLE",
                "details": "The service is restarting",
                "when": {"connection": 2, "after_results": 1},
            },
        ]
    )
    hume = HumeClient(api_key=server.hume.api_key, base_url=server.hume.base_url)
    with hume.expression_measurement.stream.connect() as socket:
        socket.send_text(
            "I am so delighted to see you again. This delay is awful, I want a refund.",
            config=Config(language=StreamLanguage()),
        )
        socket.send_file(str(media / "speech_16k.wav"), config=Config(prosody={}, burst={}))
        socket.send_file(str(media / "face.png"), config=Config(face=StreamFace()))
        socket.get_job_details()
    with connect(server.hume.url, additional_headers={"X-Hume-Api-Key": server.hume.api_key}) as ws:
        ws.send(json.dumps({"models": {"langauge": {}}, "raw_text": True, "data": "typo"}))
        ws.recv(timeout=10)
    with hume.expression_measurement.stream.connect() as socket:
        socket.send_text("Hello there.", config=Config(language=StreamLanguage()))
        with contextlib.suppress(websockets.exceptions.ConnectionClosedError):  # the fault's 1011
            socket.send_text("Are you still there?", config=Config(language=StreamLanguage()))
    with behavioral_signals_redirect(server.behavioral):
        client = Client(cid=server.behavioral.cid, api_key=server.behavioral.token)
        for name in ("speech_pauses_16k.wav", "speech_long_16k.wav"):
            audio, rate = make_audio_stream(str(media / name), chunk_size=0.25)
            options = StreamingOptions(sample_rate=rate, encoding="LINEAR_PCM", level="all")
            with contextlib.suppress(grpc.RpcError):  # the fault aborts the second stream
                for _ in client.behavioral.stream_audio(audio_stream=audio, options=options):
                    pass
        process = client.behavioral.upload_audio(str(media / "speech_16k.wav"))
        client.behavioral.wait_for_result(process.pid, timeout=30)
        client.close()
    deadline = time.monotonic() + 5
    while server.connections() and time.monotonic() < deadline:
        time.sleep(0.02)


@contextmanager
def browser_page() -> Iterator[Any]:
    """A headless chromium page at 1280 x 800 with a fresh profile."""

    with sync_playwright() as playwright, tempfile.TemporaryDirectory() as profile:
        context = playwright.chromium.launch_persistent_context(
            profile,
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport=VIEWPORT,
            color_scheme="light",
        )
        try:
            yield context.new_page()
        finally:
            context.close()


def dashboard_shot(path: Path) -> None:
    """The dashboard of a server that served the sample traffic, one connection still open."""

    with MockServer(seed=0) as server:
        sample_traffic(server)
        with browser_page() as page:
            page.goto(server.admin.url + "/ui")
            page.wait_for_selector("#sessions tbody tr[data-conn='hume-ws-1']")
            headers = {"X-Hume-Api-Key": server.hume.api_key}
            with connect(server.hume.url, additional_headers=headers) as ws:
                ws.send(json.dumps({"models": {"language": {}}, "raw_text": True, "data": "Hi!"}))
                ws.recv(timeout=10)
                page.wait_for_selector("#sessions tbody tr[data-conn='hume-ws-4'] .state-live")
                page.click("#sessions tbody tr[data-conn='hume-ws-1']")
                page.click("#frames .frame[data-seq='4']")
                page.wait_for_timeout(300)
                page.screenshot(path=str(path))


def report_shot(path: Path) -> None:
    """The report of the committed journal, on the charts of its Behavioral Signals stream."""

    with tempfile.TemporaryDirectory() as folder:
        journal = Journal.read_ndjson(JOURNAL)
        violation = next(e.seq for e in journal.entries() if e.fault)
        report = write_report(
            journal,
            Path(folder) / "report.html",
            title="sample-session.ndjson",
            highlight={violation: "the client did not retry after this close"},
        )
        with browser_page() as page:
            page.goto(report.as_uri())
            page.click("#sessions tbody tr[data-conn='behavioral-grpc-1']")
            page.click("#tab-charts")
            page.wait_for_selector("figure[data-task='emotion']")
            page.wait_for_timeout(300)
            page.screenshot(path=str(path))


def record_journal(path: Path) -> None:
    """Re-record the committed sample journal."""

    with MockServer(seed=0) as server:
        sample_traffic(server)
        path.parent.mkdir(parents=True, exist_ok=True)
        server.journal.write_ndjson(path)
        print(f"{path}: {len(server.journal)} entries")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "images")
    parser.add_argument("--record-journal", type=Path, metavar="NDJSON")
    args = parser.parse_args(argv)
    if args.record_journal:
        record_journal(args.record_journal)
        return 0
    if not Path(CHROMIUM).exists():
        print(f"screenshots need {CHROMIUM}: apt-get install chromium", file=sys.stderr)
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    dashboard_shot(args.out / "dashboard.png")
    report_shot(args.out / "report.png")
    for name in ("dashboard.png", "report.png"):
        print(args.out / name, (args.out / name).stat().st_size, "bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
