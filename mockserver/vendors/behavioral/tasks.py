"""Task names, label sets and orders of the Behavioral Signals results (the SDK README's
label table, the real results),
and the sample rate every model analyses.

Label order inside a result does not matter on the wire: predictions are sorted by posterior,
descending (the real results). Task order follows the readme.io /docs/definitions example
(features, gender, age, emotion, ...) and then the batch order of the real results.
"""

from __future__ import annotations

__all__ = [
    "BATCH_BEHAVIORAL_TASKS",
    "BATCH_DEEPFAKE_TASKS",
    "CLASSIFIER_LABELS",
    "GENERATOR_LABELS",
    "MODEL_RATE",
    "SPEAKING_RATE_3",
    "SPEAKING_RATE_5",
    "STREAM_BEHAVIORAL_TASKS",
    "STREAM_DEEPFAKE_TASKS",
]

MODEL_RATE = 16_000  #: Hz of all analysed audio (docs: "Resampled to 16kHz for models")

SPEAKING_RATE_3: tuple[str, ...] = ("slow", "normal", "fast")  # README (2026)
SPEAKING_RATE_5: tuple[str, ...] = ("very slow", "slow", "normal", "fast", "very fast")  # 2025 data

#: Labels of every classification task (VERIFIED from the README table and the real results).
CLASSIFIER_LABELS: dict[str, tuple[str, ...]] = {
    "gender": ("female", "male"),
    "age": ("18 - 22", "23 - 30", "31 - 45", "46 - 65"),
    "emotion": ("happy", "angry", "sad", "neutral"),
    "positivity": ("positive", "negative", "neutral"),
    "strength": ("strong", "weak", "neutral"),
    "speaking_rate": SPEAKING_RATE_3,
    "hesitation": ("yes", "no"),
    "engagement": ("engaged", "withdrawn", "neutral"),
    "deepfake": ("bonafide", "spoofed"),
    "visual_deepfake": ("bonafide", "spoofed"),
}

#: Generator detection (batch only, experimental; readme.io /docs/generator-detection);
#: "others" when unsure.
GENERATOR_LABELS: tuple[str, ...] = ("elevenlabs", "playht", "speechify", "xtts-v2", "others")

#: Tasks of one ``StreamAudio`` window, in output order (/docs/definitions example, README).
#: ``intensity`` carries a ``score`` only; ``features`` carries the embedding.
STREAM_BEHAVIORAL_TASKS: tuple[str, ...] = (
    "features", "gender", "age", "emotion", "positivity", "strength", "speaking_rate",
    "hesitation", "engagement", "intensity",
)  # fmt: skip

#: Tasks of one ``DeepfakeDetection`` window (INFERRED: the verdict, plus ``features`` only
#: when ``feature_embedding`` is requested).
STREAM_DEEPFAKE_TASKS: tuple[str, ...] = ("deepfake",)

#: Batch task order (VERIFIED from the real results), then
#: ``intensity``: the ``behavioralsignals`` 0.7.1 README's batch quick-start output ends with
#: ``0.487 3.001 intensity 0.0873`` (a ``score``, no label), after the classifier rows.
BATCH_BEHAVIORAL_TASKS: tuple[str, ...] = (
    "asr", "diarization", "language", "features", "gender", "age", "emotion", "positivity",
    "strength", "speaking_rate", "hesitation", "engagement", "intensity",
)  # fmt: skip
BATCH_DEEPFAKE_TASKS: tuple[str, ...] = ("asr", "diarization", "language", "deepfake")
