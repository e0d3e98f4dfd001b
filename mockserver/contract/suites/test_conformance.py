"""Server conformance as a pytest suite: ``pytest --pyargs mockserver.contract``.

Works outside the repository: the Hypothesis profiles and markers ship with the package
(``--mockserver-contract-profile quick|default|deep`` or ``MOCKSERVER_CONTRACT_PROFILE``).
Each vendor's checks run against an in-process emulator, or against the server named by
environment variables (a live run, marked ``live``):

* Hume: ``MOCKSERVER_CONTRACT_HUME_URL`` (e.g. ``wss://api.hume.ai/v0/stream/models``) and
  ``HUME_API_KEY``;
* Behavioral Signals: ``MOCKSERVER_CONTRACT_BEHAVIORAL_GRPC_TARGET`` (e.g.
  ``streaming.behavioralsignals.com:443``), ``MOCKSERVER_CONTRACT_BEHAVIORAL_REST_URL``
  (``https://api.behavioralsignals.com/v5``), ``MOCKSERVER_CONTRACT_BEHAVIORAL_TLS=1``,
  ``BEHAVIORALSIGNALS_CID`` and ``BEHAVIORALSIGNALS_API_KEY``.

``MOCKSERVER_CONTRACT_REPORT_DIR`` keeps each vendor's report directory.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from mockserver.contract.conformance import ConformanceOptions, conformance
from mockserver.contract.kits import CONFORMANCE_KITS
from mockserver.contract.report import console_lines

pytestmark = pytest.mark.e2e


def target(vendor: str) -> dict[str, Any]:
    """The target named by the environment, or {} (the emulator)."""
    prefix = f"MOCKSERVER_CONTRACT_{vendor.upper()}_"
    fields: dict[str, Any] = {
        k[len(prefix) :].lower(): v for k, v in os.environ.items() if k.startswith(prefix)
    }
    if not fields:
        return {}
    if vendor == "hume":
        fields.setdefault("api_key", os.environ.get("HUME_API_KEY", ""))
    else:
        fields.setdefault("cid", os.environ.get("BEHAVIORALSIGNALS_CID", ""))
        fields.setdefault("token", os.environ.get("BEHAVIORALSIGNALS_API_KEY", ""))
        fields["tls"] = fields.get("tls", "") not in ("", "0", "false")
    return fields


@pytest.mark.parametrize(
    "vendor",
    [
        pytest.param(name, marks=[pytest.mark.live] if target(name) else [])
        for name in sorted(CONFORMANCE_KITS)
    ],
)
def test_conformance(vendor: str) -> None:
    directory = os.environ.get("MOCKSERVER_CONTRACT_REPORT_DIR")
    report = conformance(
        ConformanceOptions(
            vendor,
            target=target(vendor),
            report_dir=Path(directory) / vendor if directory else None,
        )
    )
    assert report.passed, "\n".join(console_lines(report))
