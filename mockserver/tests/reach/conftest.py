"""The example apps under ``examples/`` are test data run in child processes (Hume's own
tests among them), never collected by this suite."""

from __future__ import annotations

collect_ignore = ["examples"]
