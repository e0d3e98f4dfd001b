"""JSON text of what the emulators send: compact, UTF-8, fast, never ``NaN``.

Replies can be large (a Hume language reply for one sentence holds 53 scores per word), so
the encoder matters: ``orjson`` writes them about 20 times faster than the standard
library. The output is the standard library's compact form
(``json.dumps(value, separators=(",", ":"), ensure_ascii=False)``) except that exponents
have no zero padding (``1e-7``, not ``1e-07``); both are valid JSON that every parser reads
to the same value.

Cases orjson handles differently are handled here: a non-finite float (orjson writes
``null``; this module raises ``ValueError`` as ``json.dumps(..., allow_nan=False)`` does),
and what orjson refuses but JSON can carry (a string with a lone surrogate, e.g. from a
client's ``"\\ud800"`` escape; an integer beyond 64 bits), which the standard library then
writes (escaping non-ASCII characters).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from typing import Any

import orjson

__all__ = ["dumps"]

_OPTIONS = orjson.OPT_NON_STR_KEYS  # int keys become strings, as in json.dumps


def dumps(value: Any) -> str:
    """``value`` as compact JSON text.

    Raises:
        ValueError: ``value`` holds a NaN or an infinity.
        TypeError: ``value`` holds something JSON cannot represent.
    """
    try:
        raw = orjson.dumps(value, option=_OPTIONS)
    except orjson.JSONEncodeError:  # the standard library raises TypeError if JSON cannot
        return json.dumps(value, separators=(",", ":"), allow_nan=False)
    if b"null" in raw:  # rare in replies: only then look for a NaN written as null
        for number in _floats(value):
            if not math.isfinite(number):
                raise ValueError(f"refusing to send a non-finite number: {number}")
    return raw.decode()


def _floats(value: Any) -> Iterator[float]:
    if isinstance(value, float):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _floats(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _floats(item)
