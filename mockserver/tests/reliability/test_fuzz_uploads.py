"""Fuzzing multipart uploads: Behavioral Signals REST ``/v5`` and Hume v1 file uploads.

Any body gets a 2xx or a 4xx in the vendor's error shape (Behavioral Signals: ``{"code",
"message", "details"}``, behavioralsignals 0.7.1 ``APIError``; Hume v1: ``ErrorBody``,
``hume-expression-measurement`` 0.1.0 ``types/error_body.py``), never a 500, and a batch
process created from it ends with a documented status, never an internal failure.
"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mockserver.server import MockServer
from mockserver.vendors.hume_v1.errors import REQUEST_ERRORS

from .clients import multipart, rest_request
from .strategies import json_values, media_bytes, odd_text

pytestmark = [
    pytest.mark.fuzz,
    pytest.mark.filterwarnings("ignore::aiohttp.multipart.BadContentDispositionHeader"),
]

WIRE = settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
HUME_V1_CODES = frozenset(REQUEST_ERRORS) - {"internal_error"}

_header_safe = st.text(
    st.characters(codec="ascii", exclude_characters='"\r\n\\', min_codepoint=32), max_size=20
)
_part_data = st.one_of(
    media_bytes(),
    odd_text.map(lambda text: text.encode("utf-8")),
    json_values.map(lambda value: json.dumps(value).encode()),
    st.sampled_from([b"true", b"false", b"{}", b'{"measurement_timer_ms": 5000}', b"\xff\xfe"]),
)
_part = st.tuples(
    st.sampled_from(
        ["file", "config", "name", "meta", "embeddings", "enable_generator_detection", "x"]
    ),
    st.none() | _header_safe,
    st.none() | st.sampled_from(["audio/wav", "image/jpeg", "application/json", "text/plain"]),
    _part_data,
)


@st.composite
def bodies(draw: st.DrawFn) -> tuple[bytes, str]:
    """A multipart body (well-formed, with any parts) or garbage under a multipart type."""
    if draw(st.integers(0, 4)) == 0:
        boundary = draw(st.sampled_from(["b", "x" * 70, ""]))
        return draw(st.binary(max_size=300)), f"multipart/form-data; boundary={boundary}"
    return multipart(draw(st.lists(_part, max_size=4)))


def wait_for_behavioral_process(server: MockServer, path: str, pid: int) -> dict[str, Any]:
    """Poll a process until its analysis has ended (so that a failing job is seen)."""
    deadline = time.monotonic() + 30
    while True:
        status, body = rest_request(server, "GET", f"{path}/{pid}")
        assert status == 200, body
        if body["status"] not in (0, 1) or time.monotonic() > deadline:
            return dict(body)
        time.sleep(0.01)


def check_behavioral_error(status: int, body: Any) -> None:
    __tracebackhide__ = True
    assert 400 <= status < 500, (status, body)
    assert isinstance(body, dict) and set(body) == {"code", "message", "details"}, body
    assert body["code"] == status


def check_hume_v1_error(status: int, body: Any) -> None:
    __tracebackhide__ = True
    assert 400 <= status < 500, (status, body)
    assert isinstance(body, dict) and body.get("type") == "error", body
    assert body["code"] in HUME_V1_CODES and body["request_id"], body


def test_the_error_checks_can_fail() -> None:
    with pytest.raises(AssertionError):
        check_behavioral_error(500, {"code": 500, "message": "x", "details": {}})
    with pytest.raises(AssertionError):
        check_hume_v1_error(400, {"type": "error", "code": "internal_error", "request_id": "r"})


@WIRE
@given(
    path=st.sampled_from(
        [
            "/v5/clients/{cid}/processes/audio",
            "/v5/detection/clients/{cid}/processes/audio",
            "/v5/detection/clients/{cid}/processes/video",
        ]
    ),
    body=bodies(),
)
def test_behavioral_uploads_never_fail_the_server(
    server: MockServer, path: str, body: tuple[bytes, str]
) -> None:
    content, content_type = body
    url = path.format(cid=server.behavioral.cid)
    status, reply = rest_request(
        server, "POST", url, body=content, headers={"Content-Type": content_type}
    )
    if status == 200:
        processes = url.removesuffix("/audio")  # video processes live under .../video
        process = wait_for_behavioral_process(server, processes, reply["pid"])
        assert process["status"] in (2, -1), process  # complete, or failed (bad media)
    else:
        check_behavioral_error(status, reply)
    server.check()


@WIRE
@given(
    path=st.sampled_from(["/v1/expression/audio/file", "/v1/expression/video/file"]),
    body=bodies(),
)
def test_hume_v1_uploads_never_fail_the_server(
    server: MockServer, path: str, body: tuple[bytes, str]
) -> None:
    content, content_type = body
    headers = {"Content-Type": content_type, "X-Hume-Api-Key": server.hume_v1.api_key}
    status, reply = rest_request(
        server, "POST", path, body=content, headers=headers, port=server.hume_v1.port
    )
    if status != 200:
        check_hume_v1_error(status, reply)
    server.check()
