"""Seeded, order-independent randomness.

Every random-looking value the emulators produce is derived from ``(seed, *parts)`` by
hashing, never from a shared generator. The same input and seed therefore give
byte-identical output whatever happened before on the connection or in the process, and
two connections never disturb each other's values.
"""

from __future__ import annotations

import hashlib
import random
import struct
from functools import lru_cache

__all__ = ["SeedSource"]

_UNIT = float(1 << 53)
_SCALE = 1.0 / _UNIT  # exact (a power of two): x * _SCALE == x / _UNIT
_BLOCK = struct.Struct(">8Q")  # one 64-byte digest as eight 64-bit integers


def _encode(part: object) -> bytes:
    """Encode one key part unambiguously (type tag + length + bytes)."""
    if type(part) is str:
        return _encode_str(part)
    if isinstance(part, bytes):
        tag, raw = b"b", part
    elif isinstance(part, str):
        tag, raw = b"s", part.encode("utf-8")
    elif isinstance(part, bool):
        tag, raw = b"?", b"1" if part else b"0"
    elif isinstance(part, int):
        tag, raw = b"i", str(part).encode("ascii")
    elif isinstance(part, float):
        tag, raw = b"f", struct.pack(">d", part)
    else:
        raise TypeError(f"unsupported seed key part: {type(part).__name__}")
    return tag + struct.pack(">I", len(raw)) + raw


@lru_cache(maxsize=4096)
def _encode_str(part: str) -> bytes:
    """:func:`_encode` of a string (cached: keys repeat the same words and labels)."""
    raw = part.encode("utf-8")
    return b"s" + struct.pack(">I", len(raw)) + raw


#: _encode(n) of the block numbers of :meth:`SeedSource.uniforms`.
_BLOCKS = tuple(_encode(n) for n in range(64))


class SeedSource:
    """Derive reproducible pseudo-random values from a seed and a key.

    Args:
        seed: The user-visible seed (``--seed``). Any integer.
    """

    __slots__ = ("_prefix", "seed")

    def __init__(self, seed: int) -> None:
        self.seed = seed  # the user-visible seed
        self._prefix = _encode(seed)  # encoded once, prepended to every key

    def digest(self, *parts: object, size: int = 32) -> bytes:
        """Return ``size`` bytes (<= 64) determined by the seed and ``parts``."""
        return self._keyed(parts, size).digest()

    def _keyed(self, parts: tuple[object, ...], size: int) -> hashlib.blake2b:
        """The hash state after the seed and ``parts``."""
        h = hashlib.blake2b(digest_size=size)
        h.update(self._prefix)
        for part in parts:
            h.update(_encode(part))
        return h

    def integer(self, *parts: object) -> int:
        """Return a 64-bit unsigned integer, e.g. to seed another generator."""
        return int.from_bytes(self.digest(*parts, size=8), "big")

    def uniform(self, *parts: object) -> float:
        """Return a float in ``[0, 1)``."""
        return (self.integer(*parts) >> 11) / _UNIT

    def uniforms(self, count: int, *parts: object) -> list[float]:
        """Return ``count`` floats in ``[0, 1)``, all derived from the same key.

        Equal to hashing ``(*parts, "block", n)`` for each 64-byte block ``n``; the key is
        hashed once and the hash state copied per block.
        """
        base = self._keyed((*parts, "block"), 64)
        out: list[float] = []
        for block in range((count + 7) // 8):
            h = base.copy()
            h.update(_BLOCKS[block] if block < 64 else _encode(block))
            out += [(value >> 11) * _SCALE for value in _BLOCK.unpack(h.digest())]
        del out[count:]
        return out

    def rng(self, *parts: object) -> random.Random:
        """Return a private :class:`random.Random` seeded from the key."""
        return random.Random(self.integer(*parts))

    def hex_id(self, nbytes: int, *parts: object) -> str:
        """Return ``2 * nbytes`` lowercase hex characters (nbytes <= 64)."""
        return self.digest(*parts, size=nbytes).hex()
