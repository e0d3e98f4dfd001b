"""Optional dependencies: import them when asked for, or say which extra installs them.

The server needs none of the vendor SDKs, pytest or Hypothesis. The pytest plugin's SDK
clients (``mock_hume.client()``...) need the official SDKs (``affect-mockserver[sdks]``), the
contract kit needs Hypothesis (``affect-mockserver[contract]``).
"""

from __future__ import annotations

import importlib
from types import ModuleType

__all__ = ["DISTRIBUTION", "optional_import"]

#: The name to ``pip install``.
DISTRIBUTION = "affect-mockserver"


def optional_import(module: str, *, extra: str, needed_for: str) -> ModuleType:
    """Import ``module``, or raise an ImportError that names the extra to install.

    Args:
        module: Dotted module name, e.g. ``"hume"``.
        extra: The extra of this package that installs it, e.g. ``"sdks"``.
        needed_for: What the caller was doing, e.g. ``"mock_hume.client()"``.
    """
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        top = module.partition(".")[0]
        if exc.name not in (module, top):  # the module is there but one of its imports is not
            raise
        raise ModuleNotFoundError(
            f"{needed_for} needs the {top!r} package, which is not installed: "
            f"pip install '{DISTRIBUTION}[{extra}]'",
            name=exc.name,
        ) from exc
