"""The event loop setting: uvloop when installed, asyncio's on request, a clear error when
uvloop is asked for and missing; the emulators serve both vendors on either loop."""

from __future__ import annotations

import asyncio
import json
import sys

import grpc
import pytest
from websockets.sync.client import connect

from mockserver import loops
from mockserver._generated.behavioral_signals import api_pb2, api_pb2_grpc
from mockserver.cli import main
from mockserver.server import MockServer

uvloop = pytest.importorskip("uvloop", reason="uvloop is in the dev extra (pip install .[fast])")

SERVE_ON_FREE_PORTS = [
    "serve", "--hume-port", "0", "--behavioral-grpc-port", "0", "--behavioral-rest-port", "0",
    "--hume-v1-port", "0", "--admin-port", "0",
]  # fmt: skip


def _kind(choice: str) -> str:
    async def running() -> str:
        return type(asyncio.get_running_loop()).__module__

    return loops.run(running(), choice)


def test_auto_is_uvloop_when_installed_and_asyncio_otherwise(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert loops.loop_name("auto") == "uvloop"
    assert _kind("auto") == "uvloop"
    assert _kind("asyncio") == "asyncio.unix_events"
    monkeypatch.setitem(sys.modules, "uvloop", None)  # as if it were not installed
    monkeypatch.setattr(loops, "_uvloop_installed", lambda: False)
    assert loops.loop_name("auto") == "asyncio"
    assert _kind("auto") == "asyncio.unix_events"


def test_uvloop_asked_for_but_missing_names_the_extra(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "uvloop", None)
    with pytest.raises(ModuleNotFoundError, match=r"affect-mockserver\[fast\]"):
        loops.loop_factory("uvloop")
    assert main([*SERVE_ON_FREE_PORTS, "--event-loop", "uvloop"]) == 2
    err = capsys.readouterr().err
    assert "mockserver: error:" in err and "pip install 'affect-mockserver[fast]'" in err
    assert "Traceback" not in err


def test_an_unknown_loop_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(ValueError, match="auto, uvloop, asyncio"):
        loops.loop_name("trio")
    assert main([*SERVE_ON_FREE_PORTS, "--event-loop", "trio"]) == 2
    assert "trio" in capsys.readouterr().err


@pytest.mark.parametrize("choice", ["uvloop", "asyncio"])
def test_both_vendors_serve_on_either_loop(choice: str) -> None:
    with MockServer(event_loop=choice) as server:
        assert server._thread_loop is not None
        module = type(server._thread_loop).__module__
        assert module.startswith(choice)
        hume = server.service("hume").endpoint
        with connect(hume.url, additional_headers={"X-Hume-Api-Key": hume.api_key}) as ws:
            ws.send(json.dumps({"models": {"language": {}}, "raw_text": True, "data": "so glad"}))
            reply = json.loads(ws.recv(timeout=10))
        assert reply["language"]["predictions"][0]["text"] == "so"
        behavioral = server.service("behavioral").endpoint
        with grpc.insecure_channel(behavioral.grpc_target) as channel:
            stub = api_pb2_grpc.BehavioralStreamingApiStub(channel)
            config = api_pb2.AudioConfig(encoding=api_pb2.LINEAR_PCM, sample_rate_hertz=16000)
            first = api_pb2.AudioStream(
                cid=behavioral.cid, x_auth_token=behavioral.token, config=config
            )
            silence = api_pb2.AudioStream(
                cid=behavioral.cid, x_auth_token=behavioral.token, audio_content=bytes(8000)
            )
            results = list(stub.StreamAudio(iter([first, silence, silence]), timeout=10))
        assert all(result.cid == behavioral.cid for result in results)
        server.check()
