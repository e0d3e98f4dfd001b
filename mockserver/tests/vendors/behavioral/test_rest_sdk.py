"""The official SDK (behavioralsignals 0.7.1) against the REST emulator over loopback HTTP.

The SDK is pointed at the emulator with the shipped ``behavioral_signals_redirect``, which
replaces ``behavioralsignals.base.Configuration`` (SDK 0.7.1 ``base.py``). Processes take 0.05 s
pending + 0.05 s running; the SDK polls every 1.0 s, so each ``wait_for_result`` costs about
one second.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import behavioralsignals
import behavioralsignals.base as bs_base
import pytest
import requests
from behavioralsignals.base import BehavioralSignalsError
from behavioralsignals.configuration import Configuration
from behavioralsignals.models import ResultResponse
from behavioralsignals.utils import print_results

from mockserver.core.http import RestRequest, RestResponse
from mockserver.redirect import behavioral_signals_redirect
from mockserver.resources import fixture_path
from mockserver.runtime import Runtime
from mockserver.transport.http import HttpEndpoint
from mockserver.vendors.behavioral.config import BehavioralSettings
from mockserver.vendors.behavioral.errors import rest_error_body
from mockserver.vendors.behavioral.processes import ProcessStore
from mockserver.vendors.behavioral.projects import ProjectRegistry
from mockserver.vendors.behavioral.rest import EngineAnalyzer, RestApi
from mockserver.vendors.behavioral.tasks import BATCH_BEHAVIORAL_TASKS, BATCH_DEEPFAKE_TASKS

from .file_server import serve_files

pytestmark = [pytest.mark.e2e, pytest.mark.sdk]

CID = 1000
TOKEN = "mock-bs-token"
CREATED = dt.datetime(2026, 11, 21, 10, 0, 0, 123456, tzinfo=dt.UTC)
WAV = fixture_path("media/speech_pauses_16k.wav")
MP4 = fixture_path("media/face_speech.mp4")


@dataclass
class Served:
    """One emulator on a background event loop."""

    runtime: Runtime
    store: ProcessStore
    endpoint: HttpEndpoint
    loop: asyncio.AbstractEventLoop

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.endpoint.port}/v5"


def start_endpoint(
    handler: Callable[[RestRequest], RestResponse], runtime: Runtime, *, max_body: int
) -> tuple[HttpEndpoint, asyncio.AbstractEventLoop, threading.Thread]:
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="http-endpoint", daemon=True)
    thread.start()
    endpoint = HttpEndpoint(
        vendor="behavioral",
        host="127.0.0.1",
        port=0,
        handler=handler,
        runtime=runtime,
        secrets=("X-Auth-Token",),
        max_body=max_body,
        error_body=lambda status, message, path: rest_error_body(status, message),
    )
    asyncio.run_coroutine_threadsafe(endpoint.start(), loop).result(10)
    return endpoint, loop, thread


def stop_endpoint(
    endpoint: HttpEndpoint, loop: asyncio.AbstractEventLoop, thread: threading.Thread
) -> None:
    asyncio.run_coroutine_threadsafe(endpoint.stop(), loop).result(10)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(10)
    loop.close()


@pytest.fixture(scope="module")
def served_module() -> Iterator[Served]:
    settings = replace(BehavioralSettings(), process_pending_s=0.05, process_running_s=0.05)
    runtime = Runtime(seed=0)
    store = ProcessStore(
        clock=runtime.clock,
        pending_s=settings.process_pending_s,
        running_s=settings.process_running_s,
        wall_clock=lambda: CREATED,
        executor=runtime.executor,
        on_error=runtime.record_failure,
    )
    api = RestApi(
        projects=ProjectRegistry(settings.project_list()),
        store=store,
        settings=settings,
        seeds=runtime.seeds,
        analyzer=EngineAnalyzer(),
    )
    endpoint, loop, thread = start_endpoint(
        api.handle, runtime, max_body=settings.max_upload_bytes + (1 << 20)
    )
    try:
        yield Served(runtime, store, endpoint, loop)
    finally:
        stop_endpoint(endpoint, loop, thread)
        runtime.shutdown()


@pytest.fixture
def served(served_module: Served) -> Iterator[Served]:
    """The shared emulator, reset, with the SDK pointed at it by the shipped redirect helper;
    fails on server errors."""
    served_module.store.reset()
    served_module.runtime.reset()
    with behavioral_signals_redirect(
        api_url=served_module.api_url, streaming_api_url="127.0.0.1:1"
    ):
        assert vars(bs_base)["Configuration"] is not Configuration
        yield served_module
    assert vars(bs_base)["Configuration"] is Configuration
    assert served_module.runtime.take_failures() == []


@pytest.fixture
def client(served: Served) -> Iterator[behavioralsignals.Client]:
    with behavioralsignals.Client(cid=CID, api_key=TOKEN) as sdk_client:
        yield sdk_client


@pytest.fixture
def file_server() -> Iterator[str]:
    with serve_files({"/speech.wav": WAV.read_bytes(), "/face.mp4": MP4.read_bytes()}) as url:
        yield url


def requests_of(served: Served, path: str | None = None) -> list[dict[str, Any]]:
    entries = served.runtime.journal.entries(vendor="behavioral", kind="request")
    return [e.data for e in entries if path is None or e.data["path"] == path]


def assert_batch_order(result: ResultResponse, tasks: tuple[str, ...]) -> None:
    """Utterance-level rows, grouped by utterance, each group in batch task order."""
    rows = result.results or []
    assert rows
    assert {r.level for r in rows} == {"utterance"}
    groups: dict[str, list[str]] = {}
    for r in rows:
        assert r.id is not None and r.task is not None
        groups.setdefault(r.id, []).append(r.task)
    assert list(groups) == [str(i) for i in range(len(groups))]
    for group in groups.values():
        known = [t for t in group if t in tasks]
        assert known == sorted(known, key=tasks.index)
        assert group[:3] == ["asr", "diarization", "language"]


# -- authentication (SDK 0.7.1 _authenticate, APIError) -------------------------------------


def test_client_authenticates_once_per_client_object(
    served: Served, client: behavioralsignals.Client
) -> None:
    assert len(requests_of(served, "/v5/auth")) == 1
    _ = client.behavioral
    auth = requests_of(served, "/v5/auth")
    assert len(auth) == 2
    headers = {k.lower(): v for k, v in auth[0]["headers"].items()}
    assert headers["x-auth-token"] == "<redacted>"
    assert headers["x-auth-client"] == str(CID)
    responses = served.runtime.journal.entries(kind="response")
    assert [e.code for e in responses] == [200, 200]
    assert responses[0].data == {"code": 200, "message": "Authorized"}
    assert responses[0].connection.startswith("behavioral-http-")


def test_wrong_token_is_401(served: Served) -> None:
    with pytest.raises(BehavioralSignalsError) as info:
        behavioralsignals.Client(cid=CID, api_key="wrong")
    assert info.value.status_code == 401
    assert str(info.value) == "API Error 401: Authentication failed: Invalid credentials"


def test_token_of_another_project_is_403(served: Served) -> None:
    with pytest.raises(BehavioralSignalsError) as info:
        behavioralsignals.Client(cid=2000, api_key=TOKEN)
    assert info.value.status_code == 403


# -- behavioral (SDK 0.7.1 behavioral.py) ------------------------------------------------------


def test_upload_audio_and_wait_for_result(served: Served, client: behavioralsignals.Client) -> None:
    process = client.behavioral.upload_audio(str(WAV), embeddings=True, meta='{"call": 7}')
    assert (process.pid, process.cid, process.status) == (1, CID, 0)
    assert (process.name, process.meta, process.datetime) == (WAV.name, '{"call": 7}', CREATED)
    result = client.behavioral.wait_for_result(process.pid, timeout=30)
    assert (result.pid, result.cid, result.code, result.message) == (
        1,
        CID,
        2,
        "Processing Complete",
    )
    assert_batch_order(result, BATCH_BEHAVIORAL_TASKS)
    tasks = {r.task for r in result.results or []}
    assert {"asr", "diarization", "language", "emotion"} <= tasks
    assert any(r.embedding for r in result.results or [] if r.task == "diarization")
    dumped = result.model_dump()
    assert all(row["st"] is not None for row in dumped["results"])
    item = client.behavioral.get_process(process.pid)
    assert item.is_completed and item.statusmsg == "Processing Complete."
    assert item.duration is not None and 5 < item.duration < 20
    upload = requests_of(served, "/v5/clients/1000/processes/audio")[0]
    assert upload["form"] == {"name": WAV.name, "embeddings": "True", "meta": '{"call": 7}'}
    assert upload["files"] == {"file": {"filename": WAV.name, "size": WAV.stat().st_size}}


def test_batch_results_print_like_the_sdk_readme(
    client: behavioralsignals.Client, capsys: pytest.CaptureFixture[str]
) -> None:
    """The SDK 0.7.1 README's batch quick-start prints ``0.487 3.001 intensity 0.0873``."""
    process = client.behavioral.upload_audio(str(WAV))
    print_results(client.behavioral.wait_for_result(process.pid, timeout=30).results)
    lines = capsys.readouterr().out.splitlines()
    intensity = [line for line in lines if line.split(" ")[2] == "intensity"]
    assert len(intensity) == 2  # one per utterance of the recording
    for line in intensity:
        assert re.fullmatch(r"\d+\.\d+ \d+\.\d+ intensity 0\.\d{1,4}", line), line
    assert lines[-1] == intensity[-1]  # the last row of an utterance, as in the README


def test_upload_s3_presigned_url(
    served: Served, client: behavioralsignals.Client, file_server: str
) -> None:
    url = f"{file_server}/speech.wav?X-Amz-Signature=abc"
    process = client.behavioral.upload_s3_presigned_url(url, name="from-s3")
    assert (process.name, process.status) == ("from-s3", 0)
    result = client.behavioral.wait_for_result(process.pid, timeout=30)
    assert_batch_order(result, BATCH_BEHAVIORAL_TASKS)
    body = requests_of(served, "/v5/clients/1000/processes/s3-presigned-url")[0]["json"]
    assert body == {"url": url, "name": "from-s3", "embeddings": False}


def test_list_processes_filters(served: Served, client: behavioralsignals.Client) -> None:
    behavioral = client.behavioral
    pids = [behavioral.upload_audio(str(WAV), name=f"n{i}").pid for i in range(3)]
    assert pids == [1, 2, 3]
    client.deepfakes.upload_audio(str(WAV))  # pid 4, another namespace
    every = behavioral.list_processes()
    assert [p.pid for p in every] == [1, 2, 3] and every.total_count == 3
    assert [p.name for p in every] == ["n0", "n1", "n2"]
    assert [p.pid for p in behavioral.list_processes(page=0, page_size=2, sort="desc")] == [3, 2]
    assert [p.pid for p in behavioral.list_processes(page=1, page_size=2, sort="desc")] == [1]
    day = CREATED.date()
    next_day = day + dt.timedelta(days=1)
    assert len(behavioral.list_processes(start_date=str(day))) == 3
    assert len(behavioral.list_processes(end_date=str(day))) == 0  # "before", exclusive
    assert len(behavioral.list_processes(start_date=str(next_day))) == 0
    assert len(behavioral.list_processes(start_date=str(day), end_date=str(next_day))) == 3
    assert [p.pid for p in client.deepfakes.list_processes()] == [4]
    query = requests_of(served, "/v5/clients/1000/processes")[-1]["query"]
    assert query == {"page": "0", "pageSize": "1000", "sort": "asc", "startDate": str(day),
                     "endDate": str(next_day)}  # fmt: skip


def test_get_process_unknown_pid_and_early_results(
    served: Served, client: behavioralsignals.Client
) -> None:
    process = client.behavioral.upload_audio(str(WAV))
    item = client.behavioral.get_process(process.pid)
    assert item.pid == process.pid and item.status in (0, 1, 2)
    with pytest.raises(BehavioralSignalsError) as info:
        client.behavioral.get_process(999)
    assert info.value.status_code == 404
    assert str(info.value) == "API Error 404: Process 999 not found"
    with pytest.raises(BehavioralSignalsError) as info:
        client.deepfakes.get_process(process.pid)  # a behavioral pid under detection/
    assert info.value.status_code == 404
    fresh = client.behavioral.upload_audio(str(WAV))
    with pytest.raises(BehavioralSignalsError) as info:
        client.behavioral.get_result(fresh.pid)
    assert info.value.status_code == 400


def test_injected_failure_raises_runtime_error(
    served: Served, client: behavioralsignals.Client
) -> None:
    served.store.fail_next(-2, "Insufficient credits")
    process = client.behavioral.upload_audio(str(WAV))
    with pytest.raises(RuntimeError) as info:
        client.behavioral.wait_for_result(process.pid, timeout=30)
    assert str(info.value) == f"Process {process.pid} did not complete: Insufficient credits"


def test_undecodable_upload_fails(
    served: Served, client: behavioralsignals.Client, tmp_path: Path
) -> None:
    junk = tmp_path / "notes.txt"
    junk.write_text("not audio\n" * 50)
    process = client.behavioral.upload_audio(str(junk))
    with pytest.raises(RuntimeError) as info:
        client.behavioral.wait_for_result(process.pid, timeout=30)
    message = str(info.value)
    assert message.startswith(
        f"Process {process.pid} did not complete: Could not decode the audio file: "
    )
    item = client.behavioral.get_process(process.pid)
    assert item.is_failed and "\n" in (item.statusmsg or "")


# -- deepfakes (SDK 0.7.1 deepfakes.py) --------------------------------------------------------


def test_deepfake_audio(served: Served, client: behavioralsignals.Client) -> None:
    process = client.deepfakes.upload_audio(str(WAV), enable_generator_detection=True)
    result = client.deepfakes.wait_for_result(process.pid, timeout=30)
    assert_batch_order(result, (*BATCH_DEEPFAKE_TASKS, "generator"))
    verdicts = [r for r in result.results or [] if r.task == "deepfake"]
    assert verdicts and all(r.finalLabel in ("bonafide", "spoofed") for r in verdicts)
    form = requests_of(served, "/v5/detection/clients/1000/processes/audio")[0]["form"]
    assert form["enable_generator_detection"] == "True"


def test_deepfake_video(served: Served, client: behavioralsignals.Client) -> None:
    process = client.deepfakes.upload_video(str(MP4))
    assert process.name == MP4.name
    result = client.deepfakes.wait_for_video_result(process.pid, timeout=30)
    assert (result.pid, result.code) == (process.pid, 2)
    assert result.audio_results and {r.task for r in result.audio_results} <= {
        *BATCH_DEEPFAKE_TASKS,
        "generator",
    }
    assert any(r.task == "deepfake" for r in result.audio_results)
    assert result.video_results
    assert {r.task for r in result.video_results} == {"visual_deepfake"}
    listed = client.deepfakes.list_video_processes()
    assert [p.pid for p in listed] == [process.pid]
    assert client.deepfakes.get_video_process(process.pid).is_completed
    assert client.deepfakes.list_processes().total_count == 0


def test_deepfake_s3_video(
    served: Served, client: behavioralsignals.Client, file_server: str
) -> None:
    process = client.deepfakes.upload_s3_presigned_video_url(f"{file_server}/face.mp4")
    result = client.deepfakes.wait_for_video_result(process.pid, timeout=30)
    assert result.video_results


# -- the adapter itself (transport/http.py) ---------------------------------------------------


@pytest.fixture
def adapter() -> Iterator[tuple[str, Runtime, list[RestRequest]]]:
    """An endpoint whose handler echoes the parsed request (or raises on /boom)."""
    runtime = Runtime(seed=0)
    seen: list[RestRequest] = []

    def handler(request: RestRequest) -> RestResponse:
        seen.append(request)
        if request.path == "/boom":
            raise ValueError("bug")
        if request.path == "/not-json":
            return RestResponse(200, {1, 2})
        return RestResponse(200, {"ok": True}, {"X-Extra": "1"})

    endpoint, loop, thread = start_endpoint(handler, runtime, max_body=4096)
    try:
        yield f"http://127.0.0.1:{endpoint.port}", runtime, seen
    finally:
        stop_endpoint(endpoint, loop, thread)
        runtime.shutdown()


def test_adapter_parses_multipart_query_and_headers(
    adapter: tuple[str, Runtime, list[RestRequest]],
) -> None:
    base, runtime, seen = adapter
    response = requests.post(
        f"{base}/v5/x?a=1&a=2&b=",
        headers={"X-Auth-Token": "secret"},
        data={"name": "n", "embeddings": True},
        files={"file": ("f.bin", b"\x00\x01\x02")},
        timeout=10,
    )
    assert response.status_code == 200 and response.json() == {"ok": True}
    assert response.headers["X-Extra"] == "1"
    [request] = seen
    assert (request.method, request.path, dict(request.query)) == (
        "POST",
        "/v5/x",
        {"a": "1", "b": ""},
    )
    assert request.headers["x-auth-token"] == "secret"
    assert dict(request.form) == {"name": "n", "embeddings": "True"}
    assert request.files["file"].filename == "f.bin"
    assert request.files["file"].content == b"\x00\x01\x02"
    [entry] = runtime.journal.entries(kind="request")
    assert entry.connection == "behavioral-http-1" and entry.direction == "in"
    assert entry.data["headers"]["X-Auth-Token"] == "<redacted>"
    assert entry.data["files"] == {"file": {"filename": "f.bin", "size": 3}}
    [out] = runtime.journal.entries(kind="response")
    assert (out.direction, out.code, out.data) == ("out", 200, {"ok": True})


def test_adapter_json_bodies(adapter: tuple[str, Runtime, list[RestRequest]]) -> None:
    base, _, seen = adapter
    assert requests.post(f"{base}/j", json={"url": "u"}, timeout=10).status_code == 200
    assert seen[-1].json == {"url": "u"}
    bad = requests.post(
        f"{base}/j", data=b"{nope", headers={"Content-Type": "application/json"}, timeout=10
    )
    assert bad.status_code == 400
    assert bad.json() == {
        "code": 400,
        "message": "The request body is not valid JSON",
        "details": {},
    }
    assert len(seen) == 1
    text = requests.post(
        f"{base}/j", data=b"{nope", headers={"Content-Type": "text/plain"}, timeout=10
    )
    assert text.status_code == 200 and seen[-1].json is None


def test_adapter_body_limit_is_413(adapter: tuple[str, Runtime, list[RestRequest]]) -> None:
    base, runtime, seen = adapter
    response = requests.post(f"{base}/u", files={"file": ("a", b"\0" * 10_000)}, timeout=10)
    assert response.status_code == 413
    assert response.json() == {
        "code": 413,
        "message": "The request body exceeds the limit of 4096 bytes",
        "details": {},
    }
    assert seen == []
    assert [e.code for e in runtime.journal.entries(kind="response")] == [413]


def test_adapter_handler_errors_are_500_and_recorded(
    adapter: tuple[str, Runtime, list[RestRequest]],
) -> None:
    base, runtime, _ = adapter
    for path in ("/boom", "/not-json"):
        response = requests.get(f"{base}{path}", timeout=10)
        assert response.status_code == 500
        assert response.json() == {"code": 500, "message": "Internal server error", "details": {}}
    failures = runtime.take_failures()
    assert [type(exc).__name__ for _, exc in failures] == ["ValueError", "TypeError"]
    assert failures[0][0] == "behavioral http behavioral-http-1"
    assert runtime.connections() == []
