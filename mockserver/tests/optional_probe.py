"""A module whose own import fails (for test_optional.py)."""

import yaml  # noqa: F401  (blocked by the test)
