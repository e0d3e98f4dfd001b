"""A small valence/arousal model that turns measured content into expression scores.

Every Hume model in the emulator measures something real about its input (words, loudness,
pitch, a detected smile, landmark geometry) and reduces it to a point in valence/arousal
space plus optional per-expression boosts. This module maps that point to one score per
expression: expressions whose circumplex coordinates lie near the point score high.
Seeded noise keeps the scores from looking synthetic while staying deterministic.

Scores are rounded through float32, as the real service's are (the docs' examples such as
``0.012025930918753147``).
"""

from __future__ import annotations

import math
import struct
from array import array
from collections.abc import Mapping, Sequence
from functools import lru_cache

__all__ = ["AFFECT_COORDINATES", "as_float32", "expression_scores", "named_scores"]

#: (valence, arousal) in [-1, 1] for each of the 53 expressions (circumplex placement).
AFFECT_COORDINATES: Mapping[str, tuple[float, float]] = {
    "Admiration": (0.6, 0.3), "Adoration": (0.8, 0.3), "Aesthetic Appreciation": (0.6, -0.1),
    "Amusement": (0.7, 0.5), "Anger": (-0.7, 0.8), "Annoyance": (-0.5, 0.4),
    "Anxiety": (-0.5, 0.6), "Awe": (0.4, 0.5), "Awkwardness": (-0.3, 0.2),
    "Boredom": (-0.3, -0.7), "Calmness": (0.4, -0.7), "Concentration": (0.1, 0.1),
    "Confusion": (-0.2, 0.2), "Contemplation": (0.1, -0.3), "Contempt": (-0.6, 0.2),
    "Contentment": (0.6, -0.4), "Craving": (0.2, 0.5), "Desire": (0.5, 0.6),
    "Determination": (0.3, 0.6), "Disappointment": (-0.6, -0.3), "Disapproval": (-0.5, 0.1),
    "Disgust": (-0.7, 0.4), "Distress": (-0.7, 0.5), "Doubt": (-0.3, -0.1),
    "Ecstasy": (0.9, 0.9), "Embarrassment": (-0.4, 0.4), "Empathic Pain": (-0.5, 0.2),
    "Enthusiasm": (0.7, 0.7), "Entrancement": (0.5, 0.1), "Envy": (-0.5, 0.3),
    "Excitement": (0.7, 0.85), "Fear": (-0.7, 0.7), "Gratitude": (0.8, 0.2),
    "Guilt": (-0.6, 0.1), "Horror": (-0.9, 0.8), "Interest": (0.4, 0.3), "Joy": (0.9, 0.6),
    "Love": (0.9, 0.3), "Nostalgia": (0.2, -0.4), "Pain": (-0.8, 0.5), "Pride": (0.7, 0.4),
    "Realization": (0.2, 0.4), "Relief": (0.6, -0.3), "Romance": (0.7, 0.2),
    "Sadness": (-0.8, -0.5), "Sarcasm": (-0.2, 0.3), "Satisfaction": (0.7, -0.1),
    "Shame": (-0.7, -0.1), "Surprise (negative)": (-0.4, 0.8),
    "Surprise (positive)": (0.5, 0.8), "Sympathy": (0.2, -0.2), "Tiredness": (-0.2, -0.9),
    "Triumph": (0.8, 0.8),
}  # fmt: skip

_SIGMA2 = 2 * 0.45**2


def as_float32(value: float) -> float:
    """Round ``value`` to the nearest float32 and return it as a Python float."""
    return float(struct.unpack("f", struct.pack("f", value))[0])


def expression_scores(
    names: Sequence[str],
    valence: float,
    arousal: float,
    *,
    intensity: float,
    noise: Sequence[float],
    boosts: Mapping[str, float] | None = None,
) -> list[float]:
    """Score each expression in ``names`` for a point in valence/arousal space.

    Args:
        names: Expression names, in output order. Each must be in :data:`AFFECT_COORDINATES`.
        valence: Pleasantness of the content, -1 (negative) to 1 (positive).
        arousal: Activation of the content, -1 (calm) to 1 (excited).
        intensity: How strongly the content expresses anything, 0 to 1.
        noise: One value in ``[0, 1)`` per name (from :class:`~mockserver.core.rng.SeedSource`).
        boosts: Extra evidence per expression (0 to 1), e.g. lexicon hits or a detected smile.

    Returns:
        One score per name, in ``[0, 1]``, rounded through float32.
    """
    if len(noise) != len(names):
        raise ValueError("need one noise value per expression")
    valence = max(-1.0, min(1.0, valence))
    arousal = max(-1.0, min(1.0, arousal))
    intensity = max(0.0, min(1.0, intensity))
    exp = math.exp
    # score = 0.008 + 0.55 * near * (0.08 + 0.92 * intensity) + 0.05 * jitter, evaluated in
    # exactly this order (the outputs are pinned bit for bit by the golden transcripts)
    gain = 0.08 + 0.92 * intensity
    raw = [
        0.008
        + 0.55 * exp(-((valence - v) ** 2 + (arousal - a) ** 2) / _SIGMA2) * gain
        + 0.05 * jitter
        for (v, a), jitter in zip(_coordinates(tuple(names)), noise, strict=True)
    ]
    if boosts:
        raw = [s + 0.6 * boosts.get(n, 0.0) for n, s in zip(names, raw, strict=True)]
    # clamp to [0.0001, 0.9999] (raw is never NaN: every input above is clamped), then round
    # through float32 in one C loop (as as_float32 does one value at a time)
    clamped = [0.0001 if s < 0.0001 else 0.9999 if s > 0.9999 else s for s in raw]
    return array("f", clamped).tolist()


@lru_cache(maxsize=16)
def _coordinates(names: tuple[str, ...]) -> tuple[tuple[float, float], ...]:
    """The (valence, arousal) of each name, in order (one tuple per label set)."""
    return tuple(AFFECT_COORDINATES[name] for name in names)


def named_scores(names: Sequence[str], scores: Sequence[float]) -> list[dict[str, object]]:
    """Zip names and scores into the wire shape ``[{"name": ..., "score": ...}, ...]``."""
    return [{"name": n, "score": s} for n, s in zip(names, scores, strict=True)]
