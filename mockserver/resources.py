"""The one place that locates data files: JSON schemas, .proto files and fixtures.

In an installed wheel they live in ``mockserver/_data/`` (the build force-includes the
top-level ``schemas/``, ``protos/`` and ``fixtures/`` folders there). In a source checkout
(editable install or running from the repository) they are the top-level folders.
"""

from __future__ import annotations

import base64
import functools
import json
from pathlib import Path
from typing import Any

__all__ = [
    "data_root",
    "fixture_base64",
    "fixture_path",
    "load_schema",
    "proto_path",
    "schema_path",
]

_PACKAGE_DIR = Path(__file__).resolve().parent


@functools.cache
def data_root() -> Path:
    """Return the directory that holds ``schemas/``, ``protos/`` and ``fixtures/``."""
    bundled = _PACKAGE_DIR / "_data"
    if (bundled / "schemas").is_dir():
        return bundled
    checkout = _PACKAGE_DIR.parent
    if (checkout / "schemas").is_dir():
        return checkout
    raise FileNotFoundError(
        "mockserver data files not found: expected mockserver/_data/schemas (installed wheel) "
        f"or schemas/ next to the package (source checkout) under {checkout}"
    )


def schema_path(name: str) -> Path:
    """Path of a schema, e.g. ``schema_path("hume/publish.schema.json")``."""
    return _existing(data_root() / "schemas" / name)


def proto_path(name: str) -> Path:
    """Path of a .proto file relative to ``protos/``."""
    return _existing(data_root() / "protos" / name)


def fixture_path(name: str) -> Path:
    """Path of a fixture relative to ``fixtures/``, e.g. ``fixture_path("media/face.png")``."""
    return _existing(data_root() / "fixtures" / name)


def fixture_base64(name: str) -> str:
    """A fixture file as base64 text, the ``data`` of a Hume media payload."""
    return base64.b64encode(fixture_path(name).read_bytes()).decode("ascii")


@functools.cache
def load_schema(name: str) -> Any:
    """Parse and cache a JSON schema by name (see :func:`schema_path`)."""
    return json.loads(schema_path(name).read_text(encoding="utf-8"))


def _existing(path: Path) -> Path:
    if not path.exists():
        raise FileNotFoundError(f"mockserver data file not found: {path}")
    return path
