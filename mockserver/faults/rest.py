"""Fault decisions for one HTTP request: an error answer, a delay, job submissions.

A *submission* fault (a vendor's type, e.g. the outcome of a batch job) acts on whatever
job the request's handler submits. The HTTP adapter runs the handler inside
:meth:`HttpDecision.submission`, which sets :data:`SUBMISSION`; a vendor's job store calls
:func:`on_submission` when it creates a job. Neither the store nor this module knows the
other's types: the store passes its job as an opaque ``subject`` to the fault's
:meth:`SubmissionFault.apply`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from mockserver.core.actions import Delay, Reject

from .plan import ActiveFault, FaultPlan
from .types import DelayFault, HttpErrorFault, SubmissionFault

__all__ = [
    "NO_FAULT",
    "SUBMISSION",
    "HttpDecision",
    "decide",
    "on_submission",
]

#: Set while a request's handler runs: ``(job name, subject)`` -> None.
SUBMISSION: ContextVar[Callable[[str | None, Any], None] | None] = ContextVar(
    "mockserver_submission", default=None
)


def on_submission(name: str | None, subject: Any) -> None:
    """A vendor's store created a job named ``name``: let the request's submission faults
    act on it (nothing happens outside a faulted request)."""
    hook = SUBMISSION.get()
    if hook is not None:
        hook(name, subject)


@dataclass(frozen=True)
class HttpDecision:
    """What the active faults do to one HTTP request.

    Attributes:
        reject: Answer this instead of running the handler (``http_error``).
        delays: Wait this long before answering (``delay``).
        submission_faults: Submission faults that may act on a job the request creates.
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
        """Context in which the request's handler runs (on its worker thread)."""
        if not self.submission_faults or self.plan is None:
            yield
            return
        token = SUBMISSION.set(self._on_submit)
        try:
            yield
        finally:
            SUBMISSION.reset(token)

    def _on_submit(self, name: str | None, subject: Any) -> None:
        assert self.plan is not None
        for fault in self.submission_faults:
            pattern = fault.spec.when.name
            if pattern is not None and not pattern.search(name or ""):
                continue
            if not self.plan.fire(fault, self.number, "submit", 1):
                continue
            typed = fault.spec.fault
            assert isinstance(typed, SubmissionFault)
            typed.apply(subject)
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
    """Evaluate the faults for HTTP request ``number`` of ``vendor``."""
    if not plan:
        return NO_FAULT
    reject: Reject | None = None
    delays: list[Delay] = []
    submissions: list[ActiveFault] = []
    for fault in plan.applicable(vendor, "http"):
        if not _matches(fault, number, method, path):
            continue
        typed = fault.spec.fault
        if isinstance(typed, HttpErrorFault) and reject is None:
            if plan.fire(fault, number, "request", 1):
                reject = typed.reject(fault.spec.name, plan.vendor(vendor))
        elif isinstance(typed, DelayFault):
            if plan.fire(fault, number, "request", 1):
                delays.append(plan.delay(fault, number, "request", 1))
        elif isinstance(typed, SubmissionFault):
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
