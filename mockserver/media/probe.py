"""Classify media bytes into the file types the Hume streaming API reports.

The server detects a file type (``audio``, ``video``, ``video_no_audio``, ``image``; the
names appear in E0102's text and in batch output) before any model runs; E0102 quotes it,
E0203/E0204/E0205 check durations and sizes against it, and unrecognised bytes (random data,
headerless PCM, text, truncated files) are E0200. Probing reads headers only: images through
Pillow's format plugins (no pixel decoding, no decompression-bomb check, since the size limit
is checked later), all other media through FFmpeg (PyAV) demuxing, without decoding (every
packet of the main stream is demuxed, which is cheap, to reject empty and truncated files).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from PIL import Image

from mockserver.media.errors import UnrecognisedMediaError

if TYPE_CHECKING:
    import av.container
    import av.stream
    from PIL import ImageFile

__all__ = ["FileKind", "MediaInfo", "is_video_track", "probe"]

FileKind = Literal["audio", "video", "video_no_audio", "image"]

#: Pillow formats recognised as still images, tried in this order (Hume recommends png, jpeg).
_PILLOW_FORMATS: tuple[str, ...] = ("PNG", "JPEG", "GIF", "BMP", "WEBP", "TIFF")

#: Video codecs FFmpeg can "detect" in non-media data; never treated as video.
_TEXT_VIDEO_CODECS = frozenset({"ansi", "tty", "bintext", "xbin", "idf"})


@dataclass(frozen=True, slots=True)
class MediaInfo:
    """What :func:`probe` learned about a media file (the detected file types of E0102's text)."""

    kind: FileKind
    container: str  # "png", "jpeg", "wav", "mp3", "mov,mp4,m4a,3gp,3g2,mj2", "matroska,webm"
    duration_s: float | None  # audio/video duration from the container/streams; None for images
    width: int | None
    height: int | None
    has_audio: bool
    has_video: bool


def probe(raw: bytes) -> MediaInfo:
    """Classify ``raw`` without decoding it.

    Raises:
        UnrecognisedMediaError: the bytes are no image, audio or video file FFmpeg or Pillow
            understands (E0200), with a short reason.
    """
    if not raw:
        raise UnrecognisedMediaError("empty media")
    image = _probe_image(raw)
    if image is not None:
        return image
    return _probe_av(raw)


# --------------------------------------------------------------------------------- images


def _probe_image(raw: bytes) -> MediaInfo | None:
    """Read an image header with Pillow, or return None if no image plugin accepts ``raw``.

    The plugin factories are called directly, as :func:`PIL.Image.open` does, but without its
    decompression-bomb check: a 3001x3001 (or far larger) image must probe fine so that the
    session can answer E0205 with the real size.
    """
    Image.init()
    prefix = raw[:16]
    for name in _PILLOW_FORMATS:
        entry = Image.OPEN.get(name)
        if entry is None:
            continue
        factory, accept = entry
        if accept is not None:
            verdict = accept(prefix)
            if isinstance(verdict, str) or not verdict:
                continue
        try:
            im: ImageFile.ImageFile = factory(io.BytesIO(raw), "")
            width, height = im.size
            if name == "PNG":
                im.verify()  # walks the chunks and their CRCs: cheap, rejects truncation
        except Exception:  # third-party header parsers on untrusted bytes raise anything
            # A matching signature with a broken header is not an image of another kind.
            raise UnrecognisedMediaError(f"corrupt or truncated {name} image") from None
        if name == "JPEG" and not _jpeg_complete(raw):
            raise UnrecognisedMediaError("truncated JPEG image")
        if width <= 0 or height <= 0:
            raise UnrecognisedMediaError(f"{name} image without pixels")
        return MediaInfo(
            kind="image",
            container=name.lower(),  # the container name FFmpeg reports for the file
            duration_s=None,
            width=int(width),
            height=int(height),
            has_audio=False,
            has_video=False,
        )
    return None


def _jpeg_complete(raw: bytes) -> bool:
    """True if an end-of-image marker follows the last start-of-scan marker.

    Entropy-coded data never contains ``FF D9``/``FF DA`` (``FF`` bytes are stuffed), so the
    last SOS belongs to the last scan and a complete file has an EOI after it.
    """
    last_scan = raw.rfind(b"\xff\xda")
    return last_scan >= 0 and raw.find(b"\xff\xd9", last_scan + 2) >= 0


# ---------------------------------------------------------------------------- audio/video


def _is_still_image_format(format_name: str) -> bool:
    """True for FFmpeg's single-picture demuxers (``image2``, ``png_pipe``, ``ppm_pipe``...)."""
    return format_name.startswith("image2") or format_name.endswith("_pipe")


def _probe_av(raw: bytes) -> MediaInfo:
    """Open ``raw`` with FFmpeg and classify its streams."""
    import av  # noqa: PLC0415  PyAV: images are probed with Pillow alone
    import av.logging  # noqa: PLC0415  (the same)

    with av.logging.Capture(local=True):  # swallow FFmpeg's log lines for this thread
        try:
            container = av.open(io.BytesIO(raw), mode="r")
        except (av.FFmpegError, ValueError, OSError, EOFError, UnicodeDecodeError) as exc:
            raise UnrecognisedMediaError(_reason(exc, "not a known media format")) from None
        try:
            return _classify(container)
        except (av.FFmpegError, ValueError, OSError, EOFError) as exc:
            raise UnrecognisedMediaError(_reason(exc, "corrupt media")) from None
        finally:
            container.close()


def _reason(exc: BaseException, fallback: str) -> str:
    """A short reason for an FFmpeg failure, without file names or paths."""
    text = getattr(exc, "strerror", None) or ""
    return f"{fallback} ({text})" if text else fallback


def _classify(container: av.container.InputContainer) -> MediaInfo:
    """Turn the streams of an opened container into a :class:`MediaInfo`."""
    format_name = str(container.format.name)
    audio = [s for s in container.streams.audio if s.codec_context is not None]
    video = [s for s in container.streams.video if is_video_track(s)]
    if not audio and not video:
        raise UnrecognisedMediaError(f"no audio or video stream in {format_name!r} data")

    if video and _is_still_image_format(format_name):
        ctx = video[0].codec_context
        if ctx.width <= 0 or ctx.height <= 0:
            raise UnrecognisedMediaError(f"{format_name!r} picture without a size")
        return MediaInfo(
            kind="image",
            container=format_name,
            duration_s=None,
            width=int(ctx.width),
            height=int(ctx.height),
            has_audio=False,
            has_video=False,
        )

    main = video[0] if video else audio[0]
    _check_packets(container, main)

    kind: FileKind = ("video" if audio else "video_no_audio") if video else "audio"
    width = height = None
    if video:
        ctx = video[0].codec_context
        width, height = int(ctx.width) or None, int(ctx.height) or None
    return MediaInfo(
        kind=kind,
        container=format_name,
        duration_s=_duration(container, main),
        width=width,
        height=height,
        has_audio=bool(audio),
        has_video=bool(video),
    )


def is_video_track(stream: av.stream.Stream) -> bool:
    """A stream that is real video: decodable, not cover art, not FFmpeg's text "video"."""
    from av.stream import Disposition  # noqa: PLC0415  PyAV, as above

    codec = stream.codec_context
    return (
        codec is not None
        and not (stream.disposition & Disposition.attached_pic)
        and codec.name not in _TEXT_VIDEO_CODECS
    )


def _check_packets(container: av.container.InputContainer, stream: av.stream.Stream) -> None:
    """Demux (without decoding) every packet of ``stream``; reject empty or truncated files.

    A file cut short after an intact index (e.g. an MP4 with ``moov`` first) still opens; its
    index promises ``stream.frames`` samples, fewer of which are actually present, and a cut
    through the last sample leaves a packet FFmpeg flags as corrupt.
    """
    present = 0
    last_corrupt = False
    for packet in container.demux(stream):
        if packet.size > 0:
            present += 1
            last_corrupt = packet.is_corrupt
    if present == 0:
        raise UnrecognisedMediaError(f"no media data in {container.format.name!r} file")
    if stream.codec_context.name.startswith("pcm_"):
        return  # a cut PCM file (WAV, AIFF) is just shorter audio, as for any PCM reader
    if last_corrupt or (stream.frames and present < stream.frames):
        raise UnrecognisedMediaError(f"truncated {container.format.name!r} file")


def _duration(container: av.container.InputContainer, stream: av.stream.Stream) -> float | None:
    """Stream duration * time_base, else the container duration, else None (unknown)."""
    if stream.duration is not None and stream.time_base is not None and stream.duration > 0:
        return float(stream.duration * stream.time_base)
    if container.duration is not None and container.duration > 0:
        import av  # noqa: PLC0415  PyAV, as above

        return float(container.duration) / float(av.time_base)
    return None
