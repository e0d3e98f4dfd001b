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
