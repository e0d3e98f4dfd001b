"""Run the configured models on one payload (Hume's streaming definition, limits from the streaming
reference and https://dev.hume.ai/docs/expression-measurement/websocket).

Steps, in order: classify ``data`` into a file type (base64 -> E0201, unknown -> E0200);
check every configured model supports that type (E0102, canonical model order); check the
documented limits (E0203-E0207); run each model. A model that finds nothing answers with
its nested warning while the others still return predictions.

This module imports NumPy, PyAV, Pillow and OpenCV; the session imports it lazily.
"""

from __future__ import annotations

import binascii
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Protocol

from mockserver.core.rng import SeedSource
from mockserver.media.audio import AudioClip, decode_audio
from mockserver.media.errors import MediaError, NoAudioError
from mockserver.media.image import decode_image
from mockserver.media.probe import MediaInfo, probe
from mockserver.media.video import sample_frames
from mockserver.media.voice import SpeechRuns, speech_runs

from .burst import predict_bursts
from .codec import PublishRequest
from .config import HumeSettings
from .errors import HumeError, model_warning
from .face import FaceFrame, FaceTracker, predict_faces
from .facemesh import parse_facemesh, predict_facemesh
from .language import predict_language
from .options import ModelConfig
from .payload import decode_base64, file_text, looks_like_facemesh
from .prosody import predict_prosody
from .window import AudioWindow

__all__ = [
    "AUDIO_LIMIT_S",
    "IMAGE_MAX_PX",
    "TEXT_LIMIT",
    "VIDEO_LIMIT_S",
    "ConnectionContext",
    "measure_payload",
    "run_models",
]

AUDIO_LIMIT_S = 5.0  # E0203 (websocket guide, streaming reference)
VIDEO_LIMIT_S = 5.0  # E0204 (websocket guide: "Video: 5000 milliseconds")
IMAGE_MAX_PX = 3000  # E0205 (websocket guide, streaming reference)
TEXT_LIMIT = 10_000  # E0206 (the 10,000-character limit; the code is ours)
SAMPLE_RATE = 16_000
DEFAULT_WINDOW_MS = 5000.0

#: Which detected file types each model accepts (E0102's description on the errors page).
COMPATIBLE: dict[str, frozenset[str]] = {
    "burst": frozenset({"audio", "video"}),
    "prosody": frozenset({"audio", "video"}),
    "face": frozenset({"image", "video", "video_no_audio"}),
    "facemesh": frozenset({"facemesh"}),
    "language": frozenset({"text"}),
}


@dataclass
class ConnectionContext:
    """Model state that lives as long as the WebSocket connection."""

    window: AudioWindow = field(default_factory=AudioWindow)  # reset by reset_stream
    tracker: FaceTracker = field(default_factory=FaceTracker)  # survives reset_stream


@dataclass(frozen=True, slots=True)
class _Text:
    text: str
    file_type: str = "text"


@dataclass(frozen=True, slots=True)
class _Facemesh:
    faces: list[list[tuple[float, float, float]]]
    file_type: str = "facemesh"


@dataclass(frozen=True, slots=True)
class _Media:
    raw: bytes
    info: MediaInfo

    @property
    def file_type(self) -> str:
        return self.info.kind


_Input = _Text | _Facemesh | _Media


def run_models(
    request: PublishRequest,
    models: ModelConfig,
    context: ConnectionContext,
    *,
    settings: HumeSettings,
    seeds: SeedSource,
    measures: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Return ``{model: {"predictions": [...]} | warning}`` for every configured model.

    Args:
        measures: Filled, as far as the payload was read, with what the server measured
            of it (see :func:`measure_payload`), also when an error is raised.
    """
    assert request.data is not None
    measures = {} if measures is None else measures
    item = _classify(request.data, raw_text=request.raw_text, models=models, settings=settings)
    measures.update(_measures_of(item))
    for name in models.names():
        if item.file_type not in COMPATIBLE[name]:
            raise HumeError.make("E0102", model=name, file_type=item.file_type)
    _check_limits(item)

    audio: _Audio | None = None
    if models.prosody or models.burst:
        assert isinstance(item, _Media)
        audio = _audio_for(item, request, context, settings)

    results: dict[str, Any] = {}
    for name in models.names():
        predictions = _RUNNERS[name](item, models, context, audio, seeds)
        results[name] = {"predictions": predictions} if predictions else model_warning(name)
        if name == "face":
            measures["faces"] = len(predictions or ())
    return results


def measure_payload(
    request: PublishRequest, models: ModelConfig | None, *, settings: HumeSettings
) -> dict[str, Any]:
    """What the server measures of a payload, without running a model (for a reply a
    scenario scripts before the engine): ``file_type`` (``audio``, ``video``,
    ``video_no_audio``, ``image``, ``text``, ``facemesh``) and, by type, ``audio_ms``,
    ``video_ms``, ``width`` and ``height`` (pixels), ``text_chars``, ``facemesh_faces``.
    Empty when ``data`` cannot be read (the engine would answer E0200 or E0201)."""
    if request.data is None:
        return {}
    try:
        configured = models or ModelConfig()
        item = _classify(
            request.data, raw_text=request.raw_text, models=configured, settings=settings
        )
    except HumeError:
        return {}
    return _measures_of(item)


def _measures_of(item: _Input) -> dict[str, Any]:
    """The journal's measures of a classified payload (see :func:`measure_payload`)."""
    if isinstance(item, _Text):
        return {"file_type": "text", "text_chars": len(item.text)}
    if isinstance(item, _Facemesh):
        return {"file_type": "facemesh", "facemesh_faces": len(item.faces)}
    info = item.info
    out: dict[str, Any] = {"file_type": info.kind}
    if info.kind == "audio" and info.duration_s is not None:
        out["audio_ms"] = _ms(info.duration_s)
    if info.kind in ("video", "video_no_audio") and info.duration_s is not None:
        out["video_ms"] = _ms(info.duration_s)
    if info.width is not None and info.height is not None:
        out["width"], out["height"] = info.width, info.height
    return out


def _classify(data: str, *, raw_text: bool, models: ModelConfig, settings: HumeSettings) -> _Input:
    """Detect what ``data`` holds (facemesh encodings of the SDKs; raw_text; base64 media)."""
    if models.facemesh and looks_like_facemesh(data):
        return _Facemesh(parse_facemesh(data))  # at most MAX_FACES faces (E0207)
    if raw_text:
        return _Text(data)
    try:
        raw = decode_base64(data, accept_data_urls=settings.accept_data_urls)
    except (binascii.Error, ValueError) as exc:
        raise HumeError.make("E0201", detail=str(exc).rstrip(".")) from None
    if not raw:
        raise HumeError.make("E0200", detail=": the decoded media is empty")
    text = file_text(raw)
    if text is not None:
        return _Text(text)
    try:
        return _Media(raw, probe(raw))
    except MediaError as exc:
        raise HumeError.make("E0200", detail=f" ({exc})") from None


def _check_limits(item: _Input) -> None:
    if isinstance(item, _Text) and len(item.text) > TEXT_LIMIT:
        raise HumeError.make("E0206", limit=TEXT_LIMIT, actual=len(item.text))
    if not isinstance(item, _Media):
        return
    info = item.info
    if info.kind == "image" and (
        (info.width or 0) > IMAGE_MAX_PX or (info.height or 0) > IMAGE_MAX_PX
    ):
        raise HumeError.make(
            "E0205",
            limit_w=IMAGE_MAX_PX,
            limit_h=IMAGE_MAX_PX,
            width=info.width,
            height=info.height,
        )
    if info.kind in ("video", "video_no_audio") and (info.duration_s or 0.0) > VIDEO_LIMIT_S:
        raise HumeError.make(
            "E0204", limit_ms=int(VIDEO_LIMIT_S * 1000), actual_ms=_ms(info.duration_s or 0.0)
        )
    if info.kind == "audio":
        _check_audio_duration(info.duration_s or 0.0)


def _check_audio_duration(seconds: float) -> None:
    """E0203 past ``AUDIO_LIMIT_S`` (1 ms tolerance for container rounding)."""
    if seconds > AUDIO_LIMIT_S + 0.001:
        raise HumeError.make("E0203", limit_ms=int(AUDIO_LIMIT_S * 1000), actual_ms=_ms(seconds))


def _ms(seconds: float) -> int:
    return round(seconds * 1000)


class _Audio(NamedTuple):
    """What the audio models see: the (windowed) clip, its stream offset, its speech runs."""

    clip: AudioClip
    offset_s: float
    runs: SpeechRuns  # the voice activity detection, shared by prosody and burst


def _audio_for(
    item: _Media, request: PublishRequest, context: ConnectionContext, settings: HumeSettings
) -> _Audio:
    """Decode the audio the audio models see, applying the sliding window to audio files."""
    limit = AUDIO_LIMIT_S if item.info.kind == "audio" else VIDEO_LIMIT_S
    try:
        clip = decode_audio(item.raw, sample_rate=SAMPLE_RATE, max_seconds=limit + 0.5)
    except NoAudioError:
        raise HumeError.make("E0202", detail=": the media has no decodable audio stream") from None
    except MediaError as exc:
        raise HumeError.make("E0202", detail=f" ({exc})") from None
    if item.info.kind != "audio":
        return _Audio(
            clip, 0.0, speech_runs(clip)
        )  # the window: audio payloads only (``stream_window_ms``)
    _check_audio_duration(clip.duration_s)
    window_ms = request.stream_window_ms or DEFAULT_WINDOW_MS
    processed, start_s = context.window.compose(clip, window_ms)
    context.window.commit(clip)
    offset = start_s if settings.time_reference == "stream" else 0.0
    return _Audio(processed, offset, speech_runs(processed))


_Runner = Callable[
    [_Input, ModelConfig, ConnectionContext, "_Audio | None", SeedSource],
    "list[dict[str, Any]] | None",
]


def _run_language(
    item: _Input, models: ModelConfig, _c: ConnectionContext, _a: Any, seeds: SeedSource
) -> list[dict[str, Any]]:
    assert isinstance(item, _Text) and models.language is not None
    options = models.language
    return predict_language(
        item.text,
        granularity=options.granularity,
        sentiment=options.sentiment,
        toxicity=options.toxicity,
        seeds=seeds,
    )


def _run_facemesh(
    item: _Input, _m: ModelConfig, _c: ConnectionContext, _a: Any, seeds: SeedSource
) -> list[dict[str, Any]]:
    assert isinstance(item, _Facemesh)
    return predict_facemesh(item.faces, seeds=seeds)


def _run_face(
    item: _Input, models: ModelConfig, context: ConnectionContext, _a: Any, seeds: SeedSource
) -> list[dict[str, Any]]:
    assert isinstance(item, _Media) and models.face is not None
    options = models.face
    try:
        if item.info.kind == "image":
            frames = [FaceFrame(frame=0, time_s=None, rgb=decode_image(item.raw))]
        else:
            frames = [
                FaceFrame(frame=f.index, time_s=f.time_s, rgb=f.rgb)
                for f in sample_frames(item.raw, fps_pred=options.fps_pred or math.inf)
            ]
    except MediaError as exc:
        raise HumeError.make("E0200", detail=f" ({exc})") from None
    return predict_faces(frames, options=options, tracker=context.tracker, seeds=seeds)


class _AudioModel(Protocol):
    def __call__(
        self, clip: AudioClip, *, time_offset_s: float, seeds: SeedSource, runs: SpeechRuns
    ) -> list[dict[str, Any]] | None: ...


def _audio_runner(predict: _AudioModel) -> _Runner:
    """Runner of an audio model (``predict_prosody``, ``predict_bursts``) on the windowed audio."""

    def run(
        _i: _Input,
        _m: ModelConfig,
        _c: ConnectionContext,
        audio: _Audio | None,
        seeds: SeedSource,
    ) -> list[dict[str, Any]] | None:
        assert audio is not None
        return predict(audio.clip, time_offset_s=audio.offset_s, seeds=seeds, runs=audio.runs)

    return run


_RUNNERS: dict[str, _Runner] = {
    "burst": _audio_runner(predict_bursts),
    "face": _run_face,
    "facemesh": _run_facemesh,
    "language": _run_language,
    "prosody": _audio_runner(predict_prosody),
}
