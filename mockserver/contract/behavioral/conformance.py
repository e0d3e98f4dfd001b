"""What a server of the Behavioral Signals API must do (``mockserver conformance
behavioral``).

A Hypothesis ``RuleBasedStateMachine`` streams audio on one ``StreamAudio`` call per
example (chunks of random size, pauses, then the half-close) and judges every result; a
property streams the same audio cut in different ways and compares the results; probes
check authentication, the first-message rule, silence, and the REST batch API. The
oracle is ``schemas/behavioral/contract-tables.json`` (the vendor's public proto, docs,
SDK and published results), never the emulator's catalogues; the messages are those of
the vendor's ``api.proto`` (``mockserver._generated``).
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import json
import queue
import threading
import time
import urllib.error
import urllib.request
import uuid
import wave
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from io import BytesIO
from typing import Any

import grpc
from hypothesis import given, seed, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, precondition, rule

from mockserver._generated.behavioral_signals import api_pb2, api_pb2_grpc
from mockserver.contract.conformance import Check, ConformanceKit, Suite, SuiteContext
from mockserver.contract.kits import CONFORMANCE_TARGETS
from mockserver.contract.media import fixture
from mockserver.contract.stateful import run_machine
from mockserver.contract.tables import tables
from mockserver.registry import default_vendors
from mockserver.server import MockServer

__all__ = ["CONFORMANCE"]

VENDOR = "behavioral"
AUDIO = ("speech_16k.wav", "speech_pauses_16k.wav", "silence_16k.wav")
_END = object()


def _tables() -> Any:
    return tables(VENDOR)


@functools.cache
def pcm(name: str) -> tuple[bytes, int]:
    """The 16-bit mono samples and rate of a WAV fixture."""
    with wave.open(BytesIO(fixture(name))) as source:
        return source.readframes(source.getnframes()), source.getframerate()


def _api() -> tuple[Any, Any]:
    return api_pb2, api_pb2_grpc


# -- one streaming call ----------------------------------------------------------------------


@dataclass
class Row:
    """One InferenceResult, as the checks read it."""

    task: str
    start: str
    end: str
    level: str | None
    labels: list[str]
    posteriors: list[str]
    scores: list[str]
    final: str

    def key(self) -> tuple[Any, ...]:
        return (self.task, self.start, self.end, self.level, tuple(self.labels),
                tuple(self.posteriors), tuple(self.scores), self.final)  # fmt: skip


@dataclass
class Outcome:
    """How a call went: its results (message_id, rows) and final status."""

    messages: list[tuple[int, list[Row]]] = field(default_factory=list)
    status: str = "OK"
    details: str = ""
    last_seq: int | None = None


class Call:
    """One ``StreamAudio`` call fed from a queue, its results read on a thread."""

    def __init__(self, context: SuiteContext, name: str, stub: Any) -> None:
        self.context = context
        self.name = name
        self.requests: queue.Queue[Any] = queue.Queue()
        self.outcome = Outcome()
        self.closed = False
        context.transcript.record(name, "in", "call", "grpc", data={"method": "StreamAudio"})
        self._call = stub.StreamAudio(self._iterate(), timeout=context.reply_timeout_s * 6)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _iterate(self) -> Iterator[Any]:
        while (message := self.requests.get()) is not _END:
            yield message

    def send(self, message: Any) -> None:
        data: dict[str, Any] = {"cid": message.cid, "x_auth_token": message.x_auth_token}
        if message.HasField("config"):
            data["config"] = {
                "encoding": int(message.config.encoding),
                "sample_rate_hertz": message.config.sample_rate_hertz,
                "level": message.config.level if message.config.HasField("level") else None,
            }
        data["audio_content"] = {"bytes": len(message.audio_content)}
        self.context.transcript.record(self.name, "in", "message", "grpc", data=data)
        self.requests.put(message)

    def half_close(self) -> Outcome:
        """End the request stream and read to the final status."""
        if not self.closed:
            self.closed = True
            self.context.transcript.record(self.name, "in", "half_close", "grpc")
            self.requests.put(_END)
        self._reader.join(self.context.reply_timeout_s * 6 + 5)
        return self.outcome

    def _read(self) -> None:
        api_pb2, _ = _api()
        try:
            for result in self._call:
                rows = [_row(api_pb2, r) for r in result.result]
                entry = self.context.transcript.record(
                    self.name, "out", "message", "grpc",
                    data={"message_id": result.message_id,
                          "result": [r.__dict__ for r in rows]},
                )  # fmt: skip
                self.outcome.messages.append((result.message_id, rows))
                self.outcome.last_seq = entry.seq
        except grpc.RpcError as error:
            self.outcome.status = error.code().name
            self.outcome.details = error.details() or ""
        entry = self.context.transcript.record(
            self.name, "out", "status", "grpc", status=self.outcome.status,
            reason=self.outcome.details,
        )  # fmt: skip
        self.outcome.last_seq = entry.seq

    def cancel(self) -> None:
        with contextlib.suppress(Exception):
            self._call.cancel()
        self.requests.put(_END)


def _row(api_pb2: Any, result: Any) -> Row:
    level = api_pb2.Level.Name(result.level) if result.HasField("level") else None
    return Row(
        result.task, result.start_time, result.end_time, level,
        [p.label for p in result.prediction],
        [p.posterior for p in result.prediction if p.HasField("posterior")],
        [p.score for p in result.prediction if p.HasField("score")],
        result.final_label,
    )  # fmt: skip


class Target:
    """The gRPC channel of the target and the messages it expects."""

    def __init__(self, context: SuiteContext) -> None:
        target = context.target
        address = target["grpc_target"]
        if target.get("tls"):
            self.channel = grpc.secure_channel(address, grpc.ssl_channel_credentials())
        else:
            self.channel = grpc.insecure_channel(address)
        api_pb2, api_pb2_grpc = _api()
        self.api = api_pb2
        self.stub = api_pb2_grpc.BehavioralStreamingApiStub(self.channel)
        self.cid = int(target["cid"])
        self.token = str(target["token"])
        self.context = context
        self.numbers = itertools.count(1)

    def call(self) -> Call:
        return Call(self.context, f"behavioral-grpc-{next(self.numbers)}", self.stub)

    def config(
        self, rate: int, level: str | None = None, *, token: str | None = None, audio: bytes = b""
    ) -> Any:
        message = self.api.AudioStream(
            cid=self.cid, x_auth_token=self.token if token is None else token,
            audio_content=audio,
        )  # fmt: skip
        message.config.SetInParent()
        message.config.encoding = self.api.LINEAR_PCM
        message.config.sample_rate_hertz = rate
        if level is not None:
            message.config.level = self.api.Level.Value(level)
        return message

    def audio(self, chunk: bytes) -> Any:
        return self.api.AudioStream(cid=self.cid, x_auth_token=self.token, audio_content=chunk)

    def stream(self, name: str, sizes: list[int], level: str | None = None) -> tuple[Outcome, Call]:
        """A whole call: config, the audio cut into ``sizes`` (cycled) bytes, half-close."""
        audio, rate = pcm(name)
        call = self.call()
        call.send(self.config(rate, level))
        position = 0
        for size in itertools.cycle(sizes):
            if position >= len(audio):
                break
            call.send(self.audio(audio[position : position + size]))
            position += size
        return call.half_close(), call

    def close(self) -> None:
        self.channel.close()


# -- judging results -----------------------------------------------------------------------------


def _label_problem(row: Row) -> str | None:
    tasks = _tables()["tasks"]
    stream = tasks["stream"]
    if row.task in stream:
        documented = stream[row.task]
        sets = documented if isinstance(documented[0], list) else [documented]
        if not any(sorted(row.labels) == sorted(labels) for labels in sets):
            return f"{row.task} labels {row.labels}, documented {' or '.join(map(str, sets))}"
        if row.final not in row.labels:
            return f"{row.task} final_label {row.final!r} is not one of its labels"
        for posterior in row.posteriors:
            try:
                value = float(posterior)
            except ValueError:
                return f"{row.task} posterior {posterior!r} is not a number"
            if not 0 <= value <= 1:
                return f"{row.task} posterior {posterior} outside [0, 1]"
        return None
    if row.task in tasks["scores_only"]:
        for score in row.scores:
            try:
                if not 0 <= float(score) <= 1:
                    return f"{row.task} score {score} outside [0, 1]"
            except ValueError:
                return f"{row.task} score {score!r} is not a number"
        return None
    if row.task in tasks["unlabelled"]:
        return None
    return f"undocumented task {row.task!r} in a streamed result"


def _judge(context: SuiteContext, outcome: Outcome, level: str | None, silent: bool) -> None:
    """The checks every finished call gets (``fail`` raises)."""
    seq = outcome.last_seq

    def fail(check: str, message: str) -> Exception:
        return context.fail(f"behavioral.server.{check}", message, seq)

    if outcome.status != "OK":
        raise fail("chunking", f"a well-formed stream ended {outcome.status} {outcome.details!r}")
    ids = [message_id for message_id, _ in outcome.messages]
    if ids != list(range(len(ids))):
        raise fail("message-id", f"message_id {ids[:12]}, not 0, 1, 2, ... by one")
    last_start: dict[str | None, float] = {}
    for message_id, rows in outcome.messages:
        for row in rows:
            try:
                start, end = float(row.start), float(row.end)
            except ValueError:
                message = f"message {message_id}: times {row.start!r}, {row.end!r}"
                raise fail("times", message) from None
            if not start < end:
                raise fail("times", f"message {message_id}: {row.task} {row.start} to {row.end}")
            if start < last_start.get(row.level, 0.0):
                raise fail("times", f"message {message_id}: {row.level} rows go back in time")
            if level is not None and row.level != level:
                raise fail("level-filter", f"a {row.level} row although level {level} was asked")
            problem = _label_problem(row)
            if problem is not None:
                raise fail("labels", f"message {message_id}: {problem}")
        for row in rows:
            last_start[row.level] = max(last_start.get(row.level, 0.0), float(row.start))
    if silent and outcome.messages:
        raise fail("silence", f"{len(outcome.messages)} results for audio that is only silence")


def _machine(context: SuiteContext, target: Target) -> type[RuleBasedStateMachine]:
    class Stream(RuleBasedStateMachine):
        """One call: the config, chunks of random sizes and pauses, then the half-close."""

        def __init__(self) -> None:
            super().__init__()
            context.transcript.clear()
            self.call: Call | None = None
            self.audio = b""
            self.position = 0
            self.level: str | None = None
            self.silent = True

        @initialize(name=st.sampled_from(AUDIO),
                    level=st.sampled_from([None, "segment", "utterance"]))  # fmt: skip
        def first_call(self, name: str, level: str | None) -> None:
            self.open(name, level)

        def open(self, name: str, level: str | None) -> None:
            self.audio, rate = pcm(name)
            self.bytes_per_ms = rate * 2 // 1000
            self.level = level
            self.silent = name == "silence_16k.wav"
            self.call = target.call()
            self.call.send(target.config(rate, level))

        @precondition(lambda self: self.call is not None and self.call.closed)
        @rule(name=st.sampled_from(AUDIO), level=st.sampled_from([None, "segment", "utterance"]))
        def next_call(self, name: str, level: str | None) -> None:
            self.position = 0
            self.open(name, level)

        @precondition(lambda self: self.call is not None and not self.call.closed)
        @rule(ms=st.integers(20, 1500))
        def send_chunk(self, ms: int) -> None:
            assert self.call is not None
            size = ms * self.bytes_per_ms
            chunk = self.audio[self.position : self.position + size]
            if chunk:
                self.call.send(target.audio(chunk))
                self.position += len(chunk)

        @precondition(lambda self: self.call is not None and not self.call.closed)
        @rule(seconds=st.sampled_from([0.0, 0.05, 0.2]))
        def pause(self, seconds: float) -> None:
            time.sleep(seconds)

        @precondition(lambda self: self.call is not None and not self.call.closed)
        @rule()
        def half_close(self) -> None:
            assert self.call is not None
            _judge(context, self.call.half_close(), self.level, self.silent)

        def teardown(self) -> None:
            if self.call is not None and not self.call.closed:
                try:
                    _judge(context, self.call.half_close(), self.level, self.silent)
                finally:
                    self.call.cancel()

    return Stream


def _stream(context: SuiteContext) -> None:
    target = Target(context)
    try:
        run_machine(_machine(context, target), context)
    finally:
        target.close()


def _chunking(context: SuiteContext) -> None:
    """The same audio, cut in different ways, gives the results of 250 ms chunks."""
    target = Target(context)
    name = "speech_pauses_16k.wav"

    def rows(outcome: Outcome) -> list[list[tuple[Any, ...]]]:
        return [[row.key() for row in message_rows] for _, message_rows in outcome.messages]

    @seed(context.seed)
    @settings(context.settings, database=None, report_multiple_bugs=False, print_blob=False)
    @given(sizes=st.lists(st.integers(320, 32_000), min_size=1, max_size=4))
    def cut(sizes: list[int]) -> None:
        context.transcript.clear()
        outcome, _ = target.stream(name, sizes)
        _judge(context, outcome, None, False)
        if rows(outcome) != reference:
            raise context.fail(
                "behavioral.server.chunking",
                f"chunks of {sizes} bytes gave other results than 250 ms chunks",
                outcome.last_seq,
            )

    try:
        context.transcript.clear()
        first, _ = target.stream(name, [8000])  # 250 ms chunks, as the SDK sends them
        _judge(context, first, None, False)
        reference = rows(first)
        cut()
    except AssertionError:
        pass  # recorded in context.failures
    finally:
        target.close()


def _probes(context: SuiteContext) -> None:
    target = Target(context)
    table = _tables()["status_codes"]
    audio, rate = pcm("speech_16k.wav")
    try:
        context.transcript.clear()
        for label, token in (("a wrong token", "not-a-token"), ("no token", "")):
            call = target.call()
            call.send(target.config(rate, token=token))
            call.send(target.audio(audio[:8000]))
            outcome = call.half_close()
            if outcome.status not in table["bad_credentials"]:
                context.fail("behavioral.server.auth", f"{label}: the call ended "
                             f"{outcome.status}, not {' or '.join(table['bad_credentials'])}",
                             outcome.last_seq)  # fmt: skip
        call = target.call()
        call.send(target.config(rate, audio=audio[:8000]))
        outcome = call.half_close()
        if outcome.status not in table["audio_first"]:
            context.fail("behavioral.server.config-first",
                         f"audio in the first message: the call ended {outcome.status}",
                         outcome.last_seq)  # fmt: skip
        outcome, _ = target.stream("silence_16k.wav", [8000])
        with contextlib.suppress(AssertionError):
            _judge(context, outcome, None, True)
    finally:
        target.close()


# -- REST ------------------------------------------------------------------------------------


class Rest:
    """The REST API of the target (``urllib``: no dependency)."""

    def __init__(self, context: SuiteContext) -> None:
        target = context.target
        self.base = str(target["rest_url"]).rstrip("/")
        self.cid = str(target["cid"])
        self.token = str(target["token"])
        self.context = context
        self.numbers = itertools.count(1)

    def request(
        self, method: str, path: str, body: bytes | None = None, content_type: str | None = None
    ) -> tuple[int, Any, int]:
        name = f"behavioral-http-{next(self.numbers)}"
        headers = {"X-Auth-Token": self.token, "accept": "application/json"}
        if content_type:
            headers["Content-Type"] = content_type
        self.context.transcript.record(
            name, "in", "request", "http",
            data={"method": method, "path": path, "headers": {"X-Auth-Token": self.token}},
        )  # fmt: skip
        request = urllib.request.Request(self.base + path, data=body, method=method,
                                         headers=headers)  # fmt: skip
        try:
            with urllib.request.urlopen(request, timeout=self.context.reply_timeout_s) as reply:
                status, raw = reply.status, reply.read()
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read()
        try:
            data: Any = json.loads(raw)
        except ValueError:
            data = raw.decode("utf-8", "replace")[:500]
        entry = self.context.transcript.record(name, "out", "response", "http", code=status,
                                               data=data)  # fmt: skip
        return status, data, entry.seq

    def upload(self, name: str) -> tuple[int, Any, int]:
        boundary = uuid.uuid4().hex
        content = fixture(name)
        body = b"".join(
            [
                f'--{boundary}\r\nContent-Disposition: form-data; name="name"\r\n\r\n'
                f"{name}\r\n".encode(),
                f'--{boundary}\r\nContent-Disposition: form-data; name="embeddings"\r\n\r\n'
                "False\r\n".encode(),
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
                f'filename="{name}"\r\n\r\n'.encode()
                + content
                + b"\r\n",
                f"--{boundary}--\r\n".encode(),
            ]
        )
        return self.request("POST", f"/clients/{self.cid}/processes/audio", body,
                            f"multipart/form-data; boundary={boundary}")  # fmt: skip


def _item_problem(
    item: Any, keys: list[str], prediction_keys: list[str], optional: list[str]
) -> str | None:
    if not isinstance(item, Mapping):
        return f"a result item is not an object: {item!r}"
    if sorted(item) != sorted(keys):
        return f"result item keys {sorted(item)}, documented {sorted(keys)}"
    for key in ("id", "startTime", "endTime", "task"):
        if not isinstance(item[key], str):
            return f"{key} {item[key]!r} is not a string"
    with contextlib.suppress(ValueError):
        if float(item["startTime"]) > float(item["endTime"]):
            return f"startTime {item['startTime']} after endTime {item['endTime']}"
    if item["level"] not in _tables()["levels"]["names"]:
        return f"level {item['level']!r}"
    if not isinstance(item["prediction"], list):
        return "prediction is not a list"
    for prediction in item["prediction"]:
        present = set(prediction) if isinstance(prediction, Mapping) else set()
        if not set(prediction_keys) <= present <= set(prediction_keys) | set(optional):
            return (
                f"prediction {prediction!r}: documented keys {sorted(prediction_keys)} "
                f"(and {', '.join(optional)})"
            )
    if item["embedding"] is not None and not isinstance(item["embedding"], str):
        return f"embedding {type(item['embedding']).__name__}, not a string or null"
    return None


def _process_problem(process: Any) -> str | None:
    table = _tables()["process_item"]
    if not isinstance(process, Mapping) or not isinstance(process.get("pid"), int):
        return f"not a process item (an int pid): {json.dumps(process)[:100]}"
    unknown = sorted(set(process) - set(table["keys"]))
    if unknown:
        return f"process item with undocumented keys {unknown}"
    return None


def _rest(context: SuiteContext) -> None:
    rest = Rest(context)
    statuses = _tables()["process_status"]
    context.transcript.clear()

    def fail(check: str, message: str, seq: int | None) -> None:
        context.fail(f"behavioral.server.{check}", message, seq)

    code, process, seq = rest.upload("speech_16k.wav")
    if code != 200 or _process_problem(process):
        fail("rest-schema", f"upload answered HTTP {code}: {_process_problem(process)}", seq)
        return
    pid = process["pid"]
    seen: list[int] = [process.get("status", statuses["pending"])]
    running = (statuses["pending"], statuses["processing"])
    deadline = time.monotonic() + context.reply_timeout_s * 6
    while seen[-1] in running and time.monotonic() < deadline:
        time.sleep(0.2)
        code, process, seq = rest.request("GET", f"/clients/{rest.cid}/processes/{pid}")
        if code != 200 or _process_problem(process):
            fail("rest-schema", f"GET process: HTTP {code}: {_process_problem(process)}", seq)
            return
        if process.get("status") != seen[-1]:
            seen.append(process.get("status"))
    known = {statuses["pending"], statuses["processing"], statuses["complete"]}
    if not set(seen) <= known or seen != sorted(seen) or seen[-1] != statuses["complete"]:
        fail("rest-lifecycle", f"process statuses {seen}: not 0 -> 1 -> 2", seq)
        return
    code, result, seq = rest.request("GET", f"/clients/{rest.cid}/processes/{pid}/results")
    table = _tables()["result_item"]
    if (
        code != 200
        or not isinstance(result, Mapping)
        or not isinstance(result.get("results"), list)
    ):
        fail("rest-lifecycle", f"results of a complete process: HTTP {code}", seq)
        return
    for item in result["results"]:
        problem = _item_problem(
            item, table["keys"], table["prediction_keys"], table["prediction_optional"]
        )
        if problem is not None:
            fail("rest-schema", problem, seq)
            return


@contextlib.contextmanager
def _emulator(number: int) -> Iterator[Mapping[str, Any]]:
    others: dict[str, Any] = {
        v.name: {"enabled": False} for v in default_vendors() if v.name != VENDOR
    }
    with MockServer(seed=number, admin_enabled=False, **others) as server:
        endpoint = server.behavioral
        yield {
            "grpc_target": endpoint.grpc_target, "rest_url": endpoint.rest_url,
            "cid": endpoint.cid, "token": endpoint.token, "tls": False, "server": server,
        }  # fmt: skip


_PROTO = "protos/api.proto (github.com/BehavioralSignalTechnologies/behavioralsignals-python)"
_DOCS = "https://behavioralsignals.readme.io"

CHECKS: tuple[Check, ...] = (
    Check("behavioral.server.auth", "bad or missing credentials end the call UNAUTHENTICATED",
          _DOCS + "/docs/streaming-using-a-bare-grpc-client",
          "Required in every message ... cid - Your project ID (integer); x_auth_token - Your "
          "API key (string)",
          "A call with a wrong token and one with no token end UNAUTHENTICATED (or "
          "PERMISSION_DENIED: the status is not documented)."),
    Check("behavioral.server.config-first", "INVALID_ARGUMENT for audio in the first message",
          _PROTO, "The first AudioStream message must not contain audio data.",
          "A call whose first message carries config and audio ends INVALID_ARGUMENT."),
    Check("behavioral.server.message-id", "message_id 0, 1, 2, ... by one",
          "behavioralsignals 0.7.1 models.py; " + _DOCS + "/docs/definitions",
          "message_id: Incremental message ID for the stream (the first is 0).",
          "Every call's results carry message_id 0, 1, 2, ... in order."),
    Check("behavioral.server.times", "start < end, monotonic per level",
          _DOCS + "/docs/definitions",
          "startTime 0.00, endTime 2.00 (seconds, strings).",
          "Every row: start_time and end_time are numbers, start < end; per level, start "
          "times never go back."),
    Check("behavioral.server.level-filter", "only the level the config asks for", _PROTO,
          "segment: Return only results at segment level; utterance: Return only results per "
          "utterance. By default the endpoint returns both.",
          "With level segment (utterance) set, every row is a segment (utterance) row."),
    Check("behavioral.server.labels", "every task's documented label set",
          "behavioralsignals 0.7.1 README (label table) and published v5 results",
          "emotion: happy, angry, sad, neutral; strength: strong, weak, neutral; ... "
          "age: 18 - 22, 23 - 30, 31 - 45, 46 - 65; intensity: a score.",
          "Each row of a classifier task has exactly the table's labels (speaking_rate: the "
          "3 or the 5 of either version), final_label among them, posteriors in [0, 1]; "
          "intensity scores in [0, 1]; no undocumented task."),
    Check("behavioral.server.chunking",
          "a well-formed stream ends OK, and any chunking of the same audio gives the same "
          "results", _DOCS + "/docs/real-time-deepfake-detection",
          "The chunk duration can be arbitrary in size.",
          "Streams of the same audio cut into chunks of random sizes (10 ms to 1 s, odd "
          "cuts between samples included) end OK with the results of 250 ms chunks (row by "
          "row, pid aside)."),
    Check("behavioral.server.silence", "no results for silence",
          _DOCS + "/docs/real-time-deepfake-detection",
          "if the streamed audio contains silence or non-speech, the API won't stream back any "
          "results for these chunks.",
          "A stream of silence ends OK with no result."),
    Check("behavioral.server.rest-lifecycle", "a batch process goes 0, 1, 2, then has results",
          _DOCS + "/docs/check-the-processing-progress",
          "0 Pending; 1 Processing started; 2 Processing complete - results are available.",
          "An uploaded file's process reports statuses that only increase through 0, 1, 2, "
          "and its results answer HTTP 200 once complete."),
    Check("behavioral.server.rest-schema",
          "REST bodies parse field by field as the SDK models them",
          "behavioralsignals 0.7.1 models.py (ProcessItem, ResultResponse) and published results",
          "Every batch item has exactly the keys id, startTime, endTime, task, prediction, "
          "finalLabel, level, embedding; every prediction label, posterior, dominantInSegments.",
          "The upload and process bodies are ProcessItems (int pid, documented keys); every "
          "result item has exactly the documented keys with their types."),
)  # fmt: skip

_STREAM = ("behavioral.server.message-id", "behavioral.server.times",
           "behavioral.server.level-filter", "behavioral.server.labels",
           "behavioral.server.chunking", "behavioral.server.silence")  # fmt: skip

CONFORMANCE = ConformanceKit(
    vendor=VENDOR,
    checks=CHECKS,
    suites=(
        Suite("stream", _STREAM, _stream),
        Suite("chunking", ("behavioral.server.chunking", *_STREAM[:4]), _chunking),
        Suite(
            "probes",
            (
                "behavioral.server.auth",
                "behavioral.server.config-first",
                "behavioral.server.silence",
            ),
            _probes,
        ),
        Suite("rest", ("behavioral.server.rest-lifecycle", "behavioral.server.rest-schema"), _rest),
    ),
    target_fields={o.field: o.required for o in CONFORMANCE_TARGETS[VENDOR]},
    emulator=_emulator,
)
