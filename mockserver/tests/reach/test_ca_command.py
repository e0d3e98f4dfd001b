"""``mockserver ca``: the variables it prints make each runtime trust the emulator.

Each runtime runs in a child process with only the printed variables added, and connects
with its default verification to a TLS listener; without them, the same child fails.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from mockserver.cli import main
from mockserver.server import MockServer

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def state_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("ca-state")


@pytest.fixture(scope="module")
def server(state_dir: Path) -> Iterator[MockServer]:
    with MockServer(tls=True, state_dir=str(state_dir), hume_v1={"enabled": False}) as running:
        yield running


def ca_output(state_dir: Path, *flags: str, capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["ca", "--state-dir", str(state_dir), *flags]) == 0
    return capsys.readouterr().out


def exported(state_dir: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, str]:
    """The variables of ``mockserver ca --shell``."""
    out = ca_output(state_dir, "--shell", capsys=capsys)
    pairs = [line.removeprefix("export ").split("=", 1) for line in out.splitlines()]
    return {name: value for name, value in pairs}


def run(code: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in TRUST_VARIABLES}
    return subprocess.run(
        code, env={**clean, **env}, capture_output=True, text=True, timeout=60, check=False
    )


TRUST_VARIABLES = (
    "SSL_CERT_FILE",
    "REQUESTS_CA_BUNDLE",
    "NODE_EXTRA_CA_CERTS",
    "GRPC_DEFAULT_SSL_ROOTS_FILE_PATH",
)


def test_the_outputs_name_the_same_ca(
    server: MockServer, state_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tls = server.runtime.tls
    assert tls is not None and tls.ca is not None
    path = ca_output(state_dir, "--path", capsys=capsys).strip()
    assert path == str(tls.ca.cert_file)
    document = json.loads(ca_output(state_dir, "--json", capsys=capsys))
    assert document["ca_file"] == path
    assert document["sha256_fingerprint"] == tls.ca.fingerprint()
    assert sorted(document["environment"]) == sorted(TRUST_VARIABLES)
    text = ca_output(state_dir, capsys=capsys)
    assert f"CA certificate: {path}" in text
    assert all(name in text for name in TRUST_VARIABLES)
    assert exported(state_dir, capsys) == document["environment"]


def test_a_bad_state_dir_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "file").write_text("")
    assert main(["ca", "--state-dir", str(tmp_path / "file" / "x")]) == 2
    assert "cannot create the TLS state directory" in capsys.readouterr().err


def test_python_ssl_and_requests_trust_the_ca(
    server: MockServer, state_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env = exported(state_dir, capsys)
    url = server.behavioral.base_url + "/status"
    urllib_code = [sys.executable, "-c", f"import urllib.request as u; u.urlopen({url!r})"]
    ok = run(urllib_code, {"SSL_CERT_FILE": env["SSL_CERT_FILE"]})
    assert ok.returncode == 0, ok.stderr
    refused = run(urllib_code, {})
    assert "CERTIFICATE_VERIFY_FAILED" in refused.stderr
    requests_code = [
        sys.executable,
        "-c",
        f"import requests; requests.get({url!r}).raise_for_status()",
    ]
    ok = run(requests_code, {"REQUESTS_CA_BUNDLE": env["REQUESTS_CA_BUNDLE"]})
    assert ok.returncode == 0, ok.stderr
    assert "CERTIFICATE_VERIFY_FAILED" in run(requests_code, {}).stderr


def test_grpc_trusts_the_ca(
    server: MockServer, state_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env = exported(state_dir, capsys)
    code = textwrap.dedent(
        f"""
        import grpc
        from grpc_health.v1 import health_pb2, health_pb2_grpc
        channel = grpc.secure_channel(
            {server.behavioral.grpc_target!r}, grpc.ssl_channel_credentials(),
            options=[("grpc.ssl_target_name_override", "streaming.behavioralsignals.com")])
        reply = health_pb2_grpc.HealthStub(channel).Check(
            health_pb2.HealthCheckRequest(), timeout=10)
        print(health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status))
        """
    )
    variable = "GRPC_DEFAULT_SSL_ROOTS_FILE_PATH"
    ok = run([sys.executable, "-c", code], {variable: env[variable]})
    assert ok.stdout.strip() == "SERVING", ok.stderr
    refused = run([sys.executable, "-c", code], {})
    assert refused.returncode != 0 and "UNAVAILABLE" in refused.stderr


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")
def test_node_trusts_the_ca(
    server: MockServer, state_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env = exported(state_dir, capsys)
    code = (
        f"require('https').get({json.dumps(server.admin.url + '/health')}, "
        "r => { console.log(r.statusCode); process.exit(0); })"
        ".on('error', e => { console.error(e.code); process.exit(3); });"
    )
    ok = run(["node", "-e", code], {"NODE_EXTRA_CA_CERTS": env["NODE_EXTRA_CA_CERTS"]})
    assert ok.stdout.strip() == "200", ok.stderr
    refused = run(["node", "-e", code], {})
    assert refused.returncode == 3 and "SELF_SIGNED_CERT_IN_CHAIN" in refused.stderr
