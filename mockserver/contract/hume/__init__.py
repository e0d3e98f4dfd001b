"""The contract kit's part for Hume's streaming API (``/v0/stream/models``).

``obligations`` (what a client must do, checked from the journal), ``behaviours`` (the
valid variations and faults a certification runs the client under), ``checks`` (what a
server must do: ``mockserver conformance hume``). The oracle's tables are
``schemas/hume/contract-tables.json``; nothing here reads the emulator's catalogues.
"""

from __future__ import annotations

from mockserver.contract.model import CertifyKit, outcome_obligations

from .behaviours import FAULTS, VALID
from .obligations import OBLIGATIONS

__all__ = ["CERTIFY"]

CERTIFY = CertifyKit(
    vendor="hume",
    obligations=(
        *OBLIGATIONS,
        *outcome_obligations(
            "hume",
            tolerate=(
                "Hume's streaming API definition (SubscribeEvent)",
                "SubscribeEvent = StreamModelPredictions | StreamErrorMessage | "
                "StreamWarningMessage; a model that finds nothing answers {warning, code}.",
            ),
            end=(
                "https://streaming.hume.ai/doc/streaming-api/operation/operation-publish-models",
                "Note that this endpoint has a timeout of one minute. To maintain a connection "
                "longer than a minute you will need to implement custom reconnect logic.",
            ),
            recover=(
                "https://dev.hume.ai/docs/resources/errors",
                "If you encounter an error code starting with I (for example, error code "
                "I0100), it indicates an outage or a bug in a Hume service.",
            ),
        ),
    ),
    valid=VALID,
    faults=FAULTS,
    settings={"handshake_rate_limit": 50},
)
