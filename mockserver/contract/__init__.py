"""The contract kit: certify any client of a vendor's API, and check any server against an
oracle that is not the emulator.

* :func:`certify` (``mockserver certify``): run a client's command under the emulator's
  valid variations and faults, judge its obligations from the journal, shrink failures;
* ``mockserver conformance``: property-based checks of a server (the emulator or any
  other, including the real services).

Both report the same way (:mod:`.report`: console, JSON, JUnit, a report directory with
an HTML page per run). Each vendor's obligations, behaviours and checks live in its own
package (``mockserver/contract/hume/``, ``mockserver/contract/behavioral/``); their tables
are ``schemas/<vendor>/contract-tables.json``, written from public sources. Nothing here
imports the emulator's vendor code (an import-linter contract checks it).
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["CertifyError", "CertifyOptions", "Report", "assert_certified", "certify"]

_EXPORTS = {
    "CertifyError": ".certification",
    "CertifyOptions": ".certification",
    "certify": ".certification",
    "assert_certified": ".certification",
    "Report": ".report",
}


def __getattr__(name: str) -> Any:
    """The public names, imported on first use (the runner loads the server and
    Hypothesis; the command line only needs the kits' names)."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module, __name__), name)
