"""The in-process server: starts every enabled emulator and exposes URLs, journal, reset.

Usable three ways:

* ``async with MockServer() as server:`` on the caller's event loop;
* ``with MockServer() as server:`` from synchronous code (a background thread runs the loop);
* ``server.start()`` / ``server.stop()`` (or ``await server.astart()`` / ``astop()``).

Every listener binds port 0 by default when built from Python, so many servers can run
in one process; ``start`` returns only once all listeners are bound.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import dataclasses
import json
import logging
import os
import shlex
import tempfile
import threading
from collections.abc import Coroutine, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol, TypeVar

from .admin import AdminService
from .config import ServerConfig
from .core.clock import Clock
from .errors import ConfigError, ListenError, MockServerError, ServerFailure
from .journal import Journal
from .registry import VendorSpec
from .runtime import ConnectionRecord, Runtime
from .scenario.loader import scenario_file
from .tls import ServerTls, resolve_state_dir, server_tls, trust_environment

__all__ = ["MockServer", "server_tls_of"]

logger = logging.getLogger("mockserver.control")

T = TypeVar("T")


class Service(Protocol):
    name: str

    async def start(self) -> None: ...
    async def stop(self) -> None: ...
    def reset(self) -> None: ...
    def describe(self) -> list[str]: ...

    @property
    def endpoint(self) -> Any: ...


def server_tls_of(config: ServerConfig) -> ServerTls | None:
    """The certificate the listeners of ``config`` serve (None without ``tls``): the user's
    (``tls_cert``/``tls_key``), or one from the local CA in the state directory naming
    every registered vendor's hostnames, the ``tls_hostnames`` and the bind address.

    Raises:
        ConfigError: The user's files are unusable or the state directory is not writable.
    """
    if not config.tls:
        return None
    names = [name for vendor in config.registry for name in vendor.hostnames]
    names.extend(config.tls_hostnames)
    if config.host not in ("0.0.0.0", "::", ""):
        names.append(config.host)
    return server_tls(
        state_dir=resolve_state_dir(config.state_dir),
        names=names,
        cert_file=config.tls_cert,
        key_file=config.tls_key,
    )


def _plain(endpoint: Any) -> Any:
    """An endpoint dataclass as JSON data (tuples become lists, nested dataclasses dicts)."""
    is_instance = dataclasses.is_dataclass(endpoint) and not isinstance(endpoint, type)
    data = dataclasses.asdict(endpoint) if is_instance else endpoint
    return json.loads(json.dumps(data, default=str))


def _write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to a temporary file next to ``path``, then rename it to ``path``, so a
    reader never sees a partial file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            file.write(text + "\n")
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


def _remove_ready_file(path: str) -> None:
    if path:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)


class MockServer:
    """All enabled emulators of one configuration.

    Each vendor's endpoint is an attribute named after the vendor (``server.hume.url``,
    ``server.behavioral.grpc_target``).

    Args:
        config: A resolved configuration. If omitted, ``overrides`` are resolved as Python
            values (nested like ``hume={"api_keys": ["k"]}`` or dotted) with every port
            defaulting to 0.
        clock: Monotonic clock override (tests).
        vendors: The registry entries to serve when ``config`` is omitted (default: the
            built-in vendors).
    """

    def __init__(
        self,
        config: ServerConfig | None = None,
        *,
        clock: Clock | None = None,
        vendors: Sequence[VendorSpec] | None = None,
        **overrides: Any,
    ) -> None:
        if config is None:
            config = ServerConfig.resolve(
                python_values=overrides, ephemeral_ports=True, vendors=vendors
            )
        elif overrides or vendors is not None:
            raise TypeError("pass either a ServerConfig or keyword settings, not both")
        self.config = config
        self.runtime = Runtime(
            seed=config.seed,
            clock=clock,
            journal_max_entries=config.journal_max_entries,
            journal_max_bytes=config.journal_max_bytes,
            limits=config.limits(),
            workers=config.workers,
            vendors=config.registry,
            settings=config.vendors,
            tls=server_tls_of(config),
        )
        self._services: dict[str, Service] = {}
        self._loop: asyncio.AbstractEventLoop | None = None  # loop the listeners run on
        self._thread: threading.Thread | None = None  # background loop thread (sync use)
        self._thread_loop: asyncio.AbstractEventLoop | None = None  # loop of that thread
        self._started = False
        self._ready = False  # every listener accepts (from the end of start to stop)

    # -- information ----------------------------------------------------------------------

    @property
    def journal(self) -> Journal:
        """Every frame that crossed the wire, both directions."""
        return self.runtime.journal

    @property
    def admin(self) -> Any:
        """The admin API endpoint (``AdminEndpoint``: url, port, token_required)."""
        return self._service("admin").endpoint

    def __getattr__(self, name: str) -> Any:
        """``server.<vendor>``: that vendor's endpoint (URLs, ports, credentials)."""
        config = self.__dict__.get("config")
        if config is not None and any(v.name == name for v in config.registry):
            return self._service(name).endpoint
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def service(self, name: str) -> Any:
        """The running service of vendor ``name``."""
        return self._service(name)

    def _service(self, name: str) -> Service:
        if not self._started:
            raise MockServerError("the server is not running: call start() first")
        try:
            return self._services[name]
        except KeyError:
            raise MockServerError(f"the {name} emulator is disabled in this server") from None

    def describe(self) -> list[str]:
        """One line per listener: URL and credentials; with TLS, a line saying what to trust."""
        lines = [line for service in self._services.values() for line in service.describe()]
        tls = self.runtime.tls
        if tls is not None and tls.ca is not None:
            state = shlex.quote(str(tls.ca.directory.parent))
            lines.append(
                f"tls         CA {tls.ca.cert_file}  "
                f'(trust it: eval "$(mockserver ca --state-dir {state} --shell)")'
            )
        elif tls is not None:
            lines.append(f"tls         certificate {tls.cert_file}")
        return lines

    @property
    def ready(self) -> bool:
        """Whether every listener accepts connections (from the end of start until stop)."""
        return self._ready

    def readiness(self) -> dict[str, Any]:
        """What a script needs to reach this running server, as JSON-compatible data
        (``schemas/ready.schema.json``; the ``--ready-file`` and ``serve --print-json``):
        each listener's URLs, ports and credentials by vendor name, the admin API's URL,
        and the TLS trust material."""
        tls = self.runtime.tls
        trust: dict[str, Any] | None = None
        if tls is not None:
            trust = {"cert_file": str(tls.cert_file), "names": list(tls.names)}
            if tls.ca is not None:
                trust["ca_file"] = str(tls.ca.cert_file)
                trust["environment"] = trust_environment(tls.ca)
        listeners = {name: _plain(service.endpoint) for name, service in self._services.items()}
        return {
            "ready": self.ready,
            "pid": os.getpid(),
            "host": self.config.host,
            "seed": self.config.seed,
            "tls": trust,
            "listeners": listeners,
        }

    def connections(self) -> list[ConnectionRecord]:
        """Live connections and calls."""
        return self.runtime.connections()

    # -- lifecycle (async) ----------------------------------------------------------------

    async def astart(self) -> MockServer:
        """Start every enabled emulator on the running loop; return once all are bound."""
        if self._started:
            raise MockServerError("the server is already running")
        self._loop = asyncio.get_running_loop()
        _remove_ready_file(self.config.ready_file)  # a stale file from an earlier run
        try:
            # scenarios first: a bad file fails before any port is bound
            self._load_configured_scenarios()
            for vendor in self.config.registry:
                settings = self.config.vendor(vendor.name)
                if not vendor.enabled(settings):
                    continue
                service = vendor.load_service()(
                    settings, host=self.config.host, runtime=self.runtime
                )
                await service.start()
                self._services[vendor.name] = service
            if self.config.admin_enabled:
                admin = AdminService(
                    host=self.config.host,
                    port=self.config.admin_port,
                    token=self.config.admin_token or None,
                    runtime=self.runtime,
                    server=self,
                )
                await admin.start()
                self._services["admin"] = admin
        except ListenError as exc:
            await self._stop_services()
            flag = self.config.port_flags().get(exc.port)
            if flag is None:  # port 0 never fails this way; say what we know
                raise
            problem = "is in use" if exc.in_use else f"cannot be used ({exc.reason})"
            raise ConfigError(
                f"{flag} {exc.port} {problem}; pass another port or 0 for any free port"
            ) from exc
        except BaseException:
            await self._stop_services()
            raise
        self._started = True
        self._ready = True
        if self.config.ready_file:
            _write_atomically(Path(self.config.ready_file), json.dumps(self.readiness(), indent=2))
        return self

    async def astop(self) -> None:
        """Close every connection and listener (the ready file, if any, is removed first)."""
        self._ready = False
        _remove_ready_file(self.config.ready_file)
        await self._stop_services()
        self._started = False
        self.runtime.shutdown()

    async def _stop_services(self) -> None:
        for service in reversed(list(self._services.values())):
            await service.stop()
        self._services.clear()

    async def __aenter__(self) -> MockServer:
        return await self.astart()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.astop()

    # -- lifecycle (sync, background thread) ----------------------------------------------

    def start(self) -> MockServer:
        """Start on a background event-loop thread; return once all listeners are bound."""
        if self._thread is not None or self._started:
            raise MockServerError("the server is already running")
        loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._run_loop, args=(loop,), name="mockserver-loop", daemon=True
        )
        self._thread_loop = loop
        self._thread.start()
        try:
            self._call(self.astart())
        except BaseException:
            self._stop_thread()
            raise
        return self

    def stop(self) -> None:
        """Stop a server started with :meth:`start`."""
        if self._thread is None:
            return
        try:
            self._call(self.astop())
        finally:
            self._stop_thread()

    @staticmethod
    def _run_loop(loop: asyncio.AbstractEventLoop) -> None:
        asyncio.set_event_loop(loop)
        try:
            loop.run_forever()
            loop.run_until_complete(loop.shutdown_asyncgens())
        finally:
            loop.close()

    def _stop_thread(self) -> None:
        loop, thread = self._thread_loop, self._thread
        self._thread_loop, self._thread = None, None
        if loop is not None:
            loop.call_soon_threadsafe(loop.stop)
        if thread is not None:
            thread.join(timeout=10)

    def _call(self, coro: Coroutine[Any, Any, T], timeout: float = 30.0) -> T:
        """Run ``coro`` on the background loop and wait for its result."""
        loop = self._thread_loop
        if loop is None:
            coro.close()
            raise MockServerError("the server was not started with start()")
        future = asyncio.run_coroutine_threadsafe(coro, loop)
        try:
            return future.result(timeout)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise MockServerError(f"the server did not respond within {timeout:g} s") from None

    def __enter__(self) -> MockServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- test support ---------------------------------------------------------------------

    def reset(self) -> None:
        """Forget journal, counters, failures, scenarios, faults and per-vendor history
        (cheap; per test). Scenario files given in the configuration are loaded again."""
        self.runtime.reset()
        for service in self._services.values():
            service.reset()
        logger.info("reset: journal, faults, scenarios and counters cleared")
        self._load_configured_scenarios()

    def _load_configured_scenarios(self) -> None:
        """The configuration's scenario files (``builtin:NAME`` too), then inline texts."""
        for reference in self.config.scenarios:
            self.load_scenario(scenario_file(reference))
        for text in self.config.scenario_texts:
            self.load_scenario(text)

    def check(self) -> None:
        """Raise :class:`ServerFailure` if the server hit internal errors since last check."""
        failures = self.runtime.take_failures()
        if failures:
            raise ServerFailure(failures)

    # -- scenarios and faults -------------------------------------------------------------

    def load_scenario(self, source: Any) -> Any:
        """Activate a scenario: a file path, YAML/JSON text, a mapping, or a ``Scenario``.

        Its faults are activated too. Raises :class:`~mockserver.errors.ScenarioError`.
        """
        return self.runtime.scenarios.load(source, faults=self.runtime.faults)

    def clear_scenarios(self) -> None:
        """Deactivate every scenario (the faults they brought stay until clear_faults)."""
        count = len(self.runtime.scenarios.active())
        self.runtime.scenarios.clear()
        logger.info("scenarios cleared (%d were active)", count)

    def add_faults(self, specs: Any) -> list[Any]:
        """Activate fault definitions (a mapping or a list of them)."""
        items = [specs] if isinstance(specs, dict) else list(specs)
        added = self.runtime.faults.load(items)
        for fault in added:
            logger.info("fault added: %s", json.dumps(fault, sort_keys=True))
        return added

    def clear_faults(self) -> None:
        """Remove every active fault."""
        count = len(self.runtime.faults.describe())
        self.runtime.faults.clear()
        logger.info("faults cleared (%d were active)", count)

    def unmet_expectations(self) -> list[str]:
        """Scripted expectations of the active scenarios that the journal does not satisfy."""
        return self.runtime.scenarios.unmet_expectations(self.journal)
