"""Decode a still image into an RGB pixel array for the face model.

The face model sees images the way a camera-roll viewer shows them: EXIF orientation applied,
transparency composited onto white, high-bit-depth samples scaled to 8 bits. Formats Pillow
cannot read but FFmpeg can (``ppm_pipe``-style single pictures, see :mod:`~.probe`) fall back to
FFmpeg. Size limits (E0205) are the session's job and must be checked before decoding.
"""

from __future__ import annotations

import io

import numpy as np
import numpy.typing as npt
from PIL import Image, ImageOps, UnidentifiedImageError

from mockserver.media.errors import UnrecognisedMediaError

__all__ = ["decode_image"]

_ALPHA_MODES = frozenset({"RGBA", "RGBa", "LA", "La", "PA"})
_WIDE_GRAY_MODES = frozenset({"I", "I;16", "I;16B", "I;16L", "I;16N", "F"})


def decode_image(raw: bytes) -> npt.NDArray[np.uint8]:
    """Decode ``raw`` into an ``H x W x 3`` RGB ``uint8`` array (first frame of animations).

    Raises:
        UnrecognisedMediaError: the bytes are not a decodable image (E0200).
    """
    try:
        with Image.open(io.BytesIO(raw)) as opened:
            opened.seek(0)
            upright = ImageOps.exif_transpose(opened)
            return _to_rgb(upright)
    except UnidentifiedImageError:
        return _decode_with_ffmpeg(raw)
    except Image.DecompressionBombError:
        raise UnrecognisedMediaError("image too large to decode") from None
    except Exception:  # Pillow decoders raise OSError, ValueError, SyntaxError, EOFError...
        raise UnrecognisedMediaError("corrupt or truncated image") from None


def _to_rgb(im: Image.Image) -> npt.NDArray[np.uint8]:
    """Convert any Pillow mode to contiguous RGB, compositing transparency onto white."""
    if im.mode in _WIDE_GRAY_MODES:
        gray = _scale_to_8bit(np.asarray(im))
        return np.ascontiguousarray(np.repeat(gray[:, :, None], 3, axis=2))
    if im.mode in _ALPHA_MODES or "transparency" in im.info:
        return _over_white(np.asarray(im.convert("RGBA")))
    return np.array(im.convert("RGB"), dtype=np.uint8)


def _over_white(rgba: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
    """Composite an ``H x W x 4`` RGBA array onto a white background."""
    alpha = rgba[:, :, 3:4].astype(np.float32) / 255.0
    rgb = rgba[:, :, :3].astype(np.float32) * alpha + 255.0 * (1.0 - alpha)
    return np.ascontiguousarray(np.clip(np.rint(rgb), 0, 255).astype(np.uint8))


def _scale_to_8bit(values: npt.NDArray[np.generic]) -> npt.NDArray[np.uint8]:
    """Map 16-bit, 32-bit integer or float gray samples onto 0..255."""
    data = values.astype(np.float64)
    if np.issubdtype(values.dtype, np.floating):
        top = 1.0 if float(np.nanmax(data, initial=0.0)) <= 1.0 else 255.0
    else:
        peak = float(data.max(initial=0.0))
        top = 255.0 if peak <= 255.0 else (65535.0 if peak <= 65535.0 else peak)
    scaled = np.nan_to_num(data / top * 255.0, nan=0.0)
    return np.clip(np.rint(scaled), 0, 255).astype(np.uint8)


def _decode_with_ffmpeg(raw: bytes) -> npt.NDArray[np.uint8]:
    """Decode the first picture of a file only FFmpeg understands."""
    import av  # noqa: PLC0415  PyAV: only for images Pillow cannot decode
    import av.logging  # noqa: PLC0415  (the same)

    with av.logging.Capture(local=True):
        try:
            with av.open(io.BytesIO(raw), mode="r") as container:
                if not container.streams.video:
                    raise UnrecognisedMediaError("not an image")
                for frame in container.decode(video=0):
                    return _over_white(np.asarray(frame.to_ndarray(format="rgba"), dtype=np.uint8))
        except UnrecognisedMediaError:
            raise
        except Exception:  # FFmpegError and friends, on untrusted bytes
            raise UnrecognisedMediaError("not a decodable image") from None
    raise UnrecognisedMediaError("image without pixels")
