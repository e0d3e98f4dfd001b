"""Benchmark harness: how fast the emulators start, answer and ingest.

Run ``make bench`` (or ``python benchmarks/bench.py [--quick] [--json FILE]``). The server
runs as a ``mockserver serve`` child process, so client and server do not share a GIL; the
in-process start-up is measured separately. Every loop is bounded by a count and a time
budget, and every socket is on 127.0.0.1. Results are medians; the machine is shared, so
compare runs as ratios and against the raw-library ceilings in ``docs/performance.md``.

The test suite never asserts on time; this script is where speed is measured.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import time
import wave
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc
import requests
from websockets.sync.client import connect

from mockserver._generated.behavioral_signals import api_pb2, api_pb2_grpc

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from mockserver.resources import fixture_base64, fixture_path  # noqa: E402
from mockserver.server import MockServer  # noqa: E402

HUME_KEY = "mock-hume-key"
CID, TOKEN = 1000, "mock-bs-token"


class Budget:
    """Stop a loop after ``count`` iterations or ``seconds``, whichever comes first."""

    def __init__(self, count: int, seconds: float) -> None:
        self.count = count
        self.deadline = time.monotonic() + seconds

    def __iter__(self) -> Iterator[int]:
        for i in range(self.count):
            if time.monotonic() > self.deadline:
                return
            yield i


def stats(samples: list[float]) -> dict[str, Any]:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 3),
        "p99_ms": round(p99 * 1000, 3),
        "n": len(ordered),
    }


class ServeProcess:
    """``mockserver serve`` in a child process, every port chosen by the OS."""

    def __init__(self) -> None:
        command = [
            sys.executable, "-m", "mockserver", "serve", "--log-level", "warning",
            "--hume-port", "0", "--hume-handshake-rate-limit", "0",
            "--behavioral-grpc-port", "0", "--behavioral-rest-port", "0",
        ]  # fmt: skip
        started = time.perf_counter()
        self.process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
        )
        assert self.process.stdout is not None
        lines: list[str] = []
        while not lines or "Press Ctrl-C" not in lines[-1]:
            if time.perf_counter() - started > 30 or self.process.poll() is not None:
                self.stop()
                raise RuntimeError("mockserver serve did not start")
            lines.append(self.process.stdout.readline())
        self.listening_s = time.perf_counter() - started
        text = "".join(lines)
        self.hume_url = self._find(r"(ws://\S+/v0/stream/models)", text)
        self.grpc_target = self._find(r"grpc (\S+)", text)
        self.rest_url = self._find(r"rest (\S+)", text)

    @staticmethod
    def _find(pattern: str, text: str) -> str:
        match = re.search(pattern, text)
        if match is None:
            raise RuntimeError(f"not in the serve banner: {pattern}")
        return match.group(1)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


# -- start-up -------------------------------------------------------------------------------


def bench_in_process_start(quick: bool) -> dict[str, Any]:
    """``MockServer()`` start (background thread) -> first Hume round trip."""

    times: list[float] = []
    for _ in Budget(3 if quick else 10, 30):
        started = time.perf_counter()
        with MockServer() as server:
            headers = {"X-Hume-Api-Key": server.hume.api_key}
            with connect(server.hume.url, additional_headers=headers) as ws:
                ws.send('{"job_details": true}')
                ws.recv()
            times.append(time.perf_counter() - started)
    return {"start_to_first_round_trip": stats(times)}


# -- Hume -------------------------------------------------------------------------------------


def bench_hume(serve: ServeProcess, quick: bool) -> dict[str, Any]:
    messages = {
        "job_details": ('{"job_details": true}', 200 if quick else 2000),
        "language_passage": (
            json.dumps({"data": "I am delighted to see you.", "raw_text": True,
                        "models": {"language": {"granularity": "passage"}}}),
            100 if quick else 1000,
        ),
        "face_jpeg_320": (json.dumps({"data": fixture_base64("media/face.jpg"),
                                      "models": {"face": {}}}),
                          10 if quick else 50),
        "prosody_wav_3s": (json.dumps({"data": fixture_base64("media/speech_16k.wav"),
                                       "models": {"prosody": {}}}),
                           10 if quick else 50),
    }  # fmt: skip
    out: dict[str, Any] = {}
    headers = {"X-Hume-Api-Key": HUME_KEY}
    with connect(serve.hume_url, additional_headers=headers, max_size=None) as ws:
        for name, (message, count) in messages.items():
            samples = []
            for i in Budget(count + 3, 20):
                started = time.perf_counter()
                ws.send(message)
                ws.recv()
                if i >= 3:  # the first ones warm up lazy imports and caches
                    samples.append(time.perf_counter() - started)
            out[name] = stats(samples)
        count = 500 if quick else 5000  # pipelined: 16 in flight
        started = time.perf_counter()
        sent = received = 0
        while received < count and time.perf_counter() - started < 30:
            while sent - received < 16 and sent < count:
                ws.send('{"job_details": true}')
                sent += 1
            ws.recv()
            received += 1
        out["pipelined_messages_per_s"] = round(received / (time.perf_counter() - started))
    return out


# -- Behavioral Signals -------------------------------------------------------------------------


def bench_behavioral(serve: ServeProcess, quick: bool) -> dict[str, Any]:

    with wave.open(str(fixture_path("media/speech_pauses_16k.wav")), "rb") as w:
        pcm, rate = w.readframes(w.getnframes()), w.getframerate()
    audio_s = len(pcm) / 2 / rate

    def requests_of(chunk: int) -> Iterator[api_pb2.AudioStream]:
        config = api_pb2.AudioConfig(encoding=api_pb2.LINEAR_PCM, sample_rate_hertz=rate)
        yield api_pb2.AudioStream(cid=CID, x_auth_token=TOKEN, config=config)
        for i in range(0, len(pcm), chunk):
            yield api_pb2.AudioStream(cid=CID, x_auth_token=TOKEN, audio_content=pcm[i : i + chunk])

    out: dict[str, Any] = {}
    with grpc.insecure_channel(serve.grpc_target) as channel:
        stub = api_pb2_grpc.BehavioralStreamingApiStub(channel)
        list(stub.StreamAudio(requests_of(8000)))  # warm-up
        for chunk in (8000, 64000):
            times = []
            for _ in Budget(3 if quick else 10, 30):
                started = time.perf_counter()
                results = list(stub.StreamAudio(requests_of(chunk)))
                times.append(time.perf_counter() - started)
            seconds = statistics.median(times)
            out[f"stream_{chunk}_byte_chunks"] = {
                "seconds_p50": round(seconds, 4),
                "real_time_factor": round(audio_s / seconds, 1),
                "results": len(results),
            }
    session = requests.Session()
    headers = {"X-Auth-Token": TOKEN, "X-Auth-Client": str(CID)}
    samples = []
    for _ in Budget(50 if quick else 500, 20):
        started = time.perf_counter()
        session.get(f"{serve.rest_url}/auth", headers=headers, timeout=10).raise_for_status()
        samples.append(time.perf_counter() - started)
    out["rest_auth"] = stats(samples)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark the mock server.")
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    args = parser.parse_args(argv)
    results: dict[str, Any] = {"python": sys.version.split()[0]}
    results["in_process"] = bench_in_process_start(args.quick)
    serve = ServeProcess()
    try:
        results["serve_process_to_listening_ms"] = round(serve.listening_s * 1000, 1)
        results["hume"] = bench_hume(serve, args.quick)
        results["behavioral"] = bench_behavioral(serve, args.quick)
    finally:
        serve.stop()
    text = json.dumps(results, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
