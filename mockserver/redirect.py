"""Point official SDKs that have no URL setting at the emulator, without editing SDK code.

Each vendor's registry entry exports its helpers here (for example the Hume SDK 0.7-0.8
``hume_stream_redirect`` and ``behavioral_signals_redirect`` for the Behavioral Signals
SDK); they live in ``mockserver/vendors/<vendor>/redirect.py``. Newer SDKs take the URL
directly (Hume 0.8.6+: ``base_url``; legacy ``HumeStreamClient``: ``_api_ws_base_uri``).

The helpers import nothing but the standard library until entered, so they also work inside
an environment that only has the vendor SDK installed.
"""

from __future__ import annotations

from typing import Any

from mockserver.registry import export

__all__: list[str] = []


def __getattr__(name: str) -> Any:
    """A vendor's redirect helper, as its registry entry exports it."""
    return export(__name__, name)
