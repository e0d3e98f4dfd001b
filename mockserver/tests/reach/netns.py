"""Network namespaces for tests that need a vendor hostname or a non-loopback address.

A test creates its own namespace (``ip netns``, root only) and deletes it afterwards:
its own loopback, optionally a veth pair to this namespace, and optionally its own hosts
file (``ip netns exec`` bind-mounts ``/etc/netns/<name>/hosts`` over ``/etc/hosts``), so a
vendor hostname resolves to the emulator inside it without touching this machine's
``/etc/hosts``. Where that is impossible (not root, no ``ip``, no namespace support), the
test is skipped with the reason.
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

__all__ = ["Namespace", "namespace"]

_COUNTER = itertools.count(1)


def _ip(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["ip", *args], capture_output=True, text=True, timeout=30, check=False)


def _must(*args: str) -> None:
    done = _ip(*args)
    if done.returncode != 0:
        raise RuntimeError(f"ip {' '.join(args)}: {done.stderr.strip()}")


@dataclass(frozen=True)
class Namespace:
    """A namespace this test created.

    Attributes:
        name: Its name (``ip netns exec <name> ...``).
        address: Its address on the veth link (None without one).
        peer: This namespace's address on that link.
    """

    name: str
    address: str | None
    peer: str | None

    def command(self, argv: Sequence[str]) -> list[str]:
        """``argv`` run inside the namespace."""
        return ["ip", "netns", "exec", self.name, *argv]

    def popen(self, argv: Sequence[str], env: Mapping[str, str], **kwargs: Any) -> Any:
        """Start ``argv`` inside the namespace."""
        return subprocess.Popen(self.command(argv), env=dict(env), **kwargs)

    def run(
        self,
        argv: Sequence[str],
        env: Mapping[str, str],
        *,
        cwd: Path | None = None,
        stdin: str = "",
        timeout: float = 120,
    ) -> subprocess.CompletedProcess[str]:
        """Run ``argv`` inside the namespace to its end."""
        return subprocess.run(
            self.command(argv),
            env=dict(env),
            cwd=cwd,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )


def unavailable() -> str | None:
    """Why namespaces cannot be made here (None: they can)."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return "network namespaces need root (CI on this machine kind runs as root)"
    if shutil.which("ip") is None:
        return "the 'ip' command (iproute2) is not installed"
    return None


@contextmanager
def namespace(*, hosts: Mapping[str, str] | None = None, veth: bool = False) -> Iterator[Namespace]:
    """A fresh namespace with loopback up; ``hosts`` (name -> address) becomes its
    ``/etc/hosts``; ``veth`` links it to this namespace with a /30 of 10.254.0.0/16.

    Skips the test when namespaces cannot be made here.
    """
    reason = unavailable()
    if reason is not None:
        pytest.skip(reason)
    number = next(_COUNTER)
    name = f"msreach-{os.getpid()}-{number}"
    created = _ip("netns", "add", name)
    if created.returncode != 0:
        pytest.skip(f"cannot create a network namespace: {created.stderr.strip()}")
    config = Path("/etc/netns") / name
    outer = f"vh{os.getpid() % 100000}x{number}"
    try:
        _must("-n", name, "link", "set", "lo", "up")
        address = peer = None
        if veth:
            block = (os.getpid() * 7 + number) % (256 * 64)
            third, fourth = divmod(block * 4, 256)
            peer, address = f"10.254.{third}.{fourth + 1}", f"10.254.{third}.{fourth + 2}"
            _must("link", "add", outer, "type", "veth", "peer", "name", "eth0", "netns", name)
            _must("addr", "add", f"{peer}/30", "dev", outer)
            _must("link", "set", outer, "up")
            _must("-n", name, "addr", "add", f"{address}/30", "dev", "eth0")
            _must("-n", name, "link", "set", "eth0", "up")
        if hosts is not None:
            config.mkdir(parents=True, exist_ok=True)
            lines = ["127.0.0.1 localhost", "::1 localhost"]
            lines += [f"{ip} {host}" for host, ip in hosts.items()]
            (config / "hosts").write_text("\n".join(lines) + "\n", encoding="utf-8")
        yield Namespace(name, address, peer)
    finally:
        if veth:
            _ip("link", "del", outer)
        _ip("netns", "del", name)
        shutil.rmtree(config, ignore_errors=True)
