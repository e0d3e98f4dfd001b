"""A well-behaved Hume streaming client: Hume's own example shape, the ``hume`` 0.13 SDK.

No URL anywhere: ``HumeClient(api_key=...)`` talks to ``wss://api.hume.ai`` unless told
otherwise, and ``mockserver certify`` (its start-up hook) sends it to the emulator. The key
comes from ``HUME_API_KEY``, as in Hume's examples. Every reply is looked at before use: an
error, a top-level warning, a model that answers a warning or an empty prediction list.
Exit status 0 when every payload got an answer, 1 on an error reply.
"""

from __future__ import annotations

import os
import sys

from _media import media
from hume import HumeClient
from hume.expression_measurement.stream import Config, StreamLanguage
from hume.expression_measurement.stream.stream.types import (
    StreamErrorMessage,
    StreamWarningMessage,
)

MODELS = ("language", "prosody", "burst", "face", "facemesh")


def report(name: str, reply: object) -> bool:
    """Print what a reply says; False if it is an error."""
    if isinstance(reply, StreamErrorMessage) or getattr(reply, "error", None):
        print(f"{name}: error {getattr(reply, 'code', '?')}: {getattr(reply, 'error', '')}")
        return False
    if isinstance(reply, StreamWarningMessage):
        print(f"{name}: warning {reply.code}: {reply.warning}")
        return True
    for model in MODELS:
        result = getattr(reply, model, None)
        if result is None:
            continue
        predictions = getattr(result, "predictions", None) or []
        if not predictions:
            warning = getattr(result, "warning", None) or "no predictions"
            print(f"{name}: {model}: {warning}")
            continue
        emotions = predictions[0].emotions or []
        if emotions:
            top = max(emotions, key=lambda e: e.score or 0.0)
            print(f"{name}: {model}: {len(predictions)} predictions, top {top.name}")
    return True


def main() -> int:
    client = HumeClient(api_key=os.environ["HUME_API_KEY"])
    ok = True
    with client.expression_measurement.stream.connect() as socket:
        config = Config(language=StreamLanguage())
        reply = socket.send_text("I am so happy to see you!", config=config)
        ok = report("text", reply) and ok
        reply = socket.send_file(media("speech_16k.wav"), config=Config(prosody={}))
        ok = report("audio", reply) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
