"""Who may open ``/v0/stream/models``: path, API key and handshake rate.

* The key comes from the ``X-Hume-Api-Key`` header or the ``apikey`` / ``apiKey`` /
  ``api_key`` query parameter; a non-empty header wins (Hume's streaming definition,
  https://dev.hume.ai/docs/introduction/api-key, https://dev.hume.ai/docs/expression-measurement/websocket).
* A missing, empty or unknown key is refused at the upgrade with HTTP 401 (hume-python-sdk's
  live test ``test_invalid_api_key`` expects 401).
* More than ``rate_limit`` handshakes per second per key get HTTP 429 (the 50/s limit of
  https://dev.hume.ai/docs/expression-measurement/websocket).
* Other paths get HTTP 404; unknown query parameters are ignored (the TypeScript SDK adds
  ``fernSdkLanguage``).

No public source shows the body of a refused upgrade: the bodies are this project's choice,
the API gateway's fault shape that some third-party Hume clients parse from REST errors
(``{"fault": {"faultstring": "Invalid ApiKey", ...}}``).
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable, Iterable

from mockserver.core.handshake import HandshakeAccept, HandshakeReject, HandshakeRequest
from mockserver.faults.model import status_phrase

__all__ = [
    "API_KEY_HEADER",
    "API_KEY_QUERY_NAMES",
    "STREAM_PATH",
    "HumeHandshakeGate",
    "gateway_fault",
    "refused_upgrade_body",
]

STREAM_PATH = "/v0/stream/models"
API_KEY_HEADER = "X-Hume-Api-Key"
API_KEY_QUERY_NAMES = ("apikey", "apiKey", "api_key")


def gateway_fault(message: str, errorcode: str) -> str:
    """The API gateway's refusal body ``{"fault": {"faultstring", "detail": {"errorcode"}}}``."""
    return json.dumps({"fault": {"faultstring": message, "detail": {"errorcode": errorcode}}})


#: Gateway bodies of upgrades a ``handshake_reject`` fault refuses (this project's choice of
#: the gateway's fault codes; docs/fidelity.md).
_REFUSALS: dict[int, tuple[str, str]] = {
    401: ("Invalid ApiKey", "oauth.v2.InvalidApiKey"),
    403: ("Access denied", "accesscontrol.IPDeniedAccess"),
    429: (
        "Spike arrest violation. Allowed rate : 50 per second",
        "policies.ratelimit.SpikeArrestViolation",
    ),
    500: ("Internal Server Error", "messaging.runtime.InternalServerError"),
    502: ("Bad Gateway", "messaging.adaptors.http.flow.BadGateway"),
    503: (
        "The Service is temporarily unavailable",
        "messaging.adaptors.http.flow.ServiceUnavailable",
    ),
    504: ("Gateway Timeout", "messaging.adaptors.http.flow.GatewayTimeout"),
}


def refused_upgrade_body(status: int) -> str:
    """The gateway body of an upgrade refused with ``status`` (``handshake_reject``)."""
    message, code = _REFUSALS.get(
        status, (status_phrase(status), "messaging.adaptors.http.flow.Error")
    )
    return gateway_fault(message, code)


class HumeHandshakeGate:
    """Decide each upgrade request. Holds the per-key rate-limit windows.

    Args:
        api_keys: Keys that may connect.
        rate_limit: Handshakes allowed per key per rolling second (0 = no limit).
        clock: Monotonic seconds.
    """

    def __init__(
        self, api_keys: Iterable[str], *, rate_limit: int, clock: Callable[[], float]
    ) -> None:
        self._keys = frozenset(api_keys)  # accepted API keys
        self._rate_limit = rate_limit  # per key per second; 0 disables
        self._clock = clock
        self._recent: dict[str, deque[float]] = {}  # key -> handshake times in the last second

    @staticmethod
    def api_key_of(request: HandshakeRequest) -> str | None:
        """The key the client presented, or None (empty values count as missing)."""
        header = request.header(API_KEY_HEADER)
        if header:
            return header
        query = request.query
        for name in API_KEY_QUERY_NAMES:
            for value in query.get(name, []):
                if value:
                    return value
        return None

    def check(self, request: HandshakeRequest) -> HandshakeAccept | HandshakeReject:
        """Accept, or refuse with 404, 401 or 429."""
        if request.path.rstrip("/") != STREAM_PATH:
            return HandshakeReject(
                404,
                gateway_fault(
                    f"Unable to identify proxy for host and path {request.path}",
                    "messaging.adaptors.http.flow.ApplicationNotFound",
                ),
            )
        key = self.api_key_of(request)
        if key is None:
            return HandshakeReject(
                401,
                gateway_fault(
                    f"Failed to resolve API Key variable request.header.{API_KEY_HEADER}",
                    "steps.oauth.v2.FailedToResolveAPIKey",
                ),
            )
        if key not in self._keys:
            return HandshakeReject(401, gateway_fault("Invalid ApiKey", "oauth.v2.InvalidApiKey"))
        if self._rate_limit and not self._admit(key):
            return HandshakeReject(
                429,
                gateway_fault(
                    f"Spike arrest violation. Allowed rate : {self._rate_limit} per second",
                    "policies.ratelimit.SpikeArrestViolation",
                ),
            )
        return HandshakeAccept({"api_key": key})

    def _admit(self, key: str) -> bool:
        now = self._clock()
        window = self._recent.setdefault(key, deque())
        while window and window[0] <= now - 1.0:
            window.popleft()
        if len(window) >= self._rate_limit:
            return False
        window.append(now)
        return True

    def reset(self) -> None:
        """Forget the rate-limit history."""
        self._recent.clear()
