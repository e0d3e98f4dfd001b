"""The contract kit's part for the Behavioral Signals API v5 (gRPC streaming and REST).

``obligations`` (what a client must do, checked from the journal), ``behaviours`` (the
valid variations and faults a certification runs the client under), ``checks`` (what a
server must do: ``mockserver conformance behavioral``). The oracle's tables are
``schemas/behavioral/contract-tables.json``; nothing here reads the emulator's catalogues.
"""

from __future__ import annotations

from mockserver.contract.model import CertifyKit, outcome_obligations

from .behaviours import FAULTS, VALID
from .obligations import OBLIGATIONS

__all__ = ["CERTIFY"]

CERTIFY = CertifyKit(
    vendor="behavioral",
    obligations=(
        *OBLIGATIONS,
        *outcome_obligations(
            "behavioral",
            tolerate=(
                "https://behavioralsignals.readme.io/docs/real-time-deepfake-detection",
                "if the streamed audio contains silence or non-speech, the API won't stream "
                "back any results for these chunks.",
            ),
            end=(
                "behavioralsignals 0.7.1 README, Streaming API",
                "Streaming failures can therefore raise grpc.RpcError instead of "
                "BehavioralSignalsError.",
            ),
            recover=(
                "https://behavioralsignals.readme.io/docs/check-the-processing-progress",
                "Past stream results can be retrieved ... with the corresponding process ID; "
                "a failed call can be made again.",
            ),
        ),
    ),
    valid=VALID,
    faults=FAULTS,
    # Batch processes complete as soon as they are analysed (the rest-pending variation
    # keeps them pending and processing a while): a polling client's runs stay short.
    settings={"process_pending_s": 0.0, "process_running_s": 0.0},
)
