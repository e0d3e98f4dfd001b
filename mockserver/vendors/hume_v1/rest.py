"""The HTTP endpoints of the Expression Measurement API v1 as a sans-I/O router.

:class:`RestApi` maps a :class:`~mockserver.core.http.RestRequest` to a
:class:`~mockserver.core.http.RestResponse`; ``transport/http.py`` serves it over aiohttp on
the same port as the realtime endpoints. Endpoints (``hume-expression-measurement`` 0.1.0
``audio/raw_client.py``, ``video/raw_client.py``, ``runs/raw_client.py``;
https://dev.hume.ai/expression-measurement/reference):

* ``POST /v1/expression/audio/file``: multipart, a ``file`` part (WAV or headerless
  16-bit PCM, 16 kHz, mono) and an optional JSON ``config`` part; the response lists the
  same utterances and measurements a realtime session would stream for the same audio;
* ``POST /v1/expression/video/file``: one or more JPEG ``file`` parts; one result per
  image in part order; every image is checked before any is measured; ``face_state``
  continues ``face_id`` numbering across requests for 24 hours;
* ``GET /v1/expression/run``, ``/run/{run_id}``, ``/run/{run_id}/events``: see
  :mod:`.runs`.

Checks run in this order: the credential (401 before anything else, body ``{message,
request_id?}``), the route (404), the method (405), the request (400, 413, 415). Errors are
``ErrorBody`` with a 32-hex-character ``request_id`` (docs example).
"""

from __future__ import annotations

import base64
import datetime as _dt
import hashlib
import hmac
import itertools
import json
import re
import threading
from collections.abc import Callable, Mapping
from typing import Any

from mockserver.core.http import RestRequest, RestResponse, UploadedFile
from mockserver.core.rng import SeedSource

from .codec import (
    AUDIO_FORMAT,
    ConfigProblem,
    FaceSettings,
    parse_audio_file_config,
    parse_video_file_config,
)
from .config import HumeV1Settings
from .errors import RequestFailure, auth_error_body, error_body
from .formats import BYTES_PER_MS, AudioFormatError, image_problem, is_jpeg, upload_pcm
from .handshake import API_KEY_HEADER, AUDIO_PATH, VIDEO_PATH, user_id_for
from .labels import LabelSet
from .runs import RunFilters, RunStore, parse_cursor

__all__ = ["FaceStateCodec", "RestApi"]

AUDIO_FILE_PATH = "/v1/expression/audio/file"
VIDEO_FILE_PATH = "/v1/expression/video/file"
RUNS_PATH = "/v1/expression/run"
_RUN = re.compile(r"^/v1/expression/run/(?P<run_id>[^/]+)(?P<events>/events)?$")
PAGE_SIZE_DEFAULT = 50
PAGE_SIZE_MAX = 200
FACE_STATE_TTL_S = 24 * 3600.0
_CHOICES = {
    "status": ("live", "ended", "errored"),
    "mode": ("realtime", "file"),
    "endpoint": ("audio", "video"),
}


class FaceStateCodec:
    """``face_state`` tokens: the face tracker's state, signed, with its issue time.

    A state "is accepted for 24 hours after it was issued. One that has expired, was
    altered, or was issued to another organization is ignored"
    (``types/video_file_config.py``). The emulator serves one organization per server.

    Args:
        secret: Signing key (derived from the seed).
        wall: Current UTC time.
    """

    def __init__(self, secret: bytes, wall: Callable[[], _dt.datetime]) -> None:
        self._secret = secret
        self._wall = wall

    def encode(self, state: Mapping[str, Any]) -> str:
        payload = json.dumps(
            {"v": 1, "iat": int(self._wall().timestamp()), "state": state},
            separators=(",", ":"),
        ).encode()
        body = base64.urlsafe_b64encode(payload).decode().rstrip("=")
        return f"{body}.{self._sign(body)}"

    def decode(self, token: str) -> Mapping[str, Any] | None:
        """The state, or None when the token is expired, altered or not ours."""
        body, _, signature = token.partition(".")
        if not hmac.compare_digest(signature, self._sign(body)):
            return None
        try:
            data = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        except ValueError:
            return None
        if not isinstance(data, dict) or not isinstance(data.get("state"), dict):
            return None
        issued = data.get("iat")
        if not isinstance(issued, int) or self._wall().timestamp() - issued > FACE_STATE_TTL_S:
            return None
        state: Mapping[str, Any] = data["state"]
        return state

    def _sign(self, body: str) -> str:
        digest = hmac.new(self._secret, body.encode(), hashlib.sha256).digest()[:16]
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")


class RestApi:
    """The v1 HTTP endpoints (module docstring).

    Args:
        settings: The emulator settings (keys, limits).
        labels: The label set in use.
        runs: The run store shared with the realtime sessions.
        seeds: Request ids, face-state key, scores.
        wall: Current UTC time (face-state expiry).
    """

    def __init__(
        self,
        *,
        settings: HumeV1Settings,
        labels: LabelSet,
        runs: RunStore,
        seeds: SeedSource,
        wall: Callable[[], _dt.datetime],
    ) -> None:
        self.settings = settings
        self.labels = labels
        self.runs = runs
        self._seeds = seeds
        self._keys = frozenset(settings.api_keys)
        self._face_state = FaceStateCodec(seeds.digest("hume_v1", "face_state_key"), wall)
        self._lock = threading.Lock()  # guards _requests
        self._requests = itertools.count(1)  # request numbers since the last reset

    def reset(self) -> None:
        """Request ids start again."""
        with self._lock:
            self._requests = itertools.count(1)

    def new_request_id(self) -> str:
        """A 32-hex-character request id (the next of this router's numbering)."""
        with self._lock:
            number = next(self._requests)
        return self._seeds.hex_id(16, "hume_v1", "request", number)

    # -- dispatch -----------------------------------------------------------------------

    def handle(self, request: RestRequest) -> RestResponse:
        """Answer one request."""
        request_id = self.new_request_id()
        key = request.headers.get(API_KEY_HEADER)
        if not key:
            message = f"Missing credential: send your API key in the {API_KEY_HEADER} header"
            return RestResponse(401, auth_error_body(message, None))
        if key not in self._keys:
            return RestResponse(401, auth_error_body("Invalid API key", request_id))
        try:
            return self._route(request, request_id, user_id_for(key))
        except RequestFailure as failure:
            body = error_body(failure.code, failure.message, request_id)
            return RestResponse(failure.status, body, failure.headers)

    def _route(self, request: RestRequest, request_id: str, user_id: str) -> RestResponse:
        path = request.path
        if path == AUDIO_FILE_PATH:
            self._allow(request, "POST")
            return self._audio_file(request, request_id, user_id)
        if path == VIDEO_FILE_PATH:
            self._allow(request, "POST")
            return self._video_file(request, request_id, user_id)
        if path == RUNS_PATH:
            self._allow(request, "GET")
            return self._list_runs(request)
        match = _RUN.match(path)
        if match is not None:
            self._allow(request, "GET")
            if match["events"]:
                return self._run_events(request, match["run_id"])
            return self._get_run(match["run_id"])
        if path in (AUDIO_PATH, VIDEO_PATH):
            self._allow(request, "GET")
            raise RequestFailure(
                "invalid_request", f"{path} is a WebSocket endpoint: open it with an upgrade"
            )
        raise RequestFailure("not_found", f"no endpoint at {request.method} {path}")

    @staticmethod
    def _allow(request: RestRequest, method: str) -> None:
        if request.method.upper() != method:
            raise RequestFailure(
                "method_not_allowed",
                f"{request.path} accepts {method}, not {request.method.upper()}",
                headers={"Allow": method},
            )

    # -- uploads ------------------------------------------------------------------------

    @staticmethod
    def _parts(request: RestRequest) -> tuple[list[UploadedFile], str | None]:
        """The ``file`` parts in order and the ``config`` text, or message_invalid."""
        content_type = request.headers.get("Content-Type", "")
        if not content_type.lower().startswith("multipart/form-data"):
            raise RequestFailure(
                "message_invalid",
                "the body could not be read: send multipart/form-data with a `file` part",
            )
        files = [part for part in request.parts if part.name == "file"]
        if not files:
            raise RequestFailure(
                "message_invalid", "the multipart body could not be read: it has no `file` part"
            )
        config = next((p for p in request.parts if p.name == "config"), None)
        if config is None:
            return files, request.form.get("config")
        try:
            return files, config.content.decode("utf-8")
        except UnicodeDecodeError:
            raise RequestFailure(
                "config_invalid", "the config part is not valid: it is not UTF-8 text"
            ) from None

    def _audio_file(self, request: RestRequest, request_id: str, user_id: str) -> RestResponse:
        files, config_text = self._parts(request)
        if len(files) > 1:
            raise RequestFailure(
                "message_invalid", f"the request has {len(files)} `file` parts; send one"
            )
        try:
            config = parse_audio_file_config(config_text)
        except ConfigProblem as problem:
            raise RequestFailure(
                "config_invalid", f"the config part is not valid: {problem.message}"
            ) from None
        data = files[0].content
        if len(data) > self.settings.max_upload_bytes:
            raise RequestFailure(
                "audio_too_long",
                f"the request is over {self.settings.max_upload_bytes} bytes",
            )
        try:
            pcm, _kind = upload_pcm(data)
        except AudioFormatError as exc:
            raise RequestFailure(exc.code, exc.message) from None
        run = self.runs.start(
            user_id=user_id,
            endpoint="audio",
            mode="file",
            config={
                "audio": dict(AUDIO_FORMAT),
                "measurement_timer_ms": config.measurement_timer_ms,
            },
        )
        try:
            utterances, measurements = self._measure_audio(pcm, config.measurement_timer_ms)
        except Exception:
            run.end(errored=True, billable=False)
            raise
        run.took(seconds=len(pcm) / (BYTES_PER_MS * 1000), size=len(data))
        run.end(errored=False)
        body = {
            "request_id": request_id,
            "run_id": run.run_id,
            "received": {"audio_duration_ms": len(pcm) // BYTES_PER_MS},
            "utterances": utterances,
            "measurements": measurements,
        }
        return RestResponse(200, body)

    def _measure_audio(
        self, pcm: bytes, timer_ms: int
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        from . import engine  # noqa: PLC0415  NumPy, PyAV: loaded on the first upload
        from .utterances import (  # noqa: PLC0415  NumPy (as above)
            Measured,
            UtteranceEnded,
            UtteranceTracker,
        )

        labels, seeds = self.labels, self._seeds

        def scorer(samples: Any, start_ms: int, end_ms: int) -> Any:
            return engine.score_audio(
                samples, start_ms=start_ms, end_ms=end_ms, labels=labels, seeds=seeds
            )

        tracker = UtteranceTracker(
            timer_ms=timer_ms, gap_ms=self.settings.utterance_gap_ms, scorer=scorer
        )
        events = tracker.push(pcm) + tracker.finish()
        utterances = [e.fields() for e in events if isinstance(e, UtteranceEnded)]
        measurements = [e.fields() for e in events if isinstance(e, Measured)]
        return utterances, measurements

    def _video_file(self, request: RestRequest, request_id: str, user_id: str) -> RestResponse:
        files, config_text = self._parts(request)
        try:
            config = parse_video_file_config(config_text)
        except ConfigProblem as problem:
            raise RequestFailure(
                "config_invalid", f"the config part is not valid: {problem.message}"
            ) from None
        total = sum(len(part.content) for part in files)
        if total > self.settings.max_upload_bytes:
            raise RequestFailure(
                "image_too_large", f"the request is over {self.settings.max_upload_bytes} bytes"
            )
        run = self.runs.start(
            user_id=user_id,
            endpoint="video",
            mode="file",
            config={"image": {"type": "image/jpeg"}, "face": config.face.to_json()},
        )
        try:
            self._check_images(files)
            measurements, state = self._measure_images(files, config.face, config.face_state)
        except BaseException:
            run.end(errored=True, billable=False)
            raise
        run.took(seconds=len(files) / 3.0, size=total)
        run.end(errored=False)
        body: dict[str, Any] = {
            "request_id": request_id,
            "run_id": run.run_id,
            "received": {"frames": len(files)},
            "measurements": measurements,
        }
        if config.return_face_state:
            body["face_state"] = self._face_state.encode(state)
        return RestResponse(200, body)

    def _check_images(self, files: list[UploadedFile]) -> None:
        """ "Every image is checked before any is measured. One bad image fails the whole
        request." """
        limit = self.settings.max_image_bytes
        for index, part in enumerate(files):
            if len(part.content) > limit:
                raise RequestFailure(
                    "image_too_large",
                    f"image {index} is {len(part.content)} bytes; the limit is {limit} bytes",
                )
            if not is_jpeg(part.content):
                raise RequestFailure(
                    "unsupported_media_type", f"image {index} is not a JPEG: send JPEG images"
                )
            problem = image_problem(part.content, max_pixels=self.settings.max_image_pixels)
            if problem is not None and problem.kind == "too_large":
                raise RequestFailure("image_too_large", f"image {index}: {problem.message}")
            if problem is not None:
                raise RequestFailure("image_decode_failed", f"image {index}: {problem.message}")

    def _measure_images(
        self, files: list[UploadedFile], face: FaceSettings, face_state: str | None
    ) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        from . import engine  # noqa: PLC0415  NumPy, OpenCV: loaded on the first upload

        tracker = engine.FaceTracker()
        if face_state:
            state = self._face_state.decode(face_state)
            if state is not None:
                try:
                    tracker = engine.FaceTracker.from_state(state)
                except ValueError:
                    tracker = engine.FaceTracker()
        measurements = []
        for index, part in enumerate(files):
            try:
                rgb = engine.decode_jpeg(part.content)
            except ValueError as exc:
                raise RequestFailure("image_decode_failed", f"image {index}: {exc}") from None
            result = engine.measure_image(
                rgb,
                face=face,
                tracker=tracker,
                labels=self.labels,
                seeds=self._seeds,
                max_measured=self.settings.max_faces_measured,
            )
            measurements.append({"frame_id": index, "faces": result.faces})
        return measurements, tracker.to_state()

    # -- runs ---------------------------------------------------------------------------

    @staticmethod
    def _page_size(query: Mapping[str, str]) -> int:
        raw = query.get("page_size")
        if raw is None:
            return PAGE_SIZE_DEFAULT
        if not raw.isdigit() or not 1 <= int(raw) <= PAGE_SIZE_MAX:
            raise RequestFailure(
                "invalid_request", f"page_size must be an integer from 1 to {PAGE_SIZE_MAX}"
            )
        return int(raw)

    @staticmethod
    def _cursor(query: Mapping[str, str], kind: str) -> int | None:
        raw = query.get("cursor")
        if raw is None or raw == "":
            return None
        try:
            return parse_cursor(kind, raw)
        except ValueError:
            raise RequestFailure(
                "invalid_request", "cursor is not a next_cursor this API returned"
            ) from None

    @staticmethod
    def _time(query: Mapping[str, str], name: str) -> _dt.datetime | None:
        raw = query.get(name)
        if raw is None:
            return None
        try:
            moment = _dt.datetime.fromisoformat(raw)
        except ValueError:
            raise RequestFailure(
                "invalid_request", f"{name} must be an RFC 3339 time, got {raw!r}"
            ) from None
        return moment if moment.tzinfo is not None else moment.replace(tzinfo=_dt.UTC)

    def _list_runs(self, request: RestRequest) -> RestResponse:
        query = request.query
        choices: dict[str, str | None] = {}
        for name, allowed in _CHOICES.items():
            value = query.get(name)
            if value is not None and value not in allowed:
                raise RequestFailure(
                    "invalid_request", f"{name} must be one of {', '.join(allowed)}"
                )
            choices[name] = value
        filters = RunFilters(
            user_id=query.get("user_id"),
            status=choices["status"],
            mode=choices["mode"],
            endpoint=choices["endpoint"],
            started_before=self._time(query, "started_before"),
            started_after=self._time(query, "started_after"),
        )
        runs, next_cursor = self.runs.page(
            filters, page_size=self._page_size(query), cursor=self._cursor(query, "runs")
        )
        body: dict[str, Any] = {"runs": runs}
        if next_cursor is not None:
            body["next_cursor"] = next_cursor
        return RestResponse(200, body)

    def _get_run(self, run_id: str) -> RestResponse:
        run = self.runs.get(run_id)
        if run is None:
            raise RequestFailure("not_found", f"no run with ID {run_id}")
        return RestResponse(200, run)

    def _run_events(self, request: RestRequest, run_id: str) -> RestResponse:
        page_size = self._page_size(request.query)
        cursor = self._cursor(request.query, "events")
        page = self.runs.events(run_id, page_size=page_size, cursor=cursor)
        if page is None:
            raise RequestFailure("not_found", f"no run with ID {run_id}")
        return RestResponse(200, page)
