"""Run a command as a child process that talks to a running server's emulators.

Shared by ``mockserver certify`` (the contract kit runs the client under test once per
run) and ``mockserver exec`` (runs any command against the emulators). A child gets:

* **environment variables** naming each emulator's endpoint and credentials: each enabled
  vendor's registry entry contributes them (``VendorSpec.child_environment``), e.g.
  ``MOCKSERVER_HUME_URL``, ``MOCKSERVER_HUME_BASE_URL``, ``MOCKSERVER_HUME_API_KEY``,
  ``MOCKSERVER_BEHAVIORAL_GRPC_TARGET``, ``MOCKSERVER_BEHAVIORAL_REST_URL``,
  ``MOCKSERVER_BEHAVIORAL_CID``, ``MOCKSERVER_BEHAVIORAL_TOKEN``, plus the SDKs' own
  credential variables set to the emulator's;
* the same ``MOCKSERVER_*`` values as **placeholders** in its arguments: ``{hume_url}``,
  ``{behavioral_grpc_target}``... (the variable's name without ``MOCKSERVER_``, in lower
  case);
* a **start-up hook**: a directory first on ``PYTHONPATH`` whose ``sitecustomize.py``
  (:mod:`mockserver.child_startup`) applies the vendors' redirect patches
  (``VendorSpec.child_hook``), so that an unmodified Python client of an official SDK
  reaches the emulator instead of the production service.

::

    with MockServer() as server, ChildLauncher(server, vendors=["hume"]) as launcher:
        result = launcher.run(["python", "client.py", "--url", "{hume_url}"], timeout_s=30)
        assert result.returncode == 0

The launcher never changes the parent's environment. A child and its own children run in
a new session, so a timeout ends the whole process group.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from .child_startup import HOOKS_PACKAGE, HOOKS_VARIABLE
from .controls import ServerControls
from .errors import MockServerError
from .registry import VendorSpec, vendor_named

__all__ = [
    "ChildError",
    "ChildLauncher",
    "ChildResult",
    "expand",
    "placeholder_names",
    "server_variables",
    "terminate",
    "write_startup_directory",
]

_PREFIX = "MOCKSERVER_"
_PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]*)\}")
_KILL_GRACE_S = 2.0


class ChildError(MockServerError):
    """A child process could not be started (the message says what to fix)."""


@dataclass(frozen=True)
class ChildResult:
    """How one child process ended.

    Attributes:
        argv: The command as run (placeholders expanded).
        returncode: Its exit status (negative: the signal that ended it); None if it was
            killed after ``timeout_s``.
        duration_s: Wall-clock seconds from start to exit (or to the kill).
        timed_out: It was still running after ``timeout_s`` and was killed.
        stdout: What it wrote on standard output (when captured).
        stderr: What it wrote on standard error (when captured).
    """

    argv: tuple[str, ...]
    returncode: int | None
    duration_s: float
    timed_out: bool
    stdout: str = ""
    stderr: str = ""


def placeholder_names(variables: Mapping[str, str]) -> dict[str, str]:
    """``{placeholder: value}`` for the ``MOCKSERVER_*`` variables
    (``MOCKSERVER_HUME_URL`` gives ``hume_url``)."""
    return {
        name[len(_PREFIX) :].lower(): value
        for name, value in variables.items()
        if name.startswith(_PREFIX)
    }


def expand(
    argv: Sequence[str], placeholders: Mapping[str, str], *, reserved: Sequence[str] = ()
) -> list[str]:
    """Replace every ``{name}`` of ``placeholders`` in each argument.

    Other braces are left alone (a JSON argument, a format string), except a name that
    starts with one of the ``reserved`` prefixes (the vendors' names and ``_``), which is
    a typo of a placeholder.

    Raises:
        ChildError: A reserved-looking placeholder is unknown (the message lists the known
            ones).
    """
    prefixes = tuple(f"{prefix}_" for prefix in reserved)

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in placeholders:
            return placeholders[name]
        if prefixes and name.startswith(prefixes):
            known = ", ".join("{" + key + "}" for key in sorted(placeholders)) or "none"
            raise ChildError(f"unknown placeholder {{{name}}} in the command (known: {known})")
        return match.group(0)

    return [_PLACEHOLDER.sub(replace, arg) for arg in argv]


def server_variables(server: ServerControls, vendors: Sequence[VendorSpec]) -> dict[str, str]:
    """The environment variables of each of ``vendors`` that ``server`` serves."""
    variables: dict[str, str] = {}
    for vendor in vendors:
        with contextlib.suppress(MockServerError):  # disabled in this server
            variables.update(vendor.child_variables(server.service(vendor.name).endpoint))
    return variables


def write_startup_directory(directory: Path, vendors: Sequence[VendorSpec]) -> list[str]:
    """Write the start-up hook into ``directory``: ``sitecustomize.py`` and a copy of each
    vendor's hook module; return the hook names (for ``MOCKSERVER_CHILD_HOOKS``).

    A hook module is copied as a file, not imported from this package, so that the child
    may run another Python environment (one with only a vendor SDK installed).
    """
    import importlib.util  # noqa: PLC0415  only when writing a start-up directory

    package = directory / HOOKS_PACKAGE
    package.mkdir(parents=True, exist_ok=True)
    (package / "__init__.py").write_text('"""mockserver child hooks."""\n', encoding="utf-8")
    startup = importlib.util.find_spec("mockserver.child_startup")
    assert startup is not None and startup.origin is not None
    shutil.copyfile(startup.origin, directory / "sitecustomize.py")
    names: list[str] = []
    for vendor in vendors:
        if vendor.child_hook is None:
            continue
        spec = importlib.util.find_spec(vendor.child_hook)
        if spec is None or spec.origin is None:
            raise ChildError(f"the start-up hook {vendor.child_hook!r} of {vendor.name} is missing")
        shutil.copyfile(spec.origin, package / f"{vendor.name}.py")
        names.append(vendor.name)
    return names


class ChildLauncher:
    """Runs commands as children of a running server (variables, placeholders, hook).

    Args:
        server: A running server (``MockServer``).
        vendors: Names of the vendors the child may reach (default: every vendor the
            server serves).
        base_environment: The environment the child inherits (default: this process's).
        directory: Where to write the start-up hook (default: a temporary directory,
            removed by :meth:`close`).
        startup_hook: Put the start-up hook on the child's ``PYTHONPATH``.

    Raises:
        ChildError: A named vendor is unknown or not served by ``server``.
    """

    def __init__(
        self,
        server: ServerControls,
        *,
        vendors: Sequence[str] | None = None,
        base_environment: Mapping[str, str] | None = None,
        directory: Path | None = None,
        startup_hook: bool = True,
    ) -> None:
        registry = tuple(server.config.registry)
        if vendors is None:
            chosen = tuple(v for v in registry if v.enabled(server.config.vendor(v.name)))
        else:
            try:
                chosen = tuple(vendor_named(registry, name) for name in vendors)
            except MockServerError as exc:
                raise ChildError(str(exc)) from None
        for vendor in chosen:
            try:
                server.service(vendor.name)
            except MockServerError as exc:
                raise ChildError(f"{vendor.name}: {exc}") from None
        self.vendors = chosen
        self._reserved = tuple(v.name for v in registry)
        self.variables: dict[str, str] = server_variables(server, chosen)
        self.placeholders: dict[str, str] = placeholder_names(self.variables)
        self._base = dict(os.environ if base_environment is None else base_environment)
        self._own_directory = directory is None and startup_hook
        self._directory: Path | None = None
        self._hooks: list[str] = []
        if startup_hook:
            self._directory = (
                Path(tempfile.mkdtemp(prefix="mockserver-child-"))
                if directory is None
                else directory
            )
            self._hooks = write_startup_directory(self._directory, chosen)

    @property
    def startup_directory(self) -> Path | None:
        """The directory put first on the child's ``PYTHONPATH`` (None without the hook)."""
        return self._directory

    def environment(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        """The child's environment: the base, the vendors' variables, ``extra``, and the
        start-up hook first on ``PYTHONPATH``."""
        env = {**self._base, **self.variables, **(extra or {})}
        if self._directory is not None:
            existing = env.get("PYTHONPATH", "")
            entries = [str(self._directory), *([existing] if existing else [])]
            env["PYTHONPATH"] = os.pathsep.join(entries)
            env[HOOKS_VARIABLE] = ",".join(self._hooks)
        return env

    def expand(self, argv: Sequence[str]) -> list[str]:
        """``argv`` with the placeholders replaced (see :func:`expand`)."""
        return expand(argv, self.placeholders, reserved=self._reserved)

    def start(
        self, argv: Sequence[str], *, extra_env: Mapping[str, str] | None = None, **popen: Any
    ) -> subprocess.Popen[Any]:
        """Start ``argv`` (placeholders expanded) in a new session; ``popen`` goes to
        :class:`subprocess.Popen`.

        Raises:
            ChildError: The command is empty, not found or not executable.
        """
        command = self.expand(argv)
        if not command:
            raise ChildError("no command given: put it after --, e.g. -- python client.py")
        try:
            return subprocess.Popen(
                command, env=self.environment(extra_env), start_new_session=True, **popen
            )
        except FileNotFoundError:
            raise ChildError(
                f"command not found: {command[0]!r} (check the spelling and your PATH)"
            ) from None
        except PermissionError:
            raise ChildError(f"command not executable: {command[0]!r}") from None

    def run(
        self,
        argv: Sequence[str],
        *,
        timeout_s: float | None = None,
        extra_env: Mapping[str, str] | None = None,
        capture: bool = True,
        cwd: str | Path | None = None,
    ) -> ChildResult:
        """Run ``argv`` to its end, or kill it (and its children) after ``timeout_s``.

        Raises:
            ChildError: See :meth:`start`.
        """
        out: IO[str] | None = None
        err: IO[str] | None = None
        with contextlib.ExitStack() as stack:
            if capture:  # files, not pipes: a chatty child never blocks on a full pipe
                out = stack.enter_context(tempfile.TemporaryFile("w+", encoding="utf-8"))
                err = stack.enter_context(tempfile.TemporaryFile("w+", encoding="utf-8"))
            started = time.monotonic()
            process = self.start(
                argv,
                extra_env=extra_env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
                cwd=cwd,
                text=True,
            )
            timed_out = False
            try:
                returncode: int | None = process.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                timed_out, returncode = True, None
                terminate(process)
            duration = time.monotonic() - started
            stdout = _read_all(out)
            stderr = _read_all(err)
        command = tuple(str(arg) for arg in process.args)  # type: ignore[union-attr]
        return ChildResult(command, returncode, duration, timed_out, stdout, stderr)

    def close(self) -> None:
        """Remove the start-up directory this launcher created."""
        if self._own_directory and self._directory is not None:
            shutil.rmtree(self._directory, ignore_errors=True)
            self._directory = None

    def __enter__(self) -> ChildLauncher:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def terminate(process: subprocess.Popen[Any]) -> None:
    """End a child started by :meth:`ChildLauncher.start` and its own children (its
    process group): SIGTERM, then SIGKILL after a grace of 2 s."""
    for sig, grace in ((signal.SIGTERM, _KILL_GRACE_S), (signal.SIGKILL, None)):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            if sys.platform != "win32":
                os.killpg(process.pid, sig)
            else:  # pragma: no cover - no process groups
                process.kill()
        try:
            process.wait(timeout=grace)
            return
        except subprocess.TimeoutExpired:
            continue


def _read_all(handle: IO[str] | None) -> str:
    if handle is None:
        return ""
    handle.seek(0)
    return handle.read()
