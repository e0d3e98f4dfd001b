"""Settings of the Behavioral Signals emulator (``--behavioral-*``, ``[behavioral]``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mockserver.settings import Setting

from .projects import Project, parse_project

__all__ = ["SETTINGS", "BehavioralSettings"]

SETTINGS: tuple[Setting, ...] = (
    Setting("behavioral.enabled", "bool", True, "Serve the Behavioral Signals emulator."),
    Setting(
        "behavioral.grpc_port", "int", 50051, "gRPC streaming port (0 = any free port).",
        minimum=0, maximum=65535,
    ),
    Setting(
        "behavioral.rest_port", "int", 8780, "REST API port, served under /v5 (0 = any free port).",
        minimum=0, maximum=65535,
    ),
    Setting(
        "behavioral.projects", "list", ("1000:mock-bs-token",),
        "Accepted project as CID:TOKEN (repeat the flag for several).",
        flag="--behavioral-project", metavar="CID:TOKEN", minimum=1, item_check="cid:token",
    ),
    Setting(
        "behavioral.pacing", "choice", "fast",
        "Deliver stream results as soon as computed (fast) or when the wall clock reaches "
        "their audio time (realtime).",
        choices=("fast", "realtime"),
    ),
    Setting(
        "behavioral.max_streams_per_project", "int", 10,
        "Concurrent streams per project before RESOURCE_EXHAUSTED (0 = no limit).", minimum=0,
    ),
    Setting(
        "behavioral.stream_idle_timeout_s", "float", 60.0,
        "End a stream with DEADLINE_EXCEEDED after this many seconds without a message "
        "(0 = never).", minimum=0,
    ),
    Setting(
        "behavioral.max_stream_s", "float", 0.0,
        "End a stream with DEADLINE_EXCEEDED after this many seconds (0 = no limit).", minimum=0,
    ),
    Setting(
        "behavioral.strict_first_message", "bool", True,
        "Reject audio in the first message and config in later ones (INVALID_ARGUMENT); "
        "off: accept the audio and ignore later configs.",
    ),
    Setting(
        "behavioral.segment_s", "float", 2.0, "Length of a segment window in seconds.",
        minimum=0.5, maximum=30,
    ),
    Setting(
        "behavioral.utterance_gap_s", "float", 0.5,
        "Silence that ends an utterance, in seconds.", minimum=0.1, maximum=10,
    ),
    Setting(
        "behavioral.min_tail_segment_s", "float", 1.0,
        "Shortest trailing segment reported at the end of an utterance, in seconds.",
        minimum=0.0, maximum=30,
    ),
    Setting(
        "behavioral.speaking_rate_labels", "choice", "3",
        "speaking_rate label set: 3 (slow/normal/fast, 2026 docs) or 5 (2025 data).",
        choices=("3", "5"),
    ),
    Setting(
        "behavioral.process_pending_s", "float", 0.2,
        "Seconds a submitted batch process stays pending (status 0).", minimum=0,
    ),
    Setting(
        "behavioral.process_running_s", "float", 0.5,
        "Seconds a batch process stays processing (status 1) before completing.", minimum=0,
    ),
    Setting(
        "behavioral.s3_fetch", "choice", "loopback",
        "Which presigned URLs the emulator downloads: loopback only, any, or never "
        "(others fail with status -1).",
        choices=("loopback", "any", "never"),
    ),
    Setting(
        "behavioral.max_upload_bytes", "int", 200 * 1024 * 1024,
        "Largest accepted upload in bytes (larger: HTTP 413).", minimum=1024,
    ),
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class BehavioralSettings:
    """Resolved Behavioral Signals settings; see :data:`SETTINGS`."""

    enabled: bool = True
    grpc_port: int = 50051
    rest_port: int = 8780
    projects: tuple[str, ...] = ("1000:mock-bs-token",)
    pacing: str = "fast"
    max_streams_per_project: int = 10
    stream_idle_timeout_s: float = 60.0
    max_stream_s: float = 0.0
    strict_first_message: bool = True
    segment_s: float = 2.0
    utterance_gap_s: float = 0.5
    min_tail_segment_s: float = 1.0
    speaking_rate_labels: str = "3"
    process_pending_s: float = 0.2
    process_running_s: float = 0.5
    s3_fetch: str = "loopback"
    max_upload_bytes: int = 200 * 1024 * 1024

    @classmethod
    def from_values(cls, values: Mapping[str, Any]) -> BehavioralSettings:
        prefix = "behavioral."
        return cls(**{k[len(prefix) :]: v for k, v in values.items() if k.startswith(prefix)})

    def project_list(self) -> list[Project]:
        return [parse_project(p) for p in self.projects]
