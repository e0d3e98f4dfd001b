"""Settings of the Hume Expression Measurement API v1 emulator.

Flags ``--hume-v1-*``, variables ``MOCKSERVER_HUME_V1_*``, TOML table ``[hume_v1]``. The
documented limits (https://dev.hume.ai/expression-measurement/docs/limits) are the
defaults; the settings exist for what the docs leave open (idle timeout, send-rate burst,
utterance gap) and for tests that want a limit out of the way.
"""

from __future__ import annotations

from dataclasses import dataclass

from mockserver.settings import Setting, setting, settings_table

from .labels import resolve_labels

__all__ = ["SETTINGS", "HumeV1Settings"]


@dataclass(frozen=True, slots=True)
class HumeV1Settings:
    """Resolved Hume v1 settings (the one source of their defaults)."""

    enabled: bool = setting(
        True,
        "Serve the Hume Expression Measurement API v1 emulator.",
    )
    port: int = setting(
        8766,
        "One port for HTTP and WebSocket (SDK base and production; 0 = any free port).",
        minimum=0,
        maximum=65535,
    )
    api_keys: tuple[str, ...] = setting(
        ("mock-hume-key",),
        "Accepted X-Hume-Api-Key (repeat the flag for several; env/file: comma list / array).",
        flag="--hume-v1-api-key",
        metavar="KEY",
        minimum=1,
    )
    labels: str = setting(
        "",
        "JSON file with label lists replacing the built-in ones (keys audio_expressions, "
        "voice_attributes, video_expressions, video_descriptions).",
        metavar="FILE",
    )
    builtin_labels: str = setting(
        "confirmed",
        "Built-in labels: names confirmed by the docs and SDK (confirmed), or with the video "
        "lists filled out with the v0 face names (v0_candidates, unverified).",
        choices=("confirmed", "v0_candidates"),
    )
    idle_timeout_s: float = setting(
        60.0,
        "End a realtime session (session.closed idle_timeout) after this many seconds without "
        "a client message (0 = never).",
        minimum=0,
    )
    utterance_gap_ms: int = setting(
        500,
        "Non-speech that ends an utterance, in milliseconds.",
        minimum=20,
        maximum=10000,
    )
    audio_send_rate: float = setting(
        1.0,
        "Seconds of audio accepted per second before rate_limited (0 = no limit).",
        minimum=0,
    )
    audio_burst_ms: int = setting(
        10000,
        "Audio a client may send ahead of real time, in milliseconds (token bucket size; "
        "longer frames are always rate_limited).",
        minimum=100,
    )
    video_fps: float = setting(
        3.0,
        "Video frames accepted per second before rate_limited (0 = no limit).",
        minimum=0,
    )
    video_burst_frames: int = setting(
        3,
        "Video frames a client may send ahead of the rate (token bucket size).",
        minimum=1,
    )
    max_faces_measured: int = setting(
        2,
        "Faces measured per image, the largest (documented default 2).",
        minimum=1,
        maximum=32,
    )
    max_audio_message_bytes: int = setting(
        1048576,
        "Largest audio realtime message; larger ones end the session (message_too_large).",
        minimum=1,
    )
    max_video_message_bytes: int = setting(
        2000000,
        "Largest video realtime message; larger ones end the session (message_too_large).",
        minimum=1,
    )
    max_upload_bytes: int = setting(
        25000000,
        "Largest upload request body (larger: 413 audio_too_long / image_too_large).",
        minimum=1024,
    )
    max_image_bytes: int = setting(
        2000000,
        "Largest image in a video upload (larger: 413 image_too_large).",
        minimum=1,
    )
    max_image_pixels: int = setting(
        8294400,
        "Most pixels in an image or frame (3840 x 2160).",
        minimum=1,
    )
    max_frame_bytes: int = setting(
        16 * 1024 * 1024,
        "Transport limit on a WebSocket message (larger: close 1009 without session.closed); "
        "keep it above the message limits.",
        minimum=1024,
    )
    message_invalid_ends_session: bool = setting(
        False,
        "Whether a realtime message_invalid error ends the session (undocumented).",
    )
    run_event_cap: int = setting(
        100,
        "Events of one kind logged per run before at_cap (0 = no cap).",
        minimum=0,
    )
    run_silence_s: float = setting(
        300.0,
        "A live run not heard from for this long is reported errored.",
        minimum=1,
    )
    max_runs: int = setting(
        10000,
        "Runs kept in memory; the oldest are forgotten beyond it.",
        minimum=1,
    )
    compression: bool = setting(
        False,
        "Negotiate permessage-deflate on the realtime endpoints.",
    )

    def check(self) -> None:
        """Fail at startup, not on the first connection, for a bad label file.

        Raises:
            ConfigError: the label file cannot be read or is not valid.
        """
        if self.labels:
            resolve_labels(self.labels, self.builtin_labels)


SETTINGS: tuple[Setting, ...] = settings_table(HumeV1Settings, "hume_v1")
