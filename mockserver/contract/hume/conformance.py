"""What a server of Hume's streaming API must do (``mockserver conformance hume``).

One Hypothesis ``RuleBasedStateMachine`` per connection sends text, audio, image and video
payloads, ``reset_stream`` and ``job_details`` messages and invalid frames, and judges each
reply; two probes check the documented limits at and just over their bounds, and the
authentication at the upgrade. The oracle is ``schemas/hume/contract-tables.json`` and
``schemas/hume/response.schema.json`` (Hume's public sources, named there), never the
emulator's catalogues.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, rule
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

from mockserver.contract.conformance import Check, ConformanceKit, Suite, SuiteContext
from mockserver.contract.kits import CONFORMANCE_TARGETS
from mockserver.contract.media import b64, fixture_b64, png, wav
from mockserver.contract.stateful import run_machine
from mockserver.contract.tables import schema_validator, tables
from mockserver.registry import default_vendors
from mockserver.server import MockServer

from .strategies import (
    AUDIO,
    IMAGES,
    TEXTS,
    VIDEOS,
    InvalidFrame,
    face_config,
    invalid_frames,
    language_config,
)

__all__ = ["CONFORMANCE"]

VENDOR = "hume"
_CLOSE_AFTER_IDENTICAL = 10  # "closed automatically after ten identical configuration errors"


def _tables() -> Any:
    return tables(VENDOR)


# -- the connection ------------------------------------------------------------------------------


class Closed(Exception):
    """The server closed the connection (``code``) instead of replying."""

    def __init__(self, code: int | None, reason: str) -> None:
        super().__init__(f"closed with {code} {reason!r}")
        self.code = code
        self.reason = reason


class NoReply(Exception):
    """No frame arrived within the reply timeout."""


class Connection:
    """One WebSocket connection to the target, recording both directions."""

    def __init__(self, context: SuiteContext, name: str, *, key: str | None = None) -> None:
        self.context = context
        self.name = name
        target = context.target
        api_key = target["api_key"] if key is None else key
        header = _tables()["api_key"]["header"]
        data = {"path": "/v0/stream/models", "query": {}, "headers": {header: api_key}}
        context.transcript.record(name, "in", "handshake", "websocket", data=data)
        self._stack = contextlib.ExitStack()
        self.ws = self._stack.enter_context(
            connect(
                target["url"], additional_headers={header: api_key}, max_size=None,
                open_timeout=30,
            )
        )  # fmt: skip
        context.transcript.record(name, "out", "handshake", "websocket", code=101)

    def send(self, text: str) -> int:
        data: Any
        try:
            data = json.loads(text)
        except ValueError:
            data = text
        entry = self.context.transcript.record(
            self.name, "in", "text", "websocket", data=data, size=len(text.encode())
        )
        try:
            self.ws.send(text)
        except ConnectionClosed as closed:
            raise self._closed(closed) from None
        return entry.seq

    def recv(self, timeout: float) -> tuple[str, int]:
        try:
            message = self.ws.recv(timeout=timeout)
        except TimeoutError:
            raise NoReply from None
        except ConnectionClosed as closed:
            raise self._closed(closed) from None
        text = message if isinstance(message, str) else message.decode("utf-8", "replace")
        try:
            data: Any = json.loads(text)
        except ValueError:
            data = text
        entry = self.context.transcript.record(
            self.name, "out", "text", "websocket", data=data, size=len(text.encode())
        )
        return text, entry.seq

    def _closed(self, closed: Any) -> Closed:
        received = closed.rcvd
        code = received.code if received is not None else None
        reason = received.reason if received is not None else ""
        self.context.transcript.record(
            self.name, "out", "close" if received else "disconnect", "websocket",
            code=code, reason=reason,
        )  # fmt: skip
        return Closed(code, reason)

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._stack.close()


# -- judging one reply ---------------------------------------------------------------------------


def _names(items: Any) -> list[str]:
    return [item.get("name") for item in items] if isinstance(items, list) else []


def _configured(models: Any) -> dict[str, Any]:
    if not isinstance(models, Mapping):
        return {}
    return {name: value for name, value in models.items() if value is not None}


def _label_problems(reply: Mapping[str, Any], models: Mapping[str, Any]) -> Iterator[str]:
    """What is wrong with the model results of a reply, by the label tables."""
    t = _tables()
    expressions = t["expressions"]["names"]
    language = sorted([*expressions, *t["language_expressions"]["extra"]])
    for model in t["models"]:
        if model not in reply:
            continue
        if model not in models:
            yield f"{model} answered although the request did not configure it"
            continue
        result = reply[model]
        if not isinstance(result, Mapping):
            yield f"{model} is not an object"
            continue
        if "predictions" not in result:
            if not re.match(t["warnings"]["pattern"], str(result.get("code", ""))):
                yield f"{model} has neither predictions nor a warning code W0xxx"
            continue
        options = models[model] if isinstance(models[model], Mapping) else {}
        for index, prediction in enumerate(result.get("predictions") or []):
            where = f"{model} prediction {index}"
            names = _names(prediction.get("emotions"))
            wanted = language if model == "language" else expressions
            if names != wanted:
                yield f"{where}: {len(names)} emotions, not the documented {len(wanted)} in order"
            scores = [e.get("score") for e in prediction.get("emotions") or []]
            if any(not isinstance(s, int | float) or not 0 <= s <= 1 for s in scores):
                yield f"{where}: a score outside [0, 1]"
            for key, table in (("facs", "facs"), ("descriptions", "descriptions"),
                               ("sentiment", "sentiment"), ("toxicity", "toxicity")):  # fmt: skip
                asked = options.get(key) is not None
                if key in prediction and not asked:
                    yield f"{where}: {key} although not asked for"
                elif asked and key in prediction and _names(prediction[key]) != t[table]["names"]:
                    yield f"{where}: {key} names are not the documented ones in order"
                elif asked and key not in prediction and model in ("face", "language"):
                    yield f"{where}: {key} asked for but missing"


def job_problem(reply: Mapping[str, Any], previous: str | None) -> str | None:
    """What is wrong with a reply's job_details: not 32 hex characters, or not the
    connection's job id (``previous``)."""
    job = reply.get("job_details")
    job_id = job.get("job_id") if isinstance(job, Mapping) else None
    if not isinstance(job_id, str) or not re.fullmatch(_tables()["job_id"]["pattern"], job_id):
        return f"job_id {job_id!r} is not 32 hex characters"
    if previous is not None and job_id != previous:
        return f"job_id changed on one connection: {previous} then {job_id}"
    return None


def window_problem(reply: Mapping[str, Any], window_s: float) -> str | None:
    """An audio prediction whose time range does not fit a ``window_s`` window."""
    for model in ("prosody", "burst"):
        result = reply.get(model)
        for prediction in (
            result.get("predictions") if isinstance(result, Mapping) else None
        ) or []:
            time = prediction.get("time") or {}
            begin, end = time.get("begin"), time.get("end")
            if not (isinstance(begin, int | float) and isinstance(end, int | float)):
                continue
            if begin < 0 or end < begin or end - begin > window_s + 0.05:
                return f"{model} time {begin}..{end} is not within a {window_s:g} s window"
    return None


def error_code_problem(reply: Mapping[str, Any], error_class: str) -> str | None:
    """Whether a reply is the documented error of a class of invalid input."""
    expected = _tables()["errors"]["classes"][error_class]
    code = str(reply.get("code", ""))
    ok = code in expected.get("codes", ()) or bool(
        "codes_pattern" in expected and re.match(expected["codes_pattern"], code)
    )
    if "error" in reply and ok:
        return None
    wanted = expected.get("codes") or expected.get("codes_pattern")
    return f"{error_class} answered {json.dumps(reply)[:120]}, expected an error {wanted}"


def label_problems(reply: Mapping[str, Any], models: Mapping[str, Any]) -> list[str]:
    """What is wrong with the model results of a reply to a request of ``models``."""
    return list(_label_problems(reply, models))


def _machine(context: SuiteContext) -> type[RuleBasedStateMachine]:
    numbers = itertools.count(1)

    class HumeSession(RuleBasedStateMachine):
        """One connection: requests in any order, each judged by its reply."""

        def __init__(self) -> None:
            super().__init__()
            context.transcript.clear()
            self.number = next(numbers)
            self.connection: Connection | None = None
            self.serial = 0
            self.job_id: str | None = None
            self.models: dict[str, Any] = {}  # the connection's last configured models
            self.last_error: tuple[str, str] | None = None  # (code, text) of the last reply
            self.identical = 0  # identical errors in a row
            self.after_error = False
            self.failed = False  # a check failed: the teardown judges nothing more

        # -- plumbing ----------------------------------------------------------------------

        def fail(self, check: str, message: str, seq: int | None = None) -> Exception:
            self.failed = True
            return context.fail(f"hume.server.{check}", message, seq)

        def connect(self) -> Connection:
            if self.connection is None:
                name = f"hume-ws-{self.number}.{self.serial}"
                self.connection = Connection(context, name)
            return self.connection

        def exchange(self, message: Any, *, with_id: bool = True) -> tuple[dict[str, Any], int]:
            """Send one frame, read its reply; return the reply and its journal seq."""
            if isinstance(message, dict) and with_id and "payload_id" not in message:
                self.serial += 1
                message = {**message, "payload_id": f"p{self.number}-{self.serial}"}
            text = message if isinstance(message, str) else json.dumps(message)
            connection = self.connect()
            try:
                connection.send(text)
                raw, seq = connection.recv(context.reply_timeout_s)
            except NoReply:
                raise self.fail(
                    "one-reply",
                    f"no reply to frame within {context.reply_timeout_s:g} s",
                ) from None
            except Closed as closed:
                self.connection = None
                if self.identical >= _CLOSE_AFTER_IDENTICAL:
                    self.identical = 0  # the documented close; go on with a new connection
                    return self.exchange(message, with_id=False)
                check = "survives-errors" if self.after_error else "one-reply"
                raise self.fail(check, f"the connection {closed} instead of a reply") from None
            reply = self.judge_reply(message, raw, seq)
            if not (isinstance(message, dict) and "payload_id" in message):
                self.no_extra_frame(connection)  # without an id, a stale reply looks right
            return reply, seq

        def no_extra_frame(self, connection: Connection, wait_s: float = 0.05) -> None:
            try:
                raw, seq = connection.recv(wait_s)
            except (NoReply, Closed):
                return
            raise self.fail("one-reply", f"an extra frame arrived: {raw[:80]}", seq)

        def judge_reply(self, message: Any, raw: str, seq: int) -> dict[str, Any]:
            try:
                reply = json.loads(raw)
            except ValueError:
                raise self.fail("response-schema", f"the reply is not JSON: {raw[:80]!r}",
                                seq) from None  # fmt: skip
            errors = sorted(
                schema_validator("hume/response.schema.json").iter_errors(reply), key=str
            )
            if errors:
                where = "/".join(str(p) for p in errors[0].absolute_path) or "(reply)"
                raise self.fail("response-schema", f"{where}: {errors[0].message}", seq)
            request = message if isinstance(message, dict) else {}
            sent_id = request.get("payload_id")
            got = reply.get("payload_id")
            if isinstance(got, str) and got != sent_id and got.startswith(f"p{self.number}-"):
                raise self.fail(
                    "one-reply", f"a reply to an earlier frame ({got}) came instead", seq
                )
            if isinstance(sent_id, str) and got != sent_id:
                raise self.fail("payload-id", f"payload_id {sent_id!r} echoed as {got!r}", seq)
            if not isinstance(sent_id, str) and "payload_id" in reply:
                raise self.fail("payload-id", "a payload_id although none was sent", seq)
            if request.get("job_details") is True:
                self.judge_job(reply, seq)
            code = reply.get("code")
            if "error" in reply:
                signature = (str(code), str(reply.get("error")))
                self.identical = self.identical + 1 if signature == self.last_error else 1
                self.last_error, self.after_error = signature, True
            else:
                self.identical, self.last_error, self.after_error = 0, None, False
            return dict(reply)

        def judge_job(self, reply: Mapping[str, Any], seq: int) -> None:
            problem = job_problem(reply, self.job_id)
            if problem is not None:
                raise self.fail("job-details", problem, seq)
            if self.job_id is None:
                self.job_id = reply["job_details"]["job_id"]

        def predictions(self, message: dict[str, Any], *, window_s: float | None = None) -> None:
            """A valid request: predictions or warnings, never an error; labels right."""
            models = _configured(message.get("models")) or self.models
            self.models = _configured(message.get("models")) or self.models
            reply, seq = self.exchange(message)
            if "error" in reply:
                raise self.fail(
                    "error-codes", f"{reply.get('code')} for a valid request: {reply['error']}",
                    seq,
                )  # fmt: skip
            if "warning" in reply:
                return  # a top-level warning is a valid answer
            for problem in _label_problems(reply, models):
                raise self.fail("labels", problem, seq)
            if window_s is not None:
                self.judge_window(reply, window_s, seq)

        def judge_window(self, reply: Mapping[str, Any], window_s: float, seq: int) -> None:
            problem = window_problem(reply, window_s)
            if problem is not None:
                raise self.fail("window", problem, seq)

        # -- rules -------------------------------------------------------------------------

        @initialize()
        def open(self) -> None:
            self.connect()

        @rule(text=st.sampled_from(TEXTS) | st.text(min_size=1, max_size=40).filter(str.strip),
              config=language_config(), with_id=st.booleans())  # fmt: skip
        def send_text(self, text: str, config: dict[str, Any], with_id: bool) -> None:
            message = {"models": {"language": config}, "raw_text": True, "data": text}
            if with_id:
                self.predictions(message)
                return
            self.models = {"language": config}
            reply, seq = self.exchange(message, with_id=False)
            for problem in _label_problems(reply, self.models):
                raise self.fail("labels", problem, seq)

        @rule(name=st.sampled_from(AUDIO), models=st.sampled_from(["prosody", "burst", "both"]),
              window=st.none() | st.integers(500, 10000))  # fmt: skip
        def send_audio(self, name: str, models: str, window: int | None) -> None:
            names = ["prosody", "burst"] if models == "both" else [models]
            message: dict[str, Any] = {"models": {m: {} for m in names},
                                       "data": fixture_b64(name)}  # fmt: skip
            payload_s = {"speech_16k.wav": 3.3, "silence_16k.wav": 3.0, "speech.mp3": 3.3}[name]
            if window is not None:
                message["stream_window_ms"] = window
            limit = max((window or 5000) / 1000, payload_s)
            self.predictions(message, window_s=limit)

        @rule(name=st.sampled_from(IMAGES), config=face_config())
        def send_image(self, name: str, config: dict[str, Any]) -> None:
            self.predictions({"models": {"face": config}, "data": fixture_b64(name)})

        @rule(name=st.sampled_from(VIDEOS), prosody=st.booleans())
        def send_video(self, name: str, prosody: bool) -> None:
            models: dict[str, Any] = {"face": {"fps_pred": 1}}  # a few frames: a quick reply
            if prosody and name == "face_speech.mp4":
                models["prosody"] = {}
            self.predictions({"models": models, "data": fixture_b64(name)})

        @rule()
        def reset_stream(self) -> None:
            reply, seq = self.exchange({"reset_stream": True})
            if "error" in reply or any(m in reply for m in _tables()["models"]):
                raise self.fail("reset-stream", f"reset_stream answered {reply}", seq)

        @rule()
        def job_details(self) -> None:
            reply, seq = self.exchange({"job_details": True})
            if "error" in reply:
                raise self.fail("job-details", f"job_details answered {reply}", seq)

        @rule(frame=invalid_frames())
        def send_invalid(self, frame: InvalidFrame) -> None:
            try:
                message = json.loads(frame.text)
            except ValueError:
                message = frame.text
            reply, seq = self.exchange(message)
            problem = error_code_problem(reply, frame.error_class)
            if problem is not None:
                raise self.fail("error-codes", f"{frame.why}: {problem}", seq)

        def teardown(self) -> None:
            connection = self.connection
            if connection is None:
                return
            try:
                if not self.failed:
                    self.no_extra_frame(connection, 0.1)
            finally:
                connection.close()

    return HumeSession


def _session(context: SuiteContext) -> None:
    run_machine(_machine(context), context)


# -- probes ------------------------------------------------------------------------------------


def _probe_reply(context: SuiteContext, connection: Connection, message: dict[str, Any]) -> Any:
    text = json.dumps(message)
    connection.send(text)
    raw, seq = connection.recv(context.reply_timeout_s)
    try:
        return json.loads(raw), seq
    except ValueError:
        return {"error": raw, "code": None}, seq


def _limits(context: SuiteContext) -> None:
    limits = _tables()["limits"]
    side = limits["image_px"]
    at_bound = [
        ("audio", {"models": {"prosody": {}}, "data": b64(wav(limits["audio_ms"]))}, None),
        ("audio", {"models": {"prosody": {}}, "data": b64(wav(limits["audio_ms"] + 100))},
         "E0203"),
        ("image", {"models": {"face": {}}, "data": b64(png(side, side))}, None),
        ("image", {"models": {"face": {}}, "data": b64(png(side + 1, 2))}, "E0205"),
        ("text", {"models": {"language": {"granularity": "passage"}}, "raw_text": True,
                  "data": "a" * limits["text_chars"]}, None),
        ("text", {"models": {"language": {"granularity": "passage"}}, "raw_text": True,
                  "data": "a" * (limits["text_chars"] + 1)}, "^E02[0-9]{2}$"),
        ("video", {"models": {"face": {}}, "data": fixture_b64("face_silent.mp4")}, None),
        ("video", {"models": {"face": {}}, "data": fixture_b64("video_long.mp4")}, "E0204"),
    ]  # fmt: skip
    context.transcript.clear()
    connection = Connection(context, "hume-ws-limits")
    try:
        for what, message, expected in at_bound:
            try:
                reply, seq = _probe_reply(context, connection, message)
            except (NoReply, Closed) as exc:
                raise context.fail("hume.server.limits", f"{what}: {exc!r}") from None
            code = reply.get("code") if "error" in reply else None
            if expected is None and code is not None:
                raise context.fail(
                    "hume.server.limits", f"{what} at the limit refused with {code}", seq
                )
            if expected is not None and not (code and re.fullmatch(expected, str(code))):
                raise context.fail(
                    "hume.server.limits",
                    f"{what} just over the limit answered {json.dumps(reply)[:100]}, "
                    f"expected {expected}", seq,
                )  # fmt: skip
    except AssertionError:
        pass  # recorded in context.failures
    finally:
        connection.close()


def _auth(context: SuiteContext) -> None:
    context.transcript.clear()
    for label, key in (("a wrong key", "not-a-key-0000"), ("an empty key", "")):
        try:
            connection = Connection(context, f"hume-ws-auth-{len(label)}", key=key)
        except InvalidStatus as refused:
            status = refused.response.status_code
            context.transcript.record(
                f"hume-ws-auth-{len(label)}", "out", "handshake", "websocket", code=status
            )
            if status != 401:
                context.fail("hume.server.auth", f"{label}: HTTP {status} at the upgrade, not 401")
            continue
        connection.close()
        context.fail("hume.server.auth", f"{label}: the upgrade was accepted (101)")
    name = "hume-ws-auth-none"
    data = {"path": "/v0/stream/models", "query": {}, "headers": {}}
    context.transcript.record(name, "in", "handshake", "websocket", data=data)
    try:
        with connect(context.target["url"], open_timeout=30):
            context.fail("hume.server.auth", "no key: the upgrade was accepted (101)")
    except InvalidStatus as refused:
        status = refused.response.status_code
        context.transcript.record(name, "out", "handshake", "websocket", code=status)
        if status != 401:
            context.fail("hume.server.auth", f"no key: HTTP {status} at the upgrade, not 401")


@contextlib.contextmanager
def _emulator(seed: int) -> Iterator[Mapping[str, Any]]:
    others: dict[str, Any] = {
        v.name: {"enabled": False} for v in default_vendors() if v.name != VENDOR
    }
    with MockServer(seed=seed, admin_enabled=False, hume={"handshake_rate_limit": 0},
                    **others) as server:  # fmt: skip
        target = {"url": server.hume.url, "api_key": server.hume.api_key}
        _warm_up(target)
        server.reset()
        yield {**target, "server": server}


def _warm_up(target: Mapping[str, Any]) -> None:
    """Load the emulator's media libraries once, so that no reply of the checks waits for
    them (an in-process target only)."""
    header = _tables()["api_key"]["header"]
    with connect(target["url"], additional_headers={header: target["api_key"]}) as ws:
        for message in (
            {"models": {"face": {}}, "data": fixture_b64("face.jpg")},
            {"models": {"prosody": {}, "face": {}}, "data": fixture_b64("face_speech.mp4")},
        ):
            ws.send(json.dumps(message))
            ws.recv(timeout=60)


_DEFINITION = "Hume's streaming API definition (hume-python-sdk stream.yml)"
_ERRORS = "https://dev.hume.ai/docs/resources/errors"
_REFERENCE = "https://streaming.hume.ai/doc/streaming-api/operation/operation-publish-models"

CHECKS: tuple[Check, ...] = (
    Check("hume.server.one-reply",
          "exactly one reply per message within the timeout; nothing extra before the next",
          _DEFINITION,
          "All SDK methods (send_text, send_file, get_job_details, reset) send, then receive "
          "one reply; SubscribeEvent is one of StreamModelPredictions, StreamErrorMessage, "
          "StreamWarningMessage.",
          "Every request (each with a unique payload_id) gets one reply within the reply "
          "timeout; a reply to an earlier request arriving instead, or any frame after the "
          "last reply, fails; so does a close instead of a reply."),
    Check("hume.server.payload-id", "the reply echoes payload_id, on errors and warnings too",
          _DEFINITION, "payload_id: If a payload ID was passed in the request, the same payload "
          "ID will be sent back in the response body.",
          "payload_id of every reply equals the request's; absent when none was sent."),
    Check("hume.server.response-schema",
          "every reply validates against schemas/hume/response.schema.json", _DEFINITION,
          "SubscribeEvent = StreamModelPredictions | StreamErrorMessage | StreamWarningMessage",
          "Every reply is JSON and validates against schemas/hume/response.schema.json."),
    Check("hume.server.labels",
          "the documented emotion names in order (48 or 53), scores in [0, 1], FACS and "
          "descriptions only when asked", "https://dev.hume.ai/docs/expression-measurement/models/language",
          "Language: 53 dimensions, the 48 plus Annoyance, Disapproval, Enthusiasm, Gratitude "
          "and Sarcasm; face, prosody and burst: 48; facs and descriptions: 'If missing or null, "
          "no ... predictions will be generated.'",
          "Each model result: predictions or a nested warning (W0xxx) of a configured model; "
          "emotion names equal the table's list in order; scores in [0, 1]; facs, "
          "descriptions, sentiment and toxicity present exactly when asked, names in the "
          "table's order."),
    Check("hume.server.error-codes", "each class of invalid input gets its documented code",
          _ERRORS, "E0100 not JSON; E0101 structure; E0102 model and file type; E0200 unknown "
          "media; E0201 not base64; E0203 audio too long; E0204 video too long; E0205 image too "
          "large.",
          "Invalid frames of each class of the errors table get an error with its code "
          "(text over 10,000 characters: any E02xx); a valid request never gets an error."),
    Check("hume.server.survives-errors",
          "after an error the same connection serves the next message", _ERRORS,
          "The connection will be closed automatically after ten identical configuration "
          "errors to avoid unintended looping.",
          "After an error reply the next request on the connection gets a reply; only a close "
          "after ten identical errors in a row is allowed (a new connection then goes on)."),
    Check("hume.server.job-details", "job_id is 32 hex characters and stable on a connection",
          "hume-python-sdk tests/stream/test_service_hume_stream_client.py",
          "assert len(job_id) == 32",
          "job_details.job_id matches ^[0-9a-f]{32}$ and is the same for every request of a "
          "connection."),
    Check("hume.server.reset-stream", "reset_stream is answered without error", _DEFINITION,
          "reset_stream: If set, deletes any previous context for streaming.",
          "A {reset_stream: true} message gets a reply with no error and no model result."),
    Check("hume.server.window", "audio prediction times lie within stream_window_ms",
          _DEFINITION, "stream_window_ms: Length in milliseconds of streaming sliding window. "
          "Extending the length of this window will prepend media context from past payloads "
          "into the current payload.",
          "Every prosody and burst time range: begin >= 0, begin <= end, and end - begin at "
          "most the window (or the payload, when longer), with 50 ms tolerance."),
    Check("hume.server.limits", "each documented limit holds at its bound and fails just over it",
          _REFERENCE, "Audio 5000 ms; video 5000 ms; image 3,000 x 3,000 pixels; text 10,000 "
          "characters.",
          "Silent audio of 5000 ms, a 3000 x 3000 image, 10,000 characters and a short video "
          "are accepted; 5100 ms (E0203), 3001 pixels (E0205), 10,001 characters (E02xx) and "
          "a long video (E0204) are refused."),
    Check("hume.server.auth", "HTTP 401 at the upgrade for a missing or wrong key",
          "hume-python-sdk tests/stream/test_service_hume_stream_client.py (live API)",
          "HumeStreamClient initialized with invalid API key (raised only for status 401).",
          "Upgrades with a wrong, an empty and no key are refused with HTTP 401."),
)  # fmt: skip

_MACHINE_CHECKS = tuple(c.id for c in CHECKS if c.id not in ("hume.server.limits",
                                                             "hume.server.auth"))  # fmt: skip

CONFORMANCE = ConformanceKit(
    vendor=VENDOR,
    checks=CHECKS,
    suites=(
        Suite("session", _MACHINE_CHECKS, _session),
        Suite("limits", ("hume.server.limits",), _limits),
        Suite("auth", ("hume.server.auth",), _auth),
    ),
    target_fields={o.field: o.required for o in CONFORMANCE_TARGETS[VENDOR]},
    emulator=_emulator,
)
