"""A well-behaved Behavioral Signals streaming client: ``behavioralsignals`` 0.7.1 as its
README shows it, streaming a file in 250 ms chunks and reading every result.

No URL anywhere: the SDK has no URL setting, and ``mockserver certify`` (its start-up hook)
points it at the emulator. The credentials come from ``BEHAVIORALSIGNALS_CID`` and
``BEHAVIORALSIGNALS_API_KEY``, the SDK's own variables. Zero results (silence) is a valid
answer. Exit status 0 when the stream ends normally, 1 when it fails.
"""

from __future__ import annotations

import os
import sys

import grpc
from _media import media
from behavioralsignals import Client, StreamingOptions
from behavioralsignals.utils import make_audio_stream


def main() -> int:
    cid, key = os.environ["BEHAVIORALSIGNALS_CID"], os.environ["BEHAVIORALSIGNALS_API_KEY"]
    client = Client(cid, key)
    stream, rate = make_audio_stream(media("speech_16k.wav"), chunk_size=0.25)
    options = StreamingOptions(sample_rate=rate, encoding="LINEAR_PCM")
    count = 0
    try:
        for message in client.behavioral.stream_audio(stream, options):
            for row in message.results or []:
                count += 1
                print(row.task, row.finalLabel, row.startTime, row.endTime)
    except grpc.RpcError as error:
        print(f"stream failed: {error.code()}: {error.details()}")
        return 1
    print(f"{count} results")
    return 0


if __name__ == "__main__":
    sys.exit(main())
