"""A buggy Hume client: it reads the first prediction of every reply without looking for a
warning, so a reply where the model found nothing (a nested or top-level warning, or an
empty list) crashes it. Fails ``hume.tolerates-valid-responses``."""

from __future__ import annotations

import os
import sys

from hume import HumeClient
from hume.expression_measurement.stream import Config, StreamLanguage


def main() -> int:
    client = HumeClient(api_key=os.environ["HUME_API_KEY"])
    with client.expression_measurement.stream.connect() as socket:
        for text in ("I love this!", "This is terrible."):
            reply = socket.send_text(text, config=Config(language=StreamLanguage()))
            first = reply.language.predictions[0]  # the bug: no warning check
            print(text, "->", max(first.emotions, key=lambda e: e.score).name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
