"""Fault decisions for one HTTP request: an error answer, a delay, process outcomes."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .actions import Delay, Reject
from .catalogue import default_process_message, http_error_body

if TYPE_CHECKING:
    from mockserver.vendors.behavioral.processes import ProcessStore, ProcessView

    from .plan import ActiveFault, FaultPlan

__all__ = ["NO_FAULT", "HttpDecision", "decide"]


@dataclass(frozen=True)
class HttpDecision:
    """What the active faults do to one HTTP request.

    Attributes:
        reject: Answer this instead of running the handler (``http_error``).
        delays: Wait this long before answering (``delay``).
        submission_faults: ``process_outcome`` faults that may act on a process the
            request creates.
        plan: The plan (fires the submission faults).
        number: The request's number.
    """

    reject: Reject | None = None
    delays: tuple[Delay, ...] = ()
    submission_faults: tuple[ActiveFault, ...] = ()
    plan: FaultPlan | None = None
    number: int = 0

    @property
    def delay_s(self) -> float:
        return sum(d.seconds for d in self.delays)

    @property
    def fault(self) -> str | None:
        """Names of the faults that changed the response, joined with ``+``."""
        names = [*([self.reject.fault] if self.reject else []), *(d.fault for d in self.delays)]
        return "+".join(names) or None

    @contextlib.contextmanager
    def submission(self) -> Iterator[None]:
        """Context in which the request's handler runs (on its worker thread): makes a
        process it submits fail or stay pending as the ``process_outcome`` faults say."""
        if not self.submission_faults or self.plan is None:
            yield
            return
        from mockserver.vendors.behavioral.processes import SUBMIT_HOOK

        token = SUBMIT_HOOK.set(self._on_submit)
        try:
            yield
        finally:
            SUBMIT_HOOK.reset(token)

    def _on_submit(self, store: ProcessStore, view: ProcessView) -> None:
        assert self.plan is not None
        for fault in self.submission_faults:
            pattern = fault.spec.when.name
            if pattern is not None and not pattern.search(view.name or ""):
                continue
            if not self.plan.fire(fault, self.number, "submit", 1):
                continue
            stay = fault.spec.params.get("stay")
            if stay is not None:
                store.hold(view.pid, 0 if stay == "pending" else 1)
            else:
                status = int(fault.spec.params["status"])
                message = fault.spec.params.get("message", default_process_message(status))
                store.set_outcome(view.pid, status, str(message))
            return


NO_FAULT = HttpDecision()


def _matches(fault: ActiveFault, number: int, method: str, path: str) -> bool:
    w = fault.spec.when
    if w.connection is not None and number not in w.connection:
        return False
    if w.method is not None and method.upper() != w.method:
        return False
    return not (w.path is not None and not w.path.search(path))


def decide(plan: FaultPlan, vendor: str, number: int, method: str, path: str) -> HttpDecision:
    """Evaluate the faults for HTTP request ``number`` (``<vendor>-http-<number>``)."""
    reject: Reject | None = None
    delays: list[Delay] = []
    submissions: list[ActiveFault] = []
    for fault in plan.applicable(vendor, "http"):
        if not _matches(fault, number, method, path):
            continue
        kind = fault.spec.type
        if kind == "http_error" and reject is None:
            if plan.fire(fault, number, "request", 1):
                reject = _error(fault, vendor)
        elif kind == "delay":
            if plan.fire(fault, number, "request", 1):
                delays.append(plan.delay(fault, number, "request", 1))
        elif kind == "process_outcome":
            submissions.append(fault)
    if reject is None and not delays and not submissions:
        return NO_FAULT
    return HttpDecision(
        reject=reject,
        delays=tuple(delays),
        submission_faults=() if reject is not None else tuple(submissions),
        plan=plan,
        number=number,
    )


def _error(fault: ActiveFault, vendor: str) -> Reject:
    params: dict[str, Any] = dict(fault.spec.params)
    status = int(params["status"])
    body = http_error_body(vendor, status, params.get("message"), params.get("details"))
    return Reject(status, json.dumps(body), "application/json", fault.spec.name)
