"""The server-wide counters behind the overload refusals (``mockserver/core/limits.py``)."""

from __future__ import annotations

import threading

from mockserver.core.limits import ByteBudget, Ceiling


def test_a_budget_refuses_what_does_not_fit_and_keeps_its_peak() -> None:
    budget = ByteBudget(100)
    assert budget.try_acquire(60)
    assert not budget.try_acquire(41)  # 101 > 100: refused, nothing taken
    assert budget.try_acquire(40)
    assert (budget.in_use, budget.peak, budget.refused) == (100, 100, 1)
    budget.release(60)
    assert budget.try_acquire(50)
    assert (budget.in_use, budget.peak) == (90, 100)


def test_an_unlimited_budget_takes_everything_and_still_measures() -> None:
    budget = ByteBudget(0)
    assert budget.try_acquire(10**12) and budget.try_acquire(1)
    assert (budget.peak, budget.refused) == (10**12 + 1, 0)


def test_a_ceiling_counts_live_entries() -> None:
    ceiling = Ceiling(2)
    assert ceiling.try_enter() and ceiling.try_enter()
    assert not ceiling.try_enter()
    ceiling.leave()
    assert ceiling.try_enter()
    assert (ceiling.live, ceiling.refused) == (2, 1)
    assert all(Ceiling(0).try_enter() for _ in range(1000))  # 0 = no limit


def test_counters_are_exact_across_threads() -> None:
    budget, ceiling = ByteBudget(10**9), Ceiling(10**9)

    def work() -> None:
        for _ in range(2000):
            assert budget.try_acquire(3) and ceiling.try_enter()
            budget.release(3)
            ceiling.leave()

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert (budget.in_use, ceiling.live) == (0, 0)
