"""A minimal third vendor, used only by the tests: an echo API over WebSocket.

It shows that a vendor is one folder and one registry entry: its settings become flags,
environment variables and a TOML table; its service is served by ``MockServer``; faults
target it by name; its scenario part (rules, schema fragment, expectations) joins the
scenario format; its secret is redacted in the journal; its pytest fixture comes from its
handle. Nothing outside this folder names it.

The protocol: connect to ``/echo`` with the header ``X-Echo-Key``; every text frame gets
``{"echo": <text>, "n": <count>}`` (a scenario rule may reply something else); ``bye``
closes with 1000; a connection idle for ``idle_s`` closes with 1000.
"""

from __future__ import annotations

from mockserver.faults.model import VendorFaults
from mockserver.registry import VendorSpec

from .config import EchoSettings
from .meter import EchoMeter

__all__ = ["VENDOR"]

_HERE = "mockserver.tests.echo_vendor"

VENDOR = VendorSpec(
    name="echo",
    title="Echo WebSocket API (tests only)",
    settings=EchoSettings,
    service=f"{_HERE}.service:EchoService",
    faults=VendorFaults(
        transports=("websocket",),
        meter=EchoMeter,
        handshake_body=lambda status: f'{{"echo_error": {status}}}',
        inactivity_reason="echo: idle",
    ),
    secrets=("X-Echo-Key",),
    scenario=f"{_HERE}.scenario_part:PART",
    handle=f"{_HERE}.handle:EchoHandle",
    exports={"mockserver.scenario": {"EchoRule": f"{_HERE}.scenario:EchoRule"}},
)
