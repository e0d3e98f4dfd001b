"""The per-connection audio sliding window (``stream_window_ms`` of Hume's streaming definition).

"Extending the length of this window will prepend media context from past payloads into
the current payload ... A window of 600ms would append the full 500ms of the second payload
to the last 100ms of the first payload." The current payload is never truncated.
"""

from __future__ import annotations

import numpy as np

from mockserver.media.audio import AudioClip

__all__ = ["MAX_WINDOW_MS", "AudioWindow"]

MAX_WINDOW_MS = 10_000


class AudioWindow:
    """Audio history of one stream plus the stream's running time.

    The stream starts when the connection opens and restarts at ``reset_stream``.
    """

    def __init__(self, sample_rate: int = 16_000) -> None:
        self.sample_rate = sample_rate  # samples per second of the history
        self._history = np.zeros(0, dtype=np.float32)  # at most MAX_WINDOW_MS of past audio
        self._stream_samples = 0  # samples received since the stream started

    def compose(self, clip: AudioClip, window_ms: float) -> tuple[AudioClip, float]:
        """Return the audio to process and the stream time of its first sample.

        Does not change the window; call :meth:`commit` once the payload is accepted.
        """
        if clip.sample_rate != self.sample_rate:
            raise ValueError("clip and window sample rates differ")
        wanted = round(window_ms / 1000 * self.sample_rate) - len(clip.samples)
        context = self._history[-wanted:] if wanted > 0 else self._history[:0]
        samples = np.concatenate([context, clip.samples]) if len(context) else clip.samples
        start = (self._stream_samples - len(context)) / self.sample_rate
        return AudioClip(samples=samples, sample_rate=self.sample_rate), start

    def commit(self, clip: AudioClip) -> None:
        """Append the payload's audio to the history and advance the stream time."""
        keep = MAX_WINDOW_MS * self.sample_rate // 1000
        self._history = np.concatenate([self._history, clip.samples])[-keep:]
        self._stream_samples += len(clip.samples)

    def reset(self) -> None:
        """Forget past context and restart the stream clock (``reset_stream``)."""
        self._history = np.zeros(0, dtype=np.float32)
        self._stream_samples = 0
