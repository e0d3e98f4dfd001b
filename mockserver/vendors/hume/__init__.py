"""Hume Expression Measurement streaming emulator (``/v0/stream/models``, JSON over WebSocket).

Sources: Hume's streaming API reference (https://dev.hume.ai/reference/expression-measurement-api/stream/stream)
and error page (https://dev.hume.ai/docs/resources/errors), the ``hume`` Python SDK (0.4 to
0.13). :data:`VENDOR` is this emulator's registry entry.
"""

from __future__ import annotations

from mockserver.faults.model import VendorFaults
from mockserver.registry import VendorSpec

from .config import HumeSettings
from .errors import CLOSE_CODES
from .handshake import API_KEY_HEADER, API_KEY_QUERY_NAMES, refused_upgrade_body
from .meter import HumeMeter

__all__ = ["VENDOR"]

_SCENARIO = "mockserver.vendors.hume.scenario"

VENDOR = VendorSpec(
    name="hume",
    title="Hume Expression Measurement streaming",
    settings=HumeSettings,
    service="mockserver.vendors.hume.service:HumeService",
    faults=VendorFaults(
        transports=("websocket",),
        meter=HumeMeter,
        handshake_body=refused_upgrade_body,
        inactivity_reason=CLOSE_CODES["inactivity"][1].format(seconds=60),
    ),
    secrets=(API_KEY_HEADER, *API_KEY_QUERY_NAMES),
    scenario=f"{_SCENARIO}:PART",
    handle="mockserver.vendors.hume.handle:HumeHandle",
    fixture_aliases=("hume",),
    exports={
        "mockserver.scenario": {
            name: f"{_SCENARIO}:{name}"
            for name in (
                "HumeRespond", "HumeRule", "HumeWhen", "ModelWarning", "Reply", "Segment",
                "Timeline",
            )
        },
        "mockserver.redirect": {
            "hume_stream_redirect": "mockserver.vendors.hume.redirect:hume_stream_redirect",
            "HUME_PRODUCTION_WS": "mockserver.vendors.hume.redirect:HUME_PRODUCTION_WS",
        },
    },
)  # fmt: skip
