"""A loopback HTTP server standing in for S3 presigned URLs in the batch tests."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

__all__ = ["serve_files"]


class _Files(http.server.BaseHTTPRequestHandler):
    """GET ``files[path]`` (query ignored), 404 for other paths, ``/redirect`` gives a 302."""

    files: Mapping[str, bytes] = {}

    def do_GET(self) -> None:
        path = self.path.split("?")[0]
        if path == "/redirect":
            self.send_response(302)
            self.send_header("Location", "http://127.0.0.1:9/elsewhere")
            self.end_headers()
            return
        data = self.files.get(path)
        if data is None:
            self.send_error(404, "Not Found")
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serve_files(files: Mapping[str, bytes]) -> Iterator[str]:
    """Serve ``files`` (path to body) on 127.0.0.1; yields the base URL."""
    handler = type("Handler", (_Files,), {"files": dict(files)})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
