"""Seed 003's three examples verbatim, with hume 0.7.8 (the SDK the seed's imports fit).

hume 0.7.x hard-codes ``wss://api.hume.ai/v0/stream/models``; the only change to the seed
is the URL, made with ``mockserver.redirect.hume_stream_redirect`` (stdlib-only). Prints one
JSON object per line; exits non-zero on failure.

Usage: python seed_003_verbatim.py WS_BASE_URI API_KEY FACE_IMAGE AUDIO_FILE
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[4]))  # the repository root

from hume import AsyncHumeClient
from hume.expression_measurement.stream import Config
from hume.expression_measurement.stream.socket_client import StreamConnectOptions
from hume.expression_measurement.stream.types import StreamFace, StreamLanguage

from mockserver.redirect import hume_stream_redirect

WS_BASE_URI, API_KEY, FACE_FILE, AUDIO_FILE = sys.argv[1:5]


def emit(event: str, **fields: object) -> None:
    print(json.dumps({"event": event, **fields}), flush=True)


# -- Emotional language from text (seed 003, verbatim but for the key) ------------------------

samples = [
    "Mary had a little lamb,",
    "Its fleece was white as snow.Everywhere the child went,The little lamb was sure to go.",
]


async def text_example() -> None:
    client = AsyncHumeClient(api_key=API_KEY)

    model_config = Config(language=StreamLanguage())

    stream_options = StreamConnectOptions(config=model_config)

    async with client.expression_measurement.stream.connect(options=stream_options) as socket:
        for sample in samples:
            result = await socket.send_text(sample)
            emit("text", emotions=[e.dict() for e in result.language.predictions[0].emotions])


# -- Facial expressions from an image ---------------------------------------------------------


async def face_example() -> None:
    client = AsyncHumeClient(api_key=API_KEY)

    model_config = Config(face=StreamFace())

    stream_options = StreamConnectOptions(config=model_config)

    async with client.expression_measurement.stream.connect(options=stream_options) as socket:
        result = await socket.send_file(FACE_FILE)
        emit("face", result=result.dict())


# -- Speech prosody from an audio or video file ------------------------------------------------


async def prosody_example() -> None:
    client = AsyncHumeClient(api_key=API_KEY)

    model_config = Config(prosody={})

    stream_options = StreamConnectOptions(config=model_config)

    async with client.expression_measurement.stream.connect(options=stream_options) as socket:
        result = await socket.send_file(AUDIO_FILE)
        emit("prosody", result=result.dict())


async def main() -> None:
    await text_example()
    await face_example()
    await prosody_example()


if __name__ == "__main__":
    import hume

    emit("version", hume=getattr(hume, "__version__", None) or "unknown")
    with hume_stream_redirect(WS_BASE_URI):
        asyncio.run(main())
    emit("done")
