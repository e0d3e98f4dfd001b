"""A buggy Behavioral Signals client: once it has its first result it cancels the call
instead of ending its request stream and reading the rest (the server flushes the last
results after a half-close). Fails ``behavioral.half-close``."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator

import grpc
from _raw_grpc import api_pb2, chunks, config, endpoint, pcm


def main() -> int:
    stub, cid, token = endpoint()
    audio, rate = pcm("speech_pauses_16k.wav")
    cancelled = threading.Event()

    def requests() -> Iterator[api_pb2.AudioStream]:
        yield config(cid, token, rate)
        for part in chunks(audio, rate):
            yield api_pb2.AudioStream(cid=cid, x_auth_token=token, audio_content=part)
        # The request stream stays open until the cancel, so the cancel comes first however
        # fast the server analyses the audio; a server that sends no results at all gets its
        # half-close after 3 s (and then the call ends normally).
        cancelled.wait(3)

    call = stub.StreamAudio(requests(), timeout=30)
    try:
        for result in call:
            print(result.message_id, len(result.result))
            call.cancel()  # the bug: cancel instead of half-close
            cancelled.set()
            break
    except grpc.RpcError as error:
        print(f"stream failed: {error.code()}: {error.details()}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
