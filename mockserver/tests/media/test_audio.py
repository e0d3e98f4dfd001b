"""Tests of media decoding (Hume's file types) and PCM16 conversion (Behavioral Signals)."""

from __future__ import annotations

import io
import wave
from typing import cast

import av
import numpy as np
import numpy.typing as npt
import pytest

from mockserver.media.audio import AudioClip, decode_audio, pcm16le_to_float
from mockserver.media.errors import MediaError, NoAudioError, UnrecognisedMediaError
from mockserver.resources import fixture_path


def _tone(freq: float, rate: int, seconds: float, amp: float = 0.5) -> npt.NDArray[np.float32]:
    t = np.arange(round(rate * seconds)) / rate
    return (amp * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def _encode(
    planes: npt.NDArray[np.float32],
    rate: int,
    fmt: str,
    codec: str,
    *,
    video_frames: int = 0,
) -> bytes:
    """Encode ``planes`` (channels, samples) into an in-memory file, optionally with video."""
    buf = io.BytesIO()
    layout = "mono" if planes.shape[0] == 1 else "stereo"
    with av.open(buf, mode="w", format=fmt) as container:
        video = container.add_stream("libx264", rate=10) if video_frames else None
        audio = (
            cast(av.AudioStream, container.add_stream(codec, rate=rate, layout=layout))
            if planes.shape[1]
            else None
        )
        if video is not None:
            video.width, video.height, video.pix_fmt = 64, 64, "yuv420p"
            for i in range(video_frames):
                image = np.full((64, 64, 3), (i * 20) % 255, dtype=np.uint8)
                frame = av.VideoFrame.from_ndarray(image, format="rgb24")
                frame.pts = i
                container.mux(video.encode(frame))
            container.mux(video.encode(None))
        if audio is not None:
            sample_fmt = str(audio.codec_context.format.name)
            size = audio.codec_context.frame_size or 1024
            for pts in range(0, planes.shape[1], size):
                chunk = planes[:, pts : pts + size]
                data = chunk if sample_fmt.endswith("p") else chunk.T.reshape(1, -1)
                if sample_fmt.startswith("s16"):
                    data = np.round(data * 32767).astype(np.int16)
                elif sample_fmt.startswith("s32"):
                    data = np.round(data * 2147483000.0).astype(np.int32)
                aframe = av.AudioFrame.from_ndarray(
                    np.ascontiguousarray(data), format=sample_fmt, layout=layout
                )
                aframe.sample_rate, aframe.pts = rate, pts
                container.mux(audio.encode(aframe))
            container.mux(audio.encode(None))
    return buf.getvalue()


def _rms_db(x: npt.NDArray[np.float32]) -> float:
    return float(20 * np.log10(np.sqrt(np.mean(np.square(x, dtype=np.float64))) + 1e-20))


def _peak_hz(clip: AudioClip) -> float:
    body = clip.samples[2000:-2000].astype(np.float64)
    spectrum = np.abs(np.fft.rfft(body * np.hanning(len(body))))
    return float(np.fft.rfftfreq(len(body), 1 / clip.sample_rate)[int(np.argmax(spectrum))])


# --- pcm16le_to_float -------------------------------------------------------------------


def test_pcm16le_to_float_values() -> None:
    raw = np.array([0, 1, -1, 32767, -32768, 16384], dtype="<i2").tobytes()
    out = pcm16le_to_float(raw)
    assert out.dtype == np.float32
    expected = np.array([0, 1 / 32768, -1 / 32768, 32767 / 32768, -1.0, 0.5], dtype=np.float32)
    assert np.array_equal(out, expected)
    assert len(pcm16le_to_float(b"")) == 0


def test_pcm16le_to_float_rejects_odd_length() -> None:
    with pytest.raises(ValueError):
        pcm16le_to_float(b"\x00\x01\x02")


# --- decode_audio -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "codec", "rate", "channels"),
    [
        ("wav", "pcm_s16le", 44100, 2),
        ("wav", "pcm_s16le", 8000, 1),
        ("mp3", "libmp3lame", 44100, 1),
        ("mp4", "aac", 48000, 2),
        ("webm", "libopus", 48000, 1),
        ("ogg", "libopus", 48000, 2),
        ("flac", "flac", 22050, 1),
    ],
)
def test_decodes_common_formats_to_16k_mono(fmt: str, codec: str, rate: int, channels: int) -> None:
    tone = _tone(440.0, rate, 1.0)
    raw = _encode(np.tile(tone, (channels, 1)), rate, fmt, codec)
    clip = decode_audio(raw)
    assert clip.sample_rate == 16000
    assert clip.samples.dtype == np.float32
    assert clip.samples.ndim == 1
    assert abs(clip.duration_s - 1.0) < 0.06
    assert abs(_peak_hz(clip) - 440.0) < 3.0
    assert abs(_rms_db(clip.samples[2000:-2000]) - _rms_db(tone)) < 0.5
    assert float(np.max(np.abs(clip.samples))) <= 1.0


def test_stereo_is_downmixed_by_averaging() -> None:
    left = _tone(440.0, 16000, 1.0, amp=0.8)
    raw = _encode(np.stack([left, np.zeros_like(left)]), 16000, "wav", "pcm_s16le")
    clip = decode_audio(raw)
    assert abs(_rms_db(clip.samples) - _rms_db(left * 0.5)) < 0.05


def test_other_sample_rates_and_duration() -> None:
    raw = _encode(_tone(300.0, 44100, 0.5)[None, :], 44100, "wav", "pcm_s16le")
    clip = decode_audio(raw, sample_rate=8000)
    assert clip.sample_rate == 8000
    assert abs(len(clip.samples) - 4000) <= 2
    assert clip.duration_s == len(clip.samples) / 8000


def test_video_with_audio_yields_its_audio() -> None:
    raw = _encode(_tone(440.0, 48000, 1.0)[None, :], 48000, "mp4", "aac", video_frames=10)
    clip = decode_audio(raw)
    assert abs(clip.duration_s - 1.0) < 0.06
    assert abs(_peak_hz(clip) - 440.0) < 3.0


def test_video_without_audio_raises_no_audio() -> None:
    raw = _encode(np.zeros((1, 0), dtype=np.float32), 48000, "mp4", "aac", video_frames=10)
    with pytest.raises(NoAudioError):
        decode_audio(raw)


def test_wav_without_samples_raises_no_audio() -> None:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes(b"")
    with pytest.raises(NoAudioError):
        decode_audio(buf.getvalue())


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"hello, this is not a media file" * 20,
        np.random.default_rng(0).bytes(20000),
        (np.random.default_rng(1).standard_normal(16000) * 3000).astype("<i2").tobytes(),
    ],
    ids=["empty", "text", "random", "headerless-pcm"],
)
def test_unrecognised_bytes(raw: bytes, capfd: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(UnrecognisedMediaError) as info:
        decode_audio(raw)
    assert isinstance(info.value, MediaError)
    out, err = capfd.readouterr()
    assert out == "" and err == ""  # FFmpeg's log lines do not leak


def test_truncated_file_decodes_what_is_there() -> None:
    raw = _encode(_tone(440.0, 44100, 2.0)[None, :], 44100, "mp3", "libmp3lame")
    clip = decode_audio(raw[: len(raw) // 2])
    assert 0.5 < clip.duration_s < 1.5


def test_max_seconds_stops_decoding_early() -> None:
    raw = _encode(_tone(440.0, 16000, 10.0)[None, :], 16000, "wav", "pcm_s16le")
    clip = decode_audio(raw, max_seconds=2.0)
    assert 2.0 < clip.duration_s < 3.0
    assert abs(decode_audio(raw).duration_s - 10.0) < 0.01
    short = decode_audio(raw, max_seconds=20.0)
    assert abs(short.duration_s - 10.0) < 0.01


def test_loud_lossy_audio_is_clipped_to_unit_range() -> None:
    square = np.sign(_tone(200.0, 44100, 1.0)).astype(np.float32)
    clip = decode_audio(_encode(square[None, :], 44100, "mp3", "libmp3lame"))
    assert float(np.max(np.abs(clip.samples))) <= 1.0


# --- fixtures/media -----------------------------------------------------------------------


def _fixture(name: str) -> bytes:
    return fixture_path(f"media/{name}").read_bytes()


@pytest.mark.parametrize(
    "name", ["speech_16k.wav", "speech.mp3", "speech.webm", "face_speech.mp4", "burst.wav"]
)
def test_fixture_media_decodes(name: str) -> None:
    clip = decode_audio(_fixture(name))
    assert clip.sample_rate == 16000
    assert clip.duration_s > 0.5
    assert float(np.max(np.abs(clip.samples))) > 0.01


def test_fixture_formats_agree_on_duration() -> None:
    wav = decode_audio(_fixture("speech_16k.wav"))
    mp3 = decode_audio(_fixture("speech.mp3"))
    assert abs(wav.duration_s - mp3.duration_s) < 0.15


def test_fixture_video_without_audio() -> None:
    with pytest.raises(NoAudioError):
        decode_audio(_fixture("face_silent.mp4"))


def test_fixture_long_speech_stops_past_the_limit() -> None:
    raw = _fixture("speech_long_16k.wav")
    assert decode_audio(raw).duration_s > 6.0
    limited = decode_audio(raw, max_seconds=5.0)
    assert 5.0 < limited.duration_s < 5.5
