"""Per-project limit on concurrent streams (RESOURCE_EXHAUSTED; the limit is ours: none is
published)."""

from __future__ import annotations

import threading

__all__ = ["StreamSlots"]


class StreamSlots:
    """Counts open streams per cid; thread-safe."""

    def __init__(self, limit: int) -> None:
        self.limit = limit  # 0 = unlimited
        self._open: dict[int, int] = {}  # cid -> open streams
        self._lock = threading.Lock()

    def acquire(self, cid: int) -> bool:
        with self._lock:
            count = self._open.get(cid, 0)
            if self.limit and count >= self.limit:
                return False
            self._open[cid] = count + 1
            return True

    def release(self, cid: int) -> None:
        with self._lock:
            count = self._open.get(cid, 0) - 1
            if count > 0:
                self._open[cid] = count
            else:
                self._open.pop(cid, None)

    def open_streams(self, cid: int) -> int:
        with self._lock:
            return self._open.get(cid, 0)
