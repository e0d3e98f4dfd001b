"""The vendor registry is really pluggable: a third vendor is one folder and one entry.

``mockserver/tests/echo_vendor/`` (an echo API over WebSocket, used only here) is added to
the built-in entries and then reaches every generic part of the emulator: settings as
flags, environment variables and TOML, the server and its endpoint attribute, faults by
vendor name with its own texts and meter, the scenario format (Python classes, schema,
scripts, expectations), journal redaction, the admin API and the pytest fixtures. Then:
no module outside ``vendors/`` names a vendor.
"""

from __future__ import annotations

import ast
import json
import re
import urllib.request
from pathlib import Path

import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

from mockserver.cli import command_parser
from mockserver.config import ServerConfig
from mockserver.errors import ConfigError, ScenarioError
from mockserver.registry import default_vendors, vendor_named
from mockserver.scenario import Expectation, Scenario, ScenarioFormat
from mockserver.server import MockServer
from mockserver.tests.conftest import PYTESTER_INI
from mockserver.tests.echo_vendor import VENDOR as ECHO
from mockserver.tests.echo_vendor.scenario import EchoRule

pytest_plugins = ["pytester"]

VENDORS = (*default_vendors(), ECHO)
PACKAGE = Path(__file__).resolve().parents[1]


def echo_client(server: MockServer, key: str | None = None) -> object:
    endpoint = server.echo
    return connect(endpoint.url, additional_headers={"X-Echo-Key": key or endpoint.key})


def exchange(ws: object, text: str) -> dict[str, object]:
    ws.send(text)  # type: ignore[attr-defined]
    reply: dict[str, object] = json.loads(ws.recv(timeout=5))  # type: ignore[attr-defined]
    return reply


# -- settings ----------------------------------------------------------------------------------


def test_its_settings_are_flags_environment_variables_and_a_toml_table(tmp_path: Path) -> None:
    serve = command_parser("serve", VENDORS)
    flags = {o for action in serve._actions for o in action.option_strings}
    assert {"--echo-port", "--echo-key", "--echo-shout", "--no-echo-enabled"} <= flags
    toml = tmp_path / "m.toml"
    toml.write_text("[echo]\nport = 9123\nkeys = ['a', 'b']\n", encoding="utf-8")
    config = ServerConfig.resolve(
        config_file=toml, environ={"MOCKSERVER_ECHO_SHOUT": "yes"}, vendors=VENDORS
    )
    assert config.echo.port == 9123 and config.echo.keys == ("a", "b") and config.echo.shout
    with pytest.raises(ConfigError, match="--echo-port and --hume-port both use port 8765"):
        ServerConfig.resolve(flags={"echo.port": 8765}, vendors=VENDORS)
    assert vendor_named(VENDORS, "echo") is ECHO


def test_without_its_entry_the_vendor_does_not_exist() -> None:
    with pytest.raises(ConfigError, match="unknown setting"):
        ServerConfig.resolve(python_values={"echo": {"port": 1}})
    with MockServer() as server, pytest.raises(AttributeError):
        server.echo  # noqa: B018


# -- serving, faults, journal, admin -------------------------------------------------------------


def test_it_is_served_and_journaled_with_its_secret_redacted() -> None:
    with MockServer(vendors=VENDORS, echo={"shout": True}) as server:
        with echo_client(server) as ws:  # type: ignore[attr-defined]
            assert exchange(ws, "hello") == {"echo": "HELLO", "n": 1}
            ws.send("bye")
            with pytest.raises(ConnectionClosed):
                ws.recv(timeout=5)
        with pytest.raises(InvalidStatus):
            echo_client(server, key="wrong")
        (handshake, *_) = server.journal.entries(vendor="echo", kind="handshake", direction="in")
        assert handshake.data["headers"]["X-Echo-Key"] == "<redacted>"
        assert "echo-key" not in server.journal.to_ndjson()
        assert any(line.startswith("echo ") for line in server.describe())
        with urllib.request.urlopen(f"{server.admin.url}/health", timeout=5) as response:
            health = json.loads(response.read())
        assert health["listeners"]["echo"]["url"] == server.echo.url
        server.check()


def test_faults_target_it_by_name_with_its_own_texts_and_meter() -> None:
    with MockServer(vendors=VENDORS) as server:
        server.add_faults(
            [
                {"vendor": "echo", "type": "handshake_reject", "status": 503, "when": {"times": 1}},
                {"vendor": "echo", "type": "inactivity_close", "when": {"after_audio_s": 2}},
            ]
        )
        with pytest.raises(InvalidStatus) as refused:
            echo_client(server)
        assert refused.value.response.body == b'{"echo_error": 503}'
        with echo_client(server) as ws:  # type: ignore[attr-defined]
            assert exchange(ws, "one")["n"] == 1
            ws.send("two")  # the meter counts 1 s per frame: the fault ends the connection
            with pytest.raises(ConnectionClosed) as closed:
                ws.recv(timeout=5)
        assert closed.value.rcvd is not None
        assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (1000, "echo: idle")
        with pytest.raises(ScenarioError, match="'process_outcome' does not apply to 'echo'"):
            server.add_faults({"vendor": "echo", "type": "process_outcome", "stay": "pending"})
        server.check()


# -- scenarios ---------------------------------------------------------------------------------


def test_its_scenario_part_joins_the_format() -> None:
    schema = ScenarioFormat(VENDORS).schema()
    assert "echo" in schema["properties"] and "EchoRule" in schema["$defs"]
    assert "echo.messages" in schema["$defs"]["Expectation"]["properties"]["what"]["enum"]
    with MockServer(vendors=VENDORS) as server:
        server.load_scenario(
            Scenario(
                echo=[EchoRule(when="ping", reply="pong")],
                expect=[Expectation("echo.messages", {"text": "ping"}, exactly=1)],
            )
        )
        with echo_client(server) as ws:  # type: ignore[attr-defined]
            assert exchange(ws, "a ping")["echo"] == "pong"
            assert exchange(ws, "other")["echo"] == "other"
        assert server.unmet_expectations() == []
        with pytest.raises(ScenarioError, match=r"echo\.rules\[0\]: reply must differ"):
            server.load_scenario({"echo": {"rules": [{"when": "x", "reply": "x"}]}})
    # Without the entry, the same scenario is not valid.
    with pytest.raises(ScenarioError, match="echo"):
        ScenarioFormat().read({"echo": {"rules": [{"when": "a", "reply": "b"}]}})


# -- pytest fixtures ---------------------------------------------------------------------------


def test_its_pytest_fixture_comes_from_its_handle(pytester: pytest.Pytester) -> None:
    pytester.makeini(PYTESTER_INI)
    pytester.makeconftest(
        """
        import pytest
        from mockserver.pytest_plugin import vendor_fixtures
        from mockserver.registry import default_vendors
        from mockserver.tests.echo_vendor import VENDOR as ECHO

        globals().update(vendor_fixtures(ECHO))

        @pytest.fixture(scope="session")
        def mockserver_vendors():
            return (*default_vendors(), ECHO)
        """
    )
    pytester.makepyfile(
        """
        import json

        def test_echo(mock_echo, mockserver_journal):
            with mock_echo.connect() as ws:
                ws.send("hi")
                assert json.loads(ws.recv(timeout=5)) == {"echo": "hi", "n": 1}
            mockserver_journal.assert_sent("hi", vendor="echo")
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


# -- no generic module names a vendor --------------------------------------------------------

VENDOR_WORDS = re.compile(
    "|".join(re.escape(v.name) for v in (*default_vendors(), ECHO)) + "|behavioural", re.I
)
#: What may name vendors: their folders, the tests, generated code, and the contract kit's
#: per-vendor packages and its list of them (a vendor's contract is vendor-specific).
VENDOR_OWNED = (
    "vendors/",
    "tests/",
    "_generated/",
    "contract/hume/",
    "contract/behavioral/",
    "contract/kits.py",
)


def _names(tree: ast.AST) -> list[tuple[int, str]]:
    """Identifiers and string constants (docstrings excluded) of a module."""
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if id(node) not in docstrings:
                found.append((line, node.value))
        elif isinstance(node, ast.Name):
            found.append((line, node.id))
        elif isinstance(node, ast.Attribute):
            found.append((line, node.attr))
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            found.append((line, node.name))
        elif isinstance(node, ast.alias):
            found.append((line, f"{node.name} {node.asname or ''}"))
        elif isinstance(node, ast.arg | ast.keyword) and node.arg:
            found.append((line, node.arg))
    return found


def generic_modules_naming_a_vendor(root: Path) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        if relative.startswith(VENDOR_OWNED):
            continue
        for line, text in _names(ast.parse(path.read_text(encoding="utf-8"))):
            if VENDOR_WORDS.search(text):
                found.append(f"mockserver/{relative}:{line}: {text[:60]!r}")
    return found


def test_no_module_outside_vendors_names_a_vendor() -> None:
    assert generic_modules_naming_a_vendor(PACKAGE) == []


def test_the_check_sees_a_vendor_name_in_code(tmp_path: Path) -> None:
    (tmp_path / "generic.py").write_text(
        '"""Docstrings may give examples such as hume-ws-3."""\n'
        'def f(vendor):\n    return vendor == "hume"\n',
        encoding="utf-8",
    )
    assert generic_modules_naming_a_vendor(tmp_path) == ["mockserver/generic.py:3: 'hume'"]
