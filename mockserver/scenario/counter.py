"""The firing counter of a scenario rule with ``times`` (Hume rules and process rules)."""

from __future__ import annotations

import threading

__all__ = ["RuleCounter"]


class RuleCounter:
    """How often a rule with ``times`` may still fire; thread-safe."""

    def __init__(self, times: int | None) -> None:
        self._left = times
        self._lock = threading.Lock()

    def take(self) -> bool:
        """Use one firing; False once exhausted (always True without a limit)."""
        if self._left is None:
            return True
        with self._lock:
            if self._left <= 0:
                return False
            self._left -= 1
            return True
