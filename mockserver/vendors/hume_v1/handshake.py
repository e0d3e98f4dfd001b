"""Who may open the v1 realtime endpoints: path and ``X-Hume-Api-Key``.

* The SDK sends the key in the ``X-Hume-Api-Key`` header on the handshake
  (``hume-expression-measurement`` 0.1.0 ``core/client_wrapper.py``); "A realtime session
  sends it once, on the handshake that opens the WebSocket"
  (https://dev.hume.ai/expression-measurement/docs/authentication).
* "A missing, invalid, or expired credential is rejected with 401 Unauthorized before the
  request reaches the service. The body has a message, plus a request_id when an API key
  was rejected, but no type or code." The SDK raises ``ApiError(401, "Websocket
  initialized with invalid credentials.")`` for any 401 body.
* Other paths get 404 with an ``ErrorBody`` (``not_found``, INFERRED).

Bearer access tokens are not emulated: a request without ``X-Hume-Api-Key`` is refused.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable

from mockserver.core.handshake import HandshakeAccept, HandshakeReject, HandshakeRequest

from .errors import auth_error_body, error_body

__all__ = [
    "API_KEY_HEADER",
    "AUDIO_PATH",
    "REALTIME_PATHS",
    "VIDEO_PATH",
    "HumeV1HandshakeGate",
    "user_id_for",
]

API_KEY_HEADER = "X-Hume-Api-Key"
AUDIO_PATH = "/v1/expression/audio/realtime"
VIDEO_PATH = "/v1/expression/video/realtime"
REALTIME_PATHS: dict[str, str] = {AUDIO_PATH: "audio", VIDEO_PATH: "video"}


def user_id_for(api_key: str) -> str:
    """The Hume user id the emulator reports for runs made with ``api_key`` (a UUID derived
    from the key, so it is stable across servers and seeds)."""
    hexed = hashlib.blake2b(
        api_key.encode("utf-8"), digest_size=16, person=b"hume_v1.user"
    ).hexdigest()
    return f"{hexed[:8]}-{hexed[8:12]}-4{hexed[13:16]}-a{hexed[17:20]}-{hexed[20:]}"


class HumeV1HandshakeGate:
    """Decide each upgrade request to a realtime endpoint.

    Args:
        api_keys: Keys that may connect.
        request_id: Returns a new 32-hex-character request id (401 bodies).
    """

    def __init__(self, api_keys: Iterable[str], *, request_id: Callable[[], str]) -> None:
        self._keys = frozenset(api_keys)  # accepted API keys
        self._request_id = request_id

    def check(self, request: HandshakeRequest) -> HandshakeAccept | HandshakeReject:
        """Accept (context: endpoint, api_key, user_id), or refuse with 404 or 401."""
        endpoint = REALTIME_PATHS.get(request.path)
        key = request.header(API_KEY_HEADER)
        if not key:
            body = auth_error_body(
                f"Missing credential: send your API key in the {API_KEY_HEADER} header", None
            )
            return HandshakeReject(401, json.dumps(body))
        if key not in self._keys:
            return HandshakeReject(
                401, json.dumps(auth_error_body("Invalid API key", self._request_id()))
            )
        if endpoint is None:
            body = error_body("not_found", f"no endpoint at {request.path}", self._request_id())
            return HandshakeReject(404, json.dumps(body))
        return HandshakeAccept({"endpoint": endpoint, "api_key": key, "user_id": user_id_for(key)})
