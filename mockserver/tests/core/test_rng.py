"""Seeded randomness: reproducible, key-sensitive, order-independent."""

from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st

from mockserver.core.rng import SeedSource

keys = st.lists(
    st.one_of(
        st.text(max_size=5),
        st.integers(),
        st.floats(allow_nan=False),
        st.booleans(),
        st.binary(max_size=4),
    ),
    max_size=4,
)


@given(seed=st.integers(), parts=keys, count=st.integers(0, 20))
def test_uniforms_match_per_block_digests(seed: int, parts: list[object], count: int) -> None:
    src = SeedSource(seed)
    values = src.uniforms(count, *parts)
    expected: list[float] = []
    block = 0
    while len(expected) < count:
        raw = src.digest(*parts, "block", block, size=64)
        expected.extend(
            (int.from_bytes(raw[i : i + 8], "big") >> 11) / float(1 << 53) for i in range(0, 64, 8)
        )
        block += 1
    assert values == expected[:count]
    assert all(0.0 <= v < 1.0 for v in values)


def test_same_seed_and_key_give_same_values_in_any_order() -> None:
    a, b = SeedSource(7), SeedSource(7)
    first = a.uniform("x", 1)
    b.uniform("other")
    assert b.uniform("x", 1) == first
    assert SeedSource(8).uniform("x", 1) != first


def test_key_parts_are_unambiguous() -> None:
    src = SeedSource(0)
    assert src.digest("ab", "c") != src.digest("a", "bc")
    assert src.digest(1) != src.digest("1")
    assert src.digest(True) != src.digest(1)


def test_hex_id_and_private_generators() -> None:
    src = SeedSource(3)
    job = src.hex_id(16, "hume", "job", 1)
    assert len(job) == 32 and job == job.lower() and int(job, 16) >= 0
    assert src.hex_id(16, "hume", "job", 2) != job
    assert isinstance(src.rng("k"), random.Random)
    assert src.rng("k").random() == src.rng("k").random()
