"""The Behavioral Signals REST router, sans-I/O (the endpoints SDK 0.7.1 calls)."""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pytest

from mockserver.core.clock import ManualClock
from mockserver.core.http import RestRequest, RestResponse, UploadedFile
from mockserver.core.rng import SeedSource
from mockserver.media.probe import MediaInfo
from mockserver.resources import fixture_path
from mockserver.scenario import ProcessOutcome, ProcessRule, ProcessWhen
from mockserver.vendors.behavioral.config import BehavioralSettings
from mockserver.vendors.behavioral.processes import Outcome, ProcessStore
from mockserver.vendors.behavioral.projects import Project, ProjectRegistry
from mockserver.vendors.behavioral.rest import EngineAnalyzer, RestApi, is_loopback_url
from mockserver.vendors.behavioral.results import InferenceResult, Prediction
from mockserver.vendors.behavioral.script import BehavioralScript, ProcessRuleState
from mockserver.vendors.behavioral.tasks import BATCH_BEHAVIORAL_TASKS, BATCH_DEEPFAKE_TASKS

from .file_server import serve_files

TOKEN = "tok"
OTHER_TOKEN = "other"
CID = 1000


def media(name: str) -> bytes:
    return fixture_path(f"media/{name}").read_bytes()


# -- a fake engine -------------------------------------------------------------------------


def _row(task: str, end: float, *, embedding: bool, label: str = "x") -> InferenceResult:
    return InferenceResult(
        id="0",
        start_time="0.000",
        end_time=f"{end:.3f}",
        task=task,
        prediction=(Prediction(label, "0.9"), Prediction("y", "0.1")),
        final_label=label,
        embedding="[0.1, 0.2]" if embedding and task in ("diarization", "features") else None,
        level="utterance",
    )


@dataclass
class FakeAnalyzer:
    """One utterance over the whole clip, one row per batch task (the real results' order)."""

    calls: list[dict[str, Any]] = field(default_factory=list)

    def analyse_batch(
        self,
        samples: npt.NDArray[np.float32],
        *,
        namespace: Literal["behavioral", "detection"],
        embeddings: bool,
        generator_detection: bool,
        speaking_rate_labels: int,
        seeds: SeedSource,
    ) -> list[InferenceResult]:
        assert samples.dtype == np.float32 and samples.ndim == 1
        self.calls.append(
            {
                "kind": "batch",
                "samples": len(samples),
                "namespace": namespace,
                "embeddings": embeddings,
                "generator_detection": generator_detection,
                "speaking_rate_labels": speaking_rate_labels,
            }
        )
        end = len(samples) / 16000
        tasks = BATCH_BEHAVIORAL_TASKS if namespace == "behavioral" else BATCH_DEEPFAKE_TASKS
        rows = [_row(t, end, embedding=embeddings) for t in tasks]
        if generator_detection:
            rows.append(_row("generator", end, embedding=False))
        return rows

    def analyse_video(
        self,
        raw: bytes,
        *,
        info: MediaInfo,
        embeddings: bool,
        generator_detection: bool,
        seeds: SeedSource,
    ) -> tuple[list[InferenceResult], list[InferenceResult]]:
        self.calls.append(
            {
                "kind": "video",
                "size": len(raw),
                "embeddings": embeddings,
                "generator_detection": generator_detection,
            }
        )
        audio = [_row("deepfake", 1.0, embedding=embeddings, label="bonafide")]
        video = [_row("visual_deepfake", 1.0, embedding=False, label="bonafide")]
        return audio, video


# -- harness -------------------------------------------------------------------------------


@dataclass
class Harness:
    api: RestApi
    store: ProcessStore
    clock: ManualClock
    analyzer: FakeAnalyzer
    fetched: list[str]

    def call(
        self,
        method: str,
        path: str,
        *,
        token: str | None = TOKEN,
        headers: Mapping[str, str] | None = None,
        query: Mapping[str, str] | None = None,
        json: Any = None,
        form: Mapping[str, str] | None = None,
        files: Mapping[str, UploadedFile] | None = None,
    ) -> RestResponse:
        all_headers = {"accept": "application/json", **(headers or {})}
        if token is not None:
            all_headers["X-Auth-Token"] = token
        return self.api.handle(
            RestRequest(
                method=method,
                path=path,
                query=query or {},
                headers=all_headers,
                json=json,
                form=form or {},
                files=files or {},
            )
        )

    def upload(
        self,
        content: bytes,
        *,
        prefix: str = "",
        kind: str = "audio",
        form: Mapping[str, str] | None = None,
        filename: str = "a.wav",
    ) -> RestResponse:
        fields = {"name": filename, "embeddings": "False", **(form or {})}
        return self.call(
            "POST",
            f"/v5/{prefix}clients/{CID}/processes/{kind}",
            form=fields,
            files={"file": UploadedFile(filename, content)},
        )

    def finish(self) -> None:
        self.clock.advance(10)


def make_harness(
    *,
    fetch: Callable[[str], bytes] | None = None,
    use_default_fetch: bool = False,
    **settings: Any,
) -> Harness:
    clock = ManualClock()
    store = ProcessStore(
        clock=clock,
        pending_s=1.0,
        running_s=2.0,
        wall_clock=lambda: dt.datetime(2026, 11, 21, 10, 0, tzinfo=dt.UTC),
    )
    fetched: list[str] = []

    def recording_fetch(url: str) -> bytes:
        fetched.append(url)
        if fetch is None:
            raise AssertionError("no fetch expected")
        return fetch(url)

    analyzer = FakeAnalyzer()
    api = RestApi(
        projects=ProjectRegistry([Project(CID, TOKEN), Project(2000, OTHER_TOKEN)]),
        store=store,
        settings=replace(BehavioralSettings(), **settings),
        seeds=SeedSource(0),
        analyzer=analyzer,
        fetch_url=None if use_default_fetch else recording_fetch,
    )
    return Harness(api, store, clock, analyzer, fetched)


@pytest.fixture
def h() -> Harness:
    return make_harness()


def assert_error(response: RestResponse, status: int, message_part: str = "") -> dict[str, Any]:
    assert response.status == status, response.body
    body = response.body
    assert set(body) == {"code", "message", "details"}
    assert body["code"] == status and isinstance(body["message"], str)
    assert message_part in body["message"]
    assert isinstance(body["details"], dict)
    return dict(body)


# -- status, auth, clients ---------------------------------------------------------------------


def test_status_needs_no_auth(h: Harness) -> None:
    assert h.call("GET", "/status", token=None) == RestResponse(200, {"status": "ok"})
    assert_error(h.call("POST", "/status", token=None), 405)
    assert_error(h.call("GET", "/v5/status"), 404)


def test_auth_ok_and_header_names_are_case_insensitive(h: Harness) -> None:
    ok = h.call("GET", "/v5/auth", headers={"X-Auth-Client": "1000"})
    assert ok == RestResponse(200, {"code": 200, "message": "Authorized"})
    lower = h.call(
        "GET", "/v5/auth", token=None, headers={"x-auth-token": TOKEN, "x-auth-client": "1000"}
    )
    assert lower.status == 200


def test_auth_errors(h: Harness) -> None:
    assert_error(h.call("GET", "/v5/auth", token="bad", headers={"X-Auth-Client": "1000"}), 401)
    body = assert_error(
        h.call("GET", "/v5/auth", token=None, headers={"X-Auth-Client": "1000"}), 401
    )
    assert body["message"] == "Authentication failed: Invalid credentials"
    missing_client = assert_error(h.call("GET", "/v5/auth"), 401)
    assert missing_client["details"] == {"reason": "missing X-Auth-Client"}
    assert_error(h.call("GET", "/v5/auth", headers={"X-Auth-Client": "2000"}), 403, "2000")
    assert_error(h.call("GET", "/v5/auth", headers={"X-Auth-Client": "abc"}), 403)


def test_client_endpoint(h: Harness) -> None:
    assert h.call("GET", "/v5/clients/1000") == RestResponse(
        200, {"cid": "1000", "name": "project-1000"}
    )
    assert_error(h.call("GET", "/v5/clients/2000"), 403)
    assert_error(h.call("GET", "/v5/clients/1000", token="nope"), 401)
    assert_error(h.call("GET", "/v5/clients/1000", token=None), 401)


@pytest.mark.parametrize(
    "path",
    [
        "/v5/clients/1000/processes",
        "/v5/clients/1000/processes/1",
        "/v5/clients/1000/processes/1/results",
        "/v5/detection/clients/1000/processes",
        "/v5/detection/clients/1000/processes/video",
        "/v5/detection/clients/1000/processes/video/1/results",
    ],
)
def test_every_endpoint_requires_the_token_of_the_path_project(h: Harness, path: str) -> None:
    assert_error(h.call("GET", path, token=None), 401)
    assert_error(h.call("GET", path, token="wrong"), 401)
    assert_error(h.call("GET", path, token=OTHER_TOKEN), 403)


@pytest.mark.parametrize(
    "path",
    [
        "/v5/clients/1000/processes/audio",
        "/v5/clients/1000/processes/s3-presigned-url",
        "/v5/detection/clients/1000/processes/audio",
        "/v5/detection/clients/1000/processes/s3-presigned-video-url",
    ],
)
def test_upload_endpoints_require_auth(h: Harness, path: str) -> None:
    assert_error(h.call("POST", path, token="wrong"), 401)
    assert_error(h.call("POST", path, token=OTHER_TOKEN), 403)


# -- routing ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/v5",
        "/v4/auth",
        "/v5/clients/1000/processes/abc",
        "/v5/clients/1000/processes/video",
        "/v5/clients/1000/processes/1/result",
        "/v5/detection/clients/1000/processes/video/x",
        "/v5/detection/clients/1000",
    ],
)
def test_unknown_routes_are_404(h: Harness, path: str) -> None:
    body = assert_error(h.call("GET", path), 404)
    assert body["message"] == f"No endpoint GET {path.rstrip('/') or '/'}"


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("POST", "/v5/auth", "GET"),
        ("GET", "/v5/clients/1000/processes/audio", "POST"),
        ("DELETE", "/v5/clients/1000/processes/1", "GET"),
        ("PUT", "/v5/detection/clients/1000/processes/video", "GET, POST"),
        ("GET", "/v5/detection/clients/1000/processes/s3-presigned-video-url", "POST"),
    ],
)
def test_wrong_method_is_405_with_allow(h: Harness, method: str, path: str, allow: str) -> None:
    response = h.call(method, path)
    assert_error(response, 405, method)
    assert response.headers == {"Allow": allow}


def test_trailing_slash_is_accepted(h: Harness) -> None:
    assert h.call("GET", "/v5/clients/1000/processes/").status == 200


# -- audio upload (SDK 0.7.1 upload_audio) ----------------------------------------------------


def test_upload_audio_lifecycle_and_results(h: Harness) -> None:
    wav = media("speech_pauses_16k.wav")
    response = h.upload(wav, form={"embeddings": "True", "meta": '{"speaker": "a"}'})
    assert response.status == 200
    assert response.body == {
        "pid": 1,
        "cid": CID,
        "name": "a.wav",
        "status": 0,
        "statusmsg": "Pending",
        "duration": 0.0,
        "datetime": "2026-11-21T10:00:00.000000Z",
        "meta": '{"speaker": "a"}',
    }
    early = h.call("GET", f"/v5/clients/{CID}/processes/1/results")
    body = assert_error(early, 400, "not completed")
    assert body["details"] == {"status": 0}
    h.clock.advance(1)
    assert h.call("GET", f"/v5/clients/{CID}/processes/1").body["status"] == 1
    assert_error(h.call("GET", f"/v5/clients/{CID}/processes/1/results"), 400)
    h.clock.advance(2)
    item = h.call("GET", f"/v5/clients/{CID}/processes/1")
    assert item.status == 200
    assert (item.body["status"], item.body["statusmsg"]) == (2, "Processing Complete.")
    assert item.body["duration"] > 3
    [call] = h.analyzer.calls
    assert call == {
        "kind": "batch",
        "samples": call["samples"],
        "namespace": "behavioral",
        "embeddings": True,
        "generator_detection": False,
        "speaking_rate_labels": 3,
    }
    assert call["samples"] == pytest.approx(item.body["duration"] * 16000, abs=16)
    results = h.call("GET", f"/v5/clients/{CID}/processes/1/results")
    assert results.status == 200
    assert set(results.body) == {"pid", "cid", "code", "message", "results"}
    assert (results.body["pid"], results.body["cid"]) == (1, CID)
    assert (results.body["code"], results.body["message"]) == (2, "Processing Complete")
    assert [r["task"] for r in results.body["results"]] == list(BATCH_BEHAVIORAL_TASKS)
    assert results.body["results"][1]["embedding"] == "[0.1, 0.2]"


def test_upload_name_defaults_to_filename_and_meta_null(h: Harness) -> None:
    response = h.call(
        "POST",
        f"/v5/clients/{CID}/processes/audio",
        files={"file": UploadedFile("clip.wav", media("speech_16k.wav"))},
    )
    assert (response.body["name"], response.body["meta"]) == ("clip.wav", None)


@pytest.mark.parametrize(
    ("text", "value"),
    [("True", True), ("False", False), ("true", True), ("false", False), ("TRUE", True)],
)
def test_form_booleans(h: Harness, text: str, value: bool) -> None:
    response = h.upload(
        media("speech_16k.wav"),
        prefix="detection/",
        form={"embeddings": text, "enable_generator_detection": text},
    )
    assert response.status == 200
    h.finish()
    h.call("GET", f"/v5/detection/clients/{CID}/processes/1")
    [call] = h.analyzer.calls
    assert (call["embeddings"], call["generator_detection"]) == (value, value)
    assert call["namespace"] == "detection"


@pytest.mark.parametrize("text", ["yes", "1", "", "Truee"])
@pytest.mark.parametrize("name", ["embeddings", "enable_generator_detection"])
def test_bad_form_booleans_are_400(h: Harness, text: str, name: str) -> None:
    response = h.upload(media("speech_16k.wav"), prefix="detection/", form={name: text})
    body = assert_error(response, 400, name)
    assert body["details"] == {"parameter": name}
    assert h.store.pids() == []


def test_behavioral_upload_ignores_generator_detection(h: Harness) -> None:
    response = h.upload(media("speech_16k.wav"), form={"enable_generator_detection": "maybe"})
    assert response.status == 200
    h.finish()
    h.call("GET", f"/v5/clients/{CID}/processes/1")
    assert h.analyzer.calls[0]["generator_detection"] is False


def test_deepfake_results_rows(h: Harness) -> None:
    h.upload(
        media("speech_16k.wav"), prefix="detection/", form={"enable_generator_detection": "True"}
    )
    h.finish()
    results = h.call("GET", f"/v5/detection/clients/{CID}/processes/1/results")
    tasks = [r["task"] for r in results.body["results"]]
    assert tasks == [*BATCH_DEEPFAKE_TASKS, "generator"]


def test_missing_file_is_400(h: Harness) -> None:
    response = h.call("POST", f"/v5/clients/{CID}/processes/audio", form={"name": "x"})
    assert_error(response, 400, "file")
    assert h.store.pids() == []


@pytest.mark.parametrize("meta", ["{bad", "", "{'a': 1}"])
def test_invalid_meta_is_400(h: Harness, meta: str) -> None:
    assert_error(h.upload(media("speech_16k.wav"), form={"meta": meta}), 400, "meta")


@pytest.mark.parametrize("meta", ['{"a": [1, 2]}', "[]", "3", '"text"', "null"])
def test_valid_meta_is_echoed_as_sent(h: Harness, meta: str) -> None:
    assert h.upload(media("speech_16k.wav"), form={"meta": meta}).body["meta"] == meta


def test_upload_over_the_limit_is_413(h: Harness) -> None:
    small = make_harness(max_upload_bytes=2048)
    body = assert_error(small.upload(b"\0" * 2049), 413, "2048")
    assert body["details"] == {"size": 2049}
    assert small.upload(b"\0" * 2048).status == 200


def test_undecodable_upload_fails_with_multiline_reason(h: Harness) -> None:
    response = h.upload(b"this is not audio at all" * 10)
    assert response.status == 200
    h.finish()
    item = h.call("GET", f"/v5/clients/{CID}/processes/1").body
    assert item["status"] == -1
    first, *rest = item["statusmsg"].split("\n")
    assert first == "Could not decode the audio file: the media could not be decoded"
    assert rest and all(line.startswith("ffmpeg: ") for line in rest)
    body = assert_error(h.call("GET", f"/v5/clients/{CID}/processes/1/results"), 400)
    assert body["message"] == f"Process 1 is not completed (status -1: {first})"
    assert body["details"] == {"status": -1}
    assert h.analyzer.calls == []


def test_empty_and_silent_video_uploads_fail(h: Harness) -> None:
    h.upload(b"")
    h.upload(media("face_silent.mp4"), filename="face_silent.mp4")
    h.finish()
    empty = h.call("GET", f"/v5/clients/{CID}/processes/1").body
    assert (empty["status"], empty["statusmsg"]) == (-1, "The file is empty")
    silent = h.call("GET", f"/v5/clients/{CID}/processes/2").body
    assert silent["status"] == -1
    assert silent["statusmsg"].startswith("Could not decode the audio file: the media has no audio")


def test_injected_failures_through_the_store(h: Harness) -> None:
    h.store.fail_next(-2, "Insufficient credits")
    h.upload(media("speech_16k.wav"))
    h.upload(media("speech_16k.wav"))
    h.finish()
    assert h.call("GET", f"/v5/clients/{CID}/processes/1").body["status"] == -2
    h.store.set_outcome(2, -3, "Server error while processing the audio\ntrace line")
    item = h.call("GET", f"/v5/clients/{CID}/processes/2").body
    assert (item["status"], item["statusmsg"]) == (
        -3,
        "Server error while processing the audio\ntrace line",
    )
    body = assert_error(h.call("GET", f"/v5/clients/{CID}/processes/2/results"), 400)
    assert body["message"].endswith("(status -3: Server error while processing the audio)")


class _RecordingExecutor(concurrent.futures.Executor):
    """Records the processes handed over for eager analysis and runs none of them."""

    def __init__(self) -> None:
        self.pids: list[int] = []

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> concurrent.futures.Future[Any]:
        self.pids.append(args[0].pid)
        return concurrent.futures.Future()


def test_scenario_outcomes_keep_the_job_from_being_scheduled() -> None:
    """A process a scenario rule fails or holds is never analysed (issue "scenarios")."""
    executor = _RecordingExecutor()
    clock = ManualClock()
    store = ProcessStore(clock=clock, pending_s=1.0, running_s=2.0, executor=executor)
    rules = [
        ProcessRule(ProcessOutcome(-2, "Insufficient credits"), ProcessWhen(name="bad.wav")),
        ProcessRule(ProcessOutcome(1), ProcessWhen(name="stuck.wav")),
    ]
    script = BehavioralScript(processes=[ProcessRuleState(rule) for rule in rules])
    api = RestApi(
        projects=ProjectRegistry([Project(CID, TOKEN)]),
        store=store,
        settings=BehavioralSettings(),
        seeds=SeedSource(0),
        analyzer=FakeAnalyzer(),
        script=lambda: script,
    )
    h = Harness(api, store, clock, FakeAnalyzer(), [])
    for name in ("bad.wav", "stuck.wav", "good.wav"):
        assert h.upload(media("speech_16k.wav"), filename=name).status == 200
    assert executor.pids == [3]
    h.finish()
    statuses = [h.call("GET", f"/v5/clients/{CID}/processes/{pid}").body for pid in (1, 2)]
    assert [(s["status"], s["statusmsg"]) for s in statuses] == [
        (-2, "Insufficient credits"),
        (1, "Processing"),
    ]


# -- get and list (SDK 0.7.1) -----------------------------------------------------------------


def test_unknown_or_foreign_pid_is_404(h: Harness) -> None:
    h.upload(media("speech_16k.wav"), prefix="detection/")  # pid 1, detection
    h.store.submit(
        cid=2000, namespace="behavioral", name=None, meta=None, job=lambda: Outcome.failed(-1, "x")
    )
    body = assert_error(h.call("GET", f"/v5/clients/{CID}/processes/99"), 404)
    assert body["message"] == "Process 99 not found"
    assert_error(h.call("GET", f"/v5/clients/{CID}/processes/1"), 404)  # other namespace
    assert_error(h.call("GET", f"/v5/clients/{CID}/processes/1/results"), 404)
    assert_error(h.call("GET", f"/v5/detection/clients/{CID}/processes/video/1"), 404)
    assert_error(h.call("GET", f"/v5/clients/{CID}/processes/2"), 404)  # other cid
    assert h.call("GET", f"/v5/detection/clients/{CID}/processes/1").status == 200
    assert h.call("GET", "/v5/clients/2000/processes/2", token=OTHER_TOKEN).status == 200


def test_list_is_a_bare_array_filtered_sorted_and_paged(h: Harness) -> None:
    for _ in range(3):
        h.upload(media("speech_16k.wav"))
    h.upload(media("speech_16k.wav"), prefix="detection/")
    listing = h.call("GET", f"/v5/clients/{CID}/processes")
    assert listing.status == 200 and isinstance(listing.body, list)
    assert [p["pid"] for p in listing.body] == [1, 2, 3]
    query = {"page": "0", "pageSize": "2", "sort": "desc"}
    assert [p["pid"] for p in h.call("GET", f"/v5/clients/{CID}/processes", query=query).body] == [
        3,
        2,
    ]
    query = {"page": "1", "pageSize": "2", "sort": "desc"}
    assert [p["pid"] for p in h.call("GET", f"/v5/clients/{CID}/processes", query=query).body] == [
        1
    ]
    dates = {"startDate": "2026-11-21", "endDate": "2026-11-22"}
    assert len(h.call("GET", f"/v5/clients/{CID}/processes", query=dates).body) == 3
    assert h.call("GET", f"/v5/clients/{CID}/processes", query={"endDate": "2026-11-21"}).body == []
    assert [p["pid"] for p in h.call("GET", f"/v5/detection/clients/{CID}/processes").body] == [4]
    assert h.call("GET", f"/v5/detection/clients/{CID}/processes/video").body == []


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("page", "-1"),
        ("page", "x"),
        ("pageSize", "0"),
        ("pageSize", "1001"),
        ("sort", "up"),
        ("startDate", "2026-1-1"),
        ("endDate", "2026-02-30"),
        ("endDate", "yesterday"),
    ],
)
def test_bad_list_query_is_400(h: Harness, name: str, value: str) -> None:
    response = h.call("GET", f"/v5/clients/{CID}/processes", query={name: value})
    body = assert_error(response, 400, name)
    assert body["details"] == {"parameter": name}


# -- S3 presigned URLs (SDK 0.7.1) ---------------------------------------------------------


def s3(h: Harness, body: Any, prefix: str = "", kind: str = "s3-presigned-url") -> RestResponse:
    return h.call("POST", f"/v5/{prefix}clients/{CID}/processes/{kind}", json=body)


@pytest.mark.parametrize(
    ("body", "part"),
    [
        (None, "JSON object"),
        ([], "JSON object"),
        ({}, "url"),
        ({"url": ""}, "url"),
        ({"url": 3}, "url"),
        ({"url": "http://127.0.0.1/a", "name": 5}, "name"),
        ({"url": "http://127.0.0.1/a", "embeddings": "maybe"}, "embeddings"),
        ({"url": "http://127.0.0.1/a", "meta": {"a": 1}}, "meta"),
        ({"url": "http://127.0.0.1/a", "meta": "{nope"}, "meta"),
    ],
)
def test_s3_body_validation(h: Harness, body: Any, part: str) -> None:
    assert_error(s3(h, body), 400, part)
    assert h.store.pids() == []


def test_s3_sdk_body_creates_process(h: Harness) -> None:
    wav = media("speech_16k.wav")
    ok = make_harness(fetch=lambda url: wav)
    body = {"url": "http://127.0.0.1:9/a.wav?X-Amz-Signature=s", "name": None, "embeddings": False}
    response = s3(ok, body)
    assert response.status == 200
    assert (response.body["name"], response.body["meta"], response.body["status"]) == (
        None,
        None,
        0,
    )
    assert ok.fetched == []  # downloaded when processing, not on submission
    ok.finish()
    assert ok.call("GET", f"/v5/clients/{CID}/processes/1").body["status"] == 2
    assert ok.fetched == ["http://127.0.0.1:9/a.wav?X-Amz-Signature=s"]


def failed_message(h: Harness, prefix: str = "", kind: str = "") -> str:
    h.finish()
    item = h.call("GET", f"/v5/{prefix}clients/{CID}/processes/{kind}1").body
    assert item["status"] == -1
    return str(item["statusmsg"])


def test_s3_policy_never_fetches_nothing() -> None:
    h = make_harness(s3_fetch="never", fetch=lambda url: b"")
    s3(h, {"url": "http://127.0.0.1/a.wav?sig=secret"})
    message = failed_message(h)
    assert message == (
        "Could not download the file: the emulator does not fetch presigned URLs "
        "(s3_fetch=never)\nurl: http://127.0.0.1/a.wav"
    )
    assert h.fetched == []


@pytest.mark.parametrize(
    "url", ["https://bucket.s3.amazonaws.com/a.wav", "http://10.0.0.1/a", "http://localhost.evil/x"]
)
def test_s3_policy_loopback_refuses_other_hosts(url: str) -> None:
    h = make_harness(s3_fetch="loopback", fetch=lambda url: b"")
    s3(h, {"url": url})
    assert failed_message(h).startswith(
        "Could not download the file: the emulator only fetches loopback URLs (s3_fetch=loopback)\n"
    )
    assert h.fetched == []


def test_s3_policy_any_fetches_other_hosts() -> None:
    wav = media("speech_16k.wav")
    h = make_harness(s3_fetch="any", fetch=lambda url: wav)
    s3(h, {"url": "https://bucket.s3.amazonaws.com/a.wav"})
    h.finish()
    assert h.call("GET", f"/v5/clients/{CID}/processes/1").body["status"] == 2
    assert h.fetched == ["https://bucket.s3.amazonaws.com/a.wav"]


@pytest.mark.parametrize("policy", ["any", "loopback"])
def test_s3_unsupported_schemes_are_never_fetched(policy: str) -> None:
    h = make_harness(s3_fetch=policy, fetch=lambda url: b"")
    s3(h, {"url": "file:///etc/passwd"})
    assert (
        failed_message(h) == "Could not download the file: unsupported URL\nurl: file:///etc/passwd"
    )
    assert h.fetched == []


def test_s3_fetch_error_and_oversize_fail_the_process() -> None:
    def boom(url: str) -> bytes:
        raise ConnectionRefusedError("connection refused")

    h = make_harness(fetch=boom)
    s3(h, {"url": "http://127.0.0.1:9/a.wav"})
    assert failed_message(h) == (
        "Could not download the file: connection refused\nurl: http://127.0.0.1:9/a.wav"
    )
    big = make_harness(fetch=lambda url: b"\0" * 5000, max_upload_bytes=4096)
    s3(big, {"url": "http://127.0.0.1:9/a.wav"})
    assert failed_message(big).startswith(
        "Could not download the file: it exceeds the limit of 4096"
    )


def test_is_loopback_url() -> None:
    assert is_loopback_url("http://127.0.0.1:8000/a")
    assert is_loopback_url("https://127.5.0.1/a")
    assert is_loopback_url("http://[::1]:80/a")
    assert is_loopback_url("http://localhost/a")
    assert not is_loopback_url("http://example.com/a")
    assert not is_loopback_url("ftp://127.0.0.1/a")
    assert not is_loopback_url("http:///a")


@pytest.fixture
def file_server() -> Iterator[str]:
    """A loopback HTTP server serving the media fixtures under /media/<name>."""
    files = {
        "/media/speech.wav": media("speech_pauses_16k.wav"),
        "/media/face.mp4": media("face_speech.mp4"),
    }
    with serve_files(files) as url:
        yield url


def test_s3_loopback_download_with_the_default_fetcher(file_server: str) -> None:
    h = make_harness(use_default_fetch=True)
    s3(h, {"url": f"{file_server}/media/speech.wav?X-Amz-Signature=abc", "embeddings": True})
    s3(h, {"url": f"{file_server}/media/missing.wav"})
    s3(h, {"url": f"{file_server}/redirect"})
    h.finish()
    ok = h.call("GET", f"/v5/clients/{CID}/processes/1").body
    assert ok["status"] == 2 and ok["duration"] > 3
    assert h.analyzer.calls[0]["embeddings"] is True
    missing = h.call("GET", f"/v5/clients/{CID}/processes/2").body
    assert (missing["status"], missing["statusmsg"]) == (
        -1,
        f"Could not download the file: HTTP 404 Not Found\nurl: {file_server}/media/missing.wav",
    )
    redirect = h.call("GET", f"/v5/clients/{CID}/processes/3").body
    assert redirect["status"] == -1
    assert redirect["statusmsg"].startswith("Could not download the file: HTTP 302")


# -- video (SDK 0.7.1 VideoResultResponse) --------------------------------------------------


def test_video_upload_and_results(h: Harness) -> None:
    mp4 = media("face_speech.mp4")
    response = h.upload(
        mp4, prefix="detection/", kind="video", filename="face.mp4", form={"embeddings": "true"}
    )
    assert response.status == 200 and response.body["pid"] == 1
    assert_error(h.call("GET", f"/v5/detection/clients/{CID}/processes/video/1/results"), 400)
    h.finish()
    item = h.call("GET", f"/v5/detection/clients/{CID}/processes/video/1").body
    assert item["status"] == 2 and item["duration"] > 0
    results = h.call("GET", f"/v5/detection/clients/{CID}/processes/video/1/results").body
    assert set(results) == {"pid", "cid", "code", "message", "audio_results", "video_results"}
    assert [r["task"] for r in results["audio_results"]] == ["deepfake"]
    assert [r["task"] for r in results["video_results"]] == ["visual_deepfake"]
    assert h.analyzer.calls == [
        {"kind": "video", "size": len(mp4), "embeddings": True, "generator_detection": False}
    ]
    assert_error(h.call("GET", f"/v5/detection/clients/{CID}/processes/1"), 404)
    listing = h.call("GET", f"/v5/detection/clients/{CID}/processes/video").body
    assert [p["pid"] for p in listing] == [1]
    assert h.call("GET", f"/v5/detection/clients/{CID}/processes").body == []


def test_video_endpoint_rejects_audio_only_files(h: Harness) -> None:
    h.upload(media("speech_16k.wav"), prefix="detection/", kind="video")
    h.upload(b"garbage" * 100, prefix="detection/", kind="video")
    h.finish()
    audio = h.call("GET", f"/v5/detection/clients/{CID}/processes/video/1").body
    assert audio["status"] == -1
    assert audio["statusmsg"].split("\n")[0] == (
        "Could not process the video: the file has no video stream"
    )
    garbage = h.call("GET", f"/v5/detection/clients/{CID}/processes/video/2").body
    assert garbage["status"] == -1
    assert garbage["statusmsg"].startswith("Could not decode the video file: ")
    assert h.analyzer.calls == []


def test_s3_video(file_server: str) -> None:
    h = make_harness(use_default_fetch=True)
    response = s3(
        h,
        {"url": f"{file_server}/media/face.mp4", "name": "v", "enable_generator_detection": True},
        prefix="detection/",
        kind="s3-presigned-video-url",
    )
    assert response.status == 200 and response.body["name"] == "v"
    h.finish()
    results = h.call("GET", f"/v5/detection/clients/{CID}/processes/video/1/results")
    assert results.status == 200
    assert h.analyzer.calls[0]["generator_detection"] is True


# -- streams are REST-visible (readme.io /docs/real-time-deepfake-detection) ------------------


def test_stream_process_is_listed_and_has_results(h: Harness) -> None:
    pid = h.store.open_stream(cid=CID, namespace="detection")
    item = h.call("GET", f"/v5/detection/clients/{CID}/processes/{pid}").body
    assert (item["status"], item["name"]) == (1, None)
    assert_error(h.call("GET", f"/v5/detection/clients/{CID}/processes/{pid}/results"), 400)
    rows = [_row("deepfake", 2.0, embedding=False)]
    h.store.close_stream(pid, results=rows, duration_s=2.0)
    results = h.call("GET", f"/v5/detection/clients/{CID}/processes/{pid}/results").body
    assert results["results"] == [rows[0].to_rest()]
    assert [p["pid"] for p in h.call("GET", f"/v5/detection/clients/{CID}/processes").body] == [pid]


# -- with the real engine ----------------------------------------------------------------------


def engine_harness() -> Harness:
    h = make_harness()
    h.api = RestApi(
        projects=ProjectRegistry([Project(CID, TOKEN)]),
        store=h.store,
        settings=BehavioralSettings(speaking_rate_labels=5),
        seeds=SeedSource(0),
        analyzer=EngineAnalyzer(),
    )
    return h


def test_real_engine_batch_rows_in_task_order() -> None:
    h = engine_harness()
    h.upload(media("speech_pauses_16k.wav"), form={"embeddings": "True"})
    h.upload(media("speech_pauses_16k.wav"), form={"embeddings": "True"})
    h.finish()
    first = h.call("GET", f"/v5/clients/{CID}/processes/1/results").body["results"]
    second = h.call("GET", f"/v5/clients/{CID}/processes/2/results").body["results"]
    assert first == second  # deterministic: same audio and seed, same rows
    assert {r["level"] for r in first} == {"utterance"}
    assert all(
        set(r)
        == {"id", "startTime", "endTime", "task", "prediction", "finalLabel", "level", "embedding"}
        for r in first
    )
    ids = list(dict.fromkeys(r["id"] for r in first))
    assert ids == [str(i) for i in range(len(ids))] and len(ids) >= 2
    for utterance in ids:
        tasks = [r["task"] for r in first if r["id"] == utterance]
        assert tasks == [t for t in BATCH_BEHAVIORAL_TASKS if t in tasks]
    rates = {p["label"] for r in first if r["task"] == "speaking_rate" for p in r["prediction"]}
    assert rates <= {"very slow", "slow", "normal", "fast", "very fast"}
    assert any(r["embedding"] for r in first if r["task"] == "diarization")


def test_real_engine_video() -> None:
    h = engine_harness()
    h.upload(media("face_speech.mp4"), prefix="detection/", kind="video")
    h.upload(media("face_silent.mp4"), prefix="detection/", kind="video")
    h.finish()
    speech = h.call("GET", f"/v5/detection/clients/{CID}/processes/video/1/results").body
    assert any(r["task"] == "deepfake" for r in speech["audio_results"])
    assert speech["video_results"]
    assert {r["task"] for r in speech["video_results"]} == {"visual_deepfake"}
    silent = h.call("GET", f"/v5/detection/clients/{CID}/processes/video/2/results").body
    assert silent["audio_results"] == [] and silent["video_results"]


def test_router_and_store_are_sans_io_and_light() -> None:
    code = (
        "import sys, mockserver.vendors.behavioral.rest, mockserver.vendors.behavioral.processes\n"
        "print(sorted(m for m in ('asyncio', 'aiohttp', 'grpc', 'websockets', 'numpy', 'av')"
        " if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
