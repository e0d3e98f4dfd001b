"""The contract kit's Hypothesis profiles: ``quick``, ``default`` and ``deep``.

They ship with the package, so ``pytest --pyargs mockserver.contract`` works anywhere:
select one with ``--mockserver-contract-profile NAME`` (an option of the mockserver pytest
plugin) or the ``MOCKSERVER_CONTRACT_PROFILE`` environment variable; ``default``
otherwise. Suites never set ``max_examples`` themselves: they take
:func:`contract_settings`, the selected profile (plus their own ``deadline`` or health
checks). The profiles are registered in Hypothesis under ``mockserver-contract-<name>``,
so they never replace a project's own profiles.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis.errors import InvalidArgument

__all__ = [
    "ENV_VAR",
    "EXAMPLES",
    "PROFILE_NAMES",
    "contract_settings",
    "select_profile",
    "selected_profile",
]

PROFILE_NAMES = ("quick", "default", "deep")
ENV_VAR = "MOCKSERVER_CONTRACT_PROFILE"
#: Examples per property or state machine in each profile.
EXAMPLES: Mapping[str, int] = {"quick": 5, "default": 12, "deep": 150}
_ACTIVE = "mockserver-contract"
_SUPPRESSED = (
    HealthCheck.too_slow,
    HealthCheck.function_scoped_fixture,
    HealthCheck.data_too_large,
    HealthCheck.filter_too_much,
)


def _register() -> None:
    for name in PROFILE_NAMES:
        settings.register_profile(
            f"{_ACTIVE}-{name}",
            max_examples=EXAMPLES[name],
            deadline=None,  # every example talks to a server over a socket
            database=None,  # nothing written next to a project's files
            suppress_health_check=_SUPPRESSED,
            stateful_step_count=8 if name != "deep" else 30,
        )


def select_profile(name: str | None = None) -> str:
    """Make ``name`` (else ``$MOCKSERVER_CONTRACT_PROFILE``, else ``default``) the
    profile of :func:`contract_settings`; return it.

    Raises:
        ValueError: Not a profile name.
    """
    chosen = name or os.environ.get(ENV_VAR) or "default"
    if chosen not in PROFILE_NAMES:
        raise ValueError(f"unknown contract profile {chosen!r} (known: {', '.join(PROFILE_NAMES)})")
    _register()
    settings.register_profile(_ACTIVE, settings.get_profile(f"{_ACTIVE}-{chosen}"))
    return chosen


def selected_profile() -> str:
    """The selected profile's name (selecting it from the environment if none was)."""
    try:
        active = settings.get_profile(_ACTIVE)
    except InvalidArgument:
        return select_profile()
    return next(n for n in PROFILE_NAMES if EXAMPLES[n] == active.max_examples)


def contract_settings(**overrides: Any) -> settings:
    """The selected profile's settings, with ``overrides`` (never ``max_examples``)."""
    if "max_examples" in overrides:
        raise ValueError("the profile decides max_examples")
    selected_profile()
    return settings(settings.get_profile(_ACTIVE), **overrides)
