"""Small shared helpers: deadline selection and host:port formatting."""

from __future__ import annotations

from mockserver.core.clock import earliest
from mockserver.transport import authority


def test_earliest_ignores_missing_deadlines() -> None:
    assert earliest() is None
    assert earliest(None, None) is None
    assert earliest(None, 3.5, 2.0) == 2.0


def test_authority_brackets_ipv6_hosts() -> None:
    assert authority("127.0.0.1", 8080) == "127.0.0.1:8080"
    assert authority("::1", 8080) == "[::1]:8080"
    assert authority("localhost", 0) == "localhost:0"
