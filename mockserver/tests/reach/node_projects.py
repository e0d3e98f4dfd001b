"""Node.js projects the tests run (the TypeScript Hume SDK, Hume's Next.js sandbox),
installed once with npm into a cache outside the repository.

The cache is ``$MOCKSERVER_TEST_CACHE`` (default ``~/.cache/affect-mockserver-tests``); a
project's folder is named by a digest of its files, so a change installs a new one. The
first run needs the npm registry; later runs need nothing. Workers of one run wait for one
another (a file lock). Where Node.js or the registry is missing, the tests that need the
project are skipped with the reason.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

__all__ = ["CACHE_VARIABLE", "NodeUnavailable", "cache_root", "node_project", "tree_digest"]

CACHE_VARIABLE = "MOCKSERVER_TEST_CACHE"
_INSTALLED = ".installed"
_NPM_TIMEOUT_S = 600


class NodeUnavailable(Exception):
    """The project cannot be installed here (the message says why)."""


def cache_root() -> Path:
    """Where installed projects are kept."""
    configured = os.environ.get(CACHE_VARIABLE, "").strip()
    if configured:
        return Path(configured)
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".cache"
    return base / "affect-mockserver-tests"


def tree_digest(folder: Path, *, skip: tuple[str, ...] = ()) -> str:
    """SHA-256 of the lines ``<relative path>\\0<SHA-256 of the file>`` of every file under
    ``folder`` (but the names in ``skip``), sorted by path and joined with newlines."""
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.name not in skip)
    lines = [
        f"{p.relative_to(folder).as_posix()}\0{hashlib.sha256(p.read_bytes()).hexdigest()}"
        for p in files
    ]
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def node_project(
    name: str,
    *,
    source: Path | None = None,
    package: Mapping[str, Any] | None = None,
    files: Mapping[str, str] | None = None,
) -> Path:
    """The folder of an installed project: ``source`` copied (if given), ``package`` as its
    ``package.json`` and ``files`` written into it, then ``npm install``.

    Raises:
        NodeUnavailable: Node.js or npm is missing, or the installation failed.
    """
    for tool in ("node", "npm"):
        if shutil.which(tool) is None:
            raise NodeUnavailable(f"{tool} is not installed (Debian: apt-get install nodejs npm)")
    digest = hashlib.sha256()
    if source is not None:
        digest.update(tree_digest(source).encode())
    digest.update(json.dumps([package, files], sort_keys=True).encode())
    root = cache_root()
    root.mkdir(parents=True, exist_ok=True)
    folder = root / f"{name}-{digest.hexdigest()[:16]}"
    with open(root / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another worker may be installing it
        if (folder / _INSTALLED).is_file():
            return folder
        shutil.rmtree(folder, ignore_errors=True)
        if source is not None:
            shutil.copytree(source, folder)
        folder.mkdir(parents=True, exist_ok=True)
        if package is not None:
            (folder / "package.json").write_text(json.dumps(package, indent=2), "utf-8")
        for relative, text in (files or {}).items():
            (folder / relative).write_text(text, encoding="utf-8")
        command = ["npm", "install", "--no-audit", "--no-fund", "--fetch-retries=1"]
        try:
            done = subprocess.run(
                command,
                cwd=folder,
                capture_output=True,
                text=True,
                timeout=_NPM_TIMEOUT_S,
                check=False,
                env={**os.environ, "NEXT_TELEMETRY_DISABLED": "1"},
            )
        except subprocess.TimeoutExpired:
            raise NodeUnavailable(f"npm install of {name} took over {_NPM_TIMEOUT_S} s") from None
        if done.returncode != 0:
            tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-5:])
            raise NodeUnavailable(f"npm install of {name} failed (no registry?):\n{tail}")
        (folder / _INSTALLED).write_text("", encoding="utf-8")
    return folder
