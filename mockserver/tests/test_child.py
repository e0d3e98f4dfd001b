"""Child processes of a running server (:mod:`mockserver.child`): variables, placeholders,
the start-up hook that points unmodified official SDK clients at the emulators, timeouts."""

from __future__ import annotations

import ast
import importlib.util
import json
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from mockserver.child import ChildError, ChildLauncher, expand, placeholder_names
from mockserver.child_startup import HOOKS_VARIABLE
from mockserver.registry import default_vendors
from mockserver.resources import fixture_path
from mockserver.server import MockServer
from mockserver.tests.sdk.test_hume_seeds import HUME_012_VENV, HUME_078_VENV, LEGACY_VENV

pytestmark = pytest.mark.e2e

PYTHON = sys.executable


@pytest.fixture(scope="module")
def server() -> Iterator[MockServer]:
    with MockServer(seed=3) as running:
        yield running


@pytest.fixture
def launcher(server: MockServer) -> Iterator[ChildLauncher]:
    server.reset()
    with ChildLauncher(server) as child:
        yield child


def run_python(launcher: ChildLauncher, code: str, *args: str, python: str = PYTHON) -> str:
    result = launcher.run([python, "-c", textwrap.dedent(code), *args], timeout_s=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


# -- variables and placeholders ------------------------------------------------------------


def test_variables_name_every_endpoint_and_its_credentials(
    server: MockServer, launcher: ChildLauncher
) -> None:
    hume, behavioral = server.hume, server.behavioral
    assert {
        "MOCKSERVER_HUME_URL": hume.url,
        "MOCKSERVER_HUME_BASE_URL": hume.base_url,
        "MOCKSERVER_HUME_API_KEY": hume.api_key,
        "MOCKSERVER_BEHAVIORAL_GRPC_TARGET": behavioral.grpc_target,
        "MOCKSERVER_BEHAVIORAL_REST_URL": behavioral.rest_url,
        "MOCKSERVER_BEHAVIORAL_CID": str(behavioral.cid),
        "MOCKSERVER_BEHAVIORAL_TOKEN": behavioral.token,
        "MOCKSERVER_HUME_V1_BASE_URL": server.hume_v1.base_url,
        "HUME_API_KEY": hume.api_key,
        "BEHAVIORALSIGNALS_API_KEY": behavioral.token,
    }.items() <= launcher.variables.items()
    assert launcher.placeholders["hume_url"] == hume.url
    assert launcher.placeholders["behavioral_token"] == behavioral.token
    assert "hume_api_key" in launcher.placeholders
    assert "HUME_API_KEY" not in launcher.placeholders
    code = "import json, os, sys; print(json.dumps([dict(os.environ), sys.argv]))"
    args = ("{hume_url}", "--target={behavioral_grpc_target}", '{"json": 1}', "{x}")
    printed = json.loads(run_python(launcher, code, *args))
    environment, argv = printed
    assert argv[1:] == [hume.url, f"--target={behavioral.grpc_target}", '{"json": 1}', "{x}"]
    assert environment["MOCKSERVER_HUME_URL"] == hume.url
    assert environment["PYTHONPATH"].split(":")[0] == str(launcher.startup_directory)
    assert environment[HOOKS_VARIABLE] == "hume,hume_v1,behavioral"


def test_the_variables_are_not_settings_of_the_server() -> None:
    settings = {s.env_name for vendor in default_vendors() for s in vendor.table}
    with MockServer() as server, ChildLauncher(server) as launcher:
        names = set(launcher.variables)
    assert names and not names & settings


def test_a_misspelt_placeholder_is_an_error_that_lists_the_known_ones() -> None:
    known = placeholder_names({"MOCKSERVER_HUME_URL": "ws://h", "OTHER": "x"})
    assert known == {"hume_url": "ws://h"}
    assert expand(["a{hume_url}b", "{other}"], known, reserved=["hume"]) == ["aws://hb", "{other}"]
    with pytest.raises(ChildError, match=r"unknown placeholder \{hume_ur\}.*\{hume_url\}"):
        expand(["{hume_ur}"], known, reserved=["hume"])


def test_only_the_named_vendors_and_unknown_or_disabled_ones_are_errors(
    server: MockServer,
) -> None:
    with ChildLauncher(server, vendors=["behavioral"]) as launcher:
        assert not any(name.startswith("MOCKSERVER_HUME") for name in launcher.variables)
        assert launcher.environment()[HOOKS_VARIABLE] == "behavioral"
    with pytest.raises(ChildError, match="unknown emulator 'nope'"):
        ChildLauncher(server, vendors=["nope"])
    with MockServer(hume={"enabled": False}) as partial:
        with pytest.raises(ChildError, match="hume: the hume emulator is disabled"):
            ChildLauncher(partial, vendors=["hume"])
        with ChildLauncher(partial, startup_hook=False) as launcher:
            assert "MOCKSERVER_HUME_URL" not in launcher.variables
            assert launcher.startup_directory is None
            assert HOOKS_VARIABLE not in launcher.environment({"PYTHONPATH": ""})


def test_a_command_that_cannot_start_says_what_to_fix(launcher: ChildLauncher) -> None:
    with pytest.raises(ChildError, match="command not found: 'no-such-command-xyz'"):
        launcher.run(["no-such-command-xyz"])
    with pytest.raises(ChildError, match="no command given"):
        launcher.run([])


def test_a_child_past_its_timeout_is_killed_with_its_own_children(
    launcher: ChildLauncher, tmp_path: Path
) -> None:
    marker = tmp_path / "grandchild.pid"
    code = f"""
        import subprocess, sys, time
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
        open({str(marker)!r}, "w").write(str(child.pid))
        time.sleep(60)
    """
    result = launcher.run([PYTHON, "-c", textwrap.dedent(code)], timeout_s=2)
    assert result.timed_out and result.returncode is None
    assert 1.9 <= result.duration_s < 30
    grandchild = int(marker.read_text())
    for _ in range(200):  # the signal is delivered; wait for the kernel to act on it
        if _state(grandchild) in ("Z", "X", "gone"):
            break
        time.sleep(0.05)
    assert _state(grandchild) in ("Z", "X", "gone")


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2]
    except OSError:
        return "gone"


def test_the_environments_own_sitecustomize_still_runs(
    launcher: ChildLauncher, tmp_path: Path
) -> None:
    (tmp_path / "sitecustomize.py").write_text("import os\nos.environ['SEEN'] = 'yes'\n")
    result = launcher.run(
        [PYTHON, "-c", "import os; print(os.environ.get('SEEN'))"],
        extra_env={"PYTHONPATH": str(tmp_path)},
        timeout_s=60,
    )
    assert result.stdout.strip() == "yes", result.stderr


def test_hook_modules_use_only_the_standard_library() -> None:
    """They are copied into environments that may only have a vendor SDK installed."""
    modules = ["mockserver.child_startup"] + [
        v.child_hook for v in default_vendors() if v.child_hook is not None
    ]
    for name in modules:
        spec = importlib.util.find_spec(name)
        assert spec is not None and spec.origin is not None
        tree = ast.parse(Path(spec.origin).read_text(encoding="utf-8"))
        top_level = [
            (alias.name if isinstance(node, ast.Import) else node.module or "").split(".")[0]
            for node in tree.body
            if isinstance(node, ast.Import | ast.ImportFrom)
            for alias in (node.names if isinstance(node, ast.Import) else node.names[:1])
        ]
        foreign = [m for m in top_level if m not in sys.stdlib_module_names | {"__future__"}]
        assert not foreign, (name, foreign)


# -- unmodified official SDK clients reach the emulator --------------------------------------

HUME_013_SYNC = """
    import os
    from hume import HumeClient
    from hume.expression_measurement.stream import Config, StreamLanguage
    client = HumeClient(api_key=os.environ["HUME_API_KEY"])  # no base_url, as Hume's example
    with client.expression_measurement.stream.connect() as socket:
        reply = socket.send_text("I am so happy", config=Config(language=StreamLanguage()))
    print(len(reply.language.predictions))
"""
HUME_013_ASYNC = """
    import asyncio, os
    from hume import AsyncHumeClient
    from hume.expression_measurement.stream import Config, StreamLanguage
    async def main():
        client = AsyncHumeClient(api_key=os.environ["HUME_API_KEY"])
        async with client.expression_measurement.stream.connect() as socket:
            config = Config(language=StreamLanguage())
            reply = await socket.send_text("I am so happy", config=config)
        print(len(reply.language.predictions))
    asyncio.run(main())
"""
HUME_07_012 = """
    import asyncio, os
    from hume import AsyncHumeClient
    from hume.expression_measurement.stream import Config
    from hume.expression_measurement.stream.socket_client import StreamConnectOptions
    async def main():
        client = AsyncHumeClient(api_key=os.environ["HUME_API_KEY"])
        options = StreamConnectOptions(config=Config(language={}))
        async with client.expression_measurement.stream.connect(options=options) as socket:
            reply = await socket.send_text("I am so happy")
        print(len(reply.language.predictions))
    asyncio.run(main())
"""
HUME_LEGACY = """
    import asyncio, os
    from hume import HumeStreamClient
    from hume.models.config import LanguageConfig
    async def main():
        client = HumeStreamClient(os.environ["HUME_API_KEY"])
        async with client.connect([LanguageConfig()]) as socket:
            reply = await socket.send_text("I am so happy")
        print(len(reply["language"]["predictions"]))
    asyncio.run(main())
"""


@pytest.mark.sdk
@pytest.mark.parametrize(
    ("code", "venv"),
    [
        pytest.param(HUME_013_SYNC, None, id="0.13-sync"),
        pytest.param(HUME_013_ASYNC, None, id="0.13-async"),
        pytest.param(HUME_07_012, HUME_012_VENV, id="0.12.1"),
        pytest.param(HUME_07_012, HUME_078_VENV, id="0.7.8"),
        pytest.param(HUME_LEGACY, LEGACY_VENV, id="0.4.2-legacy"),
    ],
)
def test_an_unmodified_hume_client_reaches_the_emulator(
    server: MockServer, launcher: ChildLauncher, code: str, venv: object
) -> None:
    python = PYTHON if venv is None else str(venv.python())  # type: ignore[attr-defined]
    assert int(run_python(launcher, code, python=python)) == 4  # one per word
    (handshake,) = server.journal.entries(vendor="hume", kind="handshake", direction="in")
    assert handshake.data["path"] == "/v0/stream/models"


@pytest.mark.sdk
def test_an_unmodified_behavioral_signals_client_reaches_the_emulator(
    server: MockServer, launcher: ChildLauncher
) -> None:
    code = """
        import os, sys
        from behavioralsignals import Client, StreamingOptions
        from behavioralsignals.utils import make_audio_stream
        cid, key = os.environ["BEHAVIORALSIGNALS_CID"], os.environ["BEHAVIORALSIGNALS_API_KEY"]
        client = Client(cid, key)
        stream, rate = make_audio_stream(sys.argv[1], chunk_size=0.25)
        options = StreamingOptions(sample_rate=rate, encoding="LINEAR_PCM")
        results = list(client.behavioral.stream_audio(stream, options))
        print(len(results))
    """
    wav = str(fixture_path("media/speech_16k.wav"))
    assert int(run_python(launcher, code, wav)) >= 1
    assert server.journal.entries(vendor="behavioral", transport="grpc", kind="half_close")
    assert server.journal.entries(vendor="behavioral", transport="http")  # GET /v5/auth


@pytest.mark.sdk
def test_an_unmodified_hume_v1_client_reaches_the_emulator(
    server: MockServer, launcher: ChildLauncher
) -> None:
    code = """
        from hume_expression_measurement import ExpressionMeasurementClient
        from hume_expression_measurement.environment import ExpressionMeasurementClientEnvironment
        print(ExpressionMeasurementClientEnvironment.PRODUCTION.base)
        ExpressionMeasurementClient()  # the default environment and HUME_API_KEY
    """
    assert run_python(launcher, code).strip() == server.hume_v1.base_url
