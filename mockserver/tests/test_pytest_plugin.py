"""The pytest plugin, tested with ``pytester``: inner test files use its fixtures.

Inner runs are combined so that each one exercises many features (the runs, not the
assertions, take the time): the fixtures and SDK clients in one run, options in a second,
failure reporting in a third, pytest-xdist in a fourth. Every inner run is a subprocess:
in-process runs would share (and, on exit, drop) imported modules such as NumPy, which
cannot be imported twice in one process.
"""

from __future__ import annotations

import ast
import importlib.metadata
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

import mockserver.pytest_plugin as plugin
from mockserver.errors import MockServerError
from mockserver.journal import Journal
from mockserver.pytest_plugin import ServerPool
from mockserver.registry import default_vendors
from mockserver.tests.conftest import PYTESTER_INI

pytest_plugins = ["pytester"]

#: A raw WebSocket exchange with the Hume emulator, shared by the inner test files.
HELPERS = '''
import json

from websockets.sync.client import connect


def publish(mock_hume, text, **extra):
    """Send one language request; return the parsed reply."""
    with connect(mock_hume.url, additional_headers=mock_hume.headers) as ws:
        message = {"models": {"language": {}}, "raw_text": True, "data": text, **extra}
        ws.send(json.dumps(message))
        return json.loads(ws.recv(timeout=30))
'''

SCENARIO = """
name: greeting
hume:
  rules:
    - when: {model: language, text: "(?i)hello"}
      respond:
        emotions: {Joy: 0.9}
expect:
  - name: the greeting is sent once
    what: hume.messages
    where: {model: language, text: "(?i)hello"}
    exactly: 1
"""


@pytest.fixture
def inner(pytester: pytest.Pytester) -> pytest.Pytester:
    """A pytester directory with the ini file and the shared helpers."""
    pytester.makeini(PYTESTER_INI)
    pytester.makepyfile(helpers=HELPERS)
    return pytester


def test_registered_through_the_pytest11_entry_point() -> None:
    (entry,) = [
        e for e in importlib.metadata.entry_points(group="pytest11") if e.name == "mockserver"
    ]
    assert entry.value == "mockserver.pytest_plugin"


def test_importing_the_plugin_is_light() -> None:
    heavy = ["numpy", "av", "cv2", "grpc", "websockets", "hume", "behavioralsignals"]
    heavy += ["aiohttp", "jsonschema", "PIL", "yaml", "mockserver.server"]
    code = (
        "import json, sys\n"
        "import mockserver.pytest_plugin\n"
        f"print(json.dumps([m for m in {heavy!r} if m in sys.modules]))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []


FIXTURES_CONFTEST = """
import pytest


@pytest.fixture(scope="session")
def mockserver_settings():
    return {"hume": {"inactivity_timeout_s": 7}, "behavioral.process_pending_s": 0.0}
"""

FIXTURES_TESTS = """
import asyncio

import pytest

from helpers import publish
from mockserver.resources import fixture_path
from mockserver.server import MockServer


def test_fixtures_and_handles(request, mockserver, mockserver_session, mockserver_journal,
                              mockserver_config, mock_hume, mock_behavioral):
    assert isinstance(mockserver, MockServer) and mockserver is mockserver_session
    assert mockserver_journal is mockserver.journal and len(mockserver_journal) == 0
    assert mockserver_config == {
        "seed": 0, "hume.inactivity_timeout_s": 7, "behavioral.process_pending_s": 0.0,
    }
    assert mockserver.config.hume.inactivity_timeout_s == 7  # conftest override
    assert mock_hume.url.startswith("ws://127.0.0.1:")
    assert mock_hume.url.endswith("/v0/stream/models")
    assert mock_hume.base_url.startswith("http://127.0.0.1:")
    assert mock_hume.api_key == "mock-hume-key"
    assert mock_hume.headers == {"X-Hume-Api-Key": "mock-hume-key"}
    assert mock_behavioral.rest_url.endswith("/v5")
    assert mock_behavioral.grpc_target.startswith("127.0.0.1:")
    assert (mock_behavioral.cid, mock_behavioral.token) == (1000, "mock-bs-token")


def test_the_first_release_fixture_names_still_work_and_warn(request, mock_hume, mock_behavioral):
    for old, new, handle in [("hume", "mock_hume", mock_hume),
                             ("mockserver_hume", "mock_hume", mock_hume),
                             ("behavioral", "mock_behavioral", mock_behavioral),
                             ("mockserver_behavioral", "mock_behavioral", mock_behavioral)]:
        with pytest.warns(DeprecationWarning, match=f"'{old}' is renamed '{new}'"):
            assert request.getfixturevalue(old) is handle


@pytest.mark.parametrize("round", [1, 2])
def test_each_test_starts_from_a_reset_server(round, mock_hume, mockserver_journal):
    assert len(mockserver_journal) == 0
    reply = publish(mock_hume, "Mary had a little lamb", job_details=True)
    print(f"JOB {reply['job_details']['job_id']}")
    print(f"SCORE {reply['language']['predictions'][0]['emotions'][0]['score']}")
    # connection numbers restart after the reset: every test's first connection is #1
    assert mockserver_journal.connections() == ["hume-ws-1"]
    mockserver_journal.assert_sent({"data": "Mary had a little lamb"}, kind="text")


def test_hume_sync_sdk_client(mock_hume, mockserver_journal):
    from hume.expression_measurement.stream import Config, StreamLanguage

    with mock_hume.client().expression_measurement.stream.connect() as socket:
        result = socket.send_text("I am delighted!", config=Config(language=StreamLanguage()))
    assert result.language.predictions[0].text == "I"
    mockserver_journal.assert_sent({"data": "I am delighted!"}, vendor="hume", kind="text")


async def test_hume_async_sdk_client_in_an_asyncio_test(mock_hume, mockserver_journal):
    from hume.expression_measurement.stream import Config, StreamLanguage

    client = mock_hume.async_client()
    async with client.expression_measurement.stream.connect() as socket:
        result = await socket.send_text("So happy", config=Config(language=StreamLanguage()))
    assert [p.text for p in result.language.predictions] == ["So", "happy"]
    await mockserver_journal.wait_for_async(kind="close", timeout=5)
    await asyncio.sleep(0)


def test_hume_v1_handle_and_sdk_clients(request, mock_hume_v1, mockserver_journal):
    from hume_expression_measurement import AudioSessionCreated, SessionClose

    assert mock_hume_v1.base_url.startswith("http://127.0.0.1:")
    assert mock_hume_v1.api_key == "mock-hume-key"
    assert mock_hume_v1.ws_url == mock_hume_v1.base_url.replace("http://", "ws://")
    client = mock_hume_v1.client()
    with client.audio.connect() as socket:
        created = socket.recv()
        assert isinstance(created, AudioSessionCreated)
        socket.send_audio_session_close(SessionClose(type="session.close"))
        assert [m.type for m in socket] == ["session.closed"]
    assert client.runs.list(mode="realtime").runs[0].run_id == created.session_id
    assert mock_hume_v1.async_client() is not None
    mockserver_journal.assert_sent({"type": "session.close"}, vendor="hume_v1", kind="text")


def test_behavioral_sdk_client_and_lazy_sub_clients(mock_behavioral, mockserver_journal):
    from behavioralsignals import StreamingOptions
    from behavioralsignals.utils import make_audio_stream

    speech = str(fixture_path("media/speech_16k.wav"))
    client = mock_behavioral.client()
    audio, rate = make_audio_stream(speech, chunk_size=0.5)
    options = StreamingOptions(sample_rate=rate, encoding="LINEAR_PCM")
    # client.behavioral is created lazily, here, still pointed at the emulator
    assert list(client.behavioral.stream_audio(audio_stream=audio, options=options))
    process = client.behavioral.upload_audio(speech)
    assert process.cid == 1000
    mockserver_journal.assert_sent({"path": "/v5/clients/1000/processes/audio"}, kind="request")
    mockserver_journal.wait_for(vendor="behavioral", transport="grpc", kind="status")


@pytest.mark.mockserver(hume={"api_keys": ["k1", "k2"]}, seed=5)
def test_marker_gives_the_test_its_own_server(request, mockserver, mock_hume):
    assert mockserver is not request.getfixturevalue("mockserver_session")
    assert mock_hume.api_keys == ("k1", "k2") and mock_hume.api_key == "k1"
    assert mockserver.config.seed == 5
    assert mockserver.config.hume.inactivity_timeout_s == 7  # merged over the settings
    publish(mock_hume, "hello")


@pytest.mark.mockserver_scenario("greeting.yaml")
def test_scenario_marker(mock_hume):
    reply = publish(mock_hume, "hello there")
    emotions = {e["name"]: e["score"] for e in reply["language"]["predictions"][0]["emotions"]}
    assert emotions["Joy"] == pytest.approx(0.9)


@pytest.mark.mockserver_scenario('{"name": "inline", "expect": []}')
def test_scenario_marker_with_inline_text(mockserver):
    assert [s.name for s in mockserver.runtime.scenarios.active()] == ["inline"]


def test_scenarios_do_not_leak_into_the_next_test(mockserver):
    assert mockserver.runtime.scenarios.active() == []
"""


SUBDIR_CONFTEST = """
import pytest


@pytest.fixture(scope="session")
def mockserver_settings():
    return {"hume": {"api_keys": ["sub-key"]}}
"""

SUBDIR_TESTS = """
def test_a_directory_conftest_gets_its_own_server(mock_hume, mockserver, mockserver_pool):
    assert mock_hume.api_key == "sub-key"
    assert mockserver.config.hume.inactivity_timeout_s == 60  # not the root conftest's
    assert len(mockserver_pool) >= 1
"""

MODULE_OVERRIDE_TESTS = """
import pytest


@pytest.fixture
def mockserver_settings():  # any scope: here, per test
    return {"hume.api_keys": ["module-key"], "seed": 11}


def test_a_module_override(mock_hume, mockserver, mockserver_seed):
    assert mock_hume.api_key == "module-key"
    assert mockserver.config.seed == 11 and mockserver_seed == 0  # settings win over the seed
"""


def test_fixtures_sdk_clients_markers_and_reset_isolation(inner: pytest.Pytester) -> None:
    inner.makeconftest(FIXTURES_CONFTEST)
    inner.makefile(".yaml", greeting=SCENARIO)
    inner.makepyfile(test_fixtures=FIXTURES_TESTS, test_module_override=MODULE_OVERRIDE_TESTS)
    inner.mkpydir("sub")
    (inner.path / "sub" / "conftest.py").write_text(SUBDIR_CONFTEST)
    (inner.path / "sub" / "test_sub.py").write_text(SUBDIR_TESTS)
    result = inner.runpytest_subprocess("-s")
    result.assert_outcomes(passed=14)
    jobs = re.findall(r"JOB (\w+)", result.stdout.str())
    assert len(jobs) == 2 and jobs[0] == jobs[1]  # same seed, same connection number: same id


OPTIONS_TESTS = """
import logging

from helpers import publish


def test_options(mock_hume, mockserver, mockserver_seed):
    assert mockserver_seed == 7 and mockserver.config.seed == 7
    assert logging.getLogger("mockserver").level == logging.DEBUG
    reply = publish(mock_hume, "Mary had a little lamb", job_details=True)
    print(f"JOB {reply['job_details']['job_id']}")
    print(f"SCORE {reply['language']['predictions'][0]['emotions'][0]['score']}")
"""


def test_seed_and_log_level_options(inner: pytest.Pytester) -> None:
    inner.makepyfile(
        test_default=OPTIONS_TESTS.replace("== 7", "== 0").replace("DEBUG", "NOTSET"),
        test_options=OPTIONS_TESTS,
    )
    default = inner.runpytest_subprocess("-s", "test_default.py")
    default.assert_outcomes(passed=1)
    seeded = inner.runpytest_subprocess(
        "-s", "test_options.py", "--mockserver-seed", "7", "--mockserver-log-level", "debug"
    )
    seeded.assert_outcomes(passed=1)
    seeded.stdout.fnmatch_lines(["mockserver: seed 7"])  # report header
    ids = [re.findall(r"(JOB|SCORE) (\S+)", r.stdout.str()) for r in (default, seeded)]
    assert ids[0][0] != ids[1][0] and ids[0][1] != ids[1][1]  # job id and scores change
    assert ids[0][0][1] != "" and len(ids[1][0][1]) == 32
    bad = inner.runpytest_subprocess("--mockserver-log-level", "loud")
    assert bad.ret == pytest.ExitCode.USAGE_ERROR


FAILURE_TESTS = """
import pytest

from helpers import publish
from mockserver.errors import ServerFailure


def boom(*args, **kwargs):
    raise RuntimeError("engine exploded")


def test_server_side_exception(mock_hume, monkeypatch):
    monkeypatch.setattr("mockserver.vendors.hume.engine.predict_language", boom)
    reply = publish(mock_hume, "hello")
    assert reply["code"] == "I0100"  # the client sees the vendor's internal error


def test_expected_server_failure_can_be_consumed(mock_hume, mockserver, monkeypatch):
    monkeypatch.setattr("mockserver.vendors.hume.engine.predict_language", boom)
    publish(mock_hume, "hello")
    with pytest.raises(ServerFailure, match="engine exploded"):
        mockserver.check()


@pytest.mark.mockserver_scenario("greeting.yaml")
def test_unmet_expectation(mock_hume):
    publish(mock_hume, "goodbye")


def test_failing_assertion_saves_the_journal(mock_hume, mockserver_journal):
    publish(mock_hume, "Mary had a little lamb")
    mockserver_journal.assert_sent({"data": "Mary had a big lamb"})


@pytest.mark.mockserver("seed")
def test_marker_misuse(mockserver):
    pass


def test_unaffected(mock_hume, mockserver):
    publish(mock_hume, "hello")
"""


def test_failure_reporting(inner: pytest.Pytester) -> None:
    inner.makefile(".yaml", greeting=SCENARIO)
    inner.makepyfile(test_failures=FAILURE_TESTS)
    result = inner.runpytest_subprocess("--mockserver-journal-dir", "journals", "-rA")
    # the server-side exception and the unmet expectation fail their tests at teardown
    result.assert_outcomes(passed=4, failed=1, errors=3)
    out = result.stdout.str()
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_server_side_exception*",
            "mockserver: internal error in hume session hume-ws-1: RuntimeError: engine exploded",
            "server-side traceback (hume session hume-ws-1):",
            '*raise RuntimeError("engine exploded")',
            "journal of this test written to *test_failures.py_test_server_side_exception.ndjson",
        ]
    )
    result.stdout.fnmatch_lines(["*ERROR at teardown of test_unmet_expectation*"])
    assert (
        "\nmockserver: 1 scripted expectation(s) not met: scenario 'greeting', expect[0] "
        "(the greeting is sent once): expected exactly 1 hume.messages"
    ) in out
    result.stdout.fnmatch_lines(
        [
            "*test_failing_assertion_saves_the_journal*",
            "*whose data matches:*",
            '*-  "data": "Mary had a big lamb"',
            '*+  "data": "Mary had a little lamb"',
            "*mockserver journal*",
            "written to *test_failures.py_test_failing_assertion_saves_the_journal.ndjson",
        ]
    )
    assert "@pytest.mark.mockserver takes keyword settings only" in out
    assert "PASSED test_failures.py::test_expected_server_failure_can_be_consumed" in out
    assert "PASSED test_failures.py::test_unaffected" in out
    files = sorted(p.name for p in (inner.path / "journals").glob("*.ndjson"))
    assert files == [
        "test_failures.py_test_failing_assertion_saves_the_journal.ndjson",
        "test_failures.py_test_server_side_exception.ndjson",
        "test_failures.py_test_unmet_expectation.ndjson",
    ]
    saved = Journal.read_ndjson(inner.path / "journals" / files[0])  # validates every line
    saved.assert_sent({"data": "Mary had a little lamb"}, kind="text")
    assert "mock-hume-key" not in (inner.path / "journals" / files[0]).read_text()


XDIST_TESTS = """
import os

import pytest

from helpers import publish


@pytest.mark.parametrize("n", range(6))
def test_each_worker_has_its_own_server(n, mock_hume, mockserver, mockserver_journal,
                                        mockserver_seed):
    publish(mock_hume, f"test {n}")
    assert mockserver_journal.connections() == ["hume-ws-1"]
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    with open(f"seen-{n}.txt", "w") as out:
        out.write(f"{worker} {mock_hume.endpoint.port} {mockserver_seed}")
"""


def test_xdist_workers_each_start_a_server(inner: pytest.Pytester) -> None:
    inner.makepyfile(test_xdist=XDIST_TESTS)
    result = inner.runpytest_subprocess("-n", "2", "--mockserver-seed", "3")
    result.assert_outcomes(passed=6)
    seen = [(inner.path / f"seen-{n}.txt").read_text().split() for n in range(6)]
    ports = {worker: port for worker, port, _ in seen}
    assert set(ports) == {"gw0", "gw1"}, seen
    assert len(set(ports.values())) == 2  # one server per worker, each on its own port
    assert all(len({port for w, port, _ in seen if w == worker}) == 1 for worker in ports)
    assert {seed for _, _, seed in seen} == {"3"}


def test_module_docstring_names_every_fixture() -> None:

    tree = ast.parse(Path(plugin.__file__).read_text(encoding="utf-8"))
    fixtures = [
        node.name
        for node in tree.body
        if isinstance(node, ast.FunctionDef)
        and any("fixture" in ast.unparse(d) for d in node.decorator_list)
    ]
    assert len(fixtures) == 8
    vendor_fixtures = [
        name for vendor in default_vendors() for name in plugin.vendor_fixtures(vendor)
    ]
    assert vendor_fixtures == [
        "mock_hume", "hume", "mockserver_hume",
        "mock_hume_v1",
        "mock_behavioral", "behavioral", "mockserver_behavioral",
    ]  # fmt: skip
    for name in [*fixtures, *vendor_fixtures]:
        assert f"``{name}``" in (plugin.__doc__ or ""), name


def test_server_pool_reuses_and_evicts_least_recently_used() -> None:

    pool = ServerPool(max_servers=2)
    try:
        pinned = pool.get({"seed": 1}, pin=True)
        first = pool.get({"seed": 2})
        assert pool.get({"seed": 2}) is first and len(pool) == 2
        third = pool.get({"hume.api_keys": ["k"]})
        assert len(pool) == 2 and pool.get({"seed": 1}) is pinned
        with pytest.raises(MockServerError, match="not running"):
            first.hume  # noqa: B018  (stopped: evicted)
        assert third.hume.api_key == "k"
    finally:
        pool.close()
    assert len(pool) == 0
    with pytest.raises(MockServerError):
        pinned.hume  # noqa: B018
