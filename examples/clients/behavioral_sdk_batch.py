"""A well-behaved Behavioral Signals batch client: ``behavioralsignals`` 0.7.1 uploads a
file and waits for its results (``wait_for_result`` polls the process until complete).

Credentials from ``BEHAVIORALSIGNALS_CID`` and ``BEHAVIORALSIGNALS_API_KEY``; the URL from
the start-up hook. Exit status 0 with the results, 1 when the API fails.
"""

from __future__ import annotations

import os
import sys

from _media import media
from behavioralsignals import BehavioralSignalsError, Client


def main() -> int:
    try:
        cid, key = os.environ["BEHAVIORALSIGNALS_CID"], os.environ["BEHAVIORALSIGNALS_API_KEY"]
        client = Client(cid, key)
        process = client.behavioral.upload_audio(file_path=media("speech_16k.wav"))
        result = client.behavioral.wait_for_result(process.pid, timeout=60)
    except (BehavioralSignalsError, RuntimeError, TimeoutError) as error:
        print(f"batch failed: {error}")
        return 1
    for row in result.results or []:
        print(row.task, row.finalLabel)
    return 0


if __name__ == "__main__":
    sys.exit(main())
