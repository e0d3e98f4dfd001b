"""Typed model configuration of a publish message (``Config`` of Hume's streaming definition),
free of heavy imports."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["MODEL_ORDER", "FaceOptions", "LanguageOptions", "ModelConfig"]

#: Canonical model order: keys of ``Config`` in the definition.
MODEL_ORDER: tuple[str, ...] = ("burst", "face", "facemesh", "language", "prosody")


@dataclass(frozen=True, slots=True)
class FaceOptions:
    """``StreamFace`` of Hume's streaming definition (hume-python-sdk
    ``.mock/definition/expression-measurement/stream/stream.yml``).

    That definition gives ``default: 3`` for ``fps_pred``, ``prob_threshold`` and
    ``min_face_size`` and no ranges. A threshold of 3 would omit every face (a probability
    is at most 1), so the defaults applied when a key is absent are the batch definition's
    (``batch/__package__.yml``: ``prob_threshold`` 0.99, examples ``min_face_size: 60``). A
    client that sends the reference's 3 gets exactly what it asked for.
    """

    identify_faces: bool = False
    fps_pred: float = 3.0  # 0 processes every frame (batch Face.fps_pred)
    prob_threshold: float = 0.99  # batch default; any value >= 0 is accepted
    min_face_size: float = 60.0  # batch examples; any value >= 0 is accepted
    facs: bool = False
    descriptions: bool = False


@dataclass(frozen=True, slots=True)
class LanguageOptions:
    """``StreamLanguage`` of the definition."""

    granularity: str = "word"
    sentiment: bool = False
    toxicity: bool = False


@dataclass(frozen=True, slots=True)
class ModelConfig:
    """Which models run, and how. A model runs if and only if its key was present."""

    burst: bool = False
    face: FaceOptions | None = None
    facemesh: bool = False
    language: LanguageOptions | None = None
    prosody: bool = False

    def names(self) -> tuple[str, ...]:
        """Names of the configured models in canonical order."""
        active = {
            "burst": self.burst,
            "face": self.face is not None,
            "facemesh": self.facemesh,
            "language": self.language is not None,
            "prosody": self.prosody,
        }
        return tuple(name for name in MODEL_ORDER if active[name])
