"""Decode video and keep the frames the face model would look at (Hume's ``fps_pred``).

"Number of frames per second to process. Other frames will be omitted from the response."
(``StreamFace.fps_pred``). A frame is kept when ``floor(time * fps_pred)`` has advanced since
the last kept frame, so the first frame is always kept and about ``fps_pred`` frames per second
follow; a rate at or above the video's own keeps every frame. ``index`` is the source frame
number and ``time_s`` the presentation time from the start of the video, as the face
prediction's ``frame``/``time`` fields report them.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from mockserver.media.errors import UnrecognisedMediaError
from mockserver.media.probe import is_video_track

if TYPE_CHECKING:
    from collections.abc import Iterator

    import av.video.frame
    import av.video.stream

__all__ = ["VideoFrame", "sample_frames"]

#: Guards floor() against times like 0.9999999 * fps that mean exactly one bucket boundary.
_EPSILON = 1e-6


@dataclass(frozen=True, slots=True)
class VideoFrame:
    """One decoded, kept video frame."""

    index: int  # source frame number (0-based)
    time_s: float  # presentation time in seconds from the start of the video
    rgb: npt.NDArray[np.uint8]  # H x W x 3


def sample_frames(raw: bytes, *, fps_pred: float, max_frames: int = 600) -> list[VideoFrame]:
    """Decode the first video stream of ``raw`` and keep about ``fps_pred`` frames per second.

    Args:
        raw: A video file (any container/codec FFmpeg decodes).
        fps_pred: Frames per second to keep (``StreamFace.fps_pred``), > 0; a rate at
            or above the video's (or ``inf``) keeps every frame.
        max_frames: Stop after this many kept frames.

    Raises:
        ValueError: ``fps_pred`` is not a positive number or ``max_frames`` < 1.
        UnrecognisedMediaError: no decodable video stream (E0200).
    """
    if not fps_pred > 0:  # also rejects NaN; +inf keeps every frame
        raise ValueError(f"fps_pred must be a positive number, got {fps_pred!r}")
    if max_frames < 1:
        raise ValueError(f"max_frames must be >= 1, got {max_frames!r}")
    import av  # noqa: PLC0415  PyAV: loaded on the first video
    import av.logging  # noqa: PLC0415  (the same)

    with av.logging.Capture(local=True):  # swallow FFmpeg's log lines for this thread
        try:
            container = av.open(io.BytesIO(raw), mode="r")
        except Exception:  # FFmpegError and friends, on untrusted bytes
            raise UnrecognisedMediaError("not a known media format") from None
        try:
            stream = _first_video_stream(container.streams.video)
            if stream is None:
                raise UnrecognisedMediaError("no video stream")
            stream.thread_type = "AUTO"
            return _keep_frames(container.decode(stream), stream, fps_pred, max_frames)
        except UnrecognisedMediaError:
            raise
        except Exception:
            raise UnrecognisedMediaError("video could not be decoded") from None
        finally:
            container.close()


def _first_video_stream(
    streams: tuple[av.video.stream.VideoStream, ...],
) -> av.video.stream.VideoStream | None:
    """The first real video stream, as :func:`~mockserver.media.probe.probe` classifies it."""
    return next((stream for stream in streams if is_video_track(stream)), None)


def _keep_frames(
    frames: Iterator[av.video.frame.VideoFrame],
    stream: av.video.stream.VideoStream,
    fps_pred: float,
    max_frames: int,
) -> list[VideoFrame]:
    """Apply the ``fps_pred`` bucket rule to the decoded ``frames``."""
    rate = stream.average_rate or stream.guessed_rate
    native_fps = float(rate) if rate else None
    keep_all = math.isinf(fps_pred) or (native_fps is not None and fps_pred >= native_fps)
    start: float | None = None
    if stream.start_time is not None and stream.time_base is not None:
        start = float(stream.start_time * stream.time_base)

    kept: list[VideoFrame] = []
    last_bucket: int | None = None
    for index, frame in enumerate(frames):
        t = frame.time
        if t is None:  # no timestamps: assume a constant rate
            t = index / native_fps if native_fps else 0.0
        if start is None:
            start = t
        rel = max(0.0, float(t) - start)
        bucket = index if keep_all else math.floor(rel * fps_pred + _EPSILON)
        if keep_all or last_bucket is None or bucket > last_bucket:
            rgb = np.ascontiguousarray(frame.to_ndarray(format="rgb24"), dtype=np.uint8)
            kept.append(VideoFrame(index=index, time_s=rel, rgb=rgb))
            last_bucket = bucket
            if len(kept) >= max_frames:
                break
    if not kept:
        raise UnrecognisedMediaError("no decodable video frames")
    return kept
