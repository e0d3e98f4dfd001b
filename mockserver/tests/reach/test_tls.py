"""``--tls``: a local CA, a certificate naming the vendors' hostnames, and every listener
(WebSocket, gRPC, REST, admin) speaking TLS that clients verify.

Clients connect to 127.0.0.1 but verify the certificate for the vendor's production
hostname (websockets ``server_hostname``, gRPC ``grpc.ssl_target_name_override``, aiohttp
``server_hostname``), with verification on; the same connection without the CA fails.
"""

from __future__ import annotations

import json
import ssl
import threading
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiohttp
import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from websockets.asyncio.client import connect
from websockets.sync.client import connect as sync_connect

from mockserver._generated.behavioral_signals import api_pb2, api_pb2_grpc
from mockserver.errors import ConfigError
from mockserver.server import MockServer
from mockserver.tls import (
    DEFAULT_NAMES,
    LocalCA,
    default_state_dir,
    ensure_ca,
    server_tls,
    subject_names,
    trust_environment,
)

pytestmark = pytest.mark.e2e

KEY = {"X-Hume-Api-Key": "mock-hume-key"}
TEXT = {
    "models": {"language": {"granularity": "passage"}},
    "raw_text": True,
    "data": "I am delighted",
}


@pytest.fixture(scope="module")
def state_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("state")


@pytest.fixture(scope="module")
def server(state_dir: Path) -> Iterator[MockServer]:
    with MockServer(tls=True, state_dir=str(state_dir)) as running:
        yield running


@pytest.fixture(scope="module")
def ca(server: MockServer, state_dir: Path) -> LocalCA:
    return LocalCA(state_dir / "ca")


def trusting(ca: LocalCA) -> ssl.SSLContext:
    """A client context that trusts only the emulator's CA (verification on)."""
    return ssl.create_default_context(cafile=str(ca.cert_file))


def untrusting() -> ssl.SSLContext:
    """A client context with the system's roots only."""
    return ssl.create_default_context()


# -- the CA and the certificate ----------------------------------------------------------------


def test_the_ca_is_created_once_and_reused(tmp_path: Path) -> None:
    results: list[str] = []

    def create() -> None:
        results.append(ensure_ca(tmp_path).fingerprint())

    threads = [threading.Thread(target=create) for _ in range(4)]  # racing servers
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(results)) == 1
    assert ensure_ca(tmp_path).fingerprint() == results[0]
    assert sorted(p.name for p in (tmp_path / "ca").iterdir()) == [
        "ca-bundle.pem",
        "ca-key.pem",
        "ca.pem",
    ]
    assert (tmp_path / "ca" / "ca-key.pem").stat().st_mode & 0o077 == 0
    assert [p.name for p in tmp_path.iterdir()] == ["ca"]  # no temporary folder left


def test_the_bundle_holds_the_system_roots_and_the_ca(tmp_path: Path) -> None:
    ca = ensure_ca(tmp_path)
    bundle = ca.bundle_file.read_text("ascii")
    assert bundle.endswith(ca.cert_file.read_text("ascii"))
    assert bundle.count("BEGIN CERTIFICATE") > 1  # this machine has system roots
    env = trust_environment(ca)
    assert env["NODE_EXTRA_CA_CERTS"] == str(ca.cert_file)  # Node adds to its roots
    for name in ("SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "GRPC_DEFAULT_SSL_ROOTS_FILE_PATH"):
        assert env[name] == str(ca.bundle_file)  # the others replace theirs


def test_the_leaf_names_the_vendor_hostnames_and_is_reused(server: MockServer) -> None:
    tls = server.runtime.tls
    assert tls is not None
    for name in (*DEFAULT_NAMES, "api.hume.ai", "api.cloud.hume.ai"):
        assert name in tls.names
    assert "streaming.behavioralsignals.com" in tls.names
    assert "api.behavioralsignals.com" in tls.names
    assert tls.ca is not None
    again = server_tls(state_dir=tls.ca.directory.parent, names=tls.names)
    assert again.cert_file == tls.cert_file
    assert again.cert_file.read_bytes() == tls.cert_file.read_bytes()  # not issued again
    other = server_tls(state_dir=tls.ca.directory.parent, names=["extra.example"])
    assert other.cert_file != tls.cert_file


def test_subject_names_are_checked_and_deduplicated() -> None:
    assert subject_names(["API.Hume.ai", "api.hume.ai.", "[::1]", "10.0.0.1"]) == (
        *DEFAULT_NAMES,
        "api.hume.ai",
        "10.0.0.1",
    )
    assert subject_names(["*.example.test"])[-1] == "*.example.test"
    for bad in ("two words", "", "a/b", "-x.y"):
        with pytest.raises(ConfigError, match="neither an IP address nor a host name"):
            subject_names([bad])


def test_default_state_dir_follows_each_platform() -> None:
    home = {"HOME": "/home/u"}
    assert default_state_dir(home, "linux") == Path("/home/u/.cache/affect-mockserver")
    assert default_state_dir({**home, "XDG_CACHE_HOME": "/x"}, "linux") == Path(
        "/x/affect-mockserver"
    )
    assert default_state_dir({**home, "XDG_CACHE_HOME": "rel"}, "linux") == Path(
        "/home/u/.cache/affect-mockserver"
    )  # a relative XDG value is ignored, as the spec says
    assert default_state_dir(home, "darwin") == Path("/home/u/Library/Caches/affect-mockserver")
    assert default_state_dir({**home, "LOCALAPPDATA": "C:/L"}, "win32") == Path(
        "C:/L/affect-mockserver/Cache"
    )


def test_user_certificate_files(server: MockServer, tmp_path: Path) -> None:
    tls = server.runtime.tls
    assert tls is not None
    own = server_tls(state_dir=tmp_path, cert_file=str(tls.cert_file), key_file=str(tls.key_file))
    assert own.ca is None and own.cert_file == tls.cert_file
    with pytest.raises(ConfigError, match="--tls-cert needs --tls-key too"):
        server_tls(state_dir=tmp_path, cert_file=str(tls.cert_file))
    with pytest.raises(ConfigError, match=r"--tls-key .*: no such file"):
        server_tls(state_dir=tmp_path, cert_file=str(tls.cert_file), key_file="/nonexistent")
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("not a certificate")
    with pytest.raises(ConfigError, match="are not a PEM certificate chain"):
        server_tls(state_dir=tmp_path, cert_file=str(garbage), key_file=str(garbage))


def test_an_unwritable_state_dir_is_a_config_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(ConfigError, match="cannot create the TLS state directory"):
        MockServer(tls=True, state_dir=str(blocker / "state"))


# -- every listener speaks TLS -------------------------------------------------------------------


def test_urls_say_tls(server: MockServer) -> None:
    assert server.hume.url.startswith("wss://127.0.0.1:")
    assert server.hume.base_url.startswith("https://")
    assert server.hume_v1.ws_url.startswith("wss://")
    assert server.behavioral.rest_url.startswith("https://")
    assert server.behavioral.grpc_tls is True
    assert server.admin.url.startswith("https://")
    assert any("(TLS)" in line for line in server.describe())
    tls = server.runtime.tls
    assert tls is not None and tls.ca is not None
    assert server.describe()[-1].startswith(f"tls         CA {tls.ca.cert_file}  (trust it: ")


async def test_websocket_verified_for_the_vendor_hostname(server: MockServer, ca: LocalCA) -> None:
    async with connect(
        server.hume.url, ssl=trusting(ca), server_hostname="api.hume.ai", additional_headers=KEY
    ) as ws:
        await ws.send(json.dumps(TEXT))
        reply = json.loads(await ws.recv())
    assert reply["language"]["predictions"][0]["text"] == "I am delighted"


async def test_websocket_fails_without_the_ca_or_for_another_name(
    server: MockServer, ca: LocalCA
) -> None:
    with pytest.raises(ssl.SSLCertVerificationError, match="certificate verify failed"):
        async with connect(server.hume.url, ssl=untrusting(), server_hostname="api.hume.ai"):
            pass
    with pytest.raises(ssl.SSLCertVerificationError, match="Hostname mismatch"):
        async with connect(server.hume.url, ssl=trusting(ca), server_hostname="example.com"):
            pass


def _grpc_channel(server: MockServer, roots: bytes) -> grpc.Channel:
    return grpc.secure_channel(
        server.behavioral.grpc_target,
        grpc.ssl_channel_credentials(root_certificates=roots),
        options=[("grpc.ssl_target_name_override", "streaming.behavioralsignals.com")],
    )


def test_grpc_verified_for_the_vendor_hostname(server: MockServer, ca: LocalCA) -> None:
    with _grpc_channel(server, ca.cert_file.read_bytes()) as channel:
        stub = api_pb2_grpc.BehavioralStreamingApiStub(channel)
        first = api_pb2.AudioStream(cid=1000, x_auth_token="mock-bs-token")
        first.config.sample_rate_hertz = 16000
        audio = api_pb2.AudioStream(
            cid=1000, x_auth_token="mock-bs-token", audio_content=b"\0" * 32000
        )
        results = list(stub.StreamAudio(iter([first, audio]), timeout=30))
        assert results == []  # a second of silence: no result, and status OK
        health = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest())
        assert health.status == health_pb2.HealthCheckResponse.SERVING


def test_grpc_fails_without_the_ca(server: MockServer, tmp_path: Path) -> None:
    stranger = ensure_ca(tmp_path)  # another CA: the server's certificate is not from it
    roots = stranger.cert_file.read_bytes()
    with _grpc_channel(server, roots) as channel, pytest.raises(grpc.RpcError) as info:
        health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=10)
    assert info.value.code() == grpc.StatusCode.UNAVAILABLE


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def test_https_verified_for_the_vendor_hostnames(
    server: MockServer, ca: LocalCA, http: aiohttp.ClientSession
) -> None:
    context = trusting(ca)
    async with http.get(
        server.behavioral.rest_url + "/clients/1000/processes",
        headers={"X-Auth-Token": "mock-bs-token"},
        ssl=context,
        server_hostname="api.behavioralsignals.com",
    ) as response:
        assert response.status == 200
    async with http.get(
        server.hume_v1.base_url + "/v1/expression/run",
        headers=KEY,
        ssl=context,
        server_hostname="api.cloud.hume.ai",
    ) as response:
        assert response.status == 200
    async with http.get(server.admin.url + "/health", ssl=context) as response:
        assert (await response.json())["status"] == "ok"  # the admin API: for 127.0.0.1


async def test_https_fails_without_the_ca(server: MockServer, http: aiohttp.ClientSession) -> None:
    for url in (server.behavioral.base_url + "/status", server.admin.url + "/health"):
        with pytest.raises(aiohttp.ClientConnectorCertificateError):
            async with http.get(url, ssl=untrusting()):
                pass


def test_a_user_certificate_is_served(server: MockServer, tmp_path: Path) -> None:
    tls = server.runtime.tls
    assert tls is not None and tls.ca is not None
    own = MockServer(
        tls=True,
        tls_cert=str(tls.cert_file),
        tls_key=str(tls.key_file),
        state_dir=str(tmp_path),  # stays empty: no CA is made
        hume_v1={"enabled": False},
        behavioral={"enabled": False},
    )
    with own:
        assert own.runtime.tls is not None and own.runtime.tls.ca is None
        with sync_connect(
            own.hume.url,
            ssl=trusting(tls.ca),
            server_hostname="api.hume.ai",
            additional_headers=KEY,
        ) as ws:
            ws.send(json.dumps(TEXT))
            assert "language" in json.loads(ws.recv(timeout=30))
    assert list(tmp_path.iterdir()) == []
