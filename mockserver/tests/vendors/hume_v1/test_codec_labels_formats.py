"""Messages, configurations, label sets and media checks of the v1 emulator."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import pytest

from mockserver.errors import ConfigError
from mockserver.resources import fixture_path
from mockserver.vendors.hume_v1.codec import (
    AudioSessionConfig,
    ClientMessage,
    ConfigProblem,
    FaceSettings,
    encode,
    parse_audio_file_config,
    parse_audio_update,
    parse_client_message,
    parse_video_file_config,
    parse_video_update,
)
from mockserver.vendors.hume_v1.errors import RealtimeFailure
from mockserver.vendors.hume_v1.formats import (
    AudioFormatError,
    audio_frame_problem,
    image_problem,
    upload_pcm,
)
from mockserver.vendors.hume_v1.labels import (
    CONFIRMED,
    DOCUMENTED_COUNTS,
    LIST_NAMES,
    V0_CANDIDATES,
    load_label_file,
    resolve_labels,
)

from .harness import jpeg_fixture


def update(text: str) -> ClientMessage:
    return parse_client_message(text)


# -- configurations ------------------------------------------------------------------------


def test_the_documented_config_error_message_is_reproduced_exactly() -> None:
    # https://dev.hume.ai/expression-measurement/docs/errors (example body)
    with pytest.raises(ConfigProblem) as info:
        parse_audio_file_config('{"timer_ms": 3000}')
    assert info.value.message == (
        "unknown field `timer_ms`, expected `measurement_timer_ms` at line 1 column 11"
    )


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('{"measurement_timer_ms": "3000"}', 'invalid type: string "3000", expected u32'),
        ('{"measurement_timer_ms": 2999}', "invalid value: integer `2999`"),
        ('{"measurement_timer_ms": 10001}', "invalid value: integer `10001`"),
        ('{"measurement_timer_ms": 3000.5}', "invalid type: floating point `3000.5`"),
        ("[]", "expected struct AudioFileConfig"),
        ("{", "at line 1 column 2"),
    ],
)
def test_audio_file_config_problems(text: str, words: str) -> None:
    with pytest.raises(ConfigProblem) as info:
        parse_audio_file_config(text)
    assert words in info.value.message


def test_configs_default_omitted_and_null_fields() -> None:
    assert parse_audio_file_config(None).measurement_timer_ms == 3000
    assert parse_audio_file_config('{"measurement_timer_ms": null}').measurement_timer_ms == 3000
    assert parse_audio_file_config('{"measurement_timer_ms": 10000}').measurement_timer_ms == 10000
    video = parse_video_file_config('{"face": {"min_size": 40, "return_face_state": true}}')
    assert video.face == FaceSettings(0.9, 40) and video.return_face_state
    assert parse_video_file_config("").face == FaceSettings()


def test_session_updates_reset_omitted_fields_and_check_the_format() -> None:
    full = update(
        '{"type": "session.update", "audio": {"type": "audio/pcm", "encoding": "s16le", '
        '"sample_rate": 16000, "channels": 1}, "measurement_timer_ms": 5000}'
    )
    assert parse_audio_update(full) == AudioSessionConfig(5000)
    assert parse_audio_update(update('{"type": "session.update"}')) == AudioSessionConfig(3000)
    for bad, words in (
        ('"audio": {"sample_rate": 44100}', "invalid value: integer `44100`, expected 16000"),
        ('"audio": {"encoding": "f32le"}', "unknown variant `f32le`, expected `s16le`"),
        ('"audio": {"channels": 2}', "invalid value: integer `2`"),
        ('"models": {}', "unknown field `models`"),
    ):
        with pytest.raises(ConfigProblem) as info:
            parse_audio_update(update('{"type": "session.update", ' + bad + "}"))
        assert words in info.value.message
    video = parse_video_update(update('{"type": "session.update", "face": {"threshold": 0.8}}'))
    assert video.face == FaceSettings(0.8, 60)
    assert video.to_json()["image"] == {"type": "image/jpeg"}
    with pytest.raises(ConfigProblem, match="unknown variant `image/png`"):
        parse_video_update(update('{"type": "session.update", "image": {"type": "image/png"}}'))
    with pytest.raises(ConfigProblem, match="expected a number from 0 to 1"):
        parse_video_update(update('{"type": "session.update", "face": {"threshold": 1.5}}'))


@pytest.mark.parametrize(
    "text",
    ["not json", "[1]", '{"kind": "session.update"}', '{"type": 3}', '{"type": "session.flush"}'],
)
def test_unreadable_client_messages_are_message_invalid(text: str) -> None:
    with pytest.raises(RealtimeFailure) as info:
        parse_client_message(text)
    assert info.value.code == "message_invalid"


def test_encode_is_compact_and_refuses_non_finite_numbers() -> None:
    assert encode({"type": "x", "v": [1, 0.5]}) == '{"type":"x","v":[1,0.5]}'
    with pytest.raises(ValueError):
        encode({"v": float("nan")})


# -- labels ----------------------------------------------------------------------------------


def test_builtin_lists_are_sorted_unique_lowercase_and_within_the_documented_sizes() -> None:
    for labels in (CONFIRMED, V0_CANDIDATES):
        for name, names in labels.lists().items():
            assert list(names) == sorted(names), name
            assert len(set(names)) == len(names)
            assert all(n == n.lower().strip() for n in names)
            assert len(names) <= DOCUMENTED_COUNTS[name]
    assert "neutral" in CONFIRMED.audio_expressions
    # the v0 candidates have the documented sizes and keep every confirmed name
    assert len(V0_CANDIDATES.video_expressions) == 48
    assert len(V0_CANDIDATES.video_descriptions) == 27
    assert set(CONFIRMED.video_expressions) <= set(V0_CANDIDATES.video_expressions)
    assert set(CONFIRMED.video_descriptions) <= set(V0_CANDIDATES.video_descriptions)
    assert V0_CANDIDATES.audio_expressions == CONFIRMED.audio_expressions


def test_a_label_file_replaces_the_lists_it_gives(tmp_path: Path) -> None:
    path = tmp_path / "labels.json"
    path.write_text(json.dumps({"voice_attributes": ["breathy", "calm"]}), encoding="utf-8")
    labels = resolve_labels(str(path), "confirmed")
    assert labels.voice_attributes == ("breathy", "calm")
    assert labels.audio_expressions == CONFIRMED.audio_expressions
    assert labels.source == str(path)
    full = {name: [f"{name}-{i}" for i in range(3)] for name in LIST_NAMES}
    path.write_text(json.dumps(full), encoding="utf-8")
    assert load_label_file(path).lists() == {k: tuple(v) for k, v in full.items()}
    assert resolve_labels("", "v0_candidates") is V0_CANDIDATES


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("not json", "not valid JSON"),
        ("[]", "expected a JSON object"),
        ('{"faces": ["x"]}', "unknown key(s) faces"),
        ('{"audio_expressions": []}', "non-empty list"),
        ('{"audio_expressions": ["Joy"]}', "must be lowercase"),
        ('{"audio_expressions": ["joy", "joy"]}', "twice"),
        ('{"audio_expressions": [3]}', "not a name"),
    ],
)
def test_bad_label_files_are_config_errors(tmp_path: Path, content: str, words: str) -> None:
    path = tmp_path / "labels.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError, match="--hume-v1-labels") as info:
        load_label_file(path)
    assert words in str(info.value)
    with pytest.raises(ConfigError, match="cannot read"):
        load_label_file(tmp_path / "missing.json")


# -- media checks ---------------------------------------------------------------------------


def wav(
    rate: int = 16000, channels: int = 1, bits: int = 16, tag: int = 1, data: bytes = b"\0\0"
) -> bytes:
    fmt = struct.pack("<HHIIHH", tag, channels, rate, rate * channels * bits // 8,
                      channels * bits // 8, bits)  # fmt: skip
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt
    body += b"data" + struct.pack("<I", len(data)) + data
    return b"RIFF" + struct.pack("<I", len(body)) + body


def test_upload_audio_formats() -> None:
    assert upload_pcm(wav(data=b"\1\0\2\0")) == (b"\1\0\2\0", "wav")
    assert upload_pcm(b"\xff\xff\0\0") == (b"\xff\xff\0\0", "pcm")  # -1 then 0: not MP3
    refused = {
        "speech.mp3": "unsupported_media_type",
        "face_silent.mp4": "unsupported_media_type",
        "speech_pauses_8k.wav": "audio_decode_failed",
    }
    for name, code in refused.items():
        with pytest.raises(AudioFormatError) as info:
            upload_pcm(fixture_path(f"media/{name}").read_bytes())
        assert info.value.code == code, name
    for data, code in (
        (b"", "audio_decode_failed"),
        (b"\0\0\0", "audio_decode_failed"),
        (b"fLaC\0\0", "unsupported_media_type"),
        (b"OggS\0\0", "unsupported_media_type"),
        (b"RIFF\0\0\0\0AVI LIST", "unsupported_media_type"),
        (wav(rate=44100), "audio_decode_failed"),
        (wav(channels=2), "audio_decode_failed"),
        (wav(bits=8), "audio_decode_failed"),
        (wav(tag=0xFFFE), "audio_decode_failed"),
        (wav()[:-4], "audio_decode_failed"),
    ):
        with pytest.raises(AudioFormatError) as info:
            upload_pcm(data)
        assert info.value.code == code, data[:16]


def test_realtime_audio_frame_rules() -> None:
    assert audio_frame_problem(b"\0\0") is None
    assert audio_frame_problem(b"\0" * 320_000) is None
    assert "empty" in (audio_frame_problem(b"") or "")
    assert "odd" in (audio_frame_problem(b"\0" * 3201) or "")
    assert "10000 ms" in (audio_frame_problem(b"\0" * 320_002) or "")


def test_image_checks_read_the_header_only() -> None:
    face = jpeg_fixture("face.jpg")
    assert image_problem(face, max_pixels=8_294_400) is None
    assert image_problem(b"", max_pixels=1) == image_problem(b"", max_pixels=9)
    problem = image_problem(fixture_path("media/face.png").read_bytes(), max_pixels=10**7)
    assert problem is not None and problem.kind == "not_jpeg"
    problem = image_problem(face, max_pixels=320 * 320 - 1)
    assert problem is not None and problem.kind == "too_large"
    problem = image_problem(b"\xff\xd8\xff\xe0garbage", max_pixels=10**7)
    assert problem is not None and problem.kind == "undecodable"
    # a 20000 x 20000 header is refused from the header alone, never decoded
    huge = b"\xff\xd8\xff\xc0" + struct.pack(">HBHHB", 11, 8, 20000, 20000, 1) + b"\x01\x11\0"
    problem = image_problem(huge, max_pixels=8_294_400)
    assert problem is not None and problem.kind == "too_large" and "20000x20000" in problem.message
