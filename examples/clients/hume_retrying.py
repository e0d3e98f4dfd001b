"""A Hume streaming client that survives transient failures: it retries a failed connection
or an ``I0100`` reply with exponential back-off (0.2 s, 0.4 s, 0.8 s..., at most 5 tries).

A raw WebSocket client (``websockets``): URL and key from ``MOCKSERVER_HUME_URL`` and
``MOCKSERVER_HUME_API_KEY``. It sends one text payload and needs one predictions reply.
Passes ``mockserver certify hume --expect-recovery``.
"""

from __future__ import annotations

import json
import os
import sys
import time

from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

MESSAGE = {"models": {"language": {}}, "raw_text": True, "data": "Hello, how are you?"}
TRIES = 5


def attempt(url: str, key: str) -> dict[str, object] | None:
    """One connection: the reply, or None for a transient failure worth retrying."""
    try:
        with connect(url, additional_headers={"X-Hume-Api-Key": key}, open_timeout=10) as ws:
            ws.send(json.dumps(MESSAGE))
            reply: dict[str, object] = json.loads(ws.recv(timeout=30))
    except (ConnectionClosed, InvalidStatus, OSError, TimeoutError) as exc:
        print(f"transient failure: {exc!r}")
        return None
    if str(reply.get("code", "")).startswith("I"):  # an outage or a bug on the server side
        print(f"server error {reply['code']}: {reply.get('error')}")
        return None
    return reply


def main() -> int:
    url, key = os.environ["MOCKSERVER_HUME_URL"], os.environ["MOCKSERVER_HUME_API_KEY"]
    wait = 0.2
    for _ in range(TRIES):
        reply = attempt(url, key)
        if reply is not None:
            if "error" in reply:
                print(f"error {reply.get('code')}: {reply['error']}")
                return 1
            print("reply keys:", sorted(reply))
            return 0
        time.sleep(wait)
        wait *= 2
    return 1


if __name__ == "__main__":
    sys.exit(main())
