"""The pytest handle of the Behavioral Signals emulator (fixture ``mock_behavioral``;
``behavioral`` for one release): URLs, credentials and SDK clients, closed after the test.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

from mockserver.controls import ServerControls
from mockserver.optional import optional_import

from .redirect import behavioral_signals_redirect

if TYPE_CHECKING:
    from behavioralsignals import Client as BehavioralClient

    from .service import BehavioralEndpoint

__all__ = ["BehavioralHandle"]


class BehavioralHandle:
    """Where and how to reach the Behavioral Signals emulator, plus SDK clients.

    The SDK has no URL setting, so :meth:`client` enters
    :func:`.redirect.behavioral_signals_redirect` and keeps it active until the
    handle is closed (the fixture closes it after the test): sub-clients the SDK builds
    lazily (``client.behavioral``, ``client.deepfakes``) reach the emulator too.

    Args:
        server: A running server with the Behavioral Signals emulator enabled.
    """

    def __init__(self, server: ServerControls) -> None:
        self.server = server
        self._stack = contextlib.ExitStack()  # the active redirect, then client closers
        self._redirected = False  # whether the redirect is active

    @property
    def endpoint(self) -> BehavioralEndpoint:
        """The emulator's ``BehavioralEndpoint``."""
        endpoint: BehavioralEndpoint = self.server.service("behavioral").endpoint
        return endpoint

    @property
    def grpc_target(self) -> str:
        """``host:port`` of the insecure gRPC streaming API."""
        return self.endpoint.grpc_target

    @property
    def rest_url(self) -> str:
        """REST base URL including ``/v5``."""
        return self.endpoint.rest_url

    @property
    def base_url(self) -> str:
        """REST root (``/status``)."""
        return self.endpoint.base_url

    @property
    def cid(self) -> int:
        """The first project's id."""
        return self.endpoint.cid

    @property
    def token(self) -> str:
        """The first project's API token."""
        return self.endpoint.token

    def redirect(self) -> None:
        """Point the ``behavioralsignals`` SDK at this emulator until the handle closes."""
        if not self._redirected:
            self._stack.enter_context(behavioral_signals_redirect(self.endpoint))
            self._redirected = True

    def client(
        self, cid: int | None = None, token: str | None = None, **kwargs: Any
    ) -> BehavioralClient:
        """A ``behavioralsignals.Client`` for the emulator, closed after the test.

        Args:
            cid: Project id (default: the first configured project).
            token: API token (default: that project's).
            **kwargs: Passed to ``Client`` (``timeout``, ``upload_timeout``).
        """
        module = optional_import(
            "behavioralsignals", extra="sdks", needed_for="BehavioralHandle.client()"
        )
        self.redirect()
        sdk: BehavioralClient = module.Client(
            self.cid if cid is None else cid, token or self.token, **kwargs
        )
        self._stack.callback(sdk.close)
        return sdk

    def close(self) -> None:
        """Close the clients, then end the redirect."""
        self._stack.close()
        self._redirected = False

    def __repr__(self) -> str:
        return f"<BehavioralHandle grpc {self.grpc_target} rest {self.rest_url}>"
