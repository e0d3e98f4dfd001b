"""A buggy Hume client: it sends an 8.9 s recording in one payload (the limit is 5000 ms
per payload; longer audio must be cut into pieces). Fails ``hume.audio-duration``."""

from __future__ import annotations

import os
import sys

from _media import media
from hume import HumeClient
from hume.expression_measurement.stream import Config
from hume_sdk_sync import report


def main() -> int:
    client = HumeClient(api_key=os.environ["HUME_API_KEY"])
    with client.expression_measurement.stream.connect() as socket:
        reply = socket.send_file(media("speech_pauses_16k.wav"), config=Config(prosody={}))
    return 0 if report("audio", reply) else 1


if __name__ == "__main__":
    sys.exit(main())
