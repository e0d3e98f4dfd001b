"""``--host 0.0.0.0 --allow-non-loopback``: reachable from another machine, with the admin
token then required.

The server runs in a network namespace this test creates, and the client connects from
this namespace over a veth link, as a client outside a container would.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from typing import Any

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from websockets.sync.client import connect

from mockserver.cli import main

from .netns import namespace

pytestmark = pytest.mark.e2e

FREE_PORTS = [
    "--hume-port", "0", "--hume-v1-port", "0", "--behavioral-grpc-port", "0",
    "--behavioral-rest-port", "0", "--admin-port", "0",
]  # fmt: skip


def test_an_exposed_admin_api_needs_a_token(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--host", "0.0.0.0", "--allow-non-loopback", *FREE_PORTS]) == 2
    err = capsys.readouterr().err
    assert "exposes the admin API beyond this machine, so it needs a token" in err
    assert "--admin-token" in err


def _request(url: str, method: str = "GET", token: str | None = None) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    request = urllib.request.Request(url, method=method, headers=headers)
    direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # no proxy variables
    try:
        with direct.open(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_every_listener_is_reachable_from_another_host() -> None:
    with namespace(veth=True) as ns:
        assert ns.address is not None
        server = ns.popen(
            [sys.executable, "-m", "mockserver", "serve", "--host", "0.0.0.0",
             "--allow-non-loopback", "--admin-token", "s3cret", "--print-json", *FREE_PORTS],
            env=os.environ, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        try:
            ready = json.loads(server.stdout.readline())
            listeners = ready["listeners"]
            assert ready["host"] == "0.0.0.0"
            assert listeners["hume"]["url"].startswith("ws://127.0.0.1:")  # for local clients
            remote = ns.address
            url = f"ws://{remote}:{listeners['hume']['port']}/v0/stream/models"
            with connect(url, additional_headers={"X-Hume-Api-Key": "mock-hume-key"}) as ws:
                ws.send(json.dumps({"models": {"language": {}}, "raw_text": True, "data": "hi"}))
                assert "language" in json.loads(ws.recv(timeout=30))
            admin = f"http://{remote}:{listeners['admin']['port']}"
            status, body = _request(admin + "/health")  # open, as on loopback
            assert (status, body["ready"]) == (200, True)
            assert _request(admin + "/reset", "POST")[0] == 401
            assert _request(admin + "/reset", "POST", token="s3cret")[0] == 200
            rest = f"http://{remote}:{listeners['behavioral']['rest_port']}/status"
            assert _request(rest)[0] == 200
            target = f"{remote}:{listeners['behavioral']['grpc_port']}"
            with grpc.insecure_channel(target, [("grpc.enable_http_proxy", 0)]) as channel:
                reply = health_pb2_grpc.HealthStub(channel).Check(
                    health_pb2.HealthCheckRequest(), timeout=30
                )
            assert reply.status == health_pb2.HealthCheckResponse.SERVING
        finally:
            server.send_signal(signal.SIGTERM)
            _, err = server.communicate(timeout=30)
        assert server.returncode == 0, err
