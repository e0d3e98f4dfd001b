"""Behavioral Signals predictions derived from acoustic features.

Label sets: the SDK README; formats: the readme.io /docs/definitions example and the real
results (see the package docstring).

The emulator has no trained models. Every result is a deterministic function of the audio
(:func:`~mockserver.media.voice.analyse_voice` features) plus seeded jitter keyed by the
audio's content (a BLAKE2b digest of the float32 samples) and the run's seed, so the same audio
gives the same rows however it was chunked or uploaded.

**Latent traits** (from :class:`~mockserver.media.voice.VoiceFeatures`):

* loudness ``L = clip((loudness_dbfs + 23) / 8, -3, 3)``; pitch movement
  ``S = clip(pitch_spread_st - 1.3, -2, 3)``; tempo ``R = clip(speaking_rate - 4.2, -4, 4)``;
  brightness ``B = clip((brightness_hz - 1400) / 400, -3, 3)``;
* arousal ``a = 0.8 L + 0.3 S + 0.3 R``; valence ``v = 0.6 S + 0.3 B + 0.5 j`` (``j`` a
  content-keyed value in [-1, 1]).

**Logits** per label (softmax gives the posteriors; each label gets content-keyed jitter
uniform in ``±JITTER`` = ±0.35):

* ``gender``: ``female - male = 0.55 * 12 log2(pitch / 165 Hz)`` (0 without pitch);
* ``age``: position ``x = clip(1.6 - 0.35 B + 0.8 j', 0, 3)`` over the four bins
  (``j'`` another content-keyed value in [-1, 1]: the seeded spread), ``z_k = -1.2 (k - x)^2``;
* ``emotion``: happy ``1.1v + 0.4a - 0.3``, angry ``0.9a - 0.7v - 0.9``, sad
  ``-0.8a - 0.5v - 0.6``, neutral ``0.9 - 0.25(a^2 + v^2)``;
* ``strength``: strong ``1.6a - 0.3``, weak ``-1.6a - 0.3``, neutral ``0.6 - 0.2a^2``;
* ``positivity``: positive ``1.4v``, negative ``-1.4v - 0.2``, neutral ``0.7 - 0.2v^2``;
* ``engagement``: engaged ``0.8a + 0.5v + 0.3S``, withdrawn ``-0.8a - 0.4v - 0.3``, neutral 0.5;
* ``speaking_rate``: ``-(rate - c)^2 / 0.72`` with centres (syllables/s) slow 3.0, normal 4.3,
  fast 5.6 (``speaking_rate_labels=3``) or very slow 2.0, slow 3.2, normal 4.3, fast 5.4,
  very fast 6.6 (``5``; any other value means 3);
* ``hesitation``: yes ``3 (0.65 - voiced_fraction) + 0.3 (3.8 - rate) - 0.8``, no 0;
* ``intensity`` score: ``sigmoid(1.3a - 0.2)`` plus jitter, clipped to [0.001, 0.999];
* ``deepfake`` / ``visual_deepfake``: "spoofed" with probability ``SPOOF_RATE`` (0.1) per
  content (a content-keyed draw), otherwise "bonafide"; the winning margin
  ``spoofed - bonafide`` is ``±(2.5 + 4 u)``. ``generator`` (batch, spoofed utterances only):
  one content-chosen generator gets ``2 + 2u``, the others jitter, "others" 1.0.

Batch only (README: per-speaker gender and age; short utterances): utterances from
:func:`~mockserver.media.voice.detect_speech` with a ``BATCH_GAP_S`` (0.5 s) gap; speakers by
online clustering of the utterances' median pitch (join the nearest speaker whose mean is within
``SPEAKER_GAP_ST`` = 4 semitones, else a new ``SPEAKER_nn``); ``gender``/``age`` posteriors
averaged over each speaker's utterances; ``language`` is always "en" first (the emulator has no
language model), with float16-valued, unnormalised posteriors like the real data.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np
import numpy.typing as npt

from mockserver.core.rng import SeedSource
from mockserver.media.audio import AudioClip, decode_audio
from mockserver.media.errors import NoAudioError
from mockserver.media.probe import probe
from mockserver.media.video import sample_frames
from mockserver.media.voice import VoiceFeatures, analyse_voice, detect_speech

from .results import InferenceResult, Prediction, format_time
from .tasks import (
    BATCH_BEHAVIORAL_TASKS,
    BATCH_DEEPFAKE_TASKS,
    CLASSIFIER_LABELS,
    GENERATOR_LABELS,
    MODEL_RATE,
    SPEAKING_RATE_3,
    SPEAKING_RATE_5,
    STREAM_BEHAVIORAL_TASKS,
    STREAM_DEEPFAKE_TASKS,
)

if TYPE_CHECKING:
    from mockserver.media.probe import MediaInfo

__all__ = [
    "BATCH_GAP_S",
    "FEATURE_DIM",
    "JITTER",
    "SHORT_UTTERANCE_S",
    "SPEAKER_DIM",
    "SPEAKER_GAP_ST",
    "SPOOF_RATE",
    "VIDEO_CHUNK_S",
    "analyse_batch",
    "analyse_video",
    "format_probability",
    "window_results",
]

JITTER = 0.35  #: half-width of the content-keyed logit jitter
SPOOF_RATE = 0.1  #: share of contents judged "spoofed" (deepfake, visual_deepfake)
FEATURE_DIM = 768  #: behavioral embedding length (the real results)
SPEAKER_DIM = 192  #: speaker embedding length (the real results)
BATCH_GAP_S = 0.5  #: silence that separates batch utterances
SHORT_UTTERANCE_S = 1.0  #: utterances this short get only asr, diarization, language (README)
SPEAKER_GAP_ST = 4.0  #: largest pitch distance (semitones) to join an existing speaker
VIDEO_CHUNK_S = 2.0  #: visual_deepfake chunk length

_NS = "behavioral"  # first part of every seed key
_RATE_CENTRES: dict[int, tuple[float, ...]] = {
    3: (3.0, 4.3, 5.6),
    5: (2.0, 3.2, 4.3, 5.4, 6.6),
}
_OTHER_LANGUAGES = ("ja", "pt", "de", "es", "zh", "fr", "ar", "ta", "it", "nl", "ru", "ko", "hi")

FloatArray = npt.NDArray[np.float64]


# -- helpers -------------------------------------------------------------------------------


def _digest(samples: npt.NDArray[np.float32]) -> bytes:
    """Content key of some audio: BLAKE2b-128 of the float32 samples."""
    data = np.ascontiguousarray(samples, dtype=np.float32)
    return hashlib.blake2b(data.tobytes(), digest_size=16).digest()


def format_probability(p: float) -> str:
    """Behavioral posterior/score/logit text: 4 dp, ``str`` of a float32 (real results: "1e-04")."""
    return str(np.float32(round(p, 4)))


def _batch_time(t: float) -> str:
    """Batch times: shortest repr of a 3-dp value, e.g. ``"4.775"``, ``"2.07"`` (real results)."""
    return repr(round(t, 3))


def _softmax(z: FloatArray) -> FloatArray:
    e = np.exp(z - z.max())
    return np.asarray(e / e.sum(), dtype=np.float64)


def _clip(x: float, lo: float, hi: float) -> float:
    return min(hi, max(lo, x))


def _normals(seeds: SeedSource, n: int, *parts: object) -> FloatArray:
    """``n`` standard normal values (Box-Muller on content-keyed uniforms)."""
    u = np.asarray(seeds.uniforms(2 * n, *parts), dtype=np.float64)
    r = np.sqrt(-2.0 * np.log1p(-u[:n]))
    return np.asarray(r * np.cos(2.0 * math.pi * u[n:]), dtype=np.float64)


@dataclass(frozen=True, slots=True)
class _Traits:
    """Latent values the predictions are built from (module docstring)."""

    arousal: float
    valence: float
    spread: float  # S
    bright: float  # B
    pitch_st: float | None  # semitones relative to 165 Hz
    rate: float  # syllables per second
    voiced: float  # voiced fraction
    vector: tuple[float, ...]  # standardised features for embeddings


def _traits(f: VoiceFeatures, seeds: SeedSource, key: bytes) -> _Traits:
    loud = _clip((f.loudness_dbfs + 23.0) / 8.0, -3.0, 3.0)
    spread = _clip(f.pitch_spread_st - 1.3, -2.0, 3.0)
    tempo = _clip(f.speaking_rate - 4.2, -4.0, 4.0)
    bright = _clip((f.brightness_hz - 1400.0) / 400.0, -3.0, 3.0)
    j = 2.0 * seeds.uniform(_NS, "valence", key) - 1.0
    pitch_st = None if not f.pitch_hz else 12.0 * math.log2(f.pitch_hz / 165.0)
    arousal = 0.8 * loud + 0.3 * spread + 0.3 * tempo
    valence = 0.6 * spread + 0.3 * bright + 0.5 * j
    vector = (loud, spread, tempo, bright, (pitch_st or 0.0) / 6.0, (f.voiced_fraction - 0.65) * 4)
    return _Traits(
        arousal, valence, spread, bright, pitch_st, f.speaking_rate, f.voiced_fraction, vector
    )


def _task_logits(
    task: str, t: _Traits | None, seeds: SeedSource, key: bytes, rate_labels: int
) -> tuple[tuple[str, ...], FloatArray]:
    """Labels and logits of one classification task (module docstring).

    ``t`` may be ``None`` for the deepfake tasks, which do not use the acoustic traits.
    """
    if task in ("deepfake", "visual_deepfake"):
        return CLASSIFIER_LABELS[task], _spoof_logits(seeds, key, task)
    if t is None:
        raise ValueError(f"task {task!r} needs the acoustic traits")
    a, v = t.arousal, t.valence
    if task == "speaking_rate":
        labels = SPEAKING_RATE_5 if rate_labels == 5 else SPEAKING_RATE_3
    else:
        labels = CLASSIFIER_LABELS[task]
    base: list[float]
    if task == "gender":
        d = 0.0 if t.pitch_st is None else 0.55 * t.pitch_st
        base = [d / 2.0, -d / 2.0]  # female, male
    elif task == "age":
        x = _clip(1.6 - 0.35 * t.bright + 0.8 * (2.0 * seeds.uniform(_NS, "age", key) - 1.0), 0, 3)
        base = [-1.2 * (k - x) ** 2 for k in range(4)]
    elif task == "emotion":  # happy, angry, sad, neutral
        base = [
            1.1 * v + 0.4 * a - 0.3,
            0.9 * a - 0.7 * v - 0.9,
            -0.8 * a - 0.5 * v - 0.6,
            0.9 - 0.25 * (a * a + v * v),
        ]
    elif task == "strength":  # strong, weak, neutral
        base = [1.6 * a - 0.3, -1.6 * a - 0.3, 0.6 - 0.2 * a * a]
    elif task == "positivity":  # positive, negative, neutral
        base = [1.4 * v, -1.4 * v - 0.2, 0.7 - 0.2 * v * v]
    elif task == "engagement":  # engaged, withdrawn, neutral
        base = [0.8 * a + 0.5 * v + 0.3 * t.spread, -0.8 * a - 0.4 * v - 0.3, 0.5]
    elif task == "speaking_rate":
        base = [-((t.rate - c) ** 2) / 0.72 for c in _RATE_CENTRES[len(labels)]]
    elif task == "hesitation":  # yes, no
        base = [3.0 * (0.65 - t.voiced) + 0.3 * (3.8 - t.rate) - 0.8, 0.0]
    else:
        raise ValueError(f"not a classification task: {task!r}")
    jitter = np.asarray(seeds.uniforms(len(labels), _NS, task, key), dtype=np.float64)
    return labels, np.asarray(base, dtype=np.float64) + JITTER * (2.0 * jitter - 1.0)


def _spoof_logits(seeds: SeedSource, key: bytes, task: str) -> FloatArray:
    """``[bonafide, spoofed]`` logits: spoofed for a ``SPOOF_RATE`` share of contents."""
    draw, size = seeds.uniforms(2, _NS, task, key)
    margin = 2.5 + 4.0 * size
    half = margin / 2.0 if draw < SPOOF_RATE else -margin / 2.0
    return np.asarray([-half, half], dtype=np.float64)


def _intensity(t: _Traits, seeds: SeedSource, key: bytes) -> float:
    z = 1.3 * t.arousal - 0.2 + JITTER * (2.0 * seeds.uniform(_NS, "intensity", key) - 1.0)
    return _clip(1.0 / (1.0 + math.exp(-z)), 0.001, 0.999)


def _embedding(
    seeds: SeedSource, t: _Traits, key: bytes, *, dim: int, scale: float, kind: str
) -> str:
    """A ``dim``-float embedding string (a JSON float array, as in the real results): a
    seed-fixed projection of the features (similar voices get similar vectors) plus
    content-keyed noise, Python float reprs."""
    proj = _projection(seeds.seed, kind, dim, len(t.vector))
    values = scale * (proj @ np.asarray(t.vector) + 0.5 * _normals(seeds, dim, _NS, kind, key))
    return json.dumps([float(x) for x in values])


@functools.lru_cache(maxsize=16)
def _projection(seed: int, kind: str, dim: int, n: int) -> FloatArray:
    """The seed-fixed ``dim`` x ``n`` embedding projection in [-1, 1) (computed once)."""
    proj = np.asarray(SeedSource(seed).uniforms(dim * n, _NS, kind, "projection"))
    proj = (2.0 * proj - 1.0).reshape(dim, n)
    proj.flags.writeable = False
    return proj


def _ranked(
    labels: Sequence[str], probs: FloatArray, logits: FloatArray | None
) -> tuple[tuple[Prediction, ...], str]:
    """Predictions sorted by posterior, descending (ties: label order), and the top label."""
    order = sorted(range(len(labels)), key=lambda i: -probs[i])
    preds = tuple(
        Prediction(
            label=labels[i],
            posterior=format_probability(float(probs[i])),
            logit=None if logits is None else format_probability(float(logits[i])),
        )
        for i in order
    )
    return preds, labels[order[0]]


# -- streaming -----------------------------------------------------------------------------


def window_results(
    samples: npt.NDArray[np.float32],
    *,
    tasks: Literal["behavioral", "deepfake"],
    level: Literal["segment", "utterance"],
    result_id: str,
    start_s: float,
    end_s: float,
    logits: bool,
    feature_embedding: bool,
    speaking_rate_labels: int,
    seeds: SeedSource,
    features: VoiceFeatures | None = None,
) -> tuple[InferenceResult, ...]:
    """The rows of one streamed window (readme.io /docs/definitions example, README task list).

    ``behavioral``: one row per ``STREAM_BEHAVIORAL_TASKS`` task (``features`` always).
    ``deepfake``: ``features`` (only with ``feature_embedding``), then ``deepfake``.
    ``samples`` is the window's 16 kHz audio; times are rendered ``"%.2f"``. ``features``:
    its acoustic features when already measured (else they are measured from ``samples``).
    """
    key = _digest(samples)
    # The deepfake verdict needs no acoustic features: measure them only when used.
    needs_traits = tasks == "behavioral" or feature_embedding
    t = None
    if needs_traits:
        measured = features if features is not None else analyse_voice(samples, MODEL_RATE)
        t = _traits(measured, seeds, key)
    start, end = format_time(start_s), format_time(end_s)

    def row(task: str, preds: tuple[Prediction, ...], final: str, emb: str = "") -> InferenceResult:
        return InferenceResult(result_id, start, end, task, preds, final, emb, level)

    def features_row() -> InferenceResult:
        emb = ""
        if feature_embedding and t is not None:
            emb = _embedding(seeds, t, key, dim=FEATURE_DIM, scale=0.3, kind="features")
        return row("features", (Prediction(label="", posterior=""),), "", emb)

    names = (
        STREAM_BEHAVIORAL_TASKS if tasks == "behavioral" else ("features", *STREAM_DEEPFAKE_TASKS)
    )
    out: list[InferenceResult] = []
    for task in names:
        if task == "features":
            if tasks == "behavioral" or feature_embedding:
                out.append(features_row())
        elif task == "intensity" and t is not None:
            score = format_probability(_intensity(t, seeds, key))
            out.append(row(task, (Prediction(label="", score=score),), ""))
        else:
            labels, z = _task_logits(task, t, seeds, key, speaking_rate_labels)
            preds, final = _ranked(labels, _softmax(z), z if logits else None)
            out.append(row(task, preds, final))
    return tuple(out)


# -- batch ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Utterance:
    index: int
    start_s: float
    end_s: float
    key: bytes
    traits: _Traits

    @property
    def short(self) -> bool:
        return self.end_s - self.start_s <= SHORT_UTTERANCE_S + 1e-9

    def row(
        self, task: str, preds: tuple[Prediction, ...], final: str, *, emb: str | None = None
    ) -> InferenceResult:
        """A batch row of this utterance (real results: level "utterance", null embedding)."""
        start, end = _batch_time(self.start_s), _batch_time(self.end_s)
        return InferenceResult(str(self.index), start, end, task, preds, final, emb, "utterance")


def _diarize(utts: Sequence[_Utterance]) -> list[int]:
    """Speaker index per utterance: online clustering on median pitch (module docstring)."""
    means: list[list[float]] = []  # pitches (semitones) of each speaker's utterances
    out: list[int] = []
    for u in utts:
        st = u.traits.pitch_st
        if st is None:  # no pitch: the previous utterance's speaker
            if not means:
                means.append([])
            out.append(out[-1] if out else 0)
            continue
        best, best_d = -1, math.inf
        for i, members in enumerate(means):
            d = abs(st - float(np.mean(members))) if members else 0.0
            if d < best_d:
                best, best_d = i, d
        if best < 0 or best_d > SPEAKER_GAP_ST:
            means.append([])
            best = len(means) - 1
        means[best].append(st)
        out.append(best)
    return out


def _language_row(u: _Utterance, seeds: SeedSource) -> InferenceResult:
    """Top-3 languages, "en" first; float16-valued, unnormalised posteriors (the real results)."""
    r = seeds.uniforms(5, _NS, "language", u.key)
    p1 = 0.80 + 0.199 * r[0]
    p2 = (1.0 - p1) * (0.02 + 0.3 * r[1])
    p3 = p2 * (0.1 + 0.8 * r[2])
    first = int(r[3] * len(_OTHER_LANGUAGES))
    second = (first + 1 + int(r[4] * (len(_OTHER_LANGUAGES) - 1))) % len(_OTHER_LANGUAGES)
    langs = ("en", _OTHER_LANGUAGES[first], _OTHER_LANGUAGES[second])
    preds = tuple(
        Prediction(label=lang, posterior=repr(float(np.float16(p))))
        for lang, p in zip(langs, (p1, p2, p3), strict=True)
    )
    return u.row("language", preds, "en")


def analyse_batch(
    samples: npt.NDArray[np.float32],
    *,
    namespace: Literal["behavioral", "detection"],
    embeddings: bool,
    generator_detection: bool,
    speaking_rate_labels: int,
    seeds: SeedSource,
) -> list[InferenceResult]:
    """Batch results of a whole 16 kHz recording (README, the real results).

    Utterances ``"0"``, ``"1"``, ... in time order; per utterance the rows follow
    ``BATCH_BEHAVIORAL_TASKS`` (``behavioral``) or ``BATCH_DEEPFAKE_TASKS`` (``detection``,
    plus ``generator`` after a spoofed ``deepfake`` when ``generator_detection``). Utterances
    of ``SHORT_UTTERANCE_S`` or less get only asr, diarization and language. Absent values
    are ``None`` (embedding, posterior) or ``""`` (label, final label), which the REST
    rendering turns into ``null``.
    """
    audio = np.ascontiguousarray(np.asarray(samples, dtype=np.float32).reshape(-1))
    clip = AudioClip(audio, MODEL_RATE)
    utts: list[_Utterance] = []
    for i, seg in enumerate(detect_speech(clip, min_silence_s=BATCH_GAP_S)):
        part = audio[round(seg.start_s * MODEL_RATE) : round(seg.end_s * MODEL_RATE)]
        key = _digest(part)
        feats = analyse_voice(part, MODEL_RATE)
        utts.append(_Utterance(i, seg.start_s, seg.end_s, key, _traits(feats, seeds, key)))
    speakers = _diarize(utts)

    order = BATCH_BEHAVIORAL_TASKS if namespace == "behavioral" else BATCH_DEEPFAKE_TASKS
    # gender and age per speaker, averaged over the speaker's (long) utterances (README)
    per_speaker: dict[tuple[int, str], FloatArray] = {}
    for task in ("gender", "age"):
        if task not in order:
            continue
        for spk in sorted(set(speakers)):
            members = [u for u, s in zip(utts, speakers, strict=True) if s == spk and not u.short]
            if members:
                each = [
                    _softmax(_task_logits(task, u.traits, seeds, u.key, speaking_rate_labels)[1])
                    for u in members
                ]
                per_speaker[spk, task] = np.asarray(np.mean(each, axis=0), dtype=np.float64)

    seen_speakers: set[int] = set()
    out: list[InferenceResult] = []
    for u, spk in zip(utts, speakers, strict=True):
        for task in order:
            if u.short and task not in ("asr", "diarization", "language"):
                continue
            if task == "asr":
                text = (
                    f" [transcript unavailable in the emulator: "
                    f"{u.end_s - u.start_s:.1f} s of speech]"
                )
                out.append(u.row(task, (Prediction(label=text),), text))
            elif task == "diarization":
                name = f"SPEAKER_{spk:02d}"
                emb = None
                if embeddings and spk not in seen_speakers:
                    emb = _embedding(
                        seeds, u.traits, u.key, dim=SPEAKER_DIM, scale=10.0, kind="speaker"
                    )
                seen_speakers.add(spk)
                out.append(u.row(task, (Prediction(label=name),), name, emb=emb))
            elif task == "language":
                out.append(_language_row(u, seeds))
            elif task == "features":
                if embeddings:
                    emb = _embedding(
                        seeds, u.traits, u.key, dim=FEATURE_DIM, scale=0.3, kind="features"
                    )
                    out.append(u.row(task, (Prediction(label=""),), "", emb=emb))
            elif task == "intensity":  # as streamed: a score, no label or posterior
                score = format_probability(_intensity(u.traits, seeds, u.key))
                out.append(u.row(task, (Prediction(label="", score=score),), ""))
            elif task in ("gender", "age"):
                labels = CLASSIFIER_LABELS[task]
                preds, final = _ranked(labels, per_speaker[spk, task], None)
                out.append(u.row(task, preds, final))
            else:
                labels, z = _task_logits(task, u.traits, seeds, u.key, speaking_rate_labels)
                preds, final = _ranked(labels, _softmax(z), None)
                out.append(u.row(task, preds, final))
                if task == "deepfake" and final == "spoofed" and generator_detection:
                    preds, final = _ranked(GENERATOR_LABELS, _generator_probs(seeds, u.key), None)
                    out.append(u.row("generator", preds, final))
    return out


def _generator_probs(seeds: SeedSource, key: bytes) -> FloatArray:
    """Posteriors over ``GENERATOR_LABELS``: one content-chosen generator is favoured."""
    r = seeds.uniforms(len(GENERATOR_LABELS) + 2, _NS, "generator", key)
    n = len(GENERATOR_LABELS) - 1  # the last label is "others"
    z = np.asarray([JITTER * (2.0 * x - 1.0) for x in r[: n + 1]], dtype=np.float64)
    z[int(r[n + 1] * n)] += 2.0 + 2.0 * r[n]
    z[n] += 1.0
    return _softmax(z)


# -- video ---------------------------------------------------------------------------------


def _video_chunks(duration_s: float) -> list[tuple[float, float]]:
    """Consecutive ``VIDEO_CHUNK_S`` chunks; a remainder under half a chunk joins the last."""
    n = max(1, int(duration_s // VIDEO_CHUNK_S))
    if duration_s - n * VIDEO_CHUNK_S >= VIDEO_CHUNK_S / 2:
        n += 1
    edges = [min(k * VIDEO_CHUNK_S, duration_s) for k in range(n)] + [duration_s]
    return list(itertools.pairwise(edges))


def analyse_video(
    raw: bytes,
    *,
    info: MediaInfo | None = None,
    embeddings: bool,
    generator_detection: bool,
    seeds: SeedSource,
) -> tuple[list[InferenceResult], list[InferenceResult]]:
    """``(audio_results, video_results)`` of an uploaded video (SDK 0.7.1 ``VideoResultResponse``).

    Audio: :func:`analyse_batch` of the decoded audio track (``detection``; empty without
    audio). Video: one ``visual_deepfake`` row per ~2 s chunk (:func:`_video_chunks`), its
    verdict keyed by the file's digest and the chunk index (the spoof rule of ``deepfake``).
    ``info`` is the file's :func:`~mockserver.media.probe.probe`, if the caller has it.

    Raises:
        UnrecognisedMediaError: the bytes are not decodable media, or have no video stream.
    """
    if info is None:
        info = probe(raw)
    audio_results: list[InferenceResult] = []
    if info.has_audio:
        try:
            clip = decode_audio(raw, sample_rate=MODEL_RATE)
        except NoAudioError:
            clip = None
        if clip is not None:
            audio_results = analyse_batch(
                clip.samples,
                namespace="detection",
                embeddings=embeddings,
                generator_detection=generator_detection,
                speaking_rate_labels=3,
                seeds=seeds,
            )
    duration = info.duration_s
    if not info.has_video or duration is None or not duration > 0:
        frames = sample_frames(raw, fps_pred=1.0 / VIDEO_CHUNK_S)  # raises without video
        duration = frames[-1].time_s + VIDEO_CHUNK_S
    file_key = hashlib.blake2b(raw, digest_size=16).digest()
    video_results: list[InferenceResult] = []
    for k, (a, b) in enumerate(_video_chunks(duration)):
        z = _spoof_logits(seeds, file_key + k.to_bytes(4, "big"), "visual_deepfake")
        preds, final = _ranked(CLASSIFIER_LABELS["visual_deepfake"], _softmax(z), None)
        video_results.append(
            InferenceResult(
                str(k), _batch_time(a), _batch_time(b), "visual_deepfake", preds, final, None,
                "utterance",
            )
        )  # fmt: skip
    return audio_results, video_results
