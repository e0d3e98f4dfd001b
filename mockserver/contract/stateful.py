"""Running a conformance state machine: the profile's settings, seeded, failures kept.

Each breach was recorded by the machine (``SuiteContext.fail``) before it raised, so the
exception Hypothesis finally raises (the smallest example of each failing check) is only
swallowed here; an exception that is not a check's is a bug in the kit or the target's
transport, and propagates.
"""

from __future__ import annotations

from typing import Any

from hypothesis import Verbosity, seed, settings, stateful
from hypothesis.errors import Flaky
from hypothesis.stateful import RuleBasedStateMachine, run_state_machine_as_test

from .conformance import CheckFailed, SuiteContext

__all__ = ["run_machine"]


def run_machine(machine: type[RuleBasedStateMachine], context: SuiteContext) -> None:
    """Run ``machine`` with the profile's settings, seeded by ``context.seed``."""
    chosen = settings(
        context.settings,
        report_multiple_bugs=True,
        verbosity=Verbosity.quiet,
        print_blob=False,
        database=None,
    )
    try:
        _run(machine, chosen, context.seed)
    except (CheckFailed, Flaky):
        pass
    except BaseExceptionGroup as group:
        _, rest = group.split((CheckFailed, Flaky))
        if rest is not None:
            raise rest from None


def _run(machine: type[RuleBasedStateMachine], chosen: settings, number: int) -> None:
    """``run_state_machine_as_test``, seeded (Hypothesis' own ``@seed`` on the machine's
    test function when this Hypothesis version exposes it)."""
    build: Any = getattr(stateful, "get_state_machine_test", None)
    if build is None:  # pragma: no cover - an older Hypothesis: unseeded
        run_state_machine_as_test(machine, settings=chosen)
        return
    try:
        flaky = {"selecting_rule": False}
        test = build(machine, settings=chosen, _min_steps=0, _flaky_state=flaky)
    except TypeError:  # pragma: no cover - another signature: unseeded
        run_state_machine_as_test(machine, settings=chosen)
        return
    seed(number)(test)()
