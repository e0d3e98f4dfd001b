"""What Behavioral Signals contributes to fault injection (its registry entry's ``faults``).

* ``process_outcome``: a fault type of its own, acting on the batch process an HTTP
  request submits (fail it with a status, or keep it pending or processing for ever);
* the audio meter of a stream (:mod:`.meter`);
* the REST error body of ``http_error`` answers (:func:`.errors.rest_error_body`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from mockserver.faults.model import VendorFaults, param
from mockserver.faults.types import SubmissionFault

from .errors import rest_error_body
from .meter import StreamMeter

__all__ = ["FAULTS", "ProcessOutcomeFault", "default_process_message"]

#: statusmsg of a process a fault fails (docs' status table: -1, -2, -3).
_PROCESS_MESSAGES: dict[int, str] = {
    -1: "Processing failed",
    -2: "Insufficient credits",
    -3: "Server error while processing the audio",
}


def default_process_message(status: int) -> str:
    """The statusmsg of a process failed with ``status``."""
    return _PROCESS_MESSAGES.get(status, "Processing failed")


@dataclass(frozen=True)
class ProcessOutcomeFault(SubmissionFault):
    """Make a submitted batch process fail (status, message) or stay pending/processing."""

    type: ClassVar[str] = "process_outcome"
    schema_extra: ClassVar[Mapping[str, Any]] = {
        "oneOf": [{"required": ["status"]}, {"required": ["stay"]}],
        "dependentRequired": {"message": ["status"]},
    }

    status: int | None = param(
        schema={
            "type": "integer",
            "maximum": -1,
            "description": "A failed process status: -1 failed, -2 insufficient credits, "
            "-3 server error, or another negative code.",
        },
        doc="failure status (-1, -2, -3...).",
    )
    message: str | None = param(schema={"type": "string"}, doc="the failed process's statusmsg.")
    stay: str | None = param(
        schema={"enum": ["pending", "processing"]},
        doc="keep the process in status 0 (pending) or 1 (processing) for ever.",
    )

    @classmethod
    def check_given(cls, raw: Mapping[str, Any]) -> tuple[str, str] | None:
        if ("status" in raw) == ("stay" in raw):
            return "status", "give exactly one of status (a failure) or stay"
        if "message" in raw and "status" not in raw:
            return "message", "only applies with status"
        return None

    def apply(self, subject: Any) -> None:
        """``subject`` is ``(store, view)`` from ``ProcessStore.submit``."""
        store, view = subject
        if self.stay is not None:
            store.hold(view.pid, 0 if self.stay == "pending" else 1)
        else:
            assert self.status is not None
            message = self.message
            if message is None:
                message = default_process_message(self.status)
            store.set_outcome(view.pid, self.status, message)


FAULTS = VendorFaults(
    transports=("grpc", "http"),
    meter=StreamMeter,
    http_error_body=rest_error_body,
    types=(ProcessOutcomeFault,),
)
