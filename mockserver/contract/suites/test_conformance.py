"""Server conformance as a pytest suite: ``pytest --pyargs mockserver.contract``.

Works outside the repository: the Hypothesis profiles and markers ship with the package
(``--mockserver-contract-profile quick|default|deep`` or ``MOCKSERVER_CONTRACT_PROFILE``).
Each vendor's checks run against an in-process emulator, or against the server named by
``MOCKSERVER_CONTRACT_<VENDOR>_<FIELD>`` environment variables, the fields of
``mockserver conformance`` (a live run, marked ``live``; a credential left out comes from
the vendor's own variable). See ``docs/contract.md``.

``MOCKSERVER_CONTRACT_REPORT_DIR`` keeps each vendor's report directory.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from mockserver.contract.conformance import ConformanceOptions, conformance
from mockserver.contract.kits import CONFORMANCE_KITS, CONFORMANCE_TARGETS
from mockserver.contract.report import console_lines

pytestmark = pytest.mark.e2e


def target(vendor: str) -> dict[str, Any]:
    """The target named by ``MOCKSERVER_CONTRACT_<VENDOR>_<FIELD>`` variables, or {} (the
    emulator); a credential left out comes from the vendor's own variable."""
    prefix = f"MOCKSERVER_CONTRACT_{vendor.upper()}_"
    options = CONFORMANCE_TARGETS[vendor]
    given = {o.field: os.environ.get(prefix + o.field.upper(), "") for o in options}
    if not any(given.values()):
        return {}
    fields: dict[str, Any] = {}
    for option in options:
        value = given[option.field] or (os.environ.get(option.env, "") if option.env else "")
        fields[option.field] = value not in ("", "0", "false") if option.boolean else value
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
