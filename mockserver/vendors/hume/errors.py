"""Error and warning catalogue of the Hume streaming endpoint.

Codes and descriptions copy https://dev.hume.ai/docs/resources/errors ("Configuration
errors") and the warning table of the v0.3.0 streaming docs (below). The runtime ``error``
strings are only verified for E0102; the others are written to say what the docs say and,
as the docs promise, to "specify the limit as well as the length ... received".
Codes E0206-E0208 and W0104-W0105 are not published; they are the emulator's choice
(recorded in docs/fidelity.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = [
    "CLOSE_CODES",
    "ERRORS",
    "WARNINGS",
    "CatalogueEntry",
    "HumeError",
    "model_warning",
]


@dataclass(frozen=True, slots=True)
class CatalogueEntry:
    """One documented code: the docs description and the runtime message template."""

    code: str
    description: str  # what the docs say the code means
    template: str  # runtime message; ``{name}`` fields filled by :meth:`HumeError.make`
    verified: bool  # code and meaning seen in a public source


ERRORS: dict[str, CatalogueEntry] = {
    e.code: e
    for e in (
        CatalogueEntry(
            "E0100",
            "The WebSocket request could not be parsed as valid JSON. The Hume API requires "
            "JSON serializable payloads.",
            "The WebSocket request could not be parsed as valid JSON: {detail}",
            True,
        ),
        CatalogueEntry(
            "E0101",
            "You may be missing or improperly formatting a required field. This generic error "
            "indicates that the structure of your WebSocket request was invalid.",
            "Invalid request payload: {detail}",
            True,
        ),
        CatalogueEntry(
            "E0102",
            "The requested model was incompatible with the file format received.",
            "Streaming payload configured with model type '{model}', which is not supported "
            "for the detected file type '{file_type}'.",
            True,
        ),
        CatalogueEntry(
            "E0200",
            "Media provided could not be parsed into a known file format.",
            "Failed to parse data as a valid media file{detail}",
            True,
        ),
        CatalogueEntry(
            "E0201",
            "Media could not be decoded as a Base64 encoded string. The data field in the "
            "request payload should be Base64 encoded bytes. If you want to pass raw text "
            "without encoding it you can do so with the raw_text parameter.",
            "Media could not be decoded as a Base64 encoded string: {detail}. Set raw_text to "
            "true to send raw text.",
            True,
        ),
        CatalogueEntry(
            "E0202",
            "No audio signal could be inferred from the media provided. Audio models were "
            "configured, but the media could not be parsed into a valid audio file.",
            "No audio signal could be inferred from the media provided{detail}",
            True,
        ),
        CatalogueEntry(
            "E0203",
            "Your audio file was too long. The limit is 5000 milliseconds.",
            "Audio file is too long. The limit is {limit_ms} milliseconds; received "
            "{actual_ms} milliseconds.",
            True,
        ),
        CatalogueEntry(
            "E0204",
            "Your video file was too long. For best performance we recommend passing "
            "individual frames of video as images rather than full video files.",
            "Video file is too long. The limit is {limit_ms} milliseconds; received "
            "{actual_ms} milliseconds. Send individual frames as images instead.",
            True,
        ),
        CatalogueEntry(
            "E0205",
            "Your image file was too large. The limit is 3,000 x 3,000 pixels.",
            "Image file is too large. The limit is {limit_w} x {limit_h} pixels; received "
            "{width} x {height} pixels.",
            True,
        ),
        CatalogueEntry(
            "E0206",
            "Your text was too long. The limit is 10,000 characters.",
            "Text is too long. The limit is {limit} characters; received {actual} characters.",
            False,
        ),
        CatalogueEntry(
            "E0207",
            "Too many faces in the facemesh payload. The limit is 10 faces.",
            "Too many faces in facemesh payload. The limit is {limit} faces; received "
            "{actual} faces.",
            False,
        ),
        CatalogueEntry(
            "E0208",
            "The facemesh payload was malformed. It must be a JSON list of faces, each a list "
            "of 478 MediaPipe landmarks given as [x, y, z] numbers.",
            "Invalid facemesh payload: {detail}",
            False,
        ),
        CatalogueEntry(
            "I0100",
            "An outage or a bug in a Hume service.",
            "Internal server error. The failure has been logged.",
            True,
        ),
    )
}

#: Nested per-model warnings. W0101-W0103 and their texts are the "Warnings" table of Hume's
#: streaming API docs (v0.3.0, "About" section of
#: https://docs.hume.ai/doc/streaming-api/operation/operation-publish-face; the archived copy
#: is cut after "W0103 | No faces could be", the rest follows the W0101/W0102 pattern).
#: "No speech detected." is the prosody text third-party users of the live API report
#: (github.com/liviaellen/voice-sense-hardware, docs/TROUBLESHOOTING.md). W0104, W0105 and
#: the language text are this project's: the table goes on past W0103, so real codes with
#: those numbers exist but were not readable. Key: model name.
WARNINGS: dict[str, CatalogueEntry] = {
    "burst": CatalogueEntry(
        "W0101", "No vocal bursts could be detected in the streamed media.",
        "No vocal bursts could be detected in the streamed media.", True,
    ),
    "facemesh": CatalogueEntry(
        "W0102", "No facemeshes could be detected in the streamed media.",
        "No facemeshes could be detected in the streamed media.", True,
    ),
    "face": CatalogueEntry(
        "W0103", "No faces could be detected in the streamed media.",
        "No faces could be detected in the streamed media.", True,
    ),
    "language": CatalogueEntry(
        "W0104", "No text could be detected in the streamed media.",
        "No text could be detected in the streamed media.", False,
    ),
    "prosody": CatalogueEntry(
        "W0105", "No speech could be detected in the streamed media.",
        "No speech detected.", False,
    ),
}  # fmt: skip

#: WebSocket close codes the emulator uses (INFERRED: Hume's close-code table is not public).
CLOSE_CODES: dict[str, tuple[int, str]] = {
    "inactivity": (1000, "Connection closed after {seconds:g} seconds of inactivity."),
    "max_duration": (1000, "Connection closed after the maximum duration of {seconds:g} seconds."),
    "repeated_errors": (1008, "Too many identical errors ({count}): {message}"),
    "internal": (1011, "Internal server error."),
    "shutdown": (1001, "Server shutting down."),
}


class HumeError(Exception):
    """A documented error to send to the client as ``{"error": ..., "code": ...}``."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code  # catalogue code, e.g. "E0101"
        self.message = message  # runtime text sent as "error"

    @classmethod
    def make(cls, code: str, **fields: Any) -> HumeError:
        """Build the error ``code`` from the catalogue, filling its template."""
        entry = ERRORS[code]
        fields.setdefault("detail", "")
        return cls(code, entry.template.format(**fields))


def model_warning(model: str) -> dict[str, str]:
    """Return the nested warning object for ``model`` (the nested shape official clients read:
    hume-api-examples streaming sandbox, hume-python-sdk example notebooks)."""
    entry = WARNINGS[model]
    return {"warning": entry.template, "code": entry.code}
