"""The Hume upgrade gate: path, key sources, refusals, rate limit (api-key docs, ws guide)."""

from __future__ import annotations

import json

import pytest

from mockserver.core.clock import ManualClock
from mockserver.core.handshake import HandshakeAccept, HandshakeReject, HandshakeRequest
from mockserver.vendors.hume.handshake import HumeHandshakeGate


def gate(rate_limit: int = 50, clock: ManualClock | None = None) -> HumeHandshakeGate:
    return HumeHandshakeGate(
        {"good", "other"}, rate_limit=rate_limit, clock=(clock or ManualClock()).now
    )


def request(target: str = "/v0/stream/models", **headers: str) -> HandshakeRequest:
    return HandshakeRequest(target, [(k.replace("_", "-"), v) for k, v in headers.items()])


@pytest.mark.parametrize(
    "req",
    [
        request(X_Hume_Api_Key="good"),
        request(x_hume_api_key="good"),
        request("/v0/stream/models?apikey=good"),
        request("/v0/stream/models?apiKey=good"),
        request("/v0/stream/models?api_key=good"),
        request("/v0/stream/models?fernSdkLanguage=JavaScript&apikey=good&x=1"),
        request("/v0/stream/models?apikey=bad", X_Hume_Api_Key="good"),
        request("/v0/stream/models?apikey=good", X_Hume_Api_Key=""),
    ],
)
def test_accepted_key_sources(req: HandshakeRequest) -> None:
    verdict = gate().check(req)
    assert isinstance(verdict, HandshakeAccept)
    assert verdict.context["api_key"] == "good"


@pytest.mark.parametrize(
    ("req", "errorcode"),
    [
        (request(), "steps.oauth.v2.FailedToResolveAPIKey"),
        (request(X_Hume_Api_Key=""), "steps.oauth.v2.FailedToResolveAPIKey"),
        (request("/v0/stream/models?apikey="), "steps.oauth.v2.FailedToResolveAPIKey"),
        (request(X_Hume_Api_Key="bad"), "oauth.v2.InvalidApiKey"),
        (request("/v0/stream/models?apikey=bad"), "oauth.v2.InvalidApiKey"),
        (request(X_Hume_Api_Key="good", Authorization="Bearer x"), None),
    ],
)
def test_missing_empty_or_unknown_keys_get_401(
    req: HandshakeRequest, errorcode: str | None
) -> None:
    verdict = gate().check(req)
    if errorcode is None:
        assert isinstance(verdict, HandshakeAccept)
        return
    assert isinstance(verdict, HandshakeReject)
    assert verdict.status == 401
    assert json.loads(verdict.body)["fault"]["detail"]["errorcode"] == errorcode


def test_bearer_token_alone_is_not_accepted() -> None:
    """Spec 1.2: only EVI supports access tokens."""
    verdict = gate().check(request(Authorization="Bearer good"))
    assert isinstance(verdict, HandshakeReject) and verdict.status == 401


@pytest.mark.parametrize("path", ["/", "/v0/stream/multi", "/v0/stream/face", "/v0/evi/chat"])
def test_other_paths_get_404(path: str) -> None:
    verdict = gate().check(request(path, X_Hume_Api_Key="good"))
    assert isinstance(verdict, HandshakeReject) and verdict.status == 404


def test_rate_limit_allows_50_per_second_per_key_then_429() -> None:
    clock = ManualClock()
    g = gate(clock=clock)
    for _ in range(50):
        assert isinstance(g.check(request(X_Hume_Api_Key="good")), HandshakeAccept)
    refused = g.check(request(X_Hume_Api_Key="good"))
    assert isinstance(refused, HandshakeReject) and refused.status == 429
    assert "SpikeArrest" in refused.body
    # Another key has its own budget.
    assert isinstance(g.check(request(X_Hume_Api_Key="other")), HandshakeAccept)
    # One second later the window has moved on.
    clock.advance(1.0)
    assert isinstance(g.check(request(X_Hume_Api_Key="good")), HandshakeAccept)


def test_rate_limit_window_is_rolling() -> None:
    clock = ManualClock()
    g = gate(rate_limit=2, clock=clock)
    assert isinstance(g.check(request(X_Hume_Api_Key="good")), HandshakeAccept)
    clock.advance(0.5)
    assert isinstance(g.check(request(X_Hume_Api_Key="good")), HandshakeAccept)
    clock.advance(0.25)
    assert isinstance(g.check(request(X_Hume_Api_Key="good")), HandshakeReject)
    clock.advance(0.25)  # the first handshake is now exactly one second old
    assert isinstance(g.check(request(X_Hume_Api_Key="good")), HandshakeAccept)


def test_rate_limit_zero_disables_it_and_reset_clears_history() -> None:
    g = gate(rate_limit=0)
    for _ in range(200):
        assert isinstance(g.check(request(X_Hume_Api_Key="good")), HandshakeAccept)
    limited = gate(rate_limit=1)
    limited.check(request(X_Hume_Api_Key="good"))
    assert isinstance(limited.check(request(X_Hume_Api_Key="good")), HandshakeReject)
    limited.reset()
    assert isinstance(limited.check(request(X_Hume_Api_Key="good")), HandshakeAccept)
