"""The vendors the contract kit knows, by the name ``mockserver certify`` and ``mockserver
conformance`` take: each a per-vendor package of :mod:`mockserver.contract` (the one part of
the product outside ``mockserver/vendors/`` that names vendors, by design: the contract of
an API is vendor-specific)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from mockserver.registry import load_attribute

if TYPE_CHECKING:
    from .model import CertifyKit

__all__ = [
    "CERTIFY_KITS",
    "CONFORMANCE_KITS",
    "CONFORMANCE_SECRETS",
    "CONFORMANCE_TARGETS",
    "TargetOption",
    "certify_kit",
]

#: ``name -> "module:attribute"`` of each vendor's :class:`CertifyKit`.
CERTIFY_KITS: dict[str, str] = {
    "hume": "mockserver.contract.hume:CERTIFY",
    "behavioral": "mockserver.contract.behavioral:CERTIFY",
}


def certify_kit(name: str) -> CertifyKit:
    """The certification kit of vendor ``name``.

    Raises:
        KeyError: No kit has that name.
    """
    if name not in CERTIFY_KITS:
        raise KeyError(name)
    kit: CertifyKit = load_attribute(CERTIFY_KITS[name])
    return kit


#: ``name -> "module:attribute"`` of each vendor's conformance kit.
CONFORMANCE_KITS: dict[str, str] = {
    "hume": "mockserver.contract.hume.conformance:CONFORMANCE",
    "behavioral": "mockserver.contract.behavioral.conformance:CONFORMANCE",
}


@dataclass(frozen=True)
class TargetOption:
    """One field of a conformance target (a ``--field-name`` option of the command).

    Attributes:
        field: The target's key, e.g. ``api_key`` (flag ``--api-key``).
        help: One line.
        env: The vendor's credential variable that fills it when an address is given.
        required: A remote target needs it.
        boolean: A switch (``--tls``).
    """

    field: str
    help: str
    env: str | None = None
    required: bool = True
    boolean: bool = False


#: Each vendor's target fields (light: the command line reads them to build its options).
CONFORMANCE_TARGETS: dict[str, tuple[TargetOption, ...]] = {
    "hume": (
        TargetOption("url", "Hume: the WebSocket URL of the stream endpoint"),
        TargetOption("api_key", "Hume: the API key (default: $HUME_API_KEY)", "HUME_API_KEY"),
    ),
    "behavioral": (
        TargetOption("grpc_target", "Behavioral Signals: the gRPC target host:port"),
        TargetOption("rest_url", "Behavioral Signals: the REST base URL, /v5 included"),
        TargetOption(
            "cid", "Behavioral Signals: the project id (default: $BEHAVIORALSIGNALS_CID)",
            "BEHAVIORALSIGNALS_CID",
        ),
        TargetOption(
            "token", "Behavioral Signals: the API token (default: $BEHAVIORALSIGNALS_API_KEY)",
            "BEHAVIORALSIGNALS_API_KEY",
        ),
        TargetOption("tls", "Behavioral Signals: gRPC over TLS (the real service)",
                     required=False, boolean=True),
    ),
}  # fmt: skip

#: Header, query and field names of each vendor's credentials, which the kit's own
#: transcripts redact (the API key header and query parameters, the token fields).
CONFORMANCE_SECRETS: dict[str, tuple[str, ...]] = {
    "hume": ("X-Hume-Api-Key", "apikey", "apiKey", "api_key"),
    "behavioral": ("x_auth_token", "X-Auth-Token"),
}
