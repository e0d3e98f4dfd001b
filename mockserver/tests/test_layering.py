"""Architecture rules checked mechanically in a fresh interpreter.

* Sessions, codecs, error catalogues and engines are sans-I/O: importing them must not
  import asyncio, websockets, grpc or aiohttp.
* ``import mockserver`` and the session modules are light: no NumPy, PyAV or OpenCV until
  media arrives.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from mockserver.version import __version__

IO_MODULES = ("asyncio", "websockets", "grpc", "aiohttp")
HEAVY_MODULES = ("numpy", "av", "cv2", "PIL", "jsonschema")

SANS_IO = [
    "mockserver.core.actions",
    "mockserver.core.connection",
    "mockserver.core.router",
    "mockserver.faults",
    "mockserver.registry",
    "mockserver.core.clock",
    "mockserver.core.events",
    "mockserver.core.handshake",
    "mockserver.core.rng",
    "mockserver.vendors.hume.session",
    "mockserver.vendors.hume.codec",
    "mockserver.vendors.hume.errors",
    "mockserver.vendors.hume.handshake",
    "mockserver.vendors.hume.engine",
    "mockserver.vendors.hume_v1.session",
    "mockserver.vendors.hume_v1.codec",
    "mockserver.vendors.hume_v1.errors",
    "mockserver.vendors.hume_v1.handshake",
    "mockserver.vendors.hume_v1.rest",
    "mockserver.vendors.hume_v1.runs",
    "mockserver.vendors.hume_v1.engine",
    "mockserver.vendors.hume_v1.utterances",
    "mockserver.vendors.behavioral.codec",
    "mockserver.vendors.behavioral.session",
    "mockserver.vendors.behavioral.rest",
    "mockserver.vendors.behavioral.processes",
    "mockserver.vendors.behavioral.engine",
    "mockserver.vendors.behavioral.segmenter",
    "mockserver.core.http",
    "mockserver.media.audio",
    "mockserver.media.voice",
    "mockserver.media.faces",
    "mockserver.ui.hub",
    "mockserver.report",
]


def loaded_after(modules: list[str]) -> set[str]:
    code = (
        "import importlib, json, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(json.loads(out.stdout))


@pytest.mark.parametrize("module", SANS_IO)
def test_sans_io_modules_import_no_io_library(module: str) -> None:
    loaded = loaded_after([module])
    assert not [m for m in IO_MODULES if m in loaded], module


def test_package_and_session_imports_are_light() -> None:
    loaded = loaded_after(
        [
            "mockserver",
            "mockserver.config",
            "mockserver.registry",
            "mockserver.vendors",
            "mockserver.vendors.hume.session",
            "mockserver.vendors.behavioral.session",
            "mockserver.vendors.hume_v1.session",
            "mockserver.vendors.hume_v1.rest",
        ]
    )
    assert not [m for m in HEAVY_MODULES if m in loaded]


def test_the_package_version_is_the_project_version() -> None:
    project = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text("utf-8"))
    assert __version__ == project["project"]["version"]
