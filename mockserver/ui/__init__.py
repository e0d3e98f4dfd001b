"""The dashboard's static files and the pieces shared by the live page and the report.

``mockserver/ui/static/`` holds one HTML page, one script and one style sheet, written by
hand (no build step, no third-party code, no network requests). The admin API serves them
at ``/ui`` (:mod:`mockserver.ui.dashboard`); :func:`mockserver.report.render_report`
inlines them, with a journal, into one self-contained HTML file.
"""

from __future__ import annotations

from importlib import resources

__all__ = ["ASSETS", "read_asset"]

#: Served file name -> Content-Type.
ASSETS: dict[str, str] = {
    "index.html": "text/html; charset=utf-8",
    "app.js": "text/javascript; charset=utf-8",
    "app.css": "text/css; charset=utf-8",
}


def read_asset(name: str) -> str:
    """The text of one of :data:`ASSETS`.

    Raises:
        KeyError: ``name`` is not a dashboard asset.
    """
    if name not in ASSETS:
        raise KeyError(name)
    return resources.files(__name__).joinpath("static", name).read_text(encoding="utf-8")
