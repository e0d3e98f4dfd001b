"""Hume Expression Measurement streaming emulator (``/v0/stream/models``).

Public sources, named short in this package's docstrings (full list: docs/fidelity.md):

* "Hume's streaming definition": the API definition in github.com/HumeAI/hume-python-sdk,
  ``.mock/definition/expression-measurement/stream/stream.yml`` and ``__package__.yml``
  (``StreamModelsEndpointPayload``, ``StreamFace``, ``StreamLanguage``, ``SubscribeEvent``),
  rendered at https://dev.hume.ai/reference/expression-measurement-api/stream/models;
* "the streaming reference" (limits on data size, recommended file types):
  https://streaming.hume.ai/doc/streaming-api/operation/operation-publish-models;
* "the websocket guide": https://dev.hume.ai/docs/expression-measurement/websocket (API
  limits, the "in a row" error limit);
* the errors page https://dev.hume.ai/docs/resources/errors;
* the SDKs: ``hume`` 0.4.2, 0.7.13 and 0.13.13 on PyPI, the TypeScript ``hume`` package, and
  the examples in github.com/HumeAI/hume-api-examples.

:data:`VENDOR` is this emulator's registry entry.
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
    scenario=f"{_SCENARIO}_part:PART",
    handle="mockserver.vendors.hume.handle:HumeHandle",
    fixture_aliases=("hume", "mockserver_hume"),
    # ``HumeClientEnvironment.PRODUCTION`` (SDK 0.13.13 ``environment.py``), the TypeScript
    # SDK's default and the examples' ``wss://api.hume.ai``.
    hostnames=("api.hume.ai",),
    documents={"asyncapi.json": "hume/asyncapi.json"},
    child_environment="mockserver.vendors.hume.redirect:child_environment",
    child_hook="mockserver.vendors.hume.redirect",
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
