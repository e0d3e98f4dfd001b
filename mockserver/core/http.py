"""Transport-neutral HTTP request and response values for sans-I/O REST routers.

``transport/http.py`` turns aiohttp requests into :class:`RestRequest` and
:class:`RestResponse` into aiohttp responses; vendor routers (e.g.
``vendors/behavioral/rest.py``) only ever see these types.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Headers", "RestRequest", "RestResponse", "UploadedFile"]


class Headers(Mapping[str, str]):
    """Read-only header mapping with case-insensitive lookups (first value per name)."""

    __slots__ = ("_items",)

    def __init__(self, items: Mapping[str, str] | None = None) -> None:
        self._items: dict[str, tuple[str, str]] = {}  # lower name -> (original name, value)
        for name, value in (items or {}).items():
            self._items.setdefault(name.lower(), (name, value))

    def __getitem__(self, name: str) -> str:
        return self._items[name.lower()][1]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._items

    def __iter__(self) -> Iterator[str]:
        return (original for original, _ in self._items.values())

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"Headers({dict(self.items())!r})"


@dataclass(frozen=True, slots=True)
class UploadedFile:
    """One part of a multipart form (a file, or a field sent with a non-text type)."""

    filename: str | None
    content: bytes
    name: str = ""  # the part's form name
    content_type: str | None = None  # the part's Content-Type, if it had one


@dataclass(frozen=True)
class RestRequest:
    """One parsed HTTP request.

    ``path`` is the URL path (percent-decoded, no query); ``query`` keeps the first value of
    each parameter; ``headers`` is wrapped in :class:`Headers` (case-insensitive); ``json`` is
    the parsed JSON body (None without one); ``form``/``files`` are the multipart or
    URL-encoded fields (the first of each name); ``parts`` holds every multipart file part,
    and every field part sent with a non-text type, in wire order.
    """

    method: str
    path: str
    query: Mapping[str, str] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)
    json: Any | None = None
    form: Mapping[str, str] = field(default_factory=dict)
    files: Mapping[str, UploadedFile] = field(default_factory=dict)
    parts: tuple[UploadedFile, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.headers, Headers):
            object.__setattr__(self, "headers", Headers(self.headers))


@dataclass(frozen=True)
class RestResponse:
    """A JSON response: ``status``, a JSON-serialisable ``body`` and extra ``headers``."""

    status: int
    body: Any
    headers: Mapping[str, str] = field(default_factory=dict)
