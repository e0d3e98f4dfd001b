"""The HTTP router (uploads, runs, errors) and the run store, without sockets."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pytest
from PIL import Image

from mockserver.resources import fixture_path
from mockserver.vendors.hume_v1.errors import REQUEST_ERRORS
from mockserver.vendors.hume_v1.handshake import user_id_for
from mockserver.vendors.hume_v1.runs import RunFilters, parse_cursor

from .harness import KEY, Backend, get, jpeg_fixture, pcm_fixture, upload

AUDIO = "/v1/expression/audio/file"
VIDEO = "/v1/expression/video/file"
WAV = fixture_path("media/speech_pauses_16k.wav").read_bytes()
FACE = jpeg_fixture("face.jpg")
TWO_FACES = jpeg_fixture("two_faces.png")


def shifted_face() -> bytes:
    """``face.jpg`` pasted 400 px to the right on a wider canvas."""

    with Image.open(io.BytesIO(FACE)) as face:
        canvas = Image.new("RGB", (800, 320), (128, 128, 128))
        canvas.paste(face, (400, 0))
    out = io.BytesIO()
    canvas.save(out, "JPEG", quality=90)
    return out.getvalue()


def audio_upload(data: bytes = WAV, config: str | None = None) -> Any:
    return upload(AUDIO, [("speech.wav", data, "audio/wav")], config=config)


def video_upload(*images: bytes, config: str | None = None) -> Any:
    return upload(VIDEO, [(f"{i}.jpg", img, "image/jpeg") for i, img in enumerate(images)],
                  config=config)  # fmt: skip


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status == status, response.body
    body: dict[str, Any] = response.body
    assert set(body) == {"type", "code", "message", "request_id"}
    assert body["type"] == "error" and body["code"] == code
    assert REQUEST_ERRORS[code].status == status
    assert len(body["request_id"]) == 32 and int(body["request_id"], 16) >= 0
    return body


# -- credentials, routes, methods -----------------------------------------------------------


def test_401_bodies_carry_a_message_and_a_request_id_only_for_a_rejected_key() -> None:
    rest = Backend().rest
    missing = rest.handle(get("/v1/expression/run", key=None))
    assert missing.status == 401 and set(missing.body) == {"message"}
    wrong = rest.handle(get("/v1/expression/nowhere", key="wrong"))
    assert wrong.status == 401 and set(wrong.body) == {"message", "request_id"}


def test_unknown_paths_methods_and_plain_gets_on_realtime_paths() -> None:
    rest = Backend().rest
    assert_error(rest.handle(get("/v1/expression/face/file")), 404, "not_found")
    response = rest.handle(upload("/v1/expression/run", method="DELETE"))
    assert_error(response, 405, "method_not_allowed")
    assert response.headers == {"Allow": "GET"}
    assert_error(rest.handle(get(AUDIO)), 405, "method_not_allowed")
    body = assert_error(rest.handle(get("/v1/expression/audio/realtime")), 400, "invalid_request")
    assert "WebSocket" in body["message"]


# -- audio upload ---------------------------------------------------------------------------


def test_audio_upload_returns_utterances_and_measurements_and_records_a_run() -> None:
    backend = Backend()
    response = backend.rest.handle(audio_upload())
    assert response.status == 200
    body = response.body
    assert set(body) == {"request_id", "run_id", "received", "utterances", "measurements"}
    assert body["received"] == {
        "audio_duration_ms": len(pcm_fixture("speech_pauses_16k.wav")) // 32
    }
    assert [u["utterance_id"] for u in body["utterances"]] == [0, 1]
    assert all("type" not in m for m in body["measurements"])
    assert {m["trigger"] for m in body["measurements"]} <= {"interval", "speech_ended"}
    run = backend.runs.get(body["run_id"])
    assert run is not None
    assert (run["mode"], run["endpoint"], run["status"]) == ("file", "audio", "ended")
    assert run["metered_seconds"] == 10.0 and run["bytes_received"] == len(WAV)
    assert run["user_id"] == user_id_for(KEY)
    assert "close_code" not in run
    # headerless samples give the same measurements
    raw = backend.rest.handle(upload(AUDIO, [("a.pcm", pcm_fixture("speech_pauses_16k.wav"),
                                              "application/octet-stream")]))  # fmt: skip
    assert raw.body["measurements"] == body["measurements"]


def test_audio_upload_config_changes_the_timer() -> None:
    rest = Backend().rest
    long_speech = fixture_path("media/speech_long_16k.wav").read_bytes()
    default = rest.handle(audio_upload(long_speech)).body["measurements"]
    slower = rest.handle(audio_upload(long_speech, '{"measurement_timer_ms": 5000}'))
    ends = [m["audio_end_ms"] - m["audio_start_ms"] for m in slower.body["measurements"]]
    assert len(default) == 2 and ends[0] == 5000


@pytest.mark.parametrize(
    ("data", "config", "status", "code"),
    [
        (fixture_path("media/speech.mp3").read_bytes(), None, 415, "unsupported_media_type"),
        (b"\0" * 3, None, 400, "audio_decode_failed"),
        (b"", None, 400, "audio_decode_failed"),
        (fixture_path("media/speech_pauses_8k.wav").read_bytes(), None, 400, "audio_decode_failed"),
        (WAV, '{"timer_ms": 3000}', 400, "config_invalid"),
        (WAV, "{", 400, "config_invalid"),
    ],
)
def test_audio_upload_errors_create_no_run(
    data: bytes, config: str | None, status: int, code: str
) -> None:
    backend = Backend()
    body = assert_error(backend.rest.handle(audio_upload(data, config)), status, code)
    if config == '{"timer_ms": 3000}':
        assert body["message"] == (
            "the config part is not valid: unknown field `timer_ms`, expected "
            "`measurement_timer_ms` at line 1 column 11"
        )
    assert backend.runs.page(RunFilters(), page_size=50, cursor=None) == ([], None)


def test_unreadable_upload_bodies_are_message_invalid() -> None:
    rest = Backend().rest
    assert_error(rest.handle(upload(AUDIO, [], config="{}")), 400, "message_invalid")
    not_multipart = upload(AUDIO, [("a", WAV, None)], multipart=False)
    assert_error(rest.handle(not_multipart), 400, "message_invalid")
    two = upload(AUDIO, [("a", WAV, None), ("b", WAV, None)])
    assert_error(rest.handle(two), 400, "message_invalid")


def test_audio_over_the_size_limit_is_audio_too_long() -> None:
    rest = Backend(max_upload_bytes=50_000).rest
    assert_error(rest.handle(audio_upload()), 413, "audio_too_long")


# -- video upload ---------------------------------------------------------------------------


def test_video_upload_measures_each_image_in_part_order() -> None:
    backend = Backend()
    response = backend.rest.handle(video_upload(FACE, TWO_FACES, jpeg_fixture("no_face.png")))
    assert response.status == 200
    body = response.body
    assert body["received"] == {"frames": 3} and "face_state" not in body
    assert [m["frame_id"] for m in body["measurements"]] == [0, 1, 2]
    assert [len(m["faces"]) for m in body["measurements"]] == [1, 2, 0]
    run = backend.runs.get(body["run_id"])
    assert run is not None and run["config"]["face"] == {"threshold": 0.9, "min_size": 60}
    assert run["metered_seconds"] == 10.0


def test_face_state_continues_face_ids_across_requests_for_24_hours() -> None:
    backend = Backend()
    config = json.dumps({"face": {"return_face_state": True}})
    first = backend.rest.handle(video_upload(TWO_FACES, config=config)).body
    state = first["face_state"]
    follow = json.dumps({"face_state": state})
    again = backend.rest.handle(video_upload(TWO_FACES, config=follow)).body
    assert [f["face_id"] for f in again["measurements"][0]["faces"]] == [0, 1]
    moved = shifted_face()  # another position: a new face, numbered after 0 and 1
    later = backend.rest.handle(video_upload(moved, config=follow)).body
    assert later["measurements"][0]["faces"][0]["face_id"] == 2
    fresh = backend.rest.handle(video_upload(moved)).body
    assert fresh["measurements"][0]["faces"][0]["face_id"] == 0
    altered = json.dumps({"face_state": state[:-2] + ("AA" if state[-2:] != "AA" else "BB")})
    ignored = backend.rest.handle(video_upload(moved, config=altered)).body
    assert ignored["measurements"][0]["faces"][0]["face_id"] == 0
    backend.clock.advance(24 * 3600 + 1)
    expired = backend.rest.handle(video_upload(moved, config=follow)).body
    assert expired["measurements"][0]["faces"][0]["face_id"] == 0


def test_one_bad_image_fails_the_whole_request_and_errors_the_run() -> None:
    backend = Backend(max_image_bytes=100_000)
    png = fixture_path("media/face.png").read_bytes()
    assert_error(backend.rest.handle(video_upload(FACE, png)), 415, "unsupported_media_type")
    assert_error(backend.rest.handle(video_upload(b"\xff\xd8\xff" + b"\0" * 100_000)), 413,
                 "image_too_large")  # fmt: skip
    assert_error(backend.rest.handle(video_upload(FACE[:3000])), 400, "image_decode_failed")
    runs, _ = backend.runs.page(RunFilters(), page_size=50, cursor=None)
    assert [(r["status"], r["metered_seconds"]) for r in runs] == [("errored", 0.0)] * 3
    small = Backend(max_image_pixels=1000)
    assert_error(small.rest.handle(video_upload(FACE)), 413, "image_too_large")
    assert_error(Backend().rest.handle(video_upload(FACE, config='{"face": 1}')), 400,
                 "config_invalid")  # fmt: skip


# -- runs -----------------------------------------------------------------------------------


def test_runs_list_newest_first_with_filters_and_paging() -> None:
    backend = Backend()
    ids = []
    for _ in range(3):
        ids.append(backend.rest.handle(audio_upload()).body["run_id"])
        backend.clock.advance(60)
    ids.append(backend.rest.handle(video_upload(FACE)).body["run_id"])
    live = backend.audio()
    ids.append(live.session.session_id)
    listing = backend.rest.handle(get("/v1/expression/run")).body
    assert [r["run_id"] for r in listing["runs"]] == ids[::-1] and "next_cursor" not in listing
    first = backend.rest.handle(get("/v1/expression/run", {"page_size": "2"})).body
    assert [r["run_id"] for r in first["runs"]] == ids[:2:-1]
    second = backend.rest.handle(
        get("/v1/expression/run", {"page_size": "2", "cursor": first["next_cursor"]})
    ).body
    assert [r["run_id"] for r in second["runs"]] == ids[2:0:-1]
    for query, expected in (
        ({"endpoint": "video"}, [ids[3]]),
        ({"mode": "realtime"}, [ids[4]]),
        ({"status": "live"}, [ids[4]]),
        ({"user_id": "someone-else"}, []),
    ):
        runs = backend.rest.handle(get("/v1/expression/run", query)).body["runs"]
        assert [r["run_id"] for r in runs] == expected, query
    started = [r["started_at"] for r in listing["runs"]][::-1]
    boundary = started[1]
    before = backend.rest.handle(get("/v1/expression/run", {"started_before": boundary})).body
    after = backend.rest.handle(get("/v1/expression/run", {"started_after": boundary})).body
    assert [r["run_id"] for r in before["runs"]] == [ids[0]]  # exclusive
    assert ids[1] in [r["run_id"] for r in after["runs"]]  # inclusive
    assert len(before["runs"]) + len(after["runs"]) == len(ids)  # neither skipped nor repeated


@pytest.mark.parametrize(
    "query",
    [
        {"page_size": "0"},
        {"page_size": "201"},
        {"page_size": "x"},
        {"status": "done"},
        {"mode": "batch"},
        {"endpoint": "text"},
        {"cursor": "not-a-cursor"},
        {"started_before": "yesterday"},
    ],
)
def test_bad_list_queries_are_invalid_request(query: dict[str, str]) -> None:
    assert_error(Backend().rest.handle(get("/v1/expression/run", query)), 400, "invalid_request")


def test_run_get_and_events_with_paging_cap_and_404() -> None:
    backend = Backend(run_event_cap=3)
    audio = backend.audio()
    for _ in range(5):
        audio.binary(b"\0" * 3)
    rid = audio.session.session_id
    run = backend.rest.handle(get(f"/v1/expression/run/{rid}")).body
    assert run["status"] == "live" and run["ended_at"] is None and run["bytes_received"] is None
    assert run["config"] == {
        "schema": "v4",
        "audio": {"type": "audio/pcm", "encoding": "s16le", "sample_rate": 16000, "channels": 1},
        "measurement_timer_ms": 3000,
    }
    page = backend.rest.handle(get(f"/v1/expression/run/{rid}/events", {"page_size": "2"})).body
    assert [e["seq"] for e in page["events"]] == [1, 2]
    assert page["at_cap"] is True and page["capped_kinds"] == ["invalid_audio_frame"]
    rest = backend.rest.handle(
        get(f"/v1/expression/run/{rid}/events", {"cursor": page["next_cursor"]})
    ).body
    assert [e["seq"] for e in rest["events"]] == [3] and "next_cursor" not in rest
    dt.datetime.fromisoformat(rest["events"][0]["at"])
    assert_error(backend.rest.handle(get("/v1/expression/run/nope")), 404, "not_found")
    assert_error(backend.rest.handle(get("/v1/expression/run/nope/events")), 404, "not_found")


def test_a_silent_live_run_reads_errored_until_heard_from_again() -> None:
    backend = Backend()
    audio = backend.audio()
    rid = audio.session.session_id
    backend.clock.advance(299)
    assert (backend.runs.get(rid) or {})["status"] == "live"
    backend.clock.advance(2)
    silent = backend.runs.get(rid) or {}
    assert silent["status"] == "errored" and silent["ended_at"] is not None
    audio.binary(b"\0" * 320)
    assert (backend.runs.get(rid) or {})["status"] == "live"


def test_cursors_belong_to_their_list() -> None:
    backend = Backend()
    for _ in range(2):
        backend.rest.handle(video_upload(FACE))
    cursor = backend.rest.handle(get("/v1/expression/run", {"page_size": "1"})).body["next_cursor"]
    assert parse_cursor("runs", cursor) >= 1
    with pytest.raises(ValueError):
        parse_cursor("events", cursor)


def test_reset_forgets_runs_and_request_ids_repeat() -> None:
    backend = Backend()
    first = backend.rest.handle(video_upload(FACE)).body
    backend.runs.reset()
    backend.rest.reset()
    again = backend.rest.handle(video_upload(FACE)).body
    assert (again["request_id"], again["run_id"]) == (first["request_id"], first["run_id"])
    assert len(backend.runs.page(RunFilters(), page_size=5, cursor=None)[0]) == 1
