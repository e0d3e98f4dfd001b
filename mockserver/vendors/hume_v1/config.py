"""Settings of the Hume Expression Measurement API v1 emulator.

Flags ``--hume-v1-*``, variables ``MOCKSERVER_HUME_V1_*``, TOML table ``[hume_v1]``. The
documented limits (https://dev.hume.ai/expression-measurement/docs/limits) are the
defaults; the settings exist for what the docs leave open (idle timeout, send-rate burst,
utterance gap) and for tests that want a limit out of the way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mockserver.settings import Setting

__all__ = ["SETTINGS", "HumeV1Settings"]

SETTINGS: tuple[Setting, ...] = (
    Setting(
        "hume_v1.enabled", "bool", True, "Serve the Hume Expression Measurement API v1 emulator.",
    ),
    Setting(
        "hume_v1.port", "int", 8766,
        "One port for HTTP and WebSocket (SDK base and production; 0 = any free port).",
        minimum=0, maximum=65535,
    ),
    Setting(
        "hume_v1.api_keys", "list", ("mock-hume-key",),
        "Accepted X-Hume-Api-Key (repeat the flag for several; env/file: comma list / array).",
        flag="--hume-v1-api-key", metavar="KEY", minimum=1,
    ),
    Setting(
        "hume_v1.labels", "str", "",
        "JSON file with label lists replacing the built-in ones (keys audio_expressions, "
        "voice_attributes, video_expressions, video_descriptions).",
        metavar="FILE",
    ),
    Setting(
        "hume_v1.builtin_labels", "choice", "confirmed",
        "Built-in labels: names confirmed by the docs and SDK (confirmed), or with the video "
        "lists filled out with the v0 face names (v0_candidates, unverified).",
        choices=("confirmed", "v0_candidates"),
    ),
    Setting(
        "hume_v1.idle_timeout_s", "float", 60.0,
        "End a realtime session (session.closed idle_timeout) after this many seconds without "
        "a client message (0 = never).", minimum=0,
    ),
    Setting(
        "hume_v1.utterance_gap_ms", "int", 500,
        "Non-speech that ends an utterance, in milliseconds.", minimum=20, maximum=10000,
    ),
    Setting(
        "hume_v1.audio_send_rate", "float", 1.0,
        "Seconds of audio accepted per second before rate_limited (0 = no limit).", minimum=0,
    ),
    Setting(
        "hume_v1.audio_burst_ms", "int", 10000,
        "Audio a client may send ahead of real time, in milliseconds (token bucket size; "
        "longer frames are always rate_limited).",
        minimum=100,
    ),
    Setting(
        "hume_v1.video_fps", "float", 3.0,
        "Video frames accepted per second before rate_limited (0 = no limit).", minimum=0,
    ),
    Setting(
        "hume_v1.video_burst_frames", "int", 3,
        "Video frames a client may send ahead of the rate (token bucket size).", minimum=1,
    ),
    Setting(
        "hume_v1.max_faces_measured", "int", 2,
        "Faces measured per image, the largest (documented default 2).", minimum=1, maximum=32,
    ),
    Setting(
        "hume_v1.max_audio_message_bytes", "int", 1_048_576,
        "Largest audio realtime message; larger ones end the session (message_too_large).",
        minimum=1,
    ),
    Setting(
        "hume_v1.max_video_message_bytes", "int", 2_000_000,
        "Largest video realtime message; larger ones end the session (message_too_large).",
        minimum=1,
    ),
    Setting(
        "hume_v1.max_upload_bytes", "int", 25_000_000,
        "Largest upload request body (larger: 413 audio_too_long / image_too_large).",
        minimum=1024,
    ),
    Setting(
        "hume_v1.max_image_bytes", "int", 2_000_000,
        "Largest image in a video upload (larger: 413 image_too_large).", minimum=1,
    ),
    Setting(
        "hume_v1.max_image_pixels", "int", 8_294_400,
        "Most pixels in an image or frame (3840 x 2160).", minimum=1,
    ),
    Setting(
        "hume_v1.max_frame_bytes", "int", 16 * 1024 * 1024,
        "Transport limit on a WebSocket message (larger: close 1009 without session.closed); "
        "keep it above the message limits.", minimum=1024,
    ),
    Setting(
        "hume_v1.message_invalid_ends_session", "bool", False,
        "Whether a realtime message_invalid error ends the session (undocumented).",
    ),
    Setting(
        "hume_v1.run_event_cap", "int", 100,
        "Events of one kind logged per run before at_cap (0 = no cap).", minimum=0,
    ),
    Setting(
        "hume_v1.run_silence_s", "float", 300.0,
        "A live run not heard from for this long is reported errored.", minimum=1,
    ),
    Setting(
        "hume_v1.max_runs", "int", 10000,
        "Runs kept in memory; the oldest are forgotten beyond it.", minimum=1,
    ),
    Setting(
        "hume_v1.compression", "bool", False,
        "Negotiate permessage-deflate on the realtime endpoints.",
    ),
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class HumeV1Settings:
    """Resolved Hume v1 settings; see :data:`SETTINGS` for meanings and defaults."""

    enabled: bool = True
    port: int = 8766
    api_keys: tuple[str, ...] = ("mock-hume-key",)
    labels: str = ""
    builtin_labels: str = "confirmed"
    idle_timeout_s: float = 60.0
    utterance_gap_ms: int = 500
    audio_send_rate: float = 1.0
    audio_burst_ms: int = 10000
    video_fps: float = 3.0
    video_burst_frames: int = 3
    max_faces_measured: int = 2
    max_audio_message_bytes: int = 1_048_576
    max_video_message_bytes: int = 2_000_000
    max_upload_bytes: int = 25_000_000
    max_image_bytes: int = 2_000_000
    max_image_pixels: int = 8_294_400
    max_frame_bytes: int = 16 * 1024 * 1024
    message_invalid_ends_session: bool = False
    run_event_cap: int = 100
    run_silence_s: float = 300.0
    max_runs: int = 10000
    compression: bool = False

    @classmethod
    def from_values(cls, values: Mapping[str, Any]) -> HumeV1Settings:
        """Build from resolved values keyed ``hume_v1.<name>``.

        Raises:
            ConfigError: the label file cannot be read or is not valid.
        """
        from .labels import resolve_labels

        prefix = "hume_v1."
        settings = cls(**{k[len(prefix) :]: v for k, v in values.items() if k.startswith(prefix)})
        if settings.labels:
            resolve_labels(settings.labels, settings.builtin_labels)  # fail early, at startup
        return settings
