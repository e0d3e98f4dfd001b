"""A buggy Behavioral Signals client: once it has its first result it cancels the call
instead of ending its request stream and reading the rest (the server flushes the last
results after a half-close). Fails ``behavioral.half-close``."""

from __future__ import annotations

import sys

import grpc
from _raw_grpc import api_pb2, chunks, config, endpoint, pcm


def main() -> int:
    stub, cid, token = endpoint()
    audio, rate = pcm("speech_pauses_16k.wav")
    requests = [config(cid, token, rate)]
    requests += [api_pb2.AudioStream(cid=cid, x_auth_token=token, audio_content=p)
                 for p in chunks(audio, rate)]  # fmt: skip
    call = stub.StreamAudio(iter(requests), timeout=30)
    try:
        for result in call:
            print(result.message_id, len(result.result))
            call.cancel()  # the bug: cancel instead of half-close
            break
    except grpc.RpcError as error:
        print(f"stream failed: {error.code()}: {error.details()}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
