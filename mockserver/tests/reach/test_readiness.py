"""Readiness for scripts: ``--ready-file``, ``serve --print-json`` and ``GET /health``'s
``ready``.

The documents validate against ``schemas/ready.schema.json``; every port they name accepts
a connection by the time they exist; the file appears atomically and goes away at stop.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from mockserver.admin import AdminApi
from mockserver.core.http import RestRequest
from mockserver.resources import load_schema
from mockserver.server import MockServer

pytestmark = pytest.mark.e2e

FREE_PORTS = [
    "--hume-port", "0", "--hume-v1-port", "0", "--behavioral-grpc-port", "0",
    "--behavioral-rest-port", "0", "--admin-port", "0",
]  # fmt: skip


def validate(document: Any) -> None:
    jsonschema.Draft202012Validator(load_schema("ready.schema.json")).validate(document)


def ports_of(document: dict[str, Any]) -> list[int]:
    return [
        value
        for listener in document["listeners"].values()
        for key, value in listener.items()
        if key.endswith("port")
    ]


def accepts(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def test_the_schema_rejects_what_it_should() -> None:
    good = {"ready": True, "pid": 1, "host": "127.0.0.1", "seed": 0, "tls": None}
    validate({**good, "listeners": {"x": {"url": "ws://a", "port": 1}}})
    for bad in (
        {**good, "listeners": {"x": {"url": "ftp://a"}}},
        {**good, "listeners": {"x": {"port": 0}}},
        {**good, "listeners": {"admin": {"url": "http://a", "port": 1}}},  # no token_required
        {**good, "ready": False, "listeners": {}},
    ):
        with pytest.raises(jsonschema.ValidationError):
            validate(bad)


def test_serve_prints_json_and_writes_the_ready_file(tmp_path: Path) -> None:
    ready = tmp_path / "run" / "ready.json"  # the folder is created too
    process = subprocess.Popen(
        [sys.executable, "-m", "mockserver", "serve", *FREE_PORTS, "--print-json",
         "--ready-file", str(ready), "--admin-token", "secret"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        printed = json.loads(process.stdout.readline())
        validate(printed)
        written = json.loads(ready.read_text(encoding="utf-8"))
        assert written == printed
        assert printed["pid"] == process.pid and printed["tls"] is None
        assert set(printed["listeners"]) == {"hume", "hume_v1", "behavioral", "admin"}
        assert printed["listeners"]["hume"]["api_key"] == "mock-hume-key"  # credentials
        assert printed["listeners"]["behavioral"]["token"] == "mock-bs-token"
        assert printed["listeners"]["admin"]["token_required"] is True
        assert "secret" not in json.dumps(printed)  # the admin token itself never
        ports = ports_of(printed)
        assert len(ports) == 5 and all(map(accepts, ports))
        assert [p.name for p in ready.parent.iterdir()] == ["ready.json"]  # no temporary left
    finally:
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert out == ""  # one line of JSON on stdout, nothing else
    assert "Press Ctrl-C to stop." in err and "hume " in err  # the banner went to stderr
    assert not ready.exists()  # removed at stop


def test_a_stale_ready_file_is_replaced_and_removed(tmp_path: Path) -> None:
    ready = tmp_path / "ready.json"
    ready.write_text("{stale", encoding="utf-8")
    server = MockServer(ready_file=str(ready), admin_enabled=False)
    assert not server.ready
    with server:
        assert server.ready
        document = json.loads(ready.read_text(encoding="utf-8"))
        validate(document)
        assert "admin" not in document["listeners"]
        assert document == server.readiness()
    assert not server.ready and not ready.exists()


def test_tls_trust_material_is_in_the_document(tmp_path: Path) -> None:
    with MockServer(tls=True, state_dir=str(tmp_path), hume_v1={"enabled": False}) as server:
        document = server.readiness()
    validate(document)
    assert document["tls"]["ca_file"] == str(tmp_path / "ca" / "ca.pem")
    assert document["tls"]["environment"]["NODE_EXTRA_CA_CERTS"] == document["tls"]["ca_file"]
    assert "api.hume.ai" in document["tls"]["names"]
    assert document["listeners"]["hume"]["url"].startswith("wss://")


def test_health_says_whether_the_server_is_ready() -> None:
    server = MockServer(admin_enabled=False)
    api = AdminApi(server)
    health = RestRequest(method="GET", path="/health", query={}, headers={})
    assert api.handle(health).body["ready"] is False  # not started
    with server:
        assert api.handle(health).body["ready"] is True
    assert api.handle(health).body["ready"] is False  # stopped
    assert os.getpid() == server.readiness()["pid"]
