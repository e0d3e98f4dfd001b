"""A buggy Hume client: whenever a connection fails it reconnects at once, with no back-off
(a loop that hammers the API during an outage). Fails ``hume.handshake-rate``."""

from __future__ import annotations

import json
import os
import sys

from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

MESSAGE = {"models": {"language": {}}, "raw_text": True, "data": "Hello there"}


def main() -> int:
    url, key = os.environ["MOCKSERVER_HUME_URL"], os.environ["MOCKSERVER_HUME_API_KEY"]
    for _ in range(20):  # the bug: no wait between attempts
        try:
            with connect(url, additional_headers={"X-Hume-Api-Key": key}) as ws:
                ws.send(json.dumps(MESSAGE))
                reply = json.loads(ws.recv(timeout=30))
        except (ConnectionClosed, InvalidStatus, OSError):
            continue
        if "error" not in reply:
            return 0
    return 1


if __name__ == "__main__":
    sys.exit(main())
