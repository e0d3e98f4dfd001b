"""The vendors the contract kit knows, by the name ``mockserver certify`` and ``mockserver
conformance`` take: each a per-vendor package of :mod:`mockserver.contract` (the one part of
the product outside ``mockserver/vendors/`` that names vendors, by design: the contract of
an API is vendor-specific)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mockserver.registry import load_attribute

if TYPE_CHECKING:
    from .model import CertifyKit

__all__ = ["CERTIFY_KITS", "CONFORMANCE_KITS", "certify_kit"]

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
