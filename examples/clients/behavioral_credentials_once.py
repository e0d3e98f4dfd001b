"""A buggy Behavioral Signals client: it sends ``cid`` and ``x_auth_token`` only in the
first message (the API requires them in every message). Fails ``behavioral.credentials``."""

from __future__ import annotations

import sys

import grpc
from _raw_grpc import api_pb2, chunks, config, endpoint, pcm


def main() -> int:
    stub, cid, token = endpoint()
    audio, rate = pcm()
    requests = [config(cid, token, rate)]
    requests += [api_pb2.AudioStream(audio_content=p) for p in chunks(audio, rate)]  # the bug
    try:
        for result in stub.StreamAudio(iter(requests), timeout=30):
            print(result.message_id, len(result.result))
    except grpc.RpcError as error:
        print(f"stream failed: {error.code()}: {error.details()}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
