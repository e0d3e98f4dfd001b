"""Settings of the Behavioral Signals emulator (``--behavioral-*``, ``[behavioral]``).

:class:`BehavioralSettings` is the one source of the defaults: the settings table is derived
from its fields.
"""

from __future__ import annotations

from dataclasses import dataclass

from mockserver.settings import Setting, setting, settings_table

from .projects import Project, parse_project

__all__ = ["SETTINGS", "BehavioralSettings"]


@dataclass(frozen=True, slots=True)
class BehavioralSettings:
    """Resolved Behavioral Signals settings."""

    enabled: bool = setting(True, "Serve the Behavioral Signals emulator.")
    grpc_port: int = setting(
        50051, "gRPC streaming port (0 = any free port).", minimum=0, maximum=65535
    )
    rest_port: int = setting(
        8780, "REST API port, served under /v5 (0 = any free port).", minimum=0, maximum=65535
    )
    projects: tuple[str, ...] = setting(
        ("1000:mock-bs-token",),
        "Accepted project as CID:TOKEN (repeat the flag for several).",
        flag="--behavioral-project",
        metavar="CID:TOKEN",
        minimum=1,
        item_check="cid:token",
    )
    pacing: str = setting(
        "fast",
        "Deliver stream results as soon as computed (fast) or when the wall clock reaches "
        "their audio time (realtime).",
        choices=("fast", "realtime"),
    )
    max_streams_per_project: int = setting(
        10, "Concurrent streams per project before RESOURCE_EXHAUSTED (0 = no limit).", minimum=0
    )
    malformed_message_status: str = setting(
        "invalid_argument",
        "Status that ends a stream whose request bytes are not a valid AudioStream "
        "(invalid_argument; or internal, what grpc-go and grpc-java servers answer).",
        choices=("invalid_argument", "internal"),
    )
    stream_idle_timeout_s: float = setting(
        60.0,
        "End a stream with DEADLINE_EXCEEDED after this many seconds without a message "
        "(0 = never).",
        minimum=0,
    )
    max_stream_s: float = setting(
        0.0,
        "End a stream with DEADLINE_EXCEEDED after this many seconds (0 = no limit).",
        minimum=0,
    )
    strict_first_message: bool = setting(
        True,
        "Reject audio in the first message and config in later ones (INVALID_ARGUMENT); "
        "off: accept the audio and ignore later configs.",
    )
    segment_s: float = setting(
        2.0, "Length of a segment window in seconds.", minimum=0.5, maximum=30
    )
    utterance_gap_s: float = setting(
        0.5, "Silence that ends an utterance, in seconds.", minimum=0.1, maximum=10
    )
    min_tail_segment_s: float = setting(
        1.0,
        "Shortest trailing segment reported at the end of an utterance, in seconds.",
        minimum=0.0,
        maximum=30,
    )
    speaking_rate_labels: int = setting(
        3,
        "speaking_rate label set: 3 (slow/normal/fast, 2026 docs) or 5 (2025 data).",
        choices=(3, 5),
    )
    process_pending_s: float = setting(
        0.2, "Seconds a submitted batch process stays pending (status 0).", minimum=0
    )
    process_running_s: float = setting(
        0.5, "Seconds a batch process stays processing (status 1) before completing.", minimum=0
    )
    s3_fetch: str = setting(
        "loopback",
        "Which presigned URLs the emulator downloads: loopback only, any, or never "
        "(others fail with status -1).",
        choices=("loopback", "any", "never"),
    )
    max_processes: int = setting(
        10000,
        "Processes (uploads and streams) kept in memory; the oldest are forgotten beyond it "
        "(open streams never).",
        minimum=1,
    )
    max_upload_bytes: int = setting(
        200 * 1024 * 1024, "Largest accepted upload in bytes (larger: HTTP 413).", minimum=1024
    )

    def project_list(self) -> list[Project]:
        return [parse_project(p) for p in self.projects]


SETTINGS: tuple[Setting, ...] = settings_table(BehavioralSettings, "behavioral")
