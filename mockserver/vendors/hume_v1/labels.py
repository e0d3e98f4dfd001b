"""Label sets of the Expression Measurement API v1 and the user label file.

The docs give four arrays and their sizes (https://dev.hume.ai/expression-measurement:
"out of 415 and 190 names", "out of 48 and 27 names"; ``neutral`` added on 2026-10-20,
https://dev.hume.ai/expression-measurement/changelog/2026/10/20). The SDK carries no list
(``hume-expression-measurement`` 0.1.0 ``types/*_name.py`` are plain ``str``), and the
published tables (https://dev.hume.ai/expression-measurement/docs/audio/measurements,
https://dev.hume.ai/expression-measurement/docs/video/measurements) could only be read in
part, so the built-in lists hold the names confirmed by a public source, in the docs'
alphabetical order. ``v0_candidates`` fills the two video lists with the v0 face model's
48 expressions and 27 descriptions, lower-cased: same sizes, every confirmed name included,
but unverified. A label file (``--hume-v1-labels``) replaces any of the four lists.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from mockserver.errors import ConfigError

__all__ = [
    "CONFIRMED",
    "DOCUMENTED_COUNTS",
    "LIST_NAMES",
    "V0_CANDIDATES",
    "LabelSet",
    "builtin_labels",
    "load_label_file",
    "resolve_labels",
]

#: The four arrays, as keys of a label file and fields of :class:`LabelSet`.
LIST_NAMES = ("audio_expressions", "voice_attributes", "video_expressions", "video_descriptions")

#: Sizes the docs give for each list.
DOCUMENTED_COUNTS: dict[str, int] = {
    "audio_expressions": 415,
    "voice_attributes": 190,
    "video_expressions": 48,
    "video_descriptions": 27,
}


@dataclass(frozen=True, slots=True)
class LabelSet:
    """The names each array may contain (results only ever use names from these)."""

    audio_expressions: tuple[str, ...]
    voice_attributes: tuple[str, ...]
    video_expressions: tuple[str, ...]
    video_descriptions: tuple[str, ...]
    source: str = "confirmed"  # "confirmed", "v0_candidates" or the label file's path

    def lists(self) -> dict[str, tuple[str, ...]]:
        return {name: getattr(self, name) for name in LIST_NAMES}


#: Names confirmed by the docs or the SDK (sources in docs/fidelity.md).
CONFIRMED = LabelSet(
    audio_expressions=(
        "abhorrence", "admiration", "adoration", "amusement", "anger", "chuckling",
        "dumbfoundedness", "eagerness", "feeling uplifted", "feeling upset", "interest", "joy",
        "neutral", "pleasure", "pondering",
    ),
    voice_attributes=("background music", "calm", "clear", "fast", "husky", "monotone"),
    video_expressions=(
        "admiration", "adoration", "aesthetic appreciation", "amusement", "concentration",
        "contemplation", "contempt", "entrancement", "interest", "joy", "realization",
        "surprise (positive)",
    ),
    video_descriptions=("grin", "jaw drop", "smile", "wide-eyed"),
    source="confirmed",
)  # fmt: skip

#: Video lists filled out with the v0 face names (INFERRED candidates, not verified).
V0_CANDIDATES = replace(
    CONFIRMED,
    video_expressions=(
        "admiration", "adoration", "aesthetic appreciation", "amusement", "anger", "anxiety",
        "awe", "awkwardness", "boredom", "calmness", "concentration", "confusion",
        "contemplation", "contempt", "contentment", "craving", "desire", "determination",
        "disappointment", "disgust", "distress", "doubt", "ecstasy", "embarrassment",
        "empathic pain", "entrancement", "envy", "excitement", "fear", "guilt", "horror",
        "interest", "joy", "love", "nostalgia", "pain", "pride", "realization", "relief",
        "romance", "sadness", "satisfaction", "shame", "surprise (negative)",
        "surprise (positive)", "sympathy", "tiredness", "triumph",
    ),
    video_descriptions=(
        "beaming", "biting lip", "cheering", "cringe", "cry", "eyes closed", "face in hands",
        "frown", "gasp", "glare", "glaring", "grimace", "grin", "jaw drop", "laugh",
        "licking lip", "pout", "scowl", "smile", "smirk", "snarl", "squint", "sulking",
        "tongue out", "wide-eyed", "wince", "wrinkled nose",
    ),
    source="v0_candidates",
)  # fmt: skip


def builtin_labels(name: str) -> LabelSet:
    """``"confirmed"`` or ``"v0_candidates"``."""
    if name == "confirmed":
        return CONFIRMED
    if name == "v0_candidates":
        return V0_CANDIDATES
    raise ValueError(f"unknown built-in label set {name!r}")


def _check_list(key: str, value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise ConfigError(f"{where}: {key} must be a non-empty list of names")
    seen: set[str] = set()
    for item in value:
        if not isinstance(item, str) or not item.strip():
            raise ConfigError(f"{where}: {key} holds {item!r}, not a name")
        if item != item.strip() or item != item.lower():
            raise ConfigError(
                f"{where}: {key} name {item!r} must be lowercase without surrounding spaces"
            )
        if item in seen:
            raise ConfigError(f"{where}: {key} lists {item!r} twice")
        seen.add(item)
    return tuple(value)


def load_label_file(path: str | Path, base: LabelSet = CONFIRMED) -> LabelSet:
    """Read a label file: a JSON object with any of the four :data:`LIST_NAMES`, each a
    list of unique lowercase names; the lists it gives replace those of ``base``.

    Raises:
        ConfigError: the file cannot be read or is not in that shape.
    """
    where = f"--hume-v1-labels {path}"
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{where}: cannot read the file: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise ConfigError(f"{where}: not valid JSON: {exc}") from None
    if not isinstance(data, dict) or not data:
        raise ConfigError(f"{where}: expected a JSON object with the keys {', '.join(LIST_NAMES)}")
    unknown = sorted(set(data) - set(LIST_NAMES))
    if unknown:
        raise ConfigError(
            f"{where}: unknown key(s) {', '.join(unknown)} (expected {', '.join(LIST_NAMES)})"
        )
    lists = {key: _check_list(key, value, where) for key, value in data.items()}
    return replace(base, **lists, source=str(path))


def resolve_labels(labels_file: str, builtin: str) -> LabelSet:
    """The label set of a configuration (file over built-in)."""
    base = builtin_labels(builtin)
    return load_label_file(labels_file, base) if labels_file else base
