"""``make bench``: the emulators side by side with bare servers, in one run, as ratios.

Every comparison runs the same load generator (:mod:`benchmarks.load`) against a bare server
this harness starts itself (:mod:`benchmarks.bare`: a ``websockets`` echo server, a
``grpc.aio`` server of the Behavioral Signals service) and against ``mockserver serve``, each
in its own process, one after the other, in one run. Besides throughput it reports each
server's CPU time per message, which the load of other processes on the machine disturbs far
less than throughput. Every loop is bounded by a count and a time budget; every socket is on
127.0.0.1. The test suite never asserts on speed; this script is where speed is measured.

``python benchmarks/bench.py [--quick] [--only NAME,...] [--json FILE] [--write-docs]``;
``--write-docs`` rewrites the results section of ``docs/performance.md``.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import functools
import io
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import textwrap
import time
import wave
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import grpc  # noqa: E402
from load import distinct_texts, percentile, pipelined  # noqa: E402
from websockets.asyncio.client import connect  # noqa: E402

from mockserver._generated.behavioral_signals import api_pb2, api_pb2_grpc  # noqa: E402
from mockserver.resources import fixture_path  # noqa: E402

HUME_KEY = "mock-hume-key"
CID, TOKEN = 1000, "mock-bs-token"
DOCS = ROOT / "docs" / "performance.md"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"


# -- processes ------------------------------------------------------------------------------

#: The children's environment: as a user's (bytecode cached; some sandboxes turn it off).
CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (all its threads)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


@dataclass
class Server:
    """A server in a child process, started and stopped by the harness."""

    name: str
    process: subprocess.Popen[str]
    info: dict[str, Any]
    started_s: float  # process start -> ready

    def cpu(self) -> float:
        return _cpu_seconds(self.process.pid)

    def rss(self) -> int:
        return _rss_bytes(self.process.pid)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)


def start_bare(kind: str) -> Server:
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "benchmarks" / "bare.py"), kind],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=CHILD_ENV,
    )  # fmt: skip
    assert process.stdout is not None
    line = process.stdout.readline()
    match = re.fullmatch(r"READY (\d+)\n", line)
    if match is None:
        process.kill()
        raise RuntimeError(f"bare {kind} server did not start: {line!r}")
    return Server(f"bare {kind}", process, {"port": int(match.group(1))},
                  time.perf_counter() - started)  # fmt: skip


def start_emulator(*flags: str, only: str | None = None) -> Server:
    """``mockserver serve --print-json`` on free ports (``only``: that vendor alone)."""
    vendors = {"hume": "--hume", "hume_v1": "--hume-v1", "behavioral": "--behavioral"}
    args = [
        "--log-level", "warning", "--hume-port", "0", "--hume-v1-port", "0",
        "--behavioral-grpc-port", "0", "--behavioral-rest-port", "0", "--admin-port", "0",
        "--hume-handshake-rate-limit", "0", "--behavioral-max-streams-per-project", "0",
    ]  # fmt: skip
    if only is not None:
        args += [f"--no-{flag[2:]}-enabled" for name, flag in vendors.items() if name != only]
        args.append("--no-admin-enabled")
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "mockserver", "serve", "--print-json", *args, *flags],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=CHILD_ENV,
    )  # fmt: skip
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line.startswith("{"):
        process.kill()
        raise RuntimeError(f"mockserver serve did not start: {line!r}")
    return Server("emulator", process, json.loads(line), time.perf_counter() - started)


# -- results --------------------------------------------------------------------------------


@dataclass
class Row:
    """One line of the results table."""

    workload: str
    bare: str
    emulator: str
    ratio: float | None = None  # emulator / bare (higher is better for throughput)
    target: str = ""
    met: bool | None = None
    note: str = ""
    raw: dict[str, Any] = field(default_factory=dict)


def _msgs(value: float) -> str:
    return f"{value / 1000:.1f}k msg/s" if value >= 1000 else f"{value:.0f} msg/s"


def _us(seconds: float, count: int) -> str:
    return f"{seconds / max(1, count) * 1e6:.0f} µs CPU/msg"


# -- Hume: throughput ----------------------------------------------------------------------


def _control(i: int) -> str:
    return f'{{"job_details":true,"payload_id":"{i}"}}'


async def _throughput(
    server: Server,
    url: str,
    make: Callable[[int], str],
    *,
    connections: int,
    count: int,
    headers: dict[str, str] | None,
) -> tuple[float, float]:
    """(messages/s, server CPU seconds per message) of a pipelined run."""
    cpu = server.cpu()
    result = await pipelined(url, make, connections=connections, count=count, headers=headers)
    used = server.cpu() - cpu
    return result.per_s, used / max(1, result.messages)


def _shift(make: Callable[[int], str], offset: int, i: int) -> str:
    return make(offset + i)


def _median_run(runs: list[tuple[float, float]]) -> tuple[float, float]:
    """The run of median throughput, as (messages/s, CPU s per message)."""
    return sorted(runs)[len(runs) // 2]


def bench_hume_throughput(quick: bool) -> list[Row]:
    texts = distinct_texts(40_000 if not quick else 4_000)

    def language(i: int) -> str:
        text = texts[i % len(texts)]
        return json.dumps({"models": {"language": {}}, "raw_text": True, "data": text})

    workloads: list[tuple[str, Callable[[int], str], int, int, float, str]] = [
        ("Hume control messages, 1 connection, 16 in flight", _control, 1,
         4_000 if quick else 20_000, 0.9, "≥ 0.9x"),
        ("Hume control messages, 10 connections, 16 in flight each", _control, 10,
         4_000 if quick else 20_000, 0.9, "≥ 0.9x"),
        ("Hume language model, distinct 64-character texts, 1 connection", language, 1,
         600 if quick else 3_000, 0.3, "≥ 0.3x"),
    ]  # fmt: skip
    rows: list[Row] = []
    bare = start_bare("ws")
    emulator = start_emulator(only="hume")
    try:
        bare_url = f"ws://127.0.0.1:{bare.info['port']}/"
        url = emulator.info["listeners"]["hume"]["url"]
        headers = {"X-Hume-Api-Key": HUME_KEY}
        # a warm-up for both (first-use imports, compiled schemas, allocator), then three
        # alternating rounds; the medians are reported (the machine may be shared)
        asyncio.run(_throughput(bare, bare_url, _control, connections=1, count=2_000,
                                headers=None))  # fmt: skip
        asyncio.run(_throughput(emulator, url, _control, connections=1, count=2_000,
                                headers=headers))  # fmt: skip
        for name, make, connections, count, target, target_text in workloads:
            bare_runs, emulator_runs = [], []
            for round_ in range(1 if quick else 3):
                # every round sends new messages (distinct texts stay distinct)
                shifted = functools.partial(_shift, make, round_ * count)
                bare_runs.append(asyncio.run(
                    _throughput(bare, bare_url, shifted, connections=connections, count=count,
                                headers=None)
                ))  # fmt: skip
                emulator_runs.append(asyncio.run(
                    _throughput(emulator, url, shifted, connections=connections, count=count,
                                headers=headers)
                ))  # fmt: skip
            b_rate, b_cpu = _median_run(bare_runs)
            e_rate, e_cpu = _median_run(emulator_runs)
            ratio = e_rate / b_rate if b_rate else None
            rows.append(Row(
                name, f"{_msgs(b_rate)} ({_us(b_cpu, 1)})", f"{_msgs(e_rate)} ({_us(e_cpu, 1)})",
                ratio, target_text, ratio is not None and ratio >= target,
                raw={"bare_per_s": b_rate, "emulator_per_s": e_rate,
                     "bare_cpu_s_per_msg": b_cpu, "emulator_cpu_s_per_msg": e_cpu},
            ))  # fmt: skip
    finally:
        bare.stop()
        emulator.stop()
    return rows


# -- Behavioral Signals: gRPC ingest and realtime -----------------------------------------


def _pcm() -> tuple[bytes, int]:
    with wave.open(str(fixture_path("media/speech_pauses_16k.wav")), "rb") as w:
        return w.readframes(w.getnframes()), w.getframerate()


def _requests(pcm: bytes, rate: int, chunk: int, repeat: int = 1) -> Iterator[Any]:
    config = api_pb2.AudioConfig(encoding=api_pb2.LINEAR_PCM, sample_rate_hertz=rate)
    yield api_pb2.AudioStream(cid=CID, x_auth_token=TOKEN, config=config)
    for _ in range(repeat):
        for i in range(0, len(pcm), chunk):
            yield api_pb2.AudioStream(cid=CID, x_auth_token=TOKEN, audio_content=pcm[i : i + chunk])


def _ingest(server: Server, target: str, pcm: bytes, rate: int, repeat: int) -> tuple[float, float]:
    """(request messages/s, server CPU s per request) of one fast StreamAudio call."""
    with grpc.insecure_channel(target) as channel:
        stub = api_pb2_grpc.BehavioralStreamingApiStub(channel)
        list(stub.StreamAudio(_requests(pcm, rate, 8000)))  # warm-up
        messages = 1 + repeat * -(-len(pcm) // 8000)
        cpu = server.cpu()
        started = time.perf_counter()
        list(stub.StreamAudio(_requests(pcm, rate, 8000, repeat)))
        elapsed = time.perf_counter() - started
        return messages / elapsed, (server.cpu() - cpu) / messages


def bench_grpc_ingest(quick: bool) -> list[Row]:
    pcm, rate = _pcm()
    repeat = 3 if quick else 20
    bare = start_bare("grpc")
    try:
        b_rate, b_cpu = _ingest(bare, f"127.0.0.1:{bare.info['port']}", pcm, rate, repeat)
    finally:
        bare.stop()
    emulator = start_emulator(only="behavioral")
    try:
        target = emulator.info["listeners"]["behavioral"]["grpc_target"]
        e_rate, e_cpu = _ingest(emulator, target, pcm, rate, repeat)
    finally:
        emulator.stop()
    audio_s = len(pcm) / 2 / rate * repeat
    messages = 1 + repeat * -(-len(pcm) // 8000)
    ratio = e_rate / b_rate
    return [Row(
        "Behavioral Signals StreamAudio ingest, 8000-byte chunks, as fast as possible",
        f"{_msgs(b_rate)} ({_us(b_cpu, 1)})",
        f"{_msgs(e_rate)} ({_us(e_cpu, 1)}; {audio_s / (messages / e_rate):.0f}x real time)",
        ratio, note="bare answers each request with one empty result",
        raw={"bare_per_s": b_rate, "emulator_per_s": e_rate},
    )]  # fmt: skip


async def _realtime_streams(target: str, n: int, pcm: bytes, rate: int) -> list[float]:
    """Lateness of every result of ``n`` concurrent realtime streams (250 ms chunks)."""
    chunk = rate // 4 * 2
    lateness: list[float] = []

    async def one(offset: float) -> None:
        await asyncio.sleep(offset)

        async def requests() -> Any:
            config = api_pb2.AudioConfig(encoding=api_pb2.LINEAR_PCM, sample_rate_hertz=rate)
            yield api_pb2.AudioStream(cid=CID, x_auth_token=TOKEN, config=config)
            t0 = time.monotonic()
            for i, position in enumerate(range(0, len(pcm), chunk)):
                delay = t0 + i * 0.25 - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
                content = pcm[position : position + chunk]
                yield api_pb2.AudioStream(cid=CID, x_auth_token=TOKEN, audio_content=content)

        started = time.monotonic()
        call = stub.StreamAudio(requests())
        async for response in call:
            now = time.monotonic()
            lateness.extend(now - (started + float(r.end_time)) for r in response.result)

    async with grpc.aio.insecure_channel(target) as channel:
        stub = api_pb2_grpc.BehavioralStreamingApiStub(channel)
        await asyncio.wait_for(asyncio.gather(*(one(0.25 * i / n) for i in range(n))), timeout=120)
    return lateness


def bench_behavioral_realtime(quick: bool) -> list[Row]:
    pcm, rate = _pcm()
    emulator = start_emulator("--behavioral-pacing", "realtime", only="behavioral")
    ladder = [1, 25, 50] if quick else [1, 50, 100, 150, 200, 300]
    found: dict[int, float] = {}
    held = 0
    try:
        target = emulator.info["listeners"]["behavioral"]["grpc_target"]
        for n in ladder:
            late = asyncio.run(_realtime_streams(target, n, pcm, rate))
            found[n] = percentile(late, 0.99)
            if n > 1 and found[n] > found[1] + 0.25:
                break
            held = n
    finally:
        emulator.stop()
    text = ", ".join(f"{n}: {p * 1000:.0f} ms" for n, p in found.items())
    return [Row(
        "Behavioral Signals realtime streams held (p99 lateness ≤ 1 stream's + 250 ms)",
        "", f"{held} streams (p99 by streams: {text})", None, "≥ 300", held >= 300,
        raw={"p99_s": found, "held": held},
    )]  # fmt: skip


# -- Hume: prosody in real time --------------------------------------------------------------


def _one_second_wavs(count: int) -> list[str]:
    """Base64 WAVs of 1 s each, cut from the speech fixture at different offsets."""
    import base64  # noqa: PLC0415  (only this workload)

    pcm, rate = _pcm()
    out = []
    for i in range(count):
        start = (i * rate // 3 * 2) % (len(pcm) - 2 * rate)
        start -= start % 2
        buffer = io.BytesIO()
        with wave.open(buffer, "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(rate)
            w.writeframes(pcm[start : start + 2 * rate])
        out.append(base64.b64encode(buffer.getvalue()).decode())
    return out


async def _prosody_clients(url: str, connections: int, seconds: int) -> list[float]:
    wavs = _one_second_wavs(connections)
    latencies: list[float] = []

    async def one(n: int) -> None:
        await asyncio.sleep(n / connections)  # spread the sends over the second
        async with connect(url, additional_headers={"X-Hume-Api-Key": HUME_KEY},
                           max_size=None) as ws:  # fmt: skip
            t0 = time.monotonic()
            for i in range(seconds):
                delay = t0 + i - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
                sent = time.monotonic()
                await ws.send(json.dumps({"data": wavs[n], "models": {"prosody": {}}}))
                await ws.recv()
                latencies.append(time.monotonic() - sent)

    await asyncio.wait_for(asyncio.gather(*(one(n) for n in range(connections))), 60 + seconds)
    return latencies


def bench_hume_prosody(quick: bool) -> list[Row]:
    """p99 reply time at 100 connections (the target), and the most connections that keep
    the p99 within 250 ms (10, 25, 50, 100 connections, in that order)."""
    steps, seconds = ((10, 20), 5) if quick else ((10, 25, 50, 100), 10)
    p99s: dict[int, float] = {}
    replies = 0
    emulator = start_emulator(only="hume")
    try:
        url = emulator.info["listeners"]["hume"]["url"]
        asyncio.run(_prosody_clients(url, 1, 2))  # warm-up: the media libraries load
        for connections in steps:
            latencies = asyncio.run(_prosody_clients(url, connections, seconds))
            p99s[connections] = percentile(latencies, 0.99)
            replies += len(latencies)
    finally:
        emulator.stop()
    top = steps[-1]
    held = max((n for n, p99 in p99s.items() if p99 <= 0.25), default=0)
    by = ", ".join(f"{n}: {p99 * 1000:.0f} ms" for n, p99 in p99s.items())
    return [Row(
        f"Hume prosody, {top} connections each sending 1 s of audio per second",
        "", f"p99 reply {p99s[top] * 1000:.0f} ms ({held} connections within 250 ms; "
        f"p99 by connections: {by})",
        None, "p99 ≤ 250 ms", p99s[top] <= 0.25,
        raw={"p99_s": p99s, "replies": replies, "held": held},
    )]  # fmt: skip


# -- start-up, memory, pytest -----------------------------------------------------------------


def bench_startup(quick: bool) -> list[Row]:
    rounds = 3 if quick else 7
    serve: list[float] = []
    bare_ws: list[float] = []
    bare_grpc: list[float] = []
    for _ in range(rounds):
        for times, kind in ((serve, ""), (bare_ws, "ws"), (bare_grpc, "grpc")):
            server = start_bare(kind) if kind else start_emulator()
            times.append(server.started_s)
            server.stop()
    serve_s, ws_s, grpc_s = (sorted(x)[len(x) // 2] for x in (serve, bare_ws, bare_grpc))
    code = textwrap.dedent("""
        import time, json, sys
        from mockserver.server import MockServer
        with MockServer():
            pass
        samples = []
        for _ in range(20):
            t = time.perf_counter()
            with MockServer():
                pass
            samples.append(time.perf_counter() - t)
        print(json.dumps(sorted(samples)[len(samples) // 2]))
    """)
    warm = float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                check=True, timeout=120, env=CHILD_ENV).stdout)  # fmt: skip
    return [
        Row("`mockserver serve` start to every listener ready (5 listeners)",
            f"{ws_s * 1000:.0f} ms (ws) / {grpc_s * 1000:.0f} ms (grpc)",
            f"{serve_s * 1000:.0f} ms", None, "≤ 300 ms", serve_s <= 0.3),
        Row("`MockServer()` start and stop in a process, warm", "", f"{warm * 1000:.1f} ms",
            None, "≤ 10 ms", warm <= 0.010),
    ]  # fmt: skip


async def _hold_idle(url: str, count: int, headers: dict[str, str] | None,
                     server: Server, exchange: bool) -> float:  # fmt: skip
    """Server RSS growth per connection with ``count`` idle connections open."""
    before = server.rss()
    sockets = []
    try:
        for _ in range(count):
            sockets.append(await connect(url, additional_headers=headers or {}, max_size=None,
                                         compression=None))  # fmt: skip
        if exchange:
            for ws in sockets:
                await ws.send(_control(0))
            for ws in sockets:
                await ws.recv()
        await asyncio.sleep(0.5)
        return (server.rss() - before) / count
    finally:
        for ws in sockets:
            await ws.close()


def bench_idle_memory(quick: bool) -> list[Row]:
    count = 200 if quick else 1000
    rows = []
    for exchange in (False, True):
        bare = start_bare("ws")
        try:
            b = asyncio.run(_hold_idle(f"ws://127.0.0.1:{bare.info['port']}/", count, None,
                                       bare, exchange))  # fmt: skip
        finally:
            bare.stop()
        emulator = start_emulator(only="hume")
        try:
            url = emulator.info["listeners"]["hume"]["url"]
            e = asyncio.run(_hold_idle(url, count, {"X-Hume-Api-Key": HUME_KEY}, emulator,
                                       exchange))  # fmt: skip
        finally:
            emulator.stop()
        ratio = e / b if b > 0 else None
        rows.append(Row(
            f"Memory per idle connection, {count} open"
            + (", after one round trip" if exchange else ""),
            f"{b / 1024:.1f} KB", f"{e / 1024:.1f} KB", ratio, "≤ 1.5x bare",
            ratio is not None and ratio <= 1.5,
        ))  # fmt: skip
    return rows


PYTEST_TESTS = """
import json
import pytest
from websockets.sync.client import connect

@pytest.mark.parametrize("n", range({count}))
def test_round_trip(n, mock_hume):
    with connect(mock_hume.url, additional_headers=mock_hume.headers) as ws:
        ws.send(json.dumps({{"job_details": True, "payload_id": str(n)}}))
        ws.recv()

@pytest.mark.parametrize("n", range({count}))
def test_empty(n):
    pass
"""


def bench_pytest(quick: bool) -> list[Row]:
    count = 50 if quick else 200
    with tempfile.TemporaryDirectory() as folder:
        Path(folder, "test_bench.py").write_text(PYTEST_TESTS.format(count=count))
        times = {}
        for name in ("round_trip", "empty"):
            started = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-k", name,
                 "test_bench.py"],
                cwd=folder, capture_output=True, check=True, timeout=300, env=CHILD_ENV,
            )  # fmt: skip
            times[name] = time.perf_counter() - started
    per_test = (times["round_trip"] - times["empty"]) / count
    return [Row(
        f"pytest plugin: {count} tests, one Hume round trip each (against {count} empty tests)",
        f"{times['empty']:.2f} s", f"{times['round_trip']:.2f} s",
        None, note=f"{per_test * 1000:.1f} ms per test, first server start included",
    )]  # fmt: skip


# -- main -------------------------------------------------------------------------------------

WORKLOADS: dict[str, Callable[[bool], list[Row]]] = {
    "hume": bench_hume_throughput,
    "grpc": bench_grpc_ingest,
    "realtime": bench_behavioral_realtime,
    "prosody": bench_hume_prosody,
    "startup": bench_startup,
    "memory": bench_idle_memory,
    "pytest": bench_pytest,
}


def table(rows: list[Row]) -> str:
    lines = [
        "| workload | bare server | emulator | ratio | target | met |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        ratio = f"{r.ratio:.2f}" if r.ratio is not None else ""
        met = "" if r.met is None else ("yes" if r.met else "no")
        emulator = r.emulator + (f" ({r.note})" if r.note else "")
        lines.append(f"| {r.workload} | {r.bare} | {emulator} | {ratio} | {r.target} | {met} |")
    return "\n".join(lines)


def write_docs(text: str) -> None:
    doc = DOCS.read_text(encoding="utf-8")
    if START not in doc or END not in doc:
        raise SystemExit(f"{DOCS} has no {START} ... {END} section")
    head, rest = doc.split(START, 1)
    _, tail = rest.split(END, 1)
    DOCS.write_text(f"{head}{START}\n{text}\n{END}{tail}", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark the emulators against bare servers.")
    parser.add_argument("--quick", action="store_true", help="fewer and shorter runs")
    parser.add_argument("--only", help=f"comma-separated subset of: {', '.join(WORKLOADS)}")
    parser.add_argument("--json", type=Path, help="also write the raw results to this file")
    parser.add_argument(
        "--write-docs", action="store_true", help="rewrite the results of docs/performance.md"
    )
    args = parser.parse_args(argv)
    names = args.only.split(",") if args.only else list(WORKLOADS)
    unknown = [n for n in names if n not in WORKLOADS]
    if unknown:
        parser.error(f"unknown workload(s): {', '.join(unknown)}")
    load = os.getloadavg()
    # compile once, so that no start-up below pays for it
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "mockserver")],
                   check=False, env=CHILD_ENV, capture_output=True)  # fmt: skip
    rows: list[Row] = []
    for name in names:
        print(f"running {name}...", file=sys.stderr, flush=True)
        new = WORKLOADS[name](args.quick)
        rows += new
        print(table(new), file=sys.stderr, flush=True)
    flags = [a for a in (sys.argv[1:] if argv is None else argv) if a != "--write-docs"]
    command = "make bench" + (f" ARGS='{' '.join(flags)}'" if flags else "")
    header = (
        f"Measured {dt.date.today().isoformat()} with `{command}` on {platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, load average before "
        f"the run {load[0]:.1f}."
    )
    text = header + "\n\n" + table(rows)
    print(text)
    if args.json:
        args.json.write_text(json.dumps([r.__dict__ for r in rows], indent=2, default=str))
    if args.write_docs:
        write_docs(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
