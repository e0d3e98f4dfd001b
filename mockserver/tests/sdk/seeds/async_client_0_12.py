"""Seed 003 ("Real-time measurement streaming"): the three ``AsyncHumeClient`` examples.

Runs in the ``.venv-hume-012`` virtual environment (``hume==0.12.1``, websockets 13.x), never in
the main one, so it must not import ``mockserver``.

The examples (text with ``StreamLanguage``, a face image with ``StreamFace``, a prosody file with
``Config(prosody={})``) are transcribed from the docs. The only change is
``AsyncHumeClient(api_key=KEY, base_url=BASE_URL)``, respected for streaming from hume 0.8.6
(hume 0.8.6 and later), plus the file paths. Each example opens its own connection, as in the docs.

SDK quirk: the docs import ``StreamLanguage`` / ``StreamFace`` from
``hume.expression_measurement.stream.types``, which exports them only in hume 0.7.1-0.7.8.
Those versions hard-code ``wss://api.hume.ai`` and ignore ``base_url``. From 0.7.10 on, the
names are exported from ``hume.expression_measurement.stream``. The seed's import is tried
first, then that one; the path used is reported in the ``sdk`` line.

Beyond the seed it connects once with an invalid API key (``ApiError`` 401). Every result is
printed as one JSON object per line on stdout; any failure exits non-zero.

Usage: ``python async_client_0_12.py --base-url http://127.0.0.1:PORT --api-key KEY
--face fixtures/media/face.png --audio fixtures/media/speech_16k.wav`` (or the environment
variables ``MOCKSERVER_HUME_BASE_URL`` / ``MOCKSERVER_HUME_API_KEY``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import traceback
from importlib.metadata import version
from typing import Any

from hume import AsyncHumeClient
from hume.core.api_error import ApiError
from hume.expression_measurement.stream import Config
from hume.expression_measurement.stream.socket_client import StreamConnectOptions

try:  # the docs' import path (hume 0.7.1-0.7.8 only)
    from hume.expression_measurement.stream.types import (
        StreamFace,
        StreamLanguage,
    )

    IMPORT_PATH = "hume.expression_measurement.stream.types"
except ImportError:  # hume >= 0.7.10
    from hume.expression_measurement.stream import StreamFace, StreamLanguage

    IMPORT_PATH = "hume.expression_measurement.stream"

INVALID_API_KEY = "invalid-api-key"

# fmt: off
samples = [
    "Mary had a little lamb,",
    "Its fleece was white as snow."
    "Everywhere the child went,"
    "The little lamb was sure to go."
]
# fmt: on


def emit(event: str, **fields: Any) -> None:
    """Print one machine-readable result line."""
    print(json.dumps({"event": event, **fields}), flush=True)


def as_json(value: Any) -> Any:
    """A pydantic response (or list of them) as plain JSON values, unset fields left out."""
    if isinstance(value, list):
        return [as_json(item) for item in value]
    if hasattr(value, "dict"):
        return json.loads(json.dumps(value.dict(), default=str))
    return value


async def text_example(api_key: str, base_url: str) -> None:
    client = AsyncHumeClient(api_key=api_key, base_url=base_url)

    model_config = Config(language=StreamLanguage())

    stream_options = StreamConnectOptions(config=model_config)

    async with client.expression_measurement.stream.connect(options=stream_options) as socket:
        for index, sample in enumerate(samples):
            result = await socket.send_text(sample)
            emit(
                "text",
                index=index,
                sample=sample,
                type=type(result).__name__,
                emotions=as_json(result.language.predictions[0].emotions),
                result=as_json(result),
            )


async def face_example(api_key: str, base_url: str, image_path: str) -> None:
    client = AsyncHumeClient(api_key=api_key, base_url=base_url)

    model_config = Config(face=StreamFace())

    stream_options = StreamConnectOptions(config=model_config)

    async with client.expression_measurement.stream.connect(options=stream_options) as socket:
        result = await socket.send_file(image_path)
        emit("face", type=type(result).__name__, result=as_json(result))


async def prosody_example(api_key: str, base_url: str, audio_path: str) -> None:
    client = AsyncHumeClient(api_key=api_key, base_url=base_url)

    model_config = Config(prosody={})

    stream_options = StreamConnectOptions(config=model_config)

    async with client.expression_measurement.stream.connect(options=stream_options) as socket:
        result = await socket.send_file(audio_path)
        emit("prosody", type=type(result).__name__, result=as_json(result))


async def invalid_key_example(base_url: str) -> None:
    """Beyond the seed: an unknown key fails the handshake with ApiError(401)."""
    client = AsyncHumeClient(api_key=INVALID_API_KEY, base_url=base_url)
    options = StreamConnectOptions(config=Config(language=StreamLanguage()))
    try:
        async with client.expression_measurement.stream.connect(options=options) as socket:
            await socket.send_text("unreachable")
    except ApiError as exc:
        emit(
            "invalid_key", exception=type(exc).__name__, status_code=exc.status_code, body=exc.body
        )
    else:
        raise AssertionError("connecting with an invalid API key did not raise")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--base-url",
        default=os.environ.get("MOCKSERVER_HUME_BASE_URL"),
        help="emulator HTTP base URL, e.g. http://127.0.0.1:8765",
    )
    parser.add_argument("--api-key", default=os.environ.get("MOCKSERVER_HUME_API_KEY"))
    parser.add_argument("--face", required=True, help="image for the face example")
    parser.add_argument("--audio", required=True, help="audio file for the prosody example")
    args = parser.parse_args(argv)
    if not args.base_url or not args.api_key:
        parser.error("--base-url and --api-key (or their environment variables) are required")
    return args


def run(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    emit(
        "sdk",
        hume=version("hume"),
        websockets=version("websockets"),
        pydantic=version("pydantic"),
        import_path=IMPORT_PATH,
    )
    try:
        asyncio.run(text_example(args.api_key, args.base_url))
        asyncio.run(face_example(args.api_key, args.base_url, args.face))
        asyncio.run(prosody_example(args.api_key, args.base_url, args.audio))
        asyncio.run(invalid_key_example(args.base_url))
    except Exception as exc:
        traceback.print_exc()
        emit("failure", error=f"{type(exc).__name__}: {exc}")
        return 1
    emit("done")
    return 0


if __name__ == "__main__":
    sys.exit(run())
