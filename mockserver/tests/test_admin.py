"""The admin API: the sans-I/O router, the service over real HTTP, and its OpenAPI document."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import aiohttp
import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from websockets.asyncio.client import connect

import mockserver
from mockserver.admin import AdminApi, AdminService, openapi_document
from mockserver.core.clock import ManualClock
from mockserver.core.http import RestRequest, RestResponse
from mockserver.errors import MockServerError, ScenarioError
from mockserver.resources import load_schema
from mockserver.runtime import ConnectionRecord
from mockserver.server import MockServer
from mockserver.ui.dashboard import ROUTES as DASHBOARD_ROUTES

DOC: dict[str, Any] = load_schema("admin-api.openapi.json")
JOURNAL_SCHEMA: dict[str, Any] = load_schema("journal-entry.schema.json")
# The document's base URI sits next to the other schemas' $id, so that its relative
# reference "journal-entry.schema.json" resolves to that schema.
DOC_URI = "https://github.com/affect-mockserver/schemas/admin-api.openapi.json"
REGISTRY: Registry[Any] = Registry().with_resources(
    [
        (DOC_URI, Resource.from_contents(DOC, default_specification=DRAFT202012)),
        (JOURNAL_SCHEMA["$id"], Resource.from_contents(JOURNAL_SCHEMA)),
    ]
)
TOKEN = "s3cret-admin"


# -- helpers ------------------------------------------------------------------------------


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def _resolve(pointer: str) -> Any:
    node: Any = DOC
    for part in pointer.lstrip("/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def response_schema(path: str, method: str, status: int, content_type: str) -> dict[str, Any]:
    """A schema that ``$ref``s the documented body of this response."""
    pointer = f"/paths/{_escape(path)}/{method.lower()}/responses/{status}"
    response = _resolve(pointer)
    if "$ref" in response:
        pointer = response["$ref"].removeprefix("#")
        response = _resolve(pointer)
    assert content_type in response["content"], (path, method, status, content_type)
    return {"$ref": f"{DOC_URI}#{pointer}/content/{_escape(content_type)}/schema"}


def check_documented(path: str, method: str, status: int, body: Any, ctype: str) -> None:
    """The response is one the OpenAPI document describes, and its body matches."""
    schema = response_schema(path, method, status, ctype)
    if isinstance(body, bytes):
        body = body.decode("utf-8")
    Draft202012Validator(schema, registry=REGISTRY).validate(body)
    if ctype == "application/x-ndjson":  # and each line is one documented entry
        item = {"$ref": schema["$ref"].removesuffix("/schema") + "/x-item-schema"}
        for line in body.splitlines():
            Draft202012Validator(item, registry=REGISTRY).validate(json.loads(line))


def call(
    api: AdminApi,
    method: str,
    path: str,
    *,
    query: dict[str, str] | None = None,
    body: Any = None,
    headers: dict[str, str] | None = None,
    check: bool = True,
) -> RestResponse:
    """Send one request through the router; check it against the OpenAPI document."""
    request = RestRequest(method, path, query or {}, headers or {}, body)
    response = api.handle(request)
    if check and method.lower() in DOC["paths"].get(path.rstrip("/"), {}):
        ctype = response.headers.get("Content-Type", "application/json")
        check_documented(path.rstrip("/"), method, response.status, response.body, ctype)
    if response.status >= 400:
        assert response.body["error"]["code"] == response.status
        assert response.body["error"]["message"]
    return response


def json_request(body: Any) -> dict[str, Any]:
    return {"body": json.dumps(body), "headers": {"Content-Type": "application/json"}}


def record(server: MockServer, **fields: Any) -> None:
    entry: dict[str, Any] = {
        "vendor": "hume",
        "transport": "websocket",
        "connection": "hume-ws-1",
        "direction": "in",
        "kind": "text",
    }
    entry.update(fields)
    server.journal.record(**entry)


def outcome(action: Callable[[], Any]) -> tuple[int, str | None]:
    """What the admin API should answer for a direct server call (status, error message)."""
    try:
        action()
    except ScenarioError as exc:
        return 400, str(exc)
    except NotImplementedError:
        return 501, None
    return 200, None


# -- router fixtures ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def clock() -> ManualClock:
    return ManualClock(100.0)


@pytest.fixture(scope="module")
def shared(clock: ManualClock) -> Iterator[MockServer]:
    with MockServer(seed=5, clock=clock) as server:
        yield server


@pytest.fixture
def server(shared: MockServer) -> Iterator[MockServer]:
    shared.reset()
    yield shared
    shared.reset()


@pytest.fixture
def api(server: MockServer) -> AdminApi:
    return AdminApi(server)


# -- health and reset ---------------------------------------------------------------------


def test_health_reports_version_uptime_seed_and_listener_urls(
    server: MockServer, clock: ManualClock
) -> None:
    api = AdminApi(server)
    clock.advance(2.5)
    body = call(api, "GET", "/health").body
    assert body["status"] == "ok"
    assert body["version"] == mockserver.__version__
    assert body["uptime_s"] == 2.5
    assert body["seed"] == 5
    hume, behavioral = body["listeners"]["hume"], body["listeners"]["behavioral"]
    assert hume["url"] == server.hume.url and hume["port"] == server.hume.port
    assert behavioral["grpc_target"] == server.behavioral.grpc_target
    assert behavioral["rest_url"] == server.behavioral.rest_url
    assert "admin" not in body["listeners"]  # unknown until an AdminService binds it
    text = json.dumps(body)
    assert server.hume.api_key not in text and server.behavioral.token not in text


def test_health_omits_a_disabled_vendor() -> None:
    with MockServer(behavioral={"enabled": False}) as server:
        body = call(AdminApi(server), "GET", "/health").body
    assert set(body["listeners"]) == {"hume", "hume_v1"}


def test_health_while_the_server_is_not_running() -> None:
    body = call(AdminApi(MockServer()), "GET", "/health").body
    assert body["listeners"] == {} and body["status"] == "ok"


def test_reset_reports_what_it_cleared(api: AdminApi, server: MockServer) -> None:
    for _ in range(3):
        record(server)
    server.runtime.record_failure("test", RuntimeError("boom"))
    server.load_scenario(SCENARIO)
    server.add_faults([FAULT, dict(FAULT, name="other")])
    expected = {"journal_entries": 3, "scenarios": 1, "faults": 2, "failures": 1}
    assert call(api, "POST", "/reset").body == {"status": "reset", "cleared": expected}
    assert len(server.journal) == 0
    assert not server.runtime.scenarios.active() and not server.runtime.faults.describe()
    server.check()  # the failure was cleared with the rest
    assert call(api, "POST", "/reset").body["cleared"]["journal_entries"] == 0


# -- scenarios ----------------------------------------------------------------------------

SCENARIO = {
    "name": "admin-test",
    "description": "loaded by test_admin",
    "hume": {"rules": [{"when": {"model": "language"}, "respond": {"emotions": {"Joy": 0.9}}}]},
}
SCENARIO_YAML = """
name: admin-test
description: loaded by test_admin
hume:
  rules:
    - when: {model: language}
      respond:
        emotions: {Joy: 0.9}
"""


def test_scenarios_list_is_empty_after_reset(api: AdminApi) -> None:
    assert call(api, "GET", "/scenarios").body == []


@pytest.mark.parametrize(
    ("content_type", "body"),
    [("application/json", json.dumps(SCENARIO)), ("application/yaml", SCENARIO_YAML)],
)
def test_loading_a_scenario(
    api: AdminApi, server: MockServer, content_type: str, body: str
) -> None:
    response = call(api, "POST", "/scenarios", body=body, headers={"Content-Type": content_type})
    assert response.status == 200, response.body
    assert response.body == {"loaded": SCENARIO, "active": [SCENARIO]}
    assert call(api, "GET", "/scenarios").body == [SCENARIO]
    assert server.runtime.scenarios.script("hume") is not None  # really active
    assert call(api, "DELETE", "/scenarios").body == {"cleared": 1}
    assert call(api, "GET", "/scenarios").body == []


def test_an_invalid_scenario_is_400_with_the_loaders_message(
    api: AdminApi, server: MockServer
) -> None:
    bad = {"name": "bad", "hume": {"rules": [{"respond": {"error": "E0101"}}]}}
    expected, message = outcome(lambda: server.load_scenario(bad))
    assert expected == 400 and message is not None and "hume.rules[0].respond.error" in message
    response = call(api, "POST", "/scenarios", **json_request(bad))
    assert response.status == 400
    assert response.body["error"]["message"] == message
    assert call(api, "GET", "/scenarios").body == []


@pytest.mark.parametrize(
    ("headers", "body", "status", "fragment"),
    [
        ({"Content-Type": "application/json"}, "[1, 2]", 400, "must be an object, not an array"),
        ({"Content-Type": "application/json"}, '{"name": ', 400, "not valid JSON"),
        ({"Content-Type": "application/yaml"}, "name: [unclosed", 400, "not valid YAML"),
        ({"Content-Type": "text/yaml"}, "just text", 400, "must be an object, not a string"),
        ({"Content-Type": "application/yaml"}, None, 400, "empty"),
        ({}, None, 400, "A request body is required"),
        ({"Content-Type": "text/plain"}, "name: x", 415, "Unsupported Content-Type 'text/plain'"),
        ({"Content-Type": "application/x-www-form-urlencoded"}, None, 415, "--json"),
    ],
)
def test_invalid_scenario_bodies_are_refused_with_a_clear_message(
    api: AdminApi, headers: dict[str, str], body: str | None, status: int, fragment: str
) -> None:
    response = call(api, "POST", "/scenarios", body=body, headers=headers)
    assert response.status == status
    assert fragment in response.body["error"]["message"]


def test_scenario_errors_map_to_400_501_and_409(
    api: AdminApi, server: MockServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    errors: list[Exception] = [
        ScenarioError("scenario 'x': field 'steps' is required"),
        NotImplementedError("not yet"),
        MockServerError("the server is not running: call start() first"),
    ]
    for error, status in zip(errors, (400, 501, 409), strict=True):

        def fail(source: Any, error: Exception = error) -> Any:
            raise error

        monkeypatch.setattr(server, "load_scenario", fail)
        response = call(api, "POST", "/scenarios", body={"name": "x"})
        assert response.status == status
        assert str(error) in response.body["error"]["message"]


def test_a_json_body_parsed_by_the_adapter_is_accepted(
    api: AdminApi, server: MockServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[Any] = []

    def load(source: Any) -> Any:
        seen.append(source)
        return {"name": source["name"], "steps": 0}

    monkeypatch.setattr(server, "load_scenario", load)
    response = call(api, "POST", "/scenarios", body={"name": "direct"})  # no Content-Type
    assert response.status == 200
    assert response.body["loaded"] == {"name": "direct", "steps": 0}
    assert seen == [{"name": "direct"}]


# -- faults -------------------------------------------------------------------------------

FAULT = {
    "name": "admin-close",
    "vendor": "hume",
    "type": "close",
    "code": 4000,
    "when": {"message": 3},
}
BAD_FAULT = {"vendor": "hume", "type": "teleport"}


def test_adding_faults(api: AdminApi, server: MockServer) -> None:
    for payload in (FAULT, [FAULT]):
        response = call(api, "POST", "/faults", **json_request(payload))
        assert response.status == 200, response.body
        (added,) = response.body["added"]
        assert added == FAULT
        assert response.body["active"] == call(api, "GET", "/faults").body == [FAULT]
        assert server.runtime.faults.describe() == [FAULT]
        assert call(api, "DELETE", "/faults").body == {"cleared": 1}
    assert call(api, "GET", "/faults").body == []


def test_an_invalid_fault_is_400_with_the_validators_message(
    api: AdminApi, server: MockServer
) -> None:
    expected, message = outcome(lambda: server.add_faults([dict(BAD_FAULT)]))
    server.reset()
    assert expected == 400 and message is not None
    assert "unknown fault type 'teleport'" in message
    response = call(api, "POST", "/faults", **json_request([FAULT, BAD_FAULT]))
    assert response.status == 400
    assert response.body["error"]["message"] == message.replace("fault 0", "fault 1")
    assert call(api, "GET", "/faults").body == []  # nothing was activated


def test_faults_from_yaml(api: AdminApi) -> None:
    text = """
- {name: a, vendor: hume, type: close, code: 4000, when: {message: 3}}
- name: b
  vendor: behavioral
  type: grpc_abort
  status: UNAVAILABLE
"""
    response = call(
        api, "POST", "/faults", body=text, headers={"Content-Type": "application/x-yaml"}
    )
    assert response.status == 200, response.body
    assert [fault["name"] for fault in response.body["added"]] == ["a", "b"]


def test_fault_bodies_must_be_objects(api: AdminApi) -> None:
    response = call(api, "POST", "/faults", **json_request([FAULT, 3]))
    assert response.status == 400
    assert response.body["error"]["message"].endswith("item 1 is a number")
    response = call(api, "POST", "/faults", **json_request("delay"))
    assert response.body["error"]["message"].endswith("the body is a string")


def test_fault_validation_errors_are_400(
    api: AdminApi, server: MockServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(specs: Any) -> Any:
        raise ScenarioError("fault 0: unknown kind 'teleport'")

    monkeypatch.setattr(server, "add_faults", fail)
    response = call(api, "POST", "/faults", body={"kind": "teleport"})
    assert (response.status, response.body["error"]["message"]) == (
        400,
        "fault 0: unknown kind 'teleport'",
    )


def test_added_faults_of_any_shape_are_rendered_as_json(
    api: AdminApi, server: MockServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Fault:
        def to_json(self) -> dict[str, Any]:
            return {"kind": "drop", "when": {"frames"}}

    monkeypatch.setattr(server, "add_faults", lambda specs: [Fault()])
    response = call(api, "POST", "/faults", body={"kind": "drop"})
    assert response.body["added"] == [{"kind": "drop", "when": ["frames"]}]


# -- sessions -----------------------------------------------------------------------------


def test_sessions_list_live_connections_with_their_age(
    api: AdminApi, server: MockServer, clock: ManualClock
) -> None:
    record_ = ConnectionRecord("hume-ws-9", "hume", "websocket", clock.now(), {"path": "/x"})
    server.runtime.open_connection(record_)
    try:
        clock.advance(1.25)
        sessions = call(api, "GET", "/sessions").body
        assert sessions == [
            {
                "id": "hume-ws-9",
                "vendor": "hume",
                "transport": "websocket",
                "age_s": 1.25,
                "info": {"path": "/x"},
            }
        ]
    finally:
        server.runtime.close_connection("hume-ws-9")
    assert call(api, "GET", "/sessions").body == []


# -- journal ------------------------------------------------------------------------------


@pytest.fixture
def journal(server: MockServer) -> MockServer:
    record(server, data={"models": {"language": {}}}, size=30)
    record(server, direction="out", data={"language": {}}, size=40)
    record(server, connection="hume-ws-2", kind="close", code=1000, reason="bye")
    record(
        server,
        vendor="behavioral",
        transport="grpc",
        connection="behavioral-grpc-1",
        kind="status",
        status="OK",
        direction="out",
    )
    return server


@pytest.mark.parametrize(
    ("query", "seqs"),
    [
        ({}, [1, 2, 3, 4]),
        ({"vendor": "hume"}, [1, 2, 3]),
        ({"transport": "grpc"}, [4]),
        ({"connection": "hume-ws-1"}, [1, 2]),
        ({"direction": "out"}, [2, 4]),
        ({"kind": "close"}, [3]),
        ({"since_seq": "2"}, [3, 4]),
        ({"limit": "2"}, [1, 2]),
        ({"vendor": "hume", "since_seq": "1", "limit": "1"}, [2]),
        ({"since_seq": "4"}, []),
    ],
)
def test_journal_filters(
    api: AdminApi, journal: MockServer, query: dict[str, str], seqs: list[int]
) -> None:
    body = call(api, "GET", "/journal", query=query).body
    assert [entry["seq"] for entry in body] == seqs
    assert body == [e.to_json() for e in journal.journal.entries() if e.seq in seqs]


def test_journal_as_ndjson(api: AdminApi, journal: MockServer) -> None:
    for path, query in (("/journal.ndjson", {}), ("/journal", {"format": "ndjson"})):
        response = call(api, "GET", path, query={**query, "vendor": "hume"})
        assert response.headers["Content-Type"] == "application/x-ndjson"
        assert isinstance(response.body, bytes)
        text = response.body.decode("utf-8")
        assert text.endswith("\n") and text.count("\n") == 3
        lines = [json.loads(line) for line in text.splitlines()]
        assert lines == call(api, "GET", "/journal", query={"vendor": "hume"}).body
    assert journal.journal.to_ndjson() == call(api, "GET", "/journal.ndjson").body.decode()
    assert call(api, "GET", "/journal.ndjson", query={"kind": "nothing"}).body == b""


@pytest.mark.parametrize(
    ("path", "query", "fragment"),
    [
        ("/journal", {"direction": "sideways"}, "direction must be 'in' or 'out'"),
        ("/journal", {"since_seq": "x"}, "since_seq must be an integer"),
        ("/journal", {"since_seq": "-1"}, "since_seq must be at least 0"),
        ("/journal", {"limit": "0"}, "limit must be at least 1"),
        ("/journal", {"format": "xml"}, "format must be 'json' or 'ndjson'"),
        ("/journal", {"vendr": "hume"}, "Unknown query parameter 'vendr'"),
        ("/journal.ndjson", {"format": "json"}, "Unknown query parameter 'format'"),
        ("/sessions", {"limit": "1"}, "(accepted: none)"),
    ],
)
def test_bad_query_parameters_are_400(
    api: AdminApi, path: str, query: dict[str, str], fragment: str
) -> None:
    response = call(api, "GET", path, query=query)
    assert response.status == 400
    assert fragment in response.body["error"]["message"]


# -- routing, token, OpenAPI --------------------------------------------------------------


def test_unknown_routes_and_wrong_methods(api: AdminApi) -> None:
    response = call(api, "GET", "/nope")
    assert response.status == 404
    assert response.body["error"]["message"] == "No admin endpoint /nope (see GET /openapi.json)"
    response = call(api, "PUT", "/faults", check=False)
    assert response.status == 405
    assert response.headers["Allow"] == "DELETE, GET, POST"
    assert "Method PUT is not allowed on /faults" in response.body["error"]["message"]
    assert call(api, "GET", "/health/").status == 200  # a trailing slash is tolerated


def test_the_token_guards_every_endpoint_but_health(server: MockServer) -> None:
    api = AdminApi(server, token=TOKEN)
    good = {"Authorization": f"Bearer {TOKEN}"}
    assert call(api, "GET", "/health").status == 200
    for path, methods in api.routes.items():
        for method in methods:
            if (path, method) == ("/health", "GET"):
                continue
            missing = call(api, method, path)
            assert missing.status == 401, (method, path)
            assert missing.headers["WWW-Authenticate"] == 'Bearer realm="mockserver-admin"'
            wrong = call(api, method, path, headers={"Authorization": "Bearer nope"})
            assert wrong.status == 401
            assert 'error="invalid_token"' in wrong.headers["WWW-Authenticate"]
    assert call(api, "GET", "/sessions", headers=good).status == 200
    assert call(api, "GET", "/sessions", headers={"authorization": f"bearer {TOKEN}"}).status == 200
    assert call(api, "GET", "/sessions", headers={"Authorization": f"Basic {TOKEN}"}).status == 401
    assert call(api, "POST", "/health").status == 401  # only GET /health is open
    assert call(api, "GET", "/nope").status == 401  # no route discovery without the token
    assert call(api, "GET", "/nope", headers=good).status == 404
    assert call(AdminApi(server, token=""), "GET", "/sessions").status == 200  # empty: no token


def test_openapi_is_served_self_contained_with_this_servers_url(api: AdminApi) -> None:
    body = call(api, "GET", "/openapi.json").body
    assert body == openapi_document()
    assert body["paths"] == DOC["paths"]
    assert body["components"]["schemas"]["JournalEntry"] == JOURNAL_SCHEMA  # inlined
    external = [
        node["$ref"]
        for _, node in _walk(body)
        if isinstance(node, dict)
        and isinstance(node.get("$ref"), str)
        and not node["$ref"].startswith("#")
    ]
    assert external == []
    api.url = "http://127.0.0.1:1234"
    assert call(api, "GET", "/openapi.json").body["servers"] == [
        {"url": "http://127.0.0.1:1234", "description": "this server"}
    ]
    assert DOC["servers"][0]["url"] == "http://127.0.0.1:8790"  # the cached file is untouched


def test_every_served_path_and_method_is_documented_and_vice_versa(api: AdminApi) -> None:
    documented = {
        path: tuple(sorted(m.upper() for m in item if m in ("get", "post", "delete", "put")))
        for path, item in DOC["paths"].items()
    }
    assert documented == {**api.routes, **DASHBOARD_ROUTES}  # the router's and the dashboard's


def test_journal_entries_are_described_by_the_journal_schema() -> None:
    assert DOC["components"]["schemas"]["JournalEntry"] == {"$ref": "journal-entry.schema.json"}


# -- the OpenAPI document is valid OpenAPI 3.1 ----------------------------------------------

_ANY_SCHEMA: dict[str, Any] = {"type": ["object", "boolean"]}
_STRING = {"type": "string"}
_OPENAPI_31_SUBSET: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["openapi", "info", "paths"],
    "additionalProperties": False,
    "patternProperties": {"^x-": True},
    "properties": {
        "openapi": {"type": "string", "pattern": r"^3\.1\.\d+$"},
        "info": {
            "type": "object",
            "required": ["title", "version"],
            "additionalProperties": False,
            "properties": {
                "title": _STRING,
                "version": _STRING,
                "summary": _STRING,
                "description": _STRING,
                "license": {
                    "type": "object",
                    "required": ["name"],
                    "properties": {"name": _STRING, "identifier": _STRING, "url": _STRING},
                    "additionalProperties": False,
                },
            },
        },
        "jsonSchemaDialect": {"type": "string", "format": "uri"},
        "servers": {"type": "array", "items": {"$ref": "#/$defs/server"}},
        "security": {"$ref": "#/$defs/security"},
        "tags": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["name"],
                "properties": {"name": _STRING, "description": _STRING},
                "additionalProperties": False,
            },
        },
        "paths": {
            "type": "object",
            "propertyNames": {"pattern": "^/"},
            "additionalProperties": {"$ref": "#/$defs/path-item"},
        },
        "components": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "schemas": {"type": "object", "additionalProperties": _ANY_SCHEMA},
                "responses": {
                    "type": "object",
                    "additionalProperties": {"$ref": "#/$defs/response"},
                },
                "parameters": {
                    "type": "object",
                    "additionalProperties": {"$ref": "#/$defs/parameter"},
                },
                "securitySchemes": {
                    "type": "object",
                    "additionalProperties": {
                        "type": "object",
                        "required": ["type", "scheme"],
                        "properties": {
                            "type": {"const": "http"},
                            "scheme": _STRING,
                            "description": _STRING,
                        },
                        "additionalProperties": False,
                    },
                },
            },
        },
    },
    "$defs": {
        "server": {
            "type": "object",
            "required": ["url"],
            "properties": {"url": _STRING, "description": _STRING},
            "additionalProperties": False,
        },
        "security": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": {"type": "array", "items": _STRING},
            },
        },
        "ref": {
            "type": "object",
            "required": ["$ref"],
            "properties": {"$ref": {"type": "string", "pattern": "^#/components/"}},
            "additionalProperties": False,
        },
        "path-item": {
            "type": "object",
            "minProperties": 1,
            "additionalProperties": False,
            "properties": {
                method: {"$ref": "#/$defs/operation"}
                for method in ("get", "put", "post", "delete", "options", "head", "patch")
            },
        },
        "operation": {
            "type": "object",
            "required": ["operationId", "summary", "responses"],
            "additionalProperties": False,
            "properties": {
                "operationId": _STRING,
                "summary": _STRING,
                "description": _STRING,
                "tags": {"type": "array", "items": _STRING},
                "security": {"$ref": "#/$defs/security"},
                "parameters": {
                    "type": "array",
                    "items": {"oneOf": [{"$ref": "#/$defs/ref"}, {"$ref": "#/$defs/parameter"}]},
                },
                "requestBody": {
                    "type": "object",
                    "required": ["content"],
                    "properties": {
                        "required": {"type": "boolean"},
                        "description": _STRING,
                        "content": {"$ref": "#/$defs/content"},
                    },
                    "additionalProperties": False,
                },
                "responses": {
                    "type": "object",
                    "minProperties": 1,
                    "propertyNames": {"pattern": "^([1-5][0-9]{2}|default)$"},
                    "additionalProperties": {
                        "oneOf": [{"$ref": "#/$defs/ref"}, {"$ref": "#/$defs/response"}]
                    },
                },
            },
        },
        "parameter": {
            "type": "object",
            "required": ["name", "in", "schema"],
            "properties": {
                "name": _STRING,
                "in": {"enum": ["query", "header", "path", "cookie"]},
                "required": {"type": "boolean"},
                "description": _STRING,
                "schema": _ANY_SCHEMA,
            },
            "additionalProperties": False,
        },
        "response": {
            "type": "object",
            "required": ["description"],
            "properties": {
                "description": _STRING,
                "headers": {
                    "type": "object",
                    "additionalProperties": {
                        "type": "object",
                        "properties": {"description": _STRING, "schema": _ANY_SCHEMA},
                        "additionalProperties": False,
                    },
                },
                "content": {"$ref": "#/$defs/content"},
            },
            "additionalProperties": False,
        },
        "content": {
            "type": "object",
            "minProperties": 1,
            "propertyNames": {"pattern": r"^[a-z]+/[a-z0-9.+-]+$"},
            "additionalProperties": {
                "type": "object",
                "required": ["schema"],
                "properties": {"schema": _ANY_SCHEMA, "example": True},
                "patternProperties": {"^x-": True},
                "additionalProperties": False,
            },
        },
    },
}


def _walk(node: Any, pointer: str = "") -> Iterator[tuple[str, Any]]:
    yield pointer, node
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _walk(value, f"{pointer}/{_escape(key)}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, f"{pointer}/{index}")


def test_openapi_document_is_structurally_valid_openapi_31() -> None:
    Draft202012Validator.check_schema(_OPENAPI_31_SUBSET)
    Draft202012Validator(_OPENAPI_31_SUBSET).validate(DOC)
    # Every $ref resolves, and every schema is a valid JSON Schema 2020-12 schema.
    for pointer, node in _walk(DOC):
        if isinstance(node, dict) and isinstance(node.get("$ref"), str):
            ref = node["$ref"]
            if ref.startswith("#/"):
                _resolve(ref.removeprefix("#"))
            else:  # another schema file of schemas/, next to this document
                Draft202012Validator.check_schema(load_schema(ref))
        component = pointer.startswith("/components/schemas/") and pointer.count("/") == 3
        if component or pointer.endswith(("/schema", "/x-item-schema")):
            Draft202012Validator.check_schema(node)
    # Operation ids are unique; tags and security schemes are declared.
    operations = [op for item in DOC["paths"].values() for op in item.values()]
    ids = [op["operationId"] for op in operations]
    assert len(ids) == len(set(ids))
    tags = {tag["name"] for tag in DOC["tags"]}
    assert {tag for op in operations for tag in op.get("tags", [])} <= tags
    schemes = set(DOC["components"]["securitySchemes"])
    for requirement in [
        *DOC["security"],
        *(r for op in operations for r in op.get("security", [])),
    ]:
        assert set(requirement) <= schemes
    assert DOC["paths"]["/health"]["get"]["security"] == []  # open even with a token
    # Examples match their schemas.
    for name, schema in DOC["components"]["schemas"].items():
        if "example" in schema:
            ref = {"$ref": f"{DOC_URI}#/components/schemas/{name}"}
            Draft202012Validator(ref, registry=REGISTRY).validate(schema["example"])


# -- end to end over HTTP -----------------------------------------------------------------


@pytest.fixture
async def stack() -> AsyncIterator[tuple[MockServer, AdminService]]:
    async with MockServer(seed=3, hume={"handshake_rate_limit": 0}) as server:
        admin = AdminService(
            host="127.0.0.1", port=0, token=None, runtime=server.runtime, server=server
        )
        await admin.start()
        try:
            yield server, admin
        finally:
            await admin.stop()


async def fetch(
    http: aiohttp.ClientSession, method: str, url: str, **kwargs: Any
) -> tuple[int, str, Any, aiohttp.ClientResponse]:
    async with http.request(method, url, **kwargs) as response:
        raw = await response.read()
        ctype = response.content_type
        body: Any = json.loads(raw) if ctype == "application/json" else raw.decode()
        return response.status, ctype, body, response


async def test_end_to_end_over_http(stack: tuple[MockServer, AdminService]) -> None:

    server, admin = stack
    assert admin.url == f"http://127.0.0.1:{admin.port}" and admin.port > 0
    assert admin.endpoint.token_required is False
    base = admin.url
    async with aiohttp.ClientSession() as http:
        status, ctype, body, _ = await fetch(http, "GET", f"{base}/health")
        assert (status, ctype) == (200, "application/json")
        check_documented("/health", "GET", status, body, ctype)
        assert body["listeners"]["admin"] == {"url": base}
        assert body["listeners"]["hume"]["url"] == server.hume.url

        headers = {"X-Hume-Api-Key": server.hume.api_key}
        async with connect(server.hume.url, additional_headers=headers) as ws:
            await ws.send(json.dumps({"models": {"language": {}}, "raw_text": True, "data": "Hi"}))
            await ws.recv()
            deadline = time.monotonic() + 5
            sessions: list[Any] = []
            while time.monotonic() < deadline:
                _, _, sessions, _ = await fetch(http, "GET", f"{base}/sessions")
                if any(s["vendor"] == "hume" for s in sessions):
                    break
                await asyncio.sleep(0.02)
            check_documented("/sessions", "GET", 200, sessions, "application/json")
            (live,) = sessions  # admin requests are not sessions
            assert live["id"] == "hume-ws-1" and live["transport"] == "websocket"
        while not server.journal.entries(kind="close") and time.monotonic() < deadline:
            await asyncio.sleep(0.02)

        before = len(server.journal)
        status, ctype, entries, _ = await fetch(http, "GET", f"{base}/journal?vendor=hume")
        check_documented("/journal", "GET", status, entries, ctype)
        assert entries == [e.to_json() for e in server.journal.entries(vendor="hume")]
        assert {e["kind"] for e in entries} >= {"handshake", "text"}
        status, ctype, text, _ = await fetch(http, "GET", f"{base}/journal.ndjson")
        assert (status, ctype) == (200, "application/x-ndjson")
        assert [json.loads(line) for line in text.splitlines()] == [
            e.to_json() for e in server.journal.entries()
        ]
        assert len(server.journal) == before  # reading the journal did not add to it
        assert not server.journal.entries(vendor="admin")

        status, _, body, _ = await fetch(http, "GET", f"{base}/openapi.json")
        assert body["servers"][0]["url"] == base and body["paths"] == DOC["paths"]

        status, _, body, response = await fetch(http, "PATCH", f"{base}/faults")
        assert (status, response.headers["Allow"]) == (405, "DELETE, GET, POST")
        status, _, body, _ = await fetch(http, "GET", f"{base}/no/such")
        assert status == 404 and body["error"]["code"] == 404

        status, _, body, _ = await fetch(http, "POST", f"{base}/reset")
        assert status == 200 and body["cleared"]["journal_entries"] == before
        assert len(server.journal) == 0
    server.check()


async def test_bodies_over_http(stack: tuple[MockServer, AdminService]) -> None:
    server, admin = stack
    base = admin.url
    async with aiohttp.ClientSession() as http:
        yaml_headers = {"Content-Type": "application/yaml"}
        status, _, body, _ = await fetch(
            http, "POST", f"{base}/scenarios", data=SCENARIO_YAML, headers=yaml_headers
        )
        assert (status, body["loaded"]) == (200, SCENARIO)
        text = "name: y\nvendor: hume\ntype: drop\nwhen: {message: 2}\n"
        status, _, body, _ = await fetch(
            http, "POST", f"{base}/faults", data=text, headers=yaml_headers
        )
        assert status == 200, body
        status, _, body, _ = await fetch(http, "POST", f"{base}/faults", json=[FAULT])
        assert status == 200, body
        check_documented("/faults", "POST", status, body, "application/json")
        status, _, body, _ = await fetch(http, "GET", f"{base}/faults")
        assert status == 200 and [fault["name"] for fault in body] == ["y", "admin-close"]
        status, _, body, _ = await fetch(http, "DELETE", f"{base}/faults")
        assert body == {"cleared": 2}
        status, _, body, _ = await fetch(http, "GET", f"{base}/scenarios")
        assert body == [SCENARIO]

        json_headers = {"Content-Type": "application/json"}
        status, _, body, _ = await fetch(
            http, "POST", f"{base}/scenarios", data="{oops", headers=json_headers
        )
        assert status == 400 and "not valid JSON" in body["error"]["message"]
        status, _, body, _ = await fetch(http, "POST", f"{base}/scenarios", data="name=x")
        assert status == 415  # a form (curl -d without --json) is refused with a hint
        status, _, body, _ = await fetch(
            http, "POST", f"{base}/scenarios", data=b"\xff\xfe", headers=yaml_headers
        )
        assert status == 400  # the adapter refuses a body that is not UTF-8
    assert not server.journal.entries(vendor="admin")
    server.check()


async def test_token_and_optional_journaling_over_http() -> None:
    async with MockServer(behavioral={"enabled": False}) as server:
        admin = AdminService(
            host="127.0.0.1",
            port=0,
            token=TOKEN,
            runtime=server.runtime,
            server=server,
            journal=True,
        )
        await admin.start()
        try:
            assert admin.endpoint.token_required
            assert "token" in admin.describe()[0] and TOKEN not in admin.describe()[0]
            async with aiohttp.ClientSession() as http:
                status, _, body, _ = await fetch(http, "GET", f"{admin.url}/health")
                assert status == 200 and set(body["listeners"]) == {"hume", "hume_v1", "admin"}
                status, _, body, response = await fetch(http, "GET", f"{admin.url}/journal")
                assert status == 401
                assert response.headers["WWW-Authenticate"].startswith("Bearer")
                auth = {"Authorization": f"Bearer {TOKEN}"}
                status, _, body, _ = await fetch(http, "GET", f"{admin.url}/journal", headers=auth)
                assert status == 200
        finally:
            await admin.stop()
    entries = server.journal.entries(vendor="admin")
    assert [e.kind for e in entries] == ["request", "response"] * 3
    assert all(e.connection.startswith("admin-http-") for e in entries)
    assert TOKEN not in server.journal.to_ndjson()  # the Authorization header is redacted
