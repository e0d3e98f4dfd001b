"""A well-behaved asynchronous Hume streaming client (``hume`` 0.13 ``AsyncHumeClient``).

It takes the emulator's address the documented way, ``base_url`` (here from
``MOCKSERVER_HUME_BASE_URL``, which ``mockserver certify`` sets), and looks at every
reply before use. Exit status 0 when every payload got an answer, 1 on an error reply.
"""

from __future__ import annotations

import asyncio
import os
import sys

from _media import media
from hume import AsyncHumeClient
from hume.expression_measurement.stream import Config, StreamFace, StreamLanguage
from hume_sdk_sync import report


async def main() -> int:
    client = AsyncHumeClient(
        api_key=os.environ["HUME_API_KEY"], base_url=os.environ["MOCKSERVER_HUME_BASE_URL"]
    )
    ok = True
    async with client.expression_measurement.stream.connect() as socket:
        config = Config(language=StreamLanguage())
        reply = await socket.send_text("What a lovely day.", config=config)
        ok = report("text", reply) and ok
        reply = await socket.send_file(media("face.png"), config=Config(face=StreamFace()))
        ok = report("image", reply) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
