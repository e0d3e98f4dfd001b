"""The admin API: health, reset, scenarios, faults, live sessions and the journal over HTTP.

:class:`AdminApi` is a sans-I/O router (``RestRequest`` in, ``RestResponse`` out) over the
controls of one server (:class:`ServerControls`, which ``MockServer`` provides);
:class:`AdminService` serves it with the generic HTTP adapter on its own loopback port.
Admin traffic is not journaled (reading the journal must not change it) and admin
requests are not listed as sessions.

Every answer is JSON except ``GET /journal.ndjson`` (``application/x-ndjson``). Every error,
the adapter's own (413, a body that is not UTF-8) included, is
``{"error": {"code": <HTTP status>, "message": "..."}}``. With a token, every endpoint but
``GET /health`` needs ``Authorization: Bearer <token>``. ``docs/admin-api.md`` describes
the endpoints; ``schemas/admin-api.openapi.json`` (served at ``/openapi.json``) is their
OpenAPI 3.1 description. :class:`AdminService` also serves the dashboard (``/ui``) and its
event stream (``/events``), which cannot be sans-I/O: see :mod:`mockserver.ui.dashboard`.
"""

from __future__ import annotations

import copy
import dataclasses
import hmac
import json
import posixpath
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from mockserver.controls import ServerControls
from mockserver.core.http import RestRequest, RestResponse
from mockserver.core.router import MethodNotAllowed, NotFound, Router
from mockserver.errors import MockServerError, ScenarioError
from mockserver.journal import JournalEntry
from mockserver.resources import load_schema
from mockserver.runtime import Runtime
from mockserver.scenario.loader import json_type_name
from mockserver.transport.http import HttpEndpoint
from mockserver.ui.dashboard import Dashboard
from mockserver.version import __version__

__all__ = [
    "BODY_TEXT_TYPES",
    "OPENAPI_SCHEMA",
    "AdminApi",
    "AdminEndpoint",
    "AdminService",
    "ServerControls",
    "api_document",
    "error_body",
    "openapi_document",
]

OPENAPI_SCHEMA = "admin-api.openapi.json"  # under schemas/, see mockserver.resources
NDJSON = "application/x-ndjson"
JSON_TYPES = frozenset({"application/json"})
YAML_TYPES = frozenset({"application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml"})
BODY_TEXT_TYPES = JSON_TYPES | YAML_TYPES  # the adapter hands these bodies over as text
_CHALLENGE = 'Bearer realm="mockserver-admin"'
_JOURNAL_FILTERS = ("vendor", "transport", "connection", "direction", "kind")
_JOURNAL_PARAMS = (*_JOURNAL_FILTERS, "since_seq", "limit")
_LISTENER_SUFFIXES = ("url", "uri", "target", "port")  # endpoint fields shown by /health

_Handler = Callable[[RestRequest], RestResponse]


class _Refusal(Exception):
    """Ends a request with an error response."""

    def __init__(self, status: int, message: str, headers: Mapping[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = dict(headers or {})


def error_body(status: int, message: str) -> dict[str, Any]:
    """The admin API's error body (also used by the HTTP adapter for its own errors)."""
    return {"error": {"code": status, "message": message}}


def _error(status: int, message: str, headers: Mapping[str, str] | None = None) -> RestResponse:
    return RestResponse(status, error_body(status, message), headers or {})


@dataclass(frozen=True, slots=True)
class _Endpoint:
    """One handler and the query parameters it accepts."""

    handler: _Handler
    params: tuple[str, ...] = ()


class AdminApi:
    """The admin endpoints of one server (see the module docstring).

    Args:
        server: The server to inspect and control (running while requests arrive).
        token: If set (and not empty), every endpoint but ``GET /health`` requires
            ``Authorization: Bearer <token>``.
    """

    def __init__(self, server: ServerControls, *, token: str | None = None) -> None:
        self._server = server
        self._token = token or None  # an empty token means none
        self._started = server.runtime.clock.now()
        self.url: str | None = None  # the admin base URL, set by AdminService once bound
        self._routes: Router[_Endpoint] = Router()
        add = self._routes.add
        add("/health", {"GET": _Endpoint(self._health)})
        add("/reset", {"POST": _Endpoint(self._reset)})
        add(
            "/scenarios",
            {
                "GET": _Endpoint(self._list_scenarios),
                "POST": _Endpoint(self._load_scenario),
                "DELETE": _Endpoint(self._clear_scenarios),
            },
        )
        add(
            "/faults",
            {
                "GET": _Endpoint(self._list_faults),
                "POST": _Endpoint(self._add_faults),
                "DELETE": _Endpoint(self._clear_faults),
            },
        )
        add("/sessions", {"GET": _Endpoint(self._sessions)})
        add("/journal", {"GET": _Endpoint(self._journal, (*_JOURNAL_PARAMS, "format"))})
        add("/journal.ndjson", {"GET": _Endpoint(self._journal_ndjson, _JOURNAL_PARAMS)})
        add("/openapi.json", {"GET": _Endpoint(self._openapi)})
        add("/apis", {"GET": _Endpoint(self._apis)})
        add("/apis/{vendor}/{document}", {"GET": _Endpoint(self._api_document)})

    @property
    def routes(self) -> dict[str, tuple[str, ...]]:
        """Every served path with its methods (sorted)."""
        return self._routes.routes

    # -- dispatch -------------------------------------------------------------------------

    def handle(self, request: RestRequest) -> RestResponse:
        """Answer one request; client errors become error responses, never exceptions.

        Order of checks: token (401), route (404), method (405), query parameters (400),
        then the endpoint's own validation.
        """
        path = request.path.rstrip("/") or "/"
        method = request.method.upper()
        try:
            if not (path == "/health" and method == "GET"):
                self._authorise(request)
            found = self._routes.match(method, path)
            if isinstance(found, NotFound):
                raise _Refusal(404, f"No admin endpoint {path} (see GET /openapi.json)")
            if isinstance(found, MethodNotAllowed):
                allow = ", ".join(found.allow)
                raise _Refusal(
                    405,
                    f"Method {method} is not allowed on {path} (allowed: {allow})",
                    {"Allow": allow},
                )
            endpoint = found.handler
            unknown = sorted(set(request.query) - set(endpoint.params))
            if unknown:
                expected = ", ".join(endpoint.params) if endpoint.params else "none"
                raise _Refusal(
                    400,
                    f"Unknown query parameter {unknown[0]!r} on {method} {path} "
                    f"(accepted: {expected})",
                )
            return endpoint.handler(request)
        except _Refusal as refusal:
            return _error(refusal.status, refusal.message, refusal.headers)

    def _authorise(self, request: RestRequest) -> None:
        if self._token is None:
            return
        header = request.headers.get("Authorization")
        if not header:
            raise _Refusal(
                401,
                "This admin API requires the header 'Authorization: Bearer <token>'",
                {"WWW-Authenticate": _CHALLENGE},
            )
        scheme, _, credentials = header.strip().partition(" ")
        given = credentials.strip().encode("utf-8", "surrogatepass")
        if scheme.lower() != "bearer" or not hmac.compare_digest(given, self._token.encode()):
            raise _Refusal(
                401,
                "Invalid admin token: expected 'Authorization: Bearer <token>' with the token "
                "the admin API was started with",
                {"WWW-Authenticate": f'{_CHALLENGE}, error="invalid_token"'},
            )

    # -- health and reset -----------------------------------------------------------------

    def _health(self, request: RestRequest) -> RestResponse:
        server = self._server
        listeners: dict[str, dict[str, Any]] = {}
        for vendor in server.config.registry:
            try:
                endpoint = server.service(vendor.name).endpoint
            except MockServerError:  # disabled, or the server is starting or stopping
                continue
            listeners[vendor.name] = _listener(endpoint)
        if self.url is not None:
            listeners["admin"] = {"url": self.url}
        body = {
            "status": "ok",
            "ready": server.ready,
            "version": __version__,
            "uptime_s": round(server.runtime.clock.now() - self._started, 3),
            "seed": server.config.seed,
            "listeners": listeners,
            "sessions": len(server.connections()),
            "journal_entries": len(server.journal),
        }
        return RestResponse(200, body)

    def _reset(self, request: RestRequest) -> RestResponse:
        server, runtime = self._server, self._server.runtime
        cleared = {
            "journal_entries": len(server.journal),
            "scenarios": len(runtime.scenarios.active()),
            "faults": len(runtime.faults.describe()),
            "failures": len(runtime.take_failures()),  # reset would forget them anyway
        }
        server.reset()
        return RestResponse(200, {"status": "reset", "cleared": cleared})

    # -- scenarios ------------------------------------------------------------------------

    def _active_scenarios(self) -> list[Any]:
        return [_jsonable(s) for s in self._server.runtime.scenarios.active()]

    def _list_scenarios(self, request: RestRequest) -> RestResponse:
        return RestResponse(200, self._active_scenarios())

    def _load_scenario(self, request: RestRequest) -> RestResponse:
        source = _body(request)
        if not isinstance(source, dict):
            raise _Refusal(400, f"A scenario must be an object, not {_json_type(source)}")
        loaded = _call(lambda: self._server.load_scenario(source), "Loading scenarios")
        return RestResponse(200, {"loaded": _jsonable(loaded), "active": self._active_scenarios()})

    def _clear_scenarios(self, request: RestRequest) -> RestResponse:
        count = len(self._server.runtime.scenarios.active())
        self._server.clear_scenarios()
        return RestResponse(200, {"cleared": count})

    # -- faults ---------------------------------------------------------------------------

    def _list_faults(self, request: RestRequest) -> RestResponse:
        return RestResponse(200, _jsonable(self._server.runtime.faults.describe()))

    def _add_faults(self, request: RestRequest) -> RestResponse:
        specs = _body(request)
        items = specs if isinstance(specs, list) else [specs]
        for index, item in enumerate(items):
            if not isinstance(item, dict):
                where = f"item {index}" if isinstance(specs, list) else "the body"
                raise _Refusal(
                    400,
                    f"A fault must be an object (or a list of objects); {where} is "
                    f"{_json_type(item)}",
                )
        added = _call(lambda: self._server.add_faults(items), "Faults")
        body = {
            "added": _jsonable(added),
            "active": _jsonable(self._server.runtime.faults.describe()),
        }
        return RestResponse(200, body)

    def _clear_faults(self, request: RestRequest) -> RestResponse:
        count = len(self._server.runtime.faults.describe())
        self._server.clear_faults()
        return RestResponse(200, {"cleared": count})

    # -- sessions and journal -------------------------------------------------------------

    def _sessions(self, request: RestRequest) -> RestResponse:
        now = self._server.runtime.clock.now()
        sessions = [
            {
                "id": record.id,
                "vendor": record.vendor,
                "transport": record.transport,
                "age_s": round(max(0.0, now - record.opened_at), 3),
                "info": _jsonable(record.info),
            }
            for record in self._server.connections()
        ]
        return RestResponse(200, sessions)

    def _journal(self, request: RestRequest) -> RestResponse:
        fmt = request.query.get("format", "json")
        if fmt == "ndjson":
            return self._journal_ndjson(request)
        if fmt != "json":
            raise _Refusal(400, f"format must be 'json' or 'ndjson', not {fmt!r}")
        return RestResponse(200, [entry.to_json() for entry in self._entries(request.query)])

    def _journal_ndjson(self, request: RestRequest) -> RestResponse:
        text = "".join(entry.to_ndjson_line() for entry in self._entries(request.query))
        return RestResponse(200, text.encode("utf-8"), {"Content-Type": NDJSON})

    def _entries(self, query: Mapping[str, str]) -> list[JournalEntry]:
        filters = {name: query[name] for name in _JOURNAL_FILTERS if name in query}
        direction = filters.get("direction")
        if direction is not None and direction not in ("in", "out"):
            raise _Refusal(400, f"direction must be 'in' or 'out', not {direction!r}")
        since = _int_param(query, "since_seq", minimum=0)
        limit = _int_param(query, "limit", minimum=1)
        entries = self._server.journal.entries(**filters)  # type: ignore[arg-type]
        if since is not None:
            entries = [entry for entry in entries if entry.seq > since]
        return entries if limit is None else entries[:limit]

    # -- OpenAPI --------------------------------------------------------------------------

    def _openapi(self, request: RestRequest) -> RestResponse:
        document = openapi_document()
        if self.url is not None:
            document["servers"] = [{"url": self.url, "description": "this server"}]
        return RestResponse(200, document)

    # -- the emulated APIs' documents ------------------------------------------------------

    def _apis(self, request: RestRequest) -> RestResponse:
        listing = {
            vendor.name: {name: f"/apis/{vendor.name}/{name}" for name in vendor.documents}
            for vendor in self._server.config.registry
            if vendor.documents
        }
        return RestResponse(200, listing)

    def _api_document(self, request: RestRequest) -> RestResponse:
        _, _, vendor_name, name = request.path.rstrip("/").split("/", 3)
        vendor = next((v for v in self._server.config.registry if v.name == vendor_name), None)
        if vendor is None or name not in vendor.documents:
            raise _Refusal(404, f"No API document {vendor_name}/{name} (see GET /apis)")
        try:
            endpoint = self._server.service(vendor.name).endpoint
        except MockServerError:  # disabled here: the document alone
            endpoint = None
        return RestResponse(200, api_document(vendor.documents[name], endpoint))


# -- helpers ------------------------------------------------------------------------------


def api_document(path: str, endpoint: Any = None) -> dict[str, Any]:
    """A vendor's API document (``path`` under ``schemas/``), self-contained: every ``$ref``
    to another schema file (relative to the document's folder) is replaced by that schema.
    With the ``endpoint`` of a running listener, that listener is the first server."""
    document: dict[str, Any] = _inline(copy.deepcopy(load_schema(path)), posixpath.dirname(path))
    if endpoint is None:
        return document
    if "openapi" in document and isinstance(getattr(endpoint, "base_url", None), str):
        this = {"url": endpoint.base_url, "description": "this server"}
        document["servers"] = [this, *document.get("servers", [])]
    if "asyncapi" in document and isinstance(getattr(endpoint, "url", None), str):
        parts = urlsplit(endpoint.url)
        this = {"host": parts.netloc, "protocol": parts.scheme, "description": "this server"}
        document["servers"] = {"this": this, **document.get("servers", {})}
    return document


def _inline(node: Any, folder: str, depth: int = 0) -> Any:
    """``node`` with each external ``{"$ref": "file.json"}`` replaced by that file's schema."""
    if depth > 16:
        raise ValueError("API document references nest too deeply")
    if isinstance(node, list):
        return [_inline(item, folder, depth) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str) and not ref.startswith("#") and "://" not in ref:
        target = posixpath.normpath(posixpath.join(folder, ref))
        schema = copy.deepcopy(load_schema(target))
        return _inline(schema, posixpath.dirname(target), depth + 1)
    return {key: _inline(value, folder, depth) for key, value in node.items()}


def openapi_document() -> dict[str, Any]:
    """The OpenAPI document, self-contained: a component that is a reference to another
    schema file (``{"$ref": "journal-entry.schema.json"}``) is replaced by that schema."""
    document: dict[str, Any] = copy.deepcopy(load_schema(OPENAPI_SCHEMA))
    schemas = document.get("components", {}).get("schemas", {})
    for name, schema in schemas.items():
        ref = schema.get("$ref") if isinstance(schema, dict) else None
        if isinstance(ref, str) and not ref.startswith("#"):
            schemas[name] = copy.deepcopy(load_schema(ref))
    return document


def _listener(endpoint: Any) -> dict[str, Any]:
    """The URL, target and port fields of a vendor endpoint (credentials left out)."""
    if not dataclasses.is_dataclass(endpoint):
        return {}
    return {
        f.name: getattr(endpoint, f.name)
        for f in dataclasses.fields(endpoint)
        if f.name.endswith(_LISTENER_SUFFIXES)
    }


def _body(request: RestRequest) -> Any:
    """The parsed request body: JSON, or YAML with a YAML content type."""
    content_type = request.headers.get("Content-Type", "").split(";")[0].strip().lower()
    raw = request.json
    if content_type in YAML_TYPES:
        if not isinstance(raw, str) or not raw.strip():
            raise _Refusal(400, "The request body is empty: send a YAML document")
        import yaml  # noqa: PLC0415  PyYAML: loaded on the first YAML body

        try:
            return yaml.safe_load(raw)
        except yaml.YAMLError as exc:
            raise _Refusal(400, f"The request body is not valid YAML: {exc}") from None
    if content_type in JSON_TYPES or content_type.endswith("+json") or not content_type:
        if isinstance(raw, str) and content_type:  # handed over as text by the adapter
            try:
                return json.loads(raw)
            except ValueError as exc:
                raise _Refusal(400, f"The request body is not valid JSON: {exc}") from None
        if raw is None:
            raise _Refusal(
                400,
                "A request body is required: JSON (Content-Type: application/json) or "
                "YAML (Content-Type: application/yaml)",
            )
        return raw
    raise _Refusal(
        415,
        f"Unsupported Content-Type {content_type!r}: send application/json or "
        "application/yaml (with curl, use --json or -H 'Content-Type: application/json')",
    )


def _call(action: Callable[[], Any], feature: str) -> Any:
    """Run a server action, turning definition errors into 400 and missing features into 501."""
    try:
        return action()
    except ScenarioError as exc:
        raise _Refusal(400, str(exc)) from None
    except NotImplementedError as exc:
        raise _Refusal(501, f"{feature} is not available in this build: {exc}") from None
    except MockServerError as exc:
        raise _Refusal(409, str(exc)) from None


def _int_param(query: Mapping[str, str], name: str, *, minimum: int) -> int | None:
    text = query.get(name)
    if text is None:
        return None
    try:
        value = int(text)
    except ValueError:
        raise _Refusal(400, f"{name} must be an integer, not {text!r}") from None
    if value < minimum:
        raise _Refusal(400, f"{name} must be at least {minimum}, not {value}")
    return value


def _json_type(value: Any) -> str:
    """``an object``, ``a string``, ``null``...: the JSON type with its article."""
    name = json_type_name(value)
    if name not in ("object", "array", "string", "boolean", "number"):
        return name  # null, or not a JSON value
    return ("an " if name[0] in "aeiou" else "a ") + name


def _jsonable(value: Any, depth: int = 0) -> Any:
    """A JSON-compatible view of scenarios, faults and connection info of any shape."""
    if depth > 32:
        return repr(value)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items: Iterable[Any] = (
            sorted(value, key=repr) if isinstance(value, set | frozenset) else value
        )
        return [_jsonable(v, depth + 1) for v in items]
    for method in ("to_json", "to_dict", "describe"):
        render = getattr(value, method, None)
        if callable(render):
            return _jsonable(render(), depth + 1)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
        return _jsonable(fields, depth + 1)
    if isinstance(value, bytes | bytearray):
        return {"bytes": len(value)}
    return str(value)


# -- the service --------------------------------------------------------------------------


@dataclass(frozen=True)
class AdminEndpoint:
    """Where to reach the admin API: ``url`` (``http://host:port``), ``port``, and whether
    requests need a bearer token."""

    url: str
    port: int
    token_required: bool


class AdminService:
    """The admin API on its own HTTP port (same interface as the vendor services).

    Args:
        host: Address to bind (loopback unless the configuration allows otherwise).
        port: Port (0 = any free port; the CLI default is the ``admin_port`` setting).
        token: Bearer token required by every endpoint but ``GET /health`` (None or empty:
            no token).
        runtime: The server's runtime (worker threads; journal when ``journal`` is on).
        server: The server the API controls.
        journal: Journal admin traffic as vendor "admin" and list its requests as sessions
            (off by default: reading the journal must not change it).
        max_body: Largest accepted request body in bytes.
    """

    name = "admin"

    def __init__(
        self,
        *,
        host: str,
        port: int,
        token: str | None,
        runtime: Runtime,
        server: ServerControls,
        journal: bool = False,
        max_body: int = 16 << 20,
    ) -> None:
        self.api = AdminApi(server, token=token)
        self.dashboard = Dashboard(server, token=token)  # /ui and /events (streaming)
        self._token_required = bool(token)
        self._http: HttpEndpoint = HttpEndpoint(
            vendor="admin",
            host=host,
            port=port,
            handler=self.api.handle,
            runtime=runtime,
            secrets=("Authorization",),
            max_body=max_body,
            text_types=BODY_TEXT_TYPES,
            journal=journal,
            error_body=lambda status, message, path: error_body(status, message),
            extra_routes=self.dashboard.routes,
        )

    @property
    def url(self) -> str:
        """``http://host:port`` (the bound port after :meth:`start`)."""
        return self._http.base_url

    @property
    def port(self) -> int:
        return self._http.port

    @property
    def endpoint(self) -> AdminEndpoint:
        return AdminEndpoint(self.url, self.port, self._token_required)

    async def start(self) -> None:
        """Bind and serve; returns once listening."""
        await self._http.start()
        self.api.url = self.url

    async def stop(self) -> None:
        """End the dashboard's event streams, stop listening and wait for in-flight requests."""
        await self.dashboard.close()
        await self._http.stop()

    def reset(self) -> None:
        """Nothing to forget (present so the server can treat it like a vendor service)."""

    def describe(self) -> list[str]:
        """The line printed by ``mockserver serve``."""
        auth = "Authorization: Bearer <token> required" if self._token_required else "no token"
        return [f"admin       {self.url}  (GET /health, /openapi.json, dashboard /ui)  {auth}"]
