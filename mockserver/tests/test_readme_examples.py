"""The README's Python examples run against a live server, URLs swapped for its ports.

Each ``python`` block runs in a fresh interpreter; a block that defines tests runs through
pytester with the plugin. Fixed addresses in the README (the ``make serve`` defaults) are
replaced by those of an in-process server, and ``speech.wav`` by a fixture.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

# Imported up front so pytester's sys.modules snapshot always contains them (see below).
import mockserver.vendors.behavioral.segmenter
import mockserver.vendors.hume.engine  # noqa: F401
from mockserver.resources import fixture_path
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
        ('"speech.wav"', repr(str(fixture_path("media/speech_pauses_16k.wav")))),
    ):
        code = code.replace(fixed, actual)
    return code


def test_the_readme_has_python_examples() -> None:
    assert len(BLOCKS) >= 5


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
    done = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", code],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    server.check()
