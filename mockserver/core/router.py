"""A small path router shared by the sans-I/O HTTP surfaces (vendor REST APIs, admin API).

Routes are path templates: ``/v5/clients/{cid}/processes/{pid:[0-9]+}`` (a ``{name}``
matches one path segment, ``{name:regex}`` that regular expression). :meth:`Router.match`
answers with the handler and the captured parameters, or says whether the path is unknown
or the method not allowed there, so that each surface answers in its own error shape.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

__all__ = ["Found", "MethodNotAllowed", "NotFound", "Router"]

H = TypeVar("H")

_PLACEHOLDER = re.compile(r"\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?::(?P<regex>[^{}]+))?\}")


def _compile(template: str) -> re.Pattern[str]:
    out, position = [], 0
    for match in _PLACEHOLDER.finditer(template):
        out.append(re.escape(template[position : match.start()]))
        out.append(f"(?P<{match['name']}>{match['regex'] or '[^/]+'})")
        position = match.end()
    out.append(re.escape(template[position:]))
    return re.compile("".join(out))


@dataclass(frozen=True, slots=True)
class Found(Generic[H]):
    """The route matched: its handler and the path parameters."""

    handler: H
    params: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class MethodNotAllowed:
    """The path exists but not with this method; ``allow`` lists the methods it has."""

    allow: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class NotFound:
    """No route has this path."""


@dataclass(frozen=True, slots=True)
class _Route(Generic[H]):
    template: str
    pattern: re.Pattern[str]
    methods: Mapping[str, H]


class Router(Generic[H]):
    """Routes in registration order (the first whose template matches wins)."""

    def __init__(self) -> None:
        self._routes: list[_Route[H]] = []

    def add(self, template: str, methods: Mapping[str, H]) -> None:
        """Serve ``template`` with a handler per (upper-case) method."""
        upper = {method.upper(): handler for method, handler in methods.items()}
        self._routes.append(_Route(template, _compile(template), upper))

    def match(self, method: str, path: str) -> Found[H] | MethodNotAllowed | NotFound:
        """The handler for ``method`` on ``path`` (a trailing ``/`` is ignored)."""
        path = path.rstrip("/") or "/"
        for route in self._routes:
            found = route.pattern.fullmatch(path)
            if found is None:
                continue
            handler = route.methods.get(method.upper())
            if handler is None:
                return MethodNotAllowed(tuple(sorted(route.methods)))
            return Found(handler, found.groupdict())
        return NotFound()

    @property
    def routes(self) -> dict[str, tuple[str, ...]]:
        """Every template with its methods (sorted)."""
        return {route.template: tuple(sorted(route.methods)) for route in self._routes}
