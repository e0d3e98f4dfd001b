"""Seed 002 ("Streaming API Tutorial"): the legacy ``HumeStreamClient`` text example.

Runs in the legacy SDK's own virtual environment (``.venv-hume-legacy``: ``hume[stream]==0.4.2``
with websockets 10.x), never in the main one, so it must not import ``mockserver``.

The example is transcribed from the scraped docs page. Only the copy-paste breaks are repaired:
the closing ``]`` of ``samples`` and the ``asyncio.run(main())`` call, both missing from the
page. The missing commas after the second and third samples are *not* added: they are missing
in the rendered docs too (Hume's WebSocket guide has the same list, complete and valid), so the
documented example sends two samples, the second being three lines joined together.
The only other change is the URL: the private ``_api_ws_base_uri`` keyword (hume 0.4.2
``_common/client_base.py``).

Beyond the seed it exercises ``get_job_details()``, ``reset_stream()``, a server error and an
invalid API key. Every result is printed as one JSON object per line on stdout; any failure
exits non-zero.

Usage: ``python legacy_stream_client.py --ws-base-uri ws://127.0.0.1:PORT --api-key KEY``
(or the environment variables ``MOCKSERVER_HUME_WS_BASE_URI`` / ``MOCKSERVER_HUME_API_KEY``).
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

from hume import HumeStreamClient
from hume.error.hume_client_exception import HumeClientException
from hume.models.config import LanguageConfig

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


async def main(api_key: str, ws_base_uri: str) -> None:
    client = HumeStreamClient(api_key, _api_ws_base_uri=ws_base_uri)
    config = LanguageConfig()
    async with client.connect([config]) as socket:
        for index, sample in enumerate(samples):
            result = await socket.send_text(sample)
            emotions = result["language"]["predictions"][0]["emotions"]
            emit("sample", index=index, sample=sample, emotions=emotions, result=result)

        # Beyond the seed: the other StreamSocket calls, on the same connection.
        emit("job_details", response=await socket.get_job_details())
        emit("reset_stream", response=await socket.reset_stream())
        # A server error is raised as HumeClientException("hume(<code>): <error>"), which
        # reads response["code"] unguarded: the emulator must always send a code.
        try:
            await socket.send_bytes(b"this is not base64!")
        except HumeClientException as exc:
            emit("server_error", message=str(exc))
        else:
            raise AssertionError("send_bytes with invalid base64 did not raise")


async def invalid_key(ws_base_uri: str) -> None:
    """The SDK's own live test: an unknown key must fail the handshake with 401."""
    client = HumeStreamClient(INVALID_API_KEY, _api_ws_base_uri=ws_base_uri)
    try:
        async with client.connect([LanguageConfig()]) as socket:
            await socket.send_text("unreachable")
    except HumeClientException as exc:
        cause = exc.__cause__
        emit(
            "invalid_key",
            exception=type(exc).__name__,
            message=str(exc),
            cause=type(cause).__name__ if cause is not None else None,
            status_code=getattr(cause, "status_code", None),
        )
    else:
        raise AssertionError("connecting with an invalid API key did not raise")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--ws-base-uri",
        default=os.environ.get("MOCKSERVER_HUME_WS_BASE_URI"),
        help="emulator WebSocket base, e.g. ws://127.0.0.1:8765",
    )
    parser.add_argument("--api-key", default=os.environ.get("MOCKSERVER_HUME_API_KEY"))
    args = parser.parse_args(argv)
    if not args.ws_base_uri or not args.api_key:
        parser.error("--ws-base-uri and --api-key (or their environment variables) are required")
    return args


def run(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    emit("sdk", hume=version("hume"), websockets=version("websockets"))
    try:
        asyncio.run(main(args.api_key, args.ws_base_uri))
        asyncio.run(invalid_key(args.ws_base_uri))
    except Exception as exc:
        traceback.print_exc()
        emit("failure", error=f"{type(exc).__name__}: {exc}")
        return 1
    emit("done")
    return 0


if __name__ == "__main__":
    sys.exit(run())
