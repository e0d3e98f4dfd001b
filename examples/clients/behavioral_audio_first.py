"""A buggy Behavioral Signals client: its first message carries the config *and* the first
audio chunk (the API wants the config alone first). Fails ``behavioral.config-first``."""

from __future__ import annotations

import sys

import grpc
from _raw_grpc import api_pb2, chunks, config, endpoint, pcm


def main() -> int:
    stub, cid, token = endpoint()
    audio, rate = pcm()
    pieces = list(chunks(audio, rate))
    requests = [config(cid, token, rate, pieces[0])]  # the bug: audio in the first message
    requests += [
        api_pb2.AudioStream(cid=cid, x_auth_token=token, audio_content=p) for p in pieces[1:]
    ]
    try:
        for result in stub.StreamAudio(iter(requests), timeout=30):
            print(result.message_id, len(result.result))
    except grpc.RpcError as error:
        print(f"stream failed: {error.code()}: {error.details()}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
