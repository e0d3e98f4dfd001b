"""Fault injection: small typed faults applied at the transport boundary.

Each fault type is one class (:mod:`.types`, or a vendor's own through its registry entry)
whose fields are its parameters and whose methods are what it does; the JSON Schema of a
definition is generated from them (:mod:`.schema`). A :class:`FaultPlan` (one per server,
owned by the runtime) holds the active faults, loaded from data. For each connection,
:class:`~.connection.ConnectionFaults` decides which faults fire at each step, and
:class:`~mockserver.core.connection.Connection` merges those decisions with the vendor
session's own events into the actions an adapter performs; sessions never know. Every
frame a fault produced or altered is journaled with ``fault`` set to the fault's name.
"""

from __future__ import annotations

from mockserver.core.actions import Abort, Action, Close, Delay, Drop, Hang, Note, Reject, Send

from .connection import ConnectionFaults
from .model import Catalogue, Fault, Meter, NullMeter, VendorFaults
from .plan import ActiveFault, FaultPlan
from .spec import FaultDefinitionError, FaultSpec, Trigger
from .types import GENERIC_TYPES

__all__ = [
    "GENERIC_TYPES",
    "Abort",
    "Action",
    "ActiveFault",
    "Catalogue",
    "Close",
    "ConnectionFaults",
    "Delay",
    "Drop",
    "Fault",
    "FaultDefinitionError",
    "FaultPlan",
    "FaultSpec",
    "Hang",
    "Meter",
    "Note",
    "NullMeter",
    "Reject",
    "Send",
    "Trigger",
    "VendorFaults",
]
