"""The Behavioral Signals REST batch API v5 as a sans-I/O router.

The endpoints behavioralsignals 0.7.1 calls, plus ``/v5/clients/{cid}`` and ``/status`` from
the docs.

:class:`RestApi` maps a :class:`~mockserver.core.http.RestRequest` to a
:class:`~mockserver.core.http.RestResponse`; ``transport/http.py`` serves it over aiohttp under
``http://HOST:PORT/v5``. Every success is HTTP 200 with a JSON body (SDK 0.7.1
``_handle_response`` treats anything else as an error); every error is ``{"code", "message",
"details"}`` (SDK 0.7.1 ``APIError``) with the HTTP status in ``code``.

Checks run in this order: route (404 ``route_not_found``), method (405), authentication
(401 unknown token, 403 token of another project), request validation (400, 413), then the
process lookup (404 ``process_not_found``, also for a pid of another cid or namespace).

Uploads are only validated here; decoding and analysis run later as the process's job
(see :mod:`.processes`), so an undecodable file or an unreachable presigned URL still
creates a process, which then fails with status -1 and a multi-line ``statusmsg`` whose
first line says why (SDK 0.7.1 ``mcp_server.py``: "Keep the reason's first line").
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import ipaddress
import json
import re
import urllib.request
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Literal, Protocol
from urllib.parse import urlsplit

from mockserver.core.http import RestRequest, RestResponse, UploadedFile
from mockserver.core.rng import SeedSource
from mockserver.core.router import MethodNotAllowed, NotFound, Router
from mockserver.media.errors import MediaError

from .config import BehavioralSettings
from .errors import RestError
from .processes import (
    COMPLETED,
    FAILED,
    PENDING,
    PROCESSING,
    Job,
    Namespace,
    Outcome,
    ProcessStore,
    ProcessView,
)
from .projects import ProjectRegistry
from .results import InferenceResult
from .tasks import MODEL_RATE

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from mockserver.media.probe import MediaInfo

    from .script import BehavioralScript

__all__ = [
    "AUTH_CLIENT_HEADER",
    "AUTH_TOKEN_HEADER",
    "Analyzer",
    "EngineAnalyzer",
    "RestApi",
    "RestRequest",
    "RestResponse",
    "UploadedFile",
    "fetch_http",
    "is_loopback_url",
]

AUTH_TOKEN_HEADER = "X-Auth-Token"
AUTH_CLIENT_HEADER = "X-Auth-Client"
FETCH_TIMEOUT_S = 30.0  # presigned-URL downloads


class Analyzer(Protocol):
    """The batch analysis engine (``vendors/behavioral/engine.py``), injectable for tests."""

    def analyse_batch(
        self,
        samples: npt.NDArray[np.float32],
        *,
        namespace: Literal["behavioral", "detection"],
        embeddings: bool,
        generator_detection: bool,
        speaking_rate_labels: int,
        seeds: SeedSource,
    ) -> list[InferenceResult]: ...

    def analyse_video(
        self,
        raw: bytes,
        *,
        info: MediaInfo,
        embeddings: bool,
        generator_detection: bool,
        seeds: SeedSource,
    ) -> tuple[list[InferenceResult], list[InferenceResult]]: ...


class EngineAnalyzer:
    """:class:`Analyzer` backed by :mod:`.engine` (imported on first use: NumPy, PyAV)."""

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
        from . import engine  # noqa: PLC0415  NumPy, PyAV: loaded on the first analysis

        return engine.analyse_batch(
            samples,
            namespace=namespace,
            embeddings=embeddings,
            generator_detection=generator_detection,
            speaking_rate_labels=speaking_rate_labels,
            seeds=seeds,
        )

    def analyse_video(
        self,
        raw: bytes,
        *,
        info: MediaInfo,
        embeddings: bool,
        generator_detection: bool,
        seeds: SeedSource,
    ) -> tuple[list[InferenceResult], list[InferenceResult]]:
        from . import engine  # noqa: PLC0415  (as above)

        return engine.analyse_video(
            raw,
            info=info,
            embeddings=embeddings,
            generator_detection=generator_detection,
            seeds=seeds,
        )


def is_loopback_url(url: str) -> bool:
    """True if ``url`` is http(s) and its host is ``localhost`` or a loopback IP literal."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return False
    if parts.hostname == "localhost":
        return True
    try:
        return ipaddress.ip_address(parts.hostname).is_loopback
    except ValueError:
        return False


def fetch_http(url: str, *, limit: int, timeout: float = FETCH_TIMEOUT_S) -> bytes:
    """Download ``url`` with urllib: no proxies, no redirects, at most ``limit`` bytes read.

    Raises:
        OSError: Any network or HTTP error (``urllib.error.HTTPError`` for non-2xx).
    """

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any, **kwargs: Any) -> None:
            return None  # a 3xx then raises HTTPError, so policy checks cannot be bypassed

    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())
    with opener.open(url, timeout=timeout) as response:
        data: bytes = response.read(limit)
    return data


_Handler = Callable[[RestRequest, Mapping[str, str]], RestResponse]


class _JobFailure(Exception):
    """Ends a job with status -1 and this (possibly multi-line) statusmsg."""


class RestApi:
    """Every endpoint SDK 0.7.1 calls (both namespaces) plus ``/v5/clients/{cid}`` and ``/status``.

    Args:
        projects: Accepted cid/token pairs.
        store: The process store shared with the gRPC streams.
        settings: ``s3_fetch``, ``max_upload_bytes``, ``speaking_rate_labels`` are used.
        seeds: Seed source handed to the analyzer.
        analyzer: The batch engine (:class:`EngineAnalyzer` in the served emulator).
        fetch_url: Downloads a presigned URL (default :func:`fetch_http`); called only for
            URLs the ``s3_fetch`` policy allows.
        script: Returns the active scenarios' Behavioral Signals script, or None (read at
            submission: scripted batch results and process outcomes).
    """

    def __init__(
        self,
        *,
        projects: ProjectRegistry,
        store: ProcessStore,
        settings: BehavioralSettings,
        seeds: SeedSource,
        analyzer: Analyzer,
        fetch_url: Callable[[str], bytes] | None = None,
        script: Callable[[], BehavioralScript | None] | None = None,
    ) -> None:
        self._projects = projects
        self._store = store
        self._settings = settings
        self._seeds = seeds
        self._analyzer = analyzer
        self._fetch_url = fetch_url or self._default_fetch
        self._routes = self._build_routes()
        self._script = script  # scenario hook: scripted results and outcomes provider

    def _default_fetch(self, url: str) -> bytes:
        return fetch_http(url, limit=self._settings.max_upload_bytes + 1)

    def _build_routes(self) -> Router[_Handler]:
        router: Router[_Handler] = Router()
        beh = "/v5/clients/{cid}/processes"
        det = "/v5/detection/clients/{cid}/processes"
        pid = "{pid:[0-9]+}"
        router.add("/status", {"GET": self._status})
        router.add("/v5/auth", {"GET": self._auth})
        router.add("/v5/clients/{cid}", {"GET": self._client})
        for base, namespace in ((beh, "behavioral"), (det, "detection")):
            ns: Namespace = "behavioral" if namespace == "behavioral" else "detection"
            router.add(base, {"GET": self._lister(ns)})
            router.add(base + "/audio", {"POST": self._uploader(ns)})
            router.add(base + "/s3-presigned-url", {"POST": self._s3_submitter(ns)})
            router.add(f"{base}/{pid}", {"GET": self._getter(ns)})
            router.add(f"{base}/{pid}/results", {"GET": self._results(ns)})
        video: Namespace = "detection_video"
        router.add(det + "/video", {"GET": self._lister(video), "POST": self._uploader(video)})
        router.add(det + "/s3-presigned-video-url", {"POST": self._s3_submitter(video)})
        router.add(f"{det}/video/{pid}", {"GET": self._getter(video)})
        router.add(f"{det}/video/{pid}/results", {"GET": self._results(video)})
        return router

    @property
    def routes(self) -> dict[str, tuple[str, ...]]:
        """Every served path template with its methods (``schemas/behavioral/openapi.json``
        describes exactly these)."""
        return self._routes.routes

    # -- dispatch -------------------------------------------------------------------------

    def handle(self, request: RestRequest) -> RestResponse:
        """Answer one request; never raises for client errors (only for server bugs)."""
        path = request.path.rstrip("/") or "/"
        method = request.method.upper()
        try:
            found = self._routes.match(method, path)
            if isinstance(found, MethodNotAllowed):
                error = RestError.make("method_not_allowed", method=method, path=path)
                return RestResponse(error.status, error.body(), {"Allow": ", ".join(found.allow)})
            if isinstance(found, NotFound):
                raise RestError.make("route_not_found", method=method, path=path)
            return found.handler(request, found.params)
        except RestError as error:
            return RestResponse(error.status, error.body())

    # -- auth -----------------------------------------------------------------------------

    def _authorise(self, request: RestRequest, cid: str | None) -> int:
        """The project id the token may act for, or 401 (as the SDK's first client expected) /
        403 (ours)."""
        token = request.headers.get(AUTH_TOKEN_HEADER)
        verdict = self._projects.check(cid, token)
        if verdict == "unknown_token":
            reason = "missing" if not token else "unknown"
            raise RestError.make("unauthorized", {"reason": f"{reason} {AUTH_TOKEN_HEADER}"})
        if verdict == "wrong_project":
            raise RestError.make("forbidden", cid=cid)
        assert cid is not None
        return int(cid)

    def _status(self, request: RestRequest, params: Mapping[str, str]) -> RestResponse:
        return RestResponse(200, {"status": "ok"})

    def _auth(self, request: RestRequest, params: Mapping[str, str]) -> RestResponse:
        cid = request.headers.get(AUTH_CLIENT_HEADER)
        token = request.headers.get(AUTH_TOKEN_HEADER)
        if cid is None and self._projects.check(None, token) != "unknown_token":
            raise RestError.make("unauthorized", {"reason": f"missing {AUTH_CLIENT_HEADER}"})
        self._authorise(request, cid)
        return RestResponse(200, {"code": 200, "message": "Authorized"})

    def _client(self, request: RestRequest, params: Mapping[str, str]) -> RestResponse:
        cid = self._authorise(request, params["cid"])
        return RestResponse(200, {"cid": str(cid), "name": f"project-{cid}"})

    # -- reading --------------------------------------------------------------------------

    def _lister(self, namespace: Namespace) -> _Handler:
        def handler(request: RestRequest, params: Mapping[str, str]) -> RestResponse:
            cid = self._authorise(request, params["cid"])
            query = request.query
            page = _int_param(query, "page", 0, minimum=0)
            page_size = _int_param(query, "pageSize", 1000, minimum=1, maximum=1000)
            sort = query.get("sort", "asc")
            if sort not in ("asc", "desc"):
                raise _bad("sort must be 'asc' or 'desc'", parameter="sort")
            views = self._store.list_processes(
                cid=cid,
                namespace=namespace,
                page=page,
                page_size=page_size,
                sort="asc" if sort == "asc" else "desc",
                start_date=_date_param(query, "startDate"),
                end_date=_date_param(query, "endDate"),
            )
            return RestResponse(200, [view.to_json() for view in views])

        return handler

    def _lookup(
        self, request: RestRequest, params: Mapping[str, str], ns: Namespace
    ) -> ProcessView:
        cid = self._authorise(request, params["cid"])
        pid = int(params["pid"])
        view = self._store.get(pid, cid=cid, namespace=ns)
        if view is None:
            raise RestError.make("process_not_found", pid=pid)
        return view

    def _getter(self, namespace: Namespace) -> _Handler:
        def handler(request: RestRequest, params: Mapping[str, str]) -> RestResponse:
            return RestResponse(200, self._lookup(request, params, namespace).to_json())

        return handler

    def _results(self, namespace: Namespace) -> _Handler:
        def handler(request: RestRequest, params: Mapping[str, str]) -> RestResponse:
            view = self._lookup(request, params, namespace)
            if view.status != COMPLETED:
                raise RestError.make(
                    "not_completed",
                    {"status": view.status},
                    pid=view.pid,
                    status=view.status,
                    statusmsg=view.statusmsg.splitlines()[0] if view.statusmsg else "",
                )
            body: dict[str, Any] = {
                "pid": view.pid,
                "cid": view.cid,
                "code": COMPLETED,
                "message": "Processing Complete",  # the real results: no full stop here
            }
            if namespace == "detection_video":
                body["audio_results"] = [r.to_rest() for r in view.results]
                body["video_results"] = [r.to_rest() for r in view.video_results or ()]
            else:
                body["results"] = [r.to_rest() for r in view.results]
            return RestResponse(200, body)

        return handler

    # -- submission -----------------------------------------------------------------------

    def _uploader(self, namespace: Namespace) -> _Handler:
        def handler(request: RestRequest, params: Mapping[str, str]) -> RestResponse:
            cid = self._authorise(request, params["cid"])
            upload = request.files.get("file")
            if upload is None:
                raise _bad("Missing required multipart file part 'file'", parameter="file")
            if len(upload.content) > self._settings.max_upload_bytes:
                raise RestError.make(
                    "payload_too_large",
                    {"size": len(upload.content)},
                    limit=self._settings.max_upload_bytes,
                )
            form = request.form
            embeddings = _bool_field(form.get("embeddings"), "embeddings")
            generator = namespace != "behavioral" and _bool_field(
                form.get("enable_generator_detection"), "enable_generator_detection"
            )
            meta = _meta_field(form.get("meta"))
            name = form.get("name", upload.filename)
            raw = upload.content
            job = self._job(namespace, lambda: raw, embeddings=embeddings, generator=generator)
            view = self._submit(cid=cid, namespace=namespace, name=name, meta=meta, job=job)
            return RestResponse(200, view.to_json())

        return handler

    def _s3_submitter(self, namespace: Namespace) -> _Handler:
        def handler(request: RestRequest, params: Mapping[str, str]) -> RestResponse:
            cid = self._authorise(request, params["cid"])
            body = request.json
            if not isinstance(body, dict):
                raise _bad("The request body must be a JSON object")
            url = body.get("url")
            if not isinstance(url, str) or not url.strip():
                raise _bad("'url' must be a non-empty string", parameter="url")
            name = body.get("name")
            if name is not None and not isinstance(name, str):
                raise _bad("'name' must be a string or null", parameter="name")
            embeddings = _bool_field(body.get("embeddings"), "embeddings")
            generator = namespace != "behavioral" and _bool_field(
                body.get("enable_generator_detection"), "enable_generator_detection"
            )
            meta = body.get("meta")
            if meta is not None and not isinstance(meta, str):
                raise _bad("'meta' must be a JSON string", parameter="meta")
            meta = _meta_field(meta)
            job = self._job(
                namespace, lambda: self._download(url), embeddings=embeddings, generator=generator
            )
            view = self._submit(cid=cid, namespace=namespace, name=name, meta=meta, job=job)
            return RestResponse(200, view.to_json())

        return handler

    # -- scenario hook ----------------------------------------------------------------------

    def _submit(
        self, *, cid: int, namespace: Namespace, name: str | None, meta: str | None, job: Job
    ) -> ProcessView:
        """Submit a process, applying the active scenarios (issue "scenarios"): batch rows
        are rewritten by their scripted results; a matching process rule fails the process
        (after its pending and processing time) or holds it at 0 or 1 for ever."""
        script = self._script() if self._script is not None else None
        if script is None:
            return self._store.submit(cid=cid, namespace=namespace, name=name, meta=meta, job=job)

        def apply_process_rule(store: ProcessStore, view: ProcessView) -> None:
            outcome = script.process_outcome(name=name, namespace=namespace)
            if outcome is None:
                return
            status, message = outcome
            if status in (PENDING, PROCESSING):
                store.hold(view.pid, status)
            else:
                store.set_outcome(view.pid, status, message)

        return self._store.submit(
            cid=cid,
            namespace=namespace,
            name=name,
            meta=meta,
            job=_scripted_job(job, script),
            on_created=apply_process_rule,
        )

    def _download(self, url: str) -> bytes:
        """Fetch a presigned URL as the ``s3_fetch`` policy allows, or raise _JobFailure."""
        shown = _safe_url(url)
        policy = self._settings.s3_fetch
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise _JobFailure(f"Could not download the file: unsupported URL\nurl: {shown}")
        if policy == "never":
            raise _JobFailure(
                "Could not download the file: the emulator does not fetch presigned URLs "
                f"(s3_fetch=never)\nurl: {shown}"
            )
        if policy == "loopback" and not is_loopback_url(url):
            raise _JobFailure(
                "Could not download the file: the emulator only fetches loopback URLs "
                f"(s3_fetch=loopback)\nurl: {shown}"
            )
        try:
            raw = self._fetch_url(url)
        except Exception as exc:
            raise _JobFailure(
                f"Could not download the file: {_describe(exc)}\nurl: {shown}"
            ) from exc
        if len(raw) > self._settings.max_upload_bytes:
            raise _JobFailure(
                f"Could not download the file: it exceeds the limit of "
                f"{self._settings.max_upload_bytes} bytes\nurl: {shown}"
            )
        return raw

    def _job(
        self,
        namespace: Namespace,
        source: Callable[[], bytes],
        *,
        embeddings: bool,
        generator: bool,
    ) -> Job:
        """The analysis of one process: get the bytes, decode, analyse."""

        def job() -> Outcome:
            try:
                raw = source()
                if not raw:
                    raise _JobFailure("The file is empty")
                if namespace == "detection_video":
                    return self._analyse_video(raw, embeddings=embeddings, generator=generator)
                return self._analyse_audio(
                    raw, namespace, embeddings=embeddings, generator=generator
                )
            except _JobFailure as failure:
                return Outcome.failed(FAILED, str(failure))

        return job

    def _analyse_audio(
        self, raw: bytes, namespace: Namespace, *, embeddings: bool, generator: bool
    ) -> Outcome:
        from mockserver.media.audio import decode_audio  # noqa: PLC0415  PyAV, NumPy: lazily

        try:
            clip = decode_audio(raw, sample_rate=MODEL_RATE)
        except MediaError as exc:
            raise _JobFailure(_media_failure("audio", exc)) from exc
        results = self._analyzer.analyse_batch(
            clip.samples,
            namespace="detection" if namespace == "detection" else "behavioral",
            embeddings=embeddings,
            generator_detection=generator,
            speaking_rate_labels=int(self._settings.speaking_rate_labels),
            seeds=self._seeds,
        )
        return Outcome.completed(results, duration=round(clip.duration_s, 3))

    def _analyse_video(self, raw: bytes, *, embeddings: bool, generator: bool) -> Outcome:
        from mockserver.media.probe import probe  # noqa: PLC0415  PyAV: loaded lazily

        try:
            info = probe(raw)
        except MediaError as exc:
            raise _JobFailure(_media_failure("video", exc)) from exc
        if not info.has_video:
            raise _JobFailure(
                f"Could not process the video: the file has no video stream\n"
                f"detected: {info.kind} ({info.container})"
            )
        try:
            audio, video = self._analyzer.analyse_video(
                raw,
                info=info,
                embeddings=embeddings,
                generator_detection=generator,
                seeds=self._seeds,
            )
        except MediaError as exc:
            raise _JobFailure(_media_failure("video", exc)) from exc
        duration = round(info.duration_s or 0.0, 3)
        return Outcome.completed(audio, duration=duration, video_results=video)


# -- helpers -------------------------------------------------------------------------------


def _scripted_job(job: Job, script: BehavioralScript) -> Job:
    """Scenario hook: ``job`` with its completed rows rewritten by ``script``."""

    def run() -> Outcome:
        outcome = job()
        if outcome.status != COMPLETED:
            return outcome
        video = outcome.video_results
        return dataclasses.replace(
            outcome,
            results=tuple(script.rewrite_batch(outcome.results)),
            video_results=None if video is None else tuple(script.rewrite_batch(video)),
        )

    return run


def _bad(detail: str, **details: Any) -> RestError:
    return RestError.make("bad_request", details or None, detail=detail)


def _bool_field(value: object, name: str) -> bool:
    """``True``/``False`` in any case (the SDK sends ``True``; docs curl ``false``) or JSON
    booleans; absent or null is False."""
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise _bad(f"'{name}' must be true or false, got {value!r}", parameter=name)


def _meta_field(value: str | None) -> str | None:
    """``meta`` must be a valid JSON string (SDK 0.7.1 checks it client-side too); echoed."""
    if value is None:
        return None
    try:
        json.loads(value)
    except ValueError:
        raise _bad("'meta' must be a valid JSON string", parameter="meta") from None
    return value


def _int_param(
    query: Mapping[str, str], name: str, default: int, *, minimum: int, maximum: int | None = None
) -> int:
    text = query.get(name)
    if text is None:
        return default
    try:
        value = int(text)
    except ValueError:
        raise _bad(f"'{name}' must be an integer, got {text!r}", parameter=name) from None
    if value < minimum or (maximum is not None and value > maximum):
        bounds = f">= {minimum}" if maximum is None else f"between {minimum} and {maximum}"
        raise _bad(f"'{name}' must be {bounds}, got {value}", parameter=name)
    return value


_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _date_param(query: Mapping[str, str], name: str) -> _dt.date | None:
    text = query.get(name)
    if text is None:
        return None
    try:
        if not _DATE.fullmatch(text):
            raise ValueError(text)
        return _dt.date.fromisoformat(text)
    except ValueError:
        raise _bad(f"'{name}' must be a date YYYY-MM-DD, got {text!r}", parameter=name) from None


def _safe_url(url: str) -> str:
    """The URL without its query (a presigned URL's query holds the signature)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}" if parts.scheme else url[:200]


def _describe(exc: BaseException) -> str:
    code = getattr(exc, "code", None)
    reason = getattr(exc, "reason", None)
    if isinstance(code, int) and reason is not None:
        return f"HTTP {code} {reason}"
    if reason is not None:
        return str(reason)
    return str(exc) or type(exc).__name__


def _media_failure(kind: str, exc: BaseException) -> str:
    """First line: why; then what FFmpeg said (SDK 0.7.1 ``mcp_server.py``: a log may follow)."""
    lines = [f"Could not decode the {kind} file: {exc}"]
    cause = exc.__cause__
    while cause is not None:
        lines.append(f"ffmpeg: {type(cause).__name__}: {cause}")
        cause = cause.__cause__
    return "\n".join(lines)
