"""The emulated APIs' own documents, served by the admin API, checked against a live server.

* Hume's stream, AsyncAPI 3 (``schemas/hume/asyncapi.json``): its channel is the path the
  live server accepts, its security schemes are the credentials it accepts, its message
  payloads are ``schemas/hume/*.schema.json``, every publish example gets a reply that the
  subscribe payload describes, and every example validates.
* Behavioral Signals' REST subset, OpenAPI 3.1 (``schemas/behavioral/openapi.json``): a
  valid OpenAPI document whose paths and methods are exactly the live router's, and every
  operation, exercised against the live server (successes and the documented errors),
  answers with a status and a body the document describes.
"""

from __future__ import annotations

import copy
import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import jsonschema
import pytest
import requests
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate as validate_openapi
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from mockserver.admin import api_document
from mockserver.resources import fixture_path, load_schema
from mockserver.server import MockServer
from mockserver.tests.vendors.behavioral.file_server import serve_files

from .node_projects import NodeUnavailable, node_project

pytestmark = pytest.mark.e2e

KEY = "mock-hume-key"
CID, TOKEN, OTHER_TOKEN = 1000, "mock-bs-token", "other-token"
UPLOAD_LIMIT = 400_000


@pytest.fixture(scope="module")
def server() -> Iterator[MockServer]:
    settings: dict[str, Any] = {
        "hume_v1": {"enabled": False},
        "behavioral": {
            "projects": [f"{CID}:{TOKEN}", f"2000:{OTHER_TOKEN}"],
            "max_upload_bytes": UPLOAD_LIMIT,
        },
    }
    with MockServer(**settings) as running:
        yield running


def admin_get(server: MockServer, path: str) -> tuple[int, Any]:
    try:
        with urllib.request.urlopen(server.admin.url + path, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_the_admin_api_lists_and_serves_each_vendors_documents(server: MockServer) -> None:
    expected = {
        vendor.name: {name: f"/apis/{vendor.name}/{name}" for name in vendor.documents}
        for vendor in server.config.registry
        if vendor.documents
    }
    assert admin_get(server, "/apis") == (200, expected)
    assert set(expected) == {"hume", "behavioral"}
    for vendor, documents in expected.items():
        for name, path in documents.items():
            status, document = admin_get(server, path)
            assert status == 200, (vendor, name)
            assert ("asyncapi" in document) != ("openapi" in document)
    status, body = admin_get(server, "/apis/hume/nope.json")
    assert status == 404 and "see GET /apis" in body["error"]["message"]
    assert admin_get(server, "/apis/nobody/asyncapi.json")[0] == 404


# -- AsyncAPI: the Hume stream -------------------------------------------------------------------


def unresolved_refs(document: Any) -> list[str]:
    """Internal ``$ref`` of ``document`` that point nowhere."""
    missing: list[str] = []

    def resolve(pointer: str) -> bool:
        node: Any = document
        for token in pointer.removeprefix("#/").split("/"):
            part = token.replace("~1", "/").replace("~0", "~")
            if not isinstance(node, dict) or part not in node:
                return False
            node = node[part]
        return True

    def walk(node: Any, inside_schema: bool) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item, inside_schema)
        elif isinstance(node, dict):
            schema = inside_schema or "$schema" in node  # an inlined JSON Schema: its own refs
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/") and not schema and not resolve(ref):
                missing.append(ref)
            for value in node.values():
                walk(value, schema)

    walk(document, False)
    return missing


@pytest.fixture(scope="module")
def asyncapi(server: MockServer) -> dict[str, Any]:
    status, document = admin_get(server, "/apis/hume/asyncapi.json")
    assert status == 200
    return dict(document)


def payload(document: dict[str, Any], message: str) -> dict[str, Any]:
    schema: dict[str, Any] = document["components"]["messages"][message]["payload"]
    return schema


def test_asyncapi_is_well_formed_and_made_of_the_vendor_schemas(asyncapi: dict[str, Any]) -> None:
    assert asyncapi["asyncapi"] == "3.0.0"
    assert unresolved_refs(asyncapi) == []
    broken = copy.deepcopy(asyncapi)
    broken["operations"]["publishModels"]["channel"] = {"$ref": "#/channels/nope"}
    assert unresolved_refs(broken) == ["#/channels/nope"]  # the check can fail
    channels = asyncapi["channels"]
    for operation in asyncapi["operations"].values():
        channel = operation["channel"]["$ref"].removeprefix("#/channels/")
        for message in operation["messages"]:
            assert message["$ref"].startswith(f"#/channels/{channel}/messages/")
    # The payloads are the repository's schemas of the stream, inlined.
    assert payload(asyncapi, "StreamModelsEndpointPayload") == load_schema(
        "hume/publish.schema.json"
    )
    assert payload(asyncapi, "SubscribeEvent") == load_schema("hume/response.schema.json")
    file_version = load_schema("hume/asyncapi.json")
    assert file_version["components"]["messages"]["SubscribeEvent"]["payload"] == {
        "$ref": "response.schema.json"
    }
    assert api_document("hume/asyncapi.json")["channels"] == channels
    for message in asyncapi["components"]["messages"].values():
        Draft202012Validator.check_schema(message["payload"])
        for example in message["examples"]:
            Draft202012Validator(message["payload"]).validate(example["payload"])


def test_asyncapi_validates_against_the_asyncapi_3_schema(asyncapi: dict[str, Any]) -> None:
    """With the specification's own JSON Schema (npm ``@asyncapi/specs``, installed once)."""
    try:
        specs = node_project(
            "asyncapi-specs",
            package={
                "name": "specs",
                "private": True,
                "dependencies": {"@asyncapi/specs": "6.11.1"},
            },
        )
    except NodeUnavailable as exc:
        pytest.skip(str(exc))
    path = specs / "node_modules" / "@asyncapi" / "specs" / "schemas" / "3.0.0-without-$id.json"
    validator = jsonschema.Draft7Validator(json.loads(path.read_text("utf-8")))
    assert list(validator.iter_errors(asyncapi)) == []
    assert list(validator.iter_errors(load_schema("hume/asyncapi.json"))) == []  # the file too
    broken = copy.deepcopy(asyncapi)
    broken["operations"]["publishModels"]["action"] = "publish"  # AsyncAPI 2's word
    assert list(validator.iter_errors(broken)) != []


def test_asyncapi_server_channel_and_security_are_the_live_servers(
    server: MockServer, asyncapi: dict[str, Any]
) -> None:
    this = asyncapi["servers"]["this"]
    assert (this["protocol"], this["host"]) == ("ws", f"127.0.0.1:{server.hume.port}")
    url = f"{this['protocol']}://{this['host']}{asyncapi['channels']['models']['address']}"
    assert url == server.hume.url
    schemes = asyncapi["components"]["securitySchemes"]
    header, query = schemes["apiKeyHeader"]["name"], schemes["apiKeyQuery"]["name"]
    job = json.dumps({"job_details": True})
    for target, headers in ((url, {header: KEY}), (f"{url}?{query}={KEY}", {})):
        with connect(target, additional_headers=headers) as ws:
            ws.send(job)
            assert "job_details" in json.loads(ws.recv(timeout=30))
    with pytest.raises(InvalidStatus) as refused:
        connect(url).close()  # no credentials
    assert refused.value.response.status_code == 401
    with pytest.raises(InvalidStatus) as elsewhere:
        connect(url.replace("/models", "/other"), additional_headers={header: KEY}).close()
    assert elsewhere.value.response.status_code == 404  # the channel is the only path


def test_every_publish_example_gets_a_documented_reply(
    server: MockServer, asyncapi: dict[str, Any]
) -> None:
    publish = Draft202012Validator(payload(asyncapi, "StreamModelsEndpointPayload"))
    subscribe = Draft202012Validator(payload(asyncapi, "SubscribeEvent"))
    examples = asyncapi["components"]["messages"]["StreamModelsEndpointPayload"]["examples"]
    invalid = {"models": {"language": {}}, "raw_text": True, "data": "hi", "extra": 1}
    with pytest.raises(jsonschema.ValidationError):
        publish.validate(invalid)  # the publish payload is strict
    with connect(server.hume.url, additional_headers={"X-Hume-Api-Key": KEY}) as ws:
        for message in [example["payload"] for example in examples] + [invalid]:
            ws.send(json.dumps(message))
            reply = json.loads(ws.recv(timeout=30))
            subscribe.validate(reply)
    assert reply["code"] == "E0101"  # the invalid one: a documented error event
    with pytest.raises(jsonschema.ValidationError):
        subscribe.validate({"language": {"predictions": "not a list"}})


# -- OpenAPI: the Behavioral Signals REST subset ---------------------------------------------------

OPENAPI_URI = "https://github.com/affect-mockserver/schemas/behavioral/openapi.json"


@pytest.fixture(scope="module")
def openapi(server: MockServer) -> dict[str, Any]:
    status, document = admin_get(server, "/apis/behavioral/openapi.json")
    assert status == 200
    return dict(document)


def test_openapi_is_a_valid_openapi_3_1_document(openapi: dict[str, Any]) -> None:
    assert openapi["openapi"] == "3.1.0"
    validate_openapi(openapi)
    broken = copy.deepcopy(openapi)
    del broken["paths"]["/status"]["get"]["responses"]["200"]["description"]
    with pytest.raises(OpenAPIValidationError, match="description"):
        validate_openapi(broken)


def test_openapi_paths_are_the_live_routes(server: MockServer, openapi: dict[str, Any]) -> None:
    live = {
        _template(path): {method.lower() for method in methods}
        for path, methods in server.service("behavioral").rest.routes.items()
    }
    documented = {
        path: {method for method in item if method in ("get", "post", "put", "delete")}
        for path, item in openapi["paths"].items()
    }
    assert documented == live
    assert openapi["servers"][0]["url"] == server.behavioral.base_url  # this server first


def _template(path: str) -> str:
    """``/a/{pid:[0-9]+}`` as OpenAPI writes it: ``/a/{pid}``."""
    out, depth, skipping = [], 0, False
    for char in path:
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            skipping = False
        elif char == ":" and depth == 1:
            skipping = True
            continue
        if not skipping:
            out.append(char)
    return "".join(out)


class Caller:
    """Sends requests to the live REST API and checks each answer against the document."""

    def __init__(self, server: MockServer, document: dict[str, Any]) -> None:
        self.base = server.behavioral.base_url
        self.document = document
        self.registry: Registry[Any] = Registry().with_resource(
            OPENAPI_URI, Resource.from_contents(document, default_specification=DRAFT202012)
        )
        self.seen: set[tuple[str, str, int]] = set()

    def __call__(
        self, method: str, template: str, *, token: str | None = TOKEN, **kwargs: Any
    ) -> Any:
        params = {k: kwargs.pop(k) for k in ("cid", "pid") if k in kwargs}
        headers = dict(kwargs.pop("headers", {}))
        if token is not None:
            headers["X-Auth-Token"] = token
        response = requests.request(
            method, self.base + template.format(**params), headers=headers, timeout=30, **kwargs
        )
        self.check(method.lower(), template, response.status_code, response.json())
        self.seen.add((template, method.lower(), response.status_code))
        return response

    def check(self, method: str, template: str, status: int, body: Any) -> None:
        escaped = template.replace("~", "~0").replace("/", "~1")
        responses = self.document["paths"][template][method]["responses"]
        assert str(status) in responses, f"{method.upper()} {template}: {status} is undocumented"
        pointer = f"/paths/{escaped}/{method}/responses/{status}"
        response = responses[str(status)]
        if "$ref" in response:
            pointer = response["$ref"].removeprefix("#")
        schema = {"$ref": f"{OPENAPI_URI}#{pointer}/content/application~1json/schema"}
        Draft202012Validator(schema, registry=self.registry).validate(body)


def wait_completed(call: Caller, prefix: str, pid: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # bounded
        status = call("GET", prefix + "/{pid}", cid=CID, pid=pid).json()["status"]
        if status not in (0, 1):  # pending, processing
            assert status == 2
            return
        time.sleep(0.1)
    raise AssertionError(f"process {pid} did not complete")


def test_every_operation_answers_as_documented(server: MockServer, openapi: dict[str, Any]) -> None:
    server.reset()
    call = Caller(server, openapi)
    speech = fixture_path("media/speech_16k.wav").read_bytes()
    video = fixture_path("media/face_speech.mp4").read_bytes()
    call("GET", "/status", token=None)
    call("GET", "/v5/auth", headers={"X-Auth-Client": str(CID)})
    call("GET", "/v5/auth", token=None)  # 401
    call("GET", "/v5/clients/{cid}", cid=CID)
    call("GET", "/v5/clients/{cid}", cid=CID, token=OTHER_TOKEN)  # 403
    beh, det = "/v5/clients/{cid}/processes", "/v5/detection/clients/{cid}/processes"
    with serve_files({"/speech.wav": speech, "/video.mp4": video}) as files:
        for prefix, upload, s3_path, data, name in (  # list/get prefix, upload, by URL
            (beh, beh + "/audio", beh + "/s3-presigned-url", speech, "speech.wav"),
            (det, det + "/audio", det + "/s3-presigned-url", speech, "speech.wav"),
            (det + "/video", det + "/video", det + "/s3-presigned-video-url", video, "video.mp4"),
        ):
            form = {"embeddings": "False", "meta": json.dumps({"test": True})}
            if prefix != beh:
                form["enable_generator_detection"] = "True"
            files_part = {"file": (name, data)}
            pid = call("POST", upload, cid=CID, files=files_part, data=form).json()["pid"]
            call("GET", prefix + "/{pid}/results", cid=CID, pid=pid)  # 400: not completed yet
            call("POST", s3_path, cid=CID, json={"url": f"{files}/{name}", "name": name})
            call("POST", s3_path, cid=CID, json={"name": "no url"})  # 400
            call("GET", prefix, cid=CID, params={"pageSize": 10, "sort": "desc"})
            call("GET", prefix, cid=CID, params={"pageSize": 0})  # 400
            wait_completed(call, prefix, pid)
            call("GET", prefix + "/{pid}/results", cid=CID, pid=pid)
            call("GET", prefix + "/{pid}", cid=CID, pid=999_999)  # 404
            too_big = {"file": ("big.wav", b"\0" * (UPLOAD_LIMIT + 1))}
            call("POST", upload, cid=CID, files=too_big)  # 413
    exercised = {(template, method) for template, method, _ in call.seen}
    documented = {(path, method) for path, item in openapi["paths"].items() for method in item}
    assert exercised == documented
    statuses = {status for _, _, status in call.seen}
    assert statuses == {200, 400, 401, 403, 404, 413}
