"""Rebuild the golden transcripts in mockserver/tests/golden/transcripts/ (``make golden``).

Run after an intended behaviour change; each flow runs twice and must give the same text.
"""

from __future__ import annotations

import sys

from mockserver.tests.golden.flows import FLOWS, TRANSCRIPTS, run_flow


def main(argv: list[str]) -> int:
    names = argv or sorted(FLOWS)
    TRANSCRIPTS.mkdir(exist_ok=True)
    for name in names:
        first, second = run_flow(name), run_flow(name)
        if first != second:
            print(f"{name}: two runs differ; not written", file=sys.stderr)
            return 1
        (TRANSCRIPTS / f"{name}.ndjson").write_text(first, encoding="utf-8")
        print(f"{name}: {first.count(chr(10))} entries")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
