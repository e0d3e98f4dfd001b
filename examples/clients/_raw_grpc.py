"""A bare gRPC client of the Behavioral Signals streaming API for the buggy examples: the
stub generated from the vendor's ``api.proto`` (shipped with mockserver), the endpoint and
credentials from ``MOCKSERVER_BEHAVIORAL_*``."""

from __future__ import annotations

import os
import wave
from collections.abc import Iterator

import grpc
from _media import media

from mockserver._generated.behavioral_signals import api_pb2, api_pb2_grpc

CHUNK_S = 0.25


def endpoint() -> tuple[api_pb2_grpc.BehavioralStreamingApiStub, int, str]:
    channel = grpc.insecure_channel(os.environ["MOCKSERVER_BEHAVIORAL_GRPC_TARGET"])
    stub = api_pb2_grpc.BehavioralStreamingApiStub(channel)
    cid, token = os.environ["MOCKSERVER_BEHAVIORAL_CID"], os.environ["MOCKSERVER_BEHAVIORAL_TOKEN"]
    return stub, int(cid), token


def pcm(name: str = "speech_16k.wav") -> tuple[bytes, int]:
    with wave.open(media(name)) as source:
        return source.readframes(source.getnframes()), source.getframerate()


def chunks(audio: bytes, rate: int) -> Iterator[bytes]:
    size = int(rate * CHUNK_S) * 2
    for start in range(0, len(audio), size):
        yield audio[start : start + size]


def config(cid: int, token: str, rate: int, audio: bytes = b"") -> api_pb2.AudioStream:
    message = api_pb2.AudioStream(cid=cid, x_auth_token=token, audio_content=audio)
    message.config.SetInParent()
    message.config.sample_rate_hertz = rate
    return message
