"""pytest plugin: in-process emulators for every test, with SDK clients and journal checks.

Installed with the package (entry point ``pytest11``), so ``pip install`` is all it takes.
This module imports only pytest, the standard library and the light vendor registry; the
server and the vendor SDKs load inside the fixtures that need them.

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
* ``mock_<vendor>`` for each emulator (``mock_hume``, ``mock_hume_v1``,
  ``mock_behavioral``): the vendor's handle (URLs, credentials and ready-to-use official
  SDK clients), built from its registry entry; the names of the first release
  (``hume``, ``mockserver_hume``, ``behavioral``, ``mockserver_behavioral``) still work
  until the next release and warn.
* ``mockserver_vendors`` (session): the registry entries the plugin's servers serve
  (default: the built-in ones); a project that adds a vendor overrides it and registers the
  vendor's fixture with :func:`vendor_fixtures`.
* ``mockserver_journal``: the test's :class:`~mockserver.journal.Journal`.

Markers: ``mockserver(**settings)`` and ``mockserver_scenario(*sources)``, and the contract
kit's ``e2e`` and ``live``. Options: ``--mockserver-seed``, ``--mockserver-log-level``,
``--mockserver-journal-dir`` (the journal of a failed test as NDJSON, and as an HTML report
next to it), ``--mockserver-contract-profile`` (the contract kit's Hypothesis profile).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import re
import time
import traceback
import warnings
from collections import OrderedDict
from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from mockserver.errors import ServerFailure
from mockserver.registry import VendorSpec, default_vendors
from mockserver.report import write_report
from mockserver.settings import flatten_mapping

if TYPE_CHECKING:
    from mockserver.journal import Journal
    from mockserver.server import MockServer

__all__ = [
    "LOG_LEVELS",
    "MAX_POOLED_SERVERS",
    "SETTLE_S",
    "ServerPool",
    "vendor_fixtures",
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
    "e2e: end-to-end over real loopback sockets (the contract kit's suites).",
    "live: talks to a real vendor service (needs credentials; never part of make test).",
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
        help="Write the journal of every failed test that used a mock server into DIR "
        "(NDJSON, and an HTML report next to it).",
    )
    group.addoption(
        "--mockserver-contract-profile",
        choices=("quick", "default", "deep"),
        default=None,
        help="Hypothesis profile of the contract kit's suites (pytest --pyargs "
        "mockserver.contract); default: $MOCKSERVER_CONTRACT_PROFILE, else default.",
    )


def pytest_configure(config: pytest.Config) -> None:
    for line in _MARKERS:
        config.addinivalue_line("markers", line)
    profile = config.getoption("mockserver_contract_profile", None)
    if profile:
        from mockserver.contract.profiles import (  # noqa: PLC0415  Hypothesis: when asked
            select_profile,
        )

        select_profile(profile)
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
            report.sections.append(("mockserver journal", f"written to {path}{_html_note(path)}"))
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


@pytest.fixture(scope="session")
def mockserver_vendors() -> Sequence[VendorSpec]:
    """The registry entries the plugin's servers serve (default: the built-in vendors).

    Override it (session scope) to serve a vendor of your own, and add its fixture to your
    ``conftest.py`` with ``globals().update(vendor_fixtures(MY_VENDOR))``.
    """
    return default_vendors()


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
def mockserver_pool(mockserver_vendors: Sequence[VendorSpec]) -> Iterator[ServerPool]:
    """The session's servers, one per distinct configuration; all stopped at the end."""
    pool = ServerPool(vendors=mockserver_vendors)
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
    request: pytest.FixtureRequest,
    mockserver_config: dict[str, Any],
    mockserver_vendors: Sequence[VendorSpec],
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
                f"e.g. @pytest.mark.mockserver(seed=3, journal_max_entries=0); got {marker.args!r}",
                pytrace=False,
            )
        from mockserver.server import MockServer  # noqa: PLC0415  aiohttp, grpc: when used

        own = MockServer(vendors=mockserver_vendors, **_merge(mockserver_config, marker.kwargs))
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
                details.append(f"journal of this test written to {path}{_html_note(path)}")
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


def vendor_fixtures(vendor: VendorSpec) -> dict[str, Callable[..., Any]]:
    """The fixtures of one vendor's handle: ``mock_<name>``, plus its older names (the
    entry's ``fixture_aliases``), which warn.

    The handle class (the entry's ``handle``) takes the test's server and has ``close()``,
    called after the test.
    """
    name = f"mock_{vendor.name}"

    @pytest.fixture(name=name)
    def handle(mockserver: MockServer) -> Iterator[Any]:
        made = vendor.load_handle()(mockserver)
        try:
            yield made
        finally:
            made.close()

    handle.__doc__ = f"The {vendor.title} emulator of the test's server (its handle)."
    fixtures: dict[str, Callable[..., Any]] = {name: handle}
    for old in vendor.fixture_aliases:
        fixtures[old] = _alias(old, name)
    return fixtures


def _alias(old: str, new: str) -> Callable[..., Any]:
    @pytest.fixture(name=old)
    def alias(request: pytest.FixtureRequest) -> Any:
        warnings.warn(
            f"the pytest fixture {old!r} is renamed {new!r}; the old name goes in the next release",
            DeprecationWarning,
            stacklevel=2,
        )
        return request.getfixturevalue(new)

    alias.__doc__ = f"Old name of ``{new}`` (deprecated)."
    return alias


for _vendor in default_vendors():
    if _vendor.handle is not None:
        globals().update(vendor_fixtures(_vendor))


# -- server pool -----------------------------------------------------------------------------


class ServerPool:
    """Started servers shared by a test session, one per distinct configuration.

    A server starts on first use and runs until :meth:`close` (the end of the session).
    Beyond ``max_servers`` running servers, the least recently used unpinned one stops.

    Args:
        max_servers: How many servers may run at once.
        vendors: The registry entries the servers serve (default: the built-in vendors).
    """

    def __init__(
        self,
        max_servers: int = MAX_POOLED_SERVERS,
        *,
        vendors: Sequence[VendorSpec] | None = None,
    ) -> None:
        self.max_servers = max_servers
        self._vendors = vendors
        self._servers: OrderedDict[str, MockServer] = OrderedDict()  # by config key, LRU last
        self._pinned: set[str] = set()  # keys never stopped before close()

    def get(self, settings: Mapping[str, Any], *, pin: bool = False) -> MockServer:
        """The running server for ``settings`` (``MockServer`` keyword settings)."""
        key = json.dumps(_merge({}, settings), sort_keys=True, default=repr)
        server = self._servers.get(key)
        if server is None:
            from mockserver.server import MockServer  # noqa: PLC0415  aiohttp, grpc: when used

            server = MockServer(vendors=self._vendors, **settings)
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


# -- helpers ---------------------------------------------------------------------------------


def _merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Merge settings as dotted keys (nested and dotted forms may be mixed)."""
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
    _write_html_report(server.journal, path.with_suffix(".html"), item.nodeid)
    item.stash[_JOURNAL_FILE] = path
    return path


def _write_html_report(journal: Journal, path: Path, title: str) -> None:
    """The journal as an HTML page next to its NDJSON (``mockserver.report``)."""
    try:
        write_report(journal, path, title=title)
    except Exception as exc:  # the NDJSON is written; the test's own failure matters more
        logging.getLogger("mockserver").warning("could not write %s: %s", path, exc)


def _html_note(path: Path) -> str:
    """A line naming the HTML report written next to the journal ``path``, if any."""
    html = path.with_suffix(".html")
    return f"\nHTML report: {html}" if html.is_file() else ""


def _file_name(nodeid: str) -> str:
    """A file name for a test id: safe characters only, bounded length, unique."""
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid).strip("_.") or "test"
    if len(safe) > 120:
        digest = hashlib.sha256(nodeid.encode()).hexdigest()[:12]
        safe = f"{safe[:100]}-{digest}"
    return f"{safe}.ndjson"
