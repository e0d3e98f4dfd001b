"""Tests of the Behavioral Signals prediction engine (SDK README, /docs/definitions, results)."""

from __future__ import annotations

import functools
import itertools
import json
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

from mockserver.core.rng import SeedSource
from mockserver.media.audio import decode_audio
from mockserver.resources import fixture_path
from mockserver.vendors.behavioral.engine import (
    FEATURE_DIM,
    SPEAKER_DIM,
    analyse_batch,
    analyse_video,
    format_probability,
    window_results,
)
from mockserver.vendors.behavioral.results import InferenceResult
from mockserver.vendors.behavioral.tasks import (
    BATCH_BEHAVIORAL_TASKS,
    BATCH_DEEPFAKE_TASKS,
    CLASSIFIER_LABELS,
    GENERATOR_LABELS,
    SPEAKING_RATE_3,
    SPEAKING_RATE_5,
    STREAM_BEHAVIORAL_TASKS,
)

SR = 16000
Audio = npt.NDArray[np.float32]


@functools.cache
def clip(name: str) -> Audio:
    samples: Audio = decode_audio(fixture_path(f"media/{name}").read_bytes()).samples
    return samples


def silence(seconds: float) -> Audio:
    return np.zeros(round(seconds * SR), dtype=np.float32)


def stretch(x: Audio, factor: float) -> Audio:
    """Play ``factor`` times faster (tempo and pitch both scale)."""
    n = int(len(x) / factor)
    out: Audio = np.interp(np.arange(n) * factor, np.arange(len(x)), x).astype(np.float32)
    return out


def stream(
    x: Audio,
    seed: int = 0,
    *,
    tasks: str = "behavioral",
    logits: bool = False,
    feature_embedding: bool = False,
    rate_labels: int = 3,
) -> dict[str, InferenceResult]:
    rows = window_results(
        x,
        tasks=tasks,  # type: ignore[arg-type]
        level="utterance",
        result_id="7",
        start_s=1.0,
        end_s=1.0 + len(x) / SR,
        logits=logits,
        feature_embedding=feature_embedding,
        speaking_rate_labels=rate_labels,
        seeds=SeedSource(seed),
    )
    return {r.task: r for r in rows}


def posterior(row: InferenceResult, label: str) -> float:
    (match,) = [p for p in row.prediction if p.label == label]
    assert match.posterior is not None
    return float(match.posterior)


def mean_posterior(x: Audio, task: str, label: str, seeds: Sequence[int] = range(8)) -> float:
    return float(np.mean([posterior(stream(x, s)[task], label) for s in seeds]))


def floats(embedding: str | None) -> list[float]:
    assert embedding
    values = json.loads(embedding)
    assert all(isinstance(v, float) for v in values)
    return [float(v) for v in values]


# -- streaming rows: format ------------------------------------------------------------------


def test_stream_rows_follow_the_task_order_and_wire_format() -> None:
    rows = window_results(
        clip("speech_16k.wav"), tasks="behavioral", level="segment", result_id="3",
        start_s=0.0, end_s=2.0, logits=False, feature_embedding=False, speaking_rate_labels=3,
        seeds=SeedSource(1),
    )  # fmt: skip
    assert tuple(r.task for r in rows) == STREAM_BEHAVIORAL_TASKS
    for r in rows:
        assert (r.id, r.start_time, r.end_time, r.level, r.embedding) == (
            "3", "0.00", "2.00", "segment", ""
        )  # fmt: skip
        if r.task == "features":
            assert [(p.label, p.posterior) for p in r.prediction] == [("", "")]
            assert r.final_label == ""
        elif r.task == "intensity":
            (p,) = r.prediction
            assert (p.label, p.posterior, p.logit, r.final_label) == ("", None, None, "")
            assert p.score is not None and 0.0 < float(p.score) < 1.0
            assert p.score == str(np.float32(round(float(p.score), 4)))
        else:
            labels = SPEAKING_RATE_3 if r.task == "speaking_rate" else CLASSIFIER_LABELS[r.task]
            assert sorted(p.label for p in r.prediction) == sorted(labels)
            values = [float(p.posterior or "nan") for p in r.prediction]
            assert values == sorted(values, reverse=True)
            assert sum(values) == pytest.approx(1.0, abs=2e-3)
            assert r.final_label == r.prediction[0].label
            for p in r.prediction:
                assert p.posterior == str(np.float32(round(float(p.posterior or "nan"), 4)))
                assert p.logit is None and p.score is None


def test_logits_are_present_only_when_asked_and_match_the_posteriors() -> None:
    rows = stream(clip("speech_16k.wav"), logits=True)
    for task, row in rows.items():
        if task in ("features", "intensity"):
            assert all(p.logit is None for p in row.prediction)
            continue
        z = np.array([float(p.logit or "nan") for p in row.prediction])
        soft = np.exp(z - z.max()) / np.exp(z - z.max()).sum()
        got = np.array([float(p.posterior or "nan") for p in row.prediction])
        assert np.allclose(soft, got, atol=2e-3), task


def test_feature_embedding_is_768_floats_deterministic_per_content_and_seed() -> None:
    x = clip("speech_16k.wav")
    emb = stream(x, feature_embedding=True)["features"].embedding
    values = floats(emb)
    assert len(values) == FEATURE_DIM
    assert emb == stream(x.copy(), feature_embedding=True)["features"].embedding
    assert emb != stream(x, seed=1, feature_embedding=True)["features"].embedding
    assert emb != stream(x[:-1], feature_embedding=True)["features"].embedding
    assert emb == json.dumps(values)  # Python float reprs, ", " separated


def test_deepfake_stream_rows() -> None:
    x = clip("speech_16k.wav")
    assert list(stream(x, tasks="deepfake")) == ["deepfake"]
    rows = stream(x, tasks="deepfake", feature_embedding=True, logits=True)
    assert list(rows) == ["features", "deepfake"]
    assert len(floats(rows["features"].embedding)) == FEATURE_DIM
    assert rows["deepfake"].embedding == ""
    assert {p.label for p in rows["deepfake"].prediction} == {"bonafide", "spoofed"}
    assert all(p.logit is not None for p in rows["deepfake"].prediction)


def test_speaking_rate_label_sets() -> None:
    x = clip("speech_16k.wav")
    three = stream(x, rate_labels=3)["speaking_rate"]
    five = stream(x, rate_labels=5)["speaking_rate"]
    assert sorted(p.label for p in three.prediction) == sorted(SPEAKING_RATE_3)
    assert sorted(p.label for p in five.prediction) == sorted(SPEAKING_RATE_5)


def test_same_content_and_seed_give_the_same_rows_other_seeds_differ() -> None:
    x = clip("speech_16k.wav")
    assert stream(x, 5) == stream(x.copy(), 5)
    assert stream(x, 5) != stream(x, 6)


# -- streaming rows: directions ----------------------------------------------------------------


def test_loud_speech_is_strong_and_intense_quiet_speech_is_weak() -> None:
    loud, quiet = stream(clip("speech_loud.wav")), stream(clip("speech_quiet.wav"))
    assert posterior(loud["strength"], "strong") > posterior(quiet["strength"], "strong") + 0.3
    assert quiet["strength"].final_label == "weak"
    assert posterior(quiet["strength"], "weak") > 0.8
    assert float(loud["intensity"].prediction[0].score or 0) > 0.6
    assert float(quiet["intensity"].prediction[0].score or 1) < 0.2


def test_pitch_decides_gender() -> None:
    for seed in range(5):
        low = stream(clip("speech_low_pitch.wav"), seed)["gender"]
        high = stream(clip("speech_high_pitch.wav"), seed)["gender"]
        assert low.final_label == "male" and posterior(low, "male") > 0.95
        assert high.final_label == "female" and posterior(high, "female") > 0.95


def test_speaking_rate_follows_tempo() -> None:
    x = clip("speech_16k.wav")
    fast, slow = stretch(x, 1.6), stretch(x, 0.6)
    assert stream(fast)["speaking_rate"].final_label == "fast"
    assert stream(slow)["speaking_rate"].final_label == "slow"
    assert stream(x)["speaking_rate"].final_label == "normal"
    five = stream(fast, rate_labels=5)["speaking_rate"]
    assert five.final_label in ("fast", "very fast")


def test_arousal_drives_emotion_and_engagement() -> None:
    loud, quiet = clip("speech_loud.wav"), clip("speech_quiet.wav")
    assert mean_posterior(quiet, "emotion", "sad") > mean_posterior(loud, "emotion", "sad") + 0.3
    aroused = mean_posterior(loud, "emotion", "angry") + mean_posterior(loud, "emotion", "happy")
    calm = mean_posterior(quiet, "emotion", "angry") + mean_posterior(quiet, "emotion", "happy")
    assert aroused > calm + 0.2
    assert mean_posterior(loud, "engagement", "engaged") > mean_posterior(
        quiet, "engagement", "engaged"
    )
    assert stream(quiet)["engagement"].final_label == "withdrawn"


def test_valence_drives_positivity() -> None:
    bright, dark = clip("speech_high_pitch.wav"), clip("speech_low_pitch.wav")
    assert mean_posterior(bright, "positivity", "positive") > mean_posterior(
        dark, "positivity", "positive"
    )
    assert mean_posterior(bright, "positivity", "negative") < mean_posterior(
        dark, "positivity", "negative"
    )


def test_pauses_raise_hesitation() -> None:
    x = clip("speech_16k.wav")
    pieces = np.array_split(x, 6)
    paused = np.concatenate([p for piece in pieces for p in (piece, silence(0.45))])
    assert (
        mean_posterior(paused, "hesitation", "yes") > mean_posterior(x, "hesitation", "yes") + 0.1
    )


def test_age_depends_on_voice_brightness_with_seeded_spread() -> None:
    def mean_bin(x: Audio) -> float:
        labels = CLASSIFIER_LABELS["age"]
        return float(
            np.mean([labels.index(stream(x, s)["age"].final_label) for s in range(16)])
        )  # fmt: skip

    assert mean_bin(clip("speech_16k.wav")) > mean_bin(clip("speech_high_pitch.wav"))
    finals = {stream(clip("speech_16k.wav"), s)["age"].final_label for s in range(16)}
    assert len(finals) >= 2  # the seed spreads the estimate


def test_deepfake_is_mostly_bonafide_and_content_keyed() -> None:
    x = clip("speech_16k.wav")
    verdicts = [stream(x, s, tasks="deepfake")["deepfake"].final_label for s in range(300)]
    share = verdicts.count("spoofed") / len(verdicts)
    assert 0.03 < share < 0.2
    assert verdicts == [stream(x, s, tasks="deepfake")["deepfake"].final_label for s in range(300)]
    for s in range(20):
        row = stream(x, s, tasks="deepfake")["deepfake"]
        assert posterior(row, row.final_label) > 0.9


def test_silent_window_does_not_crash() -> None:
    rows = stream(silence(1.0))
    assert rows["gender"].final_label in ("male", "female")


# -- batch -----------------------------------------------------------------------------------


def batch(x: Audio, seed: int = 0, **kwargs: Any) -> list[InferenceResult]:
    options: dict[str, Any] = {
        "namespace": "behavioral", "embeddings": False, "generator_detection": False,
        "speaking_rate_labels": 3,
    }  # fmt: skip
    options.update(kwargs)
    return analyse_batch(x, seeds=SeedSource(seed), **options)


def by_utterance(rows: list[InferenceResult]) -> dict[str, list[InferenceResult]]:
    out: dict[str, list[InferenceResult]] = {}
    for r in rows:
        out.setdefault(r.id, []).append(r)
    return out


def test_batch_rows_per_utterance_in_task_order() -> None:
    rows = batch(clip("speech_pauses_16k.wav"))
    groups = by_utterance(rows)
    assert list(groups) == ["0", "1"]
    expected = [t for t in BATCH_BEHAVIORAL_TASKS if t != "features"]
    for uid, group in groups.items():
        assert [r.task for r in group] == expected
        assert len({(r.start_time, r.end_time) for r in group}) == 1
        assert all(r.level == "utterance" and r.embedding is None for r in group)
        assert group[0].start_time == repr(round(float(group[0].start_time), 3))
        asr, diar, lang = group[:3]
        assert asr.prediction[0].label.startswith(" [transcript unavailable")
        assert asr.final_label == asr.prediction[0].label and asr.prediction[0].posterior is None
        assert diar.final_label == "SPEAKER_00" and diar.prediction[0].posterior is None
        assert lang.prediction[0].label == "en" and len(lang.prediction) == 3
        probs = [float(p.posterior or "nan") for p in lang.prediction]
        assert probs == sorted(probs, reverse=True)
        for p in lang.prediction:  # float16 values, unrounded text (real results)
            assert p.posterior == repr(float(np.float16(float(p.posterior or "nan"))))
        assert uid in ("0", "1")
    first, second = groups["0"][0], groups["1"][0]
    assert 0.1 < float(first.start_time) < 0.5
    assert 3.8 < float(first.end_time) < 4.6
    assert float(second.start_time) - float(first.end_time) > 1.2
    # JSON rendering keeps exactly the batch keys with explicit nulls (real results)
    item = rows[0].to_rest()
    assert list(item) == [
        "id", "startTime", "endTime", "task", "prediction", "finalLabel", "level", "embedding",
    ]  # fmt: skip


def test_batch_intensity_row_is_a_score_like_the_streamed_one() -> None:
    loud, quiet = clip("speech_loud.wav"), clip("speech_quiet.wav")
    scores = {}
    for name, x in (("loud", loud), ("quiet", quiet)):
        rows = batch(np.concatenate([silence(0.3), x, silence(0.3)]))
        last = rows[-1]
        assert [r.task for r in rows].count("intensity") == 1 and last.task == "intensity"
        (pred,) = last.prediction
        assert pred.label == "" and pred.posterior is None and pred.logit is None
        assert pred.score == format_probability(float(pred.score or "nan"))
        assert last.final_label == "" and last.embedding is None and last.level == "utterance"
        assert last.to_rest()["prediction"] == [
            {"label": None, "posterior": None, "dominantInSegments": [], "score": pred.score}
        ]
        assert last.to_rest()["finalLabel"] is None
        scores[name] = float(pred.score or "nan")
        streamed = float(stream(x)["intensity"].prediction[0].score or "nan")
        assert 0.0 < scores[name] < 1.0 and 0.0 < streamed < 1.0
    assert scores["loud"] > scores["quiet"] + 0.2


def test_batch_embeddings() -> None:
    rows = batch(clip("speech_pauses_16k.wav"), embeddings=True)
    groups = by_utterance(rows)
    for group in groups.values():
        assert [r.task for r in group] == list(BATCH_BEHAVIORAL_TASKS)
        features = group[3]
        assert features.task == "features"
        assert features.prediction[0].label == "" and features.prediction[0].posterior is None
        assert features.to_rest()["prediction"][0]["label"] is None
        assert features.to_rest()["finalLabel"] is None
        assert len(floats(features.embedding)) == FEATURE_DIM
    # one speaker: only its first utterance carries the 192-float speaker embedding
    assert len(floats(groups["0"][1].embedding)) == SPEAKER_DIM
    assert groups["1"][1].embedding is None


def test_short_utterances_get_only_asr_diarization_language() -> None:
    x = clip("speech_16k.wav")
    audio = np.concatenate([silence(0.3), x[: round(0.6 * SR)], silence(1.0), x, silence(0.3)])
    groups = by_utterance(batch(audio))
    assert [r.task for r in groups["0"]] == ["asr", "diarization", "language"]
    assert len(groups["1"]) == len(BATCH_BEHAVIORAL_TASKS) - 1


def test_two_voices_are_two_speakers_with_per_speaker_gender_and_age() -> None:
    low, high = clip("speech_low_pitch.wav"), clip("speech_high_pitch.wav")
    gap = silence(1.0)
    audio = np.concatenate([low, gap, high, gap, low[: round(2.5 * SR)], gap])
    groups = by_utterance(batch(audio, embeddings=True))
    assert len(groups) == 3

    def task(uid: str, name: str) -> InferenceResult:
        (row,) = [r for r in groups[uid] if r.task == name]
        return row

    assert [task(u, "diarization").final_label for u in "012"] == [
        "SPEAKER_00", "SPEAKER_01", "SPEAKER_00"
    ]  # fmt: skip
    assert task("0", "diarization").embedding and task("1", "diarization").embedding
    assert task("2", "diarization").embedding is None
    assert task("0", "gender").final_label == "male"
    assert task("1", "gender").final_label == "female"
    for name in ("gender", "age"):  # averaged over the speaker: identical rows
        assert task("0", name).prediction == task("2", name).prediction
    assert task("0", "emotion").prediction != task("2", "emotion").prediction


def test_batch_speaking_rate_five_labels() -> None:
    rows = batch(clip("speech_16k.wav"), speaking_rate_labels=5)
    (row,) = [r for r in rows if r.task == "speaking_rate"]
    assert sorted(p.label for p in row.prediction) == sorted(SPEAKING_RATE_5)


def test_batch_silence_gives_no_rows() -> None:
    assert batch(clip("silence_16k.wav")) == []
    assert batch(clip("noise_16k.wav")) == []


def test_detection_namespace_and_generator_rows() -> None:
    x = clip("speech_16k.wav")
    rows = batch(x, namespace="detection")
    assert [r.task for r in rows] == list(BATCH_DEEPFAKE_TASKS)
    spoofed_seed = next(
        s for s in range(500)
        if batch(x, s, namespace="detection")[-1].final_label == "spoofed"
    )  # fmt: skip
    without = batch(x, spoofed_seed, namespace="detection")
    assert [r.task for r in without] == list(BATCH_DEEPFAKE_TASKS)
    rows = batch(x, spoofed_seed, namespace="detection", generator_detection=True)
    assert [r.task for r in rows] == [*BATCH_DEEPFAKE_TASKS, "generator"]
    generator = rows[-1]
    assert sorted(p.label for p in generator.prediction) == sorted(GENERATOR_LABELS)
    assert generator.final_label == generator.prediction[0].label
    bonafide_seed = next(
        s for s in range(500)
        if batch(x, s, namespace="detection")[-1].final_label == "bonafide"
    )  # fmt: skip
    rows = batch(x, bonafide_seed, namespace="detection", generator_detection=True)
    assert [r.task for r in rows] == list(BATCH_DEEPFAKE_TASKS)


def test_batch_is_deterministic() -> None:
    x = clip("speech_pauses_16k.wav")
    assert batch(x, 3, embeddings=True) == batch(x.copy(), 3, embeddings=True)


# -- video -----------------------------------------------------------------------------------


def test_video_with_audio() -> None:
    raw = fixture_path("media/face_speech.mp4").read_bytes()
    audio, video = analyse_video(
        raw, embeddings=False, generator_detection=False, seeds=SeedSource(0)
    )
    assert [r.task for r in audio][:4] == list(BATCH_DEEPFAKE_TASKS)
    assert video and all(r.task == "visual_deepfake" for r in video)
    assert [r.id for r in video] == [str(i) for i in range(len(video))]
    assert video[0].start_time == "0.0"
    for a, b in itertools.pairwise(video):
        assert a.end_time == b.start_time
    assert 3.0 < float(video[-1].end_time) < 3.3
    assert all(r.final_label in ("bonafide", "spoofed") and r.level == "utterance" for r in video)
    again = analyse_video(raw, embeddings=False, generator_detection=False, seeds=SeedSource(0))
    assert again == (audio, video)


def test_video_without_audio() -> None:
    raw = fixture_path("media/face_silent.mp4").read_bytes()
    audio, video = analyse_video(
        raw, embeddings=True, generator_detection=True, seeds=SeedSource(0)
    )
    assert audio == []
    assert [(r.start_time, r.end_time) for r in video] == [("0.0", "2.0")]
