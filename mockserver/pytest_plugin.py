"""pytest plugin: in-process emulators for every test, with SDK clients and journal checks.

Installed with the package (entry point ``pytest11``), so ``pip install`` is all it takes.
This module imports only pytest and the standard library; the server and the vendor SDKs
load inside the fixtures that need them.

Fixtures (see ``docs/howto-pytest.md``):

* ``mockserver_seed`` (session): ``--mockserver-seed``, default 0.
* ``mockserver_settings`` (session): ``{}``; override it (in ``conftest.py``, a module or
  a class, any scope) to change settings, e.g. ``{"hume": {"inactivity_timeout_s": 5}}``.
* ``mockserver_config``: the seed merged with the settings (dotted keys).
* ``mockserver_pool`` (session): started servers, one per distinct configuration, so each
  starts once per session and per pytest-xdist worker (every listener on port 0).
* ``mockserver_session`` (session): the pool's server for the session-wide settings.
* ``mockserver``: the test's server from the pool, reset before the test (or the test's
  own under ``@pytest.mark.mockserver(...)``); after the test, internal server errors and
  unmet scenario expectations fail it.
* ``mockserver_hume`` / ``hume``, ``mockserver_hume_v1`` / ``hume_v1`` and
  ``mockserver_behavioral`` / ``behavioral``: URLs, credentials and ready-to-use official
  SDK clients.
* ``mockserver_journal``: the test's :class:`~mockserver.journal.Journal`.

Markers: ``mockserver(**settings)`` and ``mockserver_scenario(*sources)``. Options:
``--mockserver-seed``, ``--mockserver-log-level``, ``--mockserver-journal-dir``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import re
import time
import traceback
from collections import OrderedDict
from collections.abc import Generator, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from behavioralsignals import Client as BehavioralClient
    from hume import AsyncHumeClient, HumeClient
    from hume_expression_measurement import (
        AsyncExpressionMeasurementClient,
        ExpressionMeasurementClient,
        ExpressionMeasurementClientEnvironment,
    )

    from mockserver.journal import Journal
    from mockserver.server import MockServer
    from mockserver.vendors.behavioral.service import BehavioralEndpoint
    from mockserver.vendors.hume.service import HumeEndpoint
    from mockserver.vendors.hume_v1.service import HumeV1Endpoint

__all__ = [
    "LOG_LEVELS",
    "MAX_POOLED_SERVERS",
    "SETTLE_S",
    "BehavioralHandle",
    "HumeHandle",
    "HumeV1Handle",
    "ServerPool",
]

LOG_LEVELS = ("debug", "info", "warning", "error")
#: Longest wait, after a test, for its connections to close before the server is checked.
SETTLE_S = 0.5
#: Servers with different settings that may run at once in one session (per xdist worker).
MAX_POOLED_SERVERS = 8

_MARKERS = (
    "mockserver(**settings): run the test on its own mock server built with these settings "
    "(merged over mockserver_settings), started before the test and stopped after it.",
    "mockserver_scenario(*sources): load these scenarios into the test's mock server before "
    "the test: a file path (relative to the test file), YAML/JSON text, or a mapping.",
)

_SERVER = pytest.StashKey["MockServer"]()  # the test's server, while its fixture is active
_JOURNAL_FILE = pytest.StashKey[Path]()  # where the failed test's journal was written
_LOG_LEVEL = pytest.StashKey[int]()  # the mockserver logger's level before configure


# -- options, markers, hooks -----------------------------------------------------------------


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("mockserver", "affect-mockserver emulators")
    group.addoption(
        "--mockserver-seed",
        type=int,
        default=0,
        metavar="N",
        help="Seed of the mock servers the plugin starts (ids, predictions). Default: 0.",
    )
    group.addoption(
        "--mockserver-log-level",
        choices=LOG_LEVELS,
        default=None,
        help="Level of the 'mockserver' logger during the run (default: left as it is).",
    )
    group.addoption(
        "--mockserver-journal-dir",
        metavar="DIR",
        default=None,
        help="Write the NDJSON journal of every failed test that used a mock server into DIR.",
    )


def pytest_configure(config: pytest.Config) -> None:
    for line in _MARKERS:
        config.addinivalue_line("markers", line)
    level = config.getoption("mockserver_log_level", None)
    if level:
        logger = logging.getLogger("mockserver")
        config.stash[_LOG_LEVEL] = logger.level
        logger.setLevel(level.upper())


def pytest_unconfigure(config: pytest.Config) -> None:
    previous = config.stash.get(_LOG_LEVEL, None)
    if previous is not None:
        logging.getLogger("mockserver").setLevel(previous)


def pytest_report_header(config: pytest.Config) -> str | None:
    seed = config.getoption("mockserver_seed", 0)
    return f"mockserver: seed {seed}" if seed else None


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Save the journal of a test that failed (``--mockserver-journal-dir``)."""
    report = yield
    if report.failed and report.when in ("setup", "call"):
        path = _save_journal(item)
        if path is not None:
            report.sections.append(("mockserver journal", f"written to {path}"))
    return report


# -- configuration fixtures ------------------------------------------------------------------


@pytest.fixture(scope="session")
def mockserver_seed(pytestconfig: pytest.Config) -> int:
    """Seed of the plugin's servers: ``--mockserver-seed`` (default 0). Overridable."""
    return int(pytestconfig.getoption("mockserver_seed", 0))


@pytest.fixture(scope="session")
def mockserver_settings() -> Mapping[str, Any]:
    """Settings merged over the defaults. Override it in a ``conftest.py``, module or class.

    Keys as in ``MockServer(**settings)``: nested (``{"hume": {"api_keys": ["k"]}}``) or
    dotted (``{"hume.api_keys": ["k"]}``). Any scope works for ``mockserver``; only
    ``mockserver_session`` needs session scope.
    """
    return {}


@pytest.fixture
def mockserver_config(
    mockserver_seed: int, mockserver_settings: Mapping[str, Any]
) -> dict[str, Any]:
    """The settings of the test's server, as dotted keys (``mockserver_pool`` key).

    ``seed`` comes from ``mockserver_seed`` unless ``mockserver_settings`` sets it.
    """
    return _merge({"seed": mockserver_seed}, mockserver_settings)


# -- servers ---------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def mockserver_pool() -> Iterator[ServerPool]:
    """The session's servers, one per distinct configuration; all stopped at the end."""
    pool = ServerPool()
    try:
        yield pool
    finally:
        pool.close()


@pytest.fixture(scope="session")
def mockserver_session(
    mockserver_pool: ServerPool, mockserver_seed: int, mockserver_settings: Mapping[str, Any]
) -> MockServer:
    """The server of the session-wide settings, started once (per pytest-xdist worker).

    Prefer ``mockserver``: it resets the server before each test and checks it after.
    """
    return mockserver_pool.get(_merge({"seed": mockserver_seed}, mockserver_settings), pin=True)


@pytest.fixture
def mockserver(
    request: pytest.FixtureRequest, mockserver_config: dict[str, Any]
) -> Iterator[MockServer]:
    """The test's server, reset: shared by every test with the same settings, or the test's
    own under the ``mockserver`` marker.

    Scenarios of ``mockserver_scenario`` markers are loaded before the test. After it, the
    test fails (an error at teardown) if the server raised internally while serving it, or
    if a scripted expectation was not met.
    """
    item = request.node
    marker = item.get_closest_marker("mockserver")
    own: MockServer | None = None
    if marker is not None:
        if marker.args:
            pytest.fail(
                f"{item.nodeid}: @pytest.mark.mockserver takes keyword settings only, "
                f"e.g. @pytest.mark.mockserver(hume={{'api_keys': ['k']}}); got {marker.args!r}",
                pytrace=False,
            )
        from mockserver.server import MockServer

        own = MockServer(**_merge(mockserver_config, marker.kwargs))
        own.start()
        server = own
    else:
        pool: ServerPool = request.getfixturevalue("mockserver_pool")
        server = pool.get(mockserver_config)
        server.reset()
    try:
        for source in _scenario_sources(item):
            server.load_scenario(source)
        item.stash[_SERVER] = server
        yield server
        summary, details = _problems(server)
        if summary:
            path = _save_journal(item)
            if path is not None:
                details.append(f"journal of this test written to {path}")
            pytest.fail(
                f"mockserver: {'; '.join(summary)}\n"
                f"(the mock server serving {item.nodeid}; details below)\n" + "\n".join(details),
                pytrace=False,
            )
    finally:
        if _SERVER in item.stash:
            del item.stash[_SERVER]
        if own is not None:
            own.stop()


@pytest.fixture
def mockserver_journal(mockserver: MockServer) -> Journal:
    """The test's journal (empty when the test starts)."""
    return mockserver.journal


@pytest.fixture
def mockserver_hume(mockserver: MockServer) -> HumeHandle:
    """The Hume emulator of the test's server: URLs, key and official SDK clients."""
    return HumeHandle(mockserver)


@pytest.fixture
def hume(mockserver_hume: HumeHandle) -> HumeHandle:
    """Short name of ``mockserver_hume`` (shadows the ``hume`` module inside the test)."""
    return mockserver_hume


@pytest.fixture
def mockserver_hume_v1(mockserver: MockServer) -> HumeV1Handle:
    """The Hume Expression Measurement API v1 emulator: URLs, key and SDK clients."""
    return HumeV1Handle(mockserver)


@pytest.fixture
def hume_v1(mockserver_hume_v1: HumeV1Handle) -> HumeV1Handle:
    """Short name of ``mockserver_hume_v1``."""
    return mockserver_hume_v1


@pytest.fixture
def mockserver_behavioral(mockserver: MockServer) -> Iterator[BehavioralHandle]:
    """The Behavioral Signals emulator of the test's server; SDK clients are closed after."""
    handle = BehavioralHandle(mockserver)
    try:
        yield handle
    finally:
        handle.close()


@pytest.fixture
def behavioral(mockserver_behavioral: BehavioralHandle) -> BehavioralHandle:
    """Short name of ``mockserver_behavioral``."""
    return mockserver_behavioral


# -- server pool -----------------------------------------------------------------------------


class ServerPool:
    """Started servers shared by a test session, one per distinct configuration.

    A server starts on first use and runs until :meth:`close` (the end of the session).
    Beyond ``max_servers`` running servers, the least recently used unpinned one stops.

    Args:
        max_servers: How many servers may run at once.
    """

    def __init__(self, max_servers: int = MAX_POOLED_SERVERS) -> None:
        self.max_servers = max_servers
        self._servers: OrderedDict[str, MockServer] = OrderedDict()  # by config key, LRU last
        self._pinned: set[str] = set()  # keys never stopped before close()

    def get(self, settings: Mapping[str, Any], *, pin: bool = False) -> MockServer:
        """The running server for ``settings`` (``MockServer`` keyword settings)."""
        key = json.dumps(_merge({}, settings), sort_keys=True, default=repr)
        server = self._servers.get(key)
        if server is None:
            from mockserver.server import MockServer

            server = MockServer(**settings)
            server.start()
            self._servers[key] = server
        self._servers.move_to_end(key)
        if pin:
            self._pinned.add(key)
        self._evict(keep=key)
        return server

    def _evict(self, keep: str) -> None:
        for key in list(self._servers):
            if len(self._servers) <= self.max_servers:
                return
            if key != keep and key not in self._pinned:
                self._servers.pop(key).stop()

    def close(self) -> None:
        """Stop every server."""
        while self._servers:
            _, server = self._servers.popitem()
            server.stop()
        self._pinned.clear()

    def __len__(self) -> int:
        return len(self._servers)


# -- vendor handles --------------------------------------------------------------------------


class HumeHandle:
    """Where and how to reach the Hume emulator, plus official SDK clients built for it.

    Args:
        server: A running server with the Hume emulator enabled.
    """

    def __init__(self, server: MockServer) -> None:
        self.server = server

    @property
    def endpoint(self) -> HumeEndpoint:
        """The emulator's :class:`~mockserver.vendors.hume.service.HumeEndpoint`."""
        endpoint: HumeEndpoint = self.server.hume
        return endpoint

    @property
    def url(self) -> str:
        """WebSocket URL of ``/v0/stream/models``."""
        return self.endpoint.url

    @property
    def base_url(self) -> str:
        """``base_url`` for the Hume SDK (0.8.6 and later)."""
        return self.endpoint.base_url

    @property
    def stream_url(self) -> str:
        """``HumeClientEnvironment(stream=...)`` value."""
        return self.endpoint.stream_url

    @property
    def ws_base_uri(self) -> str:
        """``_api_ws_base_uri`` for the legacy ``HumeStreamClient``."""
        return self.endpoint.ws_base_uri

    @property
    def api_key(self) -> str:
        """The first accepted API key."""
        return self.endpoint.api_key

    @property
    def api_keys(self) -> tuple[str, ...]:
        """Every accepted API key."""
        return self.endpoint.api_keys

    @property
    def headers(self) -> dict[str, str]:
        """Handshake headers for a raw WebSocket client."""
        return {"X-Hume-Api-Key": self.api_key}

    def client(self, **kwargs: Any) -> HumeClient:
        """A ``hume.HumeClient`` for the emulator (keyword arguments are passed on)."""
        from hume import HumeClient

        options: dict[str, Any] = {"api_key": self.api_key, "base_url": self.base_url}
        return HumeClient(**{**options, **kwargs})

    def async_client(self, **kwargs: Any) -> AsyncHumeClient:
        """A ``hume.AsyncHumeClient`` for the emulator (keyword arguments are passed on)."""
        from hume import AsyncHumeClient

        options: dict[str, Any] = {"api_key": self.api_key, "base_url": self.base_url}
        return AsyncHumeClient(**{**options, **kwargs})

    def __repr__(self) -> str:
        return f"<HumeHandle {self.url}>"


class HumeV1Handle:
    """Where and how to reach the Hume Expression Measurement API v1 emulator, plus clients
    of the official ``hume-expression-measurement`` SDK built for it.

    Args:
        server: A running server with the v1 emulator enabled.
    """

    def __init__(self, server: MockServer) -> None:
        self.server = server

    @property
    def endpoint(self) -> HumeV1Endpoint:
        """The emulator's :class:`~mockserver.vendors.hume_v1.service.HumeV1Endpoint`."""
        endpoint: HumeV1Endpoint = self.server.hume_v1
        return endpoint

    @property
    def base_url(self) -> str:
        """``ExpressionMeasurementClientEnvironment(base=...)``: the HTTP base URL."""
        return self.endpoint.base_url

    @property
    def ws_url(self) -> str:
        """``ExpressionMeasurementClientEnvironment(production=...)``: the WebSocket base."""
        return self.endpoint.ws_url

    @property
    def api_key(self) -> str:
        """The first accepted API key."""
        return self.endpoint.api_key

    @property
    def headers(self) -> dict[str, str]:
        """Handshake and request headers for a raw client."""
        return {"X-Hume-Api-Key": self.api_key}

    def environment(self) -> ExpressionMeasurementClientEnvironment:
        """The SDK environment naming the emulator (both bases on one port)."""
        from hume_expression_measurement import ExpressionMeasurementClientEnvironment

        return ExpressionMeasurementClientEnvironment(base=self.base_url, production=self.ws_url)

    def client(self, **kwargs: Any) -> ExpressionMeasurementClient:
        """An ``ExpressionMeasurementClient`` for the emulator (keyword arguments are passed
        on)."""
        from hume_expression_measurement import ExpressionMeasurementClient

        options: dict[str, Any] = {"api_key": self.api_key, "environment": self.environment()}
        return ExpressionMeasurementClient(**{**options, **kwargs})

    def async_client(self, **kwargs: Any) -> AsyncExpressionMeasurementClient:
        """An ``AsyncExpressionMeasurementClient`` for the emulator."""
        from hume_expression_measurement import AsyncExpressionMeasurementClient

        options: dict[str, Any] = {"api_key": self.api_key, "environment": self.environment()}
        return AsyncExpressionMeasurementClient(**{**options, **kwargs})

    def __repr__(self) -> str:
        return f"<HumeV1Handle base={self.base_url} production={self.ws_url}>"


class BehavioralHandle:
    """Where and how to reach the Behavioral Signals emulator, plus SDK clients.

    The SDK has no URL setting, so :meth:`client` enters
    :func:`mockserver.redirect.behavioral_signals_redirect` and keeps it active until the
    handle is closed (the fixture closes it after the test): sub-clients the SDK builds
    lazily (``client.behavioral``, ``client.deepfakes``) reach the emulator too.

    Args:
        server: A running server with the Behavioral Signals emulator enabled.
    """

    def __init__(self, server: MockServer) -> None:
        self.server = server
        self._stack = contextlib.ExitStack()  # the active redirect, then client closers
        self._redirected = False  # whether the redirect is active

    @property
    def endpoint(self) -> BehavioralEndpoint:
        """The emulator's ``BehavioralEndpoint``."""
        endpoint: BehavioralEndpoint = self.server.behavioral
        return endpoint

    @property
    def grpc_target(self) -> str:
        """``host:port`` of the insecure gRPC streaming API."""
        return self.endpoint.grpc_target

    @property
    def rest_url(self) -> str:
        """REST base URL including ``/v5``."""
        return self.endpoint.rest_url

    @property
    def base_url(self) -> str:
        """REST root (``/status``)."""
        return self.endpoint.base_url

    @property
    def cid(self) -> int:
        """The first project's id."""
        return self.endpoint.cid

    @property
    def token(self) -> str:
        """The first project's API token."""
        return self.endpoint.token

    def redirect(self) -> None:
        """Point the ``behavioralsignals`` SDK at this emulator until the handle closes."""
        if not self._redirected:
            from mockserver.redirect import behavioral_signals_redirect

            self._stack.enter_context(behavioral_signals_redirect(self.endpoint))
            self._redirected = True

    def client(
        self, cid: int | None = None, token: str | None = None, **kwargs: Any
    ) -> BehavioralClient:
        """A ``behavioralsignals.Client`` for the emulator, closed after the test.

        Args:
            cid: Project id (default: the first configured project).
            token: API token (default: that project's).
            **kwargs: Passed to ``Client`` (``timeout``, ``upload_timeout``).
        """
        self.redirect()
        from behavioralsignals import Client

        sdk = Client(self.cid if cid is None else cid, token or self.token, **kwargs)
        self._stack.callback(sdk.close)
        return sdk

    def close(self) -> None:
        """Close the clients, then end the redirect."""
        self._stack.close()
        self._redirected = False

    def __repr__(self) -> str:
        return f"<BehavioralHandle grpc {self.grpc_target} rest {self.rest_url}>"


# -- helpers ---------------------------------------------------------------------------------


def _merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Merge settings as dotted keys (nested and dotted forms may be mixed)."""
    from mockserver.settings import flatten_mapping

    return {**flatten_mapping(base), **flatten_mapping(override)}


def _scenario_sources(item: pytest.Item) -> list[Any]:
    """Sources of the item's ``mockserver_scenario`` markers, outermost first."""
    sources: list[Any] = []
    for marker in reversed(list(item.iter_markers("mockserver_scenario"))):
        if not marker.args:
            pytest.fail(
                f"{item.nodeid}: @pytest.mark.mockserver_scenario needs a file path, "
                "YAML/JSON text or a mapping",
                pytrace=False,
            )
        sources.extend(_resolve_source(item, source) for source in marker.args)
    return sources


def _resolve_source(item: pytest.Item, source: Any) -> Any:
    """A relative path that exists next to the test file becomes an absolute ``Path``."""
    if isinstance(source, Path) or (isinstance(source, str) and "\n" not in source):
        path = Path(source)
        candidates = [path] if path.is_absolute() else [Path(item.path).parent / path, path]
        for candidate in candidates:
            with contextlib.suppress(OSError):  # e.g. one-line JSON text: name too long
                if candidate.is_file():
                    return candidate
    return source


def _settle(server: MockServer, timeout: float = SETTLE_S) -> None:
    """Wait briefly for the test's connections to finish, so late errors are seen."""
    deadline = time.monotonic() + timeout
    while server.connections() and time.monotonic() < deadline:
        time.sleep(0.01)


def _problems(server: MockServer) -> tuple[list[str], list[str]]:
    """Internal errors and unmet expectations: (one-line summaries, report lines)."""
    from mockserver.errors import ServerFailure

    _settle(server)
    summary: list[str] = []
    lines: list[str] = []
    try:
        server.check()
    except ServerFailure as failure:
        where, error = failure.failures[0]
        more = len(failure.failures) - 1
        summary.append(
            f"internal error in {where}: {type(error).__name__}: {error}"
            + (f" (and {more} more)" if more else "")
        )
        lines.append(str(failure))
        for where, error in failure.failures:
            lines.append(f"server-side traceback ({where}):")
            formatted = "".join(traceback.format_exception(error)).rstrip()
            lines.extend("    " + line for line in formatted.splitlines())
    unmet = server.unmet_expectations()
    if unmet:
        summary.append(f"{len(unmet)} scripted expectation(s) not met: {unmet[0]}")
        lines.append(f"{len(unmet)} scripted expectation(s) were not met:")
        lines.extend(f"  - {text}" for text in unmet)
    return summary, lines


def _save_journal(item: pytest.Item) -> Path | None:
    """Write the item's journal under ``--mockserver-journal-dir`` (once per test)."""
    directory = item.config.getoption("mockserver_journal_dir", None)
    server = item.stash.get(_SERVER, None)
    if not directory or server is None:
        return None
    written = item.stash.get(_JOURNAL_FILE, None)
    if written is not None:
        return written
    root = Path(item.config.invocation_params.dir) / directory
    root.mkdir(parents=True, exist_ok=True)
    path = server.journal.write_ndjson(root / _file_name(item.nodeid))
    item.stash[_JOURNAL_FILE] = path
    return path


def _file_name(nodeid: str) -> str:
    """A file name for a test id: safe characters only, bounded length, unique."""
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid).strip("_.") or "test"
    if len(safe) > 120:
        digest = hashlib.sha256(nodeid.encode()).hexdigest()[:12]
        safe = f"{safe[:100]}-{digest}"
    return f"{safe}.ndjson"
