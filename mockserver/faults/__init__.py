"""Fault injection: small composable faults applied at the transport boundary.

A :class:`FaultPlan` (one per server, owned by the runtime) holds the active faults, loaded
from data (``schemas/fault.schema.json``; catalogue in ``docs/faults.md``). The adapters ask
it, at each step of a connection, which faults fire and carry out the resulting
:mod:`~mockserver.faults.actions`; sessions never know. Every frame a fault produced or
altered is journaled with ``fault`` set to the fault's name.
"""

from __future__ import annotations

from .actions import Abort, Action, Close, Delay, Drop, Hang, Note, Reject, Send
from .catalogue import FAULT_TYPES, FaultType
from .plan import ActiveFault, FaultPlan
from .spec import FaultSpec, Trigger

__all__ = [
    "FAULT_TYPES",
    "Abort",
    "Action",
    "ActiveFault",
    "Close",
    "Delay",
    "Drop",
    "FaultPlan",
    "FaultSpec",
    "FaultType",
    "Hang",
    "Note",
    "Reject",
    "Send",
    "Trigger",
]
