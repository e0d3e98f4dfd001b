"""The README's Python examples run against a live server, URLs swapped for its ports.

Each ``python`` block runs in a fresh interpreter; a block that defines tests runs through
pytester with the plugin. Fixed addresses in the README (the ``make serve`` defaults) are
replaced by those of an in-process server; nothing else is changed, so the media files the
examples open must be ones the package ships (``mockserver.resources.fixture_path``).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from websockets.sync.client import connect

# Imported up front so pytester's sys.modules snapshot always contains them (see below).
import mockserver.vendors.behavioral.segmenter
import mockserver.vendors.hume.engine  # noqa: F401
from mockserver.server import MockServer

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parents[2]
BLOCKS = re.findall(r"^```python\n(.*?)^```", (ROOT / "README.md").read_text(), re.M | re.S)


@pytest.fixture(scope="module")
def server() -> Iterator[MockServer]:
    with MockServer(behavioral={"process_pending_s": 0.05, "process_running_s": 0.05}) as s:
        yield s


def localise(code: str, server: MockServer) -> str:
    hume, bs, v1 = server.hume, server.behavioral, server.hume_v1
    for fixed, actual in (
        ("ws://127.0.0.1:8765/v0/stream/models", hume.url),
        ("http://127.0.0.1:8765", hume.base_url),
        ("http://127.0.0.1:8766", v1.base_url),
        ("ws://127.0.0.1:8766", v1.ws_url),
        ("http://127.0.0.1:8780/v5", bs.rest_url),
        ("127.0.0.1:50051", bs.grpc_target),
    ):
        code = code.replace(fixed, actual)
    return code


MEDIA_LITERAL = re.compile(
    r"""(fixture_path\(\s*)?["'][^"'\n]+\.(?:wav|mp3|mp4|webm|png|jpe?g)["']"""
)


def test_the_readme_has_python_examples() -> None:
    assert len(BLOCKS) >= 5


def unpackaged_media(code: str) -> list[str]:
    """Media file names in ``code`` that are not located with ``fixture_path``."""
    return [m.group(0) for m in MEDIA_LITERAL.finditer(code) if not m.group(1)]


def test_readme_examples_open_only_media_the_package_ships() -> None:
    assert unpackaged_media('make_audio_stream("speech.wav", chunk_size=0.25)') == ['"speech.wav"']
    assert unpackaged_media('fixture_path("media/speech_16k.wav")') == []
    opened = [name for block in BLOCKS for name in unpackaged_media(block)]
    assert not opened, f"README examples open files a user does not have: {opened}"


@pytest.mark.e2e
@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_readme_example_runs(
    index: int, server: MockServer, request: pytest.FixtureRequest
) -> None:
    code = localise(BLOCKS[index], server)
    if "def test_" in code:
        # Only this branch uses pytester: it restores sys.modules at teardown, which drops
        # modules the in-process server imported lazily meanwhile (NumPy cannot reload).
        pytester: pytest.Pytester = request.getfixturevalue("pytester")
        pytester.makepyfile(code)
        result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-W", "ignore")
        result.assert_outcomes(passed=code.count("def test_"))
        return
    run_block(code)
    server.check()


def run_block(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", code],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


@pytest.mark.e2e
def test_hume_example_prints_the_three_highest_scores(server: MockServer) -> None:
    (block,) = [b for b in BLOCKS if "send_text(" in b]
    printed = [line.rsplit(" ", 1) for line in run_block(localise(block, server)).splitlines()]
    with connect(server.hume.url, additional_headers={"X-Hume-Api-Key": "mock-hume-key"}) as ws:
        ws.send(json.dumps({"models": {"language": {"granularity": "passage"}},
                            "raw_text": True, "data": "I am delighted!"}))  # fmt: skip
        emotions = json.loads(ws.recv())["language"]["predictions"][0]["emotions"]
    top = sorted(emotions, key=lambda e: e["score"], reverse=True)[:3]
    assert [name for name, _ in printed] == [e["name"] for e in top]
    assert [float(score) for _, score in printed] == [round(e["score"], 3) for e in top]
    assert [e["name"] for e in top] != [e["name"] for e in emotions[:3]]  # order matters here
    server.check()
