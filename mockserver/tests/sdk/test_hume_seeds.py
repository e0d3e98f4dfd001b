"""The vendor's documentation examples ("seeds") against the Hume emulator, URL changed only.

* Seed 002 (legacy ``HumeStreamClient``) runs in ``.venv-hume-legacy`` (``hume[stream]==0.4.2``).
* Seed 003 (``AsyncHumeClient``) runs verbatim in ``.venv-hume-078`` (``hume==0.7.8``, the only
  versions whose ``...stream.types`` exports ``StreamLanguage``; their hard-coded production URL is
  redirected with ``mockserver.redirect.hume_stream_redirect``), and with ``base_url`` in
  ``.venv-hume-012`` (``hume==0.12.1``).
* The docs' raw WebSocket JSON message and base64 example run in-process with ``websockets``.

The SDK examples live in ``seeds/`` and run as subprocesses with their venv's Python; they print
one JSON object per line. Besides their output, the emulator journal is checked for the wire
messages each SDK version is is documented to send (its code).

Each venv is found at the repository root or through ``MOCKSERVER_HUME_LEGACY_PYTHON`` /
``MOCKSERVER_HUME_012_PYTHON`` / ``MOCKSERVER_HUME_078_PYTHON``. ``make test`` creates them.
A missing venv skips its tests, or fails them when ``CI=true``.
"""

from __future__ import annotations

import base64
import json
import math
import os
import re
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from websockets.sync.client import connect

from mockserver.journal import JournalEntry
from mockserver.resources import fixture_path
from mockserver.server import MockServer
from mockserver.vendors.hume.labels import EXPRESSION_NAMES, LANGUAGE_EXPRESSION_NAMES
from mockserver.vendors.hume.service import HumeEndpoint

pytestmark = [pytest.mark.e2e, pytest.mark.sdk]

REPO_ROOT = Path(__file__).resolve().parents[3]
SEEDS_DIR = Path(__file__).resolve().parent / "seeds"
RUN_TIMEOUT_S = 60.0
JOB_ID_RE = re.compile(r"[0-9a-f]{32}")
# The samples of seeds 002 and 003: the docs' list lacks two commas, so it holds two strings.
DOC_SAMPLES = [
    "Mary had a little lamb,",
    "Its fleece was white as snow.Everywhere the child went,The little lamb was sure to go.",
]
# The raw WebSocket message of seeds 002 and 003, verbatim.
DOCS_JSON_MESSAGE = (
    '{"models": {"language": {}}, "raw_text": true, "data": "Mary had a little lamb"}'
)


@dataclass(frozen=True)
class Venv:
    """An extra virtual environment holding one pinned SDK version."""

    directory: str
    env_var: str
    requirement: str

    def python(self) -> Path:
        """Its interpreter; skip (or fail under CI) when it is missing."""
        override = os.environ.get(self.env_var)
        python = Path(override) if override else REPO_ROOT / self.directory / "bin" / "python"
        if not (python.is_file() and os.access(python, os.X_OK)):
            message = (
                f"{python} not found: run `make test`, which creates {self.directory} "
                f'(pip install "{self.requirement}"), or set {self.env_var}'
            )
            if os.environ.get("CI") == "true":
                pytest.fail(message)
            pytest.skip(message)
        return python


LEGACY_VENV = Venv(".venv-hume-legacy", "MOCKSERVER_HUME_LEGACY_PYTHON", "hume[stream]==0.4.2")
HUME_012_VENV = Venv(".venv-hume-012", "MOCKSERVER_HUME_012_PYTHON", "hume==0.12.1")
HUME_078_VENV = Venv(".venv-hume-078", "MOCKSERVER_HUME_078_PYTHON", "hume==0.7.8")


@dataclass(frozen=True)
class SeedRun:
    """What one runner script printed, and what the emulator journal saw meanwhile."""

    events: list[dict[str, Any]]
    journal: list[JournalEntry]

    def event(self, name: str) -> dict[str, Any]:
        (found,) = self.all(name)
        return found

    def all(self, name: str) -> list[dict[str, Any]]:
        return [e for e in self.events if e["event"] == name]

    def connections(self) -> list[str]:
        """Connection ids in order of first appearance."""
        return list(dict.fromkeys(e.connection for e in self.journal))

    def entries(self, connection: str, direction: str, kind: str) -> list[JournalEntry]:
        return [
            e
            for e in self.journal
            if e.connection == connection and e.direction == direction and e.kind == kind
        ]

    def sent(self, connection: str) -> list[Any]:
        """Messages the client sent on ``connection`` (parsed JSON)."""
        return [e.data for e in self.entries(connection, "in", "text")]

    def request_headers(self, connection: str) -> dict[str, str]:
        (handshake,) = self.entries(connection, "in", "handshake")
        return {k.lower(): v for k, v in handshake.data["headers"].items()}

    def handshake_status(self, connection: str) -> int | None:
        replies = self.entries(connection, "out", "handshake")
        return replies[0].code if replies else None


def run_seed(mock_server: MockServer, python: Path, script: str, *args: str) -> SeedRun:
    """Run ``seeds/<script>`` with ``python`` against a freshly reset emulator."""
    mock_server.reset()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    command = [str(python), str(SEEDS_DIR / script), *args]
    try:
        proc = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=RUN_TIMEOUT_S,
            env=env,
            cwd=REPO_ROOT,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"{script} did not finish in {RUN_TIMEOUT_S:g} s\nstdout:\n{exc.stdout!r}")
    journal = mock_server.journal.entries(vendor="hume")
    mock_server.check()
    if proc.returncode != 0:
        pytest.fail(
            f"{script} exited {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
        )
    events = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
    assert events and events[-1] == {"event": "done"}, proc.stdout
    return SeedRun(events=events, journal=journal)


@pytest.fixture(scope="module")
def legacy_run(mock_server: MockServer) -> SeedRun:
    """Seed 002 once per module, with the legacy SDK."""
    python = LEGACY_VENV.python()
    hume = mock_server.hume
    return run_seed(
        mock_server,
        python,
        "legacy_stream_client.py",
        "--ws-base-uri",
        hume.ws_base_uri,
        "--api-key",
        hume.api_key,
    )


@pytest.fixture(scope="module")
def hume_012_run(mock_server: MockServer) -> SeedRun:
    """Seed 003's three examples once per module, with hume 0.12.1."""
    python = HUME_012_VENV.python()
    hume = mock_server.hume
    return run_seed(
        mock_server,
        python,
        "async_client_0_12.py",
        "--base-url",
        hume.base_url,
        "--api-key",
        hume.api_key,
        "--face",
        str(fixture_path("media/face.png")),
        "--audio",
        str(fixture_path("media/speech_16k.wav")),
    )


@pytest.fixture(scope="module")
def seed_003_run(mock_server: MockServer) -> SeedRun:
    """Seed 003 verbatim with hume 0.7.8; only the hard-coded URL is redirected."""
    python = HUME_078_VENV.python()
    hume = mock_server.hume
    return run_seed(
        mock_server,
        python,
        "seed_003_verbatim.py",
        hume.ws_base_uri,
        hume.api_key,
        str(fixture_path("media/face.png")),
        str(fixture_path("media/speech_16k.wav")),
    )


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    result: dict[str, Any] = json.loads(fixture_path("media/manifest.json").read_text("utf-8"))
    return result


# -- shared checks --------------------------------------------------------------------------


def assert_emotions(emotions: list[dict[str, Any]], names: tuple[str, ...]) -> None:
    """Every documented name once, in the documented order, each with a finite score."""
    assert [e["name"] for e in emotions] == list(names)
    for emotion in emotions:
        assert set(emotion) == {"name", "score"}
        assert isinstance(emotion["score"], float) and math.isfinite(emotion["score"])


def assert_word_predictions(
    text: str, predictions: list[dict[str, Any]], *, int_positions: bool = True
) -> None:
    """Word granularity: positions index ``text``, in order, without overlap.

    ``int_positions=False`` for hume 0.12, whose pydantic model types them as floats.
    """
    assert predictions
    end = 0
    for prediction in predictions:
        position = prediction["position"]
        if int_positions:
            assert isinstance(position["begin"], int) and isinstance(position["end"], int)
        assert float(position["begin"]).is_integer() and float(position["end"]).is_integer()
        begin, stop = int(position["begin"]), int(position["end"])
        assert end <= begin < stop <= len(text)
        assert text[begin:stop] == prediction["text"]
        assert_emotions(prediction["emotions"], LANGUAGE_EXPRESSION_NAMES)
        end = stop


def assert_mary_first(predictions: list[dict[str, Any]]) -> None:
    assert predictions[0]["text"] == "Mary"
    assert predictions[0]["position"] == {"begin": 0, "end": 4}


# -- seed 002: legacy HumeStreamClient (hume 0.4.2) -----------------------------------------


def test_legacy_sdk_version(legacy_run: SeedRun) -> None:
    sdk = legacy_run.event("sdk")
    assert sdk["hume"] == "0.4.2"
    assert sdk["websockets"].startswith("10.")


def test_legacy_seed_text_samples(legacy_run: SeedRun) -> None:
    samples = legacy_run.all("sample")
    assert [s["sample"] for s in samples] == DOC_SAMPLES
    for sample in samples:
        # What the seed reads: result["language"]["predictions"][0]["emotions"].
        assert_emotions(sample["emotions"], LANGUAGE_EXPRESSION_NAMES)
        assert set(sample["result"]) == {"language"}  # no payload_id was sent, none echoed
        assert_word_predictions(sample["sample"], sample["result"]["language"]["predictions"])
    assert_mary_first(samples[0]["result"]["language"]["predictions"])
    assert samples[0]["emotions"] == samples[0]["result"]["language"]["predictions"][0]["emotions"]


def test_legacy_job_details_and_reset_stream(legacy_run: SeedRun) -> None:
    job = legacy_run.event("job_details")["response"]
    assert set(job) == {"job_details"}
    assert JOB_ID_RE.fullmatch(job["job_details"]["job_id"])
    assert legacy_run.event("reset_stream")["response"] == {}


def test_legacy_server_error_is_raised_with_its_code(legacy_run: SeedRun) -> None:
    """The legacy client reads ``response["code"]`` unguarded: the error must carry one."""
    message = legacy_run.event("server_error")["message"]
    assert re.fullmatch(r"hume\(E0201\): .*[Bb]ase64.*", message), message


def test_legacy_invalid_key_message(legacy_run: SeedRun) -> None:
    invalid = legacy_run.event("invalid_key")
    assert invalid["exception"] == "HumeClientException"
    assert invalid["message"] == "HumeStreamClient initialized with invalid API key."
    assert invalid["cause"] == "InvalidStatusCode"
    assert invalid["status_code"] == 401
    good, bad = legacy_run.connections()
    assert legacy_run.handshake_status(bad) == 401
    assert legacy_run.sent(bad) == []
    assert legacy_run.handshake_status(good) != 401


def test_legacy_wire_messages(legacy_run: SeedRun) -> None:
    """Spec 8.1: ``models`` and ``raw_text`` on every data message, never ``payload_id``."""
    good = legacy_run.connections()[0]
    headers = legacy_run.request_headers(good)
    assert headers["x-hume-client-name"] == "python_sdk"
    assert headers["x-hume-client-version"] == "0.4.2"
    assert "x-hume-api-key" in headers
    sent = legacy_run.sent(good)
    assert sent[: len(DOC_SAMPLES)] == [
        {"data": sample, "models": {"language": {}}, "raw_text": True} for sample in DOC_SAMPLES
    ]
    assert sent[len(DOC_SAMPLES) : len(DOC_SAMPLES) + 2] == [
        {"job_details": True},
        {"reset_stream": True},
    ]
    assert sent[-1] == {
        "data": "this is not base64!",
        "models": {"language": {}},
        "raw_text": False,
    }
    assert len(sent) == len(DOC_SAMPLES) + 3
    assert not any("payload_id" in message for message in sent)


# -- seed 003: AsyncHumeClient (hume 0.12.1) ------------------------------------------------


def test_hume_012_sdk_version(hume_012_run: SeedRun) -> None:
    sdk = hume_012_run.event("sdk")
    assert sdk["hume"] == "0.12.1"
    assert sdk["websockets"].startswith("13.")
    # The docs' `from hume.expression_measurement.stream.types import StreamLanguage` works
    # only in hume 0.7.1-0.7.8; 0.12.1 exports the names one package up.
    assert sdk["import_path"] == "hume.expression_measurement.stream"


def test_hume_012_text_example(hume_012_run: SeedRun) -> None:
    results = hume_012_run.all("text")
    assert [r["sample"] for r in results] == DOC_SAMPLES
    for result in results:
        assert result["type"] == "StreamModelPredictions"
        # What the seed prints: result.language.predictions[0].emotions.
        assert_emotions(result["emotions"], LANGUAGE_EXPRESSION_NAMES)
        assert_word_predictions(
            result["sample"], result["result"]["language"]["predictions"], int_positions=False
        )
    assert_mary_first(results[0]["result"]["language"]["predictions"])


def test_hume_012_face_example(hume_012_run: SeedRun, manifest: dict[str, Any]) -> None:
    face = hume_012_run.event("face")
    assert face["type"] == "StreamModelPredictions"
    image = manifest["face.png"]
    (prediction,) = face["result"]["face"]["predictions"]  # the fixture has one face
    assert prediction["frame"] == 0
    assert prediction.get("time") is None  # a still image has no timestamp
    assert prediction["face_id"] == "unknown"  # identify_faces defaults to false
    assert 0.0 < prediction["prob"] <= 1.0
    bbox = prediction["bbox"]
    assert set(bbox) == {"x", "y", "w", "h"}
    assert bbox["x"] >= 0 and bbox["y"] >= 0 and bbox["w"] > 0 and bbox["h"] > 0
    assert bbox["x"] + bbox["w"] <= image["width"]
    assert bbox["y"] + bbox["h"] <= image["height"]
    assert_emotions(prediction["emotions"], EXPRESSION_NAMES)
    assert "facs" not in prediction and "descriptions" not in prediction


def test_hume_012_prosody_example(hume_012_run: SeedRun, manifest: dict[str, Any]) -> None:
    prosody = hume_012_run.event("prosody")
    assert prosody["type"] == "StreamModelPredictions"
    predictions = prosody["result"]["prosody"]["predictions"]
    assert predictions
    duration = manifest["speech_16k.wav"]["duration_s"]
    previous_end = 0.0
    for prediction in predictions:
        time = prediction["time"]
        assert previous_end <= time["begin"] < time["end"] <= duration + 0.05
        assert_emotions(prediction["emotions"], EXPRESSION_NAMES)
        assert "text" not in prediction  # batch-only field
        previous_end = time["end"]


def test_hume_012_invalid_key(hume_012_run: SeedRun) -> None:
    invalid = hume_012_run.event("invalid_key")
    assert invalid == {
        "event": "invalid_key",
        "exception": "ApiError",
        "status_code": 401,
        "body": "Websocket initialized with invalid credentials.",
    }
    assert hume_012_run.handshake_status(hume_012_run.connections()[-1]) == 401


def test_hume_012_wire_messages(hume_012_run: SeedRun) -> None:
    """Spec 8.2: auto-filled UUID ``payload_id``, ``models`` and ``raw_text``; echoed back."""
    text_conn, face_conn, prosody_conn, invalid_conn = hume_012_run.connections()
    expected: list[tuple[str, dict[str, Any], bool, list[Any]]] = [
        (text_conn, {"language": {}}, True, [r["result"] for r in hume_012_run.all("text")]),
        (face_conn, {"face": {}}, False, [hume_012_run.event("face")["result"]]),
        (prosody_conn, {"prosody": {}}, False, [hume_012_run.event("prosody")["result"]]),
    ]
    for connection, models, raw_text, results in expected:
        headers = hume_012_run.request_headers(connection)
        assert headers["x-fern-sdk-name"] == "hume"
        assert headers["x-fern-sdk-version"] == "0.12.1"
        sent = hume_012_run.sent(connection)
        assert len(sent) == len(results)
        for message, result in zip(sent, results, strict=True):
            assert set(message) == {"payload_id", "data", "raw_text", "models"}
            assert uuid.UUID(message["payload_id"]).version == 4
            assert message["models"] == models
            assert message["raw_text"] is raw_text
            assert result["payload_id"] == message["payload_id"]
    assert [m["data"] for m in hume_012_run.sent(text_conn)] == DOC_SAMPLES
    assert hume_012_run.sent(invalid_conn) == []


# -- seed 003 verbatim (hume 0.7.8, URL redirected) ------------------------------------------


def test_seed_003_verbatim_runs_all_three_examples(seed_003_run: SeedRun) -> None:
    assert seed_003_run.event("version")["hume"] == "0.7.8"
    texts = seed_003_run.all("text")
    assert len(texts) == len(DOC_SAMPLES)
    for text in texts:
        assert_emotions(text["emotions"], LANGUAGE_EXPRESSION_NAMES)
    (face,) = seed_003_run.event("face")["result"]["face"]["predictions"]
    assert face["face_id"] == "unknown" and face["prob"] >= 0.99
    assert_emotions(face["emotions"], EXPRESSION_NAMES)
    prosody = seed_003_run.event("prosody")["result"]["prosody"]["predictions"]
    assert prosody and all(p["time"]["begin"] < p["time"]["end"] for p in prosody)


def test_seed_003_verbatim_wire_messages(seed_003_run: SeedRun) -> None:
    """hume 0.7.x sends a UUID ``payload_id``, ``models`` and ``raw_text`` on every message."""
    text_conn, face_conn, prosody_conn = seed_003_run.connections()
    assert [m["data"] for m in seed_003_run.sent(text_conn)] == DOC_SAMPLES
    models_of: tuple[tuple[str, dict[str, Any]], ...] = (
        (text_conn, {"language": {}}), (face_conn, {"face": {}}), (prosody_conn, {"prosody": {}}),
    )  # fmt: skip
    for connection, models in models_of:
        for message in seed_003_run.sent(connection):
            assert uuid.UUID(message["payload_id"]).version == 4
            assert message["models"] == models


# -- the docs' raw WebSocket examples (main venv, in-process) -------------------------------


def encode_data(filepath: Path) -> str:
    """The docs' base64 helper (seed 002, with seed 003's ``fp.read()``)."""
    with Path(filepath).open("rb") as fp:
        bytes_data = base64.b64encode(fp.read())
        encoded_data = bytes_data.decode("utf-8")
        return encoded_data


@pytest.fixture(params=["header", "apikey", "apiKey"])
def docs_socket(request: pytest.FixtureRequest, hume: HumeEndpoint) -> Iterator[Any]:
    """A raw connection authenticated as the docs describe: header, or the query parameter
    (``apikey`` in seed 002, ``apiKey`` in seed 003)."""
    if request.param == "header":
        url, headers = hume.url, {"X-Hume-Api-Key": hume.api_key}
    else:
        url, headers = f"{hume.url}?{request.param}={hume.api_key}", {}
    with connect(url, additional_headers=headers, max_size=None, open_timeout=10) as ws:
        yield ws


def test_docs_json_message(docs_socket: Any) -> None:
    docs_socket.send(DOCS_JSON_MESSAGE)
    reply = json.loads(docs_socket.recv(timeout=30))
    assert set(reply) == {"language"}
    predictions = reply["language"]["predictions"]
    assert_mary_first(predictions)
    assert predictions[1]["text"] == "had"
    assert predictions[1]["position"] == {"begin": 5, "end": 8}
    assert_word_predictions("Mary had a little lamb", predictions)


def test_docs_json_message_journal(hume: HumeEndpoint, mock_server: MockServer) -> None:
    """The emulator saw the docs message verbatim and answered with one text frame."""
    with connect(hume.url, additional_headers={"X-Hume-Api-Key": hume.api_key}) as ws:
        ws.send(DOCS_JSON_MESSAGE)
        ws.recv(timeout=30)
    (received,) = mock_server.journal.entries(direction="in", kind="text")
    assert received.data == json.loads(DOCS_JSON_MESSAGE)
    assert len(mock_server.journal.entries(direction="out", kind="text")) == 1


def test_docs_base64_face_example(hume: HumeEndpoint, manifest: dict[str, Any]) -> None:
    filepath = fixture_path("media/face.png")
    encoded_data = encode_data(filepath)
    message = {"data": encoded_data, "models": {"face": {}}, "payload_id": "1234"}
    with connect(
        hume.url, additional_headers={"X-Hume-Api-Key": hume.api_key}, max_size=None
    ) as ws:
        ws.send(json.dumps(message))
        reply = json.loads(ws.recv(timeout=30))
    assert set(reply) == {"payload_id", "face"}
    assert reply["payload_id"] == "1234"
    (prediction,) = reply["face"]["predictions"]
    assert set(prediction) >= {"frame", "time", "bbox", "prob", "face_id", "emotions"}
    assert prediction["frame"] == 0 and prediction["time"] is None
    assert prediction["face_id"] == "unknown"
    bbox = prediction["bbox"]
    assert bbox["x"] + bbox["w"] <= manifest["face.png"]["width"]
    assert bbox["y"] + bbox["h"] <= manifest["face.png"]["height"]
    assert_emotions(prediction["emotions"], EXPRESSION_NAMES)


def test_runner_scripts_do_not_import_mockserver() -> None:
    """The runners execute in other venvs, where ``mockserver`` is not installed; only the
    stdlib-only ``mockserver.redirect`` may be imported (from the checkout)."""
    for script in sorted(SEEDS_DIR.glob("*.py")):
        source = script.read_text("utf-8").replace("from mockserver.redirect import", "")
        assert not re.search(r"^\s*(from|import)\s+mockserver\b", source, re.MULTILINE), script
