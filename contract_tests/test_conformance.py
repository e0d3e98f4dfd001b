"""``mockserver conformance`` against the emulator: every check passes with the default
profile, and each fault (or a mislabelling scenario) makes its named check fail, shrunk to
a transcript of the frames to send. The oracle is not the emulator: a label table of the
emulator changed under it is caught."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from mockserver.cli import main
from mockserver.contract import conformance as module
from mockserver.contract.conformance import ConformanceOptions, conformance
from mockserver.contract.report import Report
from mockserver.resources import load_schema
from mockserver.server import MockServer
from mockserver.vendors.behavioral import tasks  # the emulator's own table (patched below)

pytestmark = pytest.mark.e2e


def failed(report: Report) -> set[str]:
    return {r.id for r in report.results if r.status == "FAIL"}


@pytest.mark.parametrize("vendor", ["hume", "behavioral"])
def test_the_emulator_passes_every_check(vendor: str, tmp_path: Path) -> None:
    report = conformance(
        ConformanceOptions(
            vendor, profile="default", report_dir=tmp_path, json_file=tmp_path / "r.json"
        )
    )
    assert report.passed, "\n".join(v.message for v in report.violations)
    assert {r.status for r in report.results} == {"PASS"}
    data = json.loads((tmp_path / "r.json").read_text())
    jsonschema.validate(data, load_schema("conformance-report.schema.json"))
    assert data["target"] == {"emulated": True}
    assert (tmp_path / "run-1.html").exists() and (tmp_path / "index.html").exists()


def with_faults(*faults: Mapping[str, Any]) -> Any:
    def prepare(server: Any) -> None:
        server.add_faults([dict(f) for f in faults])

    return prepare


HUME_FAULTS: list[tuple[dict[str, Any], str]] = [
    ({"type": "wrong_types"}, "hume.server.response-schema"),
    ({"type": "malformed_json"}, "hume.server.response-schema"),
    ({"type": "duplicate"}, "hume.server.one-reply"),
    ({"type": "reorder"}, "hume.server.one-reply"),
    ({"type": "discard", "when": {"message": 2}}, "hume.server.one-reply"),
    (
        {"type": "replace", "body": {"job_details": {"job_id": "0" * 32}}},
        "hume.server.payload-id",
    ),
]


@pytest.mark.parametrize(("fault", "check"), HUME_FAULTS, ids=[f["type"] for f, _ in HUME_FAULTS])
def test_each_hume_fault_fails_its_check(fault: dict[str, Any], check: str) -> None:
    # A fault that withholds a reply fails by a timeout: a short one keeps the test quick.
    timeout = 1.0 if fault["type"] in ("discard", "reorder") else 2.0
    report = conformance(
        ConformanceOptions("hume", profile="quick", checks=[check], reply_timeout_s=timeout,
                           prepare=with_faults({"vendor": "hume", **fault}))
    )  # fmt: skip
    assert failed(report) == {check}
    (violation,) = report.violations
    assert violation.shrunk and violation.transcript
    assert len(violation.transcript) <= 6  # shrunk: the handshake, a frame or two
    assert violation.reproducer.startswith("send these ")


def test_a_grpc_abort_fails_the_chunking_check() -> None:
    abort = {"vendor": "behavioral", "type": "grpc_abort", "status": "UNAVAILABLE",
             "when": {"after_results": 1}}  # fmt: skip
    report = conformance(
        ConformanceOptions("behavioral", profile="quick", checks=["behavioral.server.chunking"],
                           prepare=with_faults(abort))
    )  # fmt: skip
    assert failed(report) == {"behavioral.server.chunking"}
    assert "ended UNAVAILABLE" in report.violations[0].message


def test_a_mislabelling_emulator_fails_the_labels_check(monkeypatch: pytest.MonkeyPatch) -> None:
    """The emulator's own label table is changed ('neutral' becomes 'furious') and a scenario
    scripts the new label: the scenario loads (the emulator agrees with itself), the
    oracle's table does not."""
    emotions = tuple("furious" if e == "neutral" else e for e in tasks.CLASSIFIER_LABELS["emotion"])
    monkeypatch.setitem(tasks.CLASSIFIER_LABELS, "emotion", emotions)

    def prepare(server: Any) -> None:
        server.load_scenario({"behavioral": {"results": [{"task": "emotion", "label": "furious"}]}})

    report = conformance(
        ConformanceOptions("behavioral", profile="quick", checks=["behavioral.server.labels"],
                           prepare=prepare)
    )  # fmt: skip
    assert failed(report) == {"behavioral.server.labels"}
    assert "emotion labels" in report.violations[0].message


def test_cli_exit_statuses(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["conformance", "hume", "--profile", "quick", "--checks",
                 "hume.server.auth,hume.server.limits"]) == 0  # fmt: skip
    out = capsys.readouterr().out
    assert "PASS  hume.server.auth" in out and "SKIP  hume.server.labels" in out
    assert main(["conformance", "hume", "--checks", "hume.server.nope"]) == 2
    assert "unknown check hume.server.nope" in capsys.readouterr().err
    assert main(["conformance", "behavioral", "--grpc-target", "127.0.0.1:1"]) == 2
    assert "a behavioral target needs --rest-url, --cid, --token" in capsys.readouterr().err
    assert main(["conformance", "hume", "--url", "ws://127.0.0.1:1/x", "--api-key", "k"]) == 2
    assert "cannot reach the hume target" in capsys.readouterr().err


def test_cli_exit_1_when_a_check_fails(monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    with_id = {"type": "replace", "body": {"job_details": {"job_id": "0" * 32}}}
    original = module.conformance

    def faulty(options: ConformanceOptions) -> Report:
        return original(ConformanceOptions(**{**options.__dict__,
                                              "prepare": with_faults(with_id)}))  # fmt: skip

    monkeypatch.setattr(module, "conformance", faulty)
    assert main(["conformance", "hume", "--profile", "quick", "--checks",
                 "hume.server.payload-id"]) == 1  # fmt: skip
    assert "FAIL  hume.server.payload-id" in capsys.readouterr().out


# -- every other check fails too, against an emulator made to break it ------------------------


def run_against(vendor: str, server: MockServer, check: str, **options: Any) -> Report:
    """The kit against ``server`` as a remote target (its own settings)."""
    if vendor == "hume":
        target: dict[str, Any] = {"url": server.hume.url, "api_key": server.hume.api_key}
    else:
        endpoint = server.behavioral
        target = {"grpc_target": endpoint.grpc_target, "rest_url": endpoint.rest_url,
                  "cid": endpoint.cid, "token": endpoint.token}  # fmt: skip
    return conformance(
        ConformanceOptions(vendor, target=target, profile="quick", checks=[check], **options)
    )


def test_errors_for_valid_requests_fail_error_codes_and_reset_stream() -> None:
    def prepare(server: Any) -> None:
        server.load_scenario({"hume": {"rules": [{"respond": {"error": {"code": "E0101"}}}]}})

    report = conformance(
        ConformanceOptions("hume", profile="quick", prepare=prepare,
                           checks=["hume.server.error-codes", "hume.server.reset-stream"])
    )  # fmt: skip
    assert failed(report) == {"hume.server.error-codes", "hume.server.reset-stream"}


def test_a_limit_refused_at_its_bound_fails_limits() -> None:
    refuse = {"vendor": "hume", "type": "replace", "body": {"error": "too big", "code": "E0205"}}
    report = conformance(
        ConformanceOptions("hume", checks=["hume.server.limits"], prepare=with_faults(refuse))
    )
    assert failed(report) == {"hume.server.limits"}
    assert "audio at the limit refused with E0205" in report.violations[0].message


def test_a_wrong_key_accepted_fails_auth() -> None:
    with MockServer(hume={"api_keys": ["mock-hume-key", "not-a-key-0000"]}) as server:
        report = run_against("hume", server, "hume.server.auth")
    assert failed(report) == {"hume.server.auth"}
    assert "a wrong key: the upgrade was accepted (101)" in report.violations[0].message


def test_a_close_after_one_error_fails_survives_errors() -> None:
    """The documented close comes after ten identical errors; this server closes after one."""
    with MockServer(hume={"repeated_error_limit": 1}) as server:
        report = run_against("hume", server, "hume.server.survives-errors")
    assert failed(report) == {"hume.server.survives-errors"}
    assert "closed with 1008" in report.violations[0].message


def test_a_wrong_token_accepted_fails_behavioral_auth() -> None:
    with MockServer(behavioral={"projects": ["1000:not-a-token"]}) as server:
        report = run_against("behavioral", server, "behavioral.server.auth")
    assert failed(report) == {"behavioral.server.auth"}
    assert "a wrong token: the call ended OK" in report.violations[0].message


def test_audio_accepted_in_the_first_message_fails_config_first() -> None:
    with MockServer(behavioral={"strict_first_message": False}) as server:
        report = run_against("behavioral", server, "behavioral.server.config-first")
    assert failed(report) == {"behavioral.server.config-first"}


def test_a_failed_process_fails_the_rest_lifecycle() -> None:
    fail = {"vendor": "behavioral", "type": "process_outcome", "status": -1}
    report = conformance(
        ConformanceOptions("behavioral", checks=["behavioral.server.rest-lifecycle"],
                           prepare=with_faults(fail))
    )  # fmt: skip
    assert failed(report) == {"behavioral.server.rest-lifecycle"}
    assert "process statuses [0, 1, -1]: not 0 -> 1 -> 2" in report.violations[0].message


def test_an_http_error_fails_the_rest_schema() -> None:
    error = {"vendor": "behavioral", "type": "http_error", "status": 503}
    report = conformance(
        ConformanceOptions("behavioral", checks=["behavioral.server.rest-schema"],
                           prepare=with_faults(error))
    )  # fmt: skip
    assert failed(report) == {"behavioral.server.rest-schema"}
    assert "upload answered HTTP 503" in report.violations[0].message
