"""Vendor emulators: one sub-package per vendor, each contributing one registry entry.

Each vendor folder has the same core file set: ``session.py`` (sans-I/O state machine),
``codec.py`` (wire format), ``errors.py`` (error catalogue), ``config.py`` (settings), its
engine modules, ``service.py`` (listeners and sessions), ``handle.py`` (its pytest handle),
optionally ``scenario.py`` (its part of the scenario format), and an ``__init__.py`` defining
its :class:`~mockserver.registry.VendorSpec` as ``VENDOR``. Adding a vendor means adding a
folder and its entry to :data:`VENDORS`; generic code finds them through
:func:`mockserver.registry.default_vendors`.
"""

from __future__ import annotations

from mockserver.registry import VendorSpec

from .behavioral import VENDOR as BEHAVIORAL
from .hume import VENDOR as HUME
from .hume_v1 import VENDOR as HUME_V1

__all__ = ["VENDORS"]

#: The built-in emulators, in the order they start and are listed.
VENDORS: tuple[VendorSpec, ...] = (HUME, HUME_V1, BEHAVIORAL)
