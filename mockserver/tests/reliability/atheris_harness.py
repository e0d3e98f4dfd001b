"""Coverage-guided fuzzing with atheris (libFuzzer for Python), optional.

``pip install atheris`` (a wheel exists for CPython 3.11 on Linux x86-64), then
``make fuzz-atheris`` (or ``python mockserver/tests/reliability/atheris_harness.py
-atheris_runs=N``; any libFuzzer flag works, e.g. ``-max_total_time=600``). atheris is not a
dependency of the project; ``test_atheris.py`` runs a short burst when it is installed and
is skipped otherwise.

The first input byte picks a target, the rest is the input. Every target drives a sans-I/O
core from bytes and fails on anything but the documented answers: an internal failure event
or an unexpected exception is a crash, which libFuzzer reports with the input that caused it
(commit such an input as a named regression test in this folder).
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable

import atheris

with atheris.instrument_imports(include=["mockserver"]):
    # modules the sessions load lazily, imported here so that they are instrumented too
    import mockserver.vendors.behavioral.engine
    import mockserver.vendors.behavioral.segmenter
    import mockserver.vendors.hume.codec
    import mockserver.vendors.hume.engine
    import mockserver.vendors.hume_v1.engine  # noqa: F401
    from mockserver.core.events import InternalFailure
    from mockserver.errors import ScenarioError
    from mockserver.scenario.loader import load_scenario
    from mockserver.tests.vendors.behavioral.harness import StreamHarness
    from mockserver.tests.vendors.hume.harness import SessionHarness
    from mockserver.tests.vendors.hume_v1.harness import Backend
    from mockserver.vendors.behavioral.codec import decode_audio_stream, parse_audio_stream


def _hume_text(data: bytes) -> None:
    h = SessionHarness(repeated_error_limit=0)
    events = h.send_raw(data.decode("utf-8", "replace"))
    assert len(events) == 1 and not h.failures(), events
    assert '"I0100"' not in str(events[0])


def _hume_v1(data: bytes) -> None:
    backend = Backend()
    h = backend.audio() if data[:1] < b"\x80" else backend.video()
    h.text(data.decode("utf-8", "replace"))
    h.binary(data)
    assert not h.failures(), h.failures()
    assert all(m.get("code") != "internal_error" for m in h.messages())


def _behavioral(data: bytes) -> None:
    h = StreamHarness(max_streams_per_project=0)
    for chunk in data.split(b"\xfe\xfe")[:8]:  # several request messages
        h.session.receive(decode_audio_stream(parse_audio_stream(chunk)))
    h.end()
    assert not [e for e in h.events if isinstance(e, InternalFailure)]
    status = h.status()
    assert status is None or status.status != "INTERNAL", status


def _scenario(data: bytes) -> None:
    with contextlib.suppress(ScenarioError):
        load_scenario(data.decode("utf-8", "replace"))


TARGETS: tuple[Callable[[bytes], None], ...] = (_hume_text, _hume_v1, _behavioral, _scenario)


def test_one_input(data: bytes) -> None:
    if not data:
        return
    TARGETS[data[0] % len(TARGETS)](data[1:])


def main() -> None:
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
