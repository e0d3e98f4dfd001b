"""Vendor emulators: one sub-package per vendor, each with the same file set.

``session.py`` (sans-I/O state machine), ``codec.py`` (wire format), ``errors.py`` (error
catalogue), ``config.py`` (settings), the prediction engine modules, and ``service.py``,
which wires the sessions to transports. Registering a vendor means adding its
:class:`VendorSpec` to :data:`VENDORS`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from mockserver.settings import Setting

from .behavioral.config import SETTINGS as BEHAVIORAL_SETTINGS
from .behavioral.config import BehavioralSettings
from .hume.config import SETTINGS as HUME_SETTINGS
from .hume.config import HumeSettings
from .hume_v1.config import SETTINGS as HUME_V1_SETTINGS
from .hume_v1.config import HumeV1Settings

__all__ = ["VENDORS", "VendorSpec", "vendor_by_name"]


@dataclass(frozen=True)
class VendorSpec:
    """How the server builds, configures and describes one vendor emulator.

    Args:
        name: Short name, also the TOML table and flag prefix.
        title: Human name for messages.
        settings: The vendor's settings table.
        build_settings: Resolved values (all keys) -> the vendor's settings object.
        ports: Settings object -> ``{label: port}`` (for conflict checks).
        service: ``"module:Class"`` of the service wiring (imported only when serving).
    """

    name: str
    title: str
    settings: tuple[Setting, ...]
    build_settings: Callable[[Mapping[str, Any]], Any]
    ports: Callable[[Any], dict[str, int]]
    service: str

    def load_service(self) -> Any:
        """Import and return the service class."""
        module_name, _, attr = self.service.partition(":")
        return getattr(importlib.import_module(module_name), attr)


VENDORS: tuple[VendorSpec, ...] = (
    VendorSpec(
        name="hume",
        title="Hume Expression Measurement streaming",
        settings=HUME_SETTINGS,
        build_settings=HumeSettings.from_values,
        ports=lambda s: {"--hume-port": s.port},
        service="mockserver.vendors.hume.service:HumeService",
    ),
    VendorSpec(
        name="hume_v1",
        title="Hume Expression Measurement API v1 (realtime, uploads, runs)",
        settings=HUME_V1_SETTINGS,
        build_settings=HumeV1Settings.from_values,
        ports=lambda s: {"--hume-v1-port": s.port},
        service="mockserver.vendors.hume_v1.service:HumeV1Service",
    ),
    VendorSpec(
        name="behavioral",
        title="Behavioral Signals streaming (gRPC) and REST",
        settings=BEHAVIORAL_SETTINGS,
        build_settings=BehavioralSettings.from_values,
        ports=lambda s: {
            "--behavioral-grpc-port": s.grpc_port,
            "--behavioral-rest-port": s.rest_port,
        },
        service="mockserver.vendors.behavioral.service:BehavioralService",
    ),
)


def vendor_by_name(name: str) -> VendorSpec:
    """Look a vendor up by name."""
    for vendor in VENDORS:
        if vendor.name == name:
            return vendor
    raise KeyError(name)
