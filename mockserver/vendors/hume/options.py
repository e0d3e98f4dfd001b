"""Typed model configuration of a publish message (spec section 2.1), free of heavy imports."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["MODEL_ORDER", "FaceOptions", "LanguageOptions", "ModelConfig"]

#: Canonical model order: keys of ``Config`` in the Fern definition (spec 2.1).
MODEL_ORDER: tuple[str, ...] = ("burst", "face", "facemesh", "language", "prosody")


@dataclass(frozen=True, slots=True)
class FaceOptions:
    """``StreamFace`` (spec 2.1). Defaults: prob_threshold/min_face_size from the batch docs."""

    identify_faces: bool = False
    fps_pred: float = 3.0
    prob_threshold: float = 0.99  # stream spec says 3 (a copy-paste bug); batch says 0.99
    min_face_size: float = 60.0  # stream spec says 3; batch docs and 3rd parties say 60
    facs: bool = False
    descriptions: bool = False


@dataclass(frozen=True, slots=True)
class LanguageOptions:
    """``StreamLanguage`` (spec 2.1)."""

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
