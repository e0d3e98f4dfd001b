"""The logger handed to a wire library (``websockets``): quiet at INFO, redacted at DEBUG.

``websockets`` logs "connection open" and "connection closed" at INFO for every
connection, without the journal's connection id, peer or close code; the server's own
one-line connection summary (:mod:`mockserver.runtime`) replaces them, so the library's INFO
lines are demoted to DEBUG. At DEBUG the library logs each handshake header and the request
line, which carry credentials (``X-Hume-Api-Key``, ``?api_key=``): the vendor's secret
header and query values are replaced by ``[REDACTED]``, as in the journal.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, MutableMapping
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from mockserver.journal import REDACTED

__all__ = ["LibraryLogger", "redact_target"]


def _form(name: str) -> str:
    return name.lower().replace("_", "-")


def redact_target(target: str, secrets: Collection[str]) -> str:
    """A request target (``/path?query``) with the secret query values redacted."""
    parts = urlsplit(target)
    if not parts.query:
        return target
    forms = {_form(s) for s in secrets}
    query = [
        (k, REDACTED if _form(k) in forms else v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
    ]
    return urlunsplit(parts._replace(query=urlencode(query, safe="<>[]")))


class LibraryLogger(logging.LoggerAdapter[logging.Logger]):
    """Wraps ``logger`` for a wire library: INFO becomes DEBUG, secrets are redacted.

    Args:
        logger: Where the library's records go.
        secrets: Header and query-parameter names whose values are never logged
            (case-insensitive; ``_`` and ``-`` spell the same name).
    """

    def __init__(self, logger: logging.Logger, secrets: Collection[str]) -> None:
        super().__init__(logger, {})
        self._forms = frozenset(_form(s) for s in secrets)

    def isEnabledFor(self, level: int) -> bool:
        return self.logger.isEnabledFor(logging.DEBUG if level == logging.INFO else level)

    def process(self, msg: Any, kwargs: MutableMapping[str, Any]) -> tuple[Any, Any]:
        return msg, kwargs

    def log(self, level: int, msg: Any, *args: Any, **kwargs: Any) -> None:
        if level == logging.INFO:
            level = logging.DEBUG
        if not self.logger.isEnabledFor(level):
            return
        self.logger.log(level, msg, *self._redact(msg, args), **kwargs)

    def _redact(self, msg: Any, args: tuple[Any, ...]) -> tuple[Any, ...]:
        # websockets: "< %s: %s" / "> %s: %s" (a header), "< %s %s %s" (the request line)
        if msg in ("< %s: %s", "> %s: %s") and len(args) == 2:
            key, value = args
            return (key, REDACTED if _form(str(key)) in self._forms else value)
        if msg == "< %s %s %s" and len(args) == 3:
            method, target, protocol = args
            return (method, redact_target(str(target), self._forms), protocol)
        return args
